"""The database engine and session factory: SQLite (embedded default) or PostgreSQL."""

from __future__ import annotations

import re
import time
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, exc
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import StaticPool

#: How long SQLite waits for a lock held by another connection before giving up.
SQLITE_BUSY_TIMEOUT_MS = 5000
#: A PostgreSQL connection back in the pool for less than this is not pinged before reuse.
PING_AFTER_IDLE_S = 10.0

_ASYNC_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "postgres": "postgresql+psycopg",
    "postgresql": "postgresql+psycopg",
}
_SYNC_DRIVERS = {
    "sqlite": "sqlite",
    "sqlite+aiosqlite": "sqlite",
    "sqlite+pysqlite": "sqlite",
    "postgres": "postgresql+psycopg",
    "postgresql": "postgresql+psycopg",
    "postgresql+psycopg": "postgresql+psycopg",
    "postgresql+psycopg_async": "postgresql+psycopg",
}


def _parse(url: str) -> URL:
    # SQLAlchemy does not know the "postgres" scheme some hosting platforms hand out.
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    return make_url(url)


def async_url(url: str) -> URL:
    """The URL with an asyncio driver: ``sqlite+aiosqlite`` or ``postgresql+psycopg``."""
    parsed = _parse(url)
    driver = _ASYNC_DRIVERS.get(parsed.drivername)
    return parsed.set(drivername=driver) if driver else parsed


def sync_url(url: str) -> URL:
    """The URL with a synchronous driver, for Alembic (psycopg 3 does both sync and async)."""
    parsed = _parse(url)
    driver = _SYNC_DRIVERS.get(parsed.drivername)
    return parsed.set(drivername=driver) if driver else parsed


def is_sqlite(url: str | URL) -> bool:
    parsed = url if isinstance(url, URL) else _parse(url)
    return parsed.get_backend_name() == "sqlite"


def _sqlite_file(url: URL) -> Path | None:
    database = url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def ensure_sqlite_folder(url: URL) -> None:
    """Create the folder of a SQLite file (``./data/`` by default) if it is missing."""
    path = _sqlite_file(url)
    if path is not None:
        path.expanduser().parent.mkdir(parents=True, exist_ok=True)


def install_sqlite_pragmas(engine: Engine, *, foreign_keys: bool = True) -> None:
    """WAL, a busy timeout and (normally) foreign keys on every new SQLite connection.

    Alembic turns foreign keys off: batch mode recreates tables, and dropping the old copy of a
    parent table with foreign keys on would cascade-delete the children.
    """
    file_backed = _sqlite_file(engine.url) is not None

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            if file_backed:
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS:d}")
            cursor.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
        finally:
            cursor.close()


def skip_idle_sqlite_rollback(engine: AsyncEngine) -> None:
    """No trip to aiosqlite's thread to end a transaction SQLite never began.

    Python's sqlite3 begins a transaction only before a write, and its ``rollback`` does
    nothing outside one; but through aiosqlite each call is a round trip to the driver's
    thread, and every read-only block of a unit of work ends with one. Skipped here when the
    connection says it is not in a transaction (the same outcome, without the trip).
    """
    dialect = engine.sync_engine.dialect
    do_rollback = dialect.do_rollback

    def rollback(dbapi_connection: Any) -> None:
        if driver_in_transaction(dbapi_connection):
            do_rollback(dbapi_connection)

    dialect.do_rollback = rollback  # type: ignore[method-assign]


def ping_idle_connections(engine: Engine, idle: float = PING_AFTER_IDLE_S) -> None:
    """Check a pooled connection with ``SELECT 1`` before reuse only if it sat idle in the pool
    for ``idle`` seconds or more; a dead one is replaced before the caller sees it.

    SQLAlchemy's ``pool_pre_ping`` pings on every checkout: one more round trip for every
    update, although a connection handed back milliseconds ago is as alive as anything can be
    known to be. This is SQLAlchemy's documented pessimistic disconnect handling (a ping in the
    pool's ``checkout`` event raising ``DisconnectionError``, after which the pool connects
    afresh, up to three attempts), limited to connections that were idle. A server restart
    within those seconds fails the one statement that meets it; SQLAlchemy then invalidates the
    pool, the unit of work rolls back (nothing half-stored) and the person is told to try again.
    """

    @event.listens_for(engine, "checkin")
    def _checkin(_dbapi_connection: Any, record: Any) -> None:
        if record is not None:
            record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("idle_since")
        if since is None or time.monotonic() - since < idle:
            return  # a new connection, or one in use moments ago
        try:
            cursor = dbapi_connection.cursor()
            try:
                cursor.execute("SELECT 1")
            finally:
                cursor.close()
        except engine.dialect.loaded_dbapi.Error as error:
            raise exc.DisconnectionError(str(error)) from error


#: What makes a SELECT more than a read: row locks, transaction-scoped advisory locks, settings
#: local to the transaction, sequence changes, ``SELECT INTO`` (creates a table).
_MORE_THAN_A_READ = re.compile(
    r"\bFOR\s+(NO\s+KEY\s+)?UPDATE\b|\bFOR\s+(KEY\s+)?SHARE\b|_XACT_|\bSET_CONFIG\b"
    r"|\bNEXTVAL\b|\bSETVAL\b|\bINTO\b",
    re.IGNORECASE,
)


