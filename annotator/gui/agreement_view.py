"""The agreement view: how far the annotators agree on one taxonomy, where they disagree, and a way to settle it.

The labels are read and the report is computed off the UI thread with `run_in_background` (each worker opens
its own connection), since both can take a while on a large project; a newer computation supersedes an older
one, and the old figures stay greyed until the new ones arrive. When labels of the taxonomy change anywhere in
the app (the main window's `operationExecuted`), the view marks its figures stale and recomputes when it is
next looked at. Every number comes from the core's `agreement_report`, so the view, the command line
and the HTML export always show the same figures. Disagreements open in the adjudication dialog.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ..core.errors import AnnotatorError
from ..core.export import atomic_path
from ..core.stats.agreement import Cancelled as ReportCancelled
from ..core.stats.agreement import agreement_report
from ..core.stats.data import LabelData
from ..core.stats.disagreements import disagreements
from ..core.stats.selection import choose_annotators
from ..core.store import Project
from ..core.taxonomy import Taxonomy
from .adjudication import AdjudicationDialog, GoldDecisions
from .agreement_charts import draw_prevalence
from .agreement_panels import (
    AnnotatorChecklist,
    ConfusionPanel,
    DisagreementPanel,
    LabelFiguresPanel,
    OverallFigures,
    PairsPanel,
    ReliabilityPanel,
    SpansPanel,
)
from .agreement_tables import (
    label_names,
    write_agreement_csv,
)
from .background import BackgroundTask, Cancelled, run_in_background
from .changes import Changes
from .charts import ChartCanvas
from .text import plain_label

if TYPE_CHECKING:
    from .main_window import MainWindow

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
        self._labels_stale = False  # labels changed since `data` was read
        self._generation = 0
        self._build()

    # --- layout -----------------------------------------------------------------------------------------
    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(8, 8, 8, 8)

        bar = QHBoxLayout()
        taxonomy_caption = QLabel("&Taxonomy", self)  # Alt+T reaches the box from the keyboard
        bar.addWidget(taxonomy_caption)
        self.taxonomy_box = QComboBox(self)
        taxonomy_caption.setBuddy(self.taxonomy_box)
        self.taxonomy_box.setMinimumContentsLength(18)
        self.taxonomy_box.currentIndexChanged.connect(self._taxonomy_chosen)
        bar.addWidget(self.taxonomy_box)
        bar.addSpacing(12)
        annotators_caption = QLabel("An&notators", self)
        bar.addWidget(annotators_caption)
        self.annotator_list = AnnotatorChecklist(self)
        annotators_caption.setBuddy(self.annotator_list)
        self.annotator_list.choiceChanged.connect(self._mark_stale)
        bar.addWidget(self.annotator_list, 1)
        bar.addStretch(0)
        bar.addSpacing(12)
        resamples_caption = QLabel("&Resamples", self)
        bar.addWidget(resamples_caption)
        self.resamples = QSpinBox(self)
        resamples_caption.setBuddy(self.resamples)
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
        self.overall = OverallFigures(self)
        self.cards = self.overall.cards
        outer.addWidget(self.overall)

        self.tabs = QTabWidget(self)
        self.subtabs = self.tabs  # what Ctrl+PgDn / Ctrl+PgUp cycle through
        outer.addWidget(self.tabs, 1)
        self._build_labels_tab()
        self._build_pairs_tab()
        self._build_reliability_tab()
        self._build_prevalence_tab()
        self._build_confusion_tab()
        self._build_spans_tab()
        self._build_disagreements_tab()
        self._set_busy(False)
        self._enable_results(False)

    def _build_labels_tab(self) -> None:
        self.label_panel = LabelFiguresPanel(self)
        # the panel's parts under the names the view offered before it moved out (the tests read them)
        self.label_model, self.label_proxy = self.label_panel.model, self.label_panel.proxy
        self.label_table, self.label_chart = self.label_panel.table, self.label_panel.chart
        self.tabs.addTab(self.label_panel, "Figures per label")

    def _build_pairs_tab(self) -> None:
        self.pairs = PairsPanel(self)
        # the panel's parts under the names the view offered before it moved out (the tests read them)
        self.pair_chart, self.pair_model, self.pair_table = self.pairs.chart, self.pairs.model, self.pairs.table
        self.tabs.addTab(self.pairs, "Pairs")

    def _build_reliability_tab(self) -> None:
        self.reliability = ReliabilityPanel(self)
        self.tabs.addTab(self.reliability, "Reliability")

    def _build_prevalence_tab(self) -> None:
        self.prevalence_chart = ChartCanvas(self, width=8, height=4)
        self.tabs.addTab(self.prevalence_chart, "Prevalence by annotator")

    def _build_confusion_tab(self) -> None:
        self.confusion = ConfusionPanel(self)
        # the panel's parts under the names the view offered before it moved out (the tests read them)
        self.pair_box, self.confusion_label = self.confusion.pair_box, self.confusion.label_box
        self.confusion_label_caption, self.confusion_chart = self.confusion.label_caption, self.confusion.chart
        self.tabs.addTab(self.confusion, "Confusion")

    def _build_spans_tab(self) -> None:
        self.spans = SpansPanel(self)
        self.span_model, self.span_table = self.spans.model, self.spans.table  # the names the tests read
        self.spans_index = self.tabs.addTab(self.spans, "Spans")

    def _build_disagreements_tab(self) -> None:
        panel = self.disagreement_panel = DisagreementPanel(self)
        panel.table.chosen.connect(self.adjudicate)
        panel.adjudicate_button.clicked.connect(lambda: self.adjudicate())
        panel.openCountChanged.connect(
            lambda n: self.tabs.setTabText(self.disagreements_index, f"Disagreements ({n} open)"))
        # the panel's parts under the names the view offered before it moved out (the tests read them)
        self.filter_label, self.open_only, self.disagreement_count = panel.filter_label, panel.open_only, panel.count
        self.disagreement_model, self.disagreement_filter = panel.model, panel.filter
        self.disagreement_table, self.adjudicate_button = panel.table, panel.adjudicate_button
        self.disagreements_index = self.tabs.addTab(panel, "Disagreements")

    # --- the project --------------------------------------------------------------------------------------
    def bind(self, project: Project | None, reviewer: str) -> None:
        """Show a (newly opened) project; nothing is computed until the view is on screen."""
        self.cancel()
        self.project, self.reviewer = project, reviewer
        self.data, self._labels_stale = None, False
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
        self._ensure_labels()
        return self.annotator_list.chosen()

    def set_annotators(self, names: list[str]) -> None:
        self._ensure_labels()
        self.annotator_list.set_chosen(names)

    def _ensure_labels(self) -> None:
        """Read the labels now, on this thread: only for callers that need the annotators at once (the screen
        itself reads them off the UI thread, in `load`)."""
        if (self.data is None or self._labels_stale) and self.taxonomy is not None and self.project is not None:
            self._labels_read(self.project.label_data(self.taxonomy.id), self.project.annotators("human"))

    def _taxonomy_chosen(self, _index: int = -1) -> None:
        self.cancel()
        self._clear()
        self.annotator_list.fill([], set())
        tid = self.taxonomy_box.currentData()
        if self.project is None or tid is None:
            self.taxonomy = None
            self.summary.setText("Open a project to see how far its annotators agree.")
            return
        self.taxonomy = self.project.taxonomies.get(tid)
        self.decisions = GoldDecisions(self.project, self.taxonomy, self.reviewer, self)
        self.decisions.changed.connect(self._gold_changed)
        self.data, self._labels_stale = None, False  # read when first on screen: a big project opens quickly
        self._stale = True
        if self.isVisible():
            self.compute()

    def load(self, then: Callable[[], object] | None = None) -> BackgroundTask | None:
        """Read the chosen taxonomy's labels off the UI thread, fill the annotator list, then call `then`."""
        if self.project is None or self.taxonomy is None:
            return None
        self.cancel()
        url, taxonomy = self.project.url, self.taxonomy
        self._generation += 1
        generation = self._generation

        def work(_task: BackgroundTask) -> tuple[LabelData, list[str]]:
            with Project.open(url) as project:
                return project.label_data(taxonomy.id), project.annotators("human")

        def done(result: tuple[LabelData, list[str]]) -> None:
            if generation != self._generation:
                return
            self.task = None
            self._set_busy(False)
            self._labels_read(*result)
            if then is not None:
                then()

        def failed(exc: BaseException) -> None:
            if generation == self._generation:
                self.task = None
                self._set_busy(False)
                self.summary.setText(f"could not read the labels: {exc}")
                self.computeFailed.emit(str(exc))

        self._set_busy(True)
        self.summary.setText(f"Reading the labels of {taxonomy.name}...")
        self.task = run_in_background(work, done, failed, parent=self)
        return self.task

    def _labels_read(self, data: LabelData, humans: list[str]) -> None:
        chosen = self.annotator_list.chosen() if self.data is not None else None
        self.data, self._labels_stale = data, False
        choice = choose_annotators(data, humans=set(humans))
        self.annotator_list.fill(data.annotators, set(choice.chosen), choice.items)
        if chosen is not None and set(chosen) <= set(data.annotators):
            self.annotator_list.set_chosen(chosen)  # a re-read after new labels keeps the user's choice
        n = len(data.annotators)
        if n < 2:
            self.summary.setText(f"{self.taxonomy.name}: {n} annotator(s) finished items; agreement needs two.")
        else:
            self.summary.setText(f"{self.taxonomy.name}: {n} annotators finished items. Press Compute.")

    def _mark_stale(self) -> None:
        self._stale = True
        if self.report is not None:
            self.summary.setText("The choice changed since these figures were computed: press Compute.")

    @property
    def stale(self) -> bool:
        """True when the figures on screen (if any) no longer match the labels or the choice of annotators."""
        return self._stale or self._labels_stale

    def changes_made(self, changes: Changes) -> None:
        """Something was written somewhere in the app: figures of this taxonomy go stale (recomputed when the
        view is next looked at, at once if it is on screen)."""
        if not changes.human_work or self.taxonomy is None or not changes.touches(self.taxonomy.id):
            return
        self._labels_stale = True
        if self.report is not None:
            self.summary.setText("Labels changed since these figures were computed; they are recomputed when "
                                 "you come back to this tab (or press Compute).")
        if self.isVisible() and self.task is None:
            self.compute()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self.stale and (self.report is None or self._labels_stale) and self.task is None \
                and self.taxonomy is not None:
            self.compute()

    # --- computing ----------------------------------------------------------------------------------------
    def compute(self) -> BackgroundTask | None:
        """Recompute the report for the chosen taxonomy and annotators off the UI thread."""
        if self.project is None or self.taxonomy is None:
            return None
        self.cancel()
        if self.data is None or self._labels_stale:
            return self.load(then=self.compute)
        chosen = self.annotator_list.chosen()
        if len(chosen) < 2:
            self.summary.setText("Choose at least two annotators.")
            return None
        data = self.data
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
        # figures from before stay readable but greyed, so nobody takes them for the ones being computed
        self.overall.setEnabled(not busy and self.report is not None)
        self.tabs.setEnabled(not busy and self.report is not None)
        if busy:
            self.progress.setRange(0, 0)

    def _enable_results(self, on: bool) -> None:
        self.html_button.setEnabled(on)
        self.csv_button.setEnabled(on)
        self.tabs.setEnabled(on)
        self.overall.setEnabled(on)

    def _clear(self) -> None:
        self.report, self.rows = None, []
        self.label_panel.clear()
        self.pairs.clear()
        self.reliability.clear()
        self.spans.clear()
        self.disagreement_panel.clear()
        self.overall.clear()
        self.confusion.clear()
        self.prevalence_chart.clear()
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
        self.overall.show_overall(report.get("overall", {}))
        self.label_panel.show_report(report, tax)
        self.pairs.show_report(report)
        self.reliability.show_report(report)
        self.spans.show_report(report, tax)
        self.tabs.setTabVisible(self.spans_index, bool(report.get("spans")))
        gold = self.decisions.all() if self.decisions is not None else {}
        self.disagreement_panel.show_disagreements(rows, report["annotators"], tax, gold)
        self._enable_results(True)
        names = self._names(report.get("labels", {}))  # now, not whenever the chart is drawn
        self.prevalence_chart.draw(lambda fig: draw_prevalence(fig, report, names))
        self.confusion.show_report(report, tax)
        self.computed.emit()

    def _names(self, labels) -> list[str]:
        return label_names(self.taxonomy, labels)

    def confusion_matrix(self) -> tuple[list[list[int]], list[str], str, str] | None:
        """The confusion matrix now chosen: (counts, category names, annotator a, annotator b)."""
        return self.confusion.matrix()

    # --- adjudication -----------------------------------------------------------------------------------------
    def visible_disagreements(self) -> list[dict]:
        """The disagreements as the list shows them now (filtered and sorted)."""
        return self.disagreement_panel.visible()

    def adjudicate(self, row: int | None = None) -> AdjudicationDialog | None:
        """Open the adjudication dialog on a row of the list (default: the selected row, else the first)."""
        if self.project is None or self.decisions is None or not self.disagreement_filter.rowCount():
            return None
        if row is None:
            row = self.disagreement_panel.current_row()
        if self.dialog is not None:
            self.dialog.close()
        self.dialog = AdjudicationDialog(self.project, self.decisions, self.visible_disagreements(), row, self,
                                         data=self.data, annotators=self.annotator_list.chosen())
        self.dialog.moved.connect(self.disagreement_panel.select_row)
        self.dialog.finished.connect(lambda _r: self.disagreement_table.setFocus())
        self.dialog.open()
        return self.dialog

    def _gold_changed(self, item_id: str, target: str) -> None:
        if self.decisions is None:
            return
        window = self.window()
        if hasattr(window, "announce"):
            window.announce(Changes.of_taxonomy(self.decisions.taxonomy.id, gold=True, initiator=self))
        gold = self.decisions.get(item_id, target)
        self.disagreement_panel.set_gold(item_id, target, None if gold is None else gold.labels)

    # --- exports --------------------------------------------------------------------------------------------
    def export_html(self, path: str | Path) -> Path:
        """The report as the same self-contained HTML page the command line writes."""
        if self.report is None or self.data is None:
            raise AnnotatorError("compute the agreement first")
        from ..core.reports.agreement_html import render_agreement_html  # matplotlib's pyplot: not at start

        out = Path(path)
        page = render_agreement_html(self.report, self.data)
        with atomic_path(out, ".html") as tmp:
            tmp.write_text(page, encoding="utf-8")
        return out

    def export_csv(self, path: str | Path) -> list[Path]:
        """The per-label table at `path`, and the disagreements beside it as `<name>-disagreements.csv`."""
        if self.report is None or self.taxonomy is None:
            raise AnnotatorError("compute the agreement first")
        gold = self.decisions.all() if self.decisions is not None else {}
        return write_agreement_csv(path, self.report, self.taxonomy, self.rows, gold)

    def _ask_html(self) -> None:
        self._ask_export("Export agreement report", "html", "HTML (*.html)", lambda path: [self.export_html(path)])

    def _ask_csv(self) -> None:
        self._ask_export("Export agreement tables", "csv", "CSV (*.csv)", self.export_csv)

    def _ask_export(self, title: str, suffix: str, kinds: str, write: Callable[[str], list[Path]]) -> None:
        if self.report is None:
            return
        path, _ = QFileDialog.getSaveFileName(self, title, f"agreement-{self.report['taxonomy']}.{suffix}", kinds)
        if not path:
            return
        try:
            written = write(path)
        except (OSError, AnnotatorError) as exc:
            self.summary.setText(f"could not export: {exc}")
            return
        self.summary.setText("wrote " + ", ".join(str(p) for p in written))


def build_agreement_view(window: MainWindow) -> AgreementView:
    """The agreement view of the main window's Agreement tab (Ctrl+Shift+A), following the open project; the
    window builds it when first needed and puts it in the tab."""
    view = AgreementView(window)
    window.projectOpened.connect(lambda: view.bind(window.project, window.annotator))
    window.operationExecuted.connect(view.changes_made)
    if window.project is not None:
        view.bind(window.project, window.annotator)
    return view
