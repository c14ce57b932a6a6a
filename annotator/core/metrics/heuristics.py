"""The built-in automated rubric-quality metric: one offline heuristic per RIFT failure mode (DESIGN 5).

`annotator metrics run` stores what `run_heuristics` yields as the predictions of the metric `heuristic` on
the taxonomy `rift`, so the F1 report can say how far surface cues alone agree with the human annotators.
Every heuristic maps an item to {target: score in [0, 1]}; its docstring says what it looks for.
"""

from __future__ import annotations

import functools
from typing import Callable, Iterable, Iterator

from ..model import Item, Prediction
from ..targets import criterion as criterion_target
from . import criterion_checks, rubric_checks

METRIC = "heuristic"
TAXONOMY = "rift"

Heuristic = Callable[[Item], dict[str, float]]


def _per_criterion(check: Callable[[str, Item], float]) -> Heuristic:
    """Lift a one-criterion check to the whole item, keeping the check's name and docstring."""

    @functools.wraps(check)
    def run(item: Item) -> dict[str, float]:
        return {criterion_target(c.id): check(c.text, item) for c in item.criteria}

    return run


def _on_item(check: Callable[[Item], float]) -> Heuristic:
    @functools.wraps(check)
    def run(item: Item) -> dict[str, float]:
        return {"item": check(item)}

    return run


HEURISTICS: dict[str, Heuristic] = {
    "subjective": _per_criterion(criterion_checks.subjective),
    "non_atomic": _per_criterion(criterion_checks.non_atomic),
    "ungrounded": _per_criterion(criterion_checks.ungrounded),
    "misaligned_or_rigid": _per_criterion(criterion_checks.misaligned_or_rigid),
    "hackable": _per_criterion(criterion_checks.hackable),
    "missing_criteria": _on_item(rubric_checks.missing_criteria),
    "low_signal": _on_item(rubric_checks.low_signal),
    "redundant_criteria": _on_item(rubric_checks.redundant_criteria),
}


def run_heuristics(items: Iterable[Item]) -> Iterator[Prediction]:
    """One prediction per (unit, label) with a positive score, for every rubric item (other kinds are not
    rubrics and are skipped). The caller marks every rubric item as scored, so a missing row means score 0."""
    for item in items:
        if item.kind != "rubric":
            continue
        for label, heuristic in HEURISTICS.items():
            for target, score in heuristic(item).items():
                score = min(1.0, max(0.0, float(score)))
                if score > 0:
                    yield Prediction(item_id=item.id, taxonomy=TAXONOMY, metric=METRIC, target=target,
                                     label=label, score=round(score, 4))
