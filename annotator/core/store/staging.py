"""Staging an import: rows wait in TEMPORARY tables of the importing connection, then go in with one short
write transaction.

Reading, validating and converting a large file takes seconds to minutes. Inside one write transaction that
would hold the project's write lock the whole time, and a teammate's key press or merge would wait past its
patience. A temporary table belongs to one connection and writing it takes no lock on the project (on SQLite it
lives in the connection's own temporary file; on PostgreSQL it is private to the session), so the rows are
inserted there chunk by chunk while others keep working, and the swap at the end is a few INSERT ... SELECT
statements run by the database itself. All or nothing still holds: nobody sees the staged rows, a failed or
killed import leaves them behind in a table that vanishes with its connection, and the swap is one
transaction.

The first import into an empty SQLite project skips the staging of its items (`may_write_directly`).
"""

from __future__ import annotations

import gc
from bisect import bisect_right
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import (Column, Connection, Integer, LargeBinary, MetaData, Table, Text, func, insert, literal,
                        select)

from .database import Database
from .placement import CHUNK
from .tables import BLOB, COMPLETION, ITEM, LABEL, UNIT

_META = MetaData()
TEMP = ["TEMPORARY"]
STAGE_ITEM = Table("import_stage_item", _META,
                   Column("id", Text, primary_key=True), Column("seq", Integer, nullable=False),
                   Column("file", Integer, nullable=False), Column("line", Integer, nullable=False),
                   Column("kind", Text, nullable=False), Column("source", Text, nullable=False),
                   Column("title", Text, nullable=False), Column("text", Text, nullable=False),
                   Column("data", Text, nullable=False), Column("image_sha", Text), prefixes=TEMP)
STAGE_UNIT = Table("import_stage_unit", _META,
                   Column("item_id", Text, nullable=False), Column("target", Text, nullable=False),
                   Column("kind", Text, nullable=False), Column("position", Integer, nullable=False), prefixes=TEMP)
STAGE_BLOB = Table("import_stage_blob", _META,
                   Column("sha", Text, primary_key=True), Column("data", LargeBinary, nullable=False), prefixes=TEMP)
STAGE_LABEL = Table("import_stage_label", _META,
                    Column("item_id", Text, nullable=False), Column("taxonomy", Text, nullable=False),
                    Column("annotator", Text, nullable=False), Column("target", Text, nullable=False),
                    Column("label", Text, nullable=False), Column("created_at", Text, nullable=False), prefixes=TEMP)
ITEM_COLUMNS = ("id", "seq", "file", "line", "kind", "source", "title", "text", "data", "image_sha")
PROJECT_ITEM_COLUMNS = ("id", "position", "kind", "source", "title", "text", "data", "image_sha")
# How much input a direct import (see `may_write_directly`) may read while it holds the write lock: at the
# 40 to 50 MB a second measured for traces on two-core machines, five or six seconds.
DIRECT_IMPORT_MAX_BYTES = 256 * 1024 * 1024


# SQLite pages of the staging tables: a staged trace is a few KB of JSON and as much search text, which on the
# default 4 KB pages spills into chains of overflow pages; on 16 KB pages staging took half the time. Only the
# connection's own temporary database gets them (the project file keeps its page size), and the page cache
# stays the same size in bytes.
TEMP_PAGE_SIZE = 16384


def create(conn: Connection) -> None:
    if conn.dialect.name == "sqlite" and not _temp_pages(conn.connection.dbapi_connection):
        # A pooled connection whose temporary database is open already keeps its page size: this connection
        # is closed at the end of the import anyway, so it is given up now and the next use opens a new one.
        conn.invalidate()
        _temp_pages(conn.connection.dbapi_connection)
    with conn.begin():
        _META.create_all(conn)


def _temp_pages(raw) -> bool:
    """Ask for TEMP_PAGE_SIZE pages in the connection's temporary database; whether it has them (the pragma
    only works before that database is first opened)."""
    raw.execute(f"PRAGMA temp.page_size = {TEMP_PAGE_SIZE}")
    return raw.execute("PRAGMA temp.page_size").fetchone()[0] == TEMP_PAGE_SIZE


