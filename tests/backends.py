"""Run store tests on every backend a project can live on: a SQLite file and a PostgreSQL database.

Import the fixture into a test module (`from backends import store_backend`) and take `store_backend` as an
argument: it is the location of a new, empty project (a file path or a database URL), once per backend.

PostgreSQL needs a server: set ANNOTATOR_TEST_POSTGRES_URL to a database on it whose user may create databases
(`.ci/run` starts a throwaway cluster and sets it). Each test gets a database of its own, dropped afterwards.
Without the variable the PostgreSQL cases are skipped on a workstation, and fail under CI (when `CI` is set),
so a CI machine that lost its server cannot pass by skipping.

The module also holds the workers that concurrency tests start in other processes (and `worker_context`, how
they start): they live in an importable module because a new process must import the function it runs.
"""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
import traceback
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest

POSTGRES_ENV = "ANNOTATOR_TEST_POSTGRES_URL"
BACKENDS = ["sqlite", "postgresql"]


def postgres_url() -> str | None:
    """The test server's URL, or None when none is configured (a failure under CI)."""
    url = os.environ.get(POSTGRES_ENV, "").strip()
    if url:
        return url
    if os.environ.get("CI"):
        pytest.fail(f"CI is set but {POSTGRES_ENV} is not: the PostgreSQL tests must run under CI, not skip")
    pytest.skip(f"set {POSTGRES_ENV} to a PostgreSQL database to run the PostgreSQL cases")
    return None


def _admin(url: str):
    """A psycopg connection in autocommit, for CREATE/DROP DATABASE (which refuse to run in a transaction)."""
    import psycopg
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    return psycopg.connect(host=parsed.host, port=parsed.port, user=parsed.username, password=parsed.password,
                           dbname=parsed.database, autocommit=True)


@contextmanager
def fresh_postgres_database(template: str | None = None) -> Iterator[str]:
    """A new, empty PostgreSQL database, dropped (even with clients still on it) on leaving. With `template`
    (the name of a database nobody is connected to), a copy of that database instead."""
    from sqlalchemy.engine import make_url

    base = postgres_url()
    name = f"annotator_test_{uuid.uuid4().hex[:12]}"
    with _admin(base) as admin:
        admin.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        with _admin(base) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def postgres_database() -> Iterator[str]:
    """A PostgreSQL database of the test's own (for tests about PostgreSQL alone)."""
    with fresh_postgres_database() as url:
        yield url


@pytest.fixture(params=BACKENDS)
def store_backend(request, tmp_path) -> Iterator[str]:
    """Where to create a project: a path to a new SQLite file, or the URL of a new PostgreSQL database."""
    if request.param == "sqlite":
        yield str(tmp_path / "project.sqlite")
        return
    with fresh_postgres_database() as url:
        yield url


# --- a labelling worker for other processes ----------------------------------------------------------------
# What a fork server imports before it forks each worker (a module it cannot import is left out).
WORKER_PRELOAD = ["backends", "annotator.core.store.project", "sqlalchemy.dialects.sqlite", "alembic.command",
                  "alembic.runtime.migration", "alembic.script"]


def worker_context():
    """The multiprocessing context the concurrency tests start their workers in: a fork server where the
    platform has one, else spawn.

    Each worker is still a process of its own that opens the project itself; only the start differs. Spawned,
    every worker was a fresh interpreter importing the app (about half a second of CPU each, over a dozen per
    run); the fork server imports it once and forks each worker from that clean, single-threaded process, which
    holds no connection and no open project."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(WORKER_PRELOAD)  # takes effect when the server starts (the first worker)
    return ctx


def open_new_worker(location: str, results) -> None:
    """Open (creating it if need be) the project at `location`; report its revision and taxonomies or the error."""
    from annotator.core import Project

    try:
        with Project.open(location, create=True) as project:
            results.put(("ok", project.schema_revision, sorted(project.taxonomies.ids())))
    except Exception as exc:  # noqa: BLE001 - the test reports it
        results.put(("error", repr(exc), []))


START_PATIENCE_S = 600  # how long a worker waits for the others to be ready: a guard against a hang only


def start_together(start) -> None:
    """Wait at the `start` barrier (a multiprocessing Barrier shared by every worker of a test), so that all
    begin at once as soon as the last one has imported the app and opened the project: no guessed delay that
    a slow machine could overrun, and none to sit out on a fast one."""
    start.wait(timeout=START_PATIENCE_S)


def label_worker(location: str, annotator: str, actions: list[tuple[str, str, str, str, str]],
                 results, start) -> None:
    """Give each (kind, item, taxonomy, target, label) action in order, as fast as possible; report any error.

    `kind` is "add" or "done". Every worker waits at the `start` barrier so that they all start together."""
    from annotator.core import Project

    errors: list[str] = []
    saved = 0
    try:
        with Project.open(location) as project:
            start_together(start)
            for kind, item_id, taxonomy, target, label in actions:
                try:
                    if kind == "add":
                        project.labels.add(item_id, taxonomy, annotator, target, label)
                    else:
                        project.completion.set_done(item_id, taxonomy, annotator)
                    saved += 1
                except Exception:  # noqa: BLE001 - every failure is the test's finding
                    errors.append(traceback.format_exc(limit=3))
    except Exception:  # noqa: BLE001
        start.abort()  # the others stop waiting for this one
        errors.append(traceback.format_exc(limit=3))
    results.put((annotator, saved, errors))


def read_worker(location: str, stop, results) -> None:
    """Read what the project holds in a loop until told to stop; report how many reads and any error."""
    from annotator.core import Project

    errors: list[str] = []
    reads = 0
    try:
        with Project.open(location) as project:
            while not stop.is_set():
                try:
                    project.info()
                    project.label_data("rift")
                    reads += 1
                except Exception:  # noqa: BLE001
                    errors.append(traceback.format_exc(limit=3))
    except Exception:  # noqa: BLE001
        errors.append(traceback.format_exc(limit=3))
    results.put(("reader", reads, errors))


def rubric_records(count: int, criteria: int = 5) -> list[dict]:
    """Small rubric items for tests that need many units, with ids r0001... and criteria c1..cN."""
    return [{"id": f"r{i:04d}", "kind": "rubric", "source": "generated",
             "prompt": f"Task number {i}: explain one idea in plain words.",
             "criteria": [{"id": f"c{j}", "text": f"Point {j} of task {i} is covered"} for j in range(1, criteria + 1)]}
            for i in range(count)]


def write_jsonl(path: Path, records: list[dict]) -> Path:
    import json

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def bulk_worker(location: str, kind: str, path: str, results, start) -> None:
    """Run one long writer ("merge" another project file, or "labels" import a CSV) once every worker is at
    the `start` barrier; report its summary line or its error, as the command line would show it."""
    from annotator.core import Project

    errors: list[str] = []
    line = ""
    try:
        with Project.open(location) as project:
            start_together(start)
            if kind == "merge":
                from annotator.core.merge import merge_projects

                line = merge_projects(project, [path]).line()
            else:
                from annotator.core.labels_csv import import_labels_csv

                line = import_labels_csv(project, [path]).line()
    except Exception:  # noqa: BLE001 - every failure is the test's finding
        start.abort()  # the others stop waiting for this one
        errors.append(traceback.format_exc(limit=5))
    results.put((kind, line, errors))


def lock_is_free(path: Path) -> bool:
    """Whether another connection could take the project file's write lock at once, without waiting at all."""
    conn = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError as exc:
        assert "locked" in str(exc)
        return False
    finally:
        conn.close()
