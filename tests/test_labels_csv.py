"""The long labels CSV (DESIGN section 4): exact round trips, merging other annotators' files, strict reading
with every problem at `file:line` and nothing written, and cells that are safe in a spreadsheet."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from backends import store_backend  # noqa: F401 - the fixture: a SQLite file, then a PostgreSQL database

from annotator.core import Project
from annotator.core.errors import InputError
from annotator.core.export import export_labels_csv
from annotator.core.labels_csv import LABEL_CSV_COLUMNS, import_labels_csv, label_data_from_csv, read_label_rows

HEADER = ",".join(LABEL_CSV_COLUMNS[:-1])  # as 0.1 wrote it, without the done column: every row is done


def annotate(project: Project) -> None:
    """A little of everything: item, criterion, step and span labels, single choice, notes, an empty done item."""
    p = project
    p.labels.add("r1", "rift", "alice", "criterion:c2", "subjective")
    p.labels.add("r1", "rift", "alice", "item", "low_signal")
    p.notes.set("r1", "rift", "alice", "criterion:c2", 'which "appropriate", for whom?')
    p.notes.set("r1", "rift", "alice", "criterion:c3", "fine, but check the example")  # a note without a label
    p.completion.set_done("r1", "rift", "alice")
    p.completion.set_done("r2", "rift", "alice")  # done, nothing found
    p.labels.add("t1", "step_rating", "alice", "step:s1", "+1")
    p.labels.add("t1", "step_rating", "alice", "step:s2", "-1")
    p.labels.add("t1", "step_rating", "alice", "step:s3", "0")
    p.completion.set_done("t1", "step_rating", "alice")
    p.labels.add("t1", "reasoning_errors", "alice", "span:s2:5-16", "calculation")
    p.labels.add("t1", "reasoning_errors", "alice", "step:s3", "final_answer")
    p.completion.set_done("t1", "reasoning_errors", "alice")
    p.labels.add("cap1", "caption_verdict", "alice", "criterion:c1", "partly_met")
    p.completion.set_done("cap1", "caption_verdict", "alice")
    p.labels.add("r2", "rift", "bob", "item", "redundant_criteria")  # bob has not finished r2: done=false


@pytest.fixture
def second_project(tmp_path, items_file):
    """Another laptop's project holding the same items."""
    with Project.create(tmp_path / "second.sqlite") as project:
        project.import_items([items_file])
        yield project


def rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_long_export_has_the_design_columns_and_all_work_with_done(filled_project, tmp_path):
    annotate(filled_project)
    out = tmp_path / "labels.csv"
    n = export_labels_csv(filled_project, out)
    got = rows(out)
    assert out.read_text(encoding="utf-8").splitlines()[0] == ",".join(LABEL_CSV_COLUMNS)
    assert LABEL_CSV_COLUMNS[-1] == "done"
    assert n == len(got)
    keys = {(r["item_id"], r["taxonomy"], r["annotator"], r["target"], r["label"]) for r in got}
    assert ("r1", "rift", "alice", "criterion:c2", "subjective") in keys
    assert ("r2", "rift", "alice", "item", "") in keys  # a done item with no label appears once, empty
    assert ("r1", "rift", "alice", "criterion:c3", "") in keys  # a lone note keeps its row
    assert ("t1", "reasoning_errors", "alice", "span:s2:5-16", "calculation") in keys
    assert [(r["item_id"], r["label"], r["done"]) for r in got if r["annotator"] == "bob"] == [
        ("r2", "redundant_criteria", "false")]
    assert {r["done"] for r in got if r["annotator"] == "alice"} == {"true"}
    assert {r["item_kind"] for r in got if r["item_id"] == "t1"} == {"trace"}
    note = [r["note"] for r in got if r["target"] == "criterion:c2"]
    assert note == ['which "appropriate", for whom?']
    assert all(r["created_at"] for r in got if r["label"])
    done_only = tmp_path / "done_only.csv"
    assert export_labels_csv(filled_project, done_only, done_only=True) == n - 1
    assert [r for r in got if r["annotator"] != "bob"] == rows(done_only)


def test_round_trip_is_byte_identical_long_and_wide(filled_project, second_project, tmp_path):
    annotate(filled_project)
    first_long, first_wide = tmp_path / "a_long.csv", tmp_path / "a_wide.csv"
    export_labels_csv(filled_project, first_long)
    export_labels_csv(filled_project, first_wide, wide=True)
    summary = import_labels_csv(second_project, [first_long])
    assert summary.annotators == ("alice", "bob")
    second_long, second_wide = tmp_path / "b_long.csv", tmp_path / "b_wide.csv"
    export_labels_csv(second_project, second_long)
    export_labels_csv(second_project, second_wide, wide=True)
    assert second_long.read_bytes() == first_long.read_bytes()
    assert second_wide.read_bytes() == first_wide.read_bytes()
    assert second_project.notes.for_item("r1", "rift", "alice") == filled_project.notes.for_item("r1", "rift", "alice")
    assert second_project.completion.done_counts() == {"alice": {"caption_verdict": 1, "reasoning_errors": 1,
                                                                 "rift": 2, "step_rating": 1}}


