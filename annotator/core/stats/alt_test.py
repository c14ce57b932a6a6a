"""The alternative annotator test (Calderon, Reichart and Dror, 2025; DESIGN section 6).

F1 against a majority says how often a metric matches the crowd, but not whether it could take a human's seat.
The alt-test answers that question: leave one human out, and ask whether the metric agrees with the remaining
humans at least about as well as the left-out human does. Each human yields one one-sided test; the tests are
corrected together for the false discovery rate (Benjamini-Yekutieli, valid under any dependence, since every
test reuses the same other humans), and the metric passes when it wins against at least half of the humans.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np
import pandas as pd

from ..errors import NotFound
from .data import LabelData

MIN_ITEMS = 30
MIN_TESTED = 3


def benjamini_yekutieli(p_values: Sequence[float], q: float = 0.05) -> tuple[list[bool], list[float]]:
    """Benjamini-Yekutieli step-up procedure: which hypotheses are rejected at false discovery rate `q`, and
    the adjusted p-values, both in the order given.

    With m tests and c(m) = 1 + 1/2 + ... + 1/m, the k smallest p-values are rejected for the largest k with
    p_(k) <= k q / (m c(m)). The adjusted p-value of the i-th smallest is min over k >= i of
    min(1, m c(m) p_(k) / k), so `adjusted <= q` gives the same decisions.

    >>> rejected, adjusted = benjamini_yekutieli([0.02, 0.012, 0.013])
    >>> rejected, [round(a, 6) for a in adjusted]
    ([True, True, True], [0.036667, 0.03575, 0.03575])
    """
    p = np.asarray(p_values, dtype=float)
    if p.ndim != 1:
        raise ValueError("p-values must be a flat sequence")
    if np.isnan(p).any() or (p < 0).any() or (p > 1).any():
        raise ValueError("p-values must lie in [0, 1]")
    if not 0 < q < 1:
        raise ValueError(f"q must lie strictly between 0 and 1, not {q}")
    m = p.size
    if m == 0:
        return [], []
    order = np.argsort(p, kind="stable")
    ranked = p[order]
    rank = np.arange(1, m + 1)
    harmonic = float(np.sum(1.0 / rank))
    below = ranked <= rank * q / (m * harmonic)
    last = int(np.max(np.nonzero(below)[0])) + 1 if below.any() else 0
    reject_sorted = rank <= last
    scaled = np.minimum(1.0, ranked * m * harmonic / rank)
    adjusted_sorted = np.minimum.accumulate(scaled[::-1])[::-1]
    rejected = np.empty(m, dtype=bool)
    adjusted = np.empty(m)
    rejected[order] = reject_sorted
    adjusted[order] = adjusted_sorted
    return rejected.tolist(), [float(x) for x in adjusted]


def one_sided_p(d: np.ndarray, epsilon: float) -> float:
    """p-value of H0: mean(d) >= epsilon against H1: mean(d) < epsilon (the metric is not much worse).

    When d has no spread the t statistic is undefined; the answer is then certain: 0 when its mean is below
    epsilon, 1 otherwise.
    """
    if d.size == 0:
        raise ValueError("no items to test")
    if np.all(d == d[0]):
        return 0.0 if float(d[0]) < epsilon else 1.0
    from scipy import stats  # here, not at import: the app's metric view imports this module as it starts

    return float(stats.ttest_1samp(d, popmean=epsilon, alternative="less").pvalue)


def _compare(humans: np.ndarray, metric: np.ndarray, j: int) -> tuple[np.ndarray, np.ndarray]:
    """W_metric and W_human for human j on the items where j, the metric and at least one other human answered.

    The share of the other humans equal to x is a count over the same number of others for both answers, so
    the counts are compared instead of the shares, with no rounding to worry about.
    """
    answered = ~np.isnan(humans)
    others = answered.sum(axis=0) - 1
    usable = ~np.isnan(metric) & answered[j] & (others >= 1)
    h = humans[:, usable]
    mine = h[j]
    theirs = metric[usable]
    same_as_metric = (h == theirs).sum(axis=0) - (mine == theirs)
    same_as_mine = (h == mine).sum(axis=0) - 1
    return same_as_metric >= same_as_mine, same_as_mine >= same_as_metric


def _set_similarity(sets: np.ndarray, answered: np.ndarray, metric_sets: np.ndarray, has_metric: np.ndarray,
                    j: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """W_metric, W_human, S(metric) and S(j) for human j on each unit where j, the metric and at least one other
    human answered: S(x) is the mean Jaccard similarity of the label set x to each other human's set (two empty
    sets are identical: 1), and W_metric = [S(metric) >= S(j)], W_human = [S(j) >= S(metric)].

    A unit's Jaccard values are fractions whose denominators are at most the number of labels L, so every sum of
    them is a whole multiple of 1/lcm(1..L). The comparison is made on those whole numbers, exactly: floats would
    call two equal sums unequal now and then, and a tie counts for both sides.
    """
    n_labels = sets.shape[2]
    scale = math.lcm(*range(1, n_labels + 1)) if n_labels else 1
    exact = np.int64 if scale * max(1, sets.shape[0]) < 2 ** 62 else object

    def scaled_jaccard(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        inter = (a & b).sum(axis=-1).astype(exact)
        union = (a | b).sum(axis=-1).astype(exact)
        return np.where(union == 0, scale, inter * (scale // np.maximum(union, 1)))

    others = answered.sum(axis=0) - 1
    usable = has_metric & answered[j] & (others >= 1)
    theirs = answered[:, usable].copy()
    theirs[j] = False
    metric_sum = (scaled_jaccard(metric_sets[usable][None, :, :], sets[:, usable]) * theirs).sum(axis=0)
    human_sum = (scaled_jaccard(sets[j, usable][None, :, :], sets[:, usable]) * theirs).sum(axis=0)
    count = others[usable]
    return (metric_sum >= human_sum, human_sum >= metric_sum,
            metric_sum.astype(float) / scale / count, human_sum.astype(float) / scale / count)


def _test(compare: Callable[[int], tuple[np.ndarray, np.ndarray]], items: int, names: list[str], epsilon: float,
          q: float, min_items: int) -> dict[str, Any]:
    """The test given, for each human j, W_metric and W_human on the items j shares with the metric and another
    human (`compare(j)`), and the number of items with the metric and two or more humans."""
    rows: list[dict[str, Any]] = []
    p_values: list[float] = []
    tested_rows: list[dict[str, Any]] = []
    for j, name in enumerate(names):
        w_metric, w_human = compare(j)
        n = int(w_metric.size)
        row: dict[str, Any] = {
            "annotator": name, "items": n, "tested": n >= min_items, "p_value": None, "p_adjusted": None,
            "rejected": None,
            "metric_advantage": float(w_metric.mean()) if n else None,
            "human_advantage": float(w_human.mean()) if n else None,
        }
        if n >= min_items:
            d = w_human.astype(float) - w_metric.astype(float)
            row["p_value"] = one_sided_p(d, epsilon)
            p_values.append(row["p_value"])
            tested_rows.append(row)
        else:
            row["reason"] = f"{n} items with the metric and another human; {min_items} needed"
        rows.append(row)
    rejected, adjusted = benjamini_yekutieli(p_values, q)
    for row, rej, adj in zip(tested_rows, rejected, adjusted):
        row["rejected"], row["p_adjusted"] = bool(rej), adj
    tested = len(tested_rows)
    out: dict[str, Any] = {
        "items": items,
        "tested": tested,
        "winning_rate": sum(rejected) / tested if tested else None,
        "passed": None,
        "advantage_probability": (float(np.mean([r["metric_advantage"] for r in tested_rows]))
                                  if tested else None),
        "annotators": rows,
    }
    if tested >= MIN_TESTED:
        out["passed"] = bool(out["winning_rate"] >= 0.5)
    else:
        out["reason"] = (f"only {tested} human annotator(s) have {min_items} or more items shared with the metric "
                         f"and another human; the test needs at least {MIN_TESTED}")
    return out


def _test_answers(humans: np.ndarray, metric: np.ndarray, names: list[str], epsilon: float, q: float,
                  min_items: int) -> dict[str, Any]:
    """The test on one annotator x item matrix of single answers (NaN = no answer) and the metric's answers."""
    has_metric = ~np.isnan(metric)
    human_count = (~np.isnan(humans)).sum(axis=0)
    items = int(np.sum(has_metric & (human_count >= 2)))
    return _test(lambda j: _compare(humans, metric, j), items, names, epsilon, q, min_items)


