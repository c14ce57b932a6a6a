"""The trace view: the problem, the numbered steps, and the final answer beside the reference answer.

A step is selected with j/k or the mouse; selecting text inside a step makes the next span-capable label go
on that stretch (target `span:<step id>:<start>-<end>`). Each step shows its rating (step_rating) as a badge,
and the first step rated -1 is marked as the trace's first error.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QGridLayout, QVBoxLayout, QWidget

from ..core.answers import AnswerMatch, compare_answers, quick_compare
from ..core.model import Item
from .background import run_in_background, side_pool
from .collapsible import Collapsible
from .text import ink_for, plain_label
from .unit_page import UnitPage, UnitRow

RATING_TAXONOMY = "step_rating"
BADGE_COLORS = {AnswerMatch.MATCH: "#2e7d32", AnswerMatch.EQUIVALENT: "#2e7d32", AnswerMatch.NO_MATCH: "#c62828",
                AnswerMatch.NOT_COMPARABLE: "#9e9e9e"}
CHECKING = "#9e9e9e"


class AnswerBar(QFrame):
    badgeShown = Signal(str)  # the verdict on the badge (after the check, when one had to run)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.match: AnswerMatch | None = None
        self._shown: tuple[str | None, str | None] = (None, None)
        self.setObjectName("answerBar")
        grid = QGridLayout(self)
        grid.setContentsMargins(8, 4, 8, 4)
        self.answer = plain_label("", self)
        self.reference = plain_label("", self)
        self.badge = plain_label("", self, wrap=False)
        self.badge.setObjectName("badge")
        for col, title in enumerate(("Answer", "Reference answer")):
            head = plain_label(title, self)
            head.setObjectName("unitHeading")
            grid.addWidget(head, 0, col)
        grid.addWidget(self.answer, 1, 0)
        grid.addWidget(self.reference, 1, 1)
        grid.addWidget(self.badge, 0, 2, 2, 1)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)

    def show_answers(self, answer: str | None, reference: str | None) -> None:
        """Show both answers and the badge; when only the mathematical check can tell, it runs off the UI
        thread (its library loads slowly the first time) and the badge says "checking" meanwhile."""
        self.answer.setText(answer or "(none given)")
        self.reference.setText(reference or "(none given)")
        self._shown = (answer, reference)
        quick = quick_compare(answer, reference)
        if quick is not None:
            self._set_badge(quick)
            return
        self.match = None
        self.badge.setText("checking…")
        self.badge.setStyleSheet(f"background: {CHECKING}; color: {ink_for(CHECKING)};")
        shown = self._shown

        def arrived(match: AnswerMatch) -> None:
            if self._shown == shown:  # still the same trace on screen
                self._set_badge(match)

        self.checking = run_in_background(lambda _t: compare_answers(answer, reference), arrived,
                                          lambda _exc: arrived(AnswerMatch.NOT_COMPARABLE), parent=self,
                                          pool=side_pool("answers"))

    def _set_badge(self, match: AnswerMatch) -> None:
        self.match = match
        self.badge.setText(match.value)
        color = BADGE_COLORS[match]
        self.badge.setStyleSheet(f"background: {color}; color: {ink_for(color)};")
        self.badgeShown.emit(match.value)


class TraceView(UnitPage):
    kind = "trace"
    reuses_rows = True
    lazy_texts = True  # sixty steps of 1,300 characters: lay out those on screen
    short_headings = True  # "Step 12  (s12)"

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.problem: Collapsible | None = None
        self._first_shown: str | None = None  # the step whose badge says "first error"
        self.answers = AnswerBar(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.scroll, 1)
        layout.addWidget(self.answers)

    def build(self, item: Item) -> None:
        heading = "Problem" + "".join(f"  ({x})" for x in (item.domain, item.model) if x)
        if self.problem is None:
            self.problem = Collapsible(heading, item.problem)
        else:
            self.problem.toggle.setText(heading)
            self.problem.set_text(item.problem)
        self.add_widget(self.problem, keep=True)
        self.add_row(self.plain_row("item", f"The trace as a whole  ({len(item.steps)} steps)", ""))
        for n, step in enumerate(item.steps, start=1):
            self.add_row(self.text_row(f"step:{step.id}", f"Step {n}  ({step.id})", step.text, step.id))
        self.answers.show_answers(item.answer, item.reference_answer)

    def step_text(self, step_id: str):
        """The selectable text widget of a step, laid out (tests select spans in it)."""
        for row in self.rows:
            if row.field == step_id:
                row.text_view.lay_out()
                return row.text_view
        raise KeyError(step_id)

    def refresh(self, targets: frozenset[str] | None = None) -> None:
        super().refresh(targets)
        if self.session is None:
            return
        first = self.session.first_error()
        if targets is not None:  # the first error's badge may move to or from a row the key did not touch
            targets = targets | {t for t in (first, self._first_shown) if t}
        self._first_shown = first
        for row in self.rows_of(targets):
            if not row.target.startswith("step:"):
                continue
            ratings = self.session.labels_on(row.target, RATING_TAXONOMY)
            parts = []
            color = "#9e9e9e"
            if ratings:
                ldef = self.session.label_def(RATING_TAXONOMY, ratings[0].label)
                if ldef is not None:
                    parts.append(f"{ldef.id} {ldef.name}")
                    color = ldef.color or color
            if row.target == first:
                parts.append("first error")
            row.set_badge("  ·  ".join(parts), f"background: {color}; color: {ink_for(color)};" if parts else "")

    def row_chips(self, row: UnitRow) -> list:
        """Step ratings are on the badge; the chips keep the other taxonomies' labels."""
        chips = super().row_chips(row)
        return [c for c in chips if c[0].taxonomy != RATING_TAXONOMY] if row.target.startswith("step:") else chips
