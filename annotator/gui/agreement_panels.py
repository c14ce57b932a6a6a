"""Parts of the agreement view that each do one thing on their own: the choice of annotators, the overall
figures as cards, and one per tab: the figures per label with their chart, the pairs, the span agreement, the
confusion matrix of a chosen pair, and the list of disagreements.

The panels compute nothing and hold no project; the view hands them a report and decides what their signals
lead to (adjudication needs the project, so it stays with the view).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ..core.reports.agreement_text import label_figures
from ..core.reports.anchoring_text import RELIABILITY_TITLES, reliability_rows
from ..core.stats import registry
from ..core.taxonomy import Taxonomy
from .agreement_charts import draw_confusion, draw_label_figure, draw_pair_kappas
from .agreement_tables import (
    LABEL_COLUMNS,
    PAIR_COLUMNS,
    RELIABILITY_COLUMNS,
    label_columns,
    SPAN_COLUMNS,
    label_names,
    label_rows,
    pair_columns,
    span_rows,
)
from .charts import ChartCanvas
from .report_models import (
    DisagreementFilter,
    DisagreementModel,
    RecordTableModel,
    format_interval,
    format_number,
    sortable,
)
from .report_tables import OpeningTable, report_table
from .text import plain_label, tooltip_text

ALL_LABELS = "all labels"
MUTED_STYLE = "color: #57606a; font-size: 11px;"
CHART_FIRST = "krippendorff_alpha"  # the chart's figure until the user picks another
CARDS_PER_ROW = 8
CHART_ROOM = 300  # the least height the label chart keeps below a fully shown table


class AnnotatorChecklist(QListWidget):
    """The annotators as one flat row of check boxes: whose finished items count."""

    choiceChanged = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.counts: dict[str, int] = {}
        self.setFlow(QListWidget.Flow.LeftToRight)
        self.setWrapping(True)
        self.setFixedHeight(26)
        self.setMinimumWidth(200)
        self.setMaximumWidth(520)
        self.setFrameShape(QFrame.Shape.NoFrame)
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Base, palette.color(QPalette.ColorRole.Window))
        self.setPalette(palette)
        self.setToolTip("Whose finished items count, with how many items each finished; by default every human "
                        "who finished at least 5 (or every item, when there are fewer).")
        self.itemChanged.connect(lambda _i: self.choiceChanged.emit())

    def fill(self, names: Sequence[str], checked: set[str], counts: Mapping[str, int] | None = None) -> None:
        """One box per annotator, shown as "name (items finished)" when counts are given."""
        self.blockSignals(True)
        self.clear()
        self.counts = dict(counts or {})
        for name in names:
            text = f"{name} ({self.counts[name]})" if name in self.counts else name
            item = QListWidgetItem(text, self)
            item.setData(Qt.ItemDataRole.UserRole, name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if name in checked else Qt.CheckState.Unchecked)
        self.blockSignals(False)

    def name(self, row: int) -> str:
        return self.item(row).data(Qt.ItemDataRole.UserRole)

    def chosen(self) -> list[str]:
        return [self.name(k) for k in range(self.count()) if self.item(k).checkState() == Qt.CheckState.Checked]

    def set_chosen(self, names: Sequence[str]) -> None:
        self.blockSignals(True)
        for k in range(self.count()):
            item = self.item(k)
            item.setCheckState(Qt.CheckState.Checked if self.name(k) in names else Qt.CheckState.Unchecked)
        self.blockSignals(False)
        self.choiceChanged.emit()


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
        self.title.setStyleSheet(MUTED_STYLE)
        self.value = plain_label("—", self, wrap=False)
        self.value.setStyleSheet("font-size: 20px; font-weight: bold;")
        self.interval = plain_label("", self, wrap=False)
        self.interval.setStyleSheet(MUTED_STYLE)
        for w in (self.title, self.value, self.interval):
            layout.addWidget(w)

    def set_figure(self, value: float | None, interval: list[float] | None, reason: str = "", tip: str = "") -> None:
        self.value.setText(format_number(value))
        self.interval.setText(format_interval(interval) or ("undefined" if value is None else "no interval"))
        text = f"undefined: {reason}" if value is None else tip
        self.setToolTip(tooltip_text(text) if text else "")


class OverallFigures(QWidget):
    """Cards in rows, one per overall figure the report holds (ordinal taxonomies have more), registry order."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.cards: dict[str, FigureCard] = {}
        for fig in registry.FIGURES:
            self._card(fig.name)
        self.grid.setColumnStretch(CARDS_PER_ROW, 1)

    def _card(self, name: str) -> FigureCard:
        if name not in self.cards:
            card = FigureCard(registry.figure(name).title, self)
            card.setVisible(False)
            self.cards[name] = card
        return self.cards[name]

    def show_overall(self, overall: Mapping[str, Any]) -> None:
        for card in self.cards.values():
            self.grid.removeWidget(card)
        shown = [f.name for f in registry.FIGURES if f.name in overall]
        for name in shown:
            self._card(name)
        for name, card in self.cards.items():
            card.setVisible(name in overall)
        for k, name in enumerate(shown):
            self.grid.addWidget(self.cards[name], k // CARDS_PER_ROW, k % CARDS_PER_ROW)
            self.cards[name].set_figure(overall.get(name), overall.get(f"{name}_ci"),
                                        overall.get(f"{name}_reason", ""), registry.figure(name).tip)

    def clear(self) -> None:
        for card in self.cards.values():
            card.setVisible(False)


class ChartWithChoices(QWidget):
    """A chart under a row of captioned choices; changing any choice calls `redraw`."""

    def __init__(self, parent: QWidget | None, captions: Sequence[str], redraw: Callable[[], None],
                 width: float, height: float):
        super().__init__(parent)
        box = QVBoxLayout(self)
        row = QHBoxLayout()
        self.captions: list[QLabel] = []
        self.boxes: list[QComboBox] = []
        for text in captions:
            caption, choice = QLabel(text, self), QComboBox(self)
            choice.currentIndexChanged.connect(lambda _i: redraw())
            row.addWidget(caption)
            row.addWidget(choice)
            self.captions.append(caption)
            self.boxes.append(choice)
        row.addStretch(1)
        box.addLayout(row)
        self.chart = ChartCanvas(self, width=width, height=height)
        box.addWidget(self.chart, 1)


class LabelFiguresPanel(QSplitter):
    """The figures per label: the table full width on top with every row in view, the chosen figure's chart
    below taking the rest."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(Qt.Orientation.Vertical, parent)
        self.report: dict | None = None
        self.taxonomy: Taxonomy | None = None
        self.model = RecordTableModel(LABEL_COLUMNS, parent=self)
        self.proxy = sortable(self.model, self)
        self.table = report_table(self, self.proxy, sorting=True)
        below = ChartWithChoices(self, ["Chart"], self.draw, width=5, height=4)
        below.layout().setContentsMargins(0, 0, 0, 0)
        self.figure_box, self.chart = below.boxes[0], below.chart
        self.addWidget(self.table)
        self.addWidget(below)
        self.setStretchFactor(0, 2)
        self.setStretchFactor(1, 3)

    def clear(self) -> None:
        self.report = None
        self.model.set_rows([])
        self.chart.clear()

    def show_report(self, report: dict, taxonomy: Taxonomy) -> None:
        self.report, self.taxonomy = report, taxonomy
        columns = label_columns(report)
        self.model.set_rows(label_rows(report, taxonomy), columns)
        self._fill_choices([f.name for f in label_figures(report)])
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # keep the taxonomy's order at first
        self.fit_table()
        self.draw()

    def fit_table(self) -> None:
        """Show every label's row without scrolling (a taxonomy has a handful); the chart takes the rest."""
        table = self.table
        table.resizeColumnsToContents()
        rows = sum(table.rowHeight(r) for r in range(self.proxy.rowCount()))
        height = table.horizontalHeader().sizeHint().height() + rows + 2 * table.frameWidth() + 2
        table.setMaximumHeight(height)
        total = max(self.height(), height + CHART_ROOM)
        self.setSizes([height, total - height])

    def _fill_choices(self, names: list[str]) -> None:
        """The chart offers every figure the table shows; the chosen one stays chosen when it still exists."""
        current = self.figure_box.currentData() or CHART_FIRST
        self.figure_box.blockSignals(True)
        self.figure_box.clear()
        for name in names:
            self.figure_box.addItem(registry.figure(name).title, name)
        at = self.figure_box.findData(current)
        self.figure_box.setCurrentIndex(max(at, 0))
        self.figure_box.blockSignals(False)

    def draw(self) -> None:
        if self.report is None or self.figure_box.count() == 0:
            return
        name = self.figure_box.currentData()
        report, names = self.report, label_names(self.taxonomy, self.report.get("labels", {}))
        title = registry.figure(name).title
        self.chart.draw(lambda fig: draw_label_figure(fig, report, name, title, names))


class PairsPanel(QSplitter):
    """Each pair of annotators: the kappa heat map beside the table of pairs."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.chart = ChartCanvas(self, width=5, height=4)
        self.model = RecordTableModel(PAIR_COLUMNS, parent=self)
        self.table = report_table(self, sortable(self.model, self), sorting=True)
        self.addWidget(self.chart)
        self.addWidget(self.table)

    def clear(self) -> None:
        self.model.set_rows([])
        self.chart.clear()

    def show_report(self, report: dict) -> None:
        self.model.set_rows(report.get("pairs", []), pair_columns(report))
        if len(report["annotators"]) < 2:
            self.chart.message("Pairs need at least two annotators.")
            return
        self.chart.draw(lambda fig: draw_pair_kappas(fig, report))


class ReliabilityPanel(QWidget):
    """Each annotator's reliability as a reliability model estimates it from everyone's answers."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        box = QVBoxLayout(self)
        self.note = plain_label("", self)
        box.addWidget(self.note)
        self.model = RecordTableModel(RELIABILITY_COLUMNS, parent=self)
        self.table = report_table(self, sortable(self.model, self), sorting=True)
        box.addWidget(self.table, 1)

    def clear(self) -> None:
        self.note.setText("")
        self.model.set_rows([])

    def show_report(self, report: dict) -> None:
        section = report.get("reliability")
        if not section:
            self.clear()
            self.note.setText("No reliability model was fitted for this report.")
            return
        title = RELIABILITY_TITLES.get(section["method"], section["method"])
        self.note.setText(f"{title}: each annotator's estimated chance of giving the true answer, fitted to the "
                          f"chosen annotators' finished work; {section['note']}.")
        self.model.set_rows(reliability_rows(section))


class SpansPanel(QWidget):
    """Character-level agreement per span label (a tab only taxonomies with span labels show)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        box = QVBoxLayout(self)
        self.note = plain_label("Character-level agreement on span labels: each character of a field anyone marked "
                                "with the label is a unit, 1 inside an annotator's spans, 0 outside.", self)
        box.addWidget(self.note)
        self.model = RecordTableModel(SPAN_COLUMNS, parent=self)
        self.table = report_table(self, sortable(self.model, self), sorting=True)
        box.addWidget(self.table, 1)

    def clear(self) -> None:
        self.model.set_rows([])

    def show_report(self, report: dict, taxonomy: Taxonomy) -> None:
        self.model.set_rows(span_rows(report, taxonomy))


class ConfusionPanel(ChartWithChoices):
    """The confusion matrix of one pair of annotators; for a multi-choice taxonomy, of one label or all."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent, ["Pair", "Label"], self.draw, width=6, height=4)
        self.report: dict | None = None
        self.taxonomy: Taxonomy | None = None
        self.pair_box, self.label_box = self.boxes
        self.label_caption = self.captions[1]

    def clear(self) -> None:
        self.report = None
        self.chart.clear()

    def show_report(self, report: dict, taxonomy: Taxonomy) -> None:
        self.report, self.taxonomy = report, taxonomy
        for box in (self.pair_box, self.label_box):
            box.blockSignals(True)
            box.clear()
        for key in report.get("confusion", {}):
            a, _, b = key.partition("|")
            self.pair_box.addItem(f"{a} vs {b}", key)
        multi = taxonomy.choice == "multi"
        self.label_box.setVisible(multi)
        self.label_caption.setVisible(multi)
        if multi:
            self.label_box.addItem(ALL_LABELS, None)
            for lab in taxonomy.labels:
                self.label_box.addItem(lab.name, lab.id)
        for box in (self.pair_box, self.label_box):
            box.blockSignals(False)
        self.draw()

    def matrix(self) -> tuple[list[list[int]], list[str], str, str] | None:
        """The confusion matrix now chosen: (counts, category names, annotator a, annotator b)."""
        if self.report is None:
            return None
        key = self.pair_box.currentData()
        entry = self.report.get("confusion", {}).get(key) if key else None
        if entry is None:
            return None
        a, _, b = key.partition("|")
        label = self.label_box.currentData() if self.report.get("choice") == "multi" else None
        if label is not None and label in entry.get("by_label", {}):
            return entry["by_label"][label], list(entry["labels"]), a, b
        presence = entry["labels"] == ["absent", "present"]
        names = entry["labels"] if presence else label_names(self.taxonomy, entry["labels"])
        return entry["matrix"], list(names), a, b

    def draw(self) -> None:
        chosen = self.matrix()
        if chosen is None:
            self.chart.message("Confusion matrices need at least two annotators.")
            return
        matrix, names, a, b = chosen
        multi = self.report is not None and self.report.get("choice") == "multi"
        what = self.label_box.currentText() if multi else "categories"
        self.chart.draw(lambda fig: draw_confusion(fig, matrix, names, a, b, what))


class DisagreementPanel(QWidget):
    """The disagreements, filtered by label and by whether gold settles them; a row is chosen to adjudicate it
    by Enter, a double click or the button (`table.chosen` and `adjudicate_button` are the view's to connect)."""

    openCountChanged = Signal(int)   # disagreements not yet settled

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        box = QVBoxLayout(self)
        row = QHBoxLayout()
        row.addWidget(QLabel("Label", self))
        self.filter_label = QComboBox(self)
        self.filter_label.currentIndexChanged.connect(self._filter_changed)
        row.addWidget(self.filter_label)
        self.open_only = QCheckBox("Only unsettled", self)
        self.open_only.toggled.connect(self._open_only_toggled)
        row.addWidget(self.open_only)
        row.addStretch(1)
        self.count = plain_label("", self, wrap=False)
        row.addWidget(self.count)
        self.adjudicate_button = QPushButton("&Adjudicate...", self)
        self.adjudicate_button.setToolTip("Open the selected disagreement to set its gold (double-click or Enter).")
        row.addWidget(self.adjudicate_button)
        box.addLayout(row)
        self.model = DisagreementModel(self)
        self.filter = DisagreementFilter(self)
        self.filter.setSourceModel(self.model)
        self.table = report_table(self, self.filter, view=OpeningTable(self), sorting=True, stretch_last=True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        box.addWidget(self.table, 1)

    def clear(self) -> None:
        self.model.set_disagreements([], [])

    def show_disagreements(self, rows: list[dict], annotators: list[str], taxonomy: Taxonomy,
                           gold: Mapping[tuple[str, str], Sequence[str]]) -> None:
        names = {lab.id: lab.name for lab in taxonomy.labels}
        self.model.set_disagreements(rows, annotators, names, gold)
        self.filter_label.blockSignals(True)
        self.filter_label.clear()
        self.filter_label.addItem("any label", None)
        for lab in taxonomy.labels:
            self.filter_label.addItem(lab.name, lab.id)
        self.filter_label.blockSignals(False)
        self.filter.set_label(None)
        self.table.resizeColumnsToContents()
        self.update_count()

    def set_gold(self, item_id: str, target: str, labels: Sequence[str] | None) -> None:
        self.model.set_gold(item_id, target, labels)
        self.update_count()

    def visible(self) -> list[dict]:
        """The disagreements as the list shows them now (filtered and sorted)."""
        f = self.filter
        return [self.model.disagreement(f.mapToSource(f.index(r, 0)).row()) for r in range(f.rowCount())]

    def current_row(self) -> int:
        """The selected row of the list as shown, else the first."""
        current = self.table.currentIndex()
        return current.row() if current.isValid() else 0

    def select_row(self, row: int) -> None:
        if 0 <= row < self.filter.rowCount():
            self.table.selectRow(row)

    def update_count(self) -> None:
        total = self.model.rowCount()
        settled = self.model.settled_count()
        self.count.setText(f"{self.filter.rowCount()} shown of {total}; {settled} settled")
        self.openCountChanged.emit(total - settled)

    def _open_only_toggled(self, on: bool) -> None:
        self.filter.set_open_only(on)
        self.update_count()

    def _filter_changed(self, _index: int) -> None:
        self.filter.set_label(self.filter_label.currentData())
        self.update_count()
