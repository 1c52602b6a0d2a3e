"""The database engine and session factory: SQLite (embedded default) or PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
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
        driver = getattr(dbapi_connection, "driver_connection", None)
        if driver is not None and getattr(driver, "in_transaction", True) is False:
            return
        do_rollback(dbapi_connection)

    dialect.do_rollback = rollback  # type: ignore[method-assign]


def make_engine(url: str) -> AsyncEngine:
    """An async engine for ``url``; plain ``sqlite://`` and ``postgres(ql)://`` are accepted."""
    parsed = async_url(url)
    if is_sqlite(parsed):
        ensure_sqlite_folder(parsed)
        # An in-memory database lives in one connection: share it, or each session sees none.
        memory = _sqlite_file(parsed) is None and parsed.database in (None, "", ":memory:")
        options: dict[str, Any] = {"poolclass": StaticPool} if memory else {}
        engine = create_async_engine(parsed, **options)
        install_sqlite_pragmas(engine.sync_engine)
        skip_idle_sqlite_rollback(engine)
        return engine
    return create_async_engine(parsed, pool_pre_ping=True)


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
