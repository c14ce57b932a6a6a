"""One plain line for a failure nobody planned for, so the command line never shows a user a traceback.

The core raises AnnotatorError for everything it expects; this module speaks for the rest: a database driver's
error (a full disk, a damaged page, a server gone away), a nesting too deep for Python, memory running out, or
a plain bug. A database error's text is its driver's first line: SQLAlchemy's own text would add the statement
and its parameters, which for a batch insert are a thousand rows of the user's data. Every failed write was one
transaction, rolled back, so the line can say that nothing from the failed step was saved.

Imported by the command line at start-up: it must import nothing beyond the standard library.
"""

from __future__ import annotations

import os
import sys

DEBUG_ENV = "ANNOTATOR_DEBUG"
MAX_CHARS = 300


def _driver_error(exc: BaseException) -> BaseException | None:
    """The driver's own exception inside a SQLAlchemy error, or the exception itself when it is a driver's."""
    sqlalchemy_exc = sys.modules.get("sqlalchemy.exc")  # never imported here: if it is not loaded, it did not raise
    if sqlalchemy_exc is not None and isinstance(exc, sqlalchemy_exc.DBAPIError):
        return exc.orig if exc.orig is not None else exc
    sqlite3 = sys.modules.get("sqlite3")
    if sqlite3 is not None and isinstance(exc, sqlite3.Error):
        return exc
    module = type(exc).__module__ or ""
    return exc if module.startswith(("psycopg", "sqlite3")) else None


def _first_line(text: str) -> str:
    line = next((part.strip() for part in text.splitlines() if part.strip()), "")
    return line if len(line) <= MAX_CHARS else line[:MAX_CHARS] + "..."


def _shown(project: str | None) -> str:
    """The project as a message may name it: a URL without its password."""
    if not project:
        return ""
    if "://" in project:
        from .store.database import display_url  # only on this error path: start-up stays light

        return " " + display_url(project)
    return " " + project


def plain_message(exc: BaseException, project: str | None = None) -> str:
    """What went wrong, in one line without a traceback; `project`, when known, is named where the fault is
    the project's (a full disk, a damaged or read-only file), since a script may work on several."""
    if isinstance(exc, RecursionError):
        return "the input is nested too deeply to read; nothing was changed"
    if isinstance(exc, MemoryError):
        return "out of memory; nothing from the unfinished step was saved"
    driver = _driver_error(exc)
    if driver is not None:
        text = str(driver).lower()
        if "disk is full" in text or "no space left" in text or "could not extend file" in text:
            where = f" holding the project{_shown(project)}" if project else ""
            return (f"the disk{where} is full; nothing from the unfinished step was saved: free some space and "
                    "run it again")
        if "malformed" in text or "file is not a database" in text:
            return (f"the project{_shown(project)} is damaged ({_first_line(str(driver))}); nothing from the "
                    "unfinished step was saved: restore it from a backup")
        if "readonly database" in text or "read-only" in text:
            return f"the project{_shown(project)} is read-only: nothing can be saved to it"
        return f"database error: {_first_line(str(driver)) or type(driver).__name__}"
    detail = _first_line(str(exc))
    return f"unexpected {type(exc).__name__}{': ' + detail if detail else ''} (a bug: please report it)"


def debugging() -> bool:
    """True when the user asked to see tracebacks (ANNOTATOR_DEBUG=1)."""
    return os.environ.get(DEBUG_ENV, "").strip() not in ("", "0")
