"""Opening a project's database: SQLite in WAL mode or a PostgreSQL server, migrations, and the write discipline.

Every write is one short unit of work, retried whole when it collides with another writer, so two annotators
labelling at once never see an error and never lose or duplicate a label:

- On SQLite a write transaction starts with BEGIN IMMEDIATE, so two processes on one file queue on the lock
  instead of deadlocking on an upgrade, and a busy database is waited for and retried rather than surfacing
  "database is locked" to the user.
- On PostgreSQL a write runs SERIALIZABLE. Two annotators giving the same label at the same moment then end in
  a serialization failure or a unique violation for one of them; that unit of work is rolled back and run
  again, and the second run sees the first one's row. This is the same code path as SQLite's busy retry, so the
  store modules need no dialect-specific SQL (no ON CONFLICT clauses).
"""

from __future__ import annotations

import itertools
import random
import sqlite3
import threading
import time
from contextlib import contextmanager, nullcontext
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator, TypeVar

from sqlalchemy import Connection, Dialect, Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, IntegrityError, OperationalError

from ..errors import AnnotatorError
from .opening import ReadOnlyProject

if TYPE_CHECKING:
    from alembic.config import Config

T = TypeVar("T")

BUSY_TIMEOUT_MS = 15_000
WRITE_PATIENCE_S = 30.0  # how long a write keeps retrying before the error reaches the user
RETRY_FIRST_PAUSE_S = 0.005
RETRY_MAX_PAUSE_S = 0.25
# A unique violation is retried only a few times: a concurrent duplicate resolves on the first retry, while a
# real duplicate (a bug in the caller) should surface quickly rather than after seconds of back-off.
UNIQUE_RETRIES = 3
# PostgreSQL error codes that mean "another transaction got there first; run yours again".
RETRY_SQLSTATES = {"40001", "40P01"}  # serialization_failure, deadlock_detected
UNIQUE_VIOLATION = "23505"
# Any fixed number works: it only has to be the same in every process that migrates a shared database.
MIGRATION_LOCK_KEY = 0x616E6E6F  # "anno"


def to_url(path_or_url: str | Path) -> str:
    """A SQLAlchemy URL for a project path (`x.sqlite`) or a URL given as is (`postgresql://...`).

    `postgres://` (the spelling many hosting services hand out) is accepted as `postgresql://`."""
    text_ = str(path_or_url)
    if "://" in text_:
        if text_.startswith("postgres://"):
            text_ = "postgresql://" + text_.removeprefix("postgres://")
        return text_
    return f"sqlite:///{Path(text_).expanduser().resolve()}"


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def display_url(url: str) -> str:
    """The URL as it may appear in messages and logs: never with its password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def _server_url(url: str) -> URL:
    parsed = make_url(url)
    if parsed.drivername == "postgresql":  # psycopg 3 is the driver we install; psycopg2 stays usable by name
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def _make_server_engine(url: str) -> Engine:
    try:
        # Reads see one snapshot for their whole transaction, as SQLite's do; writes ask for SERIALIZABLE.
        return create_engine(_server_url(url), pool_pre_ping=True, isolation_level="REPEATABLE READ",
                             hide_parameters=True)
    except ModuleNotFoundError as exc:
        raise AnnotatorError(
            f"a {make_url(url).get_backend_name()} project needs its database driver ({exc.name} is not "
            "installed); for PostgreSQL: pip install 'psycopg[binary]'") from None
    except ArgumentError as exc:
        raise AnnotatorError(f"{display_url(url)} is not a database URL this app can open: {exc}") from None


def _make_sqlite_engine(url: str, read_only_uri: str | None = None) -> Engine:
    """`read_only_uri` (a `file:...?mode=ro` URI) opens the file read-only and leaves its journal mode alone.
    Parameters stay out of error texts: a failed batch insert would print a thousand rows of the user's data."""
    options: dict = {"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False}
    if read_only_uri:
        import sqlite3

        engine = create_engine(url, hide_parameters=True,
                               creator=lambda: sqlite3.connect(read_only_uri, uri=True, **options))
    else:
        engine = create_engine(url, hide_parameters=True, connect_args=options)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # pragma: no cover - exercised through every test
        dbapi_conn.isolation_level = None  # let SQLAlchemy's begin event issue BEGIN itself
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")  # first, so the pragmas below wait too
        if not read_only_uri:
            cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")  # with WAL: a commit survives a process kill
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection):
        # straight to the driver: a statement run through SQLAlchemy here cost more than the rest of a key press
        conn.connection.dbapi_connection.execute("BEGIN IMMEDIATE" if conn.info.pop("immediate", False) else "BEGIN")

    return engine


