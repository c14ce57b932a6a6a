"""The alternative annotator test in the metric view: can this metric take one annotator's seat?

The panel only shows a result of `alt_test` and asks for epsilon; the metric view computes the test off the UI
thread and hands the result in. Epsilon is the one judgement call the test leaves to the team (how much worse
than a human the metric may be and still be worth it), so it sits beside the verdict with the published
guidance, not in a settings dialog.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from ..core.stats.alt_test import explain_alt_test, human_outcome
from .report_models import UNDEFINED, Column, RecordTableModel, format_number
from .report_tables import report_table

EPSILON_NOTE = "0.2 experts, 0.15 trained, 0.1 crowd"
NOT_TESTED = "not tested: too few items shared with the metric"


def _verdict(passed: bool | None) -> str:
    return {True: "passes", False: "does not pass", None: "undecided"}[passed]


ANNOTATOR_COLUMNS = [
    Column("annotator", "annotator", "text"),
    Column("items", "items", "count"),
    Column("p_value", "p", "p_value", "One-sided t-test: a small p says the metric is not worse than this human by "
           "epsilon or more.", why=NOT_TESTED),
    Column("p_adjusted", "p adjusted", "p_value", "The p-value after the Benjamini-Yekutieli correction.",
           why=NOT_TESTED),
    Column("metric_advantage", "metric wins", tip="Share of items where the metric matched the other humans at "
           "least as well as this human.", why=NOT_TESTED),
    Column("human_advantage", "human wins", tip="Share of items where this human matched the others at least as "
           "well as the metric.", why=NOT_TESTED),
    Column("rejected", "result", "text", value=human_outcome,
           tip="\"metric at least as good\": after the Benjamini-Yekutieli correction, the metric is not worse "
               "than this human by more than epsilon; \"human better\": that could not be shown."),
]


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

        self.model = RecordTableModel(ANNOTATOR_COLUMNS, parent=self)
        self.table = report_table(self, self.model, stretch_last=True)

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
            label.setText(UNDEFINED)
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
        self.winning_rate.setText(UNDEFINED if rate is None else f"{rate:.2f} ({wins} of {tested} humans; 0.5 needed)")
        self.advantage.setText(format_number(result.get("advantage_probability")))
        self.items.setText(str(result.get("items", UNDEFINED)))
        per_label = result.get("per_label") or {}
        if per_label:
            parts = [f"{lab}: {_verdict(r.get('passed'))}" for lab, r in per_label.items()]
            self.by_label.setText("; ".join(parts))
        else:
            self.by_label.setText(f"{UNDEFINED} (one test over the categories)")
        self.model.set_rows(result["annotators"])
        self.explanation.setText(explain_alt_test(result))
