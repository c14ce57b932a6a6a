"""What a write changed, told to every panel at once (Anki's OpChanges and operation_did_execute, in small).

Each action that writes to the project (a label, a note, done, an undo; an import, a merge, a judge run, the
heuristics, a gold decision) ends by emitting one `Changes` on the main window's `operationExecuted` signal.
Panels never call each other: each looks at what changed and decides for itself whether to redraw now, mark
its figures stale, or ignore it. `initiator` lets the panel that made the change skip the echo of its own write.
"""

from __future__ import annotations

from dataclasses import dataclass

ALL = None  # a write whose reach is not one taxonomy (an import, a merge): every taxonomy may have moved


@dataclass(frozen=True)
class Changes:
    labels: bool = False        # labels given or taken away (also by undo, import, merge)
    notes: bool = False
    done: bool = False          # completion marks
    items: bool = False         # items came in
    predictions: bool = False   # a metric's predictions were stored (judge run, heuristics, import)
    gold: bool = False          # an adjudicated answer was set or cleared
    taxonomies: frozenset[str] | None = ALL  # the taxonomies touched; None means any of them
    initiator: object | None = None

    def touches(self, taxonomy: str | None) -> bool:
        """True when a change may have moved the figures of `taxonomy` (any taxonomy when None)."""
        return taxonomy is None or self.taxonomies is None or taxonomy in self.taxonomies

    @property
    def figures(self) -> bool:
        """True when agreement, F1 or the alt-test may read differently now (notes never count)."""
        return self.labels or self.done or self.items or self.predictions or self.gold

    @property
    def human_work(self) -> bool:
        """True when the annotators' finished work may read differently now (what agreement is computed on)."""
        return self.labels or self.done or self.items

    @classmethod
    def of_taxonomy(cls, taxonomy: str, **what: bool) -> Changes:
        return cls(taxonomies=frozenset({taxonomy}), **what)
