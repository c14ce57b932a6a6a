"""Coloured label chips: the labels given on a unit, each a small button that removes its label when clicked."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QWidget

from ..core.model import Label
from .text import ink_for, tooltip_text


class Chip(QPushButton):
    def __init__(self, text: str, color: str, tip: str = "", parent: QWidget | None = None):
        super().__init__(text, parent)
        self.setObjectName("chip")
        self.setFlat(True)
        self.setStyleSheet(f"QPushButton#chip {{ background: {color}; color: {ink_for(color)}; }}")
        if tip:
            self.setToolTip(tooltip_text(tip))


class ChipRow(QWidget):
    """Chips for some labels; `removeRequested(label)` when the annotator clicks one."""

    removeRequested = Signal(object)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(4)
        self._layout.addStretch(1)
        self.labels: list[Label] = []
        self._shown: list[tuple[Label, str, str]] = []

    def set_labels(self, chips: list[tuple[Label, str, str]]) -> None:
        """`chips` are (label, shown text, colour). The same chips as shown are left as they are: a label key
        changes one row, and rebuilding every row's buttons would cost a frame."""
        if chips == self._shown:
            return
        self._shown = list(chips)
        while self._layout.count() > 1:
            w = self._layout.takeAt(0).widget()
            if w is not None:
                w.deleteLater()
        self.labels = [lab for lab, _t, _c in chips]
        for i, (lab, text, color) in enumerate(chips):
            chip = Chip(text, color, f"{text}  ({lab.taxonomy}) - click to remove", self)
            chip.clicked.connect(lambda _=False, lab=lab: self.removeRequested.emit(lab))
            self._layout.insertWidget(i, chip)
        self.setVisible(bool(chips))

    def texts(self) -> list[str]:
        return [self._layout.itemAt(i).widget().text() for i in range(self._layout.count() - 1)]
