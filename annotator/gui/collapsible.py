"""A titled block of input text that folds away, for long prompts and responses."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QToolButton, QVBoxLayout, QWidget

from .span_text import SpanText


class Collapsible(QWidget):
    def __init__(self, title: str, text: str = "", expanded: bool = True, parent: QWidget | None = None):
        super().__init__(parent)
        self.toggle = QToolButton(self)
        self.toggle.setObjectName("sectionToggle")
        self.toggle.setText(title)
        self.toggle.setCheckable(True)
        self.toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toggle.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.body = SpanText(text, self)
        self.body.setObjectName("sectionText")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.toggle)
        layout.addWidget(self.body)
        self.toggle.toggled.connect(self._set_open)
        self.toggle.setChecked(expanded)
        self._set_open(expanded)

    def _set_open(self, open_: bool) -> None:
        self.body.setVisible(open_)
        self.toggle.setArrowType(Qt.ArrowType.DownArrow if open_ else Qt.ArrowType.RightArrow)

    def set_text(self, text: str) -> None:
        self.body.set_text(text)

    @property
    def expanded(self) -> bool:
        return self.toggle.isChecked()
