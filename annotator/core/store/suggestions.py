"""Where annotators saw a metric's suggestions, so agreement with the metric can be compared with and without."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Connection, insert, select

from .labels import ensure_annotator, now
from .tables import SUGGESTION_SHOWN

if TYPE_CHECKING:
    import pandas as pd

    from .project import Project

SHOWN_COLUMNS = ["item_id", "annotator", "metric"]


class SuggestionStore:
    def __init__(self, project: "Project"):
        self._p = project
        self._db = project.db

    def record_shown(self, item_id: str, taxonomy: str, annotator: str, metric: str) -> bool:
        """Note that `annotator` worked on the item with `metric`'s suggestions on screen; the first metric shown
        stays (seeing any suggestion is what may anchor). True when this is news."""
        def work(conn: Connection) -> bool:
            key = ((SUGGESTION_SHOWN.c.item_id == item_id) & (SUGGESTION_SHOWN.c.taxonomy == taxonomy)
                   & (SUGGESTION_SHOWN.c.annotator == annotator))
            if conn.execute(select(SUGGESTION_SHOWN.c.metric).where(key)).first() is not None:
                return False
            ensure_annotator(conn, annotator)
            conn.execute(insert(SUGGESTION_SHOWN).values(item_id=item_id, taxonomy=taxonomy, annotator=annotator,
                                                         metric=metric, shown_at=now()))
            return True

        return self._db.write(work)

    def was_shown(self, item_id: str, taxonomy: str, annotator: str) -> bool:
        with self._db.read() as conn:
            return conn.execute(select(SUGGESTION_SHOWN.c.item_id).where(
                (SUGGESTION_SHOWN.c.item_id == item_id) & (SUGGESTION_SHOWN.c.taxonomy == taxonomy)
                & (SUGGESTION_SHOWN.c.annotator == annotator))).first() is not None

    def shown(self, taxonomy: str) -> "pd.DataFrame":
        """item_id, annotator, metric of every (item, annotator) that saw suggestions in this taxonomy."""
        import pandas as pd  # with the statistics that read it, not with every open project

        with self._db.read() as conn:
            rows = conn.execute(select(SUGGESTION_SHOWN.c.item_id, SUGGESTION_SHOWN.c.annotator,
                                       SUGGESTION_SHOWN.c.metric).where(SUGGESTION_SHOWN.c.taxonomy == taxonomy)
                                .order_by(SUGGESTION_SHOWN.c.item_id, SUGGESTION_SHOWN.c.annotator)).all()
        return pd.DataFrame(rows, columns=SHOWN_COLUMNS)
