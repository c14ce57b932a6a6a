"""Labels, notes and completion: the writes an annotator makes hundreds of times an hour.

Each call is one transaction and returns what it changed, so the app's undo stack can replay the inverse
through the same store (undo is just another user action, committed at once).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from sqlalchemy import Connection, and_, bindparam, delete, func, insert, select, update

from ..errors import NotFound, UsageError
from ..model import Label
from .database import DriverStatement, DriverWrite
from .placement import ItemFacts, Placement
from .tables import ANNOTATOR, COMPLETION, ITEM, LABEL, NOTE, UNIT

if TYPE_CHECKING:
    from .items import ItemFilter
    from .project import Project


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@dataclass(frozen=True)
class LabelChange:
    """What one label action did: labels added and labels removed (a single-choice label replaces another)."""

    added: tuple[Label, ...] = ()
    removed: tuple[Label, ...] = ()

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed)

    def inverse(self) -> "LabelChange":
        return LabelChange(added=self.removed, removed=self.added)


@dataclass(frozen=True)
class NoteChange:
    item_id: str
    taxonomy: str
    annotator: str
    target: str
    before: str
    after: str

    def inverse(self) -> "NoteChange":
        return NoteChange(self.item_id, self.taxonomy, self.annotator, self.target, self.after, self.before)


@dataclass(frozen=True)
class DoneChange:
    item_id: str
    taxonomy: str
    annotator: str
    before: bool
    after: bool

    def inverse(self) -> "DoneChange":
        return DoneChange(self.item_id, self.taxonomy, self.annotator, self.after, self.before)


def ensure_annotator(conn: Connection, name: str, kind: str = "human") -> None:
    if conn.execute(select(ANNOTATOR.c.name).where(ANNOTATOR.c.name == name)).first() is None:
        conn.execute(insert(ANNOTATOR).values(name=name, kind=kind, created_at=now()))


_UNIT = and_(LABEL.c.item_id == bindparam("item_id"), LABEL.c.taxonomy == bindparam("taxonomy"),
             LABEL.c.annotator == bindparam("annotator"), LABEL.c.target == bindparam("target"))
_ONE = and_(_UNIT, LABEL.c.label == bindparam("label"))
_HAS_LABEL = DriverStatement(select(LABEL.c.pk).where(_ONE))
_TAKE_LABEL = DriverStatement(delete(LABEL).where(_ONE).returning(LABEL.c.label, LABEL.c.created_at))
_TAKE_UNIT = DriverStatement(delete(LABEL).where(_UNIT).returning(LABEL.c.label, LABEL.c.created_at))
_GIVE = DriverStatement(insert(LABEL).values(
    item_id=bindparam("item_id"), taxonomy=bindparam("taxonomy"), annotator=bindparam("annotator"),
    target=bindparam("target"), label=bindparam("label"), created_at=bindparam("created_at")))
_ITEM_KIND = DriverStatement(select(ITEM.c.kind).where(ITEM.c.id == bindparam("item_id")))
_ITEM_UNITS = DriverStatement(select(UNIT.c.target).where(UNIT.c.item_id == bindparam("item_id")))
_HAS_ANNOTATOR = DriverStatement(select(ANNOTATOR.c.name).where(ANNOTATOR.c.name == bindparam("name")))
_ADD_ANNOTATOR = DriverStatement(insert(ANNOTATOR).values(name=bindparam("name"), kind=bindparam("kind"),
                                                          created_at=bindparam("created_at")))


def _params(lab: Label) -> dict[str, str]:
    return {"item_id": lab.item_id, "taxonomy": lab.taxonomy, "annotator": lab.annotator, "target": lab.target,
            "label": lab.label}


class LabelStore:
    def __init__(self, project: "Project"):
        self._p = project
        self._db = project.db
        # Items and annotators are never taken out of a project, so what one write learnt about them holds for
        # the next: a key press then needs no query besides its own DELETE and INSERT.
        self._items: dict[str, ItemFacts] = {}
        self._annotators: set[str] = set()

    # --- validation -----------------------------------------------------------------------------------
    def placement(self, conn: Connection, **options) -> Placement:
        """The placement check for a batch of writes in `conn`, sharing what this store knows of items."""
        return Placement(conn, lambda tax_id: self._p.taxonomies.lookup(tax_id, builtin=False),
                         known_items=self._items, **options)

    def check(self, tx: DriverWrite, lab: Label) -> None:
        """Refuse a label the taxonomy does not have, or a target that is not on the item or of the wrong kind.

        Answered from what this store knows once it has read the item (items never change once stored): a
        key press on a known item adds no statement to its transaction. The single-choice rule is not checked
        here: a new answer from the app replaces the old one."""
        if lab.item_id not in self._items:
            kind = tx.run(_ITEM_KIND, item_id=lab.item_id)
            if not kind:
                raise NotFound(f"no item {lab.item_id!r} in the project")
            units = frozenset(target for target, in tx.run(_ITEM_UNITS, item_id=lab.item_id))
            self._items[lab.item_id] = ItemFacts(kind[0][0], units)
        # every item the check asks about is known by now, so the placement never reads from its connection
        problem = self.placement(None).problem(lab.item_id, lab.taxonomy, lab.annotator, lab.target, lab.label,
                                               single=False)
        if problem is None:
            return
        field, message = problem
        if field == "annotator":
            raise UsageError(message)
        if message.startswith("the project has no") or field == "label" or " has no " in message:
            raise NotFound(message)
        raise UsageError(message)

    # --- writes ---------------------------------------------------------------------------------------
    def _take_away(self, tx: DriverWrite, lab: Label, whole_unit: bool) -> list[Label]:
        """Delete the label (or, with `whole_unit`, every label of the annotator on its unit); return them."""
        params = _params(lab)
        if whole_unit:
            del params["label"]
        rows = tx.run(_TAKE_UNIT if whole_unit else _TAKE_LABEL, **params)
        return [lab.model_copy(update={"label": label, "created_at": _parse_time(created)}) for label, created in rows]

    def _give(self, tx: DriverWrite, lab: Label) -> Label:
        if lab.annotator not in self._annotators and not tx.run(_HAS_ANNOTATOR, name=lab.annotator):
            tx.run(_ADD_ANNOTATOR, name=lab.annotator, kind="human", created_at=now())
        stamp = lab.created_at.isoformat(timespec="seconds") if lab.created_at else now()
        tx.run(_GIVE, **_params(lab), created_at=stamp)
        return lab.model_copy(update={"created_at": _parse_time(stamp)})

    def _write(self, lab: Label, mode: str) -> LabelChange:
        """One label action in one transaction of at most two statements once the item is known: a DELETE
        that returns what it removed, then (when giving) an INSERT. In a single-choice taxonomy the DELETE
        takes the annotator's whole answer on the unit, which is how a new answer replaces the old."""
        if mode != "remove":
            single = self._p.taxonomies.get(lab.taxonomy).choice == "single"

        def work(tx: DriverWrite) -> LabelChange:
            if mode == "remove":
                return LabelChange(removed=tuple(self._take_away(tx, lab, whole_unit=False)))
            self.check(tx, lab)
            if mode == "add":
                if tx.run(_HAS_LABEL, **_params(lab)):
                    return LabelChange()
                gone = self._take_away(tx, lab, whole_unit=True) if single else []
            else:
                gone = self._take_away(tx, lab, whole_unit=single)
                if any(g.label == lab.label for g in gone):
                    return LabelChange(removed=tuple(gone))
            return LabelChange(added=(self._give(tx, lab),), removed=tuple(gone))

        change = self._db.write_on_driver(work)
        if change.changed or mode == "add":  # a label of theirs was there or went in: the annotator exists
            self._annotators.add(lab.annotator)
        return change

    def add(self, item_id: str, taxonomy: str, annotator: str, target: str, label: str) -> LabelChange:
        return self._write(Label(item_id=item_id, taxonomy=taxonomy, annotator=annotator, target=target,
                                 label=label), "add")

    def remove(self, item_id: str, taxonomy: str, annotator: str, target: str, label: str) -> LabelChange:
        return self._write(Label(item_id=item_id, taxonomy=taxonomy, annotator=annotator, target=target,
                                 label=label), "remove")

    def toggle(self, item_id: str, taxonomy: str, annotator: str, target: str, label: str) -> LabelChange:
        """Give the label if it is not there, take it away if it is: what a label key does."""
        return self._write(Label(item_id=item_id, taxonomy=taxonomy, annotator=annotator, target=target,
                                 label=label), "toggle")

    def apply(self, change: LabelChange) -> LabelChange:
        """Apply a change (for redo, or its inverse for undo) in one transaction, on the driver as a toggle is:
        a DELETE per label taken away, a look and an INSERT per label given back."""

        def work(tx: DriverWrite) -> LabelChange:
            for lab in change.removed:
                tx.run(_TAKE_LABEL, **_params(lab))
            for lab in change.added:
                if not tx.run(_HAS_LABEL, **_params(lab)):
                    self._give(tx, lab)
            return change

        result = self._db.write_on_driver(work)
        self._annotators.update(lab.annotator for lab in change.added)
        return result

    # --- reads ----------------------------------------------------------------------------------------
    def for_item(self, item_id: str, taxonomy: str | None = None, annotator: str | None = None) -> list[Label]:
        conds = [LABEL.c.item_id == item_id]
        if taxonomy:
            conds.append(LABEL.c.taxonomy == taxonomy)
        if annotator:
            conds.append(LABEL.c.annotator == annotator)
        with self._db.read() as conn:
            rows = conn.execute(select(LABEL).where(and_(*conds)).order_by(LABEL.c.pk)).all()
        return [Label(item_id=r.item_id, taxonomy=r.taxonomy, annotator=r.annotator, target=r.target,
                      label=r.label, created_at=_parse_time(r.created_at)) for r in rows]

    def count(self) -> int:
        with self._db.read() as conn:
            return int(conn.execute(select(func.count()).select_from(LABEL)).scalar() or 0)


