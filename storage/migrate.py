"""Database migrations (Alembic) run from code: at start-up and by ``udvalgsbot db upgrade``.

Alembic (with Mako, which it loads) is only imported when there is something to migrate: the
bot's start asks ``is_at_head`` first, which reads the revisions from the version files and the
``alembic_version`` table with plain SQLAlchemy.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from storage.engine import make_engine, make_sync_engine

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_REVISION = re.compile(r"""^revision\b[^=\n]*=\s*["']([^"']+)["']""", re.MULTILINE)
_DOWN_REVISION = re.compile(r"^down_revision\b[^=\n]*=(.*)$", re.MULTILINE)
_QUOTED = re.compile(r"""["']([^"']+)["']""")


def alembic_config(url: str) -> Config:
    """An Alembic configuration for ``url`` without any alembic.ini on disk."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # Passed as an attribute, not an option: URLs may contain '%' (ConfigParser interpolation).
    config.attributes["url"] = url
    return config


def upgrade(url: str, revision: str = "head") -> None:
    from alembic import command

    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    from alembic import command

    command.downgrade(alembic_config(url), revision)


def current(url: str) -> str | None:
    """The database's revision, or None for a database that was never migrated."""
    from alembic.runtime.migration import MigrationContext

    engine = make_sync_engine(url)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def head() -> str | None:
    """The newest revision the code knows."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config("")).get_current_head()


def revisions() -> list[str]:
    """Every revision from the first to the newest."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config(""))
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


def code_heads() -> frozenset[str]:
    """The newest revisions of the code (normally one), read from the ``revision`` and
    ``down_revision`` lines of the version files without importing Alembic."""
    known: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        revision = _REVISION.search(source)
        if revision is None:
            continue
        known.add(revision[1])
        down = _DOWN_REVISION.search(source)
        if down is not None:
            parents.update(_QUOTED.findall(down[1]))
    return frozenset(known - parents)


def stored_revisions(url: str) -> frozenset[str] | None:
    """The revisions in the database's ``alembic_version`` table; None when it has none."""
    engine = make_sync_engine(url)
    try:
        with engine.connect() as conn:
            return frozenset(
                conn.execute(text("SELECT version_num FROM alembic_version")).scalars()
            )
    except DBAPIError:  # no such table: a database never migrated
        return None
    finally:
        engine.dispose()


def is_at_head(url: str) -> bool:
    """Is the database at the code's newest revision (nothing to migrate)?"""
    return _at_head(stored_revisions(url))


def _at_head(stored: frozenset[str] | None) -> bool:
    heads = code_heads()
    return bool(heads) and stored == heads


async def stored_revisions_async(url: str) -> frozenset[str] | None:
    """``stored_revisions`` read through the async engine, in the event loop."""
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            result = await conn.execute(text("SELECT version_num FROM alembic_version"))
            return frozenset(result.scalars())
    except DBAPIError:  # no such table: a database never migrated
        return None
    finally:
        await engine.dispose()


async def upgrade_async(url: str, revision: str = "head") -> None:
    """Upgrade from async code. A database already at the newest revision is only checked, in
    the event loop (Alembic is not imported, and no worker thread is started: its memory would
    stay with the idle bot); Alembic is synchronous, so an upgrade runs in a worker thread."""
    if revision == "head" and _at_head(await stored_revisions_async(url)):
        return
    await asyncio.to_thread(upgrade, url, revision)