def metric_presence(data: LabelData, metric: str, label: str, units: pd.DataFrame, threshold: float) -> np.ndarray:
    """The metric's 0/1 answer for `label` on each unit of an item it scored, NaN elsewhere."""
    return metric_presences(data, metric, {label: units}, threshold)[label]


def metric_presences(data: LabelData, metric: str, units: dict[str, pd.DataFrame], threshold: float
                     ) -> dict[str, np.ndarray]:
    """`metric_presence` of several labels (each with its unit table), filtering the predictions once per
    metric instead of once per label: that filter was most of the kappa partitions' time."""
    scored = set(data.scored.loc[data.scored["metric"] == metric, "item_id"])
    preds = data.predictions
    hit = preds[(preds["metric"] == metric) & preds["label"].isin(list(units))
                & (preds["score"].astype(float) >= threshold)]
    positive = {label: set(zip(rows["item_id"], rows["target"])) for label, rows in hit.groupby("label")}
    out = {}
    for label, table in units.items():
        on = positive.get(label, set())
        out[label] = np.asarray([(1.0 if (i, t) in on else 0.0) if i in scored else np.nan
                                 for i, t in zip(table["item_id"], table["target"])], dtype=float)
    return out


def metric_category(data: LabelData, metric: str, units: pd.DataFrame, order: list[str]) -> np.ndarray:
    """The metric's chosen category on each unit: its highest-scored label (taxonomy order breaks ties)."""
    code = {lab: i for i, lab in enumerate(order)}
    preds = data.predictions[(data.predictions["metric"] == metric) & data.predictions["label"].isin(code)].copy()
    scored = set(data.scored.loc[data.scored["metric"] == metric, "item_id"])
    preds = preds[preds["item_id"].isin(scored)]
    preds["code"] = preds["label"].map(code)
    preds = preds.sort_values(["score", "code"], ascending=[False, True], kind="stable")
    best = preds.drop_duplicates(["item_id", "target"])
    chosen = {(i, t): float(c) for i, t, c in zip(best["item_id"], best["target"], best["code"])}
    return np.asarray([chosen.get((i, t), np.nan) for i, t in zip(units["item_id"], units["target"])])


