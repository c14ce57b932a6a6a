"""What the app remembers between runs: the annotator's name, recent projects, the last project.

A thin typed layer over QSettings (organisation "annotator", application "annotator") so tests can hand in a
settings object that writes to a temporary file instead of the user's real configuration.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

MAX_RECENT = 10
SETTINGS_VERSION = 1


def default_settings() -> QSettings:
    return QSettings("annotator", "annotator")


class AppSettings:
    def __init__(self, store: QSettings | None = None):
        self.store = store if store is not None else default_settings()
        if self.store.value("version") is None:
            self.store.setValue("version", SETTINGS_VERSION)

    # --- the annotator ------------------------------------------------------------------------------
    @property
    def annotator(self) -> str:
        return str(self.store.value("annotator/name", "") or "").strip()

    @annotator.setter
    def annotator(self, name: str) -> None:
        self.store.setValue("annotator/name", name.strip())
        self.store.sync()

    # --- projects -----------------------------------------------------------------------------------
    def recent_projects(self) -> list[str]:
        value = self.store.value("projects/recent", [])
        if isinstance(value, str):  # QSettings hands back a lone string for a one-element list
            value = [value]
        return [str(v) for v in (value or []) if v]

    def add_recent(self, path: str) -> None:
        path = _normal(path)
        recent = [p for p in self.recent_projects() if p != path]
        self.store.setValue("projects/recent", [path, *recent][:MAX_RECENT])
        self.store.setValue("projects/last", path)
        self.store.sync()

    def forget(self, path: str) -> None:
        path = _normal(path)
        self.store.setValue("projects/recent", [p for p in self.recent_projects() if p != path])
        if self.last_project == path:
            self.store.remove("projects/last")
        self.store.sync()

    @property
    def last_project(self) -> str | None:
        value = self.store.value("projects/last", None)
        return str(value) if value else None

    # --- per-project choices ------------------------------------------------------------------------
    def taxonomy_for(self, kind: str) -> str | None:
        value = self.store.value(f"taxonomy/{kind}", None)
        return str(value) if value else None

    def set_taxonomy_for(self, kind: str, taxonomy: str) -> None:
        self.store.setValue(f"taxonomy/{kind}", taxonomy)

    # --- ways of working ----------------------------------------------------------------------------
    @property
    def advance_after_rating(self) -> bool:
        """Whether a single-choice label given by key (a step rating, a verdict) moves on to the next unit."""
        return str(self.store.value("annotate/advance_after_rating", "false")).lower() == "true"

    @advance_after_rating.setter
    def advance_after_rating(self, on: bool) -> None:
        self.store.setValue("annotate/advance_after_rating", "true" if on else "false")
        self.store.sync()


def _normal(path: str) -> str:
    """Files are remembered by absolute path; database URLs as given."""
    if "://" in path:
        return path
    return str(Path(path).expanduser().resolve())
