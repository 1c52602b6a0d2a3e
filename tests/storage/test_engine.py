"""The engine: URL forms, the SQLite folder and pragmas, one trip per SQLite statement, and the
PostgreSQL pool's check of idle connections."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiosqlite
import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from storage.engine import (
    async_url,
    is_plain_read,
    make_engine,
    make_session_factory,
    ping_idle_connections,
    sync_url,
)


def test_urls_are_normalised_to_our_drivers() -> None:
    assert async_url("sqlite:///data/x.sqlite3").drivername == "sqlite+aiosqlite"
    assert async_url("postgres://u:p@h:5432/db").drivername == "postgresql+psycopg"
    assert async_url("postgresql://u@h/db").drivername == "postgresql+psycopg"
    assert async_url("sqlite+aiosqlite:///x").drivername == "sqlite+aiosqlite"
    assert sync_url("sqlite+aiosqlite:///x").drivername == "sqlite"
    assert sync_url("postgres://u@h/db").render_as_string() == "postgresql+psycopg://u@h/db"
    assert sync_url("postgresql+psycopg://u@h/db").drivername == "postgresql+psycopg"


async def test_sqlite_file_gets_its_folder_wal_busy_timeout_and_foreign_keys(
    tmp_path: Path,
) -> None:
    path = tmp_path / "data" / "nested" / "bot.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    try:
        async with engine.connect() as conn:
            journal = (await conn.execute(text("PRAGMA journal_mode"))).scalar()
            timeout = (await conn.execute(text("PRAGMA busy_timeout"))).scalar()
            foreign_keys = (await conn.execute(text("PRAGMA foreign_keys"))).scalar()
    finally:
        await engine.dispose()
    assert path.parent.is_dir()
    assert (journal, timeout, foreign_keys) == ("wal", 5000, 1)


async def test_postgres_scheme_from_hosting_platforms_connects(pg_database_url: str) -> None:
    url = pg_database_url.replace("postgresql+psycopg://", "postgres://")
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            assert (await conn.execute(text("SELECT 1"))).scalar() == 1
    finally:
        await engine.dispose()


# --- SQLite: one trip to the driver's thread per statement (storage/sqlite_driver.py) ---------


@pytest.fixture
def trips(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The calls queued for aiosqlite's thread (each is a trip there and back)."""
    calls: list[str] = []
    original = aiosqlite.Connection._execute

    async def counted(self: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(getattr(fn, "__name__", repr(fn)))
        return await original(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
    return calls


async def test_a_sqlite_statement_is_one_trip_with_rows_counts_and_ids(
    tmp_path: Path, trips: list[str]
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'bot.sqlite3'}")
    try:
        async with engine.begin() as conn:
            await conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT UNIQUE)"))
            trips.clear()
            inserted = await conn.execute(text("INSERT INTO t (v) VALUES ('a')"))
            assert (inserted.lastrowid, inserted.rowcount) == (1, 1)
            await conn.execute(text("INSERT INTO t (v) VALUES (:v)"), [{"v": "b"}, {"v": "c"}])
            assert len(trips) == 2  # one statement, one trip; executemany too
            trips.clear()
            rows = (await conn.execute(text("SELECT id, v FROM t ORDER BY id"))).all()
            assert [tuple(r) for r in rows] == [(1, "a"), (2, "b"), (3, "c")]
            changed = await conn.execute(text("UPDATE t SET v = v || '!' WHERE id > 1"))
            assert changed.rowcount == 2
            returned = (
                await conn.execute(text("DELETE FROM t WHERE id = 3 RETURNING v"))
            ).scalar_one()
            assert returned == "c!"
            assert len(trips) == 3
    finally:
        await engine.dispose()


async def test_a_failing_sqlite_statement_raises_and_the_connection_goes_on(
    tmp_path: Path,
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'bot.sqlite3'}")
    try:
        async with engine.begin() as conn:
            await conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT UNIQUE)"))
            await conn.execute(text("INSERT INTO t (v) VALUES ('a')"))
        async with engine.connect() as conn:
            with pytest.raises(IntegrityError):
                await conn.execute(text("INSERT INTO t (v) VALUES ('a')"))
            await conn.rollback()
            with pytest.raises(OperationalError):
                await conn.execute(text("SELECT nothing FROM nowhere"))
            await conn.rollback()
            assert (await conn.execute(text("SELECT count(*) FROM t"))).scalar() == 1
    finally:
        await engine.dispose()


