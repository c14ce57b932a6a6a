"""The item list's Qt model: a window onto `project.items`, fetched a page at a time.

A project may hold 100,000 items; the model knows only the filtered count and the few pages the view has
asked for (kept in a small cache), so opening and scrolling cost the same for 100 items or 100,000.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from ..core.store import ItemFilter, ItemSummary
from ..core.store.items import ItemStore
from .text import tooltip_text

PAGE = 200
CACHED_PAGES = 12
COLUMNS = ("id", "kind", "source", "my status")

Index = QModelIndex | QPersistentModelIndex


class ItemTableModel(QAbstractTableModel):
    """Rows are `ItemSummary`s; `status_of(summary)` answers the "my status" column (cached per item)."""

    def __init__(self, items: ItemStore, status_of: Callable[[ItemSummary], bool | None], parent=None):
        super().__init__(parent)
        self._items = items
        self._status_of = status_of
        self._filter = ItemFilter()
        self._count: int | None = None
        self._pages: OrderedDict[int, list[ItemSummary]] = OrderedDict()
        self._status: dict[str, bool | None] = {}

    # --- the filter ---------------------------------------------------------------------------------------
    @property
    def filter(self) -> ItemFilter:
        return self._filter

    def set_filter(self, f: ItemFilter) -> None:
        self.beginResetModel()
        self._filter = f
        self._count = None
        self._pages.clear()
        self._status.clear()
        self.endResetModel()

    def reload(self) -> None:
        self.set_filter(self._filter)

    # --- lookups ------------------------------------------------------------------------------------------
    def summary(self, row: int) -> ItemSummary | None:
        if row < 0 or row >= self.rowCount():
            return None
        page_no, offset = divmod(row, PAGE)
        page = self._pages.get(page_no)
        if page is None:
            page = self._items.page(self._filter, page_no * PAGE, PAGE)
            self._pages[page_no] = page
            while len(self._pages) > CACHED_PAGES:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(page_no)
        return page[offset] if offset < len(page) else None

    def item_id(self, row: int) -> str | None:
        found = self.summary(row)
        return found.id if found else None

    def row_of(self, item_id: str) -> int | None:
        for page_no, page in self._pages.items():
            for i, s in enumerate(page):
                if s.id == item_id:
                    return page_no * PAGE + i
        return self._items.index_of(item_id, self._filter)

    def status_changed(self, item_id: str) -> None:
        """An item's completion changed: forget its cached status and repaint its row if loaded."""
        self._status.pop(item_id, None)
        for page_no, page in self._pages.items():
            for i, s in enumerate(page):
                if s.id == item_id:
                    idx = self.index(page_no * PAGE + i, 3)
                    self.dataChanged.emit(idx, idx, [Qt.ItemDataRole.DisplayRole])
                    return

    def forget_statuses(self) -> None:
        self._status.clear()
        if self.rowCount():
            self.dataChanged.emit(self.index(0, 3), self.index(self.rowCount() - 1, 3),
                                  [Qt.ItemDataRole.DisplayRole])

    # --- QAbstractTableModel ------------------------------------------------------------------------------
    def rowCount(self, parent: Index | None = None) -> int:
        if parent is not None and parent.isValid():
            return 0
        if self._count is None:
            self._count = self._items.count(self._filter)
        return self._count

    def columnCount(self, parent: Index | None = None) -> int:
        return 0 if parent is not None and parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            return COLUMNS[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        s = self.summary(index.row())
        if s is None:
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            return tooltip_text(s.title or s.id)
        col = index.column()
        if col == 0:
            return s.id
        if col == 1:
            return s.kind
        if col == 2:
            return s.source
        if col == 3:
            if s.id not in self._status:
                self._status[s.id] = self._status_of(s)
            done = self._status[s.id]
            return "" if done is None else "done" if done else "to do"
        return None