@lru_cache(maxsize=2048)
def is_plain_read(statement: str) -> bool:
    """A statement that reads and nothing else: a ``SELECT`` without locks or side effects.
    Anything else (``WITH`` included: it may hold an ``INSERT``) counts as a write."""
    head = statement.lstrip()[:6].upper()
    return head == "SELECT" and _MORE_THAN_A_READ.search(statement) is None


def begin_postgres_transactions_lazily(engine: Engine) -> None:
    """On PostgreSQL, plain reads run without a transaction; the transaction begins before the
    first statement that is more than a read, and commits or rolls back as before.

    psycopg (not in autocommit) sends ``BEGIN`` as a round trip of its own before a
    connection's first statement, and the unit of work ends every block with ``ROLLBACK`` or
    ``COMMIT``: a read-only chat view of one ``SELECT`` cost three round trips, ``/dagsorden``
    nine. Here the connection is in autocommit and this hook sends ``BEGIN`` itself, just
    before the first statement that needs it; psycopg's ``commit()`` and ``rollback()`` act
    only when a transaction is open, so a read-only block ends with no trip.

    The same guarantees: at PostgreSQL's default isolation, READ COMMITTED, every statement
    takes a fresh snapshot whether or not a transaction is open, and a plain ``SELECT`` takes no
    row locks, so a read before ``BEGIN`` sees what it would have seen inside. What a ``SELECT``
    does beyond reading (``FOR UPDATE``/``FOR SHARE``, ``pg_advisory_xact_lock``,
    ``set_config``, ``nextval``, ``SELECT INTO``) makes it a write here (``is_plain_read``), as
    does anything else (``INSERT``, ``UPDATE``, ``DELETE``, ``SAVEPOINT``, ``WITH``): everything
    from the first write to the commit is one transaction, as before. (Django runs on
    PostgreSQL in autocommit outside ``atomic()`` for the same reason.) Code that asks for
    another isolation level per connection (``send_bucket`` asks for AUTOCOMMIT) gets it;
    SQLAlchemy resets the connection afterwards and the next checkout restores autocommit.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.autocommit = True

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        if not dbapi_connection.autocommit and _idle(dbapi_connection):
            dbapi_connection.autocommit = True  # reset to the default by SQLAlchemy at checkin

    @event.listens_for(engine, "before_cursor_execute")
    def _begin_before_a_write(
        conn: Any, cursor: Any, statement: str, _params: Any, _context: Any, _many: bool
    ) -> None:
        dbapi_connection = conn.connection.dbapi_connection
        if (
            dbapi_connection.autocommit
            and _idle(dbapi_connection)
            and not is_plain_read(statement)
            and conn.get_execution_options().get("isolation_level") != "AUTOCOMMIT"
        ):
            cursor.execute("BEGIN")


def _idle(dbapi_connection: Any) -> bool:
    """No transaction open on this psycopg connection."""
    import psycopg

    status = dbapi_connection.driver_connection.info.transaction_status
    return bool(status == psycopg.pq.TransactionStatus.IDLE)


def driver_in_transaction(dbapi_connection: Any) -> bool:
    """Whether the database itself has a transaction open on this connection (not just
    SQLAlchemy's bookkeeping): sqlite3 begins one only before a write, and on PostgreSQL
    ``begin_postgres_transactions_lazily`` only before a statement that is more than a read.
    True when it cannot tell."""
    driver = getattr(dbapi_connection, "driver_connection", None)
    info = getattr(driver, "info", None)
    status = getattr(info, "transaction_status", None)
    if status is not None:  # psycopg
        return not _idle(dbapi_connection) or not getattr(driver, "autocommit", False)
    return getattr(driver, "in_transaction", True) is not False


def make_engine(url: str) -> AsyncEngine:
    """An async engine for ``url``; plain ``sqlite://`` and ``postgres(ql)://`` are accepted."""
    parsed = async_url(url)
    if is_sqlite(parsed):
        ensure_sqlite_folder(parsed)
        # An in-memory database lives in one connection: share it, or each session sees none.
        memory = _sqlite_file(parsed) is None and parsed.database in (None, "", ":memory:")
        options: dict[str, Any] = {"poolclass": StaticPool} if memory else {}
        # One trip to the driver's thread per statement instead of four (storage/sqlite_driver).
        from storage.sqlite_driver import dbapi

        engine = create_async_engine(parsed, module=dbapi(), **options)
        install_sqlite_pragmas(engine.sync_engine)
        skip_idle_sqlite_rollback(engine)
        return engine
    engine = create_async_engine(parsed)
    ping_idle_connections(engine.sync_engine)
    begin_postgres_transactions_lazily(engine.sync_engine)
    return engine


def make_sync_engine(url: str, *, foreign_keys: bool = True) -> Engine:
    """A synchronous engine (Alembic, scripts); SQLite gets the same pragmas."""
    parsed = sync_url(url)
    if is_sqlite(parsed):
        ensure_sqlite_folder(parsed)
        engine = create_engine(parsed)
        install_sqlite_pragmas(engine, foreign_keys=foreign_keys)
        return engine
    return create_engine(parsed, pool_pre_ping=True)


def make_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions whose loaded objects stay readable after commit (no lazy reloads in async)."""
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
