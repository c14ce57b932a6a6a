"""The agreement view: how far the annotators agree on one taxonomy, where they disagree, and a way to settle it.

The labels are read on the UI thread (`project.label_data` is a few small queries) and the report is computed
off it with `run_in_background`, since the bootstrap can take a while on a large project; a newer computation
supersedes an older one. Every number comes from the core's `agreement_report`, so the view, the command line
and the HTML export always show the same figures. Disagreements open in the adjudication dialog.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QKeySequence, QPalette, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ..core.csv_cells import neutralise
from ..core.errors import AnnotatorError
from ..core.export import atomic_path
from ..core.reports.agreement_html import render_agreement_html
from ..core.stats.agreement import Cancelled as ReportCancelled
from ..core.stats.agreement import agreement_report
from ..core.stats.data import LabelData
from ..core.stats.disagreements import disagreements
from ..core.store import Project
from ..core.taxonomy import Taxonomy
from .adjudication import AdjudicationDialog, GoldDecisions
from .background import BackgroundTask, Cancelled, run_in_background
from .charts import ChartCanvas, bar_with_intervals, grouped_bars, heatmap
from .report_models import (
    Column,
    DisagreementFilter,
    DisagreementModel,
    RecordTableModel,
    format_figure,
    format_interval,
    sortable,
)
from .text import plain_label, tooltip_text

if TYPE_CHECKING:
    from .main_window import MainWindow

FIGURE_TITLES = {
    "percent_agreement": "% agreement",
    "cohen_kappa_mean": "Cohen's κ (pair mean)",
    "fleiss_kappa": "Fleiss' κ",
    "krippendorff_alpha": "Krippendorff's α",
    "masi_alpha": "MASI α (label sets)",
    "krippendorff_alpha_ordinal": "Krippendorff's α, ordinal",
    "cohen_kappa_linear_mean": "Cohen's κ, linear weights",
}
FIGURE_TIPS = {
    "percent_agreement": "Share of annotator pairs giving the same answer on a unit; high whenever a label is rare.",
    "cohen_kappa_mean": "Cohen's kappa per pair of annotators over the units both finished, then the mean.",
    "fleiss_kappa": "Fleiss' kappa over the units every chosen annotator finished.",
    "krippendorff_alpha": "Nominal Krippendorff's alpha over all units; allows missing answers.",
    "masi_alpha": "Krippendorff's alpha with the MASI distance between whole label sets (partial credit).",
    "krippendorff_alpha_ordinal": "Krippendorff's alpha with ordinal distances (labels outside the scale left out).",
    "cohen_kappa_linear_mean": "Linearly weighted Cohen's kappa per pair, then the mean.",
}
LABEL_FIGURES = ("percent_agreement", "cohen_kappa_mean", "fleiss_kappa", "krippendorff_alpha")

LABEL_COLUMNS = [
    Column("name", "label", "text"),
    Column("units", "units", "count", "Units of the label's target kind in the finished items."),
    Column("prevalence_mean", "used on", "share", "Share of units the label was given on, averaged over annotators."),
    *(Column(name, FIGURE_TITLES[name], "figure", FIGURE_TIPS[name]) for name in LABEL_FIGURES),
]
PAIR_COLUMNS = [
    Column("a", "annotator", "text"),
    Column("b", "with", "text"),
    Column("units", "units", "count", "Units both annotators finished."),
    Column("percent_agreement", "% agreement", "figure"),
    Column("cohen_kappa", "Cohen's κ", "figure", "Mean over labels of the pair's kappa."),
]
SPAN_COLUMNS = [
    Column("name", "label", "text"),
    Column("alpha", "character α", "figure",
           "Krippendorff's alpha over the characters of every field anyone marked with the label."),
    Column("characters", "characters", "count"),
    Column("fields", "fields", "count"),
    Column("spans", "spans", "count"),
]
ALL_LABELS = "all labels"


def label_rows(report: dict, taxonomy: Taxonomy) -> list[dict]:
    """The per-label table: the report's entries with the label's shown name and mean prevalence added."""
    rows = []
    for label, entry in report.get("labels", {}).items():
        shares = [v for v in entry.get("prevalence", {}).values() if v is not None]
        name = taxonomy.label(label).name if label in taxonomy.label_ids else label
        rows.append({**entry, "label": label, "name": name,
                     "prevalence_mean": sum(shares) / len(shares) if shares else None})
    return rows


def label_table_frame(report: dict, taxonomy: Taxonomy) -> pd.DataFrame:
    """The per-label table (and an overall row) as a flat frame: value, interval ends and reason per figure."""
    records = []
    entries = [(r["label"], r["name"], r) for r in label_rows(report, taxonomy)]
    entries.append(("OVERALL", "overall", {**report.get("overall", {}), "units": report.get("units")}))
    annotators = report.get("annotators", [])
    names = [n for n in FIGURE_TITLES if n in report.get("overall", {}) or any(n in e for _l, _n, e in entries)]
    for label, name, entry in entries:
        rec: dict[str, Any] = {"taxonomy": report.get("taxonomy"), "label": label, "name": name,
                               "units": entry.get("units")}
        for fig in names:
            if fig not in entry:
                continue
            ci = entry.get(f"{fig}_ci") or [None, None]
            rec[fig] = entry.get(fig)
            rec[f"{fig}_ci_low"], rec[f"{fig}_ci_high"] = ci[0], ci[1]
            rec[f"{fig}_reason"] = entry.get(f"{fig}_reason", "")
        for who in annotators:
            if "prevalence" in entry:
                rec[f"prevalence_{who}"] = entry["prevalence"].get(who)
        records.append(rec)
    return pd.DataFrame.from_records(records)


def disagreement_frame(rows: list[dict], annotators: list[str],
                       gold: dict[tuple[str, str], tuple[str, ...]]) -> pd.DataFrame:
    """Disagreements as one row per unit: each annotator's labels joined by ';', and the gold when settled."""
    records = []
    for d in rows:
        rec: dict[str, Any] = {"item_id": d["item_id"], "target": d["target"]}
        for who in annotators:
            given = d["labels"].get(who)
            rec[who] = "" if given is None else ";".join(given)
        settled = gold.get((d["item_id"], d["target"]))
        rec["gold"] = "" if settled is None else ";".join(settled)
        rec["settled"] = settled is not None
        records.append(rec)
    return pd.DataFrame.from_records(records, columns=["item_id", "target", *annotators, "gold", "settled"])


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    safe = frame.map(neutralise)
    with atomic_path(path, ".csv") as tmp:
        safe.to_csv(tmp, index=False)


