"""Merging whole projects from other laptops: items and labels united, notes and gold newer-wins, conflicts
refused with nothing merged, and a second merge of the same file changing nothing."""

from __future__ import annotations

import json
import shutil
import sqlite3

import pytest

from annotator.core import Project
from annotator.core.errors import AnnotatorError, InputError
from annotator.core.merge import merge_projects
from annotator.core.model import Prediction


def set_time(project: Project, table: str, column: str, value: str) -> None:
    """Backdate or postdate every row of a table, so 'newer' does not depend on the test's speed."""
    conn = sqlite3.connect(project.url.removeprefix("sqlite:///"))
    with conn:
        conn.execute(f"UPDATE {table} SET {column} = ?", (value,))
    conn.close()


@pytest.fixture
def new_project(tmp_path, empty_project_file):
    """`new_project(name)`: a new project file with the built-in taxonomies in tmp_path, open (a copy of the
    session's empty project instead of running the migrations again)."""
    def make(name: str) -> Project:
        path = tmp_path / name
        shutil.copyfile(empty_project_file, path)
        return Project.open(path)

    return make


@pytest.fixture
def laptops(new_project, items_file, make_jsonl, small_items):
    """Alice's laptop has the four small items; Bob's has three of them plus two of his own."""
    extra = make_jsonl("bob_extra.jsonl", [
        {"id": "r3", "kind": "rubric", "prompt": "Plan a picnic.", "criteria": ["Lists food", "Picks a place"]},
        {"id": "cap2", "kind": "caption", "caption": "A boat.", "image": "images/harbour.png"},
    ])
    bob_items = make_jsonl("bob_items.jsonl", [r for r in small_items if r["id"] != "r2"])
    alice = new_project("alice.sqlite")
    alice.import_items([items_file])
    bob = new_project("bob.sqlite")
    bob.import_items([extra, bob_items])
    yield alice, bob
    alice.close()
    bob.close()


def test_two_laptops_merge_into_one(laptops):
    alice, bob = laptops
    alice.labels.add("r1", "rift", "alice", "criterion:c2", "subjective")
    alice.completion.set_done("r1", "rift", "alice")
    bob.labels.add("r1", "rift", "bob", "criterion:c2", "subjective")
    bob.labels.add("r1", "rift", "bob", "criterion:c1", "ungrounded")
    bob.completion.set_done("r1", "rift", "bob")
    bob.labels.add("r3", "rift", "bob", "item", "low_signal")
    bob.completion.set_done("r3", "rift", "bob")
    bob.predictions.store("rift", "judge", ["r1"], [Prediction(item_id="r1", taxonomy="rift", metric="judge",
                                                               target="item", label="low_signal", score=0.25)])
    bob_path = bob.url.removeprefix("sqlite:///")
    summary = merge_projects(alice, [bob_path])
    assert summary.counts["items"] == 2 and summary.counts["labels"] == 3 and summary.counts["done"] == 2
    assert summary.line().startswith("merged 2 items")
    info = alice.info()
    assert info["items"] == {"rubric": 3, "caption": 2, "trace": 1}
    assert info["annotators"] == ["alice", "bob"]
    assert info["done"] == {"alice": {"rift": 1}, "bob": {"rift": 2}}
    assert {(lab.annotator, lab.target, lab.label) for lab in alice.labels.for_item("r1")} == {
        ("alice", "criterion:c2", "subjective"), ("bob", "criterion:c2", "subjective"),
        ("bob", "criterion:c1", "ungrounded")}
    assert [s.id for s in alice.items.page()] == ["r1", "r2", "cap1", "t1", "r3", "cap2"]
    assert alice.items.get("r3") == bob.items.get("r3")
    assert alice.items.image_bytes("cap2") == bob.items.image_bytes("cap2")
    assert alice.items.unit_targets("r3") == ["criterion:c1", "criterion:c2"]
    assert [(p.label, p.score) for p in alice.predictions.for_item("r1", "rift", "judge")] == [("low_signal", 0.25)]
    assert alice.label_data("rift").annotators == ["alice", "bob"]