# --- PostgreSQL: a connection idle in the pool is checked before reuse ------------------------


async def _backend_pid(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one())


def _terminate(url: str, pid: int) -> None:
    plain = sync_url(url).set(drivername="postgresql")
    with psycopg.connect(plain.render_as_string(hide_password=False), autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))


async def test_a_connection_that_died_while_idle_is_replaced_unseen(pg_database_url: str) -> None:
    """As after a PostgreSQL restart at night: the pooled connection is gone, the next update
    gets a fresh one and never sees the error."""
    engine = create_async_engine(async_url(pg_database_url))
    ping_idle_connections(engine.sync_engine, idle=0.0)
    try:
        pid = await _backend_pid(engine)
        _terminate(pg_database_url, pid)
        assert await _backend_pid(engine) != pid
    finally:
        await engine.dispose()


async def test_a_connection_used_moments_ago_is_not_pinged_and_the_pool_recovers(
    pg_database_url: str,
) -> None:
    """Within the idle window no ping is spent; a server gone in that window fails the one
    statement that meets it, and the pool connects afresh for the next."""
    engine = make_engine(pg_database_url)
    try:
        pid = await _backend_pid(engine)
        _terminate(pg_database_url, pid)
        with pytest.raises(DBAPIError) as failed:
            await _backend_pid(engine)
        assert failed.value.connection_invalidated
        assert await _backend_pid(engine) != pid
    finally:
        await engine.dispose()


# --- PostgreSQL: reads without a transaction, BEGIN before the first write --------------------


