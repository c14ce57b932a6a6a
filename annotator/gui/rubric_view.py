"""The rubric view: the prompt (folding), the response when there is one, then the unit list: the rubric as a
whole (rubric-level labels) and each criterion with its points, weight and axis."""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget

from ..core.model import Item
from .collapsible import Collapsible
from .unit_page import UnitPage, UnitRow, criterion_extras, number_heading


class RubricView(UnitPage):
    kind = "rubric"

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.prompt: Collapsible | None = None
        self.response: Collapsible | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.scroll)
        self._prompt_open = True

    def build(self, item: Item) -> None:
        self.prompt = Collapsible("Prompt", item.prompt, expanded=self._prompt_open)
        self.prompt.toggle.toggled.connect(self._remember_prompt)
        self.add_widget(self.prompt)
        if item.response:
            self.response = Collapsible("Graded response", item.response, expanded=False)
            self.add_widget(self.response)
        whole = UnitRow("item", f"The rubric as a whole  ({len(item.criteria)} criteria)")
        self.add_row(whole)
        for n, crit in enumerate(item.criteria, start=1):
            extras = [crit.id] + criterion_extras(crit.points, crit.weight, crit.axis, crit.tags)
            self.add_row(UnitRow(f"criterion:{crit.id}", number_heading(n, extras), crit.text))

    def _remember_prompt(self, open_: bool) -> None:
        self._prompt_open = open_  # folding the prompt once keeps it folded for the next rubric
