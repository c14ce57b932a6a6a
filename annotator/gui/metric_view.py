"""The metric view: how far an automated metric matches the humans, read at a threshold the user moves.

Everything shown is a core report (`f1_report`, `agreement_partitions`, `alt_test`) computed off the UI thread
on one `LabelData` read per taxonomy; the view only lays the reports out. Moving the threshold recomputes after
a short pause, and a result that arrives after the user has moved on (another threshold, metric or epsilon) is
dropped by a generation count, so the figures on screen always belong to the controls on screen.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSlider,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ..core.stats.data import LabelData
from ..core.store import Project
from .alt_test_panel import AltTestPanel
from .background import BackgroundTask, run_in_background
from .charts import PALETTE, ChartCanvas, grouped_bars

Index = QModelIndex | QPersistentModelIndex
DEBOUNCE_MS = 150
GROUP_TITLES = {"human_human": "human–human", "human_metric": "human–metric", "metric_metric": "metric–metric"}


def _fmt(value: Any, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


# --- a table model over a list of plain rows ------------------------------------------------------------------

@dataclass(frozen=True)
class Column:
    """One column of a report table: its title, how to get the value from a row, and (optionally) why a
    value is missing, shown as the cell's tool tip."""

    title: str
    value: Callable[[dict[str, Any]], Any]
    digits: int = 3
    why: Callable[[dict[str, Any]], str | None] | None = None


class RecordTableModel(QAbstractTableModel):
    """Rows of a report (dicts) shown through a fixed list of columns. Display text is formatted; UserRole
    gives the raw value, so tests and sorting read the same figure the report holds."""

    def __init__(self, columns: list[Column], parent=None):
        super().__init__(parent)
        self.columns = columns
        self._rows: list[dict[str, Any]] = []

    def set_rows(self, rows: list[dict[str, Any]]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row(self, row: int) -> dict[str, Any]:
        return self._rows[row]

    def rowCount(self, parent: Index | None = None) -> int:
        return 0 if parent is not None and parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index | None = None) -> int:
        return 0 if parent is not None and parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal \
                and 0 <= section < len(self.columns):
            return self.columns[section].title
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._rows) \
                or not 0 <= index.column() < len(self.columns):
            return None
        col = self.columns[index.column()]
        row = self._rows[index.row()]
        value = col.value(row)
        if role == Qt.ItemDataRole.DisplayRole:
            return _fmt(value, col.digits)
        if role == Qt.ItemDataRole.UserRole:
            return value
        if role == Qt.ItemDataRole.TextAlignmentRole and isinstance(value, (int, float)) and index.column() > 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and value is None and col.why is not None:
            return col.why(row)
        return None


class ErrorTable(QTableView):
    """A list of wrong answers: Enter or a double click asks to open the row's item."""

    chosen = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.doubleClicked.connect(lambda index: self.chosen.emit(index.row()))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.chosen.emit(self.currentIndex().row())
            return
        super().keyPressEvent(event)


def _table(model: QAbstractTableModel, parent: QWidget, view: QTableView | None = None,
           stretch: int = 0) -> QTableView:
    """A read-only report table; the `stretch` column (a name, not a number) takes the spare width, so the
    figures stay next to the names they belong to."""
    view = view or QTableView(parent)
    view.setModel(model)
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 8)
    view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QTableView.SelectionMode.SingleSelection)
    view.setAlternatingRowColors(True)
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    header.setStretchLastSection(False)
    return view


def _reason(name: str) -> Callable[[dict[str, Any]], str | None]:
    return lambda row: row.get(f"{name}_reason")


