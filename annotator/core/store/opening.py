"""What a SQLite project file must be before the store opens it, each refusal in one plain sentence.

Opening reads the file through Python's own `sqlite3`, read-only, before anything can write to it:

- its first bytes say SQLite, it holds our tables and a schema version row (else it is someone else's file);
- its schema is one this version knows (a file from a newer version is refused: update the app), read from the
  version row and the migration files, without importing Alembic;
- it is not damaged: `PRAGMA quick_check` runs on open when the file is small enough for it to be cheap
  (QUICK_CHECK_MAX_BYTES). It reads every page, so on a big file it would cost seconds at every open; there the
  check is left out, and a damaged page met later still ends in a plain message (see `faults.py`) with the
  transaction that met it rolled back;
- whether it can be written: a read-only file, folder or file system opens read-only rather than failing, and
  a read-only file system whose WAL index cannot be made opens as immutable (nobody can change it there).
"""

from __future__ import annotations

import os
import re
import sqlite3
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

from ..errors import AnnotatorError, NotFound

QUICK_CHECK_MAX_BYTES = 32 * 2**20  # about a tenth of a second of checking on a quiet laptop
SQLITE_HEADER = b"SQLite format 3\x00"
VERSIONS = Path(__file__).resolve().parent.parent / "migrations" / "versions"
_REVISION = re.compile(r"^revision\s*=\s*['\"]([^'\"]+)['\"]", re.M)
_DOWN = re.compile(r"^down_revision\s*=\s*(?:['\"]([^'\"]+)['\"]|None)", re.M)


class DamagedProject(AnnotatorError):
    """The project file's pages are corrupt: nothing may read or write it until it is restored."""


class NewerProject(AnnotatorError):
    """The project was written by a newer version of the app, with a schema this one does not know."""


class ReadOnlyProject(AnnotatorError):
    """A write was asked of a project opened read-only."""


@lru_cache(maxsize=1)
def schema_revisions() -> tuple[str, ...]:
    """The schema revisions this version knows, oldest first (the last is the head), from the migration files."""
    parent_of: dict[str, str | None] = {}
    for path in VERSIONS.glob("*.py"):
        source = path.read_text(encoding="utf-8")
        revision, down = _REVISION.search(source), _DOWN.search(source)
        if revision and down:
            parent_of[revision.group(1)] = down.group(1)
    child_of = {parent: child for child, parent in parent_of.items()}
    chain, current = [], child_of.get(None)
    while current is not None:
        chain.append(current)
        current = child_of.get(current)
    return tuple(chain)


def head_revision() -> str:
    revisions = schema_revisions()
    return revisions[-1] if revisions else ""


def check_revision(revision: str | None, shown_as: str) -> None:
    """Refuse a schema this version does not know: the file comes from a newer version of the app."""
    if revision is not None and revision not in schema_revisions():
        from ... import __version__

        raise NewerProject(f"{shown_as} was written by a newer version of annotator (schema {revision}; version "
                           f"{__version__} knows up to {head_revision()}): update annotator to open it")


def can_write(path: Path) -> bool:
    """True when the file and its folder can be written (SQLite's WAL files live beside the project)."""
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)


def read_only_uri(path: Path, immutable: bool = False) -> str:
    return f"file:{quote(str(path))}?{'immutable=1' if immutable else 'mode=ro'}"


@dataclass
class CheckedFile:
    """A project file that passed the checks, with the read-only connection that checked it (close it)."""

    connection: sqlite3.Connection
    uri: str  # the read-only URI that opened it
    tables: set[str]
    revision: str | None
    writable: bool

    @property
    def fresh(self) -> bool:
        """No project in it yet (a new, empty file)."""
        return "item" not in self.tables

    @property
    def needs_upgrade(self) -> bool:
        return not self.fresh and self.revision != head_revision()


def _damaged(shown_as: str, detail: str) -> DamagedProject:
    """One line, whatever SQLite said (its check's findings span lines and start with a banner)."""
    detail = " ".join(detail.replace("*** in database main ***", "").split())
    return DamagedProject(f"{shown_as} is damaged ({detail}); nothing was changed: restore it from a backup "
                          "or a teammate's copy")


def _connect(path: Path) -> tuple[sqlite3.Connection, str, set[str]]:
    """A read-only connection and the file's tables; immutable when a read-only file system keeps SQLite from
    making the WAL index it needs."""
    last: sqlite3.Error | None = None
    for immutable in (False, True):
        uri = read_only_uri(path, immutable)
        conn = sqlite3.connect(uri, uri=True, timeout=15, check_same_thread=False)
        try:
            tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            return conn, uri, tables
        except sqlite3.OperationalError as exc:
            conn.close()
            last = exc
            if immutable or "unable to open" not in str(exc) or can_write(path.parent):
                raise
    raise last  # pragma: no cover - the loop returns or raises


def existing_file(path: str | Path, shown_as: str) -> Path:
    """The project file at `path` (with `~` expanded); refused when it is missing or a folder."""
    found = Path(path).expanduser()
    if not found.exists():
        raise NotFound(f"no project at {shown_as} (create one with `annotator init`)")
    if found.is_dir():
        raise AnnotatorError(f"{shown_as} is a folder, not a project file")
    return found


def open_checked(path: Path, shown_as: str, create: bool = False, quick_check: bool | None = None) -> CheckedFile:
    """Check an existing SQLite file before the store opens it; raise one plain AnnotatorError when it is not a
    project this version can open. `quick_check` None runs the check when the file is small enough."""
    try:
        with path.open("rb") as handle:
            head = handle.read(len(SQLITE_HEADER))
    except PermissionError:
        raise AnnotatorError(f"{shown_as}: permission denied: the project cannot be read") from None
    size = path.stat().st_size
    if size and head != SQLITE_HEADER:
        raise AnnotatorError(f"{shown_as} is not a project file (not a SQLite database)")
    try:
        conn, uri, tables = _connect(path)
    except sqlite3.DatabaseError as exc:
        if "malformed" in str(exc) or "corrupt" in str(exc):
            raise _damaged(shown_as, str(exc)) from None
        raise AnnotatorError(f"{shown_as} cannot be opened: {exc}") from None
    try:
        if quick_check if quick_check is not None else size <= QUICK_CHECK_MAX_BYTES:
            found = [row[0] for row in conn.execute("PRAGMA quick_check(3)")]
            if found != ["ok"]:
                raise _damaged(shown_as, "; ".join(found))
        revision = None
        if "alembic_version" in tables:
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            revision = row[0] if row else None
        if tables and revision is None:
            # someone else's database: never add our tables to it, even when asked to create
            raise AnnotatorError(f"{shown_as} is a database but not an annotator project")
        check_revision(revision, shown_as)
        checked = CheckedFile(conn, uri, tables, revision, can_write(path))
        if checked.fresh and not create:
            raise NotFound(f"{shown_as} holds no project yet (create one with `annotator init`)")
        if checked.needs_upgrade and not checked.writable:
            raise ReadOnlyProject(f"{shown_as} is read-only and was written by an older version of annotator: "
                                  "open it once where it can be written, to bring it up to date")
        return checked
    except sqlite3.DatabaseError as exc:
        conn.close()
        if "malformed" in str(exc) or "corrupt" in str(exc):
            raise _damaged(shown_as, str(exc)) from None
        raise AnnotatorError(f"{shown_as} cannot be read: {exc}") from None
    except BaseException:
        conn.close()
        raise
