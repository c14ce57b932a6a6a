"""Items in the store: bulk insert for imports, and paged, filtered reads for lazy lists."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Iterable, Iterator

from sqlalchemy import Connection, and_, exists, func, insert, select

from ..errors import NotFound
from ..model import Item
from .database import Database, bulk_insert
from .staged_rows import search_text, stored_json, unit_targets
from .tables import BLOB, COMPLETION, ITEM, UNIT


@dataclass(frozen=True)
class ItemFilter:
    """What the item list shows: by kind, source, the annotator's status in a taxonomy, and a search text."""

    kind: str | None = None
    source: str | None = None
    status: str | None = None  # "done" | "todo" | None (needs annotator and taxonomy)
    annotator: str | None = None
    taxonomy: str | None = None
    search: str = ""


@dataclass(frozen=True)
class ItemSummary:
    """One row of the item list: cheap to fetch, no item JSON parsed."""

    id: str
    kind: str
    source: str
    title: str
    position: int
    done: bool


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def item_row(item: Item, position: int, image_sha: str | None) -> dict:
    return {
        "id": item.id,
        "position": position,
        "kind": item.kind,
        "source": item.source,
        "title": item.title,
        "text": search_text(item),
        "data": stored_json(item),
        "image_sha": image_sha,
    }


UNIT_COLUMNS = ("item_id", "target", "kind", "position")


def unit_rows(item: Item) -> list[dict]:
    return [{"item_id": item.id, "target": target, "kind": kind, "position": position}
            for target, kind, position in unit_targets(item)]