FIGURE_COLUMNS = [
    Column("label", lambda r: r["label"]),
    Column("precision", lambda r: r["precision"], why=_reason("precision")),
    Column("recall", lambda r: r["recall"], why=_reason("recall")),
    Column("F1", lambda r: r["f1"], why=_reason("f1")),
    Column("human F1", lambda r: r.get("ceiling_f1"), why=lambda r: "no annotator can be scored on this label"),
    Column("support", lambda r: r["support"]),
    Column("tp", lambda r: r["tp"]),
    Column("fp", lambda r: r["fp"]),
    Column("fn", lambda r: r["fn"]),
    Column("best threshold", lambda r: r.get("best_threshold"), digits=2,
           why=lambda r: "only 0/1 scores, or single choice: no threshold to tune"),
]
ERROR_COLUMNS = [
    Column("item", lambda r: r["item_id"]),
    Column("target", lambda r: r["target"]),
    Column("label", lambda r: r["label"]),
    Column("score", lambda r: r["score"], digits=2),
]
CALIBRATION_COLUMNS = [
    Column("label", lambda r: r["label"]),
    Column("units", lambda r: r["units"]),
    Column("ECE", lambda r: r["ece"], why=_reason("calibration")),
    Column("Brier", lambda r: r["brier"], why=_reason("calibration")),
]
PAIR_COLUMNS = [
    Column("a", lambda r: r["a"]),
    Column("b", lambda r: r["b"]),
    Column("pair", lambda r: GROUP_TITLES.get(r["group"], r["group"])),
    Column("Cohen's kappa", lambda r: r["kappa"], why=lambda r: "undefined: too few shared units or no variation"),
    Column("units", lambda r: r["units"]),
]


def figure_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The per-label rows of the figures table: the report's figures, the humans' F1 and the best threshold."""
    ceiling = (report.get("human_ceiling") or {}).get("labels") or {}
    sweep = report.get("sweep") or {}
    return [{"label": lab, **fig, "ceiling_f1": (ceiling.get(lab) or {}).get("f1"),
             "best_threshold": (sweep.get(lab) or {}).get("best_threshold")}
            for lab, fig in report["labels"].items()]


def calibration_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"label": lab, "units": sum(b[2] for b in fig.get("reliability") or []), "ece": fig.get("ece"),
             "brier": fig.get("brier"), "calibration_reason": fig.get("calibration_reason"),
             "reliability": fig.get("reliability") or []}
            for lab, fig in report["labels"].items() if "ece" in fig]


# --- charts ---------------------------------------------------------------------------------------------------

def draw_f1_bars(figure, report: dict[str, Any]) -> None:
    """The metric's F1 per label as bars, the human ceiling's F1 as a diamond on each."""
    rows = figure_rows(report)
    ax = figure.add_subplot()
    names = [r["label"] for r in rows]
    xs = list(range(len(rows)))
    f1 = [r["f1"] for r in rows]
    ax.bar(xs, [v if v is not None else 0.0 for v in f1], color=PALETTE[0], width=0.6, label="metric F1")
    for x, v in zip(xs, f1):
        if v is None:
            ax.text(x, 0.01, "—", ha="center", va="bottom", color="#666666")
    ceil = [(x, r["ceiling_f1"]) for x, r in zip(xs, rows) if r["ceiling_f1"] is not None]
    if ceil:
        ax.scatter([c[0] for c in ceil], [c[1] for c in ceil], marker="D", s=36, color="#222222", zorder=3,
                   label="human F1 (ceiling)")
    ax.set_xticks(xs, labels=names, rotation=30, ha="right")
    ax.set_ylim(0, 1.18)  # headroom for the legend, so it never sits on a bar
    ax.set_yticks([0, 0.2, 0.4, 0.6, 0.8, 1.0])
    ax.set_ylabel("F1")
    ax.grid(axis="y", alpha=0.3)
    ax.set_axisbelow(True)
    ax.legend(fontsize=8, frameon=False, loc="upper center", ncol=2)
    where = "" if report.get("choice") == "single" else f" at threshold {report['threshold']:.2f}"
    ax.set_title(f"{report['metric']}{where}", fontsize=10)


def draw_reliability(figure, rows: list[dict[str, Any]], chosen: str | None = None) -> None:
    """Reliability curves: mean score against the gold rate per score bin, the diagonal being perfect
    calibration. With a label chosen, only its curve, with each bin's size written beside its point."""
    ax = figure.add_subplot()
    ax.plot([0, 1], [0, 1], linestyle="--", color="#888888", linewidth=1, label="perfectly calibrated")
    shown = [r for r in rows if chosen is None or r["label"] == chosen]
    for k, r in enumerate(shown):
        pts = r["reliability"]
        if not pts:
            continue
        colour = PALETTE[k % len(PALETTE)] if chosen is None else PALETTE[0]
        ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", linewidth=1.4, color=colour,
                label=f"{r['label']} (ECE {_fmt(r['ece'])})")
        if chosen is not None:
            for p in pts:
                ax.annotate(str(p[2]), (p[0], p[1]), textcoords="offset points", xytext=(4, 4), fontsize=7)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("mean score in the bin")
    ax.set_ylabel("share where the humans gave the label")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, frameon=False, loc="upper left")


