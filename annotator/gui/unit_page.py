"""What the three item views share: a scrolling column of unit rows (the item itself, then its criteria or
steps), one of them selected, each showing its labels as chips."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QFrame, QHBoxLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from ..core.model import Item, Label
from ..core.targets import parse_target
from .chips import ChipRow
from .session import AnnotationSession
from .span_text import SpanText
from .text import plain_label


AHEAD_IDLE_MS = 40  # how long the keys must rest before a step below the screen is laid out in advance


class UnitRow(QFrame):
    """One unit: a heading, its text (plain, or selectable for span labels), optional controls, its chips."""

    clicked = Signal()

    def __init__(self, target: str, heading: str, text: str = "", selectable: bool = False,
                 field: str | None = None, parent: QWidget | None = None, lazy: bool = False,
                 wrap_heading: bool = True):
        super().__init__(parent)
        self.setObjectName("unitRow")
        self.setProperty("selected", False)
        self.target = target
        self.field = field  # the span field of the row's text, when spans may be selected in it
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(3)
        top = QHBoxLayout()
        # a wrapping heading makes the column ask every row its height for the width on each relayout (a chip
        # added, a text laid out): short headings (steps) do without
        self.heading = plain_label(heading, self, wrap=wrap_heading)
        self.heading.setObjectName("unitHeading")
        self.badge = plain_label("", self, wrap=False)
        self.badge.setObjectName("badge")
        self.badge.hide()
        self._badge_shown = ("", "")
        top.addWidget(self.heading, 1)
        top.addWidget(self.badge)
        layout.addLayout(top)
        self.text_view: SpanText | None = None
        self.body: QLabel | None = None
        if selectable:
            self.text_view = SpanText(text, self, lazy=lazy)
            self.text_view.clicked.connect(self.clicked)
            layout.addWidget(self.text_view)
        elif text:
            self.body = plain_label(text, self)
            self.body.setObjectName("unitText")
            layout.addWidget(self.body)
        self.controls = QHBoxLayout()
        self.controls.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self.controls)
        self.chips = ChipRow(self)
        self.chips.hide()
        layout.addWidget(self.chips)

    @property
    def shape(self) -> str:
        """What the row holds besides its heading, which decides what it can be refilled with."""
        return "span" if self.text_view is not None else "plain" if self.body is not None else "bare"

    def set_selected(self, selected: bool) -> None:
        if self.property("selected") != selected:
            self.setProperty("selected", selected)
            self.style().unpolish(self)
            self.style().polish(self)

    def refill(self, target: str, heading: str, text: str, field: str | None = None) -> None:
        """Show another unit in this row (a row reused for the next item)."""
        self.target, self.field = target, field
        self.heading.setText(heading)
        self.set_selected(False)
        self.set_badge("")
        self.chips.set_labels([])
        if self.text_view is not None:
            self.text_view.set_text(text)
        elif self.body is not None:
            self.body.setText(text)

    def set_badge(self, text: str, style: str = "") -> None:
        """Restyling a label costs a style pass, so an unchanged badge is left alone."""
        if (text, style) == self._badge_shown:
            return
        self._badge_shown = (text, style)
        self.badge.setText(text)
        self.badge.setStyleSheet(style)
        self.badge.setVisible(bool(text))

    def mousePressEvent(self, event) -> None:
        self.clicked.emit()
        super().mousePressEvent(event)


class UnitPage(QWidget):
    """Base of the rubric, caption and trace views. Subclasses build their rows in `build(item)`."""

    kind = ""
    reuses_rows = False  # whether rows are kept between items and refilled (`text_row`, `plain_row`)
    lazy_texts = False  # whether selectable texts are laid out only when on screen (long traces)
    short_headings = False  # whether row headings fit on one line (steps), so they need not wrap

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.session: AnnotationSession | None = None
        self.rows: list[UnitRow] = []
        self._spare: dict[str, list[UnitRow]] = {"span": [], "plain": [], "bare": []}  # by UnitRow.shape
        self._kept: set[QWidget] = set()  # widgets other than rows that the page refills itself
        self.scroll = QScrollArea(self)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # rows wrap, never slide
        self._holder = QWidget()
        # a chip that makes one row taller grows the column: repaint what moved, not the whole column
        self._holder.setAttribute(Qt.WidgetAttribute.WA_StaticContents)
        self._column = QVBoxLayout(self._holder)
        self._column.setContentsMargins(4, 4, 4, 4)
        self._column.setSpacing(6)
        self.scroll.setWidget(self._holder)
        # lazy texts on screen are laid out when the page scrolls or its rows move or change size
        self._visible_check = QTimer(self, singleShot=True, interval=0)
        self._visible_check.timeout.connect(self.lay_out_visible)
        # and, when the keys rest, the steps just below the screen, so j finds the next one ready
        self._ahead = QTimer(self, singleShot=True, interval=AHEAD_IDLE_MS)
        self._ahead.timeout.connect(self._lay_out_ahead)
        self.scroll.verticalScrollBar().valueChanged.connect(lambda _v: self.lay_out_visible())
        self._holder.installEventFilter(self)

    def bind(self, session: AnnotationSession) -> None:
        self.session = session

    # --- building -----------------------------------------------------------------------------------------
    def show_item(self, item: Item) -> None:
        rows = set(self.rows)
        self.rows = []
        leftover, self._spare = self._spare, {shape: [] for shape in self._spare}
        while self._column.count():
            widget = self._column.itemAt(0).widget()
            if widget is None:
                self._column.takeAt(0)  # the closing stretch
                continue
            # removeWidget also deletes the layout's item for the widget: a widget still pointing at a taken
            # item would tell that item, not the new one, when its size changes (a chip added after a refill)
            self._column.removeWidget(widget)
            if widget in self._kept:
                continue
            if self.reuses_rows and widget in rows:
                # kept, still shown, for the next item's rows: building one costs more than refilling it, and
                # hiding and showing it again would make Qt lay its text out once more
                self._spare[widget.shape].append(widget)
            else:
                widget.deleteLater()
        for shape, spare_rows in leftover.items():  # rows hidden since an earlier, longer item come last
            self._spare[shape] += spare_rows
        self.build(item)
        for spare in (row for rows_ in self._spare.values() for row in rows_):
            spare.hide()  # more rows than this item needs
        self._column.addStretch(1)
        self.refresh()
        self.show_unit()

    def build(self, item: Item) -> None:
        raise NotImplementedError

    def text_row(self, target: str, heading: str, text: str, field: str) -> UnitRow:
        """A row with selectable text: a spare one from an earlier item refilled, or a new one."""
        if self._spare["span"]:
            row = self._spare["span"].pop(0)
            row.refill(target, heading, text, field)
            return row
        return UnitRow(target, heading, text, selectable=True, field=field, lazy=self.lazy_texts,
                       wrap_heading=not self.short_headings)

    def plain_row(self, target: str, heading: str, text: str) -> UnitRow:
        """A row with plain text (a criterion) or none (the item as a whole): a spare one of that shape from an
        earlier item refilled, or a new one."""
        spare = self._spare["plain" if text else "bare"]
        if spare:
            row = spare.pop(0)
            row.refill(target, heading, text)
            return row
        return UnitRow(target, heading, text, wrap_heading=not self.short_headings)

    def add_row(self, row: UnitRow) -> UnitRow:
        self.rows.append(row)
        self._column.addWidget(row)
        row.show()
        if row.property("wired"):  # a refilled row: its signals already find it by position and field
            return row
        row.setProperty("wired", True)
        row.clicked.connect(lambda r=row: self._row_clicked(self.rows.index(r)))
        if row.text_view is not None and row.field is not None:
            row.text_view.spanSelected.connect(lambda s, e, r=row: self._span_selected(self.rows.index(r), r.field,
                                                                                       s, e))
        row.chips.removeRequested.connect(self._remove)
        return row

    def add_widget(self, widget: QWidget, keep: bool = False) -> None:
        """Add a widget above or between the rows; a kept one is left alive between items (the page refills
        it), any other is deleted when the next item comes."""
        if keep:
            self._kept.add(widget)
        self._column.addWidget(widget)

    # --- laying out what is on screen ----------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._holder and event.type() in (QEvent.Type.Resize, QEvent.Type.LayoutRequest):
            self._visible_check.start()  # rows moved or changed size: other texts may be on screen now
        return super().eventFilter(watched, event)

    def lay_out_visible(self) -> None:
        """Lay out the lazy texts of the rows in the viewport; the others keep their estimated height until
        they come into view (j lays out the step it reaches before scrolling to it)."""
        if not self.lazy_texts:
            return
        top = -self._holder.y()
        bottom = top + self.scroll.viewport().height()
        for row in self.rows:
            if row.text_view is None or row.text_view.laid_out or not row.isVisible():
                continue
            geometry = row.geometry()
            if geometry.bottom() >= top and geometry.top() <= bottom:
                row.text_view.lay_out()
        self._ahead.start()

    def _lay_out_ahead(self) -> None:
        """Idle time: lay out the first step below the screen that has no layout yet (within a screen's
        height), one per rest, so that neither j nor scrolling down meets an unlaid step. Steps above the
        screen are left alone: a new height there would move what the annotator is reading."""
        top = -self._holder.y()
        limit = top + 2 * self.scroll.viewport().height()
        for row in self.rows:
            if row.text_view is None or row.text_view.laid_out or not row.isVisible():
                continue
            geometry = row.geometry()
            if geometry.top() > limit:
                return
            if geometry.top() >= top:
                row.text_view.lay_out()
                self._ahead.start()
                return

    def _settle(self) -> None:
        """Apply the rows' new heights to the column now, so positions read next are where rows will be."""
        for _ in range(2):  # the column's request, then the scroll area's that it posts
            QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)

    def bring_into_view(self, row: UnitRow) -> None:
        """Scroll to a row with its text laid out first, so the scroll lands on its real height."""
        if row.text_view is not None and row.text_view.lay_out():
            self._settle()
        self.scroll.ensureWidgetVisible(row, 0, 40)
        self.lay_out_visible()

    # --- reacting to the session ------------------------------------------------------------------------
    def _row_clicked(self, index: int) -> None:
        if self.session is not None and self.session.unit_index != index:
            self.session.select_unit(index)

    def _span_selected(self, index: int, field: str, start: int, end: int) -> None:
        if self.session is None:
            return
        if end > start:
            if self.session.unit_index != index:
                self.session.select_unit(index)
            self.session.set_span(field, start, end)
        elif self.session.span is not None and self.session.span[0] == field:
            self.session.clear_span()

    def _remove(self, lab: Label) -> None:
        if self.session is not None:
            self.session.remove_label(lab)

    def show_unit(self) -> None:
        if self.session is None:
            return
        for i, row in enumerate(self.rows):
            row.set_selected(i == self.session.unit_index)
            if i != self.session.unit_index and row.text_view is not None:
                row.text_view.clear_selection()
        if 0 <= self.session.unit_index < len(self.rows):
            self.bring_into_view(self.rows[self.session.unit_index])

    def focus_text(self) -> bool:
        """Give the keyboard to the selected unit's text (or the page's first selectable text, such as the
        caption), caret at its start, so a span can be selected with Shift+arrows instead of the mouse."""
        if self.session is None:
            return False
        index = self.session.unit_index
        candidates = ([self.rows[index]] if 0 <= index < len(self.rows) else []) + self.rows
        row = next((r for r in candidates if r.text_view is not None and r.field is not None), None)
        if row is None:
            return False
        row.text_view.lay_out()
        cursor = row.text_view.textCursor()
        cursor.clearSelection()
        cursor.movePosition(cursor.MoveOperation.Start)
        row.text_view.setTextCursor(cursor)
        row.text_view.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.bring_into_view(row)
        return True

    def span_changed(self) -> None:
        if self.session is not None and self.session.span is None:
            for row in self.rows:
                if row.text_view is not None:
                    row.text_view.clear_selection()

    def refresh(self, targets: frozenset[str] | None = None) -> None:
        """Show the session's labels as chips and highlighted spans: on the rows of `targets` (what a key
        changed), or on every row. Each widget also compares what it would show with what it shows, so an
        unchanged one is not touched."""
        if self.session is None:
            return
        for row in self.rows_of(targets):
            if row.field is not None and row.text_view is not None:
                row.text_view.set_spans([(s, e, self._color(lab), self._name(lab))
                                         for s, e, lab in self.session.spans_in(row.field)])
            row.chips.set_labels(self.row_chips(row))

    def rows_of(self, targets: frozenset[str] | None) -> list[UnitRow]:
        """The rows showing `targets` (a span shows on the row of its field); every row for None."""
        if targets is None:
            return self.rows
        fields = {parse_target(t).ref for t in targets if t.startswith("span:")}
        return [r for r in self.rows if r.target in targets or (r.field is not None and r.field in fields)]

    def row_chips(self, row: UnitRow) -> list[tuple[Label, str, str]]:
        """The chips of one row: its labels, then its spans with their excerpts. Views that show some labels
        otherwise (badges, verdict buttons) leave those out."""
        chips = [self._chip(lab) for lab in self.session.labels_on(row.target)]
        if row.field is not None:
            chips += [self._chip(lab, excerpt=row_text(row)[s:e]) for s, e, lab in self.session.spans_in(row.field)]
        return chips

    def _name(self, lab: Label) -> str:
        ldef = self.session.label_def(lab.taxonomy, lab.label) if self.session else None
        return ldef.name if ldef else lab.label

    def _color(self, lab: Label) -> str:
        ldef = self.session.label_def(lab.taxonomy, lab.label) if self.session else None
        return (ldef.color if ldef and ldef.color else "#888888")

    def _chip(self, lab: Label, excerpt: str | None = None) -> tuple[Label, str, str]:
        text = self._name(lab)
        if excerpt is not None:
            short = " ".join(excerpt.split())
            text += f': "{short[:24]}{"..." if len(short) > 24 else ""}"'
        return lab, text, self._color(lab)

    def zoom(self, factor: float) -> None:
        """Only the caption view zooms; others ignore it."""


def row_text(row: UnitRow) -> str:
    return row.text_view.text if row.text_view is not None else ""


def number_heading(n: int, extra: list[str]) -> str:
    parts = [f"{n}."] + [e for e in extra if e]
    return "  ".join(parts)


def criterion_extras(points, weight, axis, tags) -> list[str]:
    out = []
    if points is not None:
        out.append(f"{points:g} point{'' if abs(points) == 1 else 's'}")
    if weight is not None:
        out.append(f"weight {weight:g}")
    if axis:
        out.append(f"axis: {axis}")
    if tags:
        out.append("tags: " + ", ".join(tags))
    return out


ALIGN_TOP = Qt.AlignmentFlag.AlignTop
