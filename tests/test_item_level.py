"""Reading criterion labels one level up, as rubric-level diagnostics (RIFT result files) label rubrics."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from annotator.core.errors import UsageError
from annotator.core.stats.data import LabelData
from annotator.core.stats.f1 import f1_report
from annotator.core.taxonomy import builtin_taxonomies


def small_data() -> LabelData:
    tax = builtin_taxonomies()["rift"]
    units = pd.DataFrame([("r1", "item", "item"), ("r1", "criterion:c1", "criterion"),
                          ("r1", "criterion:c2", "criterion"), ("r2", "item", "item"),
                          ("r2", "criterion:c1", "criterion")], columns=["item_id", "target", "kind"])
    done = pd.DataFrame([("r1", "a"), ("r1", "b"), ("r2", "a"), ("r2", "b")], columns=["item_id", "annotator"])
    labels = pd.DataFrame([("r1", "a", "criterion:c1", "subjective"), ("r1", "b", "criterion:c2", "subjective"),
                           ("r2", "a", "item", "low_signal")], columns=["item_id", "annotator", "target", "label"])
    preds = pd.DataFrame([("r1", "m", "item", "subjective", 0.9), ("r2", "m", "criterion:c1", "subjective", 0.3),
                          ("r2", "m", "criterion:c1", "hackable", 0.6)],
                         columns=["item_id", "metric", "target", "label", "score"])
    scored = pd.DataFrame([("r1", "m"), ("r2", "m")], columns=["item_id", "metric"])
    gold = pd.DataFrame([("r2", "criterion:c1", "hackable")], columns=["item_id", "target", "label"])
    gold_units = pd.DataFrame([("r2", "criterion:c1"), ("r2", "item"), ("r1", "criterion:c1")],
                              columns=["item_id", "target"])
    return LabelData(tax, units, done, labels, gold=gold, gold_units=gold_units, predictions=preds, scored=scored)


def test_labels_on_any_unit_count_on_the_item():
    up = small_data().at_item_level()
    assert set(up.units["target"]) == {"item"} and len(up.units) == 2
    assert {lab.target for lab in up.taxonomy.labels} == {"item"}
    # both annotators put subjective somewhere on r1 (on different criteria): they agree at the item level
    m, units = up.presence_matrix("subjective")
    assert m.tolist() == [[1.0, 0.0], [1.0, 0.0]]
    assert up.labels.duplicated().sum() == 0


def test_a_metric_scores_its_highest_unit_and_partial_gold_is_dropped():
    up = small_data().at_item_level()
    scores = {(r.item_id, r.label): r.score for r in up.predictions.itertuples()}
    assert scores == {("r1", "subjective"): 0.9, ("r2", "subjective"): 0.3, ("r2", "hackable"): 0.6}
    # every unit of r2 (the item and c1) was adjudicated: its gold rises; r1's c2 was not: r1 keeps the majority
    assert up.gold_units["item_id"].tolist() == ["r2"]
    assert up.gold[["item_id", "target", "label"]].values.tolist() == [["r2", "item", "hackable"]]


def test_f1_at_the_item_level():
    report = f1_report(small_data().at_item_level(), "m")
    assert report["labels"]["subjective"]["tp"] == 1 and report["labels"]["subjective"]["fp"] == 0
    assert report["labels"]["hackable"]["tp"] == 1  # from r2's adjudicated gold


def test_single_choice_taxonomies_stay_at_their_level():
    data = small_data()
    single = LabelData(builtin_taxonomies()["step_rating"], data.units, data.done, data.labels)
    with pytest.raises(UsageError):
        single.at_item_level()


def test_f1_command_at_the_item_level_with_rift_results(run_cli, tmp_path, sample_copy):
    """RIFT-style result files label rubrics; `--level item` compares them with criterion labels."""
    from annotator.core import Project

    with Project.open(sample_copy) as project:
        ids = [s.id for s in project.items.page() if s.kind == "rubric"][:30]
    results = tmp_path / "rift_results.jsonl"
    with results.open("w", encoding="utf-8") as handle:
        for i, item_id in enumerate(ids):
            labels = ["subjective"] if i % 2 == 0 else []
            votes = [labels, labels, []]
            handle.write(json.dumps({"rubric_text": "1. x", "labels": labels, "votes": votes,
                                     "metadata": {"id": item_id}}) + "\n")
    code, out, err = run_cli("predictions", "import", sample_copy, results, "--metric", "rift-run")
    assert code == 0, err
    code, out, err = run_cli("f1", sample_copy, "--metric", "rift-run", "--json")
    assert code == 0, err
    unit_level = json.loads(out)
    code, out, err = run_cli("f1", sample_copy, "--metric", "rift-run", "--level", "item", "--json")
    assert code == 0, err
    item_level = json.loads(out)
    assert unit_level["labels"]["subjective"]["tp"] == 0  # rubric-level answers never land on a criterion
    assert item_level["labels"]["subjective"]["tp"] > 0
    assert item_level["units"] <= 30
