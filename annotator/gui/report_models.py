"""Qt table models over report tables: rows are plain dicts from a core report, the models only present them.

`RecordTableModel` shows any list of dicts through a column spec, so every report table in the app (the
agreement view's figures per label, pairs and span agreement; the metric view's P/R/F1, errors, calibration
and pairs; the alt-test's annotators) is one model with one way of writing a number: a figure shows its value
with its 95% interval, "—" with the reason as tooltip when the report left it undefined, and sorts on the
number (`SORT_ROLE`); `VALUE_ROLE` gives the value as the report holds it, so tests and code compare the
report's own figure rather than parse text. `DisagreementModel` lists disagreements with who said what and
whether gold settles them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtGui import Qt as GuiQt  # the namespace that holds mightBeRichText

from .text import tooltip_text

Index = QModelIndex | QPersistentModelIndex
VALUE_ROLE = Qt.ItemDataRole.UserRole      # the cell's value as the report holds it (None when undefined)
SORT_ROLE = Qt.ItemDataRole.UserRole + 1   # a float or str to sort on (None sorts first: -inf)
ROW_ROLE = Qt.ItemDataRole.UserRole + 2    # the row's dict
UNDEFINED = "—"
MUTED = "#8a8f98"

# number: a figure with its interval; share: a proportion shown as a percentage; p_value: a figure that keeps
# its order of magnitude when tiny (fixed digits would show most p-values as 0.000)
ColumnKind = Literal["text", "count", "number", "share", "p_value"]
NUMERIC_KINDS = ("number", "share", "p_value")
SMALLEST_FIXED_P = 0.001


@dataclass(frozen=True)
class Column:
    """One column of a report table.

    The value is `row[key]`, or `value(row)` for a column the report does not hold as such (a looked-up name,
    a verdict in words). `key` also names the figure's interval (`<key>_ci`) and the report's reason when it is
    undefined (`<key>_reason`); `why` is the reason to give when the row has none of its own.
    """

    key: str
    title: str
    kind: ColumnKind = "number"
    tip: str = ""
    digits: int = 3
    value: Callable[[Mapping[str, Any]], Any] | None = None
    why: str = ""

    def read(self, row: Mapping[str, Any]) -> Any:
        return self.value(row) if self.value is not None else row.get(self.key)


def _number(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(out) else out


def format_number(value: Any, digits: int = 3) -> str:
    """A figure as text; undefined (None or NaN) as a dash. Every report number on screen goes through here."""
    number = _number(value)
    return UNDEFINED if number is None else f"{number:.{digits}f}"


def format_interval(interval: Sequence[float] | None, digits: int = 2) -> str:
    if not interval or len(interval) != 2 or any(_number(x) is None for x in interval):
        return ""
    return f"[{float(interval[0]):.{digits}f}, {float(interval[1]):.{digits}f}]"


def cell_text(row: Mapping[str, Any], column: Column) -> str:
    value = column.read(row)
    if column.kind == "text":
        return "" if value is None else str(value)
    if column.kind == "count":
        return "" if value is None else str(int(value))
    number = _number(value)
    if column.kind == "share":
        return UNDEFINED if number is None else f"{100 * number:.1f}%"
    if column.kind == "p_value" and number is not None and number < SMALLEST_FIXED_P:
        return f"{number:.1e}"
    text = format_number(number, column.digits)
    interval = format_interval(row.get(f"{column.key}_ci"))
    return f"{text}  {interval}" if interval and number is not None else text


def undefined_reason(row: Mapping[str, Any], column: Column) -> str:
    """Why a figure is missing: the report's reason, else the column's, else a generic one."""
    if column.kind not in NUMERIC_KINDS or _number(column.read(row)) is not None:
        return ""
    return str(row.get(f"{column.key}_reason") or column.why or "undefined on this data")


def _cell_tip(text: str) -> str:
    """A reason may quote a metric or label name from an input file: escape it only where Qt would otherwise
    read it as rich text, so a plain sentence stays the plain sentence the report wrote."""
    return tooltip_text(text) if GuiQt.mightBeRichText(text) else text


class ReadOnlyRows(QAbstractTableModel):
    """What every report model shares: a flat list of rows that can be selected, never edited or expanded."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list[Any] = []

    def rowCount(self, parent: Index | None = None) -> int:
        return 0 if parent is not None and parent.isValid() else len(self._rows)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def holds(self, index: Index) -> bool:
        """Whether the index is a cell of this model as it is now (views may ask about stale ones)."""
        return index.isValid() and 0 <= index.row() < len(self._rows) and 0 <= index.column() < self.columnCount()


class RecordTableModel(ReadOnlyRows):
    """Read-only rows of dicts under a column spec; replace the rows (and the columns) with `set_rows`."""

    def __init__(self, columns: Sequence[Column], rows: Iterable[Mapping[str, Any]] = (), parent=None):
        super().__init__(parent)
        self.columns = list(columns)
        self._rows = list(rows)

    def set_rows(self, rows: Iterable[Mapping[str, Any]], columns: Sequence[Column] | None = None) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        if columns is not None:
            self.columns = list(columns)
        self.endResetModel()

    def row(self, index: int) -> Mapping[str, Any]:
        return self._rows[index]

    def rows(self) -> list[Mapping[str, Any]]:
        return list(self._rows)

    def columnCount(self, parent: Index | None = None) -> int:
        return 0 if parent is not None and parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.columns):
            return None
        column = self.columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.title
        if role == Qt.ItemDataRole.ToolTipRole and column.tip:
            return tooltip_text(column.tip)
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not self.holds(index):
            return None
        row, column = self._rows[index.row()], self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return cell_text(row, column)
        if role == VALUE_ROLE:
            return column.read(row)
        if role == SORT_ROLE:
            if column.kind == "text":
                return str(column.read(row) or "")
            number = _number(column.read(row))
            return -math.inf if number is None else number
        if role == ROW_ROLE:
            return dict(row)
        if role == Qt.ItemDataRole.ToolTipRole:
            reason = undefined_reason(row, column)
            if reason:
                return _cell_tip(reason)
            interval = format_interval(row.get(f"{column.key}_ci"), 3)
            return f"95% bootstrap interval {interval}" if interval else None
        if role == Qt.ItemDataRole.ForegroundRole and undefined_reason(row, column):
            return QBrush(QColor(MUTED))
        if role == Qt.ItemDataRole.TextAlignmentRole and column.kind != "text":
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


