"""The rubric view: the prompt (folding) and the response when there is one in a pane of their own above the
unit list, so a long rubric scrolls its criteria without the prompt scrolling out of reach; then the unit list:
the rubric as a whole (rubric-level labels) and each criterion with its points, weight and axis."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QFrame, QScrollArea, QSplitter, QVBoxLayout, QWidget

from ..core.model import Item
from .collapsible import Collapsible
from .unit_page import UnitPage, criterion_extras, number_heading

PROMPT_SHARE = 0.4  # at most this share of the height goes to the prompt pane when it opens


class RubricView(UnitPage):
    kind = "rubric"
    reuses_rows = True

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.prompt: Collapsible | None = None
        self.response: Collapsible | None = None
        self.context = QScrollArea(self)
        self.context.setWidgetResizable(True)
        self.context.setFrameShape(QFrame.Shape.NoFrame)
        self.context.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.split = QSplitter(Qt.Orientation.Vertical, self)
        self.split.addWidget(self.context)
        self.split.addWidget(self.scroll)
        self.split.setChildrenCollapsible(False)
        self.split.setStretchFactor(0, 0)
        self.split.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.split)
        self._prompt_open = True
        # the prompt's height is known only once its text is laid out at the pane's width: fit the pane then
        self._refit = QTimer(self, singleShot=True, interval=0)
        self._refit.timeout.connect(self._fit_context)

    def build(self, item: Item) -> None:
        holder = QWidget()
        column = QVBoxLayout(holder)
        column.setContentsMargins(4, 4, 4, 4)
        self.prompt = Collapsible("Prompt", item.prompt, expanded=self._prompt_open)
        self.prompt.toggle.toggled.connect(self._remember_prompt)
        self.prompt.body.heightChanged.connect(lambda _h: self._refit.start())
        column.addWidget(self.prompt)
        self.response = None
        if item.response:
            self.response = Collapsible("Graded response", item.response, expanded=False)
            self.response.toggle.toggled.connect(lambda _on: self._fit_context())
            self.response.body.heightChanged.connect(lambda _h: self._refit.start())
            column.addWidget(self.response)
        column.addStretch(1)
        self.context.setWidget(holder)  # the previous item's prompt goes with its holder
        self.add_row(self.plain_row("item", f"The rubric as a whole  ({len(item.criteria)} criteria)", ""))
        for n, crit in enumerate(item.criteria, start=1):
            extras = [crit.id] + criterion_extras(crit.points, crit.weight, crit.axis, crit.tags)
            self.add_row(self.plain_row(f"criterion:{crit.id}", number_heading(n, extras), crit.text))
        self._fit_context()

    def _remember_prompt(self, open_: bool) -> None:
        self._prompt_open = open_  # folding the prompt once keeps it folded for the next rubric
        self._fit_context()

    def _fit_context(self) -> None:
        """Give the prompt pane what its open sections need, up to PROMPT_SHARE of the height; folded, just its
        headings. The splitter handle lets the annotator choose otherwise."""
        holder = self.context.widget()
        if holder is None:
            return
        total = max(self.split.height(), 200)
        want = min(holder.layout().sizeHint().height() + 2, int(total * PROMPT_SHARE))
        self.split.setSizes([want, max(total - want, 1)])

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_context()