class FigureCard(QFrame):
    """One overall figure: its name, the value large, the interval small; the reason as tooltip if undefined."""

    def __init__(self, title: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("figureCard")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.setSpacing(0)
        self.title = plain_label(title, self, wrap=False)
        self.title.setStyleSheet("color: #57606a; font-size: 11px;")
        self.value = plain_label("—", self, wrap=False)
        self.value.setStyleSheet("font-size: 20px; font-weight: bold;")
        self.interval = plain_label("", self, wrap=False)
        self.interval.setStyleSheet("color: #57606a; font-size: 11px;")
        for w in (self.title, self.value, self.interval):
            layout.addWidget(w)

    def set_figure(self, value: float | None, interval: list[float] | None, reason: str = "", tip: str = "") -> None:
        self.value.setText(format_figure(value))
        self.interval.setText(format_interval(interval) or ("undefined" if value is None else "no interval"))
        text = f"undefined: {reason}" if value is None else tip
        self.setToolTip(tooltip_text(text) if text else "")


class AgreementView(QWidget):
    """Pick a taxonomy and annotators, compute, read the figures and charts, and settle disagreements."""

    computed = Signal()        # a report is on screen
    computeFailed = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.project: Project | None = None
        self.reviewer = ""
        self.taxonomy: Taxonomy | None = None
        self.data: LabelData | None = None
        self.report: dict | None = None
        self.rows: list[dict] = []
        self.decisions: GoldDecisions | None = None
        self.task: BackgroundTask | None = None
        self.dialog: AdjudicationDialog | None = None
        self._stale = True
        self._generation = 0
        self._build()

    # --- layout -----------------------------------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(8, 8, 8, 8)

        bar = QHBoxLayout()
        bar.addWidget(QLabel("Taxonomy", self))
        self.taxonomy_box = QComboBox(self)
        self.taxonomy_box.setMinimumContentsLength(18)
        self.taxonomy_box.currentIndexChanged.connect(self._taxonomy_chosen)
        bar.addWidget(self.taxonomy_box)
        bar.addSpacing(12)
        bar.addWidget(QLabel("Annotators", self))
        self.annotator_list = QListWidget(self)
        self.annotator_list.setFlow(QListWidget.Flow.LeftToRight)
        self.annotator_list.setWrapping(True)
        self.annotator_list.setFixedHeight(26)
        self.annotator_list.setMinimumWidth(200)
        self.annotator_list.setMaximumWidth(520)
        self.annotator_list.setFrameShape(QFrame.Shape.NoFrame)
        palette = self.annotator_list.palette()
        palette.setColor(QPalette.ColorRole.Base, palette.color(QPalette.ColorRole.Window))
        self.annotator_list.setPalette(palette)
        self.annotator_list.setToolTip("Whose finished items count; every human annotator by default.")
        self.annotator_list.itemChanged.connect(lambda _i: self._mark_stale())
        bar.addWidget(self.annotator_list, 1)
        bar.addStretch(0)
        bar.addSpacing(12)
        bar.addWidget(QLabel("Resamples", self))
        self.resamples = QSpinBox(self)
        self.resamples.setRange(0, 20000)
        self.resamples.setSingleStep(500)
        self.resamples.setValue(1000)
        self.resamples.setToolTip("Bootstrap resamples for the 95% intervals (0: no intervals).")
        self.resamples.valueChanged.connect(lambda _v: self._mark_stale())
        bar.addWidget(self.resamples)
        self.compute_button = QPushButton("&Compute", self)
        self.compute_button.clicked.connect(self.compute)
        bar.addWidget(self.compute_button)
        self.progress = QProgressBar(self)
        self.progress.setMaximumWidth(140)
        self.progress.setVisible(False)
        bar.addWidget(self.progress)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setVisible(False)
        self.cancel_button.clicked.connect(self.cancel)
        bar.addWidget(self.cancel_button)
        bar.addSpacing(12)
        self.html_button = QPushButton("Export &HTML...", self)
        self.html_button.clicked.connect(self._ask_html)
        self.csv_button = QPushButton("Export C&SV...", self)
        self.csv_button.clicked.connect(self._ask_csv)
        bar.addWidget(self.html_button)
        bar.addWidget(self.csv_button)
        outer.addLayout(bar)

        self.summary = plain_label("", self)
        self.summary.setStyleSheet("color: #57606a;")
        outer.addWidget(self.summary)
        self.cards_row = QHBoxLayout()
        self.cards: dict[str, FigureCard] = {}
        for name, title in FIGURE_TITLES.items():
            card = FigureCard(title, self)
            card.setVisible(False)
            self.cards[name] = card
            self.cards_row.addWidget(card)
        self.cards_row.addStretch(1)
        outer.addLayout(self.cards_row)

        self.tabs = QTabWidget(self)
        outer.addWidget(self.tabs, 1)
        self._build_labels_tab()
        self._build_pairs_tab()
        self._build_prevalence_tab()
        self._build_confusion_tab()
        self._build_spans_tab()
        self._build_disagreements_tab()
        self._set_busy(False)
        self._enable_results(False)

    @staticmethod
    def _table(parent: QWidget, stretch_last: bool = False) -> QTableView:
        table = QTableView(parent)
        table.setSortingEnabled(True)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setAlternatingRowColors(True)
        table.verticalHeader().setVisible(False)
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        table.horizontalHeader().setStretchLastSection(stretch_last)
        table.setWordWrap(False)
        return table

    def _build_labels_tab(self) -> None:
        page = QSplitter(Qt.Orientation.Vertical, self)  # the table full width on top: every figure in view
        self.label_model = RecordTableModel(LABEL_COLUMNS, parent=self)
        self.label_proxy = sortable(self.label_model, self)
        self.label_table = self._table(page)
        self.label_table.setModel(self.label_proxy)
        self.label_split = page
        right = QWidget(page)
        box = QVBoxLayout(right)
        box.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(QLabel("Chart", right))
        self.chart_figure = QComboBox(right)
        for name in ("krippendorff_alpha", "cohen_kappa_mean", "fleiss_kappa", "percent_agreement"):
            self.chart_figure.addItem(FIGURE_TITLES[name], name)
        self.chart_figure.currentIndexChanged.connect(lambda _i: self._draw_label_chart())
        row.addWidget(self.chart_figure)
        row.addStretch(1)
        box.addLayout(row)
        self.label_chart = ChartCanvas(right, width=5, height=4)
        box.addWidget(self.label_chart, 1)
        page.addWidget(self.label_table)
        page.addWidget(right)
        page.setStretchFactor(0, 2)
        page.setStretchFactor(1, 3)
        self.tabs.addTab(page, "Figures per label")

    def _build_pairs_tab(self) -> None:
        page = QSplitter(Qt.Orientation.Horizontal, self)
        self.pair_chart = ChartCanvas(page, width=5, height=4)
        self.pair_model = RecordTableModel(PAIR_COLUMNS, parent=self)
        self.pair_table = self._table(page)
        self.pair_table.setModel(sortable(self.pair_model, self))
        page.addWidget(self.pair_chart)
        page.addWidget(self.pair_table)
        self.tabs.addTab(page, "Pairs")

    def _build_prevalence_tab(self) -> None:
        self.prevalence_chart = ChartCanvas(self, width=8, height=4)
        self.tabs.addTab(self.prevalence_chart, "Prevalence by annotator")

    def _build_confusion_tab(self) -> None:
        page = QWidget(self)
        box = QVBoxLayout(page)
        row = QHBoxLayout()
        row.addWidget(QLabel("Pair", page))
        self.pair_box = QComboBox(page)
        self.pair_box.currentIndexChanged.connect(lambda _i: self._draw_confusion())
        row.addWidget(self.pair_box)
        self.confusion_label_caption = QLabel("Label", page)
        row.addWidget(self.confusion_label_caption)
        self.confusion_label = QComboBox(page)
        self.confusion_label.currentIndexChanged.connect(lambda _i: self._draw_confusion())
        row.addWidget(self.confusion_label)
        row.addStretch(1)
        box.addLayout(row)
        self.confusion_chart = ChartCanvas(page, width=6, height=4)
        box.addWidget(self.confusion_chart, 1)
        self.tabs.addTab(page, "Confusion")

    def _build_spans_tab(self) -> None:
        page = QWidget(self)
        box = QVBoxLayout(page)
        self.span_note = plain_label("Character-level agreement on span labels: each character of a field anyone "
                                     "marked with the label is a unit, 1 inside an annotator's spans, 0 outside.",
                                     page)
        box.addWidget(self.span_note)
        self.span_model = RecordTableModel(SPAN_COLUMNS, parent=self)
        self.span_table = self._table(page)
        self.span_table.setModel(sortable(self.span_model, self))
        box.addWidget(self.span_table, 1)
        self.spans_index = self.tabs.addTab(page, "Spans")

    def _build_disagreements_tab(self) -> None:
        page = QWidget(self)
        box = QVBoxLayout(page)
        row = QHBoxLayout()
        row.addWidget(QLabel("Label", page))
        self.filter_label = QComboBox(page)
        self.filter_label.currentIndexChanged.connect(self._filter_changed)
        row.addWidget(self.filter_label)
        self.open_only = QCheckBox("Only unsettled", page)
        self.open_only.toggled.connect(lambda on: self.disagreement_filter.set_open_only(on))
        row.addWidget(self.open_only)
        row.addStretch(1)
        self.disagreement_count = plain_label("", page, wrap=False)
        row.addWidget(self.disagreement_count)
        self.adjudicate_button = QPushButton("&Adjudicate...", page)
        self.adjudicate_button.setToolTip("Open the selected disagreement to set its gold (double-click or Enter).")
        self.adjudicate_button.clicked.connect(lambda: self.adjudicate())
        row.addWidget(self.adjudicate_button)
        box.addLayout(row)
        self.disagreement_model = DisagreementModel(self)
        self.disagreement_filter = DisagreementFilter(self)
        self.disagreement_filter.setSourceModel(self.disagreement_model)
        self.disagreement_table = self._table(page, stretch_last=True)
        self.disagreement_table.setModel(self.disagreement_filter)
        self.disagreement_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.disagreement_table.doubleClicked.connect(lambda index: self.adjudicate(index.row()))
        self.disagreement_table.installEventFilter(self)  # Enter on a row adjudicates it
        box.addWidget(self.disagreement_table, 1)
        self.disagreements_index = self.tabs.addTab(page, "Disagreements")

    # --- the project --------------------------------------------------------------------------------------
    def bind(self, project: Project | None, reviewer: str) -> None:
        """Show a (newly opened) project; nothing is computed until the view is on screen."""
        self.cancel()
        self.project, self.reviewer = project, reviewer
        self._clear()
        self.taxonomy_box.blockSignals(True)
        self.taxonomy_box.clear()
        if project is not None:
            for tax in project.taxonomies.list():
                self.taxonomy_box.addItem(tax.name, tax.id)
        self.taxonomy_box.blockSignals(False)
        self._taxonomy_chosen()

    def set_taxonomy(self, taxonomy_id: str) -> None:
        index = self.taxonomy_box.findData(taxonomy_id)
        if index < 0:
            raise ValueError(f"no taxonomy {taxonomy_id!r} in this project")
        self.taxonomy_box.setCurrentIndex(index)

    def chosen_annotators(self) -> list[str]:
        return [self.annotator_list.item(k).text() for k in range(self.annotator_list.count())
                if self.annotator_list.item(k).checkState() == Qt.CheckState.Checked]

    def set_annotators(self, names: list[str]) -> None:
        self.annotator_list.blockSignals(True)
        for k in range(self.annotator_list.count()):
            item = self.annotator_list.item(k)
            item.setCheckState(Qt.CheckState.Checked if item.text() in names else Qt.CheckState.Unchecked)
        self.annotator_list.blockSignals(False)
        self._mark_stale()

    def _taxonomy_chosen(self, _index: int = -1) -> None:
        self.cancel()
        self._clear()
        self.annotator_list.clear()
        tid = self.taxonomy_box.currentData()
        if self.project is None or tid is None:
            self.taxonomy = None
            self.summary.setText("Open a project to see how far its annotators agree.")
            return
        self.taxonomy = self.project.taxonomies.get(tid)
        self.decisions = GoldDecisions(self.project, self.taxonomy, self.reviewer, self)
        self.decisions.changed.connect(self._gold_changed)
        self.data = self.project.label_data(tid)
        humans = set(self.project.annotators("human"))
        self.annotator_list.blockSignals(True)
        for name in self.data.annotators:
            item = QListWidgetItem(name, self.annotator_list)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if name in humans else Qt.CheckState.Unchecked)
        self.annotator_list.blockSignals(False)
        n = len(self.data.annotators)
        if n < 2:
            self.summary.setText(f"{self.taxonomy.name}: {n} annotator(s) finished items; agreement needs two.")
        else:
            self.summary.setText(f"{self.taxonomy.name}: {n} annotators finished items. Press Compute.")
        self._stale = True
        if self.isVisible():
            self.compute()

    def _mark_stale(self) -> None:
        self._stale = True
        if self.report is not None:
            self.summary.setText("The choice changed since these figures were computed: press Compute.")

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._stale and self.report is None and self.task is None and self.taxonomy is not None:
            self.compute()

    # --- computing ----------------------------------------------------------------------------------------
    def compute(self) -> BackgroundTask | None:
        """Recompute the report for the chosen taxonomy and annotators off the UI thread."""
        if self.project is None or self.taxonomy is None:
            return None
        self.cancel()
        chosen = self.chosen_annotators()
        if len(chosen) < 2:
            self.summary.setText("Choose at least two annotators.")
            return None
        try:
            data = self.project.label_data(self.taxonomy.id)
        except AnnotatorError as exc:
            self.summary.setText(f"could not read the labels: {exc}")
            return None
        n_boot = self.resamples.value()
        self._generation += 1
        generation = self._generation

        def work(task: BackgroundTask) -> tuple[dict, list[dict]]:
            report = agreement_report(data, chosen, n_boot=n_boot, seed=0, progress=task.progress,
                                      cancel=lambda: task.cancelled)
            return report, disagreements(data, chosen)

        def done(result: tuple[dict, list[dict]]) -> None:
            if generation == self._generation:
                self.task = None
                self._set_busy(False)
                self.show_report(result[0], result[1], data)

        def failed(exc: BaseException) -> None:
            if generation != self._generation:
                return
            self.task = None
            self._set_busy(False)
            if isinstance(exc, (Cancelled, ReportCancelled)):
                self.summary.setText("Cancelled.")
                return
            self.summary.setText(f"could not compute agreement: {exc}")
            self.computeFailed.emit(str(exc))

        def progressed(done_steps: int, total: int) -> None:
            if generation == self._generation:
                self.progress.setRange(0, max(total, 1))
                self.progress.setValue(done_steps)

        self._set_busy(True)
        self.summary.setText(f"Computing agreement on {self.taxonomy.name} for {', '.join(chosen)}...")
        self.task = run_in_background(work, done, failed, progressed, parent=self)
        return self.task

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()
            self._generation += 1  # whatever it still delivers is for nobody
            self.task = None
            self._set_busy(False)
            self.summary.setText("Cancelled.")

    def _set_busy(self, busy: bool) -> None:
        self.progress.setVisible(busy)
        self.cancel_button.setVisible(busy)
        self.compute_button.setEnabled(not busy)
        if busy:
            self.progress.setRange(0, 0)

    def _enable_results(self, on: bool) -> None:
        self.html_button.setEnabled(on)
        self.csv_button.setEnabled(on)
        self.tabs.setEnabled(on)

    def _clear(self) -> None:
        self.report, self.rows = None, []
        self.label_model.set_rows([])
        self.pair_model.set_rows([])
        self.span_model.set_rows([])
        self.disagreement_model.set_disagreements([], [])
        for card in self.cards.values():
            card.setVisible(False)
        for chart in (self.label_chart, self.pair_chart, self.prevalence_chart, self.confusion_chart):
            chart.clear()
        self._enable_results(False)

    # --- showing a report ------------------------------------------------------------------------------------
    def show_report(self, report: dict, rows: list[dict], data: LabelData) -> None:
        """Put a computed report on screen (also usable with a report made elsewhere)."""
        tax = data.taxonomy
        self.report, self.rows, self.data, self._stale = report, rows, data, False
        if self.taxonomy is None or self.taxonomy.id != tax.id:
            self.taxonomy = tax
        boot = f"; 95% intervals from {report['n_boot']} bootstrap resamples" if report.get("n_boot") else \
            "; no intervals (0 resamples)"
        self.summary.setText(f"{tax.name} ({tax.choice} choice{', ordinal' if tax.scale == 'ordinal' else ''}): "
                             f"{report.get('units', 0)} units, annotators {', '.join(report['annotators'])}{boot}. "
                             "Hover a dash to see why a figure is undefined.")
        overall = report.get("overall", {})
        for name, card in self.cards.items():
            card.setVisible(name in overall)
            if name in overall:
                card.set_figure(overall.get(name), overall.get(f"{name}_ci"), overall.get(f"{name}_reason", ""),
                                FIGURE_TIPS.get(name, ""))
        self.label_model.set_rows(label_rows(report, tax))
        self.label_table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # keep the taxonomy's order at first
        self._fit_label_table()
        pair_columns = list(PAIR_COLUMNS)
        if any("cohen_kappa_linear" in p for p in report.get("pairs", [])):
            pair_columns.append(Column("cohen_kappa_linear", "Cohen's κ, linear", "figure"))
        self.pair_model.columns = pair_columns
        self.pair_model.set_rows(report.get("pairs", []))
        spans = report.get("spans") or {}
        self.span_model.set_rows([{**v, "label": k, "name": tax.label(k).name if k in tax.label_ids else k}
                                  for k, v in spans.items()])
        self.tabs.setTabVisible(self.spans_index, bool(spans))
        self._fill_confusion_choices(report, tax)
        self._fill_disagreements(rows, report["annotators"], tax)
        self._enable_results(True)
        self._draw_label_chart()
        self._draw_pair_chart()
        self._draw_prevalence()
        self._draw_confusion()
        self.computed.emit()

    def _fit_label_table(self) -> None:
        """Show every label's row without scrolling (a taxonomy has a handful); the chart takes the rest."""
        table = self.label_table
        table.resizeColumnsToContents()
        rows = sum(table.rowHeight(r) for r in range(self.label_proxy.rowCount()))
        height = table.horizontalHeader().sizeHint().height() + rows + 2 * table.frameWidth() + 2
        table.setMaximumHeight(height)
        total = max(self.label_split.height(), height + 300)
        self.label_split.setSizes([height, total - height])

    def _fill_disagreements(self, rows: list[dict], annotators: list[str], tax: Taxonomy) -> None:
        gold = self.decisions.all() if self.decisions is not None else {}
        names = {lab.id: lab.name for lab in tax.labels}
        self.disagreement_model.set_disagreements(rows, annotators, names, gold)
        self.filter_label.blockSignals(True)
        self.filter_label.clear()
        self.filter_label.addItem("any label", None)
        for lab in tax.labels:
            self.filter_label.addItem(lab.name, lab.id)
        self.filter_label.blockSignals(False)
        self.disagreement_filter.set_label(None)
        self.disagreement_table.resizeColumnsToContents()
        self._update_disagreement_count()

    def _filter_changed(self, _index: int) -> None:
        self.disagreement_filter.set_label(self.filter_label.currentData())
        self._update_disagreement_count()

    def _update_disagreement_count(self) -> None:
        total = self.disagreement_model.rowCount()
        settled = self.disagreement_model.settled_count()
        shown = self.disagreement_filter.rowCount()
        self.disagreement_count.setText(f"{shown} shown of {total}; {settled} settled")
        self.tabs.setTabText(self.disagreements_index, f"Disagreements ({total - settled} open)")

    def _names(self, labels: list[str]) -> list[str]:
        tax = self.taxonomy
        return [tax.label(lab).name if tax is not None and lab in tax.label_ids else lab for lab in labels]

    def _draw_label_chart(self) -> None:
        if self.report is None:
            return
        name = self.chart_figure.currentData() or "krippendorff_alpha"
        labels = list(self.report.get("labels", {}))
        entries = [self.report["labels"][lab] for lab in labels]
        values = [e.get(name) for e in entries]
        intervals = [e.get(f"{name}_ci") for e in entries]
        lows = [ci[0] for ci in intervals if ci] + [v for v in values if v is not None]
        low = 0.0 if name == "percent_agreement" else min([-0.05, *lows]) - 0.05
        self.label_chart.draw(lambda fig: bar_with_intervals(
            fig.add_subplot(), self._names(labels), values, intervals, xlabel=FIGURE_TITLES[name],
            limits=(low, 1.05), title=f"{FIGURE_TITLES[name]} per label, with 95% intervals"))

    def _draw_pair_chart(self) -> None:
        if self.report is None:
            return
        annotators = self.report["annotators"]
        pos = {a: k for k, a in enumerate(annotators)}
        matrix: list[list[float | None]] = [[None] * len(annotators) for _ in annotators]
        for p in self.report.get("pairs", []):
            i, j = pos[p["a"]], pos[p["b"]]
            matrix[i][j] = matrix[j][i] = p.get("cohen_kappa")
        if len(annotators) < 2:
            self.pair_chart.message("Pairs need at least two annotators.")
            return
        self.pair_chart.draw(lambda fig: heatmap(fig.add_subplot(), matrix, annotators,
                                                 title="Cohen's κ per pair (mean over labels)"))

    def _draw_prevalence(self) -> None:
        if self.report is None:
            return
        labels = list(self.report.get("labels", {}))
        series = {who: [self.report["labels"][lab].get("prevalence", {}).get(who) for lab in labels]
                  for who in self.report["annotators"]}
        self.prevalence_chart.draw(lambda fig: grouped_bars(
            fig.add_subplot(), self._names(labels), series, ylabel="share of units given the label",
            title="How often each annotator used each label"))

    def _fill_confusion_choices(self, report: dict, tax: Taxonomy) -> None:
        for box in (self.pair_box, self.confusion_label):
            box.blockSignals(True)
            box.clear()
        for key in report.get("confusion", {}):
            a, _, b = key.partition("|")
            self.pair_box.addItem(f"{a} vs {b}", key)
        multi = tax.choice == "multi"
        self.confusion_label.setVisible(multi)
        self.confusion_label_caption.setVisible(multi)
        if multi:
            self.confusion_label.addItem(ALL_LABELS, None)
            for lab in tax.labels:
                self.confusion_label.addItem(lab.name, lab.id)
        for box in (self.pair_box, self.confusion_label):
            box.blockSignals(False)

    def confusion_matrix(self) -> tuple[list[list[int]], list[str], str, str] | None:
        """The confusion matrix now chosen: (counts, category names, annotator a, annotator b)."""
        if self.report is None:
            return None
        key = self.pair_box.currentData()
        entry = self.report.get("confusion", {}).get(key) if key else None
        if entry is None:
            return None
        a, _, b = key.partition("|")
        label = self.confusion_label.currentData() if self.report.get("choice") == "multi" else None
        if label is not None and label in entry.get("by_label", {}):
            return entry["by_label"][label], list(entry["labels"]), a, b
        names = entry["labels"] if entry["labels"] == ["absent", "present"] else self._names(entry["labels"])
        return entry["matrix"], list(names), a, b

    def _draw_confusion(self) -> None:
        chosen = self.confusion_matrix()
        if chosen is None:
            self.confusion_chart.message("Confusion matrices need at least two annotators.")
            return
        matrix, names, a, b = chosen
        top = max([1] + [v for row in matrix for v in row])
        what = self.confusion_label.currentText() if self.report and self.report.get("choice") == "multi" \
            else "categories"

        def draw(fig) -> None:
            ax = fig.add_subplot()
            heatmap(ax, matrix, names, vmin=0, vmax=top, fmt="{:.0f}", cmap="Blues",
                    title=f"{a} (rows) vs {b} (columns): {what}")
            ax.set_ylabel(a)
            ax.set_xlabel(b)

        self.confusion_chart.draw(draw)

    # --- adjudication -----------------------------------------------------------------------------------------
    def visible_disagreements(self) -> list[dict]:
        """The disagreements as the list shows them now (filtered and sorted)."""
        f = self.disagreement_filter
        return [self.disagreement_model.disagreement(f.mapToSource(f.index(r, 0)).row()) for r in range(f.rowCount())]

    def adjudicate(self, row: int | None = None) -> AdjudicationDialog | None:
        """Open the adjudication dialog on a row of the list (default: the selected row, else the first)."""
        if self.project is None or self.decisions is None or not self.disagreement_filter.rowCount():
            return None
        if row is None:
            current = self.disagreement_table.currentIndex()
            row = current.row() if current.isValid() else 0
        if self.dialog is not None:
            self.dialog.close()
        self.dialog = AdjudicationDialog(self.project, self.decisions, self.visible_disagreements(), row, self)
        self.dialog.moved.connect(self._select_row)
        self.dialog.finished.connect(lambda _r: self.disagreement_table.setFocus())
        self.dialog.open()
        return self.dialog

    def eventFilter(self, watched, event) -> bool:
        if watched is self.disagreement_table and event.type() == QEvent.Type.KeyPress \
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) \
                and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            self.adjudicate()
            return True
        return super().eventFilter(watched, event)

    def _select_row(self, row: int) -> None:
        if 0 <= row < self.disagreement_filter.rowCount():
            self.disagreement_table.selectRow(row)

    def _gold_changed(self, item_id: str, target: str) -> None:
        if self.decisions is None:
            return
        gold = self.decisions.get(item_id, target)
        self.disagreement_model.set_gold(item_id, target, None if gold is None else gold.labels)
        self._update_disagreement_count()

    # --- exports --------------------------------------------------------------------------------------------
    def export_html(self, path: str | Path) -> Path:
        """The report as the same self-contained HTML page the command line writes."""
        if self.report is None or self.data is None:
            raise AnnotatorError("compute the agreement first")
        out = Path(path)
        page = render_agreement_html(self.report, self.data)
        with atomic_path(out, ".html") as tmp:
            tmp.write_text(page, encoding="utf-8")
        return out

    def export_csv(self, path: str | Path) -> list[Path]:
        """The per-label table at `path`, and the disagreements beside it as `<name>-disagreements.csv`."""
        if self.report is None or self.taxonomy is None:
            raise AnnotatorError("compute the agreement first")
        out = Path(path)
        beside = out.with_name(f"{out.stem}-disagreements.csv")
        gold = self.decisions.all() if self.decisions is not None else {}
        _write_csv(label_table_frame(self.report, self.taxonomy), out)
        _write_csv(disagreement_frame(self.rows, self.report["annotators"], gold), beside)
        return [out, beside]

    def _ask_html(self) -> None:
        if self.report is None:
            return
        path, _ = QFileDialog.getSaveFileName(self, "Export agreement report", f"agreement-{self.report['taxonomy']}"
                                              ".html", "HTML (*.html)")
        if path:
            self._report_export(lambda: [self.export_html(path)])

    def _ask_csv(self) -> None:
        if self.report is None:
            return
        path, _ = QFileDialog.getSaveFileName(self, "Export agreement tables", f"agreement-{self.report['taxonomy']}"
                                              ".csv", "CSV (*.csv)")
        if path:
            self._report_export(lambda: self.export_csv(path))

    def _report_export(self, write) -> None:
        try:
            written = write()
        except (OSError, AnnotatorError) as exc:
            self.summary.setText(f"could not export: {exc}")
            return
        self.summary.setText("wrote " + ", ".join(str(p) for p in written))


def install_agreement_view(window: MainWindow) -> AgreementView:
    """Add the agreement view to the main window as a tab (Ctrl+Shift+A), following the open project."""
    view = AgreementView(window)
    window.add_view("Agreement", view)
    shortcut = QShortcut(QKeySequence("Ctrl+Shift+A"), window)
    shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
    shortcut.activated.connect(lambda: window.tabs.setCurrentWidget(view))
    window.projectOpened.connect(lambda: view.bind(window.project, window.annotator))
    return view
