"""The metric view's threshold: a slider in hundredths with the value written beside it.

A single-choice taxonomy has no threshold (the metric's label on a unit is its highest-scored one), so the
slider can be switched off with the reason as its tooltip rather than left to move figures that never change.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSlider, QWidget

STEPS = 100
THRESHOLD_TIP = "A label is predicted on a unit when the metric's score is at least the threshold"
NO_THRESHOLD_TIP = ("Single-choice taxonomy: the metric's label on a unit is its highest-scored one, so there is "
                    "no threshold")


class ThresholdSlider(QWidget):
    """`moved(threshold)` on every step of the slider; `threshold` is the value as a float in [0, 1]."""

    moved = Signal(float)

    def __init__(self, parent: QWidget | None = None, value: float = 0.5):
        super().__init__(parent)
        self.slider = QSlider(Qt.Orientation.Horizontal, self)
        self.slider.setRange(0, STEPS)
        self.slider.setSingleStep(1)
        self.slider.setPageStep(5)
        self.slider.setValue(round(value * STEPS))
        self.slider.setMinimumWidth(220)
        self.slider.setToolTip(THRESHOLD_TIP)
        self.label = QLabel(self._text(), self)
        self.label.setMinimumWidth(32)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.slider)
        row.addWidget(self.label)
        self.slider.valueChanged.connect(self._changed)

    @property
    def threshold(self) -> float:
        return self.slider.value() / STEPS

    def set_threshold(self, value: float) -> None:
        self.slider.setValue(round(value * STEPS))

    def set_single_choice(self, single: bool) -> None:
        self.slider.setEnabled(not single)
        self.slider.setToolTip(NO_THRESHOLD_TIP if single else THRESHOLD_TIP)

    def _text(self) -> str:
        return f"{self.threshold:.2f}"

    def _changed(self, _value: int) -> None:
        self.label.setText(self._text())
        self.moved.emit(self.threshold)
