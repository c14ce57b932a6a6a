"""Agreement partitions: Cohen's kappa among humans, between humans and metrics, and among metrics, side by side.

A metric's kappa against humans means little on its own: if the humans only reach 0.4 among themselves, a
metric at 0.4 against them is as good as another colleague. Putting the three groups of pairs next to each
other lets a team read a metric's agreement against the ceiling the humans set, and see whether several metrics
agree with each other more than with people (a sign they share a bias).
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from ..errors import NotFound
from .alt_test import metric_category, metric_presences
from .data import LabelData

GROUPS = ("human_human", "human_metric", "metric_metric")


def pair_kappa(x: np.ndarray, y: np.ndarray) -> tuple[float | None, int]:
    """Cohen's kappa of two raters over the units both answered (NaN = no answer), and how many units that is.

    None when it is undefined: fewer than two shared units, or both raters gave one same answer throughout.
    The arithmetic is scikit-learn's `cohen_kappa_score` step by step (confusion matrix of the sorted answers,
    expected counts from its margins, unweighted disagreement), so the figures are the same floats; a report
    asks for hundreds of pairs, and scikit-learn's checks of its input cost far more than the kappa itself.
    """
    both = ~np.isnan(x) & ~np.isnan(y)
    n = int(both.sum())
    if n < 2:
        return None, n
    a, b = x[both], y[both]
    if np.all(a == a[0]) and np.all(b == a[0]):
        return None, n
    answers = np.union1d(a, b)
    k = len(answers)
    cells = np.searchsorted(answers, a) * k + np.searchsorted(answers, b)
    confusion = np.bincount(cells, minlength=k * k).reshape(k, k).astype(np.float64)
    sum0, sum1 = confusion.sum(axis=0), confusion.sum(axis=1)
    expected = np.outer(sum0, sum1) / sum0.sum()
    disagree = np.ones((k, k), dtype=np.float64)
    np.fill_diagonal(disagree, 0)
    chance = np.sum(disagree * expected)
    if chance == 0:
        return None, n
    return float(1 - np.sum(disagree * confusion) / chance), n


def _group(a: str, b: str, metrics: set[str]) -> str:
    kinds = sorted(("metric" if r in metrics else "human") for r in (a, b))
    return f"{kinds[0]}_{kinds[1]}"


def _mean(values: list[float | None]) -> float | None:
    kept = [v for v in values if v is not None]
    return float(np.mean(kept)) if kept else None


def _summary(pairs: list[dict[str, Any]], key: str = "kappa") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for group in GROUPS:
        values = [p[key] for p in pairs if p["group"] == group]
        out[group] = _mean(values)
        if out[group] is None:
            out[f"{group}_reason"] = ("no pair of this kind" if not values
                                      else "kappa is undefined for every pair of this kind")
    return out


def _pairs(matrix: np.ndarray, raters: list[str], metrics: set[str]) -> list[dict[str, Any]]:
    rows = []
    for i, j in itertools.combinations(range(len(raters)), 2):
        k, n = pair_kappa(matrix[i], matrix[j])
        rows.append({"a": raters[i], "b": raters[j], "group": _group(raters[i], raters[j], metrics),
                     "kappa": k, "units": n})
    return rows


def agreement_partitions(data: LabelData, metrics: list[str], threshold: float = 0.5,
                         annotators: list[str] | None = None) -> dict[str, Any]:
    """Mean Cohen's kappa of human-human, human-metric and metric-metric pairs.

    Each metric is one more rater, on the units of the items it scored (multi-choice: positive when its score
    reaches `threshold`; single-choice: its highest-scored label). Multi-choice taxonomies are compared label by
    label; a pair's kappa and each group's figure are then the mean over labels where they are defined.
    `by_metric` gives each metric's mean kappa against the humans, the figure to set beside `human_human`.
    `pair_counts` says how many pairs each group's mean rests on (`defined`: those with a kappa), since a
    group of one pair reads very differently from a group of thirty.
    """
    known = set(data.scored["metric"])
    missing = [m for m in metrics if m not in known]
    if missing:
        raise NotFound(f"metric(s) {', '.join(missing)} scored no item of taxonomy {data.taxonomy.id!r}")
    humans = [a for a in (annotators or data.annotators) if a not in metrics]
    if not humans:
        raise NotFound(f"no human annotator finished an item of taxonomy {data.taxonomy.id!r}")
    raters = humans + list(metrics)
    metric_set = set(metrics)
    tax = data.taxonomy
    out: dict[str, Any] = {"taxonomy": tax.id, "threshold": threshold, "annotators": humans,
                           "metrics": list(metrics)}
    if tax.choice == "single":
        matrix, units, order = data.category_matrix(humans)
        rows = [metric_category(data, m, units, order) for m in metrics]
        pairs = _pairs(np.vstack([matrix, *rows]) if rows else matrix, raters, metric_set)
        out["overall"] = _summary(pairs)
        out["labels"] = {}
    else:
        per_label: dict[str, Any] = {}
        by_pair: dict[tuple[str, str], list[tuple[float | None, int]]] = {}
        presence = data.presence_matrices(tax.label_ids, humans)
        said = {m: metric_presences(data, m, {label: units for label, (_, units) in presence.items()}, threshold)
                for m in metrics}
        for label, (matrix, units) in presence.items():
            rows = [said[m][label] for m in metrics]
            label_pairs = _pairs(np.vstack([matrix, *rows]) if rows else matrix, raters, metric_set)
            per_label[label] = _summary(label_pairs) | {"units": int(len(units))}
            for p in label_pairs:
                by_pair.setdefault((p["a"], p["b"]), []).append((p["kappa"], p["units"]))
        pairs = [{"a": a, "b": b, "group": _group(a, b, metric_set),
                  "kappa": _mean([k for k, _ in vals]), "units": max(n for _, n in vals)}
                 for (a, b), vals in by_pair.items()]
        out["labels"] = per_label
        out["overall"] = {g: _mean([r[g] for r in per_label.values()]) for g in GROUPS}
        present = {p["group"] for p in pairs}
        for g in GROUPS:
            if out["overall"][g] is None:
                out["overall"][f"{g}_reason"] = ("undefined on every label" if g in present
                                                 else "no pair of this kind")
    out["pairs"] = pairs
    out["pair_counts"] = {g: {"pairs": sum(p["group"] == g for p in pairs),
                              "defined": sum(p["group"] == g and p["kappa"] is not None for p in pairs)}
                          for g in GROUPS}
    out["by_metric"] = {m: {"human_metric": _mean([p["kappa"] for p in pairs if p["group"] == "human_metric"
                                                   and m in (p["a"], p["b"])])}
                        for m in metrics}
    return out