def test_merging_the_same_file_twice_changes_nothing_the_second_time(laptops):
    alice, bob = laptops
    bob.labels.add("r1", "rift", "bob", "item", "low_signal")
    bob.completion.set_done("r1", "rift", "bob")
    bob.notes.set("r1", "rift", "bob", "item", "thin rubric")
    bob.gold.set("r1", "rift", "item", ["low_signal"])
    bob_path = bob.url.removeprefix("sqlite:///")
    merge_projects(alice, [bob_path])
    after_first = (alice.info(), alice.labels.for_item("r1"), alice.notes.for_item("r1", "rift", "bob"),
                   alice.gold.all("rift"))
    second = merge_projects(alice, [bob_path])
    assert sum(second.counts.values()) == 0
    assert (alice.info(), alice.labels.for_item("r1"), alice.notes.for_item("r1", "rift", "bob"),
            alice.gold.all("rift")) == after_first


def test_notes_and_gold_keep_the_newer(laptops):
    alice, bob = laptops
    alice.notes.set("r1", "rift", "carol", "item", "alice's laptop, older")
    alice.notes.set("t1", "rift", "carol", "item", "alice's laptop, newer")
    alice.gold.set("r1", "rift", "criterion:c1", ["subjective"])
    set_time(alice, "note", "updated_at", "2024-01-01T00:00:00+00:00")
    set_time(alice, "gold", "decided_at", "2024-01-01T00:00:00+00:00")
    conn = sqlite3.connect(alice.url.removeprefix("sqlite:///"))
    with conn:
        conn.execute("UPDATE note SET updated_at = '2024-09-09T00:00:00+00:00' WHERE item_id = 't1'")
    conn.close()
    bob.notes.set("r1", "rift", "carol", "item", "bob's laptop, newer")
    bob.notes.set("t1", "rift", "carol", "item", "bob's laptop, older")
    bob.gold.set("r1", "rift", "criterion:c1", ["ungrounded"])
    bob.gold.set("r1", "rift", "criterion:c2", [])
    set_time(bob, "note", "updated_at", "2024-06-01T00:00:00+00:00")
    set_time(bob, "gold", "decided_at", "2024-06-01T00:00:00+00:00")
    merge_projects(alice, [bob.url.removeprefix("sqlite:///")])
    assert alice.notes.get("r1", "rift", "carol") == "bob's laptop, newer"
    assert alice.notes.get("t1", "rift", "carol") == "alice's laptop, newer"
    assert alice.gold.get("r1", "rift", "criterion:c1").labels == ("ungrounded",)
    assert alice.gold.get("r1", "rift", "criterion:c2").labels == ()


def test_an_item_that_differs_is_a_conflict_and_nothing_is_merged(tmp_path, laptops, new_project, make_jsonl,
                                                                  small_items):
    alice, bob = laptops
    changed = [dict(r) for r in small_items if r["id"] == "t1"]
    changed[0]["reference_answer"] = "15"
    carol = new_project("carol.sqlite")
    carol.import_items([make_jsonl("carol.jsonl", changed + [
        {"id": "r9", "kind": "rubric", "prompt": "Something new.", "criteria": ["a"]}])])
    carol.labels.add("r9", "rift", "carol", "item", "low_signal")
    carol.completion.set_done("r9", "rift", "carol")
    carol.close()
    bob.labels.add("r1", "rift", "bob", "item", "low_signal")
    before = alice.info()
    with pytest.raises(InputError) as caught:
        merge_projects(alice, [bob.url.removeprefix("sqlite:///"), str(tmp_path / "carol.sqlite")])
    [problem] = caught.value.problems
    assert problem.file == str(tmp_path / "carol.sqlite") and "'t1'" in problem.message
    assert alice.info() == before  # not even bob's good file went in
    assert not alice.items.exists("r3") and not alice.items.exists("r9")


def test_the_same_item_written_differently_is_not_a_conflict(laptops):
    alice, bob = laptops
    conn = sqlite3.connect(bob.url.removeprefix("sqlite:///"))
    with conn:  # the same item, its JSON with keys in another order
        data = conn.execute("SELECT data FROM item WHERE id = 'r1'").fetchone()[0]
        conn.execute("UPDATE item SET data = ? WHERE id = 'r1'", (json.dumps(dict(reversed(json.loads(data).items()))),))
    conn.close()
    merge_projects(alice, [bob.url.removeprefix("sqlite:///")])
    assert alice.items.count() == 6


def test_bad_merges_are_refused(laptops, tmp_path):
    alice, _ = laptops
    with pytest.raises(AnnotatorError, match="itself"):
        merge_projects(alice, [alice.url.removeprefix("sqlite:///")])
    with pytest.raises(InputError, match="no such project file"):
        merge_projects(alice, [str(tmp_path / "missing.sqlite")])
    other = tmp_path / "other.sqlite"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE t (x)")
    conn.close()
    with pytest.raises(InputError, match="not an annotator project"):
        merge_projects(alice, [str(other)])
    junk = tmp_path / "junk.sqlite"
    junk.write_text("not a database " * 40)
    with pytest.raises(InputError, match="not an annotator project"):
        merge_projects(alice, [str(junk)])