@pytest.fixture
def sent_to_postgres(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every statement psycopg sends: through a cursor, or its own BEGIN/COMMIT/ROLLBACK."""
    sent: list[str] = []
    execute = psycopg.AsyncCursor.execute
    command = psycopg.AsyncConnection._exec_command

    async def traced_execute(self: Any, query: Any, params: Any = None, **kw: Any) -> Any:
        try:  # noted once sent: after a BEGIN psycopg may send first
            return await execute(self, query, params, **kw)
        finally:
            sent.append(str(query).split()[0].upper())

    def traced_command(self: Any, cmd: Any, *args: Any) -> Any:
        sent.append(bytes(cmd).decode() if isinstance(cmd, bytes | bytearray) else str(cmd))
        return command(self, cmd, *args)

    monkeypatch.setattr(psycopg.AsyncCursor, "execute", traced_execute)
    monkeypatch.setattr(psycopg.AsyncConnection, "_exec_command", traced_command)
    return sent


@pytest.fixture
async def pg_engine(pg_database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(pg_database_url)
    async with engine.begin() as conn:
        await conn.execute(text("DROP TABLE IF EXISTS lazy_t"))
        await conn.execute(text("CREATE TABLE lazy_t (id int PRIMARY KEY, v text)"))
        await conn.execute(text("INSERT INTO lazy_t VALUES (1, 'a')"))
    try:
        yield engine
    finally:
        await engine.dispose()


async def test_a_read_only_block_on_postgres_is_its_selects_alone(
    pg_engine: AsyncEngine, sent_to_postgres: list[str]
) -> None:
    async with make_session_factory(pg_engine)() as session:
        await session.execute(text("SELECT v FROM lazy_t WHERE id = 1"))
        await session.execute(text("SELECT count(*) FROM lazy_t"))
        await session.rollback()
        await session.commit()
    assert sent_to_postgres == ["SELECT", "SELECT"]


async def test_a_write_begins_the_transaction_and_a_failure_undoes_all_of_it(
    pg_engine: AsyncEngine, sent_to_postgres: list[str]
) -> None:
    factory = make_session_factory(pg_engine)
    async with factory() as session:
        await session.execute(text("SELECT v FROM lazy_t WHERE id = 1"))
        await session.execute(text("INSERT INTO lazy_t VALUES (2, 'b')"))
        await session.execute(text("SELECT count(*) FROM lazy_t"))
        with pytest.raises(IntegrityError):
            await session.execute(text("INSERT INTO lazy_t VALUES (1, 'again')"))
        await session.rollback()
    assert sent_to_postgres == ["SELECT", "BEGIN", "INSERT", "SELECT", "INSERT", "ROLLBACK"]
    async with factory() as session:
        assert (await session.execute(text("SELECT count(*) FROM lazy_t"))).scalar() == 1
        await session.execute(text("UPDATE lazy_t SET v = 'c' WHERE id = 1"))
        await session.commit()
        assert (await session.execute(text("SELECT v FROM lazy_t"))).scalar() == "c"


async def test_a_select_for_update_holds_its_lock_until_the_commit(pg_engine: AsyncEngine) -> None:
    factory = make_session_factory(pg_engine)
    async with factory() as holder, factory() as other:
        await holder.execute(text("SELECT v FROM lazy_t WHERE id = 1 FOR UPDATE"))
        with pytest.raises(OperationalError, match="could not obtain lock"):
            await other.execute(text("SELECT v FROM lazy_t WHERE id = 1 FOR UPDATE NOWAIT"))
        await other.rollback()
        await holder.commit()
        locked = await other.execute(text("SELECT v FROM lazy_t WHERE id = 1 FOR UPDATE NOWAIT"))
        assert locked.scalar() == "a"
        await other.commit()


async def test_a_connection_lent_in_autocommit_comes_back_lazy(
    pg_engine: AsyncEngine, sent_to_postgres: list[str]
) -> None:
    autocommit = pg_engine.execution_options(isolation_level="AUTOCOMMIT")
    async with autocommit.connect() as conn:
        await conn.execute(text("UPDATE lazy_t SET v = 'z' WHERE id = 1"))
    assert sent_to_postgres == ["UPDATE"]  # autocommit: no BEGIN of ours
    sent_to_postgres.clear()
    async with make_session_factory(pg_engine)() as session:
        await session.execute(text("SELECT v FROM lazy_t"))
        await session.execute(text("UPDATE lazy_t SET v = 'y' WHERE id = 1"))
        await session.commit()
    assert sent_to_postgres == ["SELECT", "BEGIN", "UPDATE", "COMMIT"]


@pytest.mark.parametrize(
    ("statement", "read"),
    [
        ("SELECT person.id FROM person WHERE person.telegram_id = $1", True),
        ("  select 1", True),
        ("SELECT fsm_state.data FROM fsm_state WHERE key = %(k)s FOR UPDATE", False),
        ("SELECT id FROM outbox FOR UPDATE SKIP LOCKED", False),
        ("SELECT 1 FROM t FOR NO KEY UPDATE", False),
        ("SELECT 1 FROM t FOR KEY SHARE", False),
        ("SELECT pg_advisory_xact_lock(1)", False),
        ("SELECT pg_try_advisory_lock(1)", True),
        ("SELECT set_config('x.y', '1', true)", False),
        ("SELECT nextval('s')", False),
        ("SELECT * INTO copy FROM t", False),
        ("WITH x AS (INSERT INTO t VALUES (1) RETURNING id) SELECT id FROM x", False),
        ("INSERT INTO t VALUES (1)", False),
        ("SAVEPOINT sa_savepoint_1", False),
    ],
)
def test_what_counts_as_a_plain_read(statement: str, read: bool) -> None:
    assert is_plain_read(statement) is read
