"""The engine: URL forms, the SQLite folder and pragmas."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from storage.engine import async_url, make_engine, sync_url


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