def _sqlstate(exc: DBAPIError) -> str | None:
    orig = exc.orig
    return getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)


def _is_busy(exc: DBAPIError) -> bool:
    """True when the error means another writer held the database: worth running the unit of work again."""
    if _sqlstate(exc) in RETRY_SQLSTATES:
        return True
    text_ = str(exc.orig).lower() if exc.orig is not None else str(exc).lower()
    return "locked" in text_ or "busy" in text_ or "could not serialize" in text_ or "deadlock" in text_


class Database:
    """The engine of one project and the only way store modules reach it."""

    def __init__(self, url: str, read_only: bool = False, read_only_uri: str | None = None):
        self.url = url
        self.read_only = read_only or read_only_uri is not None
        self.sqlite = is_sqlite(url)
        # On SQLite the writes a person waits on run on one driver connection kept for them (`write_on_driver`)
        self._driver = None
        self._driver_lock = threading.Lock()
        if self.sqlite:
            self.engine = _make_sqlite_engine(url, read_only_uri)
        else:
            self.engine = _make_server_engine(url)
            self._check_server()

    def _check_server(self) -> None:
        """Fail at open with the server's own words, not later with a message about SQLite files."""
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except DBAPIError as exc:
            self.engine.dispose()
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else str(exc)
            raise AnnotatorError(f"cannot open the database {display_url(self.url)}: {reason}") from None

    def dispose(self) -> None:
        with self._driver_lock:
            if self._driver is not None:
                self._driver.close()
                self._driver = None
        self.engine.dispose()

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            with conn.begin():
                yield conn

    @contextmanager
    def _write_transaction(self, pinned: Connection | None = None) -> Iterator[Connection]:
        with (nullcontext(pinned) if pinned is not None else self.engine.connect()) as conn:
            if self.sqlite:
                conn.info["immediate"] = True
            else:
                conn = conn.execution_options(isolation_level="SERIALIZABLE")
            with conn.begin():
                yield conn

    @contextmanager
    def pinned(self) -> Iterator[Connection]:
        """One connection kept for a long job whose TEMPORARY tables must outlive its transactions (an import
        stages its rows in them); pass it to `write` for the job's final transaction."""
        with self.engine.connect() as conn:
            yield conn

    def write(self, work: Callable[[Connection], T], pinned: Connection | None = None) -> T:
        """Run `work` in one write transaction, running the whole unit again when another writer got in the way.

        Retries go on for up to WRITE_PATIENCE_S seconds (many annotators starting at once on a near-empty
        PostgreSQL database can collide several times in a row), with a short, jittered, growing pause between
        them. `work` may therefore run more than once: it must do nothing outside the connection it is given
        that would be wrong to repeat."""

        def once() -> T:
            with self._write_transaction(pinned) as conn:
                return work(conn)

        return self._retrying(once)

    def write_on_driver(self, work: Callable[["DriverWrite"], T]) -> T:
        """`write` for the few writes a person waits on (a label key press, its undo): `work` runs
        `DriverStatement`s with plain values, with the same retries.

        On SQLite the transaction is BEGIN IMMEDIATE, the statements and COMMIT on one driver connection this
        database keeps open for such writes: taking a connection from SQLAlchemy's pool, its begin and its
        commit cost several times what SQLite needs for the statements themselves. On a server the pool's
        connection and SERIALIZABLE transaction of `write` are kept (there the round trips dominate)."""
        if not self.sqlite:
            return self.write(lambda conn: work(DriverWrite(conn.connection, conn.dialect)))
        return self._retrying(lambda: self._on_driver(work))

    def _on_driver(self, work: Callable[["DriverWrite"], T]) -> T:
        # The lock keeps two threads (the app's UI and a background task) out of one connection's transaction;
        # SQLite would serialise their writes anyway.
        with self._driver_lock:
            if self._driver is None:
                self._driver = self.engine.raw_connection()  # from the pool: the connect event set its pragmas
            raw: sqlite3.Connection = self._driver.driver_connection
            raw.execute("BEGIN IMMEDIATE")
            try:
                result = work(DriverWrite(raw, self.engine.dialect))
                raw.execute("COMMIT")
            except BaseException:
                if raw.in_transaction:
                    raw.execute("ROLLBACK")
                raise
            return result

    def _retrying(self, once: Callable[[], T]) -> T:
        """Run one unit of work until it is not stopped by another writer (see `write`)."""
        self._check_writable()
        give_up = time.monotonic() + WRITE_PATIENCE_S
        unique_clashes = 0
        attempt = 0
        while True:
            try:
                return once()
            except IntegrityError as exc:
                # On SQLite writers are serialised, so a unique violation is never a race: report it at once.
                if self.sqlite or _sqlstate(exc) != UNIQUE_VIOLATION:
                    raise
                unique_clashes += 1
                if unique_clashes > UNIQUE_RETRIES:
                    raise
            except OperationalError as exc:
                if not _is_busy(exc) or time.monotonic() > give_up:
                    raise
            except DBAPIError as exc:  # drivers file serialization failures under several classes
                if self.sqlite or _sqlstate(exc) not in RETRY_SQLSTATES or time.monotonic() > give_up:
                    raise
            except Exception as exc:
                # Statements run on the driver's own cursor (a key press, bulk inserts) raise the driver's
                # errors unwrapped: the same conflicts, so the same retries.
                state = getattr(exc, "sqlstate", None)
                if self.sqlite:
                    busy = isinstance(exc, sqlite3.OperationalError) and any(
                        word in str(exc).lower() for word in ("locked", "busy"))
                    if not busy or time.monotonic() > give_up:
                        raise
                elif state == UNIQUE_VIOLATION:
                    unique_clashes += 1
                    if unique_clashes > UNIQUE_RETRIES:
                        raise
                elif state not in RETRY_SQLSTATES or time.monotonic() > give_up:
                    raise
            attempt += 1
            time.sleep(min(RETRY_FIRST_PAUSE_S * 2 ** attempt, RETRY_MAX_PAUSE_S) * (0.5 + random.random()))

    def _check_writable(self) -> None:
        if self.read_only:
            where = self.url.removeprefix("sqlite:///") if self.sqlite else display_url(self.url)
            raise ReadOnlyProject(f"{where} is open read-only (its file cannot be written, or it was opened to "
                                  "read): nothing can be saved to it")

    # --- schema ---------------------------------------------------------------------------------------
    def alembic_config(self) -> Config:
        from alembic.config import Config

        cfg = Config()
        cfg.set_main_option("script_location", str(resources.files("annotator.core.migrations")))
        cfg.set_main_option("sqlalchemy.url", self.url.replace("%", "%%"))
        return cfg

    def schema_revision(self) -> str | None:
        from alembic.runtime.migration import MigrationContext

        with self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    def head_revision(self) -> str:
        from alembic.script import ScriptDirectory

        return ScriptDirectory.from_config(self.alembic_config()).get_current_head() or ""

    def upgrade(self, revision: str = "head") -> None:
        """Bring the schema to `revision` (a new database gets the whole schema through the migrations).

        Two annotators opening a new shared project at the same moment must not both create its tables: the
        migration holds the write lock (SQLite) or an advisory lock (PostgreSQL), and Alembic, reading the
        revision under that lock, finds the second one has nothing left to do."""
        from alembic import command

        cfg = self.alembic_config()
        with self.engine.connect() as conn:
            if self.sqlite:
                conn.info["immediate"] = True
            else:
                # each statement must see what the lock holder before us committed, so no single snapshot
                conn = conn.execution_options(isolation_level="READ COMMITTED")
            with conn.begin():
                if conn.dialect.name == "postgresql":
                    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, revision)