def draw_partitions(figure, partitions: dict[str, Any]) -> None:
    """Mean Cohen's kappa of the three kinds of pair, per label and overall, side by side."""
    ax = figure.add_subplot()
    per_label = partitions.get("labels") or {}
    names = list(per_label) + ["overall"]
    entries = [per_label[n] for n in per_label] + [partitions["overall"]]
    series = {title: [e.get(group) for e in entries] for group, title in GROUP_TITLES.items()}
    grouped_bars(ax, names, series, colors=[PALETTE[0], PALETTE[1], PALETTE[4]], ylabel="mean Cohen's kappa",
                 limits=(min(-0.1, *[v for s in series.values() for v in s if v is not None] or [0]), 1.0))
    ax.axhline(0, color="#999999", linewidth=0.8)


# --- the view -------------------------------------------------------------------------------------------------

class MetricView(QWidget):
    """Pick a taxonomy, a metric and a threshold; read the metric's figures beside the humans'."""

    openItem = Signal(str, str, str)     # item id, taxonomy, target: show it in the annotating view
    dataLoaded = Signal()                # the taxonomy's labels and predictions were (re)read
    reportShown = Signal()               # the F1 figures on screen are up to date
    partitionsShown = Signal()
    altTestShown = Signal()
    failed = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.project: Project | None = None
        self.data: LabelData | None = None
        self.report: dict[str, Any] | None = None
        self.partitions: dict[str, Any] | None = None
        self.alt_result: dict[str, Any] | None = None
        self.stale = False
        self._generation = {"load": 0, "f1": 0, "partitions": 0, "alt": 0}
        self.tasks: dict[str, BackgroundTask] = {}

        self.taxonomy_box = QComboBox(self)
        self.metric_box = QComboBox(self)
        self.metric_box.setMinimumContentsLength(14)
        self.slider = QSlider(Qt.Orientation.Horizontal, self)
        self.slider.setRange(0, 100)
        self.slider.setSingleStep(1)
        self.slider.setPageStep(5)
        self.slider.setValue(50)
        self.slider.setMinimumWidth(220)
        self.slider.setToolTip("A label is predicted on a unit when the metric's score is at least the threshold")
        self.threshold_label = QLabel("0.50", self)
        self.threshold_label.setMinimumWidth(32)
        self.refresh_button = QPushButton("Refresh", self)
        self.refresh_button.setToolTip("Read the labels and predictions again")
        self.export_button = QPushButton("Export HTML…", self)
        controls = QHBoxLayout()
        for text, widget in (("Taxonomy", self.taxonomy_box), ("Metric", self.metric_box)):
            controls.addWidget(QLabel(text, self))
            controls.addWidget(widget)
            controls.addSpacing(8)
        controls.addWidget(QLabel("Threshold", self))
        controls.addWidget(self.slider)
        controls.addWidget(self.threshold_label)
        controls.addStretch(1)
        controls.addWidget(self.refresh_button)
        controls.addWidget(self.export_button)

        self.summary = QLabel(self)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setWordWrap(True)
        self.status = QLabel(self)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setStyleSheet("color: #666666")

        self.figures_model = RecordTableModel(FIGURE_COLUMNS, self)
        self.figures_table = _table(self.figures_model, self)
        self.f1_chart = ChartCanvas(self, width=6, height=3.2)
        left = QSplitter(Qt.Orientation.Vertical, self)
        left.addWidget(self.figures_table)
        left.addWidget(self.f1_chart)
        left.setSizes([270, 420])  # the eight RIFT labels fit without an empty band below them
        left.setStretchFactor(0, 0)
        left.setStretchFactor(1, 1)  # a taller window grows the chart, not the table's empty rows

        self.fp_model = RecordTableModel(ERROR_COLUMNS, self)
        self.fn_model = RecordTableModel(ERROR_COLUMNS, self)
        self.fp_table = _table(self.fp_model, self, ErrorTable(self), stretch=2)
        self.fn_table = _table(self.fn_model, self, ErrorTable(self), stretch=2)
        self.fp_table.chosen.connect(lambda row: self._open_error(self.fp_model, row))
        self.fn_table.chosen.connect(lambda row: self._open_error(self.fn_model, row))
        for t in (self.fp_table, self.fn_table):
            t.setToolTip("Double-click or press Enter to open the item in the annotating view")

        self.calibration_model = RecordTableModel(CALIBRATION_COLUMNS, self)
        self.calibration_table = _table(self.calibration_model, self)
        self.calibration_table.selectionModel().currentRowChanged.connect(lambda *_: self._draw_reliability())
        self.reliability_chart = ChartCanvas(self, width=5, height=3.6)
        self.calibration_note = QLabel(self)
        self.calibration_note.setWordWrap(True)
        calibration = QWidget(self)
        cal_layout = QVBoxLayout(calibration)
        cal_layout.addWidget(self.calibration_note)
        cal_split = QSplitter(Qt.Orientation.Vertical, calibration)
        cal_split.addWidget(self.calibration_table)
        cal_split.addWidget(self.reliability_chart)
        cal_split.setSizes([200, 420])
        cal_layout.addWidget(cal_split, 1)

        self.partitions_summary = QLabel(self)
        self.partitions_summary.setWordWrap(True)
        self.partitions_summary.setTextFormat(Qt.TextFormat.PlainText)
        self.pairs_model = RecordTableModel(PAIR_COLUMNS, self)
        self.pairs_table = _table(self.pairs_model, self)
        self.partitions_chart = ChartCanvas(self, width=5, height=3.2)
        agreement = QWidget(self)
        agr_layout = QVBoxLayout(agreement)
        agr_layout.addWidget(self.partitions_summary)
        agr_split = QSplitter(Qt.Orientation.Vertical, agreement)
        agr_split.addWidget(self.partitions_chart)
        agr_split.addWidget(self.pairs_table)
        agr_split.setSizes([380, 240])
        agr_layout.addWidget(agr_split, 1)

        self.alt_panel = AltTestPanel(self)
        self.alt_panel.epsilonChanged.connect(lambda _e: self._alt_timer.start())

        self.side = QTabWidget(self)
        self.side.addTab(self.fp_table, "False positives")
        self.side.addTab(self.fn_table, "False negatives")
        self.side.addTab(calibration, "Calibration")
        self.side.addTab(agreement, "Agreement by pair kind")
        self.side.addTab(self.alt_panel, "Alt-test")

        body = QSplitter(Qt.Orientation.Horizontal, self)
        body.addWidget(left)
        body.addWidget(self.side)
        body.setStretchFactor(0, 1)
        body.setStretchFactor(1, 1)
        body.setSizes([700, 640])

        layout = QVBoxLayout(self)
        layout.addLayout(controls)
        layout.addWidget(self.summary)
        layout.addWidget(body, 1)
        layout.addWidget(self.status)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self.recompute)
        self._alt_timer = QTimer(self)
        self._alt_timer.setSingleShot(True)
        self._alt_timer.setInterval(DEBOUNCE_MS)
        self._alt_timer.timeout.connect(self._compute_alt_test)

        self.taxonomy_box.currentIndexChanged.connect(lambda _i: self.reload())
        self.metric_box.currentIndexChanged.connect(lambda _i: self.recompute())
        self.slider.valueChanged.connect(self._threshold_moved)
        self.refresh_button.clicked.connect(self.reload)
        self.export_button.clicked.connect(self.ask_export_html)
        self._set_empty("Open a project to see how its metrics match the annotators.")

    # --- what is chosen ---------------------------------------------------------------------------------
    @property
    def taxonomy(self) -> str | None:
        return self.taxonomy_box.currentData()

    @property
    def metric_id(self) -> str | None:
        return self.metric_box.currentData()

    @property
    def threshold(self) -> float:
        return self.slider.value() / 100

    @property
    def epsilon(self) -> float:
        return float(self.alt_panel.epsilon.value())

    def set_threshold(self, value: float) -> None:
        self.slider.setValue(round(value * 100))

    def set_metric(self, metric: str) -> None:
        index = self.metric_box.findData(metric)
        if index >= 0:
            self.metric_box.setCurrentIndex(index)

    def set_taxonomy(self, taxonomy: str) -> None:
        index = self.taxonomy_box.findData(taxonomy)
        if index >= 0:
            self.taxonomy_box.setCurrentIndex(index)

    # --- the project ------------------------------------------------------------------------------------
    def set_project(self, project: Project | None) -> None:
        """Show the metrics of a project (None: nothing open). Taxonomies without a metric are not offered."""
        self.project = project
        for key in self._generation:
            self._generation[key] += 1
        self.data = None
        self._fill_taxonomies()

    def _fill_taxonomies(self) -> None:
        previous = self.taxonomy
        self.taxonomy_box.blockSignals(True)
        self.taxonomy_box.clear()
        if self.project is not None:
            for tax in self.project.taxonomies.list():
                if self.project.predictions.metrics(tax.id):
                    self.taxonomy_box.addItem(tax.name, tax.id)
        index = self.taxonomy_box.findData(previous) if previous else -1
        self.taxonomy_box.setCurrentIndex(max(index, 0) if self.taxonomy_box.count() else -1)
        self.taxonomy_box.blockSignals(False)
        self.reload()

    def mark_stale(self) -> None:
        """Labels changed elsewhere; re-read them when the view is next looked at (not on every key press)."""
        self.stale = True
        if self.isVisible():
            self._timer.stop()
            QTimer.singleShot(0, self._reload_if_stale)

    def _reload_if_stale(self) -> None:
        if self.stale and self.isVisible():
            self.reload()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self.stale:
            self.reload()

    def reload(self) -> None:
        """Read the chosen taxonomy's labels and predictions again (off the UI thread), then recompute."""
        self.stale = False
        self._generation["load"] += 1
        gen = self._generation["load"]
        taxonomy = self.taxonomy
        if self.project is None:
            self._set_empty("Open a project to see how its metrics match the annotators.")
            return
        if taxonomy is None:
            self._set_empty("No metric has scored anything in this project yet. Use Metrics > Run built-in "
                            "heuristics, Metrics > Run LLM judge…, or import predictions from the command line.")
            return
        self._fill_metrics(taxonomy)
        url = self.project.url
        self.status.setText(f"reading the labels of {taxonomy}…")

        def work(_task: BackgroundTask) -> LabelData:
            with Project.open(url) as project:
                return project.label_data(taxonomy)

        def done(data: LabelData) -> None:
            if gen == self._generation["load"]:
                self.data = data
                self.dataLoaded.emit()
                self.recompute()

        self.tasks["load"] = run_in_background(work, done, lambda exc: self._failed("load", gen, exc), parent=self)

    def _fill_metrics(self, taxonomy: str) -> None:
        previous = self.metric_id
        metrics = self.project.predictions.metrics(taxonomy) if self.project else []
        self.metric_box.blockSignals(True)
        self.metric_box.clear()
        for m in metrics:
            self.metric_box.addItem(m, m)
        index = self.metric_box.findData(previous) if previous else -1
        self.metric_box.setCurrentIndex(max(index, 0) if metrics else -1)
        self.metric_box.blockSignals(False)
        single = bool(self.project) and self.project.taxonomies.get(taxonomy).choice == "single"
        self.slider.setEnabled(not single)
        self.slider.setToolTip("Single-choice taxonomy: the metric's label on a unit is its highest-scored one, "
                               "so there is no threshold" if single else
                               "A label is predicted on a unit when the metric's score is at least the threshold")

    def _set_empty(self, text: str) -> None:
        self.report = self.partitions = self.alt_result = None
        self.summary.setText(text)
        self.status.setText("")
        for model in (self.figures_model, self.fp_model, self.fn_model, self.calibration_model, self.pairs_model):
            model.set_rows([])
        for chart in (self.f1_chart, self.reliability_chart, self.partitions_chart):
            chart.message("nothing to show")
        self.alt_panel.show_message(text)
        self.export_button.setEnabled(False)

    # --- computing ----------------------------------------------------------------------------------------
    def _threshold_moved(self, value: int) -> None:
        self.threshold_label.setText(f"{value / 100:.2f}")
        self._timer.start()

    def recompute(self) -> None:
        """Compute the F1 report, the partitions and the alt-test for the controls as they are now."""
        self._timer.stop()
        if self.data is None or self.metric_id is None:
            return
        self._compute_f1()
        self._compute_partitions()
        self._compute_alt_test()

    def _run(self, key: str, work: Callable[[], Any], show: Callable[[Any], None]) -> None:
        self._generation[key] += 1
        gen = self._generation[key]

        def done(result: Any) -> None:
            if gen == self._generation[key]:  # the controls moved on while this was computed: drop it
                show(result)

        self.tasks[key] = run_in_background(lambda _t: work(), done, lambda exc: self._failed(key, gen, exc),
                                            parent=self)

    def _failed(self, key: str, gen: int, exc: BaseException) -> None:
        if gen != self._generation[key]:
            return
        message = str(exc)
        if key == "alt":
            self.alt_panel.show_message(f"The test could not run: {message}")
        elif key == "partitions":
            self.partitions_summary.setText(f"Could not compute the partitions: {message}")
        else:
            self.status.setText(f"could not compute: {message}")
        self.failed.emit(message)

    def _compute_f1(self) -> None:
        from ..core.stats.f1 import f1_report

        data, metric, threshold = self.data, self.metric_id, self.threshold
        self.status.setText(f"computing {metric} at {threshold:.2f}…")
        self._run("f1", lambda: f1_report(data, metric, threshold=threshold), self._show_report)

    def _compute_partitions(self) -> None:
        from ..core.stats.partitions import agreement_partitions

        data, threshold = self.data, self.threshold
        self._run("partitions", lambda: agreement_partitions(data, data.metrics, threshold=threshold),
                  self._show_partitions)

    def _compute_alt_test(self) -> None:
        from ..core.stats.alt_test import alt_test

        if self.data is None or self.metric_id is None:
            return
        data, metric, threshold, epsilon = self.data, self.metric_id, self.threshold, self.epsilon
        self.alt_panel.show_message(f"testing {metric} at epsilon {epsilon:g}…")
        self._run("alt", lambda: alt_test(data, metric, epsilon=epsilon, threshold=threshold),
                  self._show_alt_test)

    # --- showing ------------------------------------------------------------------------------------------
    def _show_report(self, report: dict[str, Any]) -> None:
        self.report = report
        ceiling = report.get("human_ceiling") or {}
        parts = [f"micro F1 {_fmt(report.get('micro_f1'))} (humans {_fmt(ceiling.get('micro_f1'))})",
                 f"macro F1 {_fmt(report.get('macro_f1'))} (humans {_fmt(ceiling.get('macro_f1'))})"]
        if "accuracy" in report:
            parts.append(f"accuracy {_fmt(report.get('accuracy'))} (humans {_fmt(ceiling.get('accuracy'))})")
        parts.append(f"{report['units']} units, {report['ties_excluded']} left out as ties")
        if ceiling.get("reason"):
            parts.append(f"no human ceiling: {ceiling['reason']}")
        self.summary.setText("   ·   ".join(parts))
        self.figures_model.set_rows(figure_rows(report))
        errors = report.get("errors") or {}
        self.fp_model.set_rows(errors.get("false_positives") or [])
        self.fn_model.set_rows(errors.get("false_negatives") or [])
        self.side.setTabText(0, f"False positives ({self.fp_model.rowCount()})")
        self.side.setTabText(1, f"False negatives ({self.fn_model.rowCount()})")
        self.f1_chart.draw(lambda fig: draw_f1_bars(fig, report))
        rows = calibration_rows(report)
        current = self.calibration_table.currentIndex()
        chosen = self.calibration_model.row(current.row())["label"] if current.isValid() else None
        self.calibration_model.set_rows(rows)
        labels = [r["label"] for r in rows]
        if labels:  # one curve at a time reads better than eight crossing lines; keep the label the user chose
            self.calibration_table.selectRow(labels.index(chosen) if chosen in labels else 0)
        if rows:
            self.calibration_note.setText("The score read as a probability: ECE is the mean gap between the "
                                          "score and how often the humans gave the label (0 is perfect); Brier "
                                          "is the mean squared error. Select a label to see its curve.")
        else:
            self.calibration_note.setText(f"{report['metric']} gives only 0/1 scores, so there is nothing to "
                                          "calibrate.")
        self._draw_reliability()
        self.export_button.setEnabled(True)
        self.status.setText(f"{report['metric']} on {report['taxonomy']} against "
                            f"{', '.join(report.get('annotators', []))}")
        self.reportShown.emit()

    def _draw_reliability(self) -> None:
        rows = [self.calibration_model.row(r) for r in range(self.calibration_model.rowCount())]
        if not rows:
            self.reliability_chart.message("no graded scores: no reliability curve")
            return
        current = self.calibration_table.currentIndex()
        chosen = rows[current.row()]["label"] if current.isValid() else None
        self.reliability_chart.draw(lambda fig: draw_reliability(fig, rows, chosen))

    def _show_partitions(self, partitions: dict[str, Any]) -> None:
        self.partitions = partitions
        o = partitions["overall"]
        text = ("Mean Cohen's kappa over labels: " + ", ".join(f"{title} {_fmt(o.get(g))}"
                                                              for g, title in GROUP_TITLES.items()))
        by_metric = partitions.get("by_metric") or {}
        metric = self.metric_id
        if metric in by_metric:
            text += (f". {metric} against the humans: {_fmt(by_metric[metric].get('human_metric'))} "
                     f"(humans among themselves: {_fmt(o.get('human_human'))}).")
        self.partitions_summary.setText(text)
        self.pairs_model.set_rows(partitions.get("pairs") or [])
        self.partitions_chart.draw(lambda fig: draw_partitions(fig, partitions))
        self.partitionsShown.emit()

    def _show_alt_test(self, result: dict[str, Any]) -> None:
        self.alt_result = result
        self.alt_panel.show_result(result)
        self.altTestShown.emit()

    # --- acting on the figures -------------------------------------------------------------------------
    def _open_error(self, model: RecordTableModel, row: int) -> None:
        if self.report is None or not 0 <= row < model.rowCount():
            return
        entry = model.row(row)
        self.openItem.emit(entry["item_id"], self.report["taxonomy"], entry["target"])

    def ask_export_html(self) -> None:
        if self.report is None:
            return
        name = f"f1-{self.report['metric']}-{self.report['taxonomy']}.html"
        path, _ = QFileDialog.getSaveFileName(self, "Export the F1 report", name, "HTML (*.html)")
        if path:
            self.export_html(path)

    def export_html(self, path: str) -> BackgroundTask | None:
        """Write the report on screen (with its partitions and alt-test) as one HTML page, off the UI thread."""
        if self.report is None:
            return None
        report, alt, partitions = self.report, self.alt_result, self.partitions

        def work(_task: BackgroundTask) -> str:
            from ..core.export import atomic_path
            from ..core.reports.f1_html import render_f1_html

            text = render_f1_html(report, alt_test=alt, partitions=partitions)
            with atomic_path(path, ".html") as tmp:
                tmp.write_text(text, encoding="utf-8")
            return path

        self.status.setText(f"writing {path}…")
        return run_in_background(work, lambda p: self.status.setText(f"wrote {p}"),
                                 lambda exc: self.status.setText(f"could not write {path}: {exc}"), parent=self)


