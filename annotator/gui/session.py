"""The annotating session: one annotator, one open project, the item on screen and every write the app makes.

Panels never talk to each other. They read the session's state and call its methods; the session writes
through the core's `Project` facade (each write committed at once), pushes an undoable command, and announces
what changed with a signal so each panel decides what to redraw (Anki's OpChanges idea, in small).
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from ..core.errors import AnnotatorError
from ..core.model import Item, Label
from ..core.store import DoneChange, ItemFilter, LabelChange, NoteChange, Project
from ..core.targets import parse_target
from ..core.targets import span as span_target
from ..core.taxonomy import LabelDef, Taxonomy
from .changes import Changes
from .prefetch import ItemPrefetch
from .undo import StoreCommand


class AnnotationSession(QObject):
    itemChanged = Signal()          # another item (or none) is on screen
    unitChanged = Signal()          # the selected unit moved
    taxonomyChanged = Signal()      # the active taxonomy changed
    labelsChanged = Signal()        # labels or notes of the item on screen changed
    doneChanged = Signal(str)       # the completion of this item changed
    spanChanged = Signal()          # the selected stretch of text changed
    aboutToChange = Signal()        # the item, unit or taxonomy is about to change: finish edits now
    saved = Signal(str)             # a write was committed; the text says what
    failed = Signal(str)            # an action was refused; the text says why
    changed = Signal(object)        # a write was committed: the Changes it made, for every other panel
    leftUnfinished = Signal(str, list)  # item id, names of taxonomies with labels there but not marked done

    def __init__(self, project: Project, annotator: str, undo_stack: QUndoStack | None = None,
                 parent: QObject | None = None, remembered: dict[str, str] | None = None):
        super().__init__(parent)
        # the targets on the item on screen that the last announced change touched; None when any may have
        # changed (a done change), so a view can redraw one row instead of every row on a label key
        self.touched: frozenset[str] | None = None
        self.project = project
        self.annotator = annotator
        self.undo_stack = undo_stack if undo_stack is not None else QUndoStack(self)
        self.item: Item | None = None
        self.units: list[str] = []
        self.unit_index = 0
        self.taxonomy: Taxonomy | None = None
        self.span: tuple[str, int, int] | None = None
        self.labels: list[Label] = []
        self.notes: dict[str, str] = {}
        self._active: dict[str, str] = dict(remembered or {})
        self.prefetch = ItemPrefetch(project, self)  # the neighbours of the item on screen, read ahead

    # --- what is on screen --------------------------------------------------------------------------
    def open_item(self, item_id: str | None) -> None:
        if item_id is None:
            self.aboutToChange.emit()
            self.item, self.units, self.taxonomy = None, [], None
            self.labels, self.notes, self.span = [], {}, None
            self.itemChanged.emit()
            return
        if self.item is not None and self.item.id == item_id:
            return
        self.aboutToChange.emit()
        try:
            item = self.prefetch.take(item_id) or self.project.items.get(item_id)
        except AnnotatorError as exc:
            self.failed.emit(str(exc))
            return
        left = self.unfinished_taxonomies()
        if left and self.item is not None:
            self.leftUnfinished.emit(self.item.id, left)
        self.item = item
        prefix = "step" if item.kind == "trace" else "criterion"
        self.units = ["item", *(f"{prefix}:{u.id}" for u in item.units)]
        self.unit_index = 1 if len(self.units) > 1 else 0
        self.span = None
        self.taxonomy = self._choose_taxonomy(item.kind)
        self._fit_unit()
        self._reload()
        self.itemChanged.emit()

    def unfinished_taxonomies(self) -> list[str]:
        """Names of the taxonomies in which this annotator labelled the item on screen but has not marked it
        done: work that figures leave out until it is, and that is easy to forget when moving on."""
        if self.item is None:
            return []
        names = []
        for tax_id in sorted({lab.taxonomy for lab in self.labels}):
            if not self.project.completion.is_done(self.item.id, tax_id, self.annotator):
                try:
                    names.append(self.project.taxonomies.get(tax_id).name)
                except AnnotatorError:
                    names.append(tax_id)
        return names

    def taxonomies_for_item(self) -> list[Taxonomy]:
        return self.project.taxonomies.for_kind(self.item.kind) if self.item else []

    def _choose_taxonomy(self, kind: str) -> Taxonomy | None:
        options = self.project.taxonomies.for_kind(kind)
        wanted = self._active.get(kind)
        for tax in options:
            if tax.id == wanted:
                return tax
        return options[0] if options else None

    def set_taxonomy(self, taxonomy_id: str) -> None:
        if self.item is None or (self.taxonomy and self.taxonomy.id == taxonomy_id):
            return
        for tax in self.taxonomies_for_item():
            if tax.id == taxonomy_id:
                self.aboutToChange.emit()
                self.taxonomy = tax
                self._active[self.item.kind] = tax.id
                if self._fit_unit():
                    self.span = None
                self._reload()
                self.taxonomyChanged.emit()
                self.unitChanged.emit()
                return
        self.failed.emit(f"taxonomy {taxonomy_id!r} does not apply to {self.item.kind} items")

    def cycle_taxonomy(self) -> None:
        options = self.taxonomies_for_item()
        if len(options) > 1 and self.taxonomy is not None:
            ids = [t.id for t in options]
            self.set_taxonomy(ids[(ids.index(self.taxonomy.id) + 1) % len(ids)])

    @property
    def active_taxonomies(self) -> dict[str, str]:
        """The taxonomy chosen for each item kind, to remember between runs."""
        return dict(self._active)

    def active_for_kind(self, kind: str) -> str | None:
        tax = self._choose_taxonomy(kind)
        return tax.id if tax else None

    def _reload(self) -> None:
        if self.item is None:
            return
        self.labels = self.project.labels.for_item(self.item.id, annotator=self.annotator)
        self.notes = (self.project.notes.for_item(self.item.id, self.taxonomy.id, self.annotator)
                      if self.taxonomy else {})

    def _take_in(self, change: LabelChange | NoteChange | DoneChange) -> None:
        """Bring the cached labels and notes up to date with a change the store just committed, instead of
        reading the item's labels again on every key. Idempotent: an undo that first reopened the item (and so
        read them afresh) finds its change already there."""
        if self.item is None:
            return
        if isinstance(change, LabelChange):
            mine = [lab for lab in (*change.removed, *change.added)
                    if lab.item_id == self.item.id and lab.annotator == self.annotator]
            gone = {_label_key(lab) for lab in mine}
            kept = [lab for lab in self.labels if _label_key(lab) not in gone]
            self.labels = kept + [lab for lab in change.added if lab in mine]
        elif isinstance(change, NoteChange):
            if (change.item_id == self.item.id and change.annotator == self.annotator and self.taxonomy is not None
                    and change.taxonomy == self.taxonomy.id):
                if change.after:
                    self.notes[change.target] = change.after
                else:
                    self.notes.pop(change.target, None)

    # --- units and text selections --------------------------------------------------------------------
    @property
    def unit(self) -> str:
        return self.units[self.unit_index] if self.units else "item"

    def usable(self, index: int) -> bool:
        """Whether the active taxonomy's keys can label unit `index` (any unit when no taxonomy applies)."""
        if not 0 <= index < len(self.units):
            return False
        kinds = {ldef.target for ldef in self.taxonomy.labels} if self.taxonomy else set()
        return not kinds or self.units[index].split(":", 1)[0] in kinds

    def _fit_unit(self) -> bool:
        """Put the selection on a unit the active taxonomy labels (caption errors go on the caption, not on a
        criterion), so the frame on screen is always where the keys act. True when it moved."""
        if self.usable(self.unit_index):
            return False
        for index in range(len(self.units)):
            if self.usable(index):
                self.unit_index = index
                return True
        return False

    def select_unit(self, index: int) -> None:
        if not self.units:
            return
        index = max(0, min(index, len(self.units) - 1))
        if not self.usable(index):
            return
        if index != self.unit_index or self.span is not None:
            if index != self.unit_index:
                self.aboutToChange.emit()
            self.unit_index = index
            self.span = None
            self.unitChanged.emit()

    def select_target(self, target: str) -> None:
        if target in self.units:
            self.select_unit(self.units.index(target))

    def move_unit(self, step: int) -> None:
        """j/k: the next (or previous) unit the active taxonomy labels; the selection stays at either end."""
        index = self.unit_index + step
        while 0 <= index < len(self.units) and not self.usable(index):
            index += step
        if 0 <= index < len(self.units):
            self.select_unit(index)

    def set_span(self, field: str, start: int, end: int) -> None:
        """The annotator selected characters [start, end) of a field; span labels go there next."""
        new = (field, start, end) if end > start else None
        if new != self.span:
            self.span = new
            self.spanChanged.emit()

    def clear_span(self) -> None:
        self.set_span("", 0, 0)

    # --- where a label goes -----------------------------------------------------------------------------
    def target_for(self, ldef: LabelDef) -> str | None:
        """A span label goes on the selected text, an item label on the item, a unit label on the selected
        unit; None when no unit of the right kind is selected."""
        if self.span is not None and ldef.spans:
            return span_target(*self.span)
        if ldef.target == "item":
            return "item"
        unit = self.unit
        return unit if unit.startswith(ldef.target + ":") else None

    def labels_on(self, target: str, taxonomy: str | None = None) -> list[Label]:
        return [lab for lab in self.labels if lab.target == target and (taxonomy is None or lab.taxonomy == taxonomy)]

    def is_on(self, ldef: LabelDef) -> bool:
        target = self.target_for(ldef)
        if target is None or self.taxonomy is None:
            return False
        return any(lab.label == ldef.id for lab in self.labels_on(target, self.taxonomy.id))

    def spans_in(self, field: str) -> list[tuple[int, int, Label]]:
        found = []
        for lab in self.labels:
            if lab.target.startswith("span:"):
                tgt = parse_target(lab.target)
                if tgt.ref == field:
                    found.append((tgt.start, tgt.end, lab))
        return sorted(found, key=lambda s: (s[0], s[1]))

    def label_def(self, taxonomy: str, label: str) -> LabelDef | None:
        try:
            return self.project.taxonomies.get(taxonomy).label(label)
        except AnnotatorError:
            return None

    def first_error(self) -> str | None:
        """The first step rated -1 (ProcessBench's first error), when the item is a rated trace."""
        if self.item is None or self.item.kind != "trace":
            return None
        wrong = {lab.target for lab in self.labels if lab.taxonomy == "step_rating" and lab.label == "-1"}
        for step in self.item.steps:
            if f"step:{step.id}" in wrong:
                return f"step:{step.id}"
        return None

    # --- writes -------------------------------------------------------------------------------------------
    def toggle_key(self, key: str) -> bool:
        """What a label key does in the active taxonomy; False when no label has that key."""
        if self.taxonomy is None:
            return False
        for ldef in self.taxonomy.labels:
            if ldef.key == key:
                self.toggle_label(ldef.id)
                return True
        return False

    def toggle_label(self, label_id: str, taxonomy: str | None = None, target: str | None = None) -> None:
        """Give or take away a label on its target (the one `target_for` picks unless given)."""
        if self.item is None:
            return
        tax_id = taxonomy or (self.taxonomy.id if self.taxonomy else None)
        if tax_id is None:
            self.failed.emit("no taxonomy applies to this item")
            return
        ldef = self.label_def(tax_id, label_id)
        if ldef is None:
            self.failed.emit(f"taxonomy {tax_id!r} has no label {label_id!r}")
            return
        if target is None:
            target = self.target_for(ldef) if tax_id == (self.taxonomy.id if self.taxonomy else None) else None
            if target is None and ldef.target == "item":
                target = "item"
            if target is None and self.unit.startswith(ldef.target + ":"):
                target = self.unit
        if target is None:
            self.failed.emit(f"{ldef.name} goes on a {ldef.target}: select one first (j/k)")
            return
        try:
            change = self.project.labels.toggle(self.item.id, tax_id, self.annotator, target, label_id)
        except AnnotatorError as exc:
            self.failed.emit(str(exc))
            return
        if target.startswith("span:"):
            self.span = None
            self.spanChanged.emit()
        verb = "added" if change.added and not change.removed else "removed" if not change.added else "changed"
        self._push(f"{ldef.name} {verb}", change, self.project.labels.apply)

    def remove_label(self, lab: Label) -> None:
        try:
            change = self.project.labels.remove(lab.item_id, lab.taxonomy, lab.annotator, lab.target, lab.label)
        except AnnotatorError as exc:
            self.failed.emit(str(exc))
            return
        ldef = self.label_def(lab.taxonomy, lab.label)
        self._push(f"{ldef.name if ldef else lab.label} removed", change, self.project.labels.apply)

    def note(self, target: str | None = None) -> str:
        return self.notes.get(target or self.unit, "")

    def set_note(self, text: str, target: str | None = None) -> None:
        if self.item is None or self.taxonomy is None:
            return
        target = target or self.unit
        if text.strip() == self.notes.get(target, ""):
            return
        try:
            change = self.project.notes.set(self.item.id, self.taxonomy.id, self.annotator, target, text)
        except AnnotatorError as exc:
            self.failed.emit(str(exc))
            return
        self._push("note", change, self.project.notes.apply)

    def is_done(self) -> bool:
        if self.item is None or self.taxonomy is None:
            return False
        return self.project.completion.is_done(self.item.id, self.taxonomy.id, self.annotator)

    def set_done(self, done: bool = True) -> None:
        if self.item is None or self.taxonomy is None:
            return
        change = self.project.completion.set_done(self.item.id, self.taxonomy.id, self.annotator, done)
        if change.before != change.after:
            self._push("done" if done else "not done", change, self.project.completion.apply)

    def done_and_stay(self) -> None:
        """Mark the item done in the active taxonomy and keep it on screen (to check it over, or add a note)."""
        if self.item is None or self.taxonomy is None:
            return
        if self.is_done():
            self.saved.emit(f"{self.item.id} is already done in {self.taxonomy.name}")
        else:
            self.set_done(True)

    def done_and_next(self, within: ItemFilter | None = None) -> str | None:
        """Mark the item done in the active taxonomy, then open the next item not yet done, in list order among
        the items the list shows (`within`, its search and filters), so Ctrl+Enter never leaves the list."""
        if self.item is None or self.taxonomy is None:
            return None
        already = self.is_done()
        self.set_done(True)
        following = self.project.completion.next_undone(self.item.id, self.annotator, self.taxonomy.id,
                                                        within=within)
        done_id = self.item.id
        if following is None:
            where = " among the items listed" if within is not None and within != ItemFilter() else ""
            self.saved.emit(f"saved; every item{where} is done in {self.taxonomy.name}")
        else:
            self.open_item(following)
            if already:
                self.saved.emit(f"{done_id} was already done; next not done: {following}")
        return following

    def progress(self) -> tuple[int, int] | None:
        if self.taxonomy is None:
            return None
        return self.project.completion.progress(self.annotator, self.taxonomy.id)

    # --- change bookkeeping ----------------------------------------------------------------------------
    def _push(self, text: str, change: LabelChange | NoteChange | DoneChange, apply) -> None:
        self.undo_stack.push(StoreCommand(text, change, apply, self._after_replay))
        self._announce(change, text)

    def _after_replay(self, change) -> None:
        item_id = _item_of(change)
        if item_id and (self.item is None or self.item.id != item_id):
            self.open_item(item_id)  # show the annotator what their undo touched
        self._announce(change, "undo/redo")

    def _announce(self, change, what: str) -> None:
        self._take_in(change)
        self.touched = _targets_of(change)
        if isinstance(change, DoneChange):
            self.doneChanged.emit(change.item_id)
        self.labelsChanged.emit()
        self.changed.emit(changes_of(change, self))
        self.saved.emit(f"saved ({what}) at {datetime.now():%H:%M:%S}")


