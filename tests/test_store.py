"""The Project facade: opening, taxonomies, labels with their validation and undo, notes, completion, the lazy
item list, the tables statistics read, gold, predictions, and all-or-nothing imports (DESIGN sections 3, 4, 9)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from annotator.core import ItemFilter, Project
from annotator.core.errors import AnnotatorError, InputError, NotFound, UsageError
from annotator.core.model import Prediction
from annotator.core.store import LabelChange
from annotator.core.taxonomy import builtin_taxonomies

FORMATS_DATA = Path(__file__).resolve().parent / "data" / "formats"


def state(project: Project, item_id: str) -> list[tuple]:
    """Every label on an item, with its timestamp, in a comparable form."""
    return sorted((lab.taxonomy, lab.annotator, lab.target, lab.label, lab.created_at)
                  for lab in project.labels.for_item(item_id))


# --- opening ----------------------------------------------------------------------------------------------
def test_create_then_open_by_path_and_by_url(tmp_path, items_file):
    path = tmp_path / "team.sqlite"
    with Project.create(path) as project:
        project.import_items([items_file])
        expected = project.info()
    with Project.open(path) as by_path:
        assert by_path.info() == expected
    with Project.open(f"sqlite:///{path}") as by_url:
        assert by_url.info() == expected
        assert by_url.items.get("r1").criteria[1].text == "Is appropriate"


def test_missing_file_is_not_found_and_not_created(tmp_path):
    path = tmp_path / "nowhere.sqlite"
    with pytest.raises(NotFound):
        Project.open(path)
    assert not path.exists()


def test_an_empty_sqlite_file_without_create_is_not_found(tmp_path):
    path = tmp_path / "empty.sqlite"
    sqlite3.connect(path).close()
    with pytest.raises(NotFound):
        Project.open(path)


def test_another_programs_database_is_refused_even_with_create(tmp_path):
    path = tmp_path / "other.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, total REAL)")
    conn.commit()
    conn.close()
    for create in (False, True):
        with pytest.raises(AnnotatorError, match="not an annotator project"):
            Project.open(path, create=create)
    conn = sqlite3.connect(path)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    conn.close()
    assert tables == {"orders"}


def test_a_file_that_is_not_sqlite_is_refused_plainly(tmp_path):
    path = tmp_path / "notes.sqlite"
    path.write_text("these are my notes, not a database\n" * 20)
    with pytest.raises(AnnotatorError, match="not a project file"):
        Project.open(path)


def test_a_folder_is_refused(tmp_path):
    with pytest.raises(AnnotatorError, match="folder"):
        Project.open(tmp_path)


def test_wal_mode_is_on(tmp_project):
    path = tmp_project.url.removeprefix("sqlite:///")
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0].lower() == "wal"
    finally:
        conn.close()


def test_builtin_taxonomies_are_copied_into_a_new_project(tmp_project):
    assert tmp_project.taxonomies.ids() == list(builtin_taxonomies())
    path = tmp_project.url.removeprefix("sqlite:///")
    conn = sqlite3.connect(path)
    stored = dict(conn.execute("SELECT id, definition FROM taxonomy"))
    conn.close()
    assert set(stored) == set(builtin_taxonomies())
    assert "subjective" in stored["rift"] and "definition" in stored["rift"]


def test_a_user_taxonomy_file_travels_inside_the_project(tmp_path):
    yaml_file = tmp_path / "tone.yaml"
    yaml_file.write_text("id: tone\nname: Tone\napplies_to: [rubric]\nchoice: single\n"
                         "labels:\n  - {id: friendly, name: Friendly, target: item}\n"
                         "  - {id: curt, name: Curt, target: item}\n")
    path = tmp_path / "p.sqlite"
    Project.create(path, taxonomies=["rift", str(yaml_file)]).close()
    yaml_file.unlink()
    with Project.open(path) as project:
        assert project.taxonomies.ids() == ["rift", "tone"]
        assert project.taxonomies.get("tone").choice == "single"
        assert project.taxonomies.get("tone").label_ids == ["friendly", "curt"]


# --- labels -----------------------------------------------------------------------------------------------
def test_add_remove_toggle(filled_project):
    p = filled_project
    change = p.labels.add("r1", "rift", "alice", "criterion:c2", "subjective")
    assert [(lab.target, lab.label) for lab in change.added] == [("criterion:c2", "subjective")]
    assert change.added[0].created_at is not None and change.removed == ()
    assert not p.labels.add("r1", "rift", "alice", "criterion:c2", "subjective").changed  # already there
    assert p.labels.toggle("r1", "rift", "alice", "item", "low_signal").added
    assert {lab.label for lab in p.labels.for_item("r1")} == {"subjective", "low_signal"}
    assert p.labels.toggle("r1", "rift", "alice", "item", "low_signal").removed
    removed = p.labels.remove("r1", "rift", "alice", "criterion:c2", "subjective")
    assert [lab.label for lab in removed.removed] == ["subjective"]
    assert not p.labels.remove("r1", "rift", "alice", "criterion:c2", "subjective").changed
    assert p.labels.for_item("r1") == [] and p.labels.count() == 0


@pytest.mark.parametrize("item, taxonomy, target, label, error, words", [
    ("r1", "rift", "criterion:c1", "vague", NotFound, "no label 'vague'"),
    ("r1", "rift", "item", "subjective", UsageError, "goes on a criterion"),
    ("r1", "rift", "criterion:c1", "low_signal", UsageError, "goes on the item"),
    ("r1", "rift", "criterion:c9", "subjective", NotFound, "has no 'criterion:c9'"),
    ("t1", "rift", "step:s1", "subjective", UsageError, "does not apply to trace"),
    ("r1", "reasoning_errors", "criterion:c1", "calculation", UsageError, "does not apply to rubric"),
    ("r1", "rift", "span:prompt:0-8", "subjective", UsageError, "not given on spans"),
    ("r1", "rift", "criterion:", "subjective", UsageError, "is not a target"),
    ("r1", "no_such", "item", "x", NotFound, "no taxonomy 'no_such'"),
    ("zz", "rift", "item", "low_signal", NotFound, "no item 'zz'"),
    ("t1", "step_rating", "step:s4", "+1", NotFound, "has no 'step:s4'"),
])
def test_bad_labels_are_refused_and_nothing_is_written(filled_project, item, taxonomy, target, label, error,
                                                       words):
    with pytest.raises(error, match=words):
        filled_project.labels.add(item, taxonomy, "alice", target, label)
    assert filled_project.labels.count() == 0
    assert filled_project.annotators() == []  # the annotator is not created by a refused label


def test_an_annotator_name_is_needed(filled_project):
    with pytest.raises(UsageError):
        filled_project.labels.add("r1", "rift", "  ", "item", "low_signal")


def test_span_labels_go_on_text_when_the_label_allows_it(filled_project):
    change = filled_project.labels.add("t1", "reasoning_errors", "bob", "span:s2:9-16", "calculation")
    assert change.added[0].target == "span:s2:9-16"


def test_single_choice_replaces_and_returns_the_removed_label(filled_project):
    p = filled_project
    p.labels.add("t1", "step_rating", "alice", "step:s2", "+1")
    p.labels.add("t1", "step_rating", "alice", "step:s3", "+1")
    change = p.labels.add("t1", "step_rating", "alice", "step:s2", "-1")
    assert [lab.label for lab in change.added] == ["-1"]
    assert [(lab.target, lab.label) for lab in change.removed] == [("step:s2", "+1")]
    assert change.removed[0].created_at is not None
    got = {(lab.target, lab.label) for lab in p.labels.for_item("t1", "step_rating", "alice")}
    assert got == {("step:s2", "-1"), ("step:s3", "+1")}
    # another annotator's answer on the same step is not touched
    p.labels.add("t1", "step_rating", "bob", "step:s2", "0")
    assert {lab.label for lab in p.labels.for_item("t1", "step_rating", "alice") if lab.target == "step:s2"} == {"-1"}


def test_inverse_of_a_change_undoes_it_exactly_and_the_change_redoes_it(filled_project):
    p = filled_project
    p.labels.add("t1", "step_rating", "alice", "step:s1", "0")
    p.labels.add("t1", "reasoning_errors", "alice", "step:s1", "calculation")
    before = state(p, "t1")
    change = p.labels.add("t1", "step_rating", "alice", "step:s1", "+1")
    after = state(p, "t1")
    assert after != before
    p.labels.apply(change.inverse())
    assert state(p, "t1") == before  # the replaced label is back with its own timestamp
    p.labels.apply(change)
    assert state(p, "t1") == after
    toggled = p.labels.toggle("t1", "reasoning_errors", "alice", "step:s1", "calculation")
    p.labels.apply(toggled.inverse())
    assert state(p, "t1") == after


def test_label_change_inverse_swaps_added_and_removed(filled_project):
    change = filled_project.labels.add("r1", "rift", "alice", "item", "low_signal")
    assert change.inverse() == LabelChange(added=(), removed=change.added)
    assert change.inverse().inverse() == change


# --- notes and completion ------------------------------------------------------------------------------------
def test_notes_set_clear_and_undo(filled_project):
    notes = filled_project.notes
    first = notes.set("r1", "rift", "alice", "criterion:c2", "  'appropriate' for whom?  ")
    assert (first.before, first.after) == ("", "'appropriate' for whom?")
    assert notes.get("r1", "rift", "alice", "criterion:c2") == "'appropriate' for whom?"
    second = notes.set("r1", "rift", "alice", "criterion:c2", "asked the author")
    assert second.before == "'appropriate' for whom?"
    notes.apply(second.inverse())
    assert notes.get("r1", "rift", "alice", "criterion:c2") == "'appropriate' for whom?"
    cleared = notes.set("r1", "rift", "alice", "criterion:c2", "")
    assert notes.for_item("r1", "rift", "alice") == {}
    notes.apply(cleared.inverse())
    assert notes.for_item("r1", "rift", "alice") == {"criterion:c2": "'appropriate' for whom?"}
    notes.apply(first.inverse())
    assert notes.get("r1", "rift", "alice", "criterion:c2") == ""
    assert notes.get("r1", "rift", "bob", "criterion:c2") == ""
    with pytest.raises(NotFound):
        notes.set("nope", "rift", "alice", "item", "text")


def test_done_and_undo(filled_project):
    done = filled_project.completion
    change = done.set_done("r1", "rift", "alice")
    assert (change.before, change.after) == (False, True)
    assert done.is_done("r1", "rift", "alice") and not done.is_done("r1", "rift", "bob")
    assert not done.is_done("r1", "reasoning_errors", "alice")
    assert done.set_done("r1", "rift", "alice").before is True  # twice is harmless
    done.apply(change.inverse())
    assert not done.is_done("r1", "rift", "alice")
    done.apply(change)
    assert done.is_done("r1", "rift", "alice")
    with pytest.raises(NotFound):
        done.set_done("r1", "no_such", "alice")
    with pytest.raises(NotFound):
        done.set_done("nope", "rift", "alice")


def test_progress_counts_only_the_kinds_the_taxonomy_applies_to(filled_project):
    done = filled_project.completion
    assert done.progress("alice", "rift") == (0, 2)
    assert done.progress("alice", "step_rating") == (0, 1)
    done.set_done("r2", "rift", "alice")
    assert done.progress("alice", "rift") == (1, 2)
    assert done.progress("bob", "rift") == (0, 2)
    assert done.done_counts() == {"alice": {"rift": 1}}


def test_next_undone_goes_forward_and_wraps(filled_project):
    done = filled_project.completion
    assert done.next_undone(None, "alice", "rift") == "r1"
    assert done.next_undone("r1", "alice", "rift") == "r2"
    assert done.next_undone("r2", "alice", "rift") == "r1"  # wraps round to the start
    assert done.next_undone("t1", "alice", "rift") == "r1"  # after an item of another kind
    done.set_done("r1", "rift", "alice")
    assert done.next_undone("r2", "alice", "rift") == "r2"  # the only one left is the current one
    done.set_done("r2", "rift", "alice")
    assert done.next_undone("r1", "alice", "rift") is None
    assert done.next_undone("r1", "bob", "rift") == "r2"


# --- the item list ------------------------------------------------------------------------------------------
def test_filter_by_kind_source_and_status(filled_project):
    items = filled_project.items
    assert items.count() == 4
    assert items.count(ItemFilter(kind="rubric")) == 2
    assert items.count(ItemFilter(kind="trace")) == 1
    assert [s.id for s in items.page(ItemFilter(source="handmade"))] == ["r1", "cap1", "t1"]
    filled_project.completion.set_done("r2", "rift", "alice")
    done = ItemFilter(kind="rubric", status="done", annotator="alice", taxonomy="rift")
    todo = ItemFilter(kind="rubric", status="todo", annotator="alice", taxonomy="rift")
    assert [s.id for s in items.page(done)] == ["r2"]
    assert [s.id for s in items.page(todo)] == ["r1"]
    assert items.count(ItemFilter(status="done", annotator="bob", taxonomy="rift")) == 0
    rows = items.page(ItemFilter(annotator="alice", taxonomy="rift"))
    assert [(s.id, s.done) for s in rows] == [("r1", False), ("r2", True), ("cap1", False), ("t1", False)]
    assert items.sources() == ["bench_x", "handmade"]


@pytest.mark.parametrize("text, expected", [
    ("100%", ["r2"]),          # `%` is a character, not "anything"
    ("tax_rate", ["r2"]),      # `_` is a character, not "any one character"
    ("TAX RATE", ["r1"]),      # case does not matter
    ("boats", ["cap1"]),
    ("t1", ["t1"]),            # ids are searched too
    ("no such words", []),
])
def test_search_takes_wildcards_literally(filled_project, text, expected):
    f = ItemFilter(search=text)
    assert [s.id for s in filled_project.items.page(f)] == expected
    assert filled_project.items.count(f) == len(expected)


def test_page_count_and_index_of(filled_project):
    items = filled_project.items
    rows = items.page()
    assert [r.id for r in rows] == ["r1", "r2", "cap1", "t1"]
    assert [r.kind for r in rows] == ["rubric", "rubric", "caption", "trace"]
    assert rows[0].title.startswith("Describe the tax rate rules")
    assert [r.id for r in items.page(offset=1, limit=2)] == ["r2", "cap1"]
    assert items.page(offset=10) == []
    assert items.index_of("cap1") == 2
    assert items.index_of("cap1", ItemFilter(source="handmade")) == 1
    assert items.index_of("r2", ItemFilter(source="handmade")) is None
    assert items.index_of("missing") is None


def test_get_returns_the_item_and_the_image_is_kept_as_bytes(filled_project, items_file):
    cap = filled_project.items.get("cap1")
    assert cap.caption == "Three boats moored in a grey harbour."
    assert cap.image == "harbour.png"  # the project does not depend on where the file was
    data = filled_project.items.image_bytes("cap1")
    assert data == (items_file.parent / "images" / "harbour.png").read_bytes()
    assert data.startswith(b"\x89PNG")
    assert filled_project.items.image_bytes("r1") is None
    with pytest.raises(NotFound):
        filled_project.items.get("nope")


# --- the tables statistics read ------------------------------------------------------------------------
def test_label_data_maps_spans_to_steps_and_keeps_only_done_items(filled_project):
    p = filled_project
    trace = "\n\n".join(s.text for s in p.items.get("t1").steps)
    start = trace.index("2 + 12 = 15")
    p.labels.add("t1", "reasoning_errors", "alice", f"span:trace:{start}-{start + 11}", "calculation")
    p.labels.add("t1", "reasoning_errors", "alice", "span:s3:0-6", "final_answer")
    p.labels.add("t1", "reasoning_errors", "alice", "step:s1", "unjustified")
    p.labels.add("t1", "reasoning_errors", "bob", "step:s1", "conceptual")  # bob never finishes
    p.completion.set_done("t1", "reasoning_errors", "alice")
    data = p.label_data("reasoning_errors")
    got = sorted(map(tuple, data.labels[["annotator", "target", "label"]].values.tolist()))
    assert got == [("alice", "step:s1", "unjustified"), ("alice", "step:s2", "calculation"),
                   ("alice", "step:s3", "final_answer")]
    assert data.annotators == ["alice"]
    assert sorted(data.units["target"]) == ["item", "step:s1", "step:s2", "step:s3"]
    assert len(data.spans) == 2
    assert data.field_lengths[("t1", "trace")] == len(trace)
    p.completion.set_done("t1", "reasoning_errors", "bob")
    assert p.label_data("reasoning_errors").annotators == ["alice", "bob"]


def test_label_data_of_an_unknown_taxonomy(filled_project):
    with pytest.raises(NotFound):
        filled_project.label_data("no_such")


# --- gold and predictions -----------------------------------------------------------------------------------
def test_gold_set_get_clear(filled_project):
    gold = filled_project.gold
    assert gold.get("r1", "rift", "criterion:c2") is None
    assert gold.set("r1", "rift", "criterion:c2", ["hackable", "subjective"], reviewer="carol") is None
    got = gold.get("r1", "rift", "criterion:c2")
    assert got.labels == ("subjective", "hackable") and got.reviewer == "carol"  # taxonomy order
    replaced = gold.set("r1", "rift", "criterion:c2", [])
    assert replaced.labels == ("subjective", "hackable")
    assert gold.get("r1", "rift", "criterion:c2").labels == ()  # settled as "no label applies"
    assert [g.target for g in gold.all("rift")] == ["criterion:c2"]
    assert gold.clear("r1", "rift", "criterion:c2").labels == ()
    assert gold.get("r1", "rift", "criterion:c2") is None
    assert gold.clear("r1", "rift", "criterion:c2") is None
    with pytest.raises(NotFound):
        gold.set("r1", "rift", "criterion:c2", ["vague"])
    with pytest.raises(UsageError):
        gold.set("t1", "step_rating", "step:s1", ["+1", "-1"])
    with pytest.raises(NotFound):
        gold.set("nope", "rift", "item", ["low_signal"])


def test_predictions_store_and_replace(filled_project):
    preds = filled_project.predictions

    def pred(item, target, label, score):
        return Prediction(item_id=item, taxonomy="rift", metric="m", target=target, label=label, score=score)

    n = preds.store("rift", "m", ["r1", "r2"], [pred("r1", "criterion:c2", "subjective", 0.9),
                                                 pred("r2", "item", "low_signal", 0.4)])
    assert n == 2
    assert preds.metrics("rift") == ["m"] and preds.metrics("step_rating") == []
    assert filled_project.annotators(kind="metric") == ["m"]
    assert filled_project.annotators() == []  # a metric is not a human annotator
    preds.store("rift", "m", ["r1"], [pred("r1", "criterion:c1", "ungrounded", 0.7)])
    assert [(x.target, x.label, x.score) for x in preds.for_item("r1", "rift", "m")] == [
        ("criterion:c1", "ungrounded", 0.7)]
    assert [x.label for x in preds.for_item("r2", "rift", "m")] == ["low_signal"]  # not rescored: kept
    preds.store("rift", "m", ["r2"], [])  # scored, nothing found
    assert preds.for_item("r2", "rift", "m") == []
    data = filled_project.label_data("rift")
    assert sorted(data.scored["item_id"]) == ["r1", "r2"]
    assert len(data.predictions) == 1


# --- importing items ------------------------------------------------------------------------------------
def test_import_summary_line(tmp_project, items_file):
    summary = tmp_project.import_items([items_file])
    assert summary.line() == "imported 4 items: 2 rubric, 1 caption, 1 trace"
    assert summary.formats == ["items"]
    assert tmp_project.info()["items"] == {"rubric": 2, "caption": 1, "trace": 1}
    assert tmp_project.items.get("r2").criteria[1].id == "c2"
    assert [s.id for s in tmp_project.items.get("t1").steps] == ["s1", "s2", "s3"]


def test_a_bad_record_among_good_ones_imports_nothing(filled_project, make_jsonl):
    before = filled_project.info()
    good = [{"id": f"g{i}", "kind": "rubric", "prompt": f"Task {i}", "criteria": ["ok"]} for i in range(5)]
    bad = {"id": "bad", "kind": "rubric", "prompt": "Task", "criteria": "not a list", "points": "x"}
    path = make_jsonl("mixed.jsonl", good[:3] + [bad] + good[3:])
    with pytest.raises(InputError) as caught:
        filled_project.import_items([path])
    assert any(p.line == 4 and p.file == str(path) for p in caught.value.problems)
    assert filled_project.info() == before
    assert not filled_project.items.exists("g0")


def test_a_bad_record_after_the_first_batch_imports_nothing(tmp_project, make_jsonl):
    records = [{"id": f"t{i}", "kind": "trace", "problem": "p", "steps": ["a", "b"]} for i in range(2600)]
    records[2400] = {"id": "t2400", "kind": "poem", "problem": "p", "steps": ["a", "b"]}
    path = make_jsonl("big.jsonl", records)
    with pytest.raises(InputError) as caught:
        tmp_project.import_items([path])
    assert [p.line for p in caught.value.problems] == [2401]
    assert tmp_project.items.count() == 0 and tmp_project.info()["items"]["trace"] == 0
    del records[2400]
    path = make_jsonl("big.jsonl", records)
    assert tmp_project.import_items([path]).items == 2599
    assert tmp_project.items.index_of("t2599") == 2598  # import order is list order


def test_second_file_bad_means_nothing_from_the_first(tmp_project, items_file, make_jsonl):
    before = tmp_project.info()
    second = make_jsonl("second.jsonl", [{"id": "x1", "kind": "caption", "caption": "c", "image": "nope.png"}])
    with pytest.raises(InputError) as caught:
        tmp_project.import_items([items_file, second])
    assert {p.file for p in caught.value.problems} == {str(second)}
    assert tmp_project.info() == before
    assert tmp_project.items.count() == 0


def test_duplicate_id_against_the_project(filled_project, make_jsonl):
    before = filled_project.info()
    path = make_jsonl("again.jsonl", [{"id": "new1", "kind": "rubric", "prompt": "p", "criteria": ["a"]},
                                      {"id": "r2", "kind": "rubric", "prompt": "other", "criteria": ["b"]}])
    with pytest.raises(InputError) as caught:
        filled_project.import_items([path])
    [problem] = caught.value.problems
    assert (problem.line, problem.field) == (2, "id") and "already in the project" in problem.message
    assert filled_project.info() == before


def test_duplicate_id_across_files(tmp_project, make_jsonl):
    one = make_jsonl("one.jsonl", [{"id": "same", "kind": "rubric", "prompt": "p", "criteria": ["a"]}])
    two = make_jsonl("two.jsonl", [{"id": "other", "kind": "rubric", "prompt": "q", "criteria": ["a"]},
                                   {"id": "same", "kind": "rubric", "prompt": "r", "criteria": ["b"]}])
    with pytest.raises(InputError) as caught:
        tmp_project.import_items([one, two])
    [problem] = caught.value.problems
    assert problem.file == str(two) and problem.line == 2 and str(one) in problem.message
    assert tmp_project.items.count() == 0


def test_same_file_twice_without_ids_is_refused_the_second_time(tmp_project, make_jsonl):
    path = make_jsonl("noid.jsonl", [{"kind": "rubric", "prompt": "Write a limerick.", "criteria": ["Rhymes"]}])
    first = tmp_project.import_items([path])
    assert first.items == 1
    with pytest.raises(InputError, match="already in the project"):
        tmp_project.import_items([path])  # content-derived ids are stable
    assert tmp_project.items.count() == 1


def test_prm800k_ratings_are_stored_and_the_item_done_for_the_labeler(tmp_project):
    summary = tmp_project.import_items([FORMATS_DATA / "prm800k_good.jsonl"])
    assert summary.formats == ["prm800k"] and summary.labels > 0
    assert "rater-07" in tmp_project.annotators()
    [item_id] = [s.id for s in tmp_project.items.page()
                 if tmp_project.items.get(s.id).problem.startswith("What is the remainder when 7^4")]
    ratings = {(lab.target, lab.label) for lab in tmp_project.labels.for_item(item_id, "step_rating", "rater-07")}
    # chosen completion of step 2 is the second one, rated +1; step 3 shows the labeler's own step, which has no
    # rating (the -1 was given to the completion it replaced); a null rating gives none
    assert ("step:s1", "+1") in ratings and ("step:s2", "+1") in ratings
    assert all(target not in ("step:s3", "step:s4") for target, _ in ratings)
    assert tmp_project.completion.is_done(item_id, "step_rating", "rater-07")
    assert tmp_project.info()["done"]["rater-07"]["step_rating"] >= 1
    assert tmp_project.info()["labels"] == summary.labels


def test_processbench_first_error_is_stored_and_done(tmp_project):
    tmp_project.import_items([FORMATS_DATA / "processbench_good.jsonl"], fmt="processbench")
    labels = {(lab.target, lab.label) for lab in tmp_project.labels.for_item("gsm8k-12", "step_rating")}
    assert labels == {("step:s1", "+1"), ("step:s2", "-1")}  # nothing after the earliest wrong step
    math3 = {(lab.target, lab.label) for lab in tmp_project.labels.for_item("math-3", "step_rating")}
    assert math3 == {("step:s1", "+1"), ("step:s2", "+1")}  # -1: no wrong step
    assert tmp_project.completion.is_done("gsm8k-12", "step_rating", "processbench")
    assert tmp_project.items.get("gsm8k-12").meta["first_error_step"] == 1


def test_format_labels_bring_their_builtin_taxonomy_along(tmp_path):
    with Project.create(tmp_path / "p.sqlite", taxonomies=["rift"]) as project:
        project.import_items([FORMATS_DATA / "processbench_good.jsonl"])
        assert project.taxonomies.ids() == ["rift", "step_rating"]


def test_images_are_stored_once_per_content(tmp_project, items_file, make_jsonl):
    twin = make_jsonl("twin.jsonl", [{"id": "cap2", "kind": "caption", "caption": "Same picture.",
                                      "image": "images/harbour.png"}])
    tmp_project.import_items([items_file, twin])
    assert tmp_project.items.image_bytes("cap1") == tmp_project.items.image_bytes("cap2")
    conn = sqlite3.connect(tmp_project.url.removeprefix("sqlite:///"))
    assert conn.execute("SELECT count(*) FROM blob").fetchone()[0] == 1
    conn.close()


def test_progress_and_chosen_callbacks(tmp_project, items_file):
    seen, chosen = [], []
    tmp_project.import_items([items_file], progress=lambda done, total: seen.append((done, total)),
                             chosen=lambda f, name: chosen.append((f, name)))
    size = items_file.stat().st_size
    assert chosen == [(str(items_file), "items")]
    assert seen and seen[-1] == (size, size)


def test_info_has_the_design_keys(filled_project):
    filled_project.labels.add("r1", "rift", "alice", "item", "low_signal")
    filled_project.completion.set_done("r1", "rift", "alice")
    info = filled_project.info()
    assert list(info) == ["items", "annotators", "labels", "done", "taxonomies"]
    assert info["annotators"] == ["alice"] and info["labels"] == 1
    assert info["done"] == {"alice": {"rift": 1}}
    json.dumps(info)  # plain JSON


def test_every_problem_is_listed_clashes_and_bad_records_together(filled_project, make_jsonl):
    path = make_jsonl("both.jsonl", [{"id": "n1", "kind": "trace"},
                                     {"id": "r1", "kind": "rubric", "prompt": "p", "criteria": ["a"]}])
    with pytest.raises(InputError) as caught:
        filled_project.import_items([path])
    assert {p.line for p in caught.value.problems} == {1, 2}
    assert any(p.line == 2 and "already in the project" in p.message for p in caught.value.problems)


def test_removing_a_label_nobody_gave_does_not_make_its_annotator_known(filled_project):
    """The store remembers annotators it has seen stored, never one a no-op named."""
    assert not filled_project.labels.remove("r1", "rift", "newcomer", "item", "low_signal").changed
    assert filled_project.labels.add("r1", "rift", "newcomer", "item", "low_signal").changed
    assert "newcomer" in filled_project.annotators()