# Rows per INSERT on SQLite, fewer when a statement would hold more values than this SQLite takes (32,766 since
# SQLite 3.32, 999 before; Python 3.10 cannot ask, and gets the old bound)
SQLITE_ROWS_PER_INSERT = 10_000
SQLITE_OLD_MAX_VALUES = 999


def _sqlite_max_values(raw: sqlite3.Connection) -> int:
    getlimit = getattr(raw, "getlimit", None)
    return getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) if getlimit is not None else SQLITE_OLD_MAX_VALUES


def bulk_insert(conn: Connection, table, rows: list, columns: tuple[str, ...] | None = None) -> None:
    """Insert many rows with the driver's own statements, not SQLAlchemy's executemany.

    SQLAlchemy's executemany builds and type-processes parameters row by row, which was a quarter of an
    import's storing time; for plain string, number and bytes columns the driver needs none of that. The
    statement is compiled once for this dialect and fed tuples (or dicts, for named paramstyles). Rows are
    dicts, or tuples in the order of `columns` (the cheapest to build for a big import).

    On SQLite the rows go in as INSERTs of up to 10,000 rows each (`VALUES (...), (...)`), which cost SQLite
    what executemany does but give Python's interpreter lock back once per statement instead of once per row:
    an import writing on one thread while reading on another (`store/writer_thread.py`) then runs both at
    once, where executemany made the two threads take turns row by row."""
    if not rows:
        return
    if columns is None:
        columns = tuple(rows[0])
        rows = [tuple(row[c] for c in columns) for row in rows]
    compiled = table.insert().compile(dialect=conn.dialect, column_keys=list(columns))
    if not compiled.positional:
        conn.exec_driver_sql(str(compiled), [dict(zip(columns, row)) for row in rows])
        return
    order = tuple(compiled.positiontup or columns)
    if order != columns:
        where = [columns.index(c) for c in order]
        rows = [tuple(row[i] for i in where) for row in rows]
    if conn.dialect.name != "sqlite":
        conn.exec_driver_sql(str(compiled), rows)
        return
    head, _, one_row = str(compiled).rpartition(" VALUES ")
    raw = conn.connection.dbapi_connection
    step = max(1, min(SQLITE_ROWS_PER_INSERT, _sqlite_max_values(raw) // len(order)))
    cursor = raw.cursor()
    try:
        for start in range(0, len(rows), step):
            chunk = rows[start:start + step]
            cursor.execute(f"{head} VALUES {', '.join([one_row] * len(chunk))}",
                           [value for row in chunk for value in row])
    finally:
        cursor.close()


class DriverStatement:
    """A statement compiled once per dialect and run straight on the driver's cursor with plain values.

    For the few statements a person waits on (a label key press), building, compiling and type-processing a
    SQLAlchemy statement cost many times what SQLite needs to run it. Parameters are named with `bindparam`;
    rows come back as the driver's tuples."""

    def __init__(self, statement):
        self._statement = statement
        self._compiled: dict[str, tuple[str, tuple[str, ...] | None]] = {}

    def compiled(self, dialect: Dialect) -> tuple[str, tuple[str, ...] | None]:
        """The SQL text for `dialect` and, for positional paramstyles, the order of the parameters' names."""
        found = self._compiled.get(dialect.name)
        if found is None:
            compiled = self._statement.compile(dialect=dialect)
            found = (str(compiled), tuple(compiled.positiontup or ()) if compiled.positional else None)
            self._compiled[dialect.name] = found
        return found

    def run(self, conn: Connection, **params) -> list[tuple]:
        """Run in a SQLAlchemy connection's transaction."""
        return DriverWrite(conn.connection, conn.dialect).run(self, **params)


class DriverWrite:
    """The driver's connection inside one write transaction of `Database.write_on_driver`."""

    def __init__(self, connection, dialect: Dialect):
        self._connection = connection
        self.dialect = dialect

    def run(self, statement: DriverStatement, **params) -> list[tuple]:
        sql, order = statement.compiled(self.dialect)
        cursor = self._connection.cursor()
        try:
            cursor.execute(sql, tuple(params[name] for name in order) if order is not None else params)
            return cursor.fetchall() if cursor.description else []
        finally:
            cursor.close()


_CURSOR_NUMBERS = itertools.count()  # a server-side cursor needs a name no other open cursor has


def iter_plain(conn: Connection, query, batch: int = 10_000) -> Iterator[list[tuple]]:
    """The query's rows as the driver returns them, in the connection's own transaction, in batches, so a
    caller can pass them on without holding them all. For text columns SQLAlchemy's result rows add nothing but
    a Python object per row, and making (then unpacking) a million of them was a fifth of a large export.

    On PostgreSQL the rows come through a server-side cursor: a plain one would bring the whole result into
    memory at the first fetch. The planner is told that every row will be read: for a cursor it otherwise
    picks the plan that starts soonest, which on tables without statistics can be one of index probes that
    reads thousands of rows for each it returns."""
    compiled = query.compile(dialect=conn.dialect)
    params = compiled.construct_params()
    if compiled.positional:
        params = tuple(params[name] for name in compiled.positiontup)
    server_side = conn.dialect.name == "postgresql"
    cursor = (conn.connection.cursor(name=f"annotator_rows_{next(_CURSOR_NUMBERS)}") if server_side
              else conn.connection.cursor())
    try:
        if server_side:
            cursor.itersize = batch
            cursor.connection.execute("SET LOCAL cursor_tuple_fraction = 1.0")
        cursor.execute(str(compiled), params)
        while rows := cursor.fetchmany(batch):
            yield rows
    finally:
        cursor.close()
