"""Exports: the wide labels CSV, gold labels, filters, atomic writes, and items JSONL that imports back to the
very same items (DESIGN sections 4 and 7)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd
import pytest
from backends import store_backend  # noqa: F401 - the fixture: a SQLite file, then a PostgreSQL database

from annotator.core import Project
from annotator.core.export import (atomic_path, export_items_jsonl, export_labels_csv, long_labels_frame,
                                   wide_labels_frame)
from annotator.core.labels_csv import LABEL_CSV_COLUMNS


FORMATS_DATA = Path(__file__).resolve().parent / "data" / "formats"


def rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_wide_has_a_row_per_unit_and_a_0_1_column_per_label(filled_project, tmp_path):
    p = filled_project
    p.labels.add("r1", "rift", "alice", "criterion:c2", "subjective")
    p.labels.add("r1", "rift", "alice", "criterion:c2", "hackable")
    p.labels.add("r1", "rift", "alice", "item", "low_signal")
    p.completion.set_done("r1", "rift", "alice")
    p.completion.set_done("r1", "rift", "bob")
    p.labels.add("r1", "rift", "carol", "criterion:c1", "ungrounded")  # not finished
    out = tmp_path / "wide.csv"
    n = export_labels_csv(p, out, wide=True, taxonomy="rift")
    got = rows(out)
    header = out.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header == ["item_id", "item_kind", "taxonomy", "annotator", "target", "done", "subjective",
                      "non_atomic", "ungrounded", "misaligned_or_rigid", "missing_criteria", "hackable",
                      "low_signal", "redundant_criteria"]
    # r1 has 3 criteria and the item itself, for each of three annotators
    assert n == len(got) == 12
    by_key = {(r["annotator"], r["target"]): r for r in got}
    assert by_key[("alice", "criterion:c2")]["subjective"] == "1"
    assert by_key[("alice", "criterion:c2")]["hackable"] == "1"
    assert by_key[("alice", "criterion:c2")]["low_signal"] == "0"
    assert by_key[("alice", "item")]["low_signal"] == "1"
    assert by_key[("bob", "criterion:c2")]["subjective"] == "0"
    assert by_key[("carol", "criterion:c1")]["ungrounded"] == "1"
    assert {r["done"] for r in got if r["annotator"] == "carol"} == {"false"}
    assert {r["done"] for r in got if r["annotator"] != "carol"} == {"true"}
    assert {v for r in got for k, v in r.items() if k not in header[:6]} == {"0", "1"}
    finished = tmp_path / "finished.csv"
    assert export_labels_csv(p, finished, wide=True, taxonomy="rift", done_only=True) == 8
    assert rows(finished) == [r for r in got if r["annotator"] != "carol"]


def test_wide_counts_spans_on_their_steps(filled_project):
    p = filled_project
    trace = "\n\n".join(s.text for s in p.items.get("t1").steps)
    start = trace.index("Then")
    p.labels.add("t1", "reasoning_errors", "alice", f"span:trace:{start}-{start + 4}", "calculation")
    p.labels.add("t1", "reasoning_errors", "alice", "span:s3:0-2", "final_answer")
    p.completion.set_done("t1", "reasoning_errors", "alice")
    frame = wide_labels_frame(p, "reasoning_errors")
    marked = frame.set_index("target")[["calculation", "final_answer"]].to_dict("index")
    assert marked == {"step:s1": {"calculation": 0, "final_answer": 0},
                      "step:s2": {"calculation": 1, "final_answer": 0},
                      "step:s3": {"calculation": 0, "final_answer": 1}}


def test_wide_over_several_taxonomies_leaves_other_taxonomies_columns_empty(filled_project, tmp_path):
    p = filled_project
    p.labels.add("r1", "rift", "alice", "item", "low_signal")
    p.completion.set_done("r1", "rift", "alice")
    p.labels.add("t1", "step_rating", "alice", "step:s1", "-1")
    p.completion.set_done("t1", "step_rating", "alice")
    out = tmp_path / "wide.csv"
    export_labels_csv(p, out, wide=True)
    got = rows(out)
    step = next(r for r in got if r["target"] == "step:s1")
    assert (step["-1"], step["0"], step["+1"], step["low_signal"]) == ("1", "0", "0", "")
    item = next(r for r in got if r["item_id"] == "r1" and r["target"] == "item")
    assert (item["low_signal"], item["-1"]) == ("1", "")


def test_export_filters_by_taxonomy_and_annotator(filled_project, tmp_path):
    p = filled_project
    for who in ("alice", "bob"):
        p.labels.add("r1", "rift", who, "item", "low_signal")
        p.completion.set_done("r1", "rift", who)
    p.labels.add("t1", "step_rating", "alice", "step:s1", "+1")
    p.completion.set_done("t1", "step_rating", "alice")
    out = tmp_path / "x.csv"
    export_labels_csv(p, out, taxonomy="rift")
    assert {(r["taxonomy"], r["annotator"]) for r in rows(out)} == {("rift", "alice"), ("rift", "bob")}
    export_labels_csv(p, out, annotator="bob")
    assert {(r["taxonomy"], r["annotator"]) for r in rows(out)} == {("rift", "bob")}
    export_labels_csv(p, out, wide=True, annotator="alice")
    assert {r["annotator"] for r in rows(out)} == {"alice"}
    assert {r["taxonomy"] for r in rows(out)} == {"rift", "step_rating"}


def test_gold_export(filled_project, tmp_path):
    p = filled_project
    p.gold.set("r1", "rift", "criterion:c2", ["subjective", "hackable"], reviewer="carol")
    p.gold.set("r1", "rift", "criterion:c1", [])
    p.gold.set("t1", "step_rating", "step:s2", ["-1"])
    out = tmp_path / "gold.csv"
    n = export_labels_csv(p, out, gold=True)
    got = [(r["item_id"], r["item_kind"], r["taxonomy"], r["annotator"], r["target"], r["label"]) for r in rows(out)]
    assert n == 4
    assert got == [("r1", "rubric", "rift", "gold", "criterion:c1", ""),
                   ("r1", "rubric", "rift", "gold", "criterion:c2", "hackable"),
                   ("r1", "rubric", "rift", "gold", "criterion:c2", "subjective"),
                   ("t1", "trace", "step_rating", "gold", "step:s2", "-1")]
    export_labels_csv(p, out, gold=True, taxonomy="step_rating")
    assert [r["label"] for r in rows(out)] == ["-1"]


def test_an_empty_project_exports_a_header(tmp_project, tmp_path):
    out = tmp_path / "none.csv"
    assert export_labels_csv(tmp_project, out) == 0
    assert out.read_text(encoding="utf-8").strip() == ",".join(LABEL_CSV_COLUMNS)
    assert export_labels_csv(tmp_project, out, wide=True) == 0


def test_a_failed_write_leaves_the_old_file(tmp_path):
    out = tmp_path / "keep.csv"
    out.write_text("old contents")
    with pytest.raises(RuntimeError):
        with atomic_path(out) as tmp:
            tmp.write_text("half")
            raise RuntimeError("disk full")
    assert out.read_text() == "old contents"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.csv"]


def test_items_export_imports_back_to_the_same_items(filled_project, tmp_path):
    out = tmp_path / "export" / "items.jsonl"
    assert export_items_jsonl(filled_project, out) == 4
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in records] == ["r1", "r2", "cap1", "t1"]
    assert all("kind" in r for r in records)
    image = records[2]["image"]
    assert not Path(image).is_absolute() and (out.parent / image).is_file()
    with Project.create(tmp_path / "copy.sqlite") as copy:
        assert copy.import_items([out]).items == 4
        assert list(copy.items.iter_all()) == list(filled_project.items.iter_all())
        assert copy.items.image_bytes("cap1") == filled_project.items.image_bytes("cap1")


def test_sample_items_survive_an_export_and_import(sample_project, tmp_path):
    out = tmp_path / "items.jsonl"
    with Project.open(sample_project) as original, Project.create(tmp_path / "copy.sqlite") as copy:
        n = export_items_jsonl(original, out)
        assert n == sum(original.info()["items"].values())
        copy.import_items([out])
        before = list(original.items.iter_with_images())
        after = list(copy.items.iter_with_images())
        assert [item for item, _ in after] == [item for item, _ in before]
        assert [image for _, image in after] == [image for _, image in before]
        assert sum(1 for _, image in after if image) >= 10


def test_two_different_images_with_one_name_are_both_kept(tmp_project, make_jsonl, tmp_path):
    folder = tmp_path / "data"
    png = (FORMATS_DATA / "images" / "harbour.png").read_bytes()
    for sub in ("a", "b"):
        (folder / sub).mkdir(parents=True)
        (folder / sub / "photo.png").write_bytes(png + sub.encode())  # two different files, one name
    path = make_jsonl("two.jsonl", [{"id": "pa", "kind": "caption", "caption": "A", "image": "a/photo.png"},
                                    {"id": "pb", "kind": "caption", "caption": "B", "image": "b/photo.png"}])
    tmp_project.import_items([path])
    out = tmp_path / "out" / "items.jsonl"
    export_items_jsonl(tmp_project, out)
    with Project.create(tmp_path / "copy.sqlite") as copy:
        copy.import_items([out])
        for item_id in ("pa", "pb"):
            assert copy.items.image_bytes(item_id) == tmp_project.items.image_bytes(item_id)
    assert tmp_project.items.image_bytes("pa") != tmp_project.items.image_bytes("pb")


def test_long_frame_is_a_plain_table(filled_project):
    from annotator.core.export import long_labels_frame

    filled_project.labels.add("r1", "rift", "alice", "item", "low_signal")
    filled_project.completion.set_done("r1", "rift", "alice")
    frame = long_labels_frame(filled_project)
    assert isinstance(frame, pd.DataFrame) and len(frame) == 1
    assert frame.iloc[0]["label"] == "low_signal"


# --- the long table against a reference worked out in Python -------------------------------------------------


def _reference_long_rows(kinds: dict[str, str], labels: list[tuple], notes: dict[tuple, str], done: set[tuple],
                         taxonomy: str | None = None, annotator: str | None = None,
                         done_only: bool = False) -> list[tuple]:
    """The long CSV's rows as DESIGN sections 4 and 10.2 describe them, from what the test gave, one loop per
    rule: all work, finished or not, each row saying which; only finished work with `done_only`."""
    rows = []
    work = {lab[:3] for lab in labels} | {key[:3] for key in notes} | done
    for item_id, tax, who in work:
        if (taxonomy and tax != taxonomy) or (annotator is not None and who != annotator):
            continue
        finished = (item_id, tax, who) in done
        if done_only and not finished:
            continue
        flag = "true" if finished else "false"
        mine = [lab for lab in labels if lab[:3] == (item_id, tax, who)]
        my_notes = {key[3]: text for key, text in notes.items() if key[:3] == (item_id, tax, who)}
        for _, _, _, target, label, created_at in mine:
            rows.append((item_id, kinds[item_id], tax, who, target, label, my_notes.get(target, ""), created_at,
                         flag))
        labelled_targets = {lab[3] for lab in mine}
        for target, text in my_notes.items():
            if target not in labelled_targets:
                rows.append((item_id, kinds[item_id], tax, who, target, "", text, "", flag))
        if not mine and not my_notes:
            rows.append((item_id, kinds[item_id], tax, who, "item", "", "", "", flag))
    # the export's order is Python's: text compared by code point ("Zoe" before "alice", "+1" before "-1")
    return sorted(rows, key=lambda row: (row[2], row[0], row[3], row[4], row[5]))


class Recorded:
    """A project's labels, notes and finished work, each also kept as the reference needs it."""

    def __init__(self, project: Project):
        self.project = project
        self.kinds = {item.id: item.kind for item in project.items.iter_all()}
        self.labels: list[tuple] = []
        self.notes: dict[tuple, str] = {}
        self.done: set[tuple] = set()

    def label(self, item_id: str, tax: str, who: str, target: str, name: str) -> None:
        change = self.project.labels.add(item_id, tax, who, target, name)
        stamp = change.added[0].created_at.isoformat(timespec="seconds")
        self.labels.append((item_id, tax, who, target, name, stamp))

    def note(self, item_id: str, tax: str, who: str, target: str, text: str) -> None:
        self.project.notes.set(item_id, tax, who, target, text)
        self.notes[(item_id, tax, who, target)] = text

    def finish(self, item_id: str, tax: str, who: str) -> None:
        self.project.completion.set_done(item_id, tax, who)
        self.done.add((item_id, tax, who))

    def expected(self, taxonomy: str | None = None, annotator: str | None = None,
                 done_only: bool = False) -> list[tuple]:
        return _reference_long_rows(self.kinds, self.labels, self.notes, self.done, taxonomy, annotator, done_only)


