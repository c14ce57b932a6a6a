"""Storing on a thread behind the reader (`store/writer_thread.py`) and the many-row INSERTs it relies on
(`bulk_insert` on SQLite)."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import Column, Integer, LargeBinary, MetaData, Table, Text, create_engine, select

from annotator.core.store import database
from annotator.core.store.database import bulk_insert
from annotator.core.store.writer_thread import WriterThread
from backends import write_jsonl

_META = MetaData()
ROWS = Table("rows", _META, Column("n", Integer, primary_key=True), Column("name", Text),
             Column("data", LargeBinary), Column("note", Text))


def test_batches_are_stored_in_order_on_one_other_thread() -> None:
    seen: list[tuple[int, str]] = []
    with WriterThread(lambda batch: seen.append((batch, threading.current_thread().name)), name="w") as writer:
        for batch in range(50):
            writer.put(batch)
    assert [b for b, _ in seen] == list(range(50))
    assert {name for _, name in seen} == {"w"} != {threading.current_thread().name}


def test_an_error_while_storing_reaches_the_caller_and_drops_the_rest() -> None:
    stored: list[int] = []

    def work(batch: int) -> None:
        if batch == 3:
            raise ValueError("disk full")
        stored.append(batch)

    given: list[int] = []
    with pytest.raises(ValueError, match="disk full"):
        with WriterThread(work) as writer:
            for batch in range(1000):
                writer.put(batch)
                given.append(batch)
                time.sleep(0.001)
    assert stored == [0, 1, 2]
    assert len(given) < 1000  # the reader stopped at its next batch, not at the end of its input


def test_an_error_in_the_last_batch_is_raised_at_the_end_of_the_block() -> None:
    def work(batch: int) -> None:
        if batch == 1:
            raise KeyError(batch)

    with pytest.raises(KeyError):
        with WriterThread(work) as writer:
            writer.put(0)
            writer.put(1)


def test_the_callers_error_ends_the_thread_before_the_block_is_left() -> None:
    """A cancelled import rolls its connection back as soon as the block ends: nothing may still be writing."""
    started = threading.Event()
    stored: list[int] = []

    def work(batch: int) -> None:
        started.set()
        time.sleep(0.05)
        stored.append(batch)

    writer = WriterThread(work, depth=1)
    with pytest.raises(RuntimeError, match="cancelled"):
        with writer:
            for batch in range(2):  # the second waits in the queue while the first is stored
                writer.put(batch)
            started.wait()
            raise RuntimeError("cancelled")
    assert not writer._thread.is_alive()
    assert stored == [0]  # the batch being stored finished; the waiting ones were dropped


@pytest.mark.parametrize("max_values", [4, 999, 32_766])
def test_bulk_insert_writes_every_row_once_in_statements_of_many_rows(tmp_path, monkeypatch, max_values) -> None:
    monkeypatch.setattr(database, "_sqlite_max_values", lambda raw: max_values)
    engine = create_engine(f"sqlite:///{tmp_path / 'rows.sqlite'}")
    _META.create_all(engine)
    rows = [(n, None if n % 7 == 0 else f"name {n}, 'quoted'", bytes([n % 256]) * (n % 5), "é" * (n % 3))
            for n in range(25_003)]
    statements: list[int] = []
    with engine.begin() as conn:
        raw = conn.connection.dbapi_connection
        raw.set_trace_callback(lambda sql: statements.append(sql.count("),")) if sql.startswith("INSERT") else None)
        bulk_insert(conn, ROWS, rows, ("n", "name", "data", "note"))
        raw.set_trace_callback(None)
        back = [tuple(r) for r in conn.execute(select(ROWS).order_by(ROWS.c.n))]
    assert back == rows
    per_statement = min(database.SQLITE_ROWS_PER_INSERT, max_values // 4)
    assert len(statements) == -(-len(rows) // per_statement)  # ceiling: every statement full but the last
    assert max(statements) + 1 == per_statement
    engine.dispose()


def test_a_cancelled_direct_import_leaves_an_empty_project_and_no_thread(tmp_project, tmp_path) -> None:
    records = [{"id": f"r{i}", "kind": "rubric", "prompt": "Explain.", "criteria": ["A", "B"]} for i in range(5000)]
    path = write_jsonl(tmp_path / "many.jsonl", records)
    calls = []

    class Stop(Exception):
        """What the app's cancelled task raises is its own; any exception will do."""

    def progress(done: int, total: int) -> None:
        calls.append(done)
        if len(calls) == 3:
            raise Stop

    before = threading.active_count()
    with pytest.raises(Stop):
        tmp_project.import_items([path], progress=progress)
    assert threading.active_count() == before
    assert tmp_project.items.count() == 0 and tmp_project.info()["labels"] == 0
    assert tmp_project.import_items([path]).items == 5000  # and the project takes the file afterwards
