"""Reading a metric's predictions (DESIGN section 4): the CSV's rules (scored items, empty score = 1, a missing
row = 0), RIFT-style result JSONL with vote shares, replacement of a metric's earlier run, and bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.core.errors import InputError
from annotator.core.predictions_io import import_predictions

FORMATS_DATA = Path(__file__).resolve().parent / "data" / "formats"
HEADER = "item_id,taxonomy,metric,target,label,score"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_csv_predictions_are_stored_with_scored_items(filled_project, tmp_path):
    path = write(tmp_path, "preds.csv", f"{HEADER}\n"
                 "r1,rift,length,criterion:c2,subjective,0.8\n"
                 "r1,rift,length,item,low_signal,\n"       # an empty score means 1
                 "r2,rift,length,,,\n"                     # scored, nothing found
                 "t1,step_rating,length,step:s2,-1,0.3\n")
    summary = import_predictions(filled_project, [path])
    assert summary.line() == "scored 3 items (length: 3 predictions)"
    got = {(p.target, p.label, p.score) for p in filled_project.predictions.for_item("r1", "rift", "length")}
    assert got == {("criterion:c2", "subjective", 0.8), ("item", "low_signal", 1.0)}
    data = filled_project.label_data("rift")
    assert sorted(data.scored["item_id"]) == ["r1", "r2"]  # r2 counts, with every unit-label pair at 0
    assert filled_project.predictions.metrics() == ["length"]
    assert filled_project.annotators(kind="metric") == ["length"]


def test_metric_option_names_the_metric_and_a_rerun_replaces_it(filled_project, tmp_path):
    first = write(tmp_path, "a.csv", "item_id,taxonomy,target,label,score\n"
                  "r1,rift,item,low_signal,0.9\nr2,rift,item,redundant_criteria,0.9\n")
    import_predictions(filled_project, [first], metric="judge")
    again = write(tmp_path, "b.csv", "item_id,taxonomy,target,label,score\nr1,rift,criterion:c1,ungrounded,0.6\n")
    import_predictions(filled_project, [again], metric="judge")
    assert [(p.target, p.label) for p in filled_project.predictions.for_item("r1", "rift", "judge")] == [
        ("criterion:c1", "ungrounded")]
    assert [p.label for p in filled_project.predictions.for_item("r2", "rift", "judge")] == ["redundant_criteria"]


def test_a_csv_without_a_metric_needs_the_option(filled_project, tmp_path):
    path = write(tmp_path, "nometric.csv", "item_id,taxonomy,target,label\nr1,rift,item,low_signal\n")
    with pytest.raises(InputError) as caught:
        import_predictions(filled_project, [path])
    assert [(p.line, p.field) for p in caught.value.problems] == [(2, "metric")]


@pytest.mark.parametrize("row, field", [
    ("ghost,rift,m,item,low_signal,0.5", "item_id"),
    ("r1,tone,m,item,curt,0.5", "taxonomy"),
    ("t1,rift,m,item,low_signal,0.5", "taxonomy"),
    ("r1,rift,m,item,vague,0.5", "label"),
    ("r1,rift,m,item,subjective,0.5", "target"),
    ("r1,rift,m,criterion:c7,subjective,0.5", "target"),
    ("r1,rift,m,item,low_signal,1.5", "score"),
    ("r1,rift,m,item,low_signal,high", "score"),
    ("r1,rift,m,sentence:3,low_signal,0.5", "target"),
])
def test_bad_rows_are_located_and_nothing_is_stored(filled_project, tmp_path, row, field):
    path = write(tmp_path, "bad.csv", f"{HEADER}\nr2,rift,m,item,low_signal,0.5\n{row}\n")
    with pytest.raises(InputError) as caught:
        import_predictions(filled_project, [path])
    [problem] = caught.value.problems
    assert (problem.file, problem.line, problem.field) == (str(path), 3, field)
    assert filled_project.predictions.metrics() == []


def test_bad_files(filled_project, tmp_path):
    cases = {
        "empty.csv": (b"", 0),
        "header.csv": (b"item_id,metric,label\nr1,m,low_signal\n", 1),
        "latin1.csv": (f"{HEADER}\nr1,rift,m,item,low_signal,0.5\nr1,rift,m\xe9,item,low_signal,0.5\n"
                       .encode("latin-1"), 3),
    }
    for name, (content, line) in cases.items():
        path = tmp_path / name
        path.write_bytes(content)
        with pytest.raises(InputError) as caught:
            import_predictions(filled_project, [path])
        assert [(p.file, p.line) for p in caught.value.problems] == [(str(path), line)], name
    with pytest.raises(InputError, match="file does not exist"):
        import_predictions(filled_project, [tmp_path / "missing.csv"])
    assert filled_project.predictions.metrics() == []


def test_formula_guarded_cells_are_read_back(filled_project, tmp_path):
    path = write(tmp_path, "guarded.csv", f"{HEADER}\nr1,rift,'=judge,item,low_signal,0.5\n")
    import_predictions(filled_project, [path])
    assert filled_project.predictions.metrics() == ["=judge"]


def test_rift_results_give_vote_shares(tmp_project):
    results = FORMATS_DATA / "rift_results_good.jsonl"
    tmp_project.import_items([results])  # the same file holds the rubrics
    summary = import_predictions(tmp_project, [results], metric="rift-judge")
    assert summary.items == 3
    shares = {p.label: p.score for p in tmp_project.predictions.for_item("byo-1", "rift", "rift-judge")}
    assert shares == {"subjective": pytest.approx(2 / 3, abs=1e-6), "ungrounded": pytest.approx(1 / 3, abs=1e-6)}
    assert {p.label: p.score for p in tmp_project.predictions.for_item("r-9", "rift", "rift-judge")} == {
        "subjective": 1.0, "low_signal": 1.0}
    assert all(p.target == "item" for p in tmp_project.predictions.for_item("r-9", "rift", "rift-judge"))
    assert sorted(tmp_project.label_data("rift").scored["item_id"]) == sorted(
        s.id for s in tmp_project.items.page())


def test_rift_results_for_items_not_in_the_project_are_refused(filled_project):
    with pytest.raises(InputError) as caught:
        import_predictions(filled_project, [FORMATS_DATA / "rift_results_good.jsonl"], metric="j")
    assert [p.line for p in caught.value.problems] == [1, 2, 3]
    assert "'byo-1' is not in the project" in str(caught.value)
    assert filled_project.predictions.metrics() == []


def test_rift_results_with_a_label_rift_does_not_have(filled_project, tmp_path):
    path = write(tmp_path, "odd.jsonl", '{"rubric_text": "- a", "labels": ["sarcastic"], "votes": [["sarcastic"]], "metadata": {"id": "r1"}}\n')
    with pytest.raises(InputError, match="'sarcastic'"):
        import_predictions(filled_project, [path], metric="j")
    assert filled_project.predictions.metrics() == []


def test_two_files_one_bad_store_nothing(filled_project, tmp_path):
    good = write(tmp_path, "good.csv", f"{HEADER}\nr1,rift,m,item,low_signal,0.5\n")
    bad = write(tmp_path, "bad.csv", f"{HEADER}\nghost,rift,m,item,low_signal,0.5\n")
    with pytest.raises(InputError):
        import_predictions(filled_project, [good, bad])
    assert filled_project.predictions.metrics() == []
