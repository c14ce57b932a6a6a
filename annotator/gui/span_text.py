"""Read-only text in which the annotator selects spans, with labelled spans shown in their label's colour."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QFontDatabase, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QFrame, QSizePolicy, QTextEdit, QWidget

from .text import code_ranges, from_qt_offset, tinted, to_qt_offset, tooltip_text, trim_span


class SpanText(QTextEdit):
    """Shows `text` as plain text; reports selections as Python character offsets and grows to fit its text."""

    spanSelected = Signal(int, int)  # (start, end); (0, 0) when the selection is cleared
    clicked = Signal()
    heightChanged = Signal(int)  # the text was laid out again at a new height (a new width, a new text)

    def __init__(self, text: str = "", parent: QWidget | None = None, max_height: int | None = None,
                 lazy: bool = False):
        super().__init__(parent)
        # A lazy text is laid out only when asked (`lay_out`, which the page calls for the steps on screen) or
        # painted; until then it holds no document and takes the height its length suggests, so opening a
        # trace of sixty long steps lays out the few in view, not all of them.
        self._lazy = lazy
        self._laid_out = False
        self._max_height = max_height
        self._text = ""
        # (width, text) of the last estimate, and the font's character width and line spacing: a refill of sixty
        # rows estimates each once, and the resize its own new height causes finds nothing to do
        self._estimated: tuple[int, str] | None = None
        self._char_metrics: tuple[float, int] | None = None
        self._spans: list[tuple[int, int, str, str]] = []
        self.setReadOnly(True)
        self.setAcceptRichText(False)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                     | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setObjectName("spanText")
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff if max_height is None
                                        else Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.selectionChanged.connect(self._selection_changed)
        self.set_text(text)

    @property
    def text(self) -> str:
        return self._text

    def set_text(self, text: str) -> None:
        self._text = text
        self._spans = []
        self._estimated = None
        self.setExtraSelections([])  # highlights of the old text
        if self._lazy:
            self._laid_out = False
            if not self.document().isEmpty():
                self.setPlainText("")
            self._estimate()
            return
        self._lay_out()

    @property
    def laid_out(self) -> bool:
        return self._laid_out

    def lay_out(self) -> bool:
        """Give a lazy text its document and real height now; True when it had none yet."""
        if self._laid_out:
            return False
        self._lay_out()
        return True

    def _lay_out(self, fit_later: bool = False) -> None:
        self._laid_out = True
        self.setPlainText(self._text)
        self._mark_code()
        self._show_spans()
        if fit_later:
            QTimer.singleShot(0, self, self._fit)
        elif not self.testAttribute(Qt.WidgetAttribute.WA_PendingResizeEvent):
            self._fit()
        # else a new or hidden widget: it is resized when shown and lays the text out then, once, at its real
        # width; laying it out now at a guessed width would double the cost of opening a long trace

    def _mark_code(self) -> None:
        """Code in the text (fenced blocks, `inline`) in a fixed-width font; the text itself is unchanged, so
        span offsets stay those of the input."""
        ranges = code_ranges(self._text) if "`" in self._text else []
        if not ranges:
            return
        fmt = QTextCharFormat()
        fmt.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        fmt.setFontFixedPitch(True)
        for start, end in ranges:
            cursor = QTextCursor(self.document())
            cursor.setPosition(to_qt_offset(self._text, start))
            cursor.setPosition(to_qt_offset(self._text, end), QTextCursor.MoveMode.KeepAnchor)
            cursor.mergeCharFormat(fmt)

    def is_fixed_width_at(self, index: int) -> bool:
        """Whether the character at `index` is shown in the fixed-width font (code)."""
        self.lay_out()
        cursor = QTextCursor(self.document())
        cursor.setPosition(to_qt_offset(self._text, index) + 1)
        return cursor.charFormat().fontFixedPitch()

    # --- spans ---------------------------------------------------------------------------------------
    def set_spans(self, spans: list[tuple[int, int, str, str]]) -> None:
        """Highlight (start, end, colour, name) spans; overlapping spans stack their tints. Unchanged spans
        are not set again (that would repaint the whole text)."""
        if spans == self._spans:
            return
        self._spans = list(spans)
        if self._laid_out:
            self._show_spans()

    def _show_spans(self) -> None:
        selections = []
        for start, end, color, name in self._spans:
            sel = QTextEdit.ExtraSelection()
            cursor = QTextCursor(self.document())
            cursor.setPosition(to_qt_offset(self._text, start))
            cursor.setPosition(to_qt_offset(self._text, min(end, len(self._text))), QTextCursor.MoveMode.KeepAnchor)
            fmt = QTextCharFormat()
            fmt.setBackground(tinted(color, 110))
            fmt.setToolTip(tooltip_text(name))
            sel.cursor, sel.format = cursor, fmt
            selections.append(sel)
        self.setExtraSelections(selections)

    def span_colors(self) -> list[tuple[int, int, str]]:
        """The highlighted spans as (start, end, colour name): what the view shows, for tests and checks."""
        self.lay_out()
        out = []
        for sel in self.extraSelections():
            c = sel.cursor
            out.append((from_qt_offset(self._text, c.selectionStart()), from_qt_offset(self._text, c.selectionEnd()),
                        sel.format.background().color().name()))
        return out

    def select_range(self, start: int, end: int) -> None:
        self.lay_out()
        cursor = QTextCursor(self.document())
        cursor.setPosition(to_qt_offset(self._text, start))
        cursor.setPosition(to_qt_offset(self._text, end), QTextCursor.MoveMode.KeepAnchor)
        self.setTextCursor(cursor)

    def selected_range(self) -> tuple[int, int] | None:
        c = self.textCursor()
        if not c.hasSelection():
            return None
        return from_qt_offset(self._text, c.selectionStart()), from_qt_offset(self._text, c.selectionEnd())

    def clear_selection(self) -> None:
        c = self.textCursor()
        if c.hasSelection():
            c.clearSelection()
            self.setTextCursor(c)

    def _selection_changed(self) -> None:
        found = self.selected_range()
        self.spanSelected.emit(*(trim_span(self._text, *found) if found else (0, 0)))

    # --- size ----------------------------------------------------------------------------------------
    def mousePressEvent(self, event) -> None:
        super().mousePressEvent(event)
        self.clicked.emit()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self._laid_out:
            self._fit()
        else:
            self._estimate()

    def paintEvent(self, event) -> None:
        """A text that comes into view before its page laid it out (a scroll the page did not foresee) is laid
        out now rather than shown blank; its height follows on the next turn, outside the paint."""
        if not self._laid_out:
            self._lay_out(fit_later=True)
        super().paintEvent(event)

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._char_metrics = self._estimated = None

    def _estimate(self) -> None:
        """The height the text will about take at this width (average character width, line spacing), for a
        lazy text not yet laid out: close enough for the scroll bar, exact once it is laid out."""
        viewport_width = self.viewport().width()
        if self._estimated is not None and self._estimated[0] == viewport_width and self._estimated[1] is self._text:
            return  # our own height change, or the same text again: nothing to estimate anew
        self._estimated = (viewport_width, self._text)
        if self._char_metrics is None:
            metrics = self.fontMetrics()
            self._char_metrics = (max(1, metrics.averageCharWidth()), metrics.lineSpacing())
        char_width, line_spacing = self._char_metrics
        margin = self.document().documentMargin()
        width = max(50, viewport_width - 2 * margin)
        per_line = max(1, int(width / char_width))
        lines = sum(max(1, -(-len(part) // per_line)) for part in self._text.split("\n"))
        height = int(lines * line_spacing + 2 * margin) + 2 * self.frameWidth() + 4
        if self._max_height is not None:
            height = min(height, self._max_height)
        if height != self.height():
            self.setFixedHeight(height)

    def _fit(self) -> None:
        doc = self.document()
        width = max(50, self.viewport().width())
        if doc.textWidth() != width:  # a new height alone (our own setFixedHeight) needs no new layout
            doc.setTextWidth(width)
        height = int(doc.size().height()) + 2 * self.frameWidth() + 4
        if self._max_height is not None:
            height = min(height, self._max_height)
        if height != self.height():
            self.setFixedHeight(height)
            self.heightChanged.emit(height)
