"""Alembic migrations: every step goes up, down and up again; the result matches the tables."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlmodel import SQLModel

import storage.tables  # noqa: F401  (registers the tables on the metadata)
from storage import migrate
from storage.engine import make_sync_engine


def _tables(url: str) -> set[str]:
    engine = make_sync_engine(url)
    try:
        with engine.connect() as conn:
            return set(inspect(conn).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_stairway_up_down_up_for_every_revision(fresh_database_url: str) -> None:
    url = fresh_database_url
    script = ScriptDirectory.from_config(migrate.alembic_config(url))
    revisions = list(reversed(list(script.walk_revisions())))
    assert revisions, "no migrations found"
    assert migrate.current(url) is None
    for revision in revisions:
        migrate.upgrade(url, revision.revision)
        assert migrate.current(url) == revision.revision
        migrate.downgrade(url, str(revision.down_revision or "base"))
        assert migrate.current(url) == revision.down_revision
        migrate.upgrade(url, revision.revision)
        assert migrate.current(url) == revision.revision
    assert migrate.current(url) == migrate.head()
    migrate.downgrade(url, "base")
    assert _tables(url) == set()


def test_migrated_schema_matches_the_tables(fresh_database_url: str) -> None:
    migrate.upgrade(fresh_database_url)
    assert _tables(fresh_database_url) == set(SQLModel.metadata.tables)
    engine = make_sync_engine(fresh_database_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "compare_server_default": True}
            )
            diff = compare_metadata(context, SQLModel.metadata)
    finally:
        engine.dispose()
    assert diff == []


async def test_upgrade_async_creates_a_usable_database(fresh_database_url: str) -> None:
    await migrate.upgrade_async(fresh_database_url)
    assert migrate.current(fresh_database_url) == migrate.head()
    assert "punkt" in _tables(fresh_database_url)
