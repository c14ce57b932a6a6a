"""Gold labels from adjudication, metric predictions, and the judge's response cache."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Iterable

from sqlalchemy import Connection, and_, delete, insert, select

from ..errors import NotFound, UsageError
from ..model import Gold, Prediction
from .labels import ensure_annotator, now
from .tables import GOLD, ITEM, JUDGE_CACHE, PREDICTION, SCORED

if TYPE_CHECKING:
    from .project import Project


class GoldStore:
    def __init__(self, project: "Project"):
        self._p = project
        self._db = project.db

    def set(self, item_id: str, taxonomy: str, target: str, labels: Iterable[str], reviewer: str = "") -> Gold | None:
        """Settle a unit; returns the gold it replaced (None when there was none), for undo."""
        tax = self._p.taxonomies.get(taxonomy)
        given = set(labels)
        for lab in given:
            tax.label(lab)  # NotFound names the unknown label
        labels = tuple(sorted(given, key=tax.label_ids.index))
        if tax.choice == "single" and len(labels) > 1:
            raise UsageError(f"taxonomy {taxonomy!r} takes one label per unit")

        def work(conn: Connection) -> Gold | None:
            if conn.execute(select(ITEM.c.id).where(ITEM.c.id == item_id)).first() is None:
                raise NotFound(f"no item {item_id!r} in the project")
            key = and_(GOLD.c.item_id == item_id, GOLD.c.taxonomy == taxonomy, GOLD.c.target == target)
            old = conn.execute(select(GOLD).where(key)).first()
            conn.execute(delete(GOLD).where(key))
            conn.execute(insert(GOLD).values(item_id=item_id, taxonomy=taxonomy, target=target,
                                             labels=json.dumps(list(labels)), reviewer=reviewer, decided_at=now()))
            return _gold(old) if old else None

        return self._db.write(work)

    def clear(self, item_id: str, taxonomy: str, target: str) -> Gold | None:
        def work(conn: Connection) -> Gold | None:
            key = and_(GOLD.c.item_id == item_id, GOLD.c.taxonomy == taxonomy, GOLD.c.target == target)
            old = conn.execute(select(GOLD).where(key)).first()
            conn.execute(delete(GOLD).where(key))
            return _gold(old) if old else None

        return self._db.write(work)

    def get(self, item_id: str, taxonomy: str, target: str) -> Gold | None:
        with self._db.read() as conn:
            row = conn.execute(select(GOLD).where(and_(GOLD.c.item_id == item_id, GOLD.c.taxonomy == taxonomy,
                                                       GOLD.c.target == target))).first()
        return _gold(row) if row else None

    def all(self, taxonomy: str) -> list[Gold]:
        with self._db.read() as conn:
            rows = conn.execute(select(GOLD).where(GOLD.c.taxonomy == taxonomy)
                                .order_by(GOLD.c.item_id, GOLD.c.target)).all()
        return [_gold(r) for r in rows]


def _gold(row) -> Gold:
    return Gold(item_id=row.item_id, taxonomy=row.taxonomy, target=row.target,
                labels=tuple(json.loads(row.labels)), reviewer=row.reviewer or "")


class PredictionStore:
    def __init__(self, project: "Project"):
        self._p = project
        self._db = project.db

    def replace(self, conn: Connection, taxonomy: str, metric: str, scored_items: Iterable[str],
                predictions: Iterable[Prediction]) -> int:
        """Within a caller's transaction: the metric's answers for these items replace any earlier ones."""
        items = sorted(set(scored_items))
        ensure_annotator(conn, metric, kind="metric")
        for i in range(0, len(items), 500):
            chunk = items[i:i + 500]
            conn.execute(delete(PREDICTION).where(and_(PREDICTION.c.taxonomy == taxonomy,
                                                       PREDICTION.c.metric == metric,
                                                       PREDICTION.c.item_id.in_(chunk))))
            conn.execute(delete(SCORED).where(and_(SCORED.c.taxonomy == taxonomy, SCORED.c.metric == metric,
                                                   SCORED.c.item_id.in_(chunk))))
        if items:
            conn.execute(insert(SCORED), [{"item_id": i, "taxonomy": taxonomy, "metric": metric} for i in items])
        rows = {}
        for p in predictions:
            rows[(p.item_id, p.target, p.label)] = {"item_id": p.item_id, "taxonomy": taxonomy, "metric": metric,
                                                    "target": p.target, "label": p.label, "score": float(p.score)}
        if rows:
            conn.execute(insert(PREDICTION), list(rows.values()))
        return len(rows)

    def store(self, taxonomy: str, metric: str, scored_items: Iterable[str],
              predictions: Iterable[Prediction]) -> int:
        """Store a metric's run in one transaction; returns the number of prediction rows."""
        self._p.taxonomies.get(taxonomy)
        scored = list(scored_items)
        preds = list(predictions)
        return self._db.write(lambda conn: self.replace(conn, taxonomy, metric, scored, preds))

    def metrics(self, taxonomy: str | None = None) -> list[str]:
        q = select(SCORED.c.metric).distinct().order_by(SCORED.c.metric)
        if taxonomy:
            q = q.where(SCORED.c.taxonomy == taxonomy)
        with self._db.read() as conn:
            return list(conn.execute(q).scalars())

    def for_item(self, item_id: str, taxonomy: str, metric: str) -> list[Prediction]:
        with self._db.read() as conn:
            rows = conn.execute(select(PREDICTION).where(and_(
                PREDICTION.c.item_id == item_id, PREDICTION.c.taxonomy == taxonomy,
                PREDICTION.c.metric == metric))).all()
        return [Prediction(item_id=r.item_id, taxonomy=r.taxonomy, metric=r.metric, target=r.target,
                           label=r.label, score=r.score) for r in rows]


class JudgeCacheStore:
    """The project's cache of judge responses (satisfies the judge runner's cache protocol)."""

    def __init__(self, project: "Project"):
        self._db = project.db

    def get(self, key: str) -> str | None:
        with self._db.read() as conn:
            return conn.execute(select(JUDGE_CACHE.c.response).where(JUDGE_CACHE.c.key == key)).scalar()

    def present(self, keys: Iterable[str]) -> set[str]:
        """Which of `keys` hold a reply, a few hundred per query."""
        wanted, found = list(keys), set()
        with self._db.read() as conn:
            for i in range(0, len(wanted), 500):
                found.update(conn.execute(select(JUDGE_CACHE.c.key).where(
                    JUDGE_CACHE.c.key.in_(wanted[i:i + 500]))).scalars())
        return found

    def put(self, key: str, response: str) -> None:
        def work(conn: Connection) -> None:
            conn.execute(delete(JUDGE_CACHE).where(JUDGE_CACHE.c.key == key))
            conn.execute(insert(JUDGE_CACHE).values(key=key, response=response, created_at=now()))

        self._db.write(work)
