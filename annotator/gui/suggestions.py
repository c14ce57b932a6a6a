"""Model suggestions in the label panel: a metric's predictions on the selected unit, accepted with `a`.

Suggestions speed annotators up and can also pull them towards the metric. So nothing is stored until the
annotator accepts (then the labels are the annotator's own, undoable like any key press), and every item an
annotator opens with suggestions on is recorded, so the agreement and metric reports can compare agreement with
the metric on items done with and without suggestions.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QVBoxLayout, QWidget

from ..core.errors import AnnotatorError
from ..core.taxonomy import LabelDef
from .chips import Chip
from .session import AnnotationSession
from .text import plain_label

THRESHOLD = 0.5  # the F1 report's default: a prediction at or above it counts as the metric saying the label


@dataclass(frozen=True)
class Suggestion:
    target: str
    label: LabelDef
    score: float


class SuggestionBar(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.session: AnnotationSession | None = None
        self.metric = QComboBox(self)
        self.metric.setObjectName("suggestionMetric")
        self.metric.setToolTip("Show a metric's predictions on the selected unit as suggestions (Shift+A switches, a "
                               "accepts them). "
                               "Whether you saw suggestions is recorded, to measure how much they sway labels.")
        self.hint = plain_label("", self, wrap=False)
        self.hint.setObjectName("suggestionHint")
        self._chips_box = QWidget(self)
        self._chips = QHBoxLayout(self._chips_box)
        self._chips.setContentsMargins(0, 0, 0, 0)
        self._chips.setSpacing(4)
        # chips and the hint share one line, so the label buttons below do not jump as chips come and go
        self._chips.addWidget(self.hint)
        self._chips.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.metric)
        layout.addWidget(self._chips_box)
        self.suggestions: list[Suggestion] = []
        self._chosen: str | None = None  # kept across items and taxonomies while the project is open
        self._recorded: set[tuple[str, str, str]] = set()
        # read once per project: a key press (j, a label) refreshes the bar and must not query for them again
        self._metric_names: dict[str, list[str]] = {}
        self._predictions: dict[tuple[str, str, str], list] = {}
        self._listed: list[str] | None = None  # the metrics the switcher lists now
        self.metric.activated.connect(self._metric_chosen)
        self.setVisible(False)

    def forget_predictions(self) -> None:
        """A metric run or an import changed the predictions: read them again."""
        self._metric_names.clear()
        self._predictions.clear()
        self.refresh()

    def bind(self, session: AnnotationSession | None) -> None:
        self.session = session
        self._listed = None
        self._recorded.clear()
        self._metric_names.clear()
        self._predictions.clear()
        if session is None:
            self.setVisible(False)
            return
        for signal in (session.itemChanged, session.taxonomyChanged, session.unitChanged, session.labelsChanged,
                       session.spanChanged):
            signal.connect(self.refresh)
        self.refresh()

    @property
    def chosen(self) -> str | None:
        return self._chosen

    def choose(self, metric: str | None) -> None:
        self._chosen = metric
        self.refresh()

    def cycle(self) -> str | None:
        """The next source of suggestions (off, then each metric in turn): Shift+A, for the keyboard."""
        names = [None, *self._metrics()]
        at = names.index(self._chosen) if self._chosen in names else 0
        self.choose(names[(at + 1) % len(names)])
        return self._chosen

    def _metric_chosen(self, index: int) -> None:
        self.choose(self.metric.itemData(index))

    # --- what to show -------------------------------------------------------------------------------------
    def _metrics(self) -> list[str]:
        s = self.session
        if s is None or s.taxonomy is None:
            return []
        if s.taxonomy.id not in self._metric_names:
            try:
                self._metric_names[s.taxonomy.id] = s.project.predictions.metrics(s.taxonomy.id)
            except AnnotatorError:
                return []
        return self._metric_names[s.taxonomy.id]

    def refresh(self) -> None:
        s = self.session
        metrics = self._metrics()
        self.setVisible(bool(metrics))
        self.metric.blockSignals(True)
        if metrics != self._listed:  # j and label keys come here: the same choices are left as they are
            self._listed = list(metrics)
            self.metric.clear()
            self.metric.addItem("No suggestions", None)
            for name in metrics:
                self.metric.addItem(f"Suggestions from {name}", name)
        current = self._chosen if self._chosen in metrics else None
        self.metric.setCurrentIndex(self.metric.findData(current) if current else 0)
        self.metric.blockSignals(False)
        self.suggestions = self._find(current) if current and s and s.item and s.taxonomy else []
        if current and s and s.item and s.taxonomy:
            self._record(s.item.id, s.taxonomy.id, current)
        self._show_chips()

    def _find(self, metric: str) -> list[Suggestion]:
        s = self.session
        tax = s.taxonomy
        key = (s.item.id, tax.id, metric)
        if key not in self._predictions:
            self._predictions[key] = s.project.predictions.for_item(*key)
        predictions = self._predictions[key]
        where = {ldef.id: s.target_for(ldef) for ldef in tax.labels}
        here = [p for p in predictions if p.score >= THRESHOLD and where.get(p.label) == p.target]
        if tax.choice == "single" and here:
            best = max(here, key=lambda p: p.score)
            here = [best]
        out = []
        for p in sorted(here, key=lambda p: -p.score):
            ldef = tax.label(p.label)
            if not any(lab.label == p.label for lab in s.labels_on(p.target, tax.id)):
                out.append(Suggestion(p.target, ldef, p.score))
        return out

    def _record(self, item_id: str, taxonomy: str, metric: str) -> None:
        key = (item_id, taxonomy, metric)
        if key in self._recorded:
            return
        self._recorded.add(key)
        try:
            self.session.project.suggestions.record_shown(item_id, taxonomy, self.session.annotator, metric)
        except AnnotatorError as exc:  # a read-only project: suggestions still show, nothing is recorded
            self.session.failed.emit(str(exc))

    def _show_chips(self) -> None:
        while self._chips.count() > 2:  # the chips before the hint and the stretch
            w = self._chips.takeAt(0).widget()
            if w is not None:
                w.deleteLater()
        for i, sug in enumerate(self.suggestions):
            chip = Chip(f"{sug.label.name} {sug.score:.2f}", "#ffffff",
                        f"{self._chosen} suggests {sug.label.name} here (score {sug.score:.2f}); a accepts all "
                        "suggestions, a click accepts this one", self._chips_box)
            color = sug.label.color or "#888888"
            chip.setStyleSheet(f"QPushButton#chip {{ background: white; color: black; "
                               f"border: 2px dashed {color}; padding: 1px 6px; }}")
            chip.clicked.connect(lambda _=False, sug=sug: self.accept([sug]))
            self._chips.insertWidget(i, chip)
        self._chips_box.setVisible(self._chosen is not None)
        if self.suggestions:
            self.hint.setText("a accepts" if len(self.suggestions) > 1 else "a accepts it")
        elif self._chosen is not None:
            self.hint.setText(f"{self._chosen} suggests nothing more here")

    # --- accepting ------------------------------------------------------------------------------------------
    def accept(self, chosen: list[Suggestion] | None = None) -> int:
        """Give the suggested labels as the annotator's own (one undo step); the number given."""
        s = self.session
        todo = list(self.suggestions if chosen is None else chosen)
        if s is None or not todo:
            return 0
        stack = s.undo_stack
        stack.beginMacro(f"accepted {len(todo)} suggestion{'s' if len(todo) != 1 else ''}")
        try:
            for sug in todo:
                s.toggle_label(sug.label.id, target=sug.target)
        finally:
            stack.endMacro()
        return len(todo)


def install_suggestions(window) -> SuggestionBar:
    """The suggestion bar under the label panel's taxonomy switcher, and the `a` key that accepts."""
    panel = window.label_panel
    bar = SuggestionBar(panel)
    layout = panel.layout()
    layout.insertWidget(layout.indexOf(panel.target) + 1, bar)

    def opened() -> None:
        bar.bind(window.session)

    def accept() -> None:
        if bar.chosen is None:
            window.statusBar().showMessage("no suggestions shown: pick a metric above the labels", 4000)
        elif bar.accept() == 0:
            window.statusBar().showMessage("no suggestion to accept here", 3000)

    def cycle() -> None:
        chosen = bar.cycle()
        if not bar.isVisible():
            window.statusBar().showMessage("no metric has predictions for this taxonomy", 4000)
        else:
            window.statusBar().showMessage(f"suggestions from {chosen}" if chosen else "suggestions off", 3000)

    window.projectOpened.connect(opened)
    window.shortcuts["a"] = window._shortcut("a", accept, guard=True)
    window.shortcuts["Shift+A"] = window._shortcut("Shift+A", cycle, guard=True)
    return bar

