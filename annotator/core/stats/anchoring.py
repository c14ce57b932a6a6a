"""Do a metric's suggestions anchor the annotators who see them?

An annotator who is shown a metric's suggestions and accepts them with one key agrees with the metric more,
whether or not the metric is right. Comparing the humans' agreement with the metric on the items they did with
suggestions on screen against the items they did without shows how large that pull is, and warns that the
metric's F1 against labels given under its own suggestions is inflated.

Agreement here is Cohen's kappa between a human's answers and the metric's, pooled over every decision of the
group (each (unit, label) pair of a multi-choice taxonomy, each unit of a single-choice one), with a percentile
bootstrap over items: all decisions of a drawn item go together, as suggestions are shown per item.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .bootstrap import percentile_interval
from .data import LabelData

RESAMPLES = 1000


def _kappa(confusion: np.ndarray) -> np.ndarray:
    """Cohen's kappa of K x K confusion matrices (the last two axes); NaN where it is undefined."""
    total = confusion.sum(axis=(-2, -1))
    with np.errstate(invalid="ignore", divide="ignore"):
        observed = np.trace(confusion, axis1=-2, axis2=-1) / total
        rows = confusion.sum(axis=-1) / total[..., None]
        cols = confusion.sum(axis=-2) / total[..., None]
        expected = (rows * cols).sum(axis=-1)
        kappa = (observed - expected) / (1 - expected)
    return np.where(np.isclose(expected, 1.0), np.nan, kappa)


def _decisions(data: LabelData, metric: str, threshold: float) -> tuple[pd.DataFrame, int]:
    """One row per (item, annotator, decision): the human's code and the metric's, on items the metric scored
    and the human finished. Returns the table and the number of categories."""
    scored = set(data.scored.loc[data.scored["metric"] == metric, "item_id"])
    scored |= set(data.predictions.loc[data.predictions["metric"] == metric, "item_id"])
    preds = data.predictions[data.predictions["metric"] == metric]
    score = (pd.to_numeric(preds["score"], errors="coerce").fillna(1.0)
             .groupby([preds["item_id"], preds["target"], preds["label"]]).max())
    humans = data.annotators
    frames = []
    if data.taxonomy.choice == "single":
        matrix, units, order = data.category_matrix(humans)
        best = score.reset_index().sort_values("score", ascending=False).drop_duplicates(["item_id", "target"])
        code = {lab: k for k, lab in enumerate(order)}
        metric_code = {(i, t): code.get(lab) for i, t, lab in zip(best["item_id"], best["target"], best["label"])}
        machine = np.array([metric_code.get((i, t), np.nan) for i, t in zip(units["item_id"], units["target"])],
                           dtype=float)
        for a, name in enumerate(humans):
            keep = ~np.isnan(matrix[a]) & ~np.isnan(machine) & units["item_id"].isin(scored).to_numpy()
            frames.append(pd.DataFrame({"item_id": units["item_id"].to_numpy()[keep], "annotator": name,
                                        "human": matrix[a][keep].astype(int), "machine": machine[keep].astype(int)}))
        n_classes = len(order)
    else:
        on = {key for key, s in score.items() if s >= threshold}
        for lab in data.taxonomy.labels:
            matrix, units = data.presence_matrix(lab.id, humans)
            machine = np.array([(i, t, lab.id) in on for i, t in zip(units["item_id"], units["target"])], dtype=int)
            in_scored = units["item_id"].isin(scored).to_numpy()
            for a, name in enumerate(humans):
                keep = ~np.isnan(matrix[a]) & in_scored
                frames.append(pd.DataFrame({"item_id": units["item_id"].to_numpy()[keep], "annotator": name,
                                            "human": matrix[a][keep].astype(int), "machine": machine[keep]}))
        n_classes = 2
    columns = ["item_id", "annotator", "human", "machine"]
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)
    return table, n_classes


def _group(table: pd.DataFrame, items: list[str], n_classes: int) -> tuple[dict[str, Any], np.ndarray]:
    """A group's figures and its per-item confusion matrices (items x K x K, in `items` order)."""
    per_item = np.zeros((len(items), n_classes, n_classes))
    if len(table):
        index = {item: k for k, item in enumerate(items)}
        np.add.at(per_item, (table["item_id"].map(index).to_numpy(), table["human"].to_numpy(dtype=int),
                             table["machine"].to_numpy(dtype=int)), 1.0)
    total = per_item.sum(axis=0)
    n = total.sum()
    kappa = float(_kappa(total)) if n else float("nan")
    figures = {
        "items": len(items),
        "annotations": int(table[["item_id", "annotator"]].drop_duplicates().shape[0]) if len(table) else 0,
        "decisions": int(n),
        "percent_agreement": float(np.trace(total) / n) if n else None,
        "cohen_kappa": kappa if np.isfinite(kappa) else None,
    }
    return figures, per_item


def anchoring_report(data: LabelData, metric: str, shown: pd.DataFrame, threshold: float = 0.5,
                     resamples: int = RESAMPLES, seed: int = 0, level: float = 0.95) -> dict[str, Any]:
    """Human-metric agreement on items done with the metric's suggestions on screen (`with`) and without
    (`without`), their difference (with - without) and intervals. `shown` has item_id, annotator, metric rows
    (`SuggestionStore.shown`); only rows for this metric count, and an (item, annotator) decides its group."""
    table, n_classes = _decisions(data, metric, threshold)
    seen = shown[shown["metric"] == metric] if len(shown) else shown
    marks = set(zip(seen["item_id"], seen["annotator"])) if len(seen) else set()
    with_mask = np.array([(i, a) in marks for i, a in zip(table["item_id"], table["annotator"])], dtype=bool)
    report: dict[str, Any] = {"metric": metric, "taxonomy": data.taxonomy.id, "threshold": threshold}
    parts = {}
    items = sorted(set(table["item_id"]))
    for name, mask in (("with", with_mask), ("without", ~with_mask)):
        part = table[mask]
        group_items = sorted(set(part["item_id"]))
        figures, per_item = _group(part, group_items, n_classes)
        report[name] = figures
        # the same items axis for both groups, so one resample of items serves both and their difference
        full = np.zeros((len(items), n_classes, n_classes))
        if group_items:
            full[np.searchsorted(items, group_items)] = per_item
        parts[name] = full
    a, b = report["with"]["cohen_kappa"], report["without"]["cohen_kappa"]
    report["difference"] = {"cohen_kappa": (a - b) if a is not None and b is not None else None}
    if items and resamples > 0:
        rng = np.random.default_rng(seed)
        draws = rng.integers(0, len(items), size=(resamples, len(items)))
        weights = np.stack([np.bincount(row, minlength=len(items)) for row in draws]).astype(float)
        kappas = {name: _kappa(np.einsum("ri,ijk->rjk", weights, cube)) for name, cube in parts.items()}
        for name in ("with", "without"):
            if report[name]["cohen_kappa"] is not None:
                report[name]["cohen_kappa_ci"] = percentile_interval(kappas[name], resamples, level)
        if report["difference"]["cohen_kappa"] is not None:
            report["difference"]["cohen_kappa_ci"] = percentile_interval(kappas["with"] - kappas["without"],
                                                                         resamples, level)
    if not report["with"]["decisions"]:
        report["note"] = "no annotator was shown this metric's suggestions on an item the metric scored"
    elif not report["without"]["decisions"]:
        report["note"] = "every scored item was done with suggestions on screen: nothing to compare with"
    return report