class ItemStore:
    def __init__(self, db: Database):
        self._db = db

    # --- writes (called inside a caller's transaction) -------------------------------------------------
    @staticmethod
    def next_position(conn: Connection) -> int:
        return (conn.execute(select(func.max(ITEM.c.position))).scalar() or 0) + 1

    @staticmethod
    def existing_ids(conn: Connection, ids: Iterable[str]) -> set[str]:
        ids = list(ids)
        found: set[str] = set()
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            found.update(conn.execute(select(ITEM.c.id).where(ITEM.c.id.in_(chunk))).scalars())
        return found

    @staticmethod
    def positions_of(conn: Connection, ids: list[str]) -> dict[str, int]:
        """The list position of each of these ids that the project holds."""
        found: dict[str, int] = {}
        for i in range(0, len(ids), 500):
            rows = conn.execute(select(ITEM.c.id, ITEM.c.position).where(ITEM.c.id.in_(ids[i:i + 500])))
            found.update({item_id: pos for item_id, pos in rows})
        return found

    @staticmethod
    def insert_batch(conn: Connection, items: list[Item], first_position: int,
                     images: dict[str, tuple[str, bytes]] | None = None) -> None:
        """Insert items and their units; `images` maps an item id to its (sha, bytes)."""
        images = images or {}
        blobs = {sha: data for sha, data in images.values()}
        if blobs:
            have = set(conn.execute(select(BLOB.c.sha).where(BLOB.c.sha.in_(list(blobs)))).scalars())
            new = [{"sha": s, "data": d} for s, d in blobs.items() if s not in have]
            if new:
                conn.execute(insert(BLOB), new)
        rows = [item_row(it, first_position + i, images.get(it.id, (None,))[0]) for i, it in enumerate(items)]
        if rows:
            bulk_insert(conn, ITEM, rows)
        units = [u for it in items for u in unit_rows(it)]
        if units:
            bulk_insert(conn, UNIT, units)

    # --- reads -------------------------------------------------------------------------------------------
    def get(self, item_id: str) -> Item:
        with self._db.read() as conn:
            data = conn.execute(select(ITEM.c.data).where(ITEM.c.id == item_id)).scalar()
        if data is None:
            raise NotFound(f"no item {item_id!r} in the project")
        return Item.model_validate_json(data)

    def exists(self, item_id: str) -> bool:
        with self._db.read() as conn:
            return conn.execute(select(ITEM.c.id).where(ITEM.c.id == item_id)).first() is not None

    def image_bytes(self, item_id: str) -> bytes | None:
        with self._db.read() as conn:
            return conn.execute(
                select(BLOB.c.data).join(ITEM, ITEM.c.image_sha == BLOB.c.sha).where(ITEM.c.id == item_id)
            ).scalar()

    def where_clause(self, f: ItemFilter):
        """The SQL condition of a list filter (None when it lets everything through), for queries that must
        keep to the items the list shows."""
        return self._where(f)

    def _where(self, f: ItemFilter):
        conds = []
        if f.kind:
            conds.append(ITEM.c.kind == f.kind)
        if f.source:
            conds.append(ITEM.c.source == f.source)
        if f.search:
            like = "%" + _escape_like(f.search.lower()) + "%"
            conds.append(ITEM.c.text.like(like, escape="\\"))
        if f.status in ("done", "todo") and f.annotator and f.taxonomy:
            done = exists().where(and_(COMPLETION.c.item_id == ITEM.c.id, COMPLETION.c.annotator == f.annotator,
                                       COMPLETION.c.taxonomy == f.taxonomy))
            conds.append(done if f.status == "done" else ~done)
        return and_(*conds) if conds else None

    def count(self, f: ItemFilter = ItemFilter()) -> int:
        q = select(func.count()).select_from(ITEM)
        where = self._where(f)
        if where is not None:
            q = q.where(where)
        with self._db.read() as conn:
            return int(conn.execute(q).scalar() or 0)

    def page(self, f: ItemFilter = ItemFilter(), offset: int = 0, limit: int = 200) -> list[ItemSummary]:
        """A window of the filtered list in import order: what a lazy list model fetches."""
        if f.annotator and f.taxonomy:
            done_col = exists().where(and_(COMPLETION.c.item_id == ITEM.c.id, COMPLETION.c.annotator == f.annotator,
                                           COMPLETION.c.taxonomy == f.taxonomy))
        else:
            done_col = exists().where(COMPLETION.c.item_id == ITEM.c.id)
        q = select(ITEM.c.id, ITEM.c.kind, ITEM.c.source, ITEM.c.title, ITEM.c.position, done_col.label("done"))
        where = self._where(f)
        if where is not None:
            q = q.where(where)
        q = q.order_by(ITEM.c.position).offset(offset).limit(limit)
        with self._db.read() as conn:
            return [ItemSummary(r.id, r.kind, r.source, r.title, r.position, bool(r.done)) for r in conn.execute(q)]

    def index_of(self, item_id: str, f: ItemFilter = ItemFilter()) -> int | None:
        """The row of an item in the filtered list, or None when the filter hides it."""
        with self._db.read() as conn:
            pos = conn.execute(select(ITEM.c.position).where(ITEM.c.id == item_id)).scalar()
            if pos is None:
                return None
            q = select(func.count()).select_from(ITEM).where(ITEM.c.position < pos)
            where = self._where(f)
            if where is not None:
                q = q.where(where)
                if conn.execute(select(ITEM.c.id).where(and_(ITEM.c.id == item_id, where))).first() is None:
                    return None
            return int(conn.execute(q).scalar() or 0)

    def ids(self, kinds: list[str] | None = None) -> list[str]:
        """Every item id (of these kinds) in list order: ids only, small even for a big project."""
        q = select(ITEM.c.id).order_by(ITEM.c.position)
        if kinds is not None:
            q = q.where(ITEM.c.kind.in_(kinds))
        with self._db.read() as conn:
            return list(conn.execute(q).scalars())

    def sources(self) -> list[str]:
        with self._db.read() as conn:
            return list(conn.execute(select(ITEM.c.source).distinct().order_by(ITEM.c.source)).scalars())

    def counts_by_kind(self) -> dict[str, int]:
        with self._db.read() as conn:
            rows = conn.execute(select(ITEM.c.kind, func.count()).group_by(ITEM.c.kind))
            return {k: int(n) for k, n in rows}

    def iter_all(self, batch: int = 1000) -> Iterator[Item]:
        """Every item in list order, a batch at a time (exports of big projects stay small in memory)."""
        last = -1
        while True:
            with self._db.read() as conn:
                rows = conn.execute(
                    select(ITEM.c.position, ITEM.c.data).where(ITEM.c.position > last)
                    .order_by(ITEM.c.position).limit(batch)
                ).all()
            if not rows:
                return
            for pos, data in rows:
                yield Item.model_validate_json(data)
            last = rows[-1][0]

    def iter_with_images(self, batch: int = 500) -> Iterator[tuple[Item, bytes | None]]:
        """Every item with its image bytes (for exports and merges)."""
        last = -1
        while True:
            with self._db.read() as conn:
                rows = conn.execute(
                    select(ITEM.c.position, ITEM.c.data, BLOB.c.data.label("image"))
                    .select_from(ITEM.outerjoin(BLOB, ITEM.c.image_sha == BLOB.c.sha))
                    .where(ITEM.c.position > last).order_by(ITEM.c.position).limit(batch)
                ).all()
            if not rows:
                return
            for pos, data, image in rows:
                yield Item.model_validate_json(data), image
            last = rows[-1][0]

    def batches_with_images(self, item_ids: list[str], batch: int = 200
                            ) -> Iterator[list[tuple[Item, tuple[str, bytes] | None]]]:
        """The named items in list order with their images as (sha, bytes), a batch at a time (for packs)."""
        wanted = sorted(self.positions_of_ids(item_ids).items(), key=lambda kv: kv[1])
        ids = [item_id for item_id, _ in wanted]
        for start in range(0, len(ids), batch):
            chunk = ids[start:start + batch]
            with self._db.read() as conn:
                rows = conn.execute(
                    select(ITEM.c.data, ITEM.c.image_sha, BLOB.c.data.label("image"))
                    .select_from(ITEM.outerjoin(BLOB, ITEM.c.image_sha == BLOB.c.sha))
                    .where(ITEM.c.id.in_(chunk)).order_by(ITEM.c.position)).all()
            yield [(Item.model_validate_json(data), (sha, image) if sha and image is not None else None)
                   for data, sha, image in rows]

    def positions_of_ids(self, item_ids: list[str]) -> dict[str, int]:
        with self._db.read() as conn:
            return self.positions_of(conn, list(item_ids))

    def add_batch(self, batch: list[tuple[Item, tuple[str, bytes] | None]]) -> None:
        """Append items (with their images) at the end of the list, in one transaction."""
        def work(conn: Connection) -> None:
            images = {item.id: image for item, image in batch if image is not None}
            self.insert_batch(conn, [item for item, _ in batch], self.next_position(conn), images)

        self._db.write(work)

    def unit_targets(self, item_id: str) -> list[str]:
        with self._db.read() as conn:
            return list(conn.execute(
                select(UNIT.c.target).where(UNIT.c.item_id == item_id).order_by(UNIT.c.position)).scalars())


def json_dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
