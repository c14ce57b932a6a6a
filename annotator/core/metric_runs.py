"""Running the built-in metrics over a project and storing what they say as predictions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from .metrics import METRIC, TAXONOMY, run_heuristics

BATCH = 2000


@dataclass
class MetricRunSummary:
    metric: str
    taxonomy: str
    items: int
    predictions: int

    def line(self) -> str:
        return f"metric {self.metric}: scored {self.items} items on {self.taxonomy}, {self.predictions} predictions"


def run_heuristic_metrics(project, progress: Callable[[int, int], None] | None = None) -> MetricRunSummary:
    """Score every rubric with the offline heuristics and store them as the metric `heuristic` in one
    transaction (a rerun replaces the earlier run)."""
    project.taxonomies.get(TAXONOMY)
    from .store.items import ItemFilter

    total = project.items.count(ItemFilter(kind="rubric"))
    scored: list[str] = []
    preds = []
    for item in project.items.iter_all():
        if item.kind != "rubric":
            continue
        scored.append(item.id)
        preds.extend(run_heuristics([item]))
        if progress and len(scored) % 50 == 0:
            progress(len(scored), total)
    n = project.predictions.store(TAXONOMY, METRIC, scored, preds)
    if progress:
        progress(total, total)
    return MetricRunSummary(METRIC, TAXONOMY, len(scored), n)