def test_importing_the_same_file_again_changes_nothing(filled_project, tmp_path):
    annotate(filled_project)
    out = tmp_path / "labels.csv"
    export_labels_csv(filled_project, out)
    before = filled_project.info()
    again = import_labels_csv(filled_project, [out])
    assert (again.labels_added, again.done_added) == (0, 0)
    assert filled_project.info() == before


def test_another_annotators_file_merges(filled_project, second_project, tmp_path):
    annotate(filled_project)
    second_project.labels.add("r1", "rift", "carol", "criterion:c2", "non_atomic")
    second_project.labels.add("r1", "rift", "carol", "criterion:c1", "ungrounded")
    second_project.completion.set_done("r1", "rift", "carol")
    carol = tmp_path / "carol.csv"
    export_labels_csv(second_project, carol)
    alice_before = filled_project.labels.for_item("r1", "rift", "alice")
    summary = import_labels_csv(filled_project, [carol])
    assert (summary.labels_added, summary.done_added, summary.annotators) == (2, 1, ("carol",))
    assert filled_project.labels.for_item("r1", "rift", "alice") == alice_before
    assert {(lab.target, lab.label) for lab in filled_project.labels.for_item("r1", "rift", "carol")} == {
        ("criterion:c2", "non_atomic"), ("criterion:c1", "ungrounded")}
    assert filled_project.completion.is_done("r1", "rift", "carol")
    assert sorted(filled_project.annotators()) == ["alice", "bob", "carol"]
    data = filled_project.label_data("rift")
    assert data.annotators == ["alice", "carol"]


def test_the_same_row_twice_is_one_label(filled_project, tmp_path):
    path = tmp_path / "twice.csv"
    line = "r1,rubric,rift,dave,criterion:c1,hackable,,2024-05-01T10:00:00+00:00"
    path.write_text(f"{HEADER}\n{line}\n{line}\n", encoding="utf-8")
    summary = import_labels_csv(filled_project, [path])
    assert (summary.rows, summary.labels_added) == (2, 1)
    [label] = filled_project.labels.for_item("r1", "rift", "dave")
    assert label.label == "hackable" and label.created_at.year == 2024


def test_an_empty_label_marks_the_item_done(filled_project, tmp_path):
    path = tmp_path / "empty_label.csv"
    path.write_text(f"{HEADER}\nr2,rubric,rift,erin,item,,,\n", encoding="utf-8")
    summary = import_labels_csv(filled_project, [path])
    assert (summary.labels_added, summary.done_added) == (0, 1)
    assert filled_project.completion.is_done("r2", "rift", "erin")
    assert filled_project.labels.for_item("r2") == []


def test_minimal_columns_are_enough(filled_project, tmp_path):
    path = tmp_path / "minimal.csv"
    path.write_text("item_id,taxonomy,annotator,target,label\nr2,rift,erin,criterion:c1,ungrounded\n",
                    encoding="utf-8")
    import_labels_csv(filled_project, [path])
    assert [lab.label for lab in filled_project.labels.for_item("r2", "rift", "erin")] == ["ungrounded"]


