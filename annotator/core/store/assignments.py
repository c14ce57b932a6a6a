"""The lead's work plan in the project, and each annotator's progress against it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, delete, insert, select

from ..errors import NotFound
from .labels import ensure_annotator
from .tables import ASSIGNMENT, ITEM

if TYPE_CHECKING:
    from ..assign import Plan
    from .project import Project


class AssignmentStore:
    def __init__(self, project: "Project"):
        self._p = project
        self._db = project.db

    def replace(self, plan: "Plan") -> None:
        """Record a plan in place of any earlier one, in one transaction."""
        shared = set(plan.shared)

        def work(conn: Connection) -> None:
            missing = [i for i in {i for items in plan.packs.values() for i in items}
                       if conn.execute(select(ITEM.c.id).where(ITEM.c.id == i)).first() is None]
            if missing:
                raise NotFound(f"the plan names items the project does not hold: {', '.join(sorted(missing)[:5])}")
            for name in plan.annotators:
                ensure_annotator(conn, name)
            conn.execute(delete(ASSIGNMENT))
            rows = [{"item_id": item, "annotator": name, "shared": item in shared}
                    for name, items in plan.packs.items() for item in items]
            if rows:
                conn.execute(insert(ASSIGNMENT), rows)

        self._db.write(work)

    def exists(self) -> bool:
        with self._db.read() as conn:
            return conn.execute(select(ASSIGNMENT.c.item_id).limit(1)).first() is not None

    def packs(self) -> dict[str, list[str]]:
        """annotator -> assigned item ids in list order."""
        out: dict[str, list[str]] = {}
        with self._db.read() as conn:
            rows = conn.execute(select(ASSIGNMENT.c.annotator, ASSIGNMENT.c.item_id)
                                .select_from(ASSIGNMENT.join(ITEM, ITEM.c.id == ASSIGNMENT.c.item_id))
                                .order_by(ASSIGNMENT.c.annotator, ITEM.c.position))
            for name, item in rows:
                out.setdefault(name, []).append(item)
        return out

    def progress(self) -> dict[str, dict[str, Any]]:
        """Per annotator of the plan: items assigned, of them calibration items, and per taxonomy how many of
        the assigned items the annotator has marked done (what merges brought back)."""
        from .info import read_assignments

        with self._db.read() as conn:
            cursor = conn.connection.cursor()
            try:
                return read_assignments(cursor)
            finally:
                cursor.close()
