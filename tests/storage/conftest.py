"""Storage tests run on SQLite and on PostgreSQL, with the schema made by the real migrations."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlmodel import SQLModel

import storage.tables  # noqa: F401  (registers the tables on the metadata)
from storage import migrate
from storage.engine import make_engine, make_session_factory
from storage.uow import SqlUnitOfWork
from tests.support.databases import pg_database_url  # noqa: F401  (fixture)

BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(scope="session")
def sqlite_migrated_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'storage.sqlite3'}"
    migrate.upgrade(url)
    return url


@pytest.fixture(scope="session")
def postgresql_migrated_url(pg_database_url: str) -> str:  # noqa: F811
    migrate.upgrade(pg_database_url)
    return pg_database_url


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def database_url(backend: str, request: pytest.FixtureRequest) -> AsyncIterator[str]:
    """A migrated database of the backend, emptied again after the test."""
    url = str(request.getfixturevalue(f"{backend}_migrated_url"))
    yield url
    engine = make_engine(url)
    try:
        async with engine.begin() as conn:
            tables = [t.name for t in reversed(SQLModel.metadata.sorted_tables)]
            if backend == "postgresql":
                await conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
            else:
                for table in tables:
                    await conn.execute(text(f"DELETE FROM {table}"))
    finally:
        await engine.dispose()


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return make_session_factory(engine)


@pytest.fixture
def uow(session_factory: async_sessionmaker[AsyncSession]) -> SqlUnitOfWork:
    return SqlUnitOfWork(session_factory)


@pytest.fixture
def fresh_sqlite_url(tmp_path: Path) -> str:
    """An empty (unmigrated) SQLite database file."""
    return f"sqlite+aiosqlite:///{tmp_path / 'fresh' / 'empty.sqlite3'}"


@pytest.fixture
def fresh_database_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """An empty, unmigrated database of the backend (for migration tests)."""
    if backend == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'fresh.sqlite3'}"
        return
    from tests.support.databases import pg_database

    with pg_database("udvalgsbot_tm_") as url:
        yield url