# --- joining the main window ------------------------------------------------------------------------------------

def open_in_annotator(window, item_id: str, taxonomy: str, target: str) -> None:
    """Show an item of the error list in the annotating view, in the report's taxonomy, on its unit."""
    session = window.session
    if session is None:
        return
    window.tabs.setCurrentIndex(0)
    session.open_item(item_id)
    if session.item is None or session.item.id != item_id:
        return
    if session.taxonomy is None or session.taxonomy.id != taxonomy:
        session.set_taxonomy(taxonomy)
    session.select_target(target)  # an item-level label selects the item itself, not its first criterion
    window.item_view.setFocus()


def install_metric_view(window) -> MetricView:
    """Add the metric view as a tab of the main window (Ctrl+Shift+M) and a Metrics menu with the judge and
    the built-in heuristics; keeps the view in step with the project and the labels."""
    from .judge_dialog import open_judge_dialog, run_heuristics

    view = MetricView(window)
    window.add_view("Metrics", view)

    def show() -> None:
        window.tabs.setCurrentWidget(view)

    bar = window.menuBar()
    menu = bar.addMenu("&Metrics")
    help_action = next((a for a in bar.actions() if a.text().replace("&", "") == "Help"), None)
    if help_action is not None:
        bar.insertMenu(help_action, menu)
    shortcut = QAction("Show &metric view", window)
    shortcut.setShortcut(QKeySequence("Ctrl+Shift+M"))
    shortcut.triggered.connect(lambda _=False: show())
    menu.addAction(shortcut)
    menu.addSeparator()
    menu.addAction("Run LLM &judge…").triggered.connect(lambda _=False: open_judge_dialog(window, view))
    menu.addAction("Run built-in &heuristics").triggered.connect(lambda _=False: run_heuristics(window, view))

    def opened() -> None:
        view.set_project(window.project)
        if window.session is not None:
            window.session.labelsChanged.connect(view.mark_stale)
            window.session.doneChanged.connect(lambda _item: view.mark_stale())

    window.projectOpened.connect(opened)
    view.openItem.connect(lambda item, tax, target: open_in_annotator(window, item, tax, target))
    return view
