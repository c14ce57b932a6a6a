"""Kappa partitions (human-human, human-metric, metric-metric) on small cases worked out by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import cohen_kappa_score

from annotator.core.errors import NotFound
from annotator.core.stats.data import LabelData
from annotator.core.stats.partitions import agreement_partitions, pair_kappa
from annotator.core.taxonomy import LabelDef, Taxonomy

ITEMS = ["i1", "i2", "i3", "i4"]


def _data(humans: dict[str, dict[str, list[int]]], metrics: dict[str, dict[str, list[int]]],
          scored: dict[str, list[str]] | None = None, labels=("x",)) -> LabelData:
    tax = Taxonomy(id="t", name="T", labels=[LabelDef(id=lab, name=lab, target="item") for lab in labels])
    units = pd.DataFrame({"item_id": ITEMS, "target": "item", "kind": "item"})
    done = [(i, a) for a in humans for i in ITEMS]
    given = [(i, a, "item", lab) for a, per in humans.items() for lab, row in per.items()
             for i, v in zip(ITEMS, row) if v]
    preds = [(i, m, "item", lab, 0.8 if v else 0.2) for m, per in metrics.items() for lab, row in per.items()
             for i, v in zip(ITEMS, row)]
    scored = scored or {m: ITEMS for m in metrics}
    return LabelData(
        taxonomy=tax, units=units,
        done=pd.DataFrame(done, columns=["item_id", "annotator"]),
        labels=pd.DataFrame(given, columns=["item_id", "annotator", "target", "label"]),
        predictions=pd.DataFrame(preds, columns=["item_id", "metric", "target", "label", "score"]),
        scored=pd.DataFrame([(i, m) for m, items in scored.items() for i in items], columns=["item_id", "metric"]))


def test_pair_kappa_textbook_and_undefined_cases():
    # A = 1100, B = 1000: p_o = 3/4, p_e = 1/2 * 1/4 + 1/2 * 3/4 = 1/2, kappa = 0.5
    assert pair_kappa(np.array([1., 1, 0, 0]), np.array([1., 0, 0, 0])) == (pytest.approx(0.5), 4)
    assert pair_kappa(np.array([0., 0, 0]), np.array([0., 0, 0])) == (None, 3)
    assert pair_kappa(np.array([1., np.nan, 0]), np.array([np.nan, 1, 0])) == (None, 1)
    rng = np.random.default_rng(0)
    a, b = rng.integers(0, 3, 50).astype(float), rng.integers(0, 3, 50).astype(float)
    assert pair_kappa(a, b)[0] == pytest.approx(cohen_kappa_score(a, b))


def test_three_groups_side_by_side():
    data = _data({"A": {"x": [1, 1, 0, 0]}, "B": {"x": [1, 0, 0, 0]}},
                 {"m": {"x": [1, 1, 0, 0]}, "m2": {"x": [0, 1, 0, 1]}})
    r = agreement_partitions(data, ["m", "m2"])
    # A-B 0.5; A-m 1, B-m 0.5, A-m2 0, B-m2 -0.5 (p_o 1/4, p_e 1/2); m-m2 0
    assert r["overall"]["human_human"] == pytest.approx(0.5)
    assert r["overall"]["human_metric"] == pytest.approx(0.25)
    assert r["overall"]["metric_metric"] == pytest.approx(0.0)
    assert r["by_metric"]["m"]["human_metric"] == pytest.approx(0.75)
    assert r["by_metric"]["m2"]["human_metric"] == pytest.approx(-0.25)
    groups = {(p["a"], p["b"]): p["group"] for p in r["pairs"]}
    assert groups[("A", "B")] == "human_human" and groups[("m", "m2")] == "metric_metric"
    assert groups[("B", "m")] == "human_metric"
    assert r["pair_counts"] == {"human_human": {"pairs": 1, "defined": 1}, "human_metric": {"pairs": 4, "defined": 4},
                                "metric_metric": {"pairs": 1, "defined": 1}}


def test_threshold_turns_scores_into_answers():
    data = _data({"A": {"x": [1, 1, 0, 0]}, "B": {"x": [1, 0, 0, 0]}}, {"m": {"x": [1, 1, 0, 0]}})
    # every score is 0.8 or 0.2: a threshold of 0.9 makes m say 0 everywhere, kappa 0 with both humans
    r = agreement_partitions(data, ["m"], threshold=0.9)
    assert r["overall"]["human_metric"] == pytest.approx(0.0)
    assert r["overall"]["metric_metric"] is None and "metric_metric_reason" in r["overall"]


def test_metric_only_counts_on_items_it_scored():
    data = _data({"A": {"x": [1, 1, 0, 0]}, "B": {"x": [1, 0, 0, 0]}}, {"m": {"x": [1, 0, 1, 0]}},
                 scored={"m": ["i1", "i2"]})
    r = agreement_partitions(data, ["m"])
    by = {(p["a"], p["b"]): p for p in r["pairs"]}
    assert by[("A", "m")]["units"] == 2 and by[("A", "B")]["units"] == 4
    # on i1, i2: A = 11, m = 10: p_o 1/2, p_e = 1 * 1/2 + 0 -> kappa 0; B = 10, m = 10: kappa 1
    assert by[("A", "m")]["kappa"] == pytest.approx(0.0)
    assert by[("B", "m")]["kappa"] == pytest.approx(1.0)


def test_multi_choice_means_over_labels_where_defined():
    data = _data({"A": {"x": [1, 1, 0, 0], "y": [0, 0, 0, 0]}, "B": {"x": [1, 0, 0, 0], "y": [0, 0, 0, 0]}},
                 {"m": {"x": [1, 1, 0, 0], "y": [0, 0, 0, 1]}}, labels=("x", "y"))
    r = agreement_partitions(data, ["m"])
    assert r["labels"]["y"]["human_human"] is None  # both humans never use y
    assert r["labels"]["x"]["human_human"] == pytest.approx(0.5)
    assert r["overall"]["human_human"] == pytest.approx(0.5)
    # y: A = 0000 vs m = 0001 -> p_o 3/4, p_e 3/4 -> kappa 0 for both humans; x: A-m 1, B-m 0.5
    assert r["labels"]["y"]["human_metric"] == pytest.approx(0.0)
    assert r["overall"]["human_metric"] == pytest.approx((0.75 + 0.0) / 2)


def test_single_choice_compares_categories():
    tax = Taxonomy(id="v", name="V", choice="single",
                   labels=[LabelDef(id=k, name=k, target="item") for k in ("no", "yes")])
    humans = {"A": ["yes", "no", "yes", "no"], "B": ["yes", "no", "no", "no"]}
    data = LabelData(
        taxonomy=tax, units=pd.DataFrame({"item_id": ITEMS, "target": "item", "kind": "item"}),
        done=pd.DataFrame([(i, a) for a in humans for i in ITEMS], columns=["item_id", "annotator"]),
        labels=pd.DataFrame([(i, a, "item", v) for a, row in humans.items() for i, v in zip(ITEMS, row)],
                            columns=["item_id", "annotator", "target", "label"]),
        predictions=pd.DataFrame([(i, "m", "item", "yes", s) for i, s in zip(ITEMS, [0.9, 0.1, 0.8, 0.2])]
                                 + [(i, "m", "item", "no", 0.5) for i in ITEMS],
                                 columns=["item_id", "metric", "target", "label", "score"]),
        scored=pd.DataFrame({"item_id": ITEMS, "metric": "m"}))
    r = agreement_partitions(data, ["m"])
    # m picks yes, no, yes, no = A exactly; A-B kappa 0.5 (as in the binary case)
    assert r["overall"]["human_human"] == pytest.approx(0.5)
    assert r["by_metric"]["m"]["human_metric"] == pytest.approx(0.75)


def test_unknown_metric_is_refused():
    data = _data({"A": {"x": [1, 1, 0, 0]}}, {"m": {"x": [1, 1, 0, 0]}})
    with pytest.raises(NotFound):
        agreement_partitions(data, ["nope"])


def test_reasons_tell_a_missing_pair_from_an_undefined_one():
    data = _data({"A": {"x": [0, 0, 0, 0], "y": [0, 0, 0, 0]}, "B": {"x": [0, 0, 0, 0], "y": [0, 0, 0, 0]}},
                 {"m": {"x": [1, 1, 0, 0], "y": [0, 0, 0, 1]}}, labels=("x", "y"))
    r = agreement_partitions(data, ["m"])
    assert r["overall"]["human_human_reason"] == "undefined on every label"
    assert r["overall"]["metric_metric_reason"] == "no pair of this kind"
