"""Merging whole projects from other laptops into this one.

Items, taxonomies and annotators missing here are copied; labels and completions are united; a note or a gold
decision present in both keeps the newer one; a metric's predictions are copied for items it has not scored
here. An item id present in both with different content is a conflict: nothing is merged and every conflict
is reported. One transaction for all the files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from sqlalchemy import Connection, and_, delete, insert, select
from sqlalchemy.exc import DatabaseError

from .errors import AnnotatorError, InputError, Problem
from .model import Item
from .store.database import Database, to_url
from .store.items import ItemStore
from .store.tables import (ANNOTATOR, BLOB, COMPLETION, GOLD, ITEM, LABEL, NOTE, PREDICTION, SCORED, TAXONOMY,
                           UNIT)
from .taxonomy import parse_taxonomy


@dataclass
class MergeSummary:
    files: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, what: str, n: int) -> None:
        self.counts[what] = self.counts.get(what, 0) + n

    def line(self) -> str:
        order = ["items", "taxonomies", "annotators", "labels", "done", "notes", "gold", "predictions"]
        return "merged " + ", ".join(f"{self.counts.get(k, 0)} {k}" for k in order)


def _rows(conn: Connection, table) -> list:
    return conn.execute(select(table)).all()


def _same_item(a: str, b: str) -> bool:
    return Item.model_validate_json(a) == Item.model_validate_json(b)


def merge_projects(project, others: Iterable[str | Path]) -> MergeSummary:
    """Merge other project files (or URLs) into `project`, all-or-nothing."""
    others = [str(o) for o in others]
    sources = []
    for other in others:
        url = to_url(other)
        if url == project.url:
            raise AnnotatorError(f"{other} is the project itself")
        if "://" not in other and not Path(other).is_file():
            raise InputError(Problem(other, 0, "", "no such project file"))
        db = Database(url)
        try:
            try:
                revision = db.schema_revision()
            except DatabaseError:
                revision = None  # not SQLite at all
            if revision is None:
                raise InputError(Problem(other, 0, "", "not an annotator project"))
            if db.schema_revision() != db.head_revision():
                db.upgrade()
            with db.read() as conn:
                tables = {t.name: _rows(conn, t) for t in (TAXONOMY, ANNOTATOR, ITEM, UNIT, LABEL, NOTE, COMPLETION,
                                                           GOLD, SCORED, PREDICTION)}
        except Exception:
            db.dispose()
            for _, _, opened in sources:
                opened.dispose()
            raise
        sources.append((other, tables, db))  # kept open: image bytes are read only for items copied

    def work(conn: Connection) -> MergeSummary:
        summary = MergeSummary(files=others)
        problems: list[Problem] = []
        for name, tables, db in sources:
            # taxonomies
            have = {r.id: r.definition for r in _rows(conn, TAXONOMY)}
            for r in sorted(tables["taxonomy"], key=lambda r: r.position):
                if r.id not in have:
                    project.taxonomies.add_in(conn, parse_taxonomy(r.definition, f"{name}: taxonomy {r.id}"))
                    summary.add("taxonomies", 1)
            # annotators
            have_ann = {r.name for r in _rows(conn, ANNOTATOR)}
            for r in tables["annotator"]:
                if r.name not in have_ann:
                    conn.execute(insert(ANNOTATOR).values(name=r.name, kind=r.kind, created_at=r.created_at))
                    summary.add("annotators", 1)
            # items
            mine = {r.id: r.data for r in conn.execute(select(ITEM.c.id, ITEM.c.data))}
            new_items = []
            for r in sorted(tables["item"], key=lambda r: r.position):
                if r.id in mine:
                    if mine[r.id] != r.data and not _same_item(mine[r.id], r.data):
                        problems.append(Problem(name, 0, "item", f"item {r.id!r} differs from this project's"))
                else:
                    new_items.append(r)
            if problems:
                continue
            position = ItemStore.next_position(conn)
            new_ids = {r.id for r in new_items}
            with db.read() as oconn:
                for i, r in enumerate(new_items):
                    if r.image_sha:
                        if conn.execute(select(BLOB.c.sha).where(BLOB.c.sha == r.image_sha)).first() is None:
                            data = oconn.execute(select(BLOB.c.data).where(BLOB.c.sha == r.image_sha)).scalar()
                            conn.execute(insert(BLOB).values(sha=r.image_sha, data=data))
                    conn.execute(insert(ITEM).values(id=r.id, position=position + i, kind=r.kind, source=r.source,
                                                     title=r.title, text=r.text, data=r.data, image_sha=r.image_sha))
            units = [dict(item_id=u.item_id, target=u.target, kind=u.kind, position=u.position)
                     for u in tables["unit"] if u.item_id in new_ids]
            if units:
                conn.execute(insert(UNIT), units)
            summary.add("items", len(new_items))
            # labels and completion: a union
            have_labels = set(conn.execute(select(LABEL.c.item_id, LABEL.c.taxonomy, LABEL.c.annotator,
                                                  LABEL.c.target, LABEL.c.label)).all())
            add = [dict(item_id=r.item_id, taxonomy=r.taxonomy, annotator=r.annotator, target=r.target,
                        label=r.label, created_at=r.created_at) for r in tables["label"]
                   if (r.item_id, r.taxonomy, r.annotator, r.target, r.label) not in have_labels]
            if add:
                conn.execute(insert(LABEL), add)
            summary.add("labels", len(add))
            have_done = set(conn.execute(select(COMPLETION.c.item_id, COMPLETION.c.taxonomy,
                                                COMPLETION.c.annotator)).all())
            add = [dict(item_id=r.item_id, taxonomy=r.taxonomy, annotator=r.annotator, done_at=r.done_at)
                   for r in tables["completion"] if (r.item_id, r.taxonomy, r.annotator) not in have_done]
            if add:
                conn.execute(insert(COMPLETION), add)
            summary.add("done", len(add))
            # notes and gold: the newer wins
            summary.add("notes", _newer_wins(conn, NOTE, tables["note"], ("item_id", "taxonomy", "annotator", "target"),
                                             "updated_at"))
            summary.add("gold", _newer_wins(conn, GOLD, tables["gold"], ("item_id", "taxonomy", "target"),
                                            "decided_at"))
            # predictions: items a metric has not scored here
            scored_here = set(conn.execute(select(SCORED.c.item_id, SCORED.c.taxonomy, SCORED.c.metric)).all())
            take = {(r.item_id, r.taxonomy, r.metric) for r in tables["scored"]} - scored_here
            if take:
                conn.execute(insert(SCORED), [dict(item_id=i, taxonomy=t, metric=m) for i, t, m in sorted(take)])
                preds = [dict(item_id=r.item_id, taxonomy=r.taxonomy, metric=r.metric, target=r.target,
                              label=r.label, score=r.score) for r in tables["prediction"]
                         if (r.item_id, r.taxonomy, r.metric) in take]
                if preds:
                    conn.execute(insert(PREDICTION), preds)
                summary.add("predictions", len(preds))
        if problems:
            raise InputError(problems)
        return summary

    try:
        result = project.db.write(work)
    finally:
        for _, _, db in sources:
            db.dispose()
    project.taxonomies._cache = None
    return result


def _newer_wins(conn: Connection, table, rows, key: tuple[str, ...], stamp: str) -> int:
    changed = 0
    for r in rows:
        cond = and_(*(table.c[k] == getattr(r, k) for k in key))
        mine = conn.execute(select(table.c[stamp]).where(cond)).scalar()
        if mine is None or (getattr(r, stamp) or "") > mine:
            conn.execute(delete(table).where(cond))
            conn.execute(insert(table).values(**r._asdict()))
            changed += 1
    return changed
