"""Table widgets for report tables, set up one way in every view.

A report table is read, not edited: whole rows are selected one at a time, columns size to their contents, and
one column (a name) may take the spare width so the figures stay next to what they describe. `OpeningTable` is
a report table whose rows lead somewhere (an error to its item, a disagreement to adjudication): Enter or a
double click asks for it, a single click only selects.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget


class OpeningTable(QTableView):
    """Enter or a double click on a row emits `chosen(row)` (a row of the model the view shows)."""

    chosen = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.doubleClicked.connect(lambda index: self.chosen.emit(index.row()))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        plain = not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if plain and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.chosen.emit(self.currentIndex().row())
            return
        super().keyPressEvent(event)


def report_table(parent: QWidget | None, model: QAbstractItemModel | None = None, *,
                 view: QTableView | None = None, sorting: bool = False, stretch: int | None = None,
                 stretch_last: bool = False, compact: bool = False) -> QTableView:
    """Set up `view` (a new QTableView by default) as a read-only report table over `model`.

    `stretch` names the column that takes the spare width; `compact` rows are one line of text high, for
    tables that share their space with a chart."""
    view = view if view is not None else QTableView(parent)
    view.setSortingEnabled(sorting)  # before the model: enabling sorts at once, and rows keep the report's order
    if model is not None:
        view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.verticalHeader().hide()
    if compact:
        view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 8)
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    if stretch is not None:
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    header.setStretchLastSection(stretch_last)
    return view
