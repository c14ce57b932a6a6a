"""What a project holds (`annotator info`), read with plain SQL on a driver cursor.

The same five queries serve an open `Project` (through its driver connection, on SQLite or PostgreSQL) and
`annotator info` on a SQLite file, which reads them through Python's own `sqlite3` and so starts without
SQLAlchemy, pandas or Alembic. Nothing here takes a parameter, so the driver's paramstyle does not matter.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

ITEM_KINDS = ("rubric", "caption", "trace")


def read_info(cursor: Any) -> dict:
    """The `annotator info --json` object (DESIGN section 7) from a DB-API cursor on a project's database."""

    def rows(sql: str) -> list[tuple]:
        cursor.execute(sql)
        return cursor.fetchall()

    counts = {kind: int(n) for kind, n in rows("SELECT kind, count(*) FROM item GROUP BY kind")}
    done: dict[str, dict[str, int]] = {}
    for annotator, taxonomy, n in rows("SELECT annotator, taxonomy, count(*) FROM completion "
                                       "GROUP BY annotator, taxonomy ORDER BY annotator, taxonomy"):
        done.setdefault(annotator, {})[taxonomy] = int(n)
    info = {
        "items": {kind: counts.get(kind, 0) for kind in ITEM_KINDS},
        "annotators": [name for (name,) in rows("SELECT name FROM annotator WHERE kind = 'human' ORDER BY name")],
        "labels": int(rows("SELECT count(*) FROM label")[0][0]),
        "done": done,
        "taxonomies": [tid for (tid,) in rows("SELECT id FROM taxonomy ORDER BY position")],
    }
    plan = read_assignments(cursor)
    if plan:
        info["assignments"] = plan
    return info


def read_assignments(cursor: Any) -> dict[str, dict[str, Any]]:
    """Each annotator of the lead's plan (`annotator assign`): items assigned, of them calibration items, and per
    taxonomy how many assigned items the annotator has marked done (what merges brought back). Empty: no plan."""
    cursor.execute("SELECT annotator, count(*), sum(CASE WHEN shared THEN 1 ELSE 0 END) FROM assignment "
                   "GROUP BY annotator ORDER BY annotator")
    out = {name: {"assigned": int(n), "shared": int(s or 0), "done": {}} for name, n, s in cursor.fetchall()}
    if out:
        cursor.execute("SELECT a.annotator, c.taxonomy, count(*) FROM assignment a JOIN completion c "
                       "ON c.item_id = a.item_id AND c.annotator = a.annotator "
                       "GROUP BY a.annotator, c.taxonomy ORDER BY a.annotator, c.taxonomy")
        for name, taxonomy, n in cursor.fetchall():
            out[name]["done"][taxonomy] = int(n)
    return out


def project_info(location: str) -> dict:
    """`read_info` of the project at a path or URL, opened read-only. A SQLite file is read through `sqlite3`
    alone unless its schema needs upgrading first; a server's database goes through the store."""
    if "://" not in location:
        info = sqlite_project_info(location)
        if info is not None:
            return info
    from .project import Project

    with Project.open(location, read_only=True) as project:
        return project.info()


def sqlite_project_info(path: str | Path, shown_as: str | None = None) -> dict | None:
    """`read_info` of a SQLite project file, opened read-only after the open-time checks; None when the file
    needs its schema upgraded first (the caller then opens it through the store, which migrates it)."""
    from .opening import existing_file, open_checked

    shown_as = shown_as or str(path)
    checked = open_checked(existing_file(path, shown_as), shown_as)
    try:
        if checked.needs_upgrade:
            return None
        cursor = checked.connection.cursor()
        try:
            return read_info(cursor)
        finally:
            cursor.close()
    finally:
        checked.connection.close()
