"""The store: the project's tables and the `Project` facade through which every read and write goes."""

from .items import ItemFilter, ItemSummary
from .labels import DoneChange, LabelChange, NoteChange
from .project import ImportSummary, Project

__all__ = ["DoneChange", "ImportSummary", "ItemFilter", "ItemSummary", "LabelChange", "NoteChange", "Project"]
