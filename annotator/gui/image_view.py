"""The caption's image, loaded from the bytes stored in the project (never from a URL), fitted to the panel,
zoomable with +/- and Ctrl+wheel."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QLabel, QScrollArea, QWidget

from .prefetch import Picture

MIN_ZOOM, MAX_ZOOM = 0.1, 8.0


class ImageView(QScrollArea):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("imageView")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setWidgetResizable(False)
        self._label = QLabel(self)
        self._label.setTextFormat(Qt.TextFormat.PlainText)
        self._label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setWidget(self._label)
        self._pixmap = QPixmap()
        self.zoom_factor = 1.0  # relative to "fit"
        self.viewport().installEventFilter(self)

    def show_picture(self, picture: Picture) -> None:
        self._pixmap = QPixmap.fromImage(picture.image) if not picture.image.isNull() else QPixmap()
        self.zoom_factor = 1.0
        if self._pixmap.isNull():
            self._show_words("no image stored for this item" if not picture.stored else "the image could not be read")
        else:
            self._label.setText("")
            self._rescale()

    def show_loading(self) -> None:
        """The image is being read and decoded off the UI thread; `show_picture` follows."""
        self._pixmap = QPixmap()
        self.zoom_factor = 1.0
        self._show_words("loading the image...")

    def _show_words(self, text: str) -> None:
        self._label.setPixmap(QPixmap())
        self._label.setText(text)
        self._label.adjustSize()

    @property
    def has_image(self) -> bool:
        return not self._pixmap.isNull()

    def fit_scale(self) -> float:
        if self._pixmap.isNull():
            return 1.0
        area = self.viewport().size()
        return min(area.width() / max(1, self._pixmap.width()), area.height() / max(1, self._pixmap.height()))

    def shown_size(self) -> tuple[int, int]:
        pm = self._label.pixmap()
        return (pm.width(), pm.height()) if pm is not None and not pm.isNull() else (0, 0)

    def zoom(self, factor: float) -> None:
        self.zoom_factor = max(MIN_ZOOM, min(MAX_ZOOM, self.zoom_factor * factor))
        self._rescale()

    def reset_zoom(self) -> None:
        self.zoom_factor = 1.0
        self._rescale()

    def _rescale(self) -> None:
        if self._pixmap.isNull():
            return
        scale = self.fit_scale() * self.zoom_factor
        w = max(1, int(self._pixmap.width() * scale))
        h = max(1, int(self._pixmap.height() * scale))
        mode = Qt.TransformationMode.SmoothTransformation
        self._label.setPixmap(self._pixmap.scaled(w, h, Qt.AspectRatioMode.KeepAspectRatio, mode))
        self._label.resize(w, h)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._rescale()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (watched is self.viewport() and event.type() == QEvent.Type.Wheel
                and event.modifiers() & Qt.KeyboardModifier.ControlModifier):
            self.zoom(1.25 if event.angleDelta().y() > 0 else 0.8)
            return True
        return super().eventFilter(watched, event)
