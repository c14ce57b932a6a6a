"""Calibration figures checked against values worked out by hand (DESIGN section 6)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import brier_score_loss

from annotator.core.stats.calibration import calibration, calibration_by_label
from annotator.core.stats.data import LabelData
from annotator.core.taxonomy import LabelDef, Taxonomy


def test_hand_worked_six_units():
    # bins: 0.05 -> 0, 0.15 -> 1 (twice), 0.55 -> 5, 0.95 and 1.0 -> 9
    # ece = (1*0.05 + 2*0.35 + 1*0.55 + 2*0.025) / 6 = 1.35 / 6
    # brier = (0.0025 + 0.0225 + 0.7225 + 0.0025 + 0 + 0.3025) / 6 = 1.0525 / 6
    r = calibration([0.05, 0.15, 0.15, 0.95, 1.0, 0.55], [0, 0, 1, 1, 1, 0])
    assert r["ece"] == pytest.approx(0.225)
    assert r["brier"] == pytest.approx(1.0525 / 6)
    assert r["reliability"] == [
        pytest.approx([0.05, 0.0, 1]),
        pytest.approx([0.15, 0.5, 2]),
        pytest.approx([0.55, 0.0, 1]),
        pytest.approx([0.975, 1.0, 2]),
    ]


def test_bin_edges_follow_floor_of_ten_times_score():
    # 0.3 and 0.7 sit on edges: they open bins 3 and 7; 0.29 stays in bin 2; 1.0 joins bin 9
    r = calibration([0.29, 0.3, 0.7, 1.0], [0, 0, 0, 0])
    assert [row[2] for row in r["reliability"]] == [1, 1, 1, 1]
    assert [row[0] for row in r["reliability"]] == pytest.approx([0.29, 0.3, 0.7, 1.0])
    # all outcomes 0: ece is just the mean score
    assert r["ece"] == pytest.approx(np.mean([0.29, 0.3, 0.7, 1.0]))


def test_perfectly_calibrated_bins_have_zero_ece_but_not_zero_brier():
    scores = [0.25] * 4 + [0.75] * 4
    outcomes = [1, 0, 0, 0, 1, 1, 1, 0]
    r = calibration(scores, outcomes)
    assert r["ece"] == pytest.approx(0.0)
    assert r["brier"] == pytest.approx(0.1875)


def test_brier_matches_scikit_learn_on_random_scores():
    rng = np.random.default_rng(3)
    s = rng.uniform(size=500)
    y = (rng.uniform(size=500) < s).astype(int)
    assert calibration(s, y)["brier"] == pytest.approx(brier_score_loss(y, s))
    assert sum(row[2] for row in calibration(s, y)["reliability"]) == 500


@pytest.mark.parametrize("scores, outcomes", [([], []), ([0.5], [0, 1]), ([1.2], [1]), ([0.5], [2]),
                                              ([float("nan")], [1])])
def test_bad_input_is_refused(scores, outcomes):
    with pytest.raises(ValueError):
        calibration(scores, outcomes)


def _data() -> LabelData:
    tax = Taxonomy(id="t", name="T", labels=[LabelDef(id="a", name="A", target="criterion"),
                                             LabelDef(id="b", name="B", target="criterion")])
    units = pd.DataFrame({"item_id": ["i1", "i1", "i2"], "target": ["criterion:c1", "criterion:c2", "criterion:c1"],
                          "kind": ["criterion"] * 3})
    done = pd.DataFrame({"item_id": ["i1", "i2"], "annotator": ["ann", "ann"]})
    labels = pd.DataFrame({"item_id": ["i1"], "annotator": ["ann"], "target": ["criterion:c1"], "label": ["a"]})
    preds = pd.DataFrame({"item_id": ["i1", "i1", "i2"], "metric": ["m", "m", "other"],
                          "target": ["criterion:c1", "criterion:c2", "criterion:c1"], "label": ["a", "a", "a"],
                          "score": [0.8, 0.4, 0.9]})
    scored = pd.DataFrame({"item_id": ["i1", "i2"], "metric": ["m", "other"]})
    return LabelData(taxonomy=tax, units=units, done=done, labels=labels, predictions=preds, scored=scored)


def test_by_label_uses_only_scored_items_and_zero_for_missing_rows():
    data = _data()
    gold = pd.DataFrame({"item_id": ["i1", "i1", "i1", "i1", "i2", "i2"],
                         "target": ["criterion:c1", "criterion:c2"] * 3,
                         "label": ["a", "a", "b", "b", "a", "b"], "value": [1, 0, 0, 1, 1, 0]})
    # i2 was scored by "other" only, so its gold row is left out for m
    r = calibration_by_label(data, "m", gold)
    # label a on i1: scores 0.8 (gold 1) and 0.4 (gold 0): bins 8 and 4, ece = (0.2 + 0.4) / 2
    assert r["a"]["units"] == 2
    assert r["a"]["ece"] == pytest.approx(0.3)
    assert r["a"]["brier"] == pytest.approx((0.04 + 0.16) / 2)
    # label b: no prediction rows, so scores 0 against gold 0 and 1
    assert r["b"]["brier"] == pytest.approx(0.5)
    assert r["b"]["reliability"] == [pytest.approx([0.0, 0.5, 2])]


def test_by_label_single_choice_gold_becomes_one_vs_rest():
    data = _data()
    gold = pd.DataFrame({"item_id": ["i1", "i1"], "target": ["criterion:c1", "criterion:c2"], "label": ["a", "b"]})
    r = calibration_by_label(data, "m", gold)
    assert r["a"]["brier"] == pytest.approx((0.04 + 0.16) / 2)
    assert r["b"]["brier"] == pytest.approx(0.5)


def test_label_without_units_is_null_with_reason():
    data = _data()
    gold = pd.DataFrame({"item_id": ["i2"], "target": ["criterion:c1"], "label": ["a"], "value": [1]})
    r = calibration_by_label(data, "m", gold)
    assert r["a"]["ece"] is None and "reason" in r["a"]


def test_by_label_defaults_to_the_f1_gold():
    # one annotator put `a` on i1 criterion c1 only: the majority gold is a = 1 there, 0 on c2, b = 0 on both
    r = calibration_by_label(_data(), "m")
    assert r["a"]["units"] == 2 and r["a"]["ece"] == pytest.approx(0.3)
    assert r["b"]["brier"] == pytest.approx(0.0)
