"""How often the metric and each human match a gold answer made by a majority or a reliability model.

The alternative annotator test compares the metric with the other annotators' answers as they are. With
`--gold dawid-skene` (or `mace`) a lead also wants to see each of them against the answers a reliability model
draws from everyone's work. Each human is measured against the gold of the *other* humans, so no one is scored
against their own answers; the metric against the gold of all of them.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .data import LabelData
from .f1 import gold_labels


def _answers(data: LabelData, annotator: str) -> pd.DataFrame:
    """One annotator's answers as (item_id, target, label, answer 0/1) rows on the items they finished."""
    frames = []
    if data.taxonomy.choice == "single":
        matrix, units, order = data.category_matrix([annotator])
        given = ~np.isnan(matrix[0])
        for k, lab in enumerate(order):
            frames.append(pd.DataFrame({"item_id": units["item_id"][given].to_numpy(),
                                        "target": units["target"][given].to_numpy(), "label": lab,
                                        "answer": (matrix[0][given] == k).astype(int)}))
    else:
        for lab in data.taxonomy.labels:
            matrix, units = data.presence_matrix(lab.id, [annotator])
            given = ~np.isnan(matrix[0])
            frames.append(pd.DataFrame({"item_id": units["item_id"][given].to_numpy(),
                                        "target": units["target"][given].to_numpy(), "label": lab.id,
                                        "answer": matrix[0][given].astype(int)}))
    columns = ["item_id", "target", "label", "answer"]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)


def _metric_answers(data: LabelData, metric: str, threshold: float) -> pd.DataFrame:
    p = data.predictions[data.predictions["metric"] == metric]
    scores = (pd.to_numeric(p["score"], errors="coerce").fillna(1.0)
              .groupby([p["item_id"], p["target"], p["label"]]).max().rename("score").reset_index())
    if data.taxonomy.choice == "single":
        best = scores.sort_values("score", ascending=False).drop_duplicates(["item_id", "target"])
        scores = scores.merge(best[["item_id", "target", "label"]].assign(top=1), how="left",
                              on=["item_id", "target", "label"])
        return scores.assign(answer=scores["top"].fillna(0).astype(int))[["item_id", "target", "label", "answer"]]
    return scores.assign(answer=(scores["score"] >= threshold).astype(int))[["item_id", "target", "label", "answer"]]


def _share(gold: pd.DataFrame, answers: pd.DataFrame, items: set[str], fill: bool) -> dict[str, Any]:
    """Share of gold decisions on `items` the answers match; with `fill` a missing answer is a 0 (a metric says
    nothing about a (unit, label) it gave no row), else the decision is left out (the human did not finish)."""
    g = gold[gold["item_id"].isin(items)]
    merged = g.merge(answers, how="left", on=["item_id", "target", "label"])
    if fill:
        merged["answer"] = merged["answer"].fillna(0)
    merged = merged.dropna(subset=["answer"])
    n = len(merged)
    return {"decisions": n, "accuracy": float((merged["answer"].astype(int) == merged["value"]).mean()) if n
            else None}


def gold_agreement(data: LabelData, metric: str, method: str, annotators: list[str] | None = None,
                   threshold: float = 0.5) -> dict[str, Any]:
    """{"gold", "metric": {decisions, accuracy}, "humans": {name: {decisions, accuracy}}} on the items the metric
    scored. A human with no other human to form a gold is left out."""
    data = data.restrict(annotators)
    humans = data.annotators
    scored = set(data.scored.loc[data.scored["metric"] == metric, "item_id"])
    scored |= set(data.predictions.loc[data.predictions["metric"] == metric, "item_id"])
    everyone, _ = gold_labels(data, humans, method)
    out: dict[str, Any] = {"gold": method, "metric": _share(everyone, _metric_answers(data, metric, threshold),
                                                            scored, fill=True), "humans": {}}
    for name in humans:
        others = [h for h in humans if h != name]
        if not others:
            continue
        gold, _ = gold_labels(data, others, method)
        out["humans"][name] = _share(gold, _answers(data, name), scored, fill=False)
    return out
