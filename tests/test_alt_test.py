"""The alternative annotator test on small cases worked out by hand (DESIGN section 6)."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from annotator.core.errors import NotFound
from annotator.core.stats.alt_test import (
    alt_test,
    benjamini_yekutieli,
    explain_alt_test,
    LabelSets,
    label_sets,
    metric_presence,
    one_sided_p,
    set_similarity,
)
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


def test_multi_choice_unused_labels_add_no_items_and_no_easy_ties():
    """A label nobody uses leaves every label set as it was: the pooled result is the one-label result, with 30
    items (units), not 60 (unit, label) pairs that would be half easy ties."""
    values = {"A/x": HAND["A"], "B/x": HAND["B"], "C/x": HAND["C"],
              "A/y": [0] * 30, "B/y": [0] * 30, "C/y": [0] * 30}
    r = alt_test(_multi(values, {"x": HAND_METRIC, "y": [0] * 30}, labels=("x", "y")), "m")
    assert r["items"] == 30 and [a["items"] for a in r["annotators"]] == [30, 30, 30]
    assert r["per_label"]["y"]["passed"] is True  # always tied with everyone
    assert r["per_label"]["x"]["passed"] is False
    by = {a["annotator"]: a for a in r["annotators"]}
    assert by["A"]["p_value"] == pytest.approx(_t_p([1] * 5 + [0] * 25, 0.2))
    one_label = alt_test(_multi(HAND, HAND_METRIC), "m")
    assert [a["p_value"] for a in r["annotators"]] == [a["p_value"] for a in one_label["annotators"]]
    assert "does not pass on: x." in explain_alt_test(r)


# Ten units, labels p, q, r, three humans and a metric: each cell is a label set.
SETS = {
    "A": ["p", "pq", "", "q", "pqr", "", "r", "p", "qr", ""],
    "B": ["p", "p", "", "qr", "pq", "r", "r", "q", "qr", ""],
    "C": ["p", "pq", "", "r", "p", "", "q", "pq", "qr", "p"],
}
SETS_METRIC = ["p", "p", "q", "q", "pq", "", "", "pq", "q", ""]

# S(x) = mean Jaccard of x to the other two humans' sets, J(empty, empty) = 1. Per unit, for A, B, C:
# u1  all {p}:                          S(m) = S(j) = 1 for everyone                      d = 0, 0, 0
# u2  A pq, B p, C pq, m p:   A: S(m) = (1 + 1/2)/2 = 3/4, S(A) = (1/2 + 1)/2 = 3/4; B: 1/2 vs 1/2 (B = m);
#                             C: S(m) = (1/2 + 1)/2 = 3/4, S(C) = (1 + 1/2)/2 = 3/4         d = 0, 0, 0
# u3  humans all empty, m q:  S(m) = 0, S(j) = 1                                            d = 1, 1, 1
# u4  A q, B qr, C r, m q:    A: 1/4 vs 1/4 (A = m); B: S(m) = (1 + 0)/2 = 1/2, S(B) = (1/2 + 1/2)/2 = 1/2;
#                             C: S(m) = (1 + 1/2)/2 = 3/4, S(C) = (0 + 1/2)/2 = 1/4        d = 0, 0, -1
# u5  A pqr, B pq, C p, m pq: A: S(m) = (1 + 1/2)/2 = 3/4, S(A) = (2/3 + 1/3)/2 = 1/2; B: 7/12 vs 7/12 (B = m);
#                             C: S(m) = (2/3 + 1)/2 = 5/6, S(C) = (1/3 + 1/2)/2 = 5/12      d = -1, 0, -1
# u6  A -, B r, C -, m -:     A: (0 + 1)/2 = 1/2 both; B: S(m) = 1, S(B) = 0; C as A          d = 0, -1, 0
# u7  A r, B r, C q, m -:     A: S(m) = 0, S(A) = (1 + 0)/2 = 1/2; B likewise; C: 0 vs 0      d = 1, 1, 0
# u8  A p, B q, C pq, m pq:   A: S(m) = (1/2 + 1)/2 = 3/4, S(A) = (0 + 1/2)/2 = 1/4; B alike;
#                             C: S(m) = (1/2 + 1/2)/2 = 1/2, S(C) the same                   d = -1, -1, 0
# u9  humans all qr, m q:     S(m) = 1/2, S(j) = 1                                            d = 1, 1, 1
# u10 A -, B -, C p, m -:     A: S(m) = (1 + 0)/2 = 1/2 = S(A); B alike; C: S(m) = 1, S(C) = 0  d = 0, 0, -1
HAND_S = {
    "A": ([1, 3/4, 0, 1/4, 3/4, 1/2, 0, 3/4, 1/2, 1/2], [1, 3/4, 1, 1/4, 1/2, 1/2, 1/2, 1/4, 1, 1/2]),
    "B": ([1, 1/2, 0, 1/2, 7/12, 1, 0, 3/4, 1/2, 1/2], [1, 1/2, 1, 1/2, 7/12, 0, 1/2, 1/4, 1, 1/2]),
    "C": ([1, 3/4, 0, 3/4, 5/6, 1/2, 0, 1/2, 1/2, 1], [1, 3/4, 1, 1/4, 5/12, 1/2, 0, 1/2, 1, 0]),
}
HAND_D = {"A": [0, 0, 1, 0, -1, 0, 1, -1, 1, 0],   # mean 0.1; W_metric 7/10, W_human 8/10
          "B": [0, 0, 1, 0, 0, -1, 1, -1, 1, 0],   # mean 0.1; W_metric 7/10, W_human 8/10
          "C": [0, 0, 1, -1, -1, 0, 0, 0, 1, -1]}  # mean -0.1; W_metric 8/10, W_human 7/10


def _label_sets(data: LabelData, labels) -> LabelSets:
    """The humans' and the metric's label sets, built the way `alt_test` builds them."""
    presence = {}
    for lab in labels:
        matrix, units = data.presence_matrix(lab, ["A", "B", "C"])
        presence[lab] = (matrix, metric_presence(data, "m", lab, units, 0.5), units)
    return label_sets(presence, data)


def _set_case() -> LabelData:
    values = {f"{ann}/{lab}": [int(lab in cell) for cell in row] for ann, row in SETS.items() for lab in "pqr"}
    metric = {lab: [int(lab in cell) for cell in SETS_METRIC] for lab in "pqr"}
    return _multi(values, metric, labels=("p", "q", "r"))


def test_multi_choice_hand_worked_jaccard_case():
    data = _set_case()
    found = _label_sets(data, "pqr")
    for j, ann in enumerate("ABC"):
        w_metric, w_human, s_metric, s_human = set_similarity(found, j)
        assert s_metric.tolist() == pytest.approx(HAND_S[ann][0])
        assert s_human.tolist() == pytest.approx(HAND_S[ann][1])
        d = w_human.astype(int) - w_metric.astype(int)
        assert d.tolist() == HAND_D[ann]
    r = alt_test(data, "m", min_items=10)
    assert r["items"] == 10
    by = {a["annotator"]: a for a in r["annotators"]}
    assert (by["A"]["metric_advantage"], by["A"]["human_advantage"]) == (pytest.approx(0.7), pytest.approx(0.8))
    assert (by["C"]["metric_advantage"], by["C"]["human_advantage"]) == (pytest.approx(0.8), pytest.approx(0.7))
    # A and B: mean 0.1, sample sd sqrt(4.9/9), t = (0.1 - 0.2) / (sd / sqrt 10) = -0.4286; C: t = -1.2857
    for ann in "ABC":
        assert by[ann]["p_value"] == pytest.approx(_t_p(HAND_D[ann], 0.2))
    assert by["A"]["p_value"] == pytest.approx(0.339, abs=1e-3) and by["C"]["p_value"] == pytest.approx(0.115, abs=1e-3)
    assert r["winning_rate"] == 0.0 and r["passed"] is False
    assert r["advantage_probability"] == pytest.approx((0.7 + 0.7 + 0.8) / 3)
    # per label the answers stay 0/1: label p alone gives what a one-label taxonomy of p gives
    assert all(res["items"] == 10 for res in r["per_label"].values())
    p_only = alt_test(_multi({a: [int("p" in c) for c in row] for a, row in SETS.items()},
                             [int("p" in c) for c in SETS_METRIC]), "m", min_items=10)
    assert r["per_label"]["p"]["annotators"] == p_only["annotators"]


def test_jaccard_ties_are_exact_where_floating_point_is_not():
    """1/10 + 1/5 and 3/10 + 0 are equal sums, but 0.1 + 0.2 > 0.3 in floating point: the tie must count for both."""
    labels = tuple(f"l{k}" for k in range(10))
    rows = {"A": set(labels), "B": set(labels[:5]), "C": set(labels[5:8])}
    metric = {labels[0]}
    values = {f"{a}/{lab}": [int(lab in row)] for a, row in rows.items() for lab in labels}
    data = _multi(values, {lab: [int(lab in metric)] for lab in labels}, labels=labels)
    # for C: S(m) = (J({l0}, all ten) + J({l0}, l0..l4)) / 2 = (1/10 + 1/5) / 2 = 3/20;
    #        S(C) = (J(l5..l7, all ten) + J(l5..l7, l0..l4)) / 2 = (3/10 + 0) / 2 = 3/20
    w_metric, w_human, s_metric, s_human = set_similarity(_label_sets(data, labels), 2)
    assert s_metric.tolist() == pytest.approx([0.15]) and s_human.tolist() == pytest.approx([0.15])
    assert w_metric.tolist() == [True] and w_human.tolist() == [True]
    assert 0.1 + 0.2 > 0.3  # what a float comparison would have made of it


def _brute_force(sets: dict[str, list[set | None]], metric: list[set], j: str) -> list[tuple[Fraction, Fraction]]:
    """S(metric) and S(j) per unit with exact fractions, straight from the definition."""
    def jac(a: set, b: set) -> Fraction:
        return Fraction(1) if not a | b else Fraction(len(a & b), len(a | b))

    out = []
    for u, m in enumerate(metric):
        mine = sets[j][u]
        others = [row[u] for name, row in sets.items() if name != j and row[u] is not None]
        if mine is None or not others:
            continue
        out.append((sum(jac(m, o) for o in others) / len(others), sum(jac(mine, o) for o in others) / len(others)))
    return out


@pytest.mark.parametrize("n_labels", [5, 45])  # 45 labels: lcm(1..45) no longer fits in 64 bits
def test_set_comparison_matches_exact_fractions(n_labels):
    rng = np.random.default_rng(n_labels)
    labels = tuple(f"l{k}" for k in range(n_labels))
    names = ["A", "B", "C", "D"]
    sets = {a: [None if rng.random() < 0.15 else {lab for lab in labels if rng.random() < 3 / n_labels}
                for _ in range(40)] for a in names}
    metric = [{lab for lab in labels if rng.random() < 3 / n_labels} for _ in range(40)]
    values = {f"{a}/{lab}": [None if cell is None else int(lab in cell) for cell in row]
              for a, row in sets.items() for lab in labels}
    data = _multi(values, {lab: [int(lab in cell) for cell in metric] for lab in labels}, labels=labels)
    presence = {}
    for lab in labels:
        matrix, units = data.presence_matrix(lab, names)
        presence[lab] = (matrix, metric_presence(data, "m", lab, units, 0.5), units)
    found = label_sets(presence, data)
    for j, name in enumerate(names):
        w_metric, w_human, s_metric, s_human = set_similarity(found, j)
        exact = _brute_force(sets, metric, name)
        assert s_metric.tolist() == pytest.approx([float(a) for a, _ in exact])
        assert s_human.tolist() == pytest.approx([float(b) for _, b in exact])
        assert w_metric.tolist() == [a >= b for a, b in exact]
        assert w_human.tolist() == [b >= a for a, b in exact]


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
