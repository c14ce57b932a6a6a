"""Small helpers for showing input text safely and for mapping character offsets between Python and Qt.

Everything read from an input file is shown as plain text: a caption that happens to contain `<b>` must show
the angle brackets, not bold type. Qt counts text positions in UTF-16 code units while span targets count
Python characters (code points), so offsets are converted at the boundary.
"""

from __future__ import annotations

import html
import re

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel, QWidget


def plain_label(text: str = "", parent: QWidget | None = None, wrap: bool = True, selectable: bool = False) -> QLabel:
    """A QLabel that never interprets its text as HTML (QLabel's default guesses, which input must not steer)."""
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(wrap)
    label.setText(text)
    if selectable:
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def tooltip_text(text: str) -> str:
    """Tooltips guess rich text too; escaping and wrapping the text ourselves keeps input inert."""
    if not text:
        return ""
    return "<p style='white-space:pre-wrap'>" + html.escape(text) + "</p>"


def to_qt_offset(text: str, index: int) -> int:
    """A Python character offset into `text` as a Qt (UTF-16) position."""
    return len(text[:index].encode("utf-16-le")) // 2


def from_qt_offset(text: str, position: int) -> int:
    """A Qt (UTF-16) position in `text` as a Python character offset (a position inside a pair rounds up)."""
    units = 0
    for i, ch in enumerate(text):
        if units >= position:
            return i
        units += 2 if ord(ch) > 0xFFFF else 1
    return len(text)


def ink_for(background: str) -> str:
    """Black or white text, whichever reads better on the given label colour."""
    color = QColor(background)
    luminance = 0.299 * color.red() + 0.587 * color.green() + 0.114 * color.blue()
    return "#111111" if luminance > 150 else "#ffffff"


def tinted(color: str, alpha: int = 90) -> QColor:
    """A label colour made translucent, for highlighting text without hiding it."""
    c = QColor(color)
    c.setAlpha(alpha)
    return c


def trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    """A selected stretch without the spaces and line breaks at its ends (a double-click or a drag picks
    them up; a span label means the words). An all-blank selection becomes empty."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if end > start else (start, start)


CODE_BLOCK = re.compile(r"```.*?(?:```|\Z)|`[^`\n]+`", re.DOTALL)


def code_ranges(text: str) -> list[tuple[int, int]]:
    """Character ranges of code in a prompt: fenced blocks (```...```, an unclosed one runs to the end) and
    `inline` code, to be shown in a fixed-width font."""
    return [(m.start(), m.end()) for m in CODE_BLOCK.finditer(text)]
