"""Sections the agreement and F1 reports add beside their own figures: per-annotator reliability from a
reliability model, and the anchoring comparison for metrics whose suggestions annotators saw.

Both are computed once per report from the data the report already holds (the chosen annotators' finished
work), so asking for them costs one model fit and one bootstrap of items per metric.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..errors import NotFound, UsageError
from .anchoring import RESAMPLES, anchoring_report
from .data import LabelData
from .reliability import METHODS, model_gold

RELIABILITY_CHOICES = (*METHODS, "none")
NO_INTERVAL = "a point estimate from the fitted model: it has no interval"


def check_reliability(method: str | None) -> str | None:
    """The method to fit, or None for `none`; a usage error for anything else."""
    if method is None or method == "none":
        return None
    if method not in METHODS:
        raise UsageError(f"--reliability must be one of {', '.join(RELIABILITY_CHOICES)}, got {method!r}")
    return method


def reliability_section(data: LabelData, method: str, annotators: list[str], seed: int = 0) -> dict[str, Any]:
    """`{"method", "annotators": {name: {"reliability", "answers"}}, "note"}` for `annotators` on `data`.

    The model needs at least two annotators to tell a careful one from a careless one; with fewer, or when it
    cannot be fitted (a taxonomy with a single category), the section says why instead of giving numbers."""
    section: dict[str, Any] = {"method": method, "annotators": {}, "note": NO_INTERVAL}
    if len(annotators) < 2:
        section["note"] = "a reliability model needs at least two annotators"
        return section
    try:
        gold = model_gold(data, method, annotators, seed=seed)
    except ValueError as exc:
        section["note"] = f"the model could not be fitted: {exc}"
        return section
    section["annotators"] = {name: {"reliability": gold.reliability.get(name), "answers": gold.answers.get(name, 0)}
                             for name in annotators}
    return section


def anchoring_metrics(data: LabelData, shown: pd.DataFrame, metric: str | None = None) -> list[str]:
    """The metrics to compare: `metric` when named (it must have scored the taxonomy), else every metric that
    both scored the taxonomy and has suggestion records."""
    if metric is not None:
        if metric not in data.metrics:
            raise NotFound(f"metric {metric!r} has scored nothing in taxonomy {data.taxonomy.id!r} "
                           f"(metrics there: {', '.join(data.metrics) or 'none'})")
        return [metric]
    recorded = set(shown["metric"]) if len(shown) else set()
    return [m for m in data.metrics if m in recorded]


def anchoring_sections(data: LabelData, shown: pd.DataFrame, metrics: list[str], threshold: float = 0.5,
                       resamples: int = RESAMPLES, seed: int = 0) -> dict[str, dict[str, Any]]:
    """One anchoring comparison per metric, keyed by the metric's name."""
    return {m: anchoring_report(data, m, shown, threshold=threshold, resamples=resamples, seed=seed)
            for m in metrics}