def sortable(model: QAbstractTableModel, parent=None) -> QSortFilterProxyModel:
    """A proxy that sorts figure columns as numbers (undefined first) and text columns as text."""
    proxy = QSortFilterProxyModel(parent)
    proxy.setSourceModel(model)
    proxy.setSortRole(SORT_ROLE)
    return proxy


# --- disagreements ------------------------------------------------------------------------------------------

def unit_key(item_id: str, target: str) -> tuple[str, str]:
    return (item_id, target)


class DisagreementModel(ReadOnlyRows):
    """One row per disagreement: item, unit, each annotator's labels, and the gold when a reviewer settled it.

    `names` maps label ids to shown names; `gold` maps (item_id, target) to the gold labels. Rows keep the order
    of the core's list; settled rows are shown in grey with a tick so the remaining work stands out.
    """

    FIXED = ("item", "unit")

    def __init__(self, parent=None):
        super().__init__(parent)
        self._annotators: list[str] = []
        self._names: dict[str, str] = {}
        self._gold: dict[tuple[str, str], tuple[str, ...]] = {}

    def set_disagreements(self, rows: list[dict], annotators: list[str], names: Mapping[str, str] | None = None,
                          gold: Mapping[tuple[str, str], Sequence[str]] | None = None) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._annotators = list(annotators)
        self._names = dict(names or {})
        self._gold = {k: tuple(v) for k, v in (gold or {}).items()}
        self.endResetModel()

    def set_gold(self, item_id: str, target: str, labels: Sequence[str] | None) -> None:
        """A unit's gold changed (None: cleared); repaint its row."""
        key = unit_key(item_id, target)
        if labels is None:
            self._gold.pop(key, None)
        else:
            self._gold[key] = tuple(labels)
        for r, row in enumerate(self._rows):
            if (row["item_id"], row["target"]) == key:
                self.dataChanged.emit(self.index(r, 0), self.index(r, self.columnCount() - 1))

    def gold_of(self, row: int) -> tuple[str, ...] | None:
        d = self._rows[row]
        return self._gold.get(unit_key(d["item_id"], d["target"]))

    def disagreement(self, row: int) -> dict:
        return self._rows[row]

    def disagreements(self) -> list[dict]:
        return list(self._rows)

    @property
    def annotators(self) -> list[str]:
        return list(self._annotators)

    def settled_count(self) -> int:
        return sum(1 for d in self._rows if unit_key(d["item_id"], d["target"]) in self._gold)

    def label_text(self, labels: Sequence[str] | None) -> str:
        if labels is None:
            return ""
        return ", ".join(self._names.get(lab, lab) for lab in labels) or "(none)"

    def _header(self, section: int) -> str | None:
        columns = [*self.FIXED, *self._annotators, "gold"]
        return columns[section] if 0 <= section < len(columns) else None

    def columnCount(self, parent: Index | None = None) -> int:
        return 0 if parent is not None and parent.isValid() else len(self.FIXED) + len(self._annotators) + 1

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self._header(section)
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not self.holds(index):
            return None
        col = index.column()
        d = self._rows[index.row()]
        gold = self._gold.get(unit_key(d["item_id"], d["target"]))
        n_fixed = len(self.FIXED)
        if role in (Qt.ItemDataRole.DisplayRole, SORT_ROLE, Qt.ItemDataRole.ToolTipRole):
            if col == 0:
                text = d["item_id"]
            elif col == 1:
                text = d["target"]
            elif col < n_fixed + len(self._annotators):
                name = self._annotators[col - n_fixed]
                given = d["labels"].get(name)
                text = "(not done)" if given is None else self.label_text(given)
            else:
                text = ("✓ " + self.label_text(gold)) if gold is not None else ""
            if role == Qt.ItemDataRole.ToolTipRole:
                return tooltip_text(text) if text else None
            return text
        if role == ROW_ROLE:
            return dict(d)
        if role == Qt.ItemDataRole.ForegroundRole and gold is not None and col < self.columnCount() - 1:
            return QBrush(QColor(MUTED))
        if role == Qt.ItemDataRole.FontRole and gold is not None and col == self.columnCount() - 1:
            font = QFont()
            font.setBold(True)
            return font
        return None


class DisagreementFilter(QSortFilterProxyModel):
    """Keeps the disagreements in which someone gave a chosen label (None: all), and optionally hides settled ones."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._label: str | None = None
        self._open_only = False
        self.setSortRole(SORT_ROLE)

    def set_label(self, label: str | None) -> None:
        self.beginFilterChange()
        self._label = label
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def set_open_only(self, open_only: bool) -> None:
        self.beginFilterChange()
        self._open_only = open_only
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        model = self.sourceModel()
        if not isinstance(model, DisagreementModel) or source_row >= model.rowCount():
            return True
        if self._open_only and model.gold_of(source_row) is not None:
            return False
        if self._label is None:
            return True
        d = model.disagreement(source_row)
        return any(self._label in given for given in d["labels"].values())
