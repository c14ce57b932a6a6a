"""Opening a project's database: SQLite in WAL mode (or a server URL), migrations, and the write discipline.

Every write is one short transaction. On SQLite a write transaction starts with BEGIN IMMEDIATE, so two
processes on one file queue on the lock instead of deadlocking on an upgrade, and a busy database is waited
for and retried rather than surfacing "database is locked" to the user.
"""

from __future__ import annotations

import random
import time
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Callable, Iterator, TypeVar

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError


T = TypeVar("T")

BUSY_TIMEOUT_MS = 15_000
WRITE_RETRIES = 8


def to_url(path_or_url: str | Path) -> str:
    """A SQLAlchemy URL for a project path (`x.sqlite`) or a URL given as is (`postgresql://...`)."""
    text = str(path_or_url)
    if "://" in text:
        return text
    return f"sqlite:///{Path(text).expanduser().resolve()}"


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _make_engine(url: str) -> Engine:
    if not is_sqlite(url):
        if make_url(url).drivername == "postgresql":
            url = str(make_url(url).set(drivername="postgresql+psycopg"))
        return create_engine(url, pool_pre_ping=True)
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # pragma: no cover - exercised through every test
        dbapi_conn.isolation_level = None  # let SQLAlchemy's begin event issue BEGIN itself
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")  # with WAL: a commit survives a process kill
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection):
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.info.pop("immediate", False) else "BEGIN")

    return engine


def _is_busy(exc: OperationalError) -> bool:
    text = str(exc.orig).lower() if exc.orig is not None else str(exc).lower()
    return "locked" in text or "busy" in text or "could not serialize" in text or "deadlock" in text


class Database:
    """The engine of one project and the only way store modules reach it."""

    def __init__(self, url: str):
        self.url = url
        self.sqlite = is_sqlite(url)
        self.engine = _make_engine(url)

    def dispose(self) -> None:
        self.engine.dispose()

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            with conn.begin():
                yield conn

    def write(self, work: Callable[[Connection], T]) -> T:
        """Run `work` in one write transaction, retrying the whole unit when the database is busy."""
        delay = 0.02
        for attempt in range(WRITE_RETRIES + 1):
            try:
                with self.engine.connect() as conn:
                    if self.sqlite:
                        conn.info["immediate"] = True
                    with conn.begin():
                        return work(conn)
            except OperationalError as exc:
                if not _is_busy(exc) or attempt == WRITE_RETRIES:
                    raise
                time.sleep(delay * (1 + random.random()))
                delay = min(delay * 2, 1.0)
        raise AssertionError("unreachable")

    # --- schema ---------------------------------------------------------------------------------------
    def alembic_config(self) -> Config:
        cfg = Config()
        cfg.set_main_option("script_location", str(resources.files("annotator.core.migrations")))
        cfg.set_main_option("sqlalchemy.url", self.url.replace("%", "%%"))
        return cfg

    def schema_revision(self) -> str | None:
        with self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    def head_revision(self) -> str:
        return ScriptDirectory.from_config(self.alembic_config()).get_current_head() or ""

    def upgrade(self, revision: str = "head") -> None:
        """Bring the schema to `revision` (a new file gets the whole schema through the migrations)."""
        cfg = self.alembic_config()
        with self.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
