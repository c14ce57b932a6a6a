"""The caption view: the image beside the caption and its criteria. Each criterion has verdict buttons (the
caption_verdict labels); caption errors go on the caption as a whole or on a selected stretch of it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QSplitter, QWidget

from ..core.errors import AnnotatorError
from ..core.model import Item
from ..core.taxonomy import Taxonomy
from .background import BackgroundTask
from .image_view import ImageView
from .prefetch import Picture
from .text import ink_for, tooltip_text
from .unit_page import UnitPage, UnitRow, criterion_extras, number_heading

VERDICT_TAXONOMY = "caption_verdict"


class CaptionView(UnitPage):
    kind = "caption"
    reuses_rows = True

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.image = ImageView(self)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(self.image)
        self.splitter.addWidget(self.scroll)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setSizes([300, 450])  # the criteria need the room for their verdict buttons
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)
        self.verdicts: dict[str, dict[str, QPushButton]] = {}  # target -> label id -> button
        self._row_buttons: dict[UnitRow, tuple[Taxonomy, dict[str, QPushButton]]] = {}
        self.loading: BackgroundTask | None = None  # the image being decoded, when it was not read ahead

    def build(self, item: Item) -> None:
        self._show_image(item.id)
        heading = "Caption" + (f"  (model: {item.model})" if item.model else "")
        self.add_row(self.text_row("item", heading, item.caption, "caption"))
        self.verdicts = {}
        verdict_tax = self._verdict_taxonomy()
        for n, crit in enumerate(item.criteria, start=1):
            target = f"criterion:{crit.id}"
            row = self.add_row(self.plain_row(target, number_heading(
                n, [crit.id] + criterion_extras(crit.points, crit.weight, crit.axis, crit.tags)), crit.text))
            buttons = self._verdict_buttons(row, verdict_tax)
            if verdict_tax is not None:
                self.verdicts[target] = buttons

    def _verdict_buttons(self, row: UnitRow, verdict_tax: Taxonomy | None) -> dict[str, QPushButton]:
        """A criterion row's verdict buttons (label id -> button): made once per row and kept when the row is
        refilled for the next caption, since they act on whichever criterion the row shows."""
        made = self._row_buttons.get(row)
        if made is not None and made[0] == verdict_tax:
            return made[1]
        while row.controls.count():  # the verdict taxonomy changed or went: its buttons go
            old = row.controls.takeAt(0).widget()
            if old is not None:
                old.deleteLater()
        self._row_buttons.pop(row, None)
        if verdict_tax is None:
            return {}
        buttons = {}
        for ldef in verdict_tax.labels:
            button = QPushButton(f"{ldef.key} {ldef.name}" if ldef.key else ldef.name, row)
            button.setObjectName("verdict")
            button.setCheckable(True)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setToolTip(tooltip_text(ldef.definition))
            color = ldef.color or "#888888"  # the text takes whichever ink reads on the label's colour
            button.setStyleSheet(f"QPushButton#verdict:checked {{ background: {color}; "
                                 f"color: {ink_for(color)}; }}")
            button.clicked.connect(lambda _=False, r=row, lab=ldef.id: self._verdict(r.target, lab))
            row.controls.addWidget(button)
            buttons[ldef.id] = button
        row.controls.addStretch(1)
        self._row_buttons[row] = (verdict_tax, buttons)
        return buttons

    def _show_image(self, item_id: str) -> None:
        """The image read ahead with the item, or read and decoded now off the UI thread (the criteria show
        meanwhile)."""
        if self.session is None:
            return
        picture = self.session.prefetch.picture(item_id)
        if picture is not None:
            self.image.show_picture(picture)
            return
        self.image.show_loading()

        def arrived(found: Picture) -> None:
            if self.session is not None and self.session.item is not None and self.session.item.id == item_id:
                self.image.show_picture(found)

        self.loading = self.session.prefetch.load_picture(item_id, arrived)

    def _verdict_taxonomy(self):
        if self.session is None:
            return None
        try:
            return self.session.project.taxonomies.get(VERDICT_TAXONOMY)
        except AnnotatorError:
            return None

    def _verdict(self, target: str, label: str) -> None:
        if self.session is not None:
            self.session.select_target(target)
            self.session.toggle_label(label, taxonomy=VERDICT_TAXONOMY, target=target)

    def refresh(self, targets: frozenset[str] | None = None) -> None:
        super().refresh(targets)
        if self.session is None:
            return
        for target, buttons in self.verdicts.items():
            given = {lab.label for lab in self.session.labels_on(target, VERDICT_TAXONOMY)}
            for label, button in buttons.items():
                button.setChecked(label in given)

    def row_chips(self, row: UnitRow) -> list:
        """The verdict buttons already show a criterion's verdict; chips would say it twice."""
        chips = super().row_chips(row)
        return [c for c in chips if c[0].taxonomy != VERDICT_TAXONOMY] if row.target in self.verdicts else chips

    def zoom(self, factor: float) -> None:
        self.image.zoom(factor)
