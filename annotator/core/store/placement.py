"""Where a label may go: the one check every path that writes labels runs (a key press, a labels CSV, a merged
project file, a metric's predictions).

A label needs an annotator, a taxonomy the project holds (or a built-in one it may take on), an item that
exists and is of a kind the taxonomy applies to, a label of that taxonomy on a target of the label's kind that
the item has, and, in a single-choice taxonomy, no other answer from the same annotator on the same unit: not
earlier in the same input, and not already stored. Callers that write one label at a time (the app) resolve
that last clash by replacing the old answer; callers that bring many in (imports, merges) refuse it.

A `Placement` serves one batch of writes: it reads what it needs (item kinds, units, stored single-choice
answers) a chunk of items at a time and remembers it, so checking a hundred thousand rows costs a few queries
per thousand items rather than several per row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, Mapping

from sqlalchemy import Connection, select

from ..taxonomy import Taxonomy
from .tables import ITEM, LABEL, UNIT

CHUNK = 500  # ids per IN (...) list: far below every backend's parameter limit


@dataclass(frozen=True)
class ItemFacts:
    """What placing a label on an item needs to know about it."""

    kind: str
    units: frozenset[str]


def load_item_facts(conn: Connection, item_ids: Iterable[str]) -> dict[str, ItemFacts]:
    """Kinds and criterion/step targets of the items the project holds among `item_ids`."""
    ids = sorted(set(item_ids))
    kinds: dict[str, str] = {}
    units: dict[str, set[str]] = {}
    for i in range(0, len(ids), CHUNK):
        chunk = ids[i:i + CHUNK]
        kinds.update({i: k for i, k in conn.execute(select(ITEM.c.id, ITEM.c.kind).where(ITEM.c.id.in_(chunk)))})
        for item_id, target in conn.execute(select(UNIT.c.item_id, UNIT.c.target).where(UNIT.c.item_id.in_(chunk))):
            units.setdefault(item_id, set()).add(target)
    return {i: ItemFacts(k, frozenset(units.get(i, ()))) for i, k in kinds.items()}


class Placement:
    """Checks labels before a batch of them is written; see the module docstring for the rules.

    `taxonomies(id)` gives the taxonomy a label names, or None when the project has none by that id and may not
    take one on. `extra_items` are items about to arrive in the same write (a merge brings items and their
    labels together). `stored_answers` False leaves the project's own single-choice answers out (a merge reads
    them itself, to name the file they clash with)."""

    def __init__(self, conn: Connection | None, taxonomies: Callable[[str], Taxonomy | None],
                 extra_items: Mapping[str, ItemFacts] | None = None, stored_answers: bool = True,
                 known_items: dict[str, ItemFacts] | None = None):
        self._conn = conn
        self._taxonomies = taxonomies
        self._extra = extra_items or {}
        # Items never change once stored, so a caller may keep `known_items` from one write to the next.
        self._facts: dict[str, ItemFacts] = {} if known_items is None else known_items
        self._missing: set[str] = set()
        self._stored_answers = stored_answers
        # (item, taxonomy, annotator, target) -> (label, where it came from) for single-choice taxonomies
        self._answers: dict[tuple[str, str, str, str], tuple[str, str]] = {}
        self._answers_read: set[str] = set()

    # --- reading ahead ------------------------------------------------------------------------------------
    def prefetch(self, item_ids: Iterable[str]) -> None:
        """Read what the check needs for these items in a few queries (optional: the check reads lazily)."""
        item_ids = set(item_ids)
        wanted = {i for i in item_ids if i not in self._facts and i not in self._missing}
        if wanted:
            found = load_item_facts(self._conn, wanted)
            for item_id in wanted:
                facts = found.get(item_id) or self._extra.get(item_id)
                if facts is None:
                    self._missing.add(item_id)
                else:
                    self._facts[item_id] = facts
        self._read_answers(item_ids)

    def _item(self, item_id: str) -> ItemFacts | None:
        if item_id not in self._facts and item_id not in self._missing:
            found = load_item_facts(self._conn, [item_id]).get(item_id) or self._extra.get(item_id)
            if found is None:
                self._missing.add(item_id)
                return None
            self._facts[item_id] = found
        return self._facts.get(item_id)

    def _read_answers(self, item_ids: set[str]) -> None:
        if not self._stored_answers:
            return
        ids = sorted(item_ids - self._answers_read)
        self._answers_read.update(ids)
        for i in range(0, len(ids), CHUNK):
            rows = self._conn.execute(select(LABEL.c.item_id, LABEL.c.taxonomy, LABEL.c.annotator, LABEL.c.target,
                                             LABEL.c.label).where(LABEL.c.item_id.in_(ids[i:i + CHUNK])))
            for item_id, tax_id, annotator, target, label in rows:
                tax = self._taxonomies(tax_id)
                if tax is not None and tax.choice == "single":
                    self._answers.setdefault((item_id, tax_id, annotator, target), (label, "in the project"))

    def taxonomy(self, taxonomy_id: str) -> Taxonomy | None:
        return self._taxonomies(taxonomy_id)

    def kind(self, item_id: str) -> str | None:
        facts = self._item(item_id)
        return facts.kind if facts else None

    # --- the check ----------------------------------------------------------------------------------------
    def problem(self, item_id: str, taxonomy: str, annotator: str, target: str, label: str,
                where: str = "", single: bool = True) -> tuple[str, str] | None:
        """Why this label cannot be stored, as (field, message), or None when it can.

        An empty `label` asks only whether the target may be marked (a "nothing here" row). With `single`
        false the single-choice rule is left to the caller (the app replaces the old answer). `where` names
        this label's origin (a line) in the message another label of the same batch would get."""
        if not (annotator or "").strip():
            return "annotator", "an annotator name is needed"
        tax = self._taxonomies(taxonomy)
        if tax is None:
            return "taxonomy", f"the project has no taxonomy {taxonomy!r}"
        facts = self._item(item_id)
        if facts is None:
            return "item_id", f"item {item_id!r} is not in the project"
        if facts.kind not in tax.applies_to:
            return "taxonomy", f"taxonomy {tax.id!r} does not apply to {facts.kind} items"
        problem = tax.placement_problem(label, target, facts.units)
        if problem is not None:
            field, message = problem
            return field, message.replace("the item has", f"item {item_id!r} has")
        if single and label and tax.choice == "single":
            if item_id not in self._answers_read:
                self._read_answers({item_id})
            key = (item_id, taxonomy, annotator, target)
            earlier = self._answers.get(key)
            if earlier is not None and earlier[0] != label:
                return "label", (f"{taxonomy!r} takes one answer per unit, and {annotator!r} already answered "
                                 f"{earlier[0]!r} on {item_id} {target} {earlier[1]}")
            if earlier is None:
                self._answers[key] = (label, where)
        return None