def test_a_utf8_bom_from_a_spreadsheet_is_accepted(filled_project, tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(("\ufeff" + HEADER + "\nr2,rubric,rift,erin,item,low_signal,,\n").encode("utf-8"))
    assert import_labels_csv(filled_project, [path]).labels_added == 1


BAD_FILES = {
    "unknown item": (f"{HEADER}\nr1,rubric,rift,x,item,low_signal,,\nghost,rubric,rift,x,item,low_signal,,\n",
                     2 + 1, "item_id"),
    "unknown label": (f"{HEADER}\nr1,rubric,rift,x,item,vague,,\n", 2, "label"),
    "wrong target": (f"{HEADER}\nr1,rubric,rift,x,item,low_signal,,\nr1,rubric,rift,x,item,subjective,,\n", 3,
                     "target"),
    "missing criterion": (f"{HEADER}\nr1,rubric,rift,x,criterion:c9,subjective,,\n", 2, "target"),
    "not a target": (f"{HEADER}\nr1,rubric,rift,x,paragraph:2,subjective,,\n", 2, "target"),
    "wrong kind": (f"{HEADER}\nr1,trace,rift,x,item,low_signal,,\n", 2, "item_kind"),
    "taxonomy for another kind": (f"{HEADER}\nt1,trace,rift,x,item,low_signal,,\n", 2, "taxonomy"),
    "unknown taxonomy": (f"{HEADER}\nr1,rubric,tone,x,item,curt,,\n", 2, "taxonomy"),
    "missing column": ("item_id,item_kind,taxonomy,target,label\nr1,rubric,rift,item,low_signal\n", 1, "header"),
    "semicolons": (HEADER.replace(",", ";") + "\nr1;rubric;rift;x;item;low_signal;;\n", 1, "header"),
    "wrong cell count": (f"{HEADER}\nr1,rubric,rift,x,item,low_signal,,\nr1,rubric,rift,x,item\n", 3, ""),
    "empty annotator": (f"{HEADER}\nr1,rubric,rift,,item,low_signal,,\n", 2, "annotator"),
    "bad time": (f"{HEADER}\nr1,rubric,rift,x,item,low_signal,,yesterday\n", 2, "created_at"),
}


@pytest.mark.parametrize("name", list(BAD_FILES))
def test_bad_rows_are_located_and_nothing_is_written(filled_project, tmp_path, name):
    text, line, field = BAD_FILES[name]
    good = tmp_path / "good.csv"
    good.write_text(f"{HEADER}\nr2,rubric,rift,zoe,item,low_signal,,\n", encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text(text, encoding="utf-8")
    before = filled_project.info()
    with pytest.raises(InputError) as caught:
        import_labels_csv(filled_project, [good, bad])
    problems = caught.value.problems
    assert any(p.file == str(bad) and p.line == line and p.field == field for p in problems), problems
    assert any(str(p).startswith(f"{bad}:{line}:") for p in problems)
    assert all(p.file == str(bad) for p in problems)
    assert filled_project.info() == before  # not even the good file went in


def test_semicolons_get_a_hint(tmp_path):
    bad = tmp_path / "semi.csv"
    bad.write_text(HEADER.replace(",", ";") + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="another delimiter"):
        list(read_label_rows(bad))


def test_not_utf8_is_located(filled_project, tmp_path):
    bad = tmp_path / "latin1.csv"
    bad.write_bytes(f"{HEADER}\nr1,rubric,rift,x,item,low_signal,,\nr1,rubric,rift,Jos\xe9,item,low_signal,,\n"
                    .encode("latin-1"))
    before = filled_project.info()
    with pytest.raises(InputError) as caught:
        import_labels_csv(filled_project, [bad])
    [problem] = caught.value.problems
    assert (problem.file, problem.line) == (str(bad), 3) and "UTF-8" in problem.message
    assert filled_project.info() == before


@pytest.mark.parametrize("content", [b"", b"\n\n  \n"])
def test_empty_file(filled_project, tmp_path, content):
    bad = tmp_path / "empty.csv"
    bad.write_bytes(content)
    with pytest.raises(InputError) as caught:
        import_labels_csv(filled_project, [bad])
    [problem] = caught.value.problems
    assert problem.file == str(bad) and "empty" in problem.message
    assert str(problem).startswith(f"{bad}")
    assert filled_project.labels.count() == 0


def test_every_bad_row_is_listed_not_just_the_first(filled_project, tmp_path):
    bad = tmp_path / "many.csv"
    bad.write_text(f"{HEADER}\nghost,rubric,rift,x,item,low_signal,,\nr1,rubric,rift,x,item,vague,,\n"
                   "r1,rubric,rift,x,item,low_signal,,\nr1,rubric,rift,x,item\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        import_labels_csv(filled_project, [bad])
    assert [p.line for p in caught.value.problems] == [2, 3, 5]


def test_formula_cells_are_neutralised_and_restored(filled_project, second_project, tmp_path):
    p = filled_project
    p.notes.set("r1", "rift", "alice", "criterion:c1", "=SUM(A1)")
    p.notes.set("r1", "rift", "alice", "criterion:c2", "@x")
    p.notes.set("r1", "rift", "alice", "criterion:c3", "+cmd|' /C calc'!A0")
    p.notes.set("r1", "rift", "alice", "item", "-2+3 is not a number")
    p.completion.set_done("r1", "rift", "alice")
    p.labels.add("t1", "step_rating", "alice", "step:s1", "-1")
    p.labels.add("t1", "step_rating", "alice", "step:s2", "+1")
    p.completion.set_done("t1", "step_rating", "alice")
    out = tmp_path / "safe.csv"
    export_labels_csv(p, out)
    text = out.read_text(encoding="utf-8")
    cells = [cell for row in csv.reader(text.splitlines()) for cell in row]
    assert "'=SUM(A1)" in cells and "'@x" in cells and "'+cmd|' /C calc'!A0" in cells
    assert "'-2+3 is not a number" in cells
    assert not [c for c in cells if c[:1] in ("=", "@")]
    assert [c for c in cells if c in ("-1", "+1")] == ["-1", "+1"]  # numbers are data, not formulas
    import_labels_csv(second_project, [out])
    assert second_project.notes.for_item("r1", "rift", "alice") == {
        "criterion:c1": "=SUM(A1)", "criterion:c2": "@x", "criterion:c3": "+cmd|' /C calc'!A0",
        "item": "-2+3 is not a number"}
    assert {(lab.target, lab.label) for lab in second_project.labels.for_item("t1", "step_rating")} == {
        ("step:s1", "-1"), ("step:s2", "+1")}


def test_a_csv_read_alone_knows_only_the_units_in_it(tmp_path):
    from annotator.core.taxonomy import builtin_taxonomies

    path = tmp_path / "alone.csv"
    path.write_text(f"{HEADER}\n"
                    "r1,rubric,rift,alice,criterion:c2,subjective,,\n"
                    "r1,rubric,rift,bob,item,,,\n"
                    "t1,trace,reasoning_errors,alice,span:s2:0-4,calculation,,\n", encoding="utf-8")
    data = label_data_from_csv([path], builtin_taxonomies()["rift"])
    assert sorted(data.units["target"]) == ["criterion:c2", "item"]
    assert data.annotators == ["alice", "bob"]
    assert data.labels.values.tolist() == [["r1", "alice", "criterion:c2", "subjective"]]
    traces = label_data_from_csv([path], builtin_taxonomies()["reasoning_errors"])
    assert traces.labels.values.tolist() == [["t1", "alice", "step:s2", "calculation"]]


def test_two_answers_on_one_single_choice_unit_are_refused_with_both_lines(filled_project, tmp_path):
    path = tmp_path / "ratings.csv"
    path.write_text(f"{HEADER}\nt1,trace,step_rating,zoe,step:s1,+1,,\nt1,trace,step_rating,zoe,step:s2,0,,\n"
                    f"t1,trace,step_rating,zoe,step:s1,-1,,\n", encoding="utf-8")
    before = filled_project.info()
    with pytest.raises(InputError) as caught:
        import_labels_csv(filled_project, [path])
    [problem] = caught.value.problems
    assert (problem.line, problem.field) == (4, "label")
    assert f"already answered '+1' on t1 step:s1 at {path}:2" in problem.message
    assert filled_project.info() == before


def test_an_answer_other_than_the_stored_one_is_refused(filled_project, tmp_path):
    filled_project.labels.add("t1", "step_rating", "zoe", "step:s1", "+1")
    path = tmp_path / "ratings.csv"
    path.write_text(f"{HEADER}\nt1,trace,step_rating,zoe,step:s1,-1,,\n", encoding="utf-8")
    with pytest.raises(InputError, match="already answered '\\+1' on t1 step:s1 in the project"):
        import_labels_csv(filled_project, [path])
    same = tmp_path / "same.csv"
    same.write_text(f"{HEADER}\nt1,trace,step_rating,zoe,step:s1,+1,,\n", encoding="utf-8")
    assert import_labels_csv(filled_project, [same]).labels_added == 0  # the same answer again is fine


def test_the_store_keeps_labels_of_unfinished_rows_without_marking_them_done(filled_project):
    """The store's batch writer takes a done flag per row (DESIGN 10.2: a done=false row is unfinished work)."""
    from annotator.core.store.label_batch import LabelRowIn, store_label_rows

    rows = [LabelRowIn("mem", 2, "r1", "rift", "zoe", "item", "low_signal", done=False),
            LabelRowIn("mem", 3, "r2", "rift", "zoe", "item", "low_signal")]
    counts = store_label_rows(filled_project, [rows])
    assert (counts.labels_added, counts.done_added) == (2, 1)
    assert not filled_project.completion.is_done("r1", "rift", "zoe")
    assert filled_project.completion.is_done("r2", "rift", "zoe")
    assert [lab.label for lab in filled_project.labels.for_item("r1", "rift", "zoe")] == ["low_signal"]


# --- unfinished work (DESIGN 10.2) -------------------------------------------------------------------------
def test_an_unfinished_label_survives_export_and_import_as_unfinished(store_backend, items_file,  # noqa: F811
                                                                      tmp_path):
    """On SQLite and on PostgreSQL: the laptop annotator's day, finished or not, reaches the team project."""
    out = tmp_path / "day.csv"
    with Project.create(store_backend) as laptop:
        laptop.import_items([items_file])
        laptop.labels.add("r1", "rift", "nina", "criterion:c1", "subjective")
        laptop.notes.set("r1", "rift", "nina", "criterion:c1", "'=1+1 is how a sheet\nshows \"two\"")
        laptop.labels.add("r2", "rift", "nina", "item", "low_signal")
        laptop.completion.set_done("r2", "rift", "nina")
        assert export_labels_csv(laptop, out) == 2
    assert {(r["item_id"], r["done"]) for r in rows(out)} == {("r1", "false"), ("r2", "true")}
    with Project.create(tmp_path / "team.sqlite") as team:
        team.import_items([items_file])
        summary = import_labels_csv(team, [out])
        assert (summary.labels_added, summary.done_added) == (2, 1)
        assert [lab.label for lab in team.labels.for_item("r1", "rift", "nina")] == ["subjective"]
        assert not team.completion.is_done("r1", "rift", "nina")
        assert team.completion.is_done("r2", "rift", "nina")
        assert team.notes.get("r1", "rift", "nina", "criterion:c1") == "'=1+1 is how a sheet\nshows \"two\""
        again = tmp_path / "again.csv"
        export_labels_csv(team, again)
        assert again.read_bytes() == out.read_bytes()


def test_a_done_false_row_never_unmarks_finished_work(filled_project, tmp_path):
    filled_project.completion.set_done("r1", "rift", "nina")
    path = tmp_path / "old.csv"
    path.write_text(",".join(LABEL_CSV_COLUMNS) + "\nr1,rubric,rift,nina,item,low_signal,,,false\n"
                    "r2,rubric,rift,nina,item,low_signal,,,FALSE\nr2,rubric,rift,omar,item,,,,True\n"
                    "r2,rubric,rift,pia,item,low_signal,,,\n", encoding="utf-8")
    summary = import_labels_csv(filled_project, [path])
    assert (summary.labels_added, summary.done_added) == (3, 2)
    assert filled_project.completion.is_done("r1", "rift", "nina")
    assert not filled_project.completion.is_done("r2", "rift", "nina")
    assert filled_project.completion.is_done("r2", "rift", "omar")
    assert filled_project.completion.is_done("r2", "rift", "pia")  # an empty done cell means true


def test_a_done_cell_must_be_true_or_false(filled_project, tmp_path):
    path = tmp_path / "bad_done.csv"
    path.write_text(",".join(LABEL_CSV_COLUMNS) + "\nr1,rubric,rift,nina,item,low_signal,,,yes please\n",
                    encoding="utf-8")
    with pytest.raises(InputError) as caught:
        import_labels_csv(filled_project, [path])
    [problem] = caught.value.problems
    assert (problem.line, problem.field) == (2, "done") and "true or false" in problem.message
    assert filled_project.labels.count() == 0


def test_figures_count_finished_work_only(filled_project, tmp_path):
    """An unfinished annotator's labels travel in the CSV but move no figure, from a project or from the file."""
    from annotator.core.stats.agreement import agreement_report
    from annotator.core.taxonomy import builtin_taxonomies

    p = filled_project
    for who, labels in (("alice", ["subjective", "hackable"]), ("bob", ["subjective", "non_atomic"])):
        for target, label in zip(("criterion:c1", "criterion:c2"), labels):
            p.labels.add("r1", "rift", who, target, label)
        p.completion.set_done("r1", "rift", who)
    finished = tmp_path / "finished.csv"
    export_labels_csv(p, finished)
    before = agreement_report(p.label_data("rift"), n_boot=0)
    p.labels.add("r1", "rift", "carol", "criterion:c1", "ungrounded")  # carol has not finished r1
    p.labels.add("r1", "rift", "carol", "criterion:c3", "hackable")
    everything = tmp_path / "everything.csv"
    export_labels_csv(p, everything)
    assert {r["annotator"] for r in rows(everything) if r["done"] == "false"} == {"carol"}
    assert p.label_data("rift").annotators == ["alice", "bob"]
    assert agreement_report(p.label_data("rift"), n_boot=0) == before
    rift = builtin_taxonomies()["rift"]
    alone, reference = label_data_from_csv([everything], rift), label_data_from_csv([finished], rift)
    assert alone.annotators == ["alice", "bob"]
    assert alone.labels.values.tolist() == reference.labels.values.tolist()
    assert alone.units.values.tolist() == reference.units.values.tolist()
