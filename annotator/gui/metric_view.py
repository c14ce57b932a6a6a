"""The metric view: how far an automated metric matches the humans, read at a threshold the user moves.

Everything shown is a core report (`f1_report`, `agreement_partitions`, `alt_test`) computed off the UI thread
on one `LabelData` read per taxonomy; the view only lays the reports out. Moving the threshold recomputes after
a short pause, and a result that arrives after the user has moved on (another threshold, metric or epsilon) is
dropped by a generation count, so the figures on screen always belong to the controls on screen. Labels are
shown by the names the taxonomy gives them (the id in a tooltip), as in the agreement view.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ..core.stats.data import LabelData
from ..core.store import Project
from .alt_test_panel import AltTestPanel
from .background import BackgroundTask, run_in_background
from .changes import Changes
from .charts import ChartCanvas
from .metric_charts import draw_f1_bars
from .metric_panels import CalibrationPanel, PartitionsPanel
from .metric_tables import (
    ERROR_COLUMNS,
    FIGURE_COLUMNS,
    LabelNamedModel,
    f1_summary,
    figure_rows,
    label_name_map,
)
from .report_tables import OpeningTable, report_table
from .threshold_slider import ThresholdSlider

DEBOUNCE_MS = 150


def _debounced(parent: QWidget, slot: Callable[[], None]) -> QTimer:
    """A timer that runs `slot` once the control has been still for a moment (restart it on each move)."""
    timer = QTimer(parent)
    timer.setSingleShot(True)
    timer.setInterval(DEBOUNCE_MS)
    timer.timeout.connect(slot)
    return timer


class MetricView(QWidget):
    """Pick a taxonomy, a metric and a threshold; read the metric's figures beside the humans'."""

    openItem = Signal(str, str, str)     # item id, taxonomy, target: show it in the annotating view
    dataLoaded = Signal()                # the taxonomy's labels and predictions were (re)read
    reportShown = Signal()               # the F1 figures on screen are up to date
    partitionsShown = Signal()
    altTestShown = Signal()
    anchoringShown = Signal()            # the anchoring line is up to date
    failed = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.project: Project | None = None
        self.data: LabelData | None = None
        self.report: dict[str, Any] | None = None
        self.partitions: dict[str, Any] | None = None
        self.alt_result: dict[str, Any] | None = None
        self.anchoring: dict[str, Any] | None = None
        self.stale = False
        self._generation = {"load": 0, "f1": 0, "partitions": 0, "alt": 0, "anchoring": 0}
        self.tasks: dict[str, BackgroundTask] = {}

        self.taxonomy_box = QComboBox(self)
        self.metric_box = QComboBox(self)
        self.metric_box.setMinimumContentsLength(14)
        self.threshold_slider = ThresholdSlider(self)
        # the slider's parts under the names the view offered before it moved out (the tests read them)
        self.slider, self.threshold_label = self.threshold_slider.slider, self.threshold_slider.label
        self.refresh_button = QPushButton("Refresh", self)
        self.refresh_button.setToolTip("Read the labels and predictions again")
        self.export_button = QPushButton("Export HTML…", self)
        controls = QHBoxLayout()
        # Alt+T, Alt+I and Alt+R reach the controls from the keyboard (Alt+M opens the Metrics menu)
        for text, widget in (("&Taxonomy", self.taxonomy_box), ("Metr&ic", self.metric_box),
                             ("Th&reshold", self.slider)):
            caption = QLabel(text, self)
            caption.setBuddy(widget)
            controls.addWidget(caption)
            controls.addWidget(self.threshold_slider if widget is self.slider else widget)
            controls.addSpacing(8)
        controls.addStretch(1)
        controls.addWidget(self.refresh_button)
        controls.addWidget(self.export_button)

        self.summary = QLabel(self)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setWordWrap(True)
        self.anchoring_label = QLabel(self)
        self.anchoring_label.setTextFormat(Qt.TextFormat.PlainText)
        self.anchoring_label.setWordWrap(True)
        self.anchoring_label.setToolTip(
            "Cohen's kappa between the humans and the metric on items done with its suggestions on screen and "
            "without, with 95% bootstrap intervals over items: a clearly positive difference means the "
            "suggestions pull the annotators towards the metric.")
        self.status = QLabel(self)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setStyleSheet("color: #666666")

        self.figures_model = LabelNamedModel(FIGURE_COLUMNS, parent=self)
        self.figures_table = report_table(self, self.figures_model, stretch=0, compact=True)
        self.f1_chart = ChartCanvas(self, width=6, height=3.2)
        left = QSplitter(Qt.Orientation.Vertical, self)
        left.addWidget(self.figures_table)
        left.addWidget(self.f1_chart)
        left.setSizes([270, 420])  # the eight RIFT labels fit without an empty band below them
        left.setStretchFactor(0, 0)
        left.setStretchFactor(1, 1)  # a taller window grows the chart, not the table's empty rows

        self.fp_model = LabelNamedModel(ERROR_COLUMNS, parent=self)
        self.fn_model = LabelNamedModel(ERROR_COLUMNS, parent=self)
        self.fp_table = report_table(self, self.fp_model, view=OpeningTable(self), stretch=2, compact=True)
        self.fn_table = report_table(self, self.fn_model, view=OpeningTable(self), stretch=2, compact=True)
        self.fp_table.chosen.connect(lambda row: self._open_error(self.fp_model, row))
        self.fn_table.chosen.connect(lambda row: self._open_error(self.fn_model, row))
        for t in (self.fp_table, self.fn_table):
            t.setToolTip("Double-click or press Enter to open the item in the annotating view")

        self.calibration = CalibrationPanel(self)
        self.partitions_panel = PartitionsPanel(self)
        # the panels' parts under the names the view offered before they moved out (the tests read them)
        self.calibration_model, self.calibration_table = self.calibration.model, self.calibration.table
        self.reliability_chart, self.calibration_note = self.calibration.chart, self.calibration.note
        self.pairs_model, self.pairs_table = self.partitions_panel.model, self.partitions_panel.table
        self.partitions_chart, self.partitions_summary = self.partitions_panel.chart, self.partitions_panel.summary

        self.alt_panel = AltTestPanel(self)
        self.alt_panel.epsilonChanged.connect(lambda _e: self._alt_timer.start())

        self.side = QTabWidget(self)
        self.subtabs = self.side  # what Ctrl+PgDn / Ctrl+PgUp cycle through
        self.side.addTab(self.fp_table, "False positives")
        self.side.addTab(self.fn_table, "False negatives")
        self.side.addTab(self.calibration, "Calibration")
        self.side.addTab(self.partitions_panel, "Agreement by pair kind")
        self.side.addTab(self.alt_panel, "Alt-test")

        body = self.body = QSplitter(Qt.Orientation.Horizontal, self)
        body.addWidget(left)
        body.addWidget(self.side)
        body.setStretchFactor(0, 1)
        body.setStretchFactor(1, 1)
        body.setSizes([700, 640])

        layout = QVBoxLayout(self)
        layout.addLayout(controls)
        layout.addWidget(self.summary)
        layout.addWidget(self.anchoring_label)
        layout.addWidget(body, 1)
        layout.addWidget(self.status)

        self._timer = _debounced(self, self.recompute)
        self._alt_timer = _debounced(self, self._compute_alt_test)

        self.taxonomy_box.currentIndexChanged.connect(lambda _i: self.reload())
        self.metric_box.currentIndexChanged.connect(lambda _i: self.recompute())
        self.threshold_slider.moved.connect(lambda _t: self._timer.start())
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
        return self.threshold_slider.threshold

    @property
    def epsilon(self) -> float:
        return float(self.alt_panel.epsilon.value())

    @property
    def label_names(self) -> dict[str, str]:
        """Label id to shown name, from the taxonomy the figures on screen were computed on."""
        return label_name_map(self.data.taxonomy if self.data is not None else None)

    def set_threshold(self, value: float) -> None:
        self.threshold_slider.set_threshold(value)

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

    def changes_made(self, changes: Changes) -> None:
        """Something was written in the app: new predictions may bring a taxonomy to the list; labels or gold
        of the taxonomy on screen make its figures stale."""
        if changes.predictions or changes.items:
            self._fill_taxonomies()
        elif changes.figures and changes.touches(self.taxonomy):
            self.mark_stale()

    def mark_stale(self) -> None:
        """Labels changed elsewhere; re-read them when the view is next looked at (not on every key press)."""
        self.stale = True
        if self.report is not None:
            self.status.setText("Labels changed since these figures were computed; they are read again when "
                                "you come back to this tab.")
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
        """Read the chosen taxonomy's labels and predictions again (off the UI thread), then recompute. A view
        that is not on screen fills its choices and leaves the reading for when it is next shown."""
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
        if self.report is not None and self.report.get("taxonomy") != taxonomy:
            self._clear_figures()  # another taxonomy's table must not pass for this one's while it loads
        if not self.isVisible():
            # Opening a project used to read its labels and compute every figure here, on a tab nobody was
            # looking at, while the user started annotating; like the agreement view, this one waits to be seen.
            self.stale = True
            return
        self._grey(True)
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
        self.threshold_slider.set_single_choice(single)

    def _set_empty(self, text: str) -> None:
        self._clear_figures()
        self._grey(False)
        self.summary.setText(text)
        self.anchoring_label.setText("")
        self.status.setText("")
        self.alt_panel.show_message(text)

    def _clear_figures(self) -> None:
        self.report = self.partitions = self.alt_result = self.anchoring = None
        self.anchoring_label.setText("")
        self.summary.setText("")
        for model in (self.figures_model, self.fp_model, self.fn_model):
            model.set_rows([])
        self.f1_chart.message("computing…")
        self.calibration.clear()
        self.partitions_panel.clear()
        self.alt_panel.show_message("computing…")
        self.export_button.setEnabled(False)

    def _grey(self, busy: bool) -> None:
        """While figures are computed, the old ones stay on screen greyed, never passing for the new ones."""
        self.body.setEnabled(not busy)
        self.summary.setEnabled(not busy)

    # --- computing ----------------------------------------------------------------------------------------
    def recompute(self) -> None:
        """Compute the F1 report, the partitions and the alt-test for the controls as they are now."""
        self._timer.stop()
        if self.data is None or self.metric_id is None:
            return
        self._compute_f1()
        self._compute_partitions()
        self._compute_alt_test()
        self._compute_anchoring()

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
            self.partitions_panel.show_failure(message)
        elif key == "anchoring":
            self.anchoring_label.setText(f"Anchoring could not be compared: {message}")
        else:
            self._grey(False)
            self.status.setText(f"could not compute: {message}")
        self.failed.emit(message)

    def _compute_f1(self) -> None:
        from ..core.stats.f1 import f1_report

        data, metric, threshold = self.data, self.metric_id, self.threshold
        self.status.setText(f"computing {metric} at {threshold:.2f}…")
        self._grey(True)
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

    def _compute_anchoring(self) -> None:
        from ..core.stats.anchoring import anchoring_report

        if self.project is None or self.data is None or self.metric_id is None:
            return
        shown = self.project.suggestions.shown(self.data.taxonomy.id)
        data, metric, threshold = self.data, self.metric_id, self.threshold
        self._run("anchoring", lambda: anchoring_report(data, metric, shown, threshold=threshold),
                  self._show_anchoring)

    # --- showing ------------------------------------------------------------------------------------------
    def _show_report(self, report: dict[str, Any]) -> None:
        self.report = report
        self._grey(False)
        names = self.label_names
        self.summary.setText(f1_summary(report))
        self.figures_model.set_rows(figure_rows(report), names=names)
        errors = report.get("errors") or {}
        self.fp_model.set_rows(errors.get("false_positives") or [], names=names)
        self.fn_model.set_rows(errors.get("false_negatives") or [], names=names)
        self.side.setTabText(0, f"False positives ({self.fp_model.rowCount()})")
        self.side.setTabText(1, f"False negatives ({self.fn_model.rowCount()})")
        self.f1_chart.draw(lambda fig: draw_f1_bars(fig, report, names))
        self.calibration.show_report(report, names)
        self.export_button.setEnabled(True)
        self.status.setText(f"{report['metric']} on {report['taxonomy']} against "
                            f"{', '.join(report.get('annotators', []))}")
        self.reportShown.emit()

    def _show_partitions(self, partitions: dict[str, Any]) -> None:
        self.partitions = partitions
        self.partitions_panel.show_partitions(partitions, self.metric_id, self.label_names)
        self.partitionsShown.emit()

    def _show_alt_test(self, result: dict[str, Any]) -> None:
        self.alt_result = result
        self.alt_panel.show_result(result)
        self.altTestShown.emit()

    def _show_anchoring(self, section: dict[str, Any]) -> None:
        from ..core.reports.anchoring_text import anchoring_line

        self.anchoring = section
        self.anchoring_label.setText(anchoring_line(section))
        self.anchoringShown.emit()

    # --- acting on the figures -------------------------------------------------------------------------
    def _open_error(self, model: LabelNamedModel, row: int) -> None:
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
        if self.anchoring is not None and self.anchoring["metric"] == report["metric"]:
            report = {**report, "anchoring": self.anchoring}

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


def build_metric_view(window) -> MetricView:
    """The metric view of the main window's Metrics tab (the window builds it when first needed and owns the
    Metrics menu); keeps the view in step with the project and the labels."""
    view = MetricView(window)
    window.projectOpened.connect(lambda: view.set_project(window.project))
    window.operationExecuted.connect(view.changes_made)
    view.openItem.connect(lambda item, tax, target: open_in_annotator(window, item, tax, target))
    if window.project is not None:
        view.set_project(window.project)
    return view