def test_long_frame_matches_a_reference_built_in_python(store_backend, items_file):  # noqa: F811 - fixture
    with Project.create(store_backend) as p:
        p.import_items([items_file])
        record = Recorded(p)
        label, note, finish = record.label, record.note, record.finish

        trace = "\n\n".join(s.text for s in p.items.get("t1").steps)
        start = trace.index("Then")
        # alice: labels, a note on a labelled criterion, a lone note on another, a rubric-level label
        label("r1", "rift", "alice", "criterion:c2", "subjective")
        label("r1", "rift", "alice", "criterion:c2", "hackable")
        label("r1", "rift", "alice", "item", "missing_criteria")
        note("r1", "rift", "alice", "criterion:c2", "vague: what counts as appropriate?")
        note("r1", "rift", "alice", "criterion:c3", "=HYPERLINK(\"x\"), a note that looks like a formula")
        finish("r1", "rift", "alice")
        finish("r1", "rift", "bob")  # done with nothing on it
        label("r1", "rift", "Zoe", "criterion:c1", "ungrounded")
        finish("r1", "rift", "Zoe")
        note("r2", "rift", "dave", "item", "only a note, no label")  # a lone note is the work's one row
        finish("r2", "rift", "dave")
        label("r2", "rift", "carol", "item", "missing_criteria")  # not done: written with done=false
        note("r2", "rift", "carol", "item", "still thinking")
        note("r1", "rift", "erin", "criterion:c1", "half read")  # not done, a note alone
        label("t1", "reasoning_errors", "alice", f"span:trace:{start}-{start + 4}", "calculation")
        label("t1", "reasoning_errors", "alice", "span:s3:0-2", "final_answer")
        note("t1", "reasoning_errors", "alice", "span:s3:0-2", "the answer disagrees with step 2")
        finish("t1", "reasoning_errors", "alice")
        label("t1", "step_rating", "alice", "step:s1", "-1")
        label("t1", "step_rating", "alice", "step:s2", "+1")
        label("t1", "step_rating", "alice", "step:s3", "0")
        finish("t1", "step_rating", "alice")
        label("cap1", "caption_errors", "bob", "item", "wrong_count")
        finish("cap1", "caption_errors", "bob")
        finish("cap1", "caption_errors", "alice")

        for taxonomy, annotator in [(None, None), ("rift", None), (None, "alice"), ("rift", "bob"),
                                    ("rift", "carol"), ("step_rating", "nobody")]:
            for done_only in (False, True):
                frame = long_labels_frame(p, taxonomy, annotator, done_only)
                assert list(frame.columns) == LABEL_CSV_COLUMNS
                expected = record.expected(taxonomy, annotator, done_only)
                assert list(frame.itertuples(index=False, name=None)) == expected, (taxonomy, annotator, done_only)
        whole = long_labels_frame(p, done_only=True)
        assert len(whole) == 14  # the reference is no empty agreement: every kind of row is in it
        assert sorted(whole.loc[whole["label"] == "", "annotator"]) == ["alice", "alice", "bob", "dave"]
        everything = long_labels_frame(p)
        assert everything.loc[everything["done"] == "false", "annotator"].tolist() == ["erin", "carol"]
        assert whole["target"].str.startswith("span:").sum() == 2
