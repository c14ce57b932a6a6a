"""The Qt-free core: data model, store, input formats, taxonomies and statistics.

Usable as a library from a notebook: `from annotator.core import Project`.
"""

from .store import ItemFilter, Project

__all__ = ["ItemFilter", "Project"]
