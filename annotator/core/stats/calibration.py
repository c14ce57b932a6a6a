"""Calibration of a scored metric (DESIGN section 6): can a score of 0.8 be read as "80% likely"?

F1 only asks whether a score falls on the right side of one threshold; a team that wants to use the scores as
probabilities (to rank items for review, or to pick a threshold per label) also needs to know how far the score
is from the rate at which the label is really on the unit. The expected calibration error summarises that gap,
the Brier score mixes it with sharpness, and the reliability curve shows where the gap lies.
"""

from __future__ import annotations

from typing import Any, Iterable

import numpy as np
import pandas as pd

from .data import LabelData


def calibration(scores: Iterable[float], outcomes: Iterable[float], bins: int = 10) -> dict[str, Any]:
    """Expected calibration error, Brier score and reliability curve of probability scores against 0/1 outcomes.

    Scores fall in `bins` equal-width bins, bin = min(bins - 1, floor(bins * score)), so a score of exactly 1
    shares the top bin. `ece` weighs each non-empty bin's |gold rate - mean score| by its share of the units;
    `reliability` lists the non-empty bins in order as [mean score, gold rate, size].

    >>> r = calibration([0.1, 0.9], [0, 1])
    >>> round(r["ece"], 6), round(r["brier"], 6)
    (0.1, 0.01)
    """
    s = np.asarray(list(scores), dtype=float)
    y = np.asarray(list(outcomes), dtype=float)
    if bins < 1:
        raise ValueError(f"bins must be at least 1, not {bins}")
    if s.shape != y.shape:
        raise ValueError(f"{s.size} scores but {y.size} outcomes")
    if s.size == 0:
        raise ValueError("calibration needs at least one scored unit")
    if np.isnan(s).any() or (s < 0).any() or (s > 1).any():
        raise ValueError("scores must be probabilities in [0, 1]")
    if not np.isin(y, (0.0, 1.0)).all():
        raise ValueError("outcomes must be 0 or 1")
    which = np.minimum(bins - 1, np.floor(bins * s)).astype(int)
    size = np.bincount(which, minlength=bins)
    score_sum = np.bincount(which, weights=s, minlength=bins)
    gold_sum = np.bincount(which, weights=y, minlength=bins)
    filled = size > 0
    mean_score = score_sum[filled] / size[filled]
    gold_rate = gold_sum[filled] / size[filled]
    ece = float(np.sum(size[filled] / s.size * np.abs(gold_rate - mean_score)))
    brier = float(np.mean((s - y) ** 2))
    reliability = [[float(m), float(g), int(n)] for m, g, n in zip(mean_score, gold_rate, size[filled])]
    return {"ece": ece, "brier": brier, "reliability": reliability}


def _gold_table(data: LabelData, gold: pd.DataFrame) -> pd.DataFrame:
    """Gold as one 0/1 row per (unit, label) of the taxonomy.

    Accepts the long form with a `value` column (multi-choice gold), or one row per unit naming its category
    (single-choice gold), which becomes one-vs-rest rows so every label of the taxonomy can be calibrated.
    """
    if "value" in gold.columns:
        out = gold[["item_id", "target", "label", "value"]].copy()
        out["value"] = out["value"].astype(float)
        return out
    units = gold[["item_id", "target"]].drop_duplicates()
    rows = units.merge(pd.DataFrame({"label": data.taxonomy.label_ids}), how="cross")
    chosen = gold[["item_id", "target", "label"]].assign(value=1.0)
    rows = rows.merge(chosen, on=["item_id", "target", "label"], how="left")
    rows["value"] = rows["value"].fillna(0.0)
    return rows


def calibration_by_label(data: LabelData, metric: str, gold: pd.DataFrame | None = None,
                         bins: int = 10) -> dict[str, dict[str, Any]]:
    """Per label, the calibration of `metric`'s scores on the units of the items it scored that have a gold.

    `gold` holds item_id, target, label and a 0/1 `value` (or, for single-choice taxonomies, one row per unit
    naming its gold category). Without it, the gold of the F1 report is used, so both figures rest on the same
    answers. A unit-label pair the metric scored but gave no prediction row counts as score 0. A label with no
    such unit gets null figures and a `reason`.
    """
    if gold is None:
        from .f1 import gold_labels  # the F1 module owns the definition of gold

        gold, _ties = gold_labels(data)
    table = _gold_table(data, gold)
    scored_items = set(data.scored.loc[data.scored["metric"] == metric, "item_id"])
    table = table[table["item_id"].isin(scored_items)]
    preds = data.predictions[data.predictions["metric"] == metric]
    preds = preds.groupby(["item_id", "target", "label"], as_index=False)["score"].max()
    table = table.merge(preds, on=["item_id", "target", "label"], how="left")
    table["score"] = table["score"].fillna(0.0).astype(float)
    result: dict[str, dict[str, Any]] = {}
    for label in data.taxonomy.label_ids:
        rows = table[table["label"] == label]
        if rows.empty:
            result[label] = {"ece": None, "brier": None, "reliability": [],
                             "reason": f"no unit with a gold answer among the items {metric!r} scored"}
            continue
        result[label] = calibration(rows["score"], rows["value"], bins=bins) | {"units": int(len(rows))}
    return result
