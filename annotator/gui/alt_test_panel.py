"""The alternative annotator test in the metric view: can this metric take one annotator's seat?

The panel only shows a result of `alt_test` and asks for epsilon; the metric view computes the test off the UI
thread and hands the result in. Epsilon is the one judgement call the test leaves to the team (how much worse
than a human the metric may be and still be worth it), so it sits beside the verdict with the published
guidance, not in a settings dialog.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ..core.stats.alt_test import explain_alt_test

Index = QModelIndex | QPersistentModelIndex
EPSILON_NOTE = "0.2 experts, 0.15 trained, 0.1 crowd"


def _num(value: float | None, digits: int = 3) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _p(value: float | None) -> str:
    """p-values span many orders of magnitude: fixed digits would show most of them as 0.000."""
    if value is None:
        return "—"
    return f"{value:.3f}" if value >= 0.001 else f"{value:.1e}"


def _verdict(passed: bool | None) -> str:
    return {True: "passes", False: "does not pass", None: "undecided"}[passed]


class AnnotatorTestModel(QAbstractTableModel):
    """One row per human of an alt-test result: items, p-values, the two advantages and the decision."""

    COLUMNS = ("annotator", "items", "p", "p adjusted", "metric wins", "human wins", "metric wins over them?")

    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list[dict[str, Any]] = []

    def set_rows(self, rows: list[dict[str, Any]]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: Index | None = None) -> int:
        return 0 if parent is not None and parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index | None = None) -> int:
        return 0 if parent is not None and parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal \
                and 0 <= section < len(self.COLUMNS):
            return self.COLUMNS[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def cell(self, row: int, column: int) -> str:
        r = self._rows[row]
        if column == 6:
            if r.get("rejected") is None:
                return f"not tested: {r.get('reason', 'too few items')}"
            return "yes" if r["rejected"] else "no"
        return [r["annotator"], str(r["items"]), _p(r.get("p_value")), _p(r.get("p_adjusted")),
                _num(r.get("metric_advantage")), _num(r.get("human_advantage"))][column]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.cell(index.row(), index.column())
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in (1, 2, 3, 4, 5):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            return {4: "share of items where the metric matched the other humans at least as well as this human",
                    5: "share of items where this human matched the others at least as well as the metric",
                    6: "rejected after the Benjamini-Yekutieli correction: the metric is not worse than this "
                       "human by more than epsilon"}.get(index.column())
        return None


class AltTestPanel(QWidget):
    """Epsilon, the verdict, its figures, the per-annotator table and the explanation in plain words."""

    epsilonChanged = Signal(float)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.result: dict[str, Any] | None = None
        self.epsilon = QDoubleSpinBox(self)
        self.epsilon.setRange(0.0, 0.99)
        self.epsilon.setSingleStep(0.05)
        self.epsilon.setDecimals(2)
        self.epsilon.setValue(0.2)
        self.epsilon.setToolTip("How much less often than a human the metric may match the others and still count "
                                "as a replacement")
        self.epsilon.valueChanged.connect(lambda v: self.epsilonChanged.emit(float(v)))
        note = QLabel(EPSILON_NOTE, self)
        note.setObjectName("muted")
        row = QHBoxLayout()
        row.addWidget(QLabel("epsilon", self))
        row.addWidget(self.epsilon)
        row.addWidget(note)
        row.addStretch(1)

        self.verdict = QLabel(self)
        self.verdict.setTextFormat(Qt.TextFormat.PlainText)
        font = self.verdict.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.verdict.setFont(font)
        self.winning_rate = QLabel(self)
        self.advantage = QLabel(self)
        self.items = QLabel(self)
        self.by_label = QLabel(self)
        self.by_label.setWordWrap(True)
        self.by_label.setTextFormat(Qt.TextFormat.PlainText)
        figures = QFormLayout()
        figures.addRow("winning rate", self.winning_rate)
        figures.addRow("advantage probability", self.advantage)
        figures.addRow("items", self.items)
        figures.addRow("label by label", self.by_label)

        self.model = AnnotatorTestModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)

        self.explanation = QLabel(self)
        self.explanation.setWordWrap(True)
        self.explanation.setTextFormat(Qt.TextFormat.PlainText)  # metric names come from input files
        self.explanation.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.verdict)
        layout.addLayout(figures)
        layout.addWidget(self.explanation)
        layout.addWidget(self.table, 1)
        self.show_message("Pick a metric to run the test.")

    def show_message(self, text: str) -> None:
        """No result to show (computing, or the test could not run): say why instead of showing old figures."""
        self.result = None
        self.verdict.setText("")
        for label in (self.winning_rate, self.advantage, self.items, self.by_label):
            label.setText("—")
        self.model.set_rows([])
        self.explanation.setText(text)

    def show_result(self, result: dict[str, Any]) -> None:
        self.result = result
        self.verdict.setText(f"{result['metric']} {_verdict(result['passed'])} "
                             f"(epsilon {result['epsilon']:g}, q {result['q']:g})")
        colour = {True: "#1a7f37", False: "#b42318", None: "#555555"}[result["passed"]]
        self.verdict.setStyleSheet(f"color: {colour}")
        rate = result.get("winning_rate")
        tested = result.get("tested", sum(1 for a in result["annotators"] if a.get("tested")))
        wins = sum(1 for a in result["annotators"] if a.get("rejected"))
        self.winning_rate.setText("—" if rate is None else f"{rate:.2f} ({wins} of {tested} humans; 0.5 needed)")
        self.advantage.setText(_num(result.get("advantage_probability")))
        self.items.setText(str(result.get("items", "—")))
        per_label = result.get("per_label") or {}
        if per_label:
            parts = [f"{lab}: {_verdict(r.get('passed'))}" for lab, r in per_label.items()]
            self.by_label.setText("; ".join(parts))
        else:
            self.by_label.setText("— (one test over the categories)")
        self.model.set_rows(result["annotators"])
        self.explanation.setText(explain_alt_test(result))