def test_a_user_taxonomy_comes_along(tmp_path, laptops):
    alice, bob = laptops
    yaml_file = tmp_path / "tone.yaml"
    yaml_file.write_text("id: tone\nname: Tone\napplies_to: [rubric]\n"
                         "labels:\n  - {id: curt, name: Curt, target: item}\n")
    bob.taxonomies.add(str(yaml_file))
    bob.labels.add("r1", "tone", "bob", "item", "curt")
    bob.completion.set_done("r1", "tone", "bob")
    merge_projects(alice, [bob.url.removeprefix("sqlite:///")])
    assert "tone" in alice.taxonomies.ids()
    assert alice.info()["done"]["bob"] == {"tone": 1}


def edit_file(path, *statements: str) -> None:
    """Change a closed project file by hand, as a buggy tool or a curious user would (foreign keys off)."""
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("PRAGMA foreign_keys=OFF")
        for statement in statements:
            conn.execute(statement)
    conn.close()


def _file_state(path) -> tuple:
    """What merging must leave alone: the bytes' time, the journal mode in the header, the schema version."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        version = conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    finally:
        conn.close()
    with open(path, "rb") as handle:
        header = handle.read(20)
    return path.stat().st_mtime_ns, header[18:20], version


@pytest.mark.parametrize("journal", ["wal", "delete"])
def test_the_other_file_is_only_read(laptops, tmp_path, journal):
    """A teammate's file in either journal mode comes out of a merge exactly as it went in."""
    alice, bob = laptops
    bob.labels.add("r1", "rift", "bob", "item", "low_signal")
    bob.close()
    path = tmp_path / "bob.sqlite"
    edit_file(path, f"PRAGMA journal_mode={journal}")
    before = _file_state(path)
    merge_projects(alice, [str(path)])
    assert _file_state(path) == before
    assert ("bob", "low_signal") in {(lab.annotator, lab.label) for lab in alice.labels.for_item("r1")}


def test_a_file_of_an_older_schema_is_refused_and_not_migrated(laptops, tmp_path):
    alice, bob = laptops
    bob.close()
    path = tmp_path / "bob.sqlite"
    edit_file(path, "UPDATE alembic_version SET version_num = '0001'")
    before = _file_state(path)
    with pytest.raises(InputError, match=r"older version of annotator \(schema 0001"):
        merge_projects(alice, [str(path)])
    assert _file_state(path) == before


def test_an_annotator_the_file_does_not_list_is_created(laptops, tmp_path):
    """A hand-made file whose labels name a person missing from its annotator table: no FOREIGN KEY error."""
    alice, bob = laptops
    bob.close()
    path = tmp_path / "bob.sqlite"
    edit_file(path, "INSERT INTO label (item_id, taxonomy, annotator, target, label, created_at) "
                    "VALUES ('r1', 'rift', 'ghost', 'item', 'low_signal', '2026-01-01T00:00:00+00:00')",
              "INSERT INTO completion VALUES ('r1', 'rift', 'ghost', '2026-01-01T00:00:00+00:00')")
    summary = merge_projects(alice, [str(path)])
    assert summary.counts["labels"] == 1 and summary.counts["done"] == 1
    assert "ghost" in alice.annotators()


def test_single_choice_answers_that_clash_are_refused_across_files(laptops, tmp_path):
    """The same annotator rated one step differently in two files: neither file goes in."""
    alice, bob = laptops
    bob.labels.add("t1", "step_rating", "dan", "step:s1", "+1")
    bob.close()
    other = tmp_path / "bob_copy.sqlite"
    other.write_bytes((tmp_path / "bob.sqlite").read_bytes())
    edit_file(other, "UPDATE label SET label = '-1' WHERE annotator = 'dan'")
    before = alice.info()
    with pytest.raises(InputError) as caught:
        merge_projects(alice, [str(tmp_path / "bob.sqlite"), str(other)])
    [problem] = caught.value.problems
    assert problem.file == str(other) and "already answered '+1'" in problem.message
    assert str(tmp_path / "bob.sqlite") in problem.message
    assert alice.info() == before
