"""Adjudication: a reviewer settles disagreements by setting the gold answer of a unit, from the keyboard.

`GoldDecisions` is the only writer: it calls `project.gold.set` and keeps what each write replaced, so Ctrl+Z
restores the previous gold (or clears a unit that had none) through the same facade. `AdjudicationDialog` walks
a list of disagreements: every annotator's labels on the unit side by side, the unit's own text, the current
gold, and a row of gold toggles driven by the taxonomy's number keys.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..core.errors import AnnotatorError
from ..core.model import Gold, Item
from ..core.store import Project
from ..core.targets import parse_target
from ..core.taxonomy import LabelDef, Taxonomy
from .text import ink_for, plain_label, tooltip_text


@dataclass(frozen=True)
class GoldChange:
    """One gold write and what it replaced (None: the unit had no gold before)."""

    item_id: str
    target: str
    labels: tuple[str, ...]
    previous: Gold | None


class GoldDecisions(QObject):
    """Gold writes for one taxonomy by one reviewer, with an undo history of the writes made here."""

    changed = Signal(str, str)  # item_id, target: that unit's gold was set, restored or cleared

    def __init__(self, project: Project, taxonomy: Taxonomy, reviewer: str, parent: QObject | None = None):
        super().__init__(parent)
        self.project = project
        self.taxonomy = taxonomy
        self.reviewer = reviewer
        self.history: list[GoldChange] = []

    def get(self, item_id: str, target: str) -> Gold | None:
        return self.project.gold.get(item_id, self.taxonomy.id, target)

    def all(self) -> dict[tuple[str, str], tuple[str, ...]]:
        return {(g.item_id, g.target): g.labels for g in self.project.gold.all(self.taxonomy.id)}

    def decide(self, item_id: str, target: str, labels: Sequence[str]) -> GoldChange:
        previous = self.project.gold.set(item_id, self.taxonomy.id, target, labels, self.reviewer)
        change = GoldChange(item_id, target, tuple(labels), previous)
        self.history.append(change)
        self.changed.emit(item_id, target)
        return change

    @property
    def can_undo(self) -> bool:
        return bool(self.history)

    def undo(self) -> GoldChange | None:
        """Put back what the last decision replaced; None when there is nothing to undo."""
        if not self.history:
            return None
        change = self.history.pop()
        before = change.previous
        if before is None:
            self.project.gold.clear(change.item_id, self.taxonomy.id, change.target)
        else:
            self.project.gold.set(change.item_id, self.taxonomy.id, change.target, before.labels, before.reviewer)
        self.changed.emit(change.item_id, change.target)
        return change


def target_kind(target: str) -> str:
    kind = parse_target(target).kind
    return "step" if kind == "span" else kind


def majority(answers: dict[str, list[str]], taxonomy: Taxonomy) -> tuple[list[str] | None, str]:
    """The majority answer of the annotators on a unit, as DESIGN section 6 defines gold without adjudication.

    Multi-choice: every label more than half of the annotators gave. Single-choice: the plurality label, None
    on a tie. Returns (labels or None, a sentence saying what was decided)."""
    n = len(answers)
    counts = Counter(lab for given in answers.values() for lab in set(given))
    if taxonomy.choice == "multi":
        chosen = [lab for lab in taxonomy.label_ids if counts[lab] * 2 > n]
        names = ", ".join(taxonomy.label(lab).name for lab in chosen) or "no label"
        return chosen, f"majority of {n}: {names}"
    if not counts:
        return None, "nobody chose a label here"
    ranked = counts.most_common()
    if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
        tied = [lab for lab, c in ranked if c == ranked[0][1]]
        return None, "no majority: a tie between " + ", ".join(taxonomy.label(lab).name for lab in tied)
    return [ranked[0][0]], f"plurality of {n}: {taxonomy.label(ranked[0][0]).name}"


def unit_text(item: Item, target: str) -> tuple[str, str]:
    """(heading, text) of the thing a target points at, for the reviewer to read."""
    t = parse_target(target)
    if t.kind == "criterion":
        for crit in item.criteria:
            if crit.id == t.ref:
                return f"Criterion {crit.id}", crit.text
        return f"Criterion {t.ref}", "(this criterion is no longer in the item)"
    if t.kind == "step":
        for n, step in enumerate(item.steps, 1):
            if step.id == t.ref:
                return f"Step {n} ({step.id})", step.text
        return f"Step {t.ref}", "(this step is no longer in the item)"
    if t.kind == "span":
        text = item.field_text(t.ref) or ""
        return f"Span of {t.ref}, characters {t.start}-{t.end}", text[t.start:t.end]
    heading = {"rubric": "The whole rubric", "caption": "The whole caption", "trace": "The whole trace"}[item.kind]
    return heading, item.caption if item.kind == "caption" else ""


def item_context(item: Item) -> str:
    """The text around a unit: the prompt, caption or problem (and, for a whole rubric, its criteria)."""
    if item.kind == "rubric":
        lines = [item.prompt]
        if item.criteria:
            lines.append("")
            lines += [f"{c.id}. {c.text}" for c in item.criteria]
        return "\n".join(lines)
    if item.kind == "caption":
        return item.caption
    parts = [item.problem]
    if item.answer:
        parts.append(f"Answer: {item.answer}")
    return "\n\n".join(parts)


class AdjudicationDialog(QDialog):
    """Walks `disagreements` (dicts from the core's `disagreements`), starting at `index`.

    Keys: the taxonomy's number keys toggle gold labels (single choice: pick one), m takes the majority, d the
    reliability model's answer (when `data` is given, Dawid-Skene is fitted in the background), Enter
    saves, Ctrl+Enter saves and moves to the next unsettled disagreement, n/p move without saving, Ctrl+Z undoes
    the last gold decision, Esc closes."""

    moved = Signal(int)  # the index now shown

    def __init__(self, project: Project, decisions: GoldDecisions, disagreements: Sequence[dict], index: int = 0,
                 parent: QWidget | None = None, data=None, annotators: Sequence[str] | None = None):
        super().__init__(parent)
        self.project = project
        # a reliability model's answer per unit (Dawid-Skene), worked out off the UI thread from `data`
        self.proposals: dict[tuple[str, str], tuple[str, ...] | None] | None = None
        self._proposal_task = None
        self.decisions = decisions
        self.taxonomy = decisions.taxonomy
        self.disagreements = list(disagreements)
        self.index = -1
        self.selection: list[str] = []
        self.labels_here: list[LabelDef] = []
        self.setWindowTitle(f"Adjudicate - {self.taxonomy.name}")
        self.resize(900, 600)
        self._build()
        self._keys()
        self.show_index(max(0, min(index, len(self.disagreements) - 1)))
        if data is not None:
            self._propose(data, list(annotators) if annotators else None)

    def _propose(self, data, annotators: list[str] | None) -> None:
        from ..core.stats.reliability import proposals
        from .background import run_in_background

        def done(found) -> None:
            self.proposals = found
            self._show_proposal()

        def failed(exc: BaseException) -> None:
            self.model_line.setText(f"Dawid-Skene could not be fitted: {exc}")

        self.model_line.setText("Dawid-Skene: weighing the annotators...")
        self._proposal_task = run_in_background(lambda _task: proposals(data, "dawid-skene", annotators), done,
                                                failed, parent=self)

    def _show_proposal(self) -> None:
        d = self.current
        if d is None or self.proposals is None:
            return
        found = self.proposals.get((d["item_id"], d["target"]), ())
        if found is None:
            self.model_line.setText("Dawid-Skene (annotators weighed by their estimated reliability): undecided here")
        else:
            names = ", ".join(self.taxonomy.label(lab).name for lab in found) or "no label"
            self.model_line.setText(f"Dawid-Skene (annotators weighed by their estimated reliability): {names}  "
                                    "·  d takes it")

    def take_model(self) -> None:
        d = self.current
        if d is None:
            return
        if self.proposals is None:
            self.message.setText("the reliability model is still being fitted")
            return
        found = self.proposals.get((d["item_id"], d["target"]), ())
        if found is None:
            self.message.setText("the model cannot decide this unit: choose the labels yourself")
            return
        self.selection = list(found)
        self._paint_selection()
        self.message.setText("the model's answer (not saved yet: Enter saves)")

    # --- layout -------------------------------------------------------------------------------------------
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        self.heading = plain_label("", self, wrap=False)
        font = QFont(self.heading.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.heading.setFont(font)
        self.status = plain_label("", self)
        self.status.setObjectName("adjudicationStatus")
        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(self.status)
        layout.addLayout(top)

        self.context = QPlainTextEdit(self)
        self.context.setReadOnly(True)
        self.context.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.context.setMaximumHeight(110)
        layout.addWidget(self.context)
        self.unit_heading = plain_label("", self, wrap=False)
        self.unit_heading.setObjectName("unitHeading")
        layout.addWidget(self.unit_heading)
        self.unit_body = plain_label("", self, selectable=True)
        body_font = QFont(self.unit_body.font())
        body_font.setPointSizeF(body_font.pointSizeF() * 1.1)
        self.unit_body.setFont(body_font)
        layout.addWidget(self.unit_body)

        self.grid_frame = QFrame(self)
        self.grid_frame.setFrameShape(QFrame.Shape.StyledPanel)
        self.grid = QGridLayout(self.grid_frame)
        self.grid.setHorizontalSpacing(14)
        layout.addWidget(self.grid_frame)
        self.gold_now = plain_label("", self)
        layout.addWidget(self.gold_now)
        self.model_line = plain_label("", self)
        self.model_line.setObjectName("modelProposal")
        layout.addWidget(self.model_line)
        self.message = plain_label("", self)
        self.message.setStyleSheet("color: #57606a;")
        layout.addWidget(self.message)
        layout.addStretch(1)

        hint = plain_label("number keys toggle gold labels  ·  m majority  ·  d model  ·  Enter save  ·  Ctrl+Enter save and "
                           "next  ·  n / p next / previous  ·  Ctrl+Z undo  ·  Esc close", self)
        hint.setStyleSheet("color: #57606a; font-size: 11px;")
        layout.addWidget(hint)
        buttons = QDialogButtonBox(self)
        self.majority_button = buttons.addButton("Take &majority", QDialogButtonBox.ButtonRole.ActionRole)
        self.undo_button = buttons.addButton("&Undo last", QDialogButtonBox.ButtonRole.ActionRole)
        self.save_button = buttons.addButton("&Save", QDialogButtonBox.ButtonRole.ApplyRole)
        self.next_button = buttons.addButton("Save and &next", QDialogButtonBox.ButtonRole.ApplyRole)
        close = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        for b in (self.majority_button, self.undo_button, self.save_button, self.next_button, close):
            b.setAutoDefault(False)
            b.setDefault(False)
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.majority_button.clicked.connect(self.take_majority)
        self.undo_button.clicked.connect(self.undo)
        self.save_button.clicked.connect(self.save)
        self.next_button.clicked.connect(self.save_and_next)
        close.clicked.connect(self.reject)
        layout.addWidget(buttons)

    def _keys(self) -> None:
        def key(seq: str, slot) -> None:
            sc = QShortcut(QKeySequence(seq), self)
            sc.setContext(Qt.ShortcutContext.WindowShortcut)
            sc.activated.connect(slot)

        for digit in "123456789":
            key(digit, lambda d=digit: self.toggle_key(d))
        key("m", self.take_majority)
        key("d", self.take_model)
        key("n", lambda: self.go(1))
        key("p", lambda: self.go(-1))
        for seq in ("Return", "Enter"):
            key(seq, self.save)
        for seq in ("Ctrl+Return", "Ctrl+Enter"):
            key(seq, self.save_and_next)
        key("Ctrl+Z", self.undo)

    # --- what is shown ----------------------------------------------------------------------------------
    @property
    def current(self) -> dict | None:
        return self.disagreements[self.index] if 0 <= self.index < len(self.disagreements) else None

    def show_index(self, index: int) -> None:
        if not self.disagreements:
            self.heading.setText("No disagreements to settle")
            return
        self.index = index
        d = self.disagreements[index]
        self.labels_here = self.taxonomy.labels_on(target_kind(d["target"]))
        gold = self.decisions.get(d["item_id"], d["target"])
        self.selection = list(gold.labels) if gold is not None else []
        self.heading.setText(f"Disagreement {index + 1} of {len(self.disagreements)}  ·  item {d['item_id']}  ·  "
                             f"{d['target']}")
        try:
            item = self.project.items.get(d["item_id"])
        except AnnotatorError as exc:
            self.context.setPlainText(f"(could not read the item: {exc})")
            self.unit_heading.setText(d["target"])
            self.unit_body.setText("")
        else:
            self.context.setPlainText(item_context(item))
            heading, text = unit_text(item, d["target"])
            self.unit_heading.setText(heading)
            self.unit_body.setText(text)
            self.unit_body.setVisible(bool(text))
        self._fill_grid(d)
        self._show_gold(gold)
        self._show_proposal()
        self.message.setText("")
        self.moved.emit(index)

    def _clear_grid(self) -> None:
        while self.grid.count():
            w = self.grid.takeAt(0).widget()
            if w is not None:
                w.deleteLater()

    def _fill_grid(self, d: dict) -> None:
        """Rows are the labels a unit of this kind can take; one column per annotator, then the gold toggles."""
        self._clear_grid()
        annotators = list(d["labels"])
        head = ["key", "label", *annotators, "votes", "gold"]
        for c, text in enumerate(head):
            cell = plain_label(text, self.grid_frame, wrap=False)
            cell.setStyleSheet("color: #57606a; font-weight: bold;")
            cell.setAlignment(Qt.AlignmentFlag.AlignCenter if c >= 2 else Qt.AlignmentFlag.AlignLeft)
            self.grid.addWidget(cell, 0, c)
        self.gold_buttons: dict[str, QPushButton] = {}
        for r, ldef in enumerate(self.labels_here, 1):
            self.grid.addWidget(plain_label(ldef.key or "", self.grid_frame, wrap=False), r, 0)
            name = plain_label(ldef.name, self.grid_frame, wrap=False)
            if ldef.definition:
                name.setToolTip(tooltip_text(ldef.definition))
            self.grid.addWidget(name, r, 1)
            votes = 0
            for c, who in enumerate(annotators, 2):
                given = ldef.id in d["labels"][who]
                votes += given
                cell = plain_label("●" if given else "○", self.grid_frame, wrap=False)
                cell.setAlignment(Qt.AlignmentFlag.AlignCenter)
                cell.setStyleSheet(f"color: {ldef.color};" if given else "color: #d0d4da;")
                self.grid.addWidget(cell, r, c)
            count = plain_label(f"{votes}/{len(annotators)}", self.grid_frame, wrap=False)
            count.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.grid.addWidget(count, r, len(annotators) + 2)
            button = QPushButton(ldef.name, self.grid_frame)
            button.setCheckable(True)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setAutoDefault(False)
            button.clicked.connect(lambda _=False, lab=ldef.id: self.toggle(lab))
            self.gold_buttons[ldef.id] = button
            self.grid.addWidget(button, r, len(annotators) + 3)
        self.grid.setColumnStretch(1, 1)
        self._paint_selection()

    def _paint_selection(self) -> None:
        for lab, button in self.gold_buttons.items():
            on = lab in self.selection
            button.setChecked(on)
            color = self.taxonomy.label(lab).color or "#1f6feb"
            button.setStyleSheet(f"background: {color}; color: {ink_for(color)}; font-weight: bold;" if on else "")

    def _show_gold(self, gold: Gold | None) -> None:
        if gold is None:
            self.gold_now.setText("Gold now: not settled yet")
            self.status.setText("open")
        else:
            names = ", ".join(self.taxonomy.label(lab).name for lab in gold.labels) or "no label applies"
            by = f" (set by {gold.reviewer})" if gold.reviewer else ""
            self.gold_now.setText(f"Gold now: {names}{by}")
            self.status.setText("✓ settled")
        self.undo_button.setEnabled(self.decisions.can_undo)

    # --- actions ---------------------------------------------------------------------------------------------
    def toggle_key(self, key: str) -> bool:
        for ldef in self.labels_here:
            if ldef.key == key:
                self.toggle(ldef.id)
                return True
        self.message.setText(f"no label of this unit has the key {key}")
        return False

    def toggle(self, label: str) -> None:
        if self.current is None:
            return
        if self.taxonomy.choice == "single":
            self.selection = [label]
        elif label in self.selection:
            self.selection.remove(label)
        else:
            self.selection.append(label)
        self.selection = [lab for lab in self.taxonomy.label_ids if lab in self.selection]
        self._paint_selection()
        self.message.setText("not saved yet: Enter saves")

    def take_majority(self) -> None:
        d = self.current
        if d is None:
            return
        chosen, sentence = majority(d["labels"], self.taxonomy)
        if chosen is not None:
            self.selection = chosen
            self._paint_selection()
            sentence += "  (not saved yet: Enter saves)"
        self.message.setText(sentence)

    def save(self) -> bool:
        d = self.current
        if d is None:
            return False
        if self.taxonomy.choice == "single" and len(self.selection) != 1:
            self.message.setText("pick one label first (this taxonomy takes exactly one)")
            return False
        try:
            self.decisions.decide(d["item_id"], d["target"], self.selection)
        except AnnotatorError as exc:
            self.message.setText(f"not saved: {exc}")
            return False
        self._show_gold(self.decisions.get(d["item_id"], d["target"]))
        self.message.setText("saved")
        return True

    def save_and_next(self) -> None:
        if self.save():
            nxt = self.next_open(self.index)
            if nxt is None:
                self.message.setText("saved; every disagreement in this list is settled")
            else:
                self.show_index(nxt)

    def next_open(self, after: int) -> int | None:
        """The next disagreement after `after` (wrapping round) that has no gold yet."""
        n = len(self.disagreements)
        settled = self.decisions.all()
        for step in range(1, n):
            k = (after + step) % n
            d = self.disagreements[k]
            if (d["item_id"], d["target"]) not in settled:
                return k
        return None

    def go(self, step: int) -> None:
        if self.disagreements:
            self.show_index((self.index + step) % len(self.disagreements))

    def undo(self) -> None:
        change = self.decisions.undo()
        if change is None:
            self.message.setText("nothing to undo")
            return
        for k, d in enumerate(self.disagreements):
            if (d["item_id"], d["target"]) == (change.item_id, change.target):
                self.show_index(k)
                break
        else:
            self._show_gold(self.decisions.get(*self._current_key()) if self.current else None)
        self.message.setText(f"undone: the gold of {change.item_id} {change.target} is back as it was")

    def _current_key(self) -> tuple[str, str]:
        d = self.current or {}
        return d.get("item_id", ""), d.get("target", "")
