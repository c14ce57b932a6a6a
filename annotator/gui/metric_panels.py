"""Two tabs of the metric view that each show one part of a report on their own: calibration and agreement by
kind of pair.

Each panel takes a finished report and lays out a note, a table and a chart; it computes nothing, so the view
keeps the one place where reports are requested and stale results dropped.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSplitter, QVBoxLayout, QWidget

from .charts import ChartCanvas
from .metric_charts import draw_partitions, draw_reliability
from .metric_tables import (
    CALIBRATION_COLUMNS,
    GROUP_TITLES,
    PAIR_COLUMNS,
    LabelNamedModel,
    calibration_rows,
)
from .report_models import Column, format_number
from .report_tables import report_table

NOTHING = "nothing to show"


class _NoteTableChart(QWidget):
    """A note above a table and a chart that share the height (in the order and sizes given)."""

    def __init__(self, parent: QWidget | None, columns: list[Column], chart_height: float, chart_first: bool,
                 sizes: list[int]):
        super().__init__(parent)
        self.note = QLabel(self)
        self.note.setWordWrap(True)
        self.note.setTextFormat(Qt.TextFormat.PlainText)  # metric names come from input files
        self.model = LabelNamedModel(columns, parent=self)
        self.table = report_table(self, self.model, stretch=0, compact=True)
        self.chart = ChartCanvas(self, width=5, height=chart_height)
        split = QSplitter(Qt.Orientation.Vertical, self)
        for part in ((self.chart, self.table) if chart_first else (self.table, self.chart)):
            split.addWidget(part)
        split.setSizes(sizes)
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addWidget(split, 1)

    def clear(self) -> None:
        self.model.set_rows([])
        self.chart.message(NOTHING)


class CalibrationPanel(_NoteTableChart):
    """ECE and Brier per label, and the reliability curve of the label selected in the table."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent, CALIBRATION_COLUMNS, chart_height=3.6, chart_first=False, sizes=[200, 420])
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self.draw())

    def show_report(self, report: dict[str, Any], names: Mapping[str, str] | None = None) -> None:
        """The report's calibration figures, keeping the label the user had chosen (one curve at a time reads
        better than eight crossing lines); `names` gives each label id's shown name."""
        rows = calibration_rows(report)
        current = self.table.currentIndex()
        chosen = self.model.row(current.row())["label"] if current.isValid() else None
        self.model.set_rows(rows, names=names or {})
        labels = [r["label"] for r in rows]
        if labels:
            self.table.selectRow(labels.index(chosen) if chosen in labels else 0)
        if rows:
            self.note.setText("The score read as a probability: ECE is the mean gap between the score and how "
                              "often the humans gave the label (0 is perfect); Brier is the mean squared error. "
                              "Select a label to see its curve.")
        else:
            self.note.setText(f"{report['metric']} gives only 0/1 scores, so there is nothing to calibrate.")
        self.draw()

    def draw(self) -> None:
        rows = self.model.rows()
        if not rows:
            self.chart.message("no graded scores: no reliability curve")
            return
        current = self.table.currentIndex()
        chosen = rows[current.row()]["label"] if current.isValid() else None
        names = self.model.names
        self.chart.draw(lambda fig: draw_reliability(fig, rows, chosen, names))


class PartitionsPanel(_NoteTableChart):
    """Mean Cohen's kappa of human-human, human-metric and metric-metric pairs, and every pair's kappa."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent, PAIR_COLUMNS, chart_height=3.2, chart_first=True, sizes=[380, 240])
        self.summary = self.note

    def show_failure(self, message: str) -> None:
        self.summary.setText(f"Could not compute the partitions: {message}")

    def show_partitions(self, partitions: dict[str, Any], metric: str | None,
                        names: Mapping[str, str] | None = None) -> None:
        overall = partitions["overall"]
        text = "Mean Cohen's kappa over labels: " + ", ".join(f"{title} {format_number(overall.get(group))}"
                                                              for group, title in GROUP_TITLES.items())
        by_metric = partitions.get("by_metric") or {}
        if metric in by_metric:
            text += (f". {metric} against the humans: {format_number(by_metric[metric].get('human_metric'))} "
                     f"(humans among themselves: {format_number(overall.get('human_human'))}).")
        self.summary.setText(text)
        self.model.set_rows(partitions.get("pairs") or [])
        self.chart.draw(lambda fig: draw_partitions(fig, partitions, names))
