"""The alternative annotator test on small cases worked out by hand (DESIGN section 6)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from annotator.core.errors import NotFound
from annotator.core.stats.alt_test import alt_test, benjamini_yekutieli, explain_alt_test, one_sided_p
from annotator.core.stats.data import LabelData
from annotator.core.taxonomy import LabelDef, Taxonomy


# --- Benjamini-Yekutieli, as statsmodels' multipletests(method="fdr_by") defines it -------------------------
def test_by_equal_adjusted_values_and_no_rejection():
    # m = 5, c(5) = 137/60; m c = 11.41667; every p_(k) m c / k equals 0.0114167 * 10
    rejected, adjusted = benjamini_yekutieli([0.01, 0.02, 0.03, 0.04, 0.05])
    assert rejected == [False] * 5
    assert adjusted == pytest.approx([0.01 * 5 * 137 / 60] * 5)


def test_by_step_up_rejects_a_p_value_above_its_own_threshold():
    # m = 3, c = 11/6, thresholds k * 0.05 / 5.5 = 0.00909, 0.01818, 0.02727. The smallest, 0.012, is above
    # 0.00909, but 0.02 <= 0.02727 so all three are rejected. Adjusted: 0.066, 0.03575, 0.036667 then the
    # running minimum from the top: 0.03575, 0.03575, 0.036667. Input order is kept.
    rejected, adjusted = benjamini_yekutieli([0.02, 0.012, 0.013])
    assert rejected == [True, True, True]
    assert adjusted == pytest.approx([0.02 * 5.5 / 3, 0.013 * 5.5 / 2, 0.013 * 5.5 / 2])


def test_by_partial_rejection_and_cap_at_one():
    rejected, adjusted = benjamini_yekutieli([0.001, 0.002, 0.5, 0.9])
    # m = 4, c = 25/12, m c = 8.3333: thresholds 0.006, 0.012, 0.018, 0.024
    assert rejected == [True, True, False, False]
    # scaled: 0.008333, 0.008333, 1.389 -> 1, 1.875 -> 1
    assert adjusted == pytest.approx([0.001 * 100 / 12, 0.002 * 100 / 12 / 2, 1.0, 1.0])


def test_by_empty_and_bad_input():
    assert benjamini_yekutieli([]) == ([], [])
    with pytest.raises(ValueError):
        benjamini_yekutieli([0.2, float("nan")])
    with pytest.raises(ValueError):
        benjamini_yekutieli([0.2], q=0)


# --- the one-sided test ---------------------------------------------------------------------------------------
def test_one_sided_p_direction_and_degenerate_cases():
    d = np.array([1.0] * 5 + [0.0] * 25)
    t_stat = (d.mean() - 0.2) / (d.std(ddof=1) / math.sqrt(d.size))
    assert one_sided_p(d, 0.2) == pytest.approx(stats.t.cdf(t_stat, d.size - 1))
    assert one_sided_p(np.zeros(30), 0.2) == 0.0
    assert one_sided_p(np.ones(30), 0.2) == 1.0
    assert one_sided_p(np.full(30, 0.2), 0.2) == 1.0  # a mean equal to epsilon is not below it


# --- the whole test on a LabelData ----------------------------------------------------------------------------
def _multi(values: dict[str, list[int | None]], metric: dict[str, list[int]] | list[int],
           labels: tuple[str, ...] = ("x",)) -> LabelData:
    """One item-level unit per item; values[annotator][i] is 1/0, or None when the item was not finished.
    With several labels, values maps "annotator/label"."""
    tax = Taxonomy(id="t", name="T", labels=[LabelDef(id=lab, name=lab, target="item") for lab in labels])
    n = len(next(iter(values.values())))
    items = [f"i{k:02d}" for k in range(n)]
    units = pd.DataFrame({"item_id": items, "target": ["item"] * n, "kind": ["item"] * n})
    done, given = [], []
    for key, row in values.items():
        ann, _, lab = key.partition("/")
        lab = lab or labels[0]
        for item, v in zip(items, row):
            if v is None:
                continue
            done.append((item, ann))
            if v:
                given.append((item, ann, "item", lab))
    metric_rows = metric if isinstance(metric, dict) else {labels[0]: metric}
    preds = [(item, "m", "item", lab, 0.9) for lab, row in metric_rows.items() for item, v in zip(items, row) if v]
    return LabelData(
        taxonomy=tax, units=units,
        done=pd.DataFrame(sorted(set(done)), columns=["item_id", "annotator"]),
        labels=pd.DataFrame(given, columns=["item_id", "annotator", "target", "label"]),
        predictions=pd.DataFrame(preds, columns=["item_id", "metric", "target", "label", "score"]),
        scored=pd.DataFrame({"item_id": items, "metric": "m"}),
    )


# Items 0-19: everyone says 1. Items 20-24: humans 1, metric 0 (d = +1 for every human).
# Items 25-29: A = B = 1, C = 0, metric 1: for A and B the metric ties (d = 0); for C it beats C (d = -1).
HAND = {"A": [1] * 30, "B": [1] * 30, "C": [1] * 25 + [0] * 5}
HAND_METRIC = [1] * 20 + [0] * 5 + [1] * 5


def _t_p(d: list[float], eps: float) -> float:
    a = np.asarray(d)
    return float(stats.t.cdf((a.mean() - eps) / (a.std(ddof=1) / math.sqrt(a.size)), a.size - 1))


def test_hand_case_fails_at_default_epsilon():
    r = alt_test(_multi(HAND, HAND_METRIC), "m")
    by = {a["annotator"]: a for a in r["annotators"]}
    p_ab = _t_p([1] * 5 + [0] * 25, 0.2)  # mean 1/6, t = -0.4817
    p_c = _t_p([1] * 5 + [-1] * 5 + [0] * 20, 0.2)  # mean 0, t = -1.8655
    assert by["A"]["p_value"] == pytest.approx(p_ab) and by["B"]["p_value"] == pytest.approx(p_ab)
    assert by["C"]["p_value"] == pytest.approx(p_c)
    assert p_c == pytest.approx(0.0361, abs=1e-3)
    assert all(a["items"] == 30 and a["tested"] for a in r["annotators"])
    # BY with m = 3 (m c = 5.5): 0.036 > 0.05 / 5.5, 0.317 > 2 * 0.05 / 5.5 ... nothing is rejected
    assert [a["rejected"] for a in r["annotators"]] == [False, False, False]
    assert by["C"]["p_adjusted"] == pytest.approx(p_c * 5.5)
    assert by["A"]["p_adjusted"] == pytest.approx(p_ab * 5.5 / 3)
    assert r["winning_rate"] == 0.0 and r["passed"] is False
    # W_metric is 0 only on items 20-24, for every human
    assert r["advantage_probability"] == pytest.approx(25 / 30)
    assert by["C"]["human_advantage"] == pytest.approx(25 / 30)  # C's 0 on items 25-29 loses to the metric
    assert by["A"]["human_advantage"] == pytest.approx(1.0)
    assert r["items"] == 30 and r["per_label"]["x"]["winning_rate"] == 0.0


def test_hand_case_passes_with_a_looser_epsilon():
    r = alt_test(_multi(HAND, HAND_METRIC), "m", epsilon=0.5)
    by = {a["annotator"]: a for a in r["annotators"]}
    assert by["A"]["p_value"] == pytest.approx(_t_p([1] * 5 + [0] * 25, 0.5))
    assert by["A"]["p_value"] < 1e-4 and by["C"]["p_value"] < 1e-4
    assert all(a["rejected"] for a in r["annotators"])
    assert r["winning_rate"] == 1.0 and r["passed"] is True
    text = explain_alt_test(r)
    assert "passes" in text and "3 of 3" in text


def test_a_metric_matching_everyone_wins_and_one_against_everyone_loses():
    agree = alt_test(_multi({"A": [1] * 15 + [0] * 15, "B": [1] * 15 + [0] * 15, "C": [1] * 15 + [0] * 15},
                            [1] * 15 + [0] * 15), "m")
    assert [a["p_value"] for a in agree["annotators"]] == [0.0, 0.0, 0.0]  # d is all 0: no spread, below eps
    assert agree["passed"] is True and agree["advantage_probability"] == 1.0
    contrary = alt_test(_multi({"A": [1] * 30, "B": [1] * 30, "C": [1] * 30}, [0] * 30), "m")
    assert [a["p_value"] for a in contrary["annotators"]] == [1.0, 1.0, 1.0]
    assert contrary["passed"] is False and contrary["advantage_probability"] == 0.0
    assert "does not pass" in explain_alt_test(contrary)


def test_humans_with_too_few_items_are_not_tested_and_three_are_needed():
    values = {"A": [1] * 30, "B": [1] * 30, "C": [1] * 10 + [None] * 20}
    r = alt_test(_multi(values, [1] * 30), "m")
    by = {a["annotator"]: a for a in r["annotators"]}
    assert by["C"]["tested"] is False and by["C"]["items"] == 10 and by["C"]["p_value"] is None
    assert r["tested"] == 2 and r["passed"] is None and "at least 3" in r["reason"]
    assert "could not decide" in explain_alt_test(r)
    # items need the metric and two humans: 30 units, all with A and B
    assert r["items"] == 30


def test_unscored_items_are_left_out():
    data = _multi(HAND, HAND_METRIC)
    data = LabelData(taxonomy=data.taxonomy, units=data.units, done=data.done, labels=data.labels,
                     predictions=data.predictions, scored=data.scored.iloc[:29])
    r = alt_test(data, "m")
    assert [a["items"] for a in r["annotators"]] == [29, 29, 29]
    assert r["passed"] is None


def test_multi_choice_pools_labels_and_reports_each():
    values = {"A/x": HAND["A"], "B/x": HAND["B"], "C/x": HAND["C"],
              "A/y": [0] * 30, "B/y": [0] * 30, "C/y": [0] * 30}
    r = alt_test(_multi(values, {"x": HAND_METRIC, "y": [0] * 30}, labels=("x", "y")), "m")
    assert [a["items"] for a in r["annotators"]] == [60, 60, 60]
    assert r["per_label"]["y"]["passed"] is True  # always tied with everyone
    assert r["per_label"]["x"]["passed"] is False
    by = {a["annotator"]: a for a in r["annotators"]}
    assert by["A"]["p_value"] == pytest.approx(_t_p([1] * 5 + [0] * 55, 0.2))
    assert "does not pass on: x." in explain_alt_test(r)


def test_single_choice_uses_the_highest_scored_label():
    tax = Taxonomy(id="v", name="V", choice="single", scale="ordinal",
                   labels=[LabelDef(id=k, name=k, target="criterion") for k in ("no", "partly", "yes")])
    units = pd.DataFrame({"item_id": ["i1", "i2", "i3"], "target": ["criterion:c1"] * 3, "kind": ["criterion"] * 3})
    humans = {"A": ["yes", "no", "partly"], "B": ["yes", "no", "yes"], "C": ["no", "no", "yes"]}
    labels = [(f"i{k + 1}", a, "criterion:c1", v) for a, row in humans.items() for k, v in enumerate(row)]
    preds = [("i1", "m", "criterion:c1", "yes", 0.7), ("i1", "m", "criterion:c1", "no", 0.3),
             ("i2", "m", "criterion:c1", "partly", 0.6), ("i3", "m", "criterion:c1", "yes", 0.5),
             ("i3", "m", "criterion:c1", "partly", 0.5)]  # a tie: taxonomy order picks "partly"
    data = LabelData(
        taxonomy=tax, units=units,
        done=pd.DataFrame([(i, a) for i in ("i1", "i2", "i3") for a in humans], columns=["item_id", "annotator"]),
        labels=pd.DataFrame(labels, columns=["item_id", "annotator", "target", "label"]),
        predictions=pd.DataFrame(preds, columns=["item_id", "metric", "target", "label", "score"]),
        scored=pd.DataFrame({"item_id": ["i1", "i2", "i3"], "metric": "m"}))
    r = alt_test(data, "m", min_items=3)
    by = {a["annotator"]: a for a in r["annotators"]}
    # metric: yes, partly, partly.  For A: i1 others (yes, no): S(yes) = S(yes) -> tie; i2 others (no, no):
    # S(partly) = 0 < S(no) = 1 -> A wins; i3 others (yes, yes): S(partly) = S(partly) = 0 -> tie.
    assert by["A"]["metric_advantage"] == pytest.approx(2 / 3)
    assert by["A"]["human_advantage"] == pytest.approx(1.0)
    # For C: i1 others (yes, yes): metric yes beats C's no; i2 C wins; i3 others (partly, yes): partly 0.5 vs
    # C's yes 0.5 -> tie.
    assert by["C"]["metric_advantage"] == pytest.approx(2 / 3)
    assert by["C"]["human_advantage"] == pytest.approx(2 / 3)
    assert r["passed"] is not None


def test_unknown_metric_and_bad_epsilon():
    data = _multi(HAND, HAND_METRIC)
    with pytest.raises(NotFound):
        alt_test(data, "nobody")
    with pytest.raises(ValueError):
        alt_test(data, "m", epsilon=1.5)


def test_explanation_never_rounds_a_near_certainty_to_all():
    r = alt_test(_multi(HAND, HAND_METRIC), "m", epsilon=0.5)
    r = r | {"advantage_probability": 0.998}
    assert "On over 99% of items" in explain_alt_test(r)


def test_no_humans_is_refused_rather_than_tested_on_everyone():
    with pytest.raises(NotFound):
        alt_test(_multi(HAND, HAND_METRIC), "m", annotators=["m"])
