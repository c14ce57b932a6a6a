"""The Qt-free core: data model, store, input formats, taxonomies and statistics.

Usable as a library from a notebook: `from annotator.core import Project`.

The store (and with it SQLAlchemy) loads on first use of `Project` or `ItemFilter`, not when the package is
imported: the command line imports `annotator.core.errors` at start-up, and `annotator --version` should not
pay for a database layer it never touches.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .store import ItemFilter, Project

__all__ = ["ItemFilter", "Project"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from . import store

        return getattr(store, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
