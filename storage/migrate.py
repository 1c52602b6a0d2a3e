"""Database migrations (Alembic) run from code: at start-up and by ``udvalgsbot db upgrade``."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from storage.engine import make_sync_engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str) -> Config:
    """An Alembic configuration for ``url`` without any alembic.ini on disk."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # Passed as an attribute, not an option: URLs may contain '%' (ConfigParser interpolation).
    config.attributes["url"] = url
    return config


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    command.downgrade(alembic_config(url), revision)


def current(url: str) -> str | None:
    """The database's revision, or None for a database that was never migrated."""
    engine = make_sync_engine(url)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def head() -> str | None:
    """The newest revision the code knows."""
    return ScriptDirectory.from_config(alembic_config("")).get_current_head()


def revisions() -> list[str]:
    """Every revision from the first to the newest."""
    script = ScriptDirectory.from_config(alembic_config(""))
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


async def upgrade_async(url: str, revision: str = "head") -> None:
    """Upgrade from async code: Alembic is synchronous, so it runs in a worker thread."""
    await asyncio.to_thread(upgrade, url, revision)
