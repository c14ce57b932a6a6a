"""The middle of the main window: one page per item kind, the right one shown for the item on screen."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QStackedWidget, QWidget

from .caption_view import CaptionView
from .rubric_view import RubricView
from .session import AnnotationSession
from .text import plain_label
from .trace_view import TraceView
from .unit_page import UnitPage


class ItemView(QStackedWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.empty = plain_label("Choose an item on the left.", self)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.rubric = RubricView(self)
        self.caption = CaptionView(self)
        self.trace = TraceView(self)
        self.pages: dict[str, UnitPage] = {"rubric": self.rubric, "caption": self.caption, "trace": self.trace}
        self.addWidget(self.empty)
        for page in self.pages.values():
            self.addWidget(page)
        self.session: AnnotationSession | None = None
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # holds the keyboard while the annotator labels

    def bind(self, session: AnnotationSession | None) -> None:
        self.session = session
        self.setCurrentWidget(self.empty)
        if session is None:
            return
        for page in self.pages.values():
            page.bind(session)
        session.itemChanged.connect(self._item_changed)
        session.unitChanged.connect(lambda: self.page and self.page.show_unit())
        session.labelsChanged.connect(lambda: self.page and self.page.refresh(session.touched))
        session.taxonomyChanged.connect(lambda: self.page and self.page.refresh())
        session.spanChanged.connect(lambda: self.page and self.page.span_changed())

    @property
    def page(self) -> UnitPage | None:
        current = self.currentWidget()
        return current if isinstance(current, UnitPage) else None

    def _item_changed(self) -> None:
        item = self.session.item if self.session else None
        if item is None:
            self.setCurrentWidget(self.empty)
            return
        page = self.pages[item.kind]
        page.show_item(item)
        self.setCurrentWidget(page)