def drop(conn: Connection) -> None:
    """Be rid of the staged rows by closing the connection: the TEMPORARY tables go with it, which costs
    nothing, where dropping them made SQLite free every page of them first (a second per 3,000 traces)."""
    conn.invalidate()


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Run the garbage collector less often while rows are built by the hundred thousand.

    Every few hundred new containers (each record's models, each row's tuple) start a collection, and the
    older generations are scanned again and again while nothing is garbage yet: a fifth of a large import's
    time. The thresholds are raised for the import and restored after it; nothing is switched off."""
    before = gc.get_threshold()
    gc.set_threshold(max(before[0], 50_000), *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


def may_write_directly(db: Database, paths: list[Path]) -> bool:
    """Whether an import may skip the staging and write each item once, holding the write lock throughout.

    Staging keeps the lock short so that a teammate's key press never waits on an import; it costs writing
    every item twice (into the staging tables, then into the project). A project with no item yet has no key
    press to keep waiting: nobody can be labelling in it. The files' size bounds how long the lock is held,
    so that any other writer (a second import, a taxonomy being added) waits far less than its patience.
    SQLite only: on PostgreSQL writers do not queue on one lock, and staging costs little next to the round
    trips. The check is repeated inside the write transaction, where no one can add an item any more."""
    if not db.sqlite or sum(p.stat().st_size for p in paths if p.is_file()) > DIRECT_IMPORT_MAX_BYTES:
        return False
    with db.read() as conn:
        return conn.execute(select(ITEM.c.id).limit(1)).first() is None


def seen(conn: Connection, ids: list[str]) -> dict[str, tuple[str, int]]:
    """Where each of these ids already is: ("project", 0) or ("stage", index of the file that staged it)."""
    found: dict[str, tuple[str, int]] = {}
    for i in range(0, len(ids), CHUNK):
        chunk = ids[i:i + CHUNK]
        found.update({r: ("project", 0) for r in conn.execute(select(ITEM.c.id).where(ITEM.c.id.in_(chunk))).scalars()})
        for item_id, file in conn.execute(select(STAGE_ITEM.c.id, STAGE_ITEM.c.file)
                                          .where(STAGE_ITEM.c.id.in_(chunk))):
            found.setdefault(item_id, ("stage", file))
    return found


class WrittenItems:
    """Where a direct import (see `may_write_directly`) put its items, to tell where a repeated id came from.

    The project held no item when the import began, so every item it holds now came from this import, and its
    position says which file brought it: the files are read in order, and each one's items follow the last
    file's. Finding repeats there costs an index lookup per id, where staging the ids cost writing each."""

    def __init__(self, first: int):
        self.first = first  # the position of the import's first item
        self._starts: list[int] = []  # for each file that has begun: its first item's place in the import
        self._files: list[int] = []  # ... and its index

    def file_starts(self, index: int, seq: int) -> None:
        """File `index` writes its items from place `seq` on (called with each of its batches)."""
        if not self._files or self._files[-1] != index:
            self._starts.append(seq)
            self._files.append(index)

    def seen(self, conn: Connection, ids: list[str]) -> dict[str, tuple[str, int]]:
        """As `seen`: ("stage", index of the file that brought it) for each id this import has written."""
        found: dict[str, tuple[str, int]] = {}
        for i in range(0, len(ids), CHUNK):
            rows = conn.execute(select(ITEM.c.id, ITEM.c.position).where(ITEM.c.id.in_(ids[i:i + CHUNK])))
            for item_id, position in rows:
                # a file that wrote nothing starts where the next one does: the last such start is the writer
                found[item_id] = ("stage", self._files[bisect_right(self._starts, position - self.first) - 1])
        return found


def known_blobs(conn: Connection, shas: list[str]) -> set[str]:
    found: set[str] = set()
    for i in range(0, len(shas), CHUNK):
        chunk = shas[i:i + CHUNK]
        found.update(conn.execute(select(BLOB.c.sha).where(BLOB.c.sha.in_(chunk))).scalars())
        found.update(conn.execute(select(STAGE_BLOB.c.sha).where(STAGE_BLOB.c.sha.in_(chunk))).scalars())
    return found


def clashes(conn: Connection) -> list[tuple[int, int, str]]:
    """Staged items whose id the project got meanwhile (another import): (file index, line, id)."""
    return [tuple(r) for r in conn.execute(select(STAGE_ITEM.c.file, STAGE_ITEM.c.line, STAGE_ITEM.c.id)
                                           .join(ITEM, ITEM.c.id == STAGE_ITEM.c.id)
                                           .order_by(STAGE_ITEM.c.seq).limit(100))]


def swap_in(conn: Connection, first_position: int | None, stamp: str) -> int:
    """Inside the write transaction: copy every staged row into the project's tables; returns labels added.
    `first_position` is where the staged items go; None when a direct import wrote its items, units and
    images already."""
    if first_position is not None:
        have = select(BLOB.c.sha)
        conn.execute(insert(BLOB).from_select(["sha", "data"], select(STAGE_BLOB.c.sha, STAGE_BLOB.c.data)
                                              .where(STAGE_BLOB.c.sha.not_in(have))))
        s = STAGE_ITEM.c
        conn.execute(insert(ITEM).from_select(list(PROJECT_ITEM_COLUMNS), select(
            s.id, s.seq + first_position, s.kind, s.source, s.title, s.text, s.data, s.image_sha)))
        # (no ORDER BY: each row carries its position, and sorting would copy every staged text once more)
        conn.execute(insert(UNIT).from_select(["item_id", "target", "kind", "position"], select(STAGE_UNIT)))
    lab = STAGE_LABEL.c
    key = [lab.item_id, lab.taxonomy, lab.annotator, lab.target, lab.label]
    distinct = select(*key, func.min(lab.created_at)).group_by(*key)
    added = conn.execute(select(func.count()).select_from(distinct.subquery())).scalar()  # rowcount varies by driver
    conn.execute(insert(LABEL).from_select(["item_id", "taxonomy", "annotator", "target", "label", "created_at"],
                                           distinct))
    conn.execute(insert(COMPLETION).from_select(
        ["item_id", "taxonomy", "annotator", "done_at"],
        select(lab.item_id, lab.taxonomy, lab.annotator, literal(stamp)).distinct()))
    return max(int(added or 0), 0)


def label_owners(conn: Connection) -> tuple[list[str], list[str]]:
    """The taxonomies and annotators the staged labels name (each must exist before the labels go in)."""
    taxonomies = list(conn.execute(select(STAGE_LABEL.c.taxonomy).distinct()).scalars())
    annotators = list(conn.execute(select(STAGE_LABEL.c.annotator).distinct()).scalars())
    return sorted(taxonomies), sorted(annotators)


def label_owners_of(conn: Connection, ids: list[str]) -> set[tuple[str, str, str]]:
    """(item, taxonomy, annotator) of the labels already staged for these items."""
    lab = STAGE_LABEL.c
    found: set[tuple[str, str, str]] = set()
    for i in range(0, len(ids), CHUNK):
        found |= {tuple(r) for r in conn.execute(select(lab.item_id, lab.taxonomy, lab.annotator).distinct()
                                                 .where(lab.item_id.in_(ids[i:i + CHUNK])))}
    return found