@dataclass(frozen=True)
class LabelSets:
    """Each human's and the metric's label set on every unit of a multi-choice taxonomy.

    sets: human x unit x label, True where the label is on the unit (labels of another target kind and unused
    columns stay False); answered: human x unit, whether the human finished the unit's item; metric_sets and
    has_metric: the same for the metric (a label is on when its score reaches the threshold).
    """

    units: pd.DataFrame
    sets: np.ndarray
    answered: np.ndarray
    metric_sets: np.ndarray
    has_metric: np.ndarray


def label_sets(presence: dict[str, tuple[np.ndarray, np.ndarray, pd.DataFrame]], data: LabelData) -> LabelSets:
    """The units of every target kind the taxonomy labels, each with its label sets, from each label's human
    presence matrix, metric answers and unit table (`presence[label]`)."""
    by_kind: dict[str, list[str]] = {}
    for lab in data.taxonomy.labels:
        by_kind.setdefault(lab.target, []).append(lab.id)
    width = max(len(labels) for labels in by_kind.values())
    units, sets, answered, metric_sets, has_metric = [], [], [], [], []
    for labels in by_kind.values():
        first, said, kind_units = presence[labels[0]]
        layers = np.zeros(first.shape + (width,), dtype=bool)
        said_layers = np.zeros(said.shape + (width,), dtype=bool)
        for k, label in enumerate(labels):
            layers[:, :, k] = presence[label][0] == 1
            said_layers[:, k] = presence[label][1] == 1
        units.append(kind_units)
        sets.append(layers)
        answered.append(~np.isnan(first))
        metric_sets.append(said_layers)
        has_metric.append(~np.isnan(said))
    return LabelSets(units=pd.concat(units, ignore_index=True), sets=np.concatenate(sets, axis=1),
                     answered=np.concatenate(answered, axis=1), metric_sets=np.concatenate(metric_sets),
                     has_metric=np.concatenate(has_metric))