def changes_of(change: LabelChange | NoteChange | DoneChange, initiator: object) -> Changes:
    """The app-wide description of one store change."""
    if isinstance(change, LabelChange):
        taxonomies = frozenset(lab.taxonomy for lab in (*change.added, *change.removed))
        return Changes(labels=True, taxonomies=taxonomies, initiator=initiator)
    if isinstance(change, NoteChange):
        return Changes(notes=True, taxonomies=frozenset({change.taxonomy}), initiator=initiator)
    return Changes(done=True, taxonomies=frozenset({change.taxonomy}), initiator=initiator)


def _targets_of(change: LabelChange | NoteChange | DoneChange) -> frozenset[str] | None:
    """The targets a change touched, or None where it may show anywhere on the item."""
    if isinstance(change, LabelChange):
        return frozenset(lab.target for lab in (*change.added, *change.removed))
    if isinstance(change, NoteChange):
        return frozenset({change.target})
    return None


def _label_key(lab: Label) -> tuple[str, str, str, str, str]:
    """What makes a label one row of the store (its note and time do not)."""
    return lab.item_id, lab.taxonomy, lab.annotator, lab.target, lab.label


def _item_of(change) -> str | None:
    if isinstance(change, LabelChange):
        labs = change.added or change.removed
        return labs[0].item_id if labs else None
    return getattr(change, "item_id", None)
