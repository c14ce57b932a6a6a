"""Reading ahead: the items next to the one on screen are read from the store, and caption images decoded,
off the UI thread while the annotator works, so `n` and `p` find them ready.

Only item data and images are read ahead. Labels and notes are read when an item opens, since a write or an
undo may change them at any moment; an item's data changes only with an import, after which `forget` drops
everything read so far. Images are decoded into QImage (safe off the UI thread); the page turns one into a
pixmap when it shows it.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject
from PySide6.QtGui import QImage

from ..core.model import Item
from ..core.store import Project
from .background import BackgroundTask, run_in_background, side_pool

IMAGES_KEPT = 4  # decoded images kept: the one on screen, the next, the previous, and one more


@dataclass(frozen=True)
class Picture:
    """An item's image as read and decoded: `stored` says whether the item has image bytes at all, so a null
    `image` tells "no image stored" from "the image could not be read"."""

    stored: bool
    image: QImage


def decode(data: bytes | None) -> Picture:
    return Picture(bool(data), QImage.fromData(data) if data else QImage())


class ItemPrefetch(QObject):
    """Items read ahead for one project, taken by the session when it opens them."""

    def __init__(self, project: Project, parent: QObject | None = None):
        super().__init__(parent)
        self._project = project
        self._items: dict[str, Item] = {}
        self._pictures: OrderedDict[str, Picture] = OrderedDict()
        self._reading: dict[str, BackgroundTask] = {}
        self._wanted: list[str] = []
        self._generation = 0  # bumped by `forget`: reads started before it are not kept

    def want(self, item_ids: list[str]) -> None:
        """Read these items (the neighbours of the one on screen) in the background; read-ahead items no
        longer wanted are let go."""
        self._wanted = [i for i in item_ids if i]
        for item_id in list(self._items):
            if item_id not in self._wanted:
                del self._items[item_id]
        for item_id in self._wanted:
            if item_id not in self._items and item_id not in self._reading:
                self._read(item_id)

    def ready(self, item_id: str) -> bool:
        """Whether the item has been read ahead and waits to be opened."""
        return item_id in self._items

    def take(self, item_id: str) -> Item | None:
        """The item if it was read ahead (it is handed over once), else None: the caller reads it itself."""
        return self._items.pop(item_id, None)

    def picture(self, item_id: str) -> Picture | None:
        """The decoded image of a caption item, when it was read ahead or shown lately."""
        found = self._pictures.get(item_id)
        if found is not None:
            self._pictures.move_to_end(item_id)
        return found

    def load_picture(self, item_id: str, arrived: Callable[[Picture], None]) -> BackgroundTask:
        """Read and decode an item's image off the UI thread; `arrived(picture)` runs on the UI thread."""
        project, generation = self._project, self._generation

        def done(picture: Picture) -> None:
            if generation == self._generation:
                self._keep_picture(item_id, picture)
            arrived(picture)

        return run_in_background(lambda _t: decode(project.items.image_bytes(item_id)), done,
                                 lambda _exc: arrived(Picture(True, QImage())), parent=self,
                                 pool=side_pool("prefetch"))

    def forget(self) -> None:
        """Items changed (an import, a merge): nothing read so far may be shown."""
        self._generation += 1
        self._items.clear()
        self._pictures.clear()
        self._reading.clear()

    def _read(self, item_id: str) -> None:
        project, generation = self._project, self._generation

        def work(_task: BackgroundTask) -> tuple[Item, Picture | None]:
            item = project.items.get(item_id)
            picture = decode(project.items.image_bytes(item_id)) if item.kind == "caption" else None
            return item, picture

        def done(result: tuple[Item, Picture | None]) -> None:
            self._reading.pop(item_id, None)
            if generation != self._generation or item_id not in self._wanted:
                return
            item, picture = result
            self._items[item_id] = item
            if picture is not None:
                self._keep_picture(item_id, picture)

        def failed(_exc: BaseException) -> None:  # the item went away: opening it will say so
            self._reading.pop(item_id, None)

        self._reading[item_id] = run_in_background(work, done, failed, parent=self, pool=side_pool("prefetch"))

    def _keep_picture(self, item_id: str, picture: Picture) -> None:
        self._pictures[item_id] = picture
        self._pictures.move_to_end(item_id)
        while len(self._pictures) > IMAGES_KEPT:
            self._pictures.popitem(last=False)
