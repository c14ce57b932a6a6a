"""The item list panel: search, filters by kind, source and my status, and the lazy table of items."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ..core.model import ITEM_KINDS
from ..core.store import ItemFilter, ItemSummary
from .item_model import ItemTableModel
from .session import AnnotationSession

ANY = ""


class ItemListPanel(QWidget):
    itemChosen = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.session: AnnotationSession | None = None
        self.model: ItemTableModel | None = None

        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Search id and text  (/)")
        self.search.setClearButtonEnabled(True)
        self.kind = QComboBox(self)
        self.kind.addItem("all kinds", ANY)
        for kind in ITEM_KINDS:
            self.kind.addItem(kind, kind)
        self.source = QComboBox(self)
        self.source.addItem("all sources", ANY)
        self.status = QComboBox(self)
        self.status.setToolTip("My status in the taxonomy chosen for each kind")
        for text, value in (("any status", ANY), ("to do", "todo"), ("done", "done")):
            self.status.addItem(text, value)

        self.table = QTableView(self)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # never measure every row
        self.table.verticalHeader().setDefaultSectionSize(22)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # columns share the width

        filters = QHBoxLayout()
        filters.setContentsMargins(0, 0, 0, 0)
        for w in (self.kind, self.source, self.status):
            filters.addWidget(w)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.search)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)

        self._search_timer = QTimer(self, singleShot=True, interval=250)
        self._search_timer.timeout.connect(self.apply_filter)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self.search.returnPressed.connect(self.open_first_match)
        for combo in (self.kind, self.source, self.status):
            combo.currentIndexChanged.connect(lambda _i: self.apply_filter())

    # --- wiring -----------------------------------------------------------------------------------------
    def set_session(self, session: AnnotationSession | None) -> None:
        self.session = session
        if session is None:
            self.table.setModel(None)
            self.model = None
            return
        self.model = ItemTableModel(session.project.items, self._status_of, self)
        self.source.blockSignals(True)
        self.source.clear()
        self.source.addItem("all sources", ANY)
        for src in session.project.items.sources():
            self.source.addItem(src or "(no source)", src)
        self.source.blockSignals(False)
        self.model.set_filter(self.current_filter())
        self.table.setModel(self.model)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.resizeSection(0, 104)
        header.resizeSection(1, 52)
        header.resizeSection(2, 76)
        header.setStretchLastSection(True)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        session.itemChanged.connect(self._follow_session)
        session.doneChanged.connect(self.model.status_changed)
        session.taxonomyChanged.connect(self._taxonomy_changed)

    def _status_of(self, s: ItemSummary) -> bool | None:
        if self.session is None:
            return None
        tax = self.session.active_for_kind(s.kind)
        if tax is None:
            return None
        return self.session.project.completion.is_done(s.id, tax, self.session.annotator)

    def current_filter(self) -> ItemFilter:
        kind = self.kind.currentData() or None
        status = self.status.currentData() or None
        taxonomy = annotator = None
        if status and self.session is not None:
            annotator = self.session.annotator
            # Status is per taxonomy: with no kind chosen, use the taxonomy on screen and the kinds it covers.
            if kind is None and self.session.taxonomy is not None:
                taxonomy = self.session.taxonomy.id
                kinds = self.session.taxonomy.applies_to
                kind = kinds[0] if len(kinds) == 1 else None
            elif kind is not None:
                taxonomy = self.session.active_for_kind(kind)
        return ItemFilter(kind=kind, source=self.source.currentData() or None, status=status,
                          annotator=annotator, taxonomy=taxonomy, search=self.search.text().strip())

    def apply_filter(self) -> None:
        if self.model is None:
            return
        f = self.current_filter()
        if f != self.model.filter:
            self.model.set_filter(f)
            if self.session and self.session.item:
                self.show_item(self.session.item.id)

    def open_first_match(self) -> None:
        """Enter in the search box: filter now and, when the item on screen is not among the matches, open the
        first match, so typing an id and pressing Enter goes straight to it."""
        self.apply_filter()
        if self.model is None or self.model.rowCount() == 0:
            return
        shown = self.session.item.id if self.session and self.session.item else None
        if shown is None or self.model.row_of(shown) is None:
            self.select_row(0)
        self.table.setFocus()

    def _taxonomy_changed(self) -> None:
        if self.model is None:
            return
        if self.status.currentData():
            self.apply_filter()
        self.model.forget_statuses()

    # --- moving ------------------------------------------------------------------------------------------
    def current_row(self) -> int:
        idx = self.table.currentIndex()
        return idx.row() if idx.isValid() else -1

    def step(self, delta: int) -> None:
        """Move to the next (or previous) item in the list, as n and p do."""
        if self.model is None or self.model.rowCount() == 0:
            return
        row = self.current_row()
        if row < 0 and self.session and self.session.item:
            row = self.model.row_of(self.session.item.id)
            row = -1 if row is None else row
        self.select_row(max(0, min(self.model.rowCount() - 1, row + delta if row >= 0 else 0)))

    def select_row(self, row: int) -> None:
        if self.model is None:
            return
        idx = self.model.index(row, 0)
        self.table.selectionModel().setCurrentIndex(
            idx, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        self.table.scrollTo(idx)

    def show_item(self, item_id: str) -> None:
        """Select the item's row without announcing it again (the session already shows it)."""
        if self.model is None:
            return
        row = self.model.row_of(item_id)
        sel = self.table.selectionModel()
        sel.blockSignals(True)
        try:
            if row is None:
                sel.clear()
            else:
                idx = self.model.index(row, 0)
                sel.setCurrentIndex(idx, QItemSelectionModel.SelectionFlag.ClearAndSelect
                                    | QItemSelectionModel.SelectionFlag.Rows)
                self.table.scrollTo(idx)
        finally:
            sel.blockSignals(False)
        self.table.viewport().update()

    def _row_changed(self, current, _previous) -> None:
        if self.model is None or not current.isValid():
            return
        item_id = self.model.item_id(current.row())
        if item_id is not None:
            self.itemChosen.emit(item_id)

    def _follow_session(self) -> None:
        if (self.session and self.session.item and self.model
                and self.model.item_id(self.current_row()) != self.session.item.id):
            self.show_item(self.session.item.id)
