"""The label panel: the taxonomy switcher, the active taxonomy's labels (key, colour, checked on the current
target), the guideline of the hovered or last-used label, the note on the current unit, and the done button."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ..core.taxonomy import LabelDef
from .session import AnnotationSession
from .text import ink_for, plain_label, tooltip_text


class LabelButton(QPushButton):
    hovered = Signal(object)

    def __init__(self, ldef: LabelDef, parent: QWidget | None = None):
        text = f"{ldef.key}   {ldef.name}" if ldef.key else f"     {ldef.name}"
        super().__init__(text, parent)
        self.ldef = ldef
        self.setObjectName("labelButton")
        self.setCheckable(True)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys stay with the window, so 1-9 always work
        color = ldef.color or "#888888"
        self.setStyleSheet(
            f"QPushButton#labelButton {{ border-left: 6px solid {color}; }}"
            f"QPushButton#labelButton:checked {{ background: {color}; color: {ink_for(color)}; }}")
        tip = ldef.definition + (f"\nScope: {ldef.target}" + (" or a span of text" if ldef.spans else ""))
        self.setToolTip(tooltip_text(tip))

    def enterEvent(self, event) -> None:
        self.hovered.emit(self.ldef)
        super().enterEvent(event)


class GuidelinePane(QGroupBox):
    """Definition, apply when, not when and examples of one label, all shown as plain text."""

    FIELDS = (("definition", "Definition"), ("apply_when", "Apply when"), ("not_when", "Not when"),
              ("fail", "Example (label applies)"), ("pass", "Example (label does not apply)"))

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Guideline", parent)
        form = QFormLayout(self)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        self.title = plain_label("Hover over a label to read its guideline.", self)
        self.title.setObjectName("guidelineTitle")
        form.addRow(self.title)
        self.values: dict[str, object] = {}
        self._captions: dict[str, object] = {}
        for key, caption in self.FIELDS:
            value = plain_label("", self, selectable=True)
            head = plain_label(caption, self, wrap=False)
            head.setObjectName("guidelineHead")
            form.addRow(head, value)
            self.values[key] = value
            self._captions[key] = head
        self.shown: str | None = None
        self._shown_def: LabelDef | None = None
        self.show_label(None)

    def show_label(self, ldef: LabelDef | None) -> None:
        if ldef is not None and ldef == self._shown_def:
            return  # a label key on the label already shown: nothing to set again
        self._shown_def = ldef
        self.shown = ldef.id if ldef else None
        self.title.setText(f"{ldef.name}  ({ldef.id}, on {ldef.target}{' or spans' if ldef.spans else ''})"
                           if ldef else "Hover over a label to read its guideline.")
        texts = {"definition": ldef.definition if ldef else "", "apply_when": ldef.apply_when if ldef else "",
                 "not_when": ldef.not_when if ldef else "", "fail": ldef.examples.fail if ldef else "",
                 "pass": ldef.examples.pass_ if ldef else ""}
        for key, text in texts.items():
            self.values[key].setText(text)
            self.values[key].setVisible(bool(text))
            self._captions[key].setVisible(bool(text))


class LabelPanel(QWidget):
    doneRequested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.session: AnnotationSession | None = None
        self.taxonomy = QComboBox(self)
        self.taxonomy.setToolTip("Taxonomies for this kind of item (t switches)")
        self.target = plain_label("", self)
        self.target.setObjectName("targetLine")
        self._buttons_box = QWidget(self)
        self._buttons = QVBoxLayout(self._buttons_box)
        self._buttons.setContentsMargins(0, 0, 0, 0)
        self._buttons.setSpacing(3)
        self.buttons: list[LabelButton] = []
        self.guideline = GuidelinePane(self)
        guide_scroll = QScrollArea(self)
        guide_scroll.setWidgetResizable(True)
        guide_scroll.setWidget(self.guideline)
        guide_scroll.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        self.note = QLineEdit(self)
        self.note.setPlaceholderText("Note on this unit (Enter saves)")
        self.done = QPushButton("Mark done and next   Ctrl+Enter", self)
        self.done.setObjectName("doneButton")
        self.done.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.done_state = plain_label("", self)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.taxonomy)
        layout.addWidget(self.target)
        layout.addWidget(self._buttons_box)
        layout.addWidget(guide_scroll, 1)
        layout.addWidget(self.note)
        layout.addWidget(self.done_state)
        layout.addWidget(self.done)

        self.taxonomy.activated.connect(self._taxonomy_chosen)
        self.note.editingFinished.connect(self.save_note)
        self.done.clicked.connect(self.doneRequested)
        self._note_target: str | None = None
        self._done: bool | None = None  # whether the item is done in the taxonomy; None until asked
        self._choices: list[tuple[str, str]] = []  # the taxonomies the switcher offers, as (name, id)
        self._buttons_for = None  # the taxonomy the label buttons were built for

    def bind(self, session: AnnotationSession | None) -> None:
        self.session = session
        self._done = None
        self._choices, self._buttons_for = [], None  # another project may name its taxonomies alike
        if session is None:
            return
        session.aboutToChange.connect(self.save_note)
        session.itemChanged.connect(self._item_changed)
        session.taxonomyChanged.connect(self._item_changed)
        session.unitChanged.connect(self._unit_changed)
        session.spanChanged.connect(self._refresh_state)
        session.labelsChanged.connect(self._labels_changed)
        session.doneChanged.connect(self._done_changed)

    # --- building ------------------------------------------------------------------------------------------
    def _item_changed(self) -> None:
        s = self.session
        self._done = None
        self.taxonomy.blockSignals(True)
        choices = [(tax.name, tax.id) for tax in (s.taxonomies_for_item() if s else [])]
        if choices != self._choices:  # the next item of the same kind offers the same taxonomies
            self._choices = choices
            self.taxonomy.clear()
            for name, tax_id in choices:
                self.taxonomy.addItem(name, tax_id)
        if s and s.taxonomy:
            self.taxonomy.setCurrentIndex(self.taxonomy.findData(s.taxonomy.id))
        self.taxonomy.blockSignals(False)
        self.guideline.show_label(None)  # the last guideline may belong to another taxonomy
        taxonomy = s.taxonomy if s else None
        if taxonomy != self._buttons_for or taxonomy is None:
            self._buttons_for = taxonomy
            self._build_buttons()
        self._unit_changed()

    def _build_buttons(self) -> None:
        """One button per label of the active taxonomy, under its category's heading. Built again only when
        the taxonomy changes: the next item of the same kind keeps them (a style pass per button is dear)."""
        s = self.session
        while self._buttons.count():
            w = self._buttons.takeAt(0).widget()
            if w is not None:
                w.deleteLater()
        self.buttons = []
        category = None
        for ldef in (s.taxonomy.labels if s and s.taxonomy else []):
            if ldef.category and ldef.category != category:
                category = ldef.category
                head = plain_label(category, self._buttons_box)
                head.setObjectName("categoryHead")
                self._buttons.addWidget(head)
            button = LabelButton(ldef, self._buttons_box)
            button.clicked.connect(lambda _=False, lab=ldef.id: self._clicked(lab))
            button.hovered.connect(self.guideline.show_label)
            self._buttons.addWidget(button)
            self.buttons.append(button)

    def _taxonomy_chosen(self, index: int) -> None:
        if self.session is not None:
            self.session.set_taxonomy(self.taxonomy.itemData(index))

    def _clicked(self, label: str) -> None:
        if self.session is not None:
            self.session.toggle_label(label)
            self.show_guideline(label)

    def show_guideline(self, label: str) -> None:
        if self.session and self.session.taxonomy:
            self.guideline.show_label(self.session.taxonomy.label(label))

    # --- state -----------------------------------------------------------------------------------------------
    def _unit_changed(self) -> None:
        s = self.session
        self._note_target = s.unit if s and s.item else None
        self.note.blockSignals(True)
        self.note.setText(s.note() if s and s.item else "")
        self.note.blockSignals(False)
        self.note.setEnabled(bool(s and s.item and s.taxonomy))
        self.note.setPlaceholderText(f"Note on {describe_target(self._note_target)} (Enter saves)"
                                     if self._note_target else "Note")
        self._refresh_state()

    def _labels_changed(self) -> None:
        s = self.session
        if s and s.item and not self.note.hasFocus():
            self.note.setText(s.note(self._note_target))
        self._refresh_state()

    def _done_changed(self, _item_id: str) -> None:
        self._done = None
        self._refresh_state()

    def _refresh_state(self) -> None:
        """The buttons' checked state, where the keys go, and whether the item is done. Labels do not change
        completion (only a done change does, which says so), so a label key does not ask the store again."""
        s = self.session
        for button in self.buttons:
            button.setChecked(bool(s and s.is_on(button.ldef)))
        if s is None or s.item is None:
            self._show_target("")
            self.done_state.setText("")
            return
        self._show_target(f"Keys label: {keys_go_to(s)}")
        if self._done is None:
            self._done = s.is_done()
        self.done_state.setText("Done in this taxonomy" if self._done else "Not done yet")

    def _show_target(self, text: str) -> None:
        if text != self.target.text():
            self.target.setText(text)
            self._fit_target()

    def _fit_target(self) -> None:
        """The line saying where the keys go changes on every j. A label of fixed size does not ask the window
        to lay itself out again when its text changes (that cost more than the rest of the key), so the line is
        given the panel's width and its text's height, and sized again only when one of them changes."""
        margins = self.layout().contentsMargins()
        width = max(50, self.width() - margins.left() - margins.right())
        height = max(1, self.target.heightForWidth(width))
        if (width, height) != (self.target.minimumWidth(), self.target.maximumHeight()):
            self.target.setFixedSize(width, height)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_target()

    def save_note(self) -> None:
        s = self.session
        if s is None or s.item is None or self._note_target is None:
            return
        if self.note.text().strip() != s.note(self._note_target):
            s.set_note(self.note.text(), self._note_target)


def keys_go_to(s: AnnotationSession) -> str:
    """Where the active taxonomy's keys put labels right now, in words (several places for mixed scopes)."""
    places: list[str] = []
    for ldef in (s.taxonomy.labels if s.taxonomy else []):
        target = s.target_for(ldef)
        if target is None:
            text = f"(select a {ldef.target} with j/k)"
        elif target.startswith("span:"):
            text = f"the selected text ({s.span[2] - s.span[1]} characters)" if s.span else "the selected text"
        else:
            text = describe_target(target)
        if text not in places:
            places.append(text)
    return " or ".join(places) if places else "nothing (no taxonomy applies)"


def describe_target(target: str | None) -> str:
    if not target or target == "item":
        return "the whole item"
    kind, _, ref = target.partition(":")
    return f"{kind} {ref}"
