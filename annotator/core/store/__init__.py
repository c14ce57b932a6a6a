"""The store: the project's tables and the `Project` facade through which every read and write goes.

Names load on first use, so the light modules here (`opening`, `info`) can be imported without the rest of
the store and SQLAlchemy: `annotator info` reads a SQLite project with them alone.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .items import ItemFilter, ItemSummary
    from .labels import DoneChange, LabelChange, NoteChange
    from .project import ImportSummary, Project

_HOMES = {
    "ItemFilter": "items", "ItemSummary": "items",
    "DoneChange": "labels", "LabelChange": "labels", "NoteChange": "labels",
    "ImportSummary": "project", "Project": "project",
}
__all__ = sorted(_HOMES)


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f".{home}", __name__), name)
