"""Whose finished work counts in a figure (DESIGN 10.3): one choice shared by agreement, F1 and the alt-test.

By default every human annotator who finished at least `min_items` items of the taxonomy counts (or every item,
when the taxonomy has fewer): an annotator who tried two items would otherwise drag a team's figures with two
items' worth of noise. The others are not dropped silently: they are listed with their counts, in the reports
and in the app, where they can be ticked back in.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import NotFound, UsageError
from .data import LabelData

DEFAULT_MIN_ITEMS = 5


@dataclass(frozen=True)
class AnnotatorChoice:
    """The annotators a figure uses, those left out with how many items each finished, and every count."""

    chosen: list[str]
    left_out: dict[str, int]
    items: dict[str, int]
    min_items: int

    def to_json(self) -> dict:
        return {"annotators": list(self.chosen), "annotators_left_out": dict(self.left_out),
                "min_items": self.min_items}


def finished_counts(data: LabelData) -> dict[str, int]:
    """How many items of the taxonomy each annotator finished, by name."""
    counts = data.done.groupby("annotator")["item_id"].nunique()
    return {str(name): int(n) for name, n in sorted(counts.items())}


def choose_annotators(data: LabelData, named: list[str] | None = None, min_items: int = DEFAULT_MIN_ITEMS,
                      humans: set[str] | None = None) -> AnnotatorChoice:
    """The default set (humans with at least `min_items` finished items, or all items when fewer exist), or
    exactly the `named` annotators when the user names them. `humans=None` treats everyone as human."""
    if min_items < 1:
        raise UsageError(f"--min-items must be at least 1, got {min_items}")
    counts = finished_counts(data)
    if named:
        if len(set(named)) != len(named):
            raise UsageError("an annotator is named twice")
        missing = [a for a in named if a not in counts]
        if missing:
            raise NotFound(f"no finished items for taxonomy {data.taxonomy.id!r} by: {', '.join(missing)}")
        chosen = list(named)
    else:
        n_items = int(data.done["item_id"].nunique())
        need = min(min_items, n_items)
        pool = [a for a in counts if humans is None or a in humans]
        chosen = [a for a in pool if counts[a] >= need]
    left = {a: n for a, n in counts.items() if a not in chosen and (humans is None or a in humans or named)}
    return AnnotatorChoice(chosen=chosen, left_out=left, items=counts, min_items=min_items)