def set_similarity(found: LabelSets, j: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """W_metric, W_human, S(metric) and S(j) for human j on the units j shares with the metric and another
    human, in unit order (see `_set_similarity`)."""
    return _set_similarity(found.sets, found.answered, found.metric_sets, found.has_metric, j)


def alt_test(data: LabelData, metric: str, epsilon: float = 0.2, q: float = 0.05,
             annotators: list[str] | None = None, threshold: float = 0.5,
             min_items: int = MIN_ITEMS) -> dict[str, Any]:
    """Whether `metric` can replace a human annotator on this taxonomy (the JSON of DESIGN section 7).

    Single-choice taxonomies: the item is the unit, the metric's answer its highest-scored label. Multi-choice
    taxonomies (DESIGN 10.4): the item is the unit too, each answer the set of labels on it (the metric's: the
    labels whose score reaches `threshold`), compared by Jaccard similarity; `per_label` repeats the test on
    each label alone with 0/1 answers. A unit-by-label pooling would count every label nobody uses as one
    more easy tie and let a poor metric pass on them. Units of items the metric did not score are left out.
    """
    if not 0 <= epsilon < 1:
        raise ValueError(f"epsilon must lie in [0, 1), not {epsilon}")
    if metric not in set(data.scored["metric"]):
        raise NotFound(f"metric {metric!r} scored no item of taxonomy {data.taxonomy.id!r}")
    humans = [a for a in (annotators or data.annotators) if a != metric]
    if not humans:
        raise NotFound(f"no human annotator finished an item of taxonomy {data.taxonomy.id!r}")
    tax = data.taxonomy
    head = {"metric": metric, "taxonomy": tax.id, "epsilon": epsilon, "q": q, "threshold": threshold}
    if tax.choice == "single":
        matrix, units, order = data.category_matrix(humans)
        return head | _test_answers(matrix, metric_category(data, metric, units, order), humans, epsilon, q,
                                    min_items)
    presence: dict[str, tuple[np.ndarray, np.ndarray, pd.DataFrame]] = {}
    per_label: dict[str, Any] = {}
    matrices = data.presence_matrices(tax.label_ids, humans)
    answers = metric_presences(data, metric, {label: units for label, (_, units) in matrices.items()}, threshold)
    for label, (matrix, units) in matrices.items():
        said = answers[label]
        presence[label] = (matrix, said, units)
        per_label[label] = _test_answers(matrix, said, humans, epsilon, q, min_items)
    found = label_sets(presence, data)
    items = int(np.sum(found.has_metric & (found.answered.sum(axis=0) >= 2)))
    pooled = _test(lambda j: set_similarity(found, j)[:2], items, humans, epsilon, q, min_items)
    return head | pooled | {"per_label": per_label}


def _pct(x: float) -> str:
    """A share as a whole percentage that never rounds a near-certainty up to 100% (or a trace down to 0%)."""
    if 0.995 <= x < 1:
        return "over 99%"
    if 0 < x < 0.005:
        return "under 1%"
    return f"{100 * x:.0f}%"


METRIC_AS_GOOD = "metric at least as good"
HUMAN_BETTER = "human better"


def human_outcome(row: dict[str, Any]) -> str:
    """One human's result in words: `rejected` alone reads like "the metric failed", the opposite of its sense."""
    if row.get("rejected") is None:
        return f"not tested: {row.get('reason', 'too few items')}"
    return METRIC_AS_GOOD if row["rejected"] else HUMAN_BETTER


def wins_words(result: dict[str, Any]) -> str:
    """How many of the tested humans the metric wins against, e.g. "wins against 2 of 3"."""
    tested = [a for a in result["annotators"] if a.get("tested")]
    return f"wins against {sum(1 for a in tested if a['rejected'])} of {len(tested)}"


def verdict_words(result: dict[str, Any]) -> str:
    """What passed, in words: "passes the alternative annotator test: the metric can replace an annotator: it wins
    against 2 of 3 human annotators" (or "does not pass ... cannot", or "could not be tested: why")."""
    if result["passed"] is None:
        return f"could not be tested: {result.get('reason', 'too few annotators could be tested')}"
    if result["passed"]:
        head = "passes the alternative annotator test: the metric can replace an annotator"
    else:
        head = "does not pass the alternative annotator test: the metric cannot replace an annotator"
    return f"{head}: it {wins_words(result)} human annotators"


def explain_alt_test(result: dict[str, Any]) -> str:
    """A few plain sentences on what an alt-test result means, for someone who will not read the p-values."""
    metric, eps = result["metric"], result["epsilon"]
    tested = [a for a in result["annotators"] if a.get("tested")]
    lines: list[str] = []
    if result["passed"] is None:
        lines.append(f"The alternative annotator test could not decide whether {metric!r} can replace a human "
                     f"annotator: {result.get('reason', 'too few annotators could be tested')}.")
        lines.append("Have at least three people label the same items (30 or more each, shared with the metric) "
                     "and run it again.")
        return " ".join(lines)
    lines.append(f"{metric!r} {verdict_words(result)} (winning rate {_pct(result['winning_rate'])}; half is "
                 f"needed).")
    lines.append(f"Each human was left out in turn, and the metric was asked to match the remaining humans no more "
                 f"than {_pct(eps)} less often than that human did, with a correction for testing many humans.")
    if "per_label" in result:
        lines.append("An item is one unit (a rubric, a criterion, a step) and an answer is its set of labels; two "
                     "answers agree by their Jaccard similarity (labels in both over labels in either; two empty "
                     "sets agree fully).")
    adv = result.get("advantage_probability")
    if adv is not None and not math.isnan(adv):
        lines.append(f"On {_pct(adv)} of items the metric's answer agreed with the other humans at least as well "
                     f"as the left-out human's answer (its advantage probability).")
    lost = [a["annotator"] for a in tested if not a["rejected"]]
    if lost and result["passed"]:
        lines.append(f"It still falls short of: {', '.join(lost)}.")
    per_label = result.get("per_label") or {}
    weak = sorted(lab for lab, r in per_label.items() if r.get("passed") is False)
    if weak:
        lines.append(f"Taken label by label, it does not pass on: {', '.join(weak)}.")
    if result["passed"]:
        lines.append("In practice: the metric can stand in for one more annotator here, not for the whole team's "
                     "consensus.")
    else:
        lines.append("In practice: keep humans in the loop for this taxonomy; the metric's answers are not yet "
                     "interchangeable with an annotator's.")
    return " ".join(lines)