class NoteStore:
    def __init__(self, project: "Project"):
        self._db = project.db

    def get(self, item_id: str, taxonomy: str, annotator: str, target: str = "item") -> str:
        with self._db.read() as conn:
            return conn.execute(select(NOTE.c.text).where(and_(
                NOTE.c.item_id == item_id, NOTE.c.taxonomy == taxonomy, NOTE.c.annotator == annotator,
                NOTE.c.target == target))).scalar() or ""

    def for_item(self, item_id: str, taxonomy: str, annotator: str) -> dict[str, str]:
        with self._db.read() as conn:
            rows = conn.execute(select(NOTE.c.target, NOTE.c.text).where(and_(
                NOTE.c.item_id == item_id, NOTE.c.taxonomy == taxonomy, NOTE.c.annotator == annotator)))
            return {t: x for t, x in rows}

    def set(self, item_id: str, taxonomy: str, annotator: str, target: str, text: str) -> NoteChange:
        """Set (or, with empty text, clear) a note; returns the change for undo."""

        def work(conn: Connection) -> NoteChange:
            if conn.execute(select(ITEM.c.id).where(ITEM.c.id == item_id)).first() is None:
                raise NotFound(f"no item {item_id!r} in the project")
            ensure_annotator(conn, annotator)
            key = and_(NOTE.c.item_id == item_id, NOTE.c.taxonomy == taxonomy, NOTE.c.annotator == annotator,
                       NOTE.c.target == target)
            before = conn.execute(select(NOTE.c.text).where(key)).scalar()
            text_ = text.strip()
            if not text_:
                conn.execute(delete(NOTE).where(key))
            elif before is None:
                conn.execute(insert(NOTE).values(item_id=item_id, taxonomy=taxonomy, annotator=annotator,
                                                 target=target, text=text_, updated_at=now()))
            else:
                conn.execute(update(NOTE).where(key).values(text=text_, updated_at=now()))
            return NoteChange(item_id, taxonomy, annotator, target, before or "", text_)

        return self._db.write(work)

    def apply(self, change: NoteChange) -> NoteChange:
        return self.set(change.item_id, change.taxonomy, change.annotator, change.target, change.after)


class CompletionStore:
    def __init__(self, project: "Project"):
        self._p = project
        self._db = project.db

    def set_done(self, item_id: str, taxonomy: str, annotator: str, done: bool = True) -> DoneChange:
        self._p.taxonomies.get(taxonomy)

        def work(conn: Connection) -> DoneChange:
            if conn.execute(select(ITEM.c.id).where(ITEM.c.id == item_id)).first() is None:
                raise NotFound(f"no item {item_id!r} in the project")
            ensure_annotator(conn, annotator)
            key = and_(COMPLETION.c.item_id == item_id, COMPLETION.c.taxonomy == taxonomy,
                       COMPLETION.c.annotator == annotator)
            before = conn.execute(select(COMPLETION.c.done_at).where(key)).first() is not None
            if done and not before:
                conn.execute(insert(COMPLETION).values(item_id=item_id, taxonomy=taxonomy, annotator=annotator,
                                                       done_at=now()))
            elif not done and before:
                conn.execute(delete(COMPLETION).where(key))
            return DoneChange(item_id, taxonomy, annotator, before, done)

        return self._db.write(work)

    def apply(self, change: DoneChange) -> DoneChange:
        return self.set_done(change.item_id, change.taxonomy, change.annotator, change.after)

    def is_done(self, item_id: str, taxonomy: str, annotator: str) -> bool:
        with self._db.read() as conn:
            return conn.execute(select(COMPLETION.c.item_id).where(and_(
                COMPLETION.c.item_id == item_id, COMPLETION.c.taxonomy == taxonomy,
                COMPLETION.c.annotator == annotator))).first() is not None

    def progress(self, annotator: str, taxonomy: str) -> tuple[int, int]:
        """(done, total) for an annotator in a taxonomy, counting the items the taxonomy applies to."""
        tax = self._p.taxonomies.get(taxonomy)
        with self._db.read() as conn:
            total = conn.execute(select(func.count()).select_from(ITEM)
                                 .where(ITEM.c.kind.in_(tax.applies_to))).scalar() or 0
            done = conn.execute(select(func.count()).select_from(COMPLETION).where(and_(
                COMPLETION.c.annotator == annotator, COMPLETION.c.taxonomy == taxonomy))).scalar() or 0
        return int(done), int(total)

    def done_counts(self) -> dict[str, dict[str, int]]:
        with self._db.read() as conn:
            rows = conn.execute(select(COMPLETION.c.annotator, COMPLETION.c.taxonomy, func.count())
                                .group_by(COMPLETION.c.annotator, COMPLETION.c.taxonomy)
                                .order_by(COMPLETION.c.annotator, COMPLETION.c.taxonomy)).all()
        out: dict[str, dict[str, int]] = {}
        for ann, tax, n in rows:
            out.setdefault(ann, {})[tax] = int(n)
        return out

    def next_undone(self, after_item_id: str | None, annotator: str, taxonomy: str,
                    within: ItemFilter | None = None) -> str | None:
        """The next item in list order (wrapping round) that the taxonomy applies to and the annotator has not
        finished; None when every one is done. `within` keeps to the items a filtered list shows."""
        tax = self._p.taxonomies.get(taxonomy)
        with self._db.read() as conn:
            pos = -1
            if after_item_id is not None:
                pos = conn.execute(select(ITEM.c.position).where(ITEM.c.id == after_item_id)).scalar() or -1
            done = select(COMPLETION.c.item_id).where(and_(COMPLETION.c.annotator == annotator,
                                                           COMPLETION.c.taxonomy == taxonomy))
            base = select(ITEM.c.id).where(and_(ITEM.c.kind.in_(tax.applies_to), ITEM.c.id.not_in(done)))
            listed = self._p.items.where_clause(within) if within is not None else None
            if listed is not None:
                base = base.where(listed)
            found = conn.execute(base.where(ITEM.c.position > pos).order_by(ITEM.c.position).limit(1)).scalar()
            if found is None:
                found = conn.execute(base.order_by(ITEM.c.position).limit(1)).scalar()
            return found


def _parse_time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None
