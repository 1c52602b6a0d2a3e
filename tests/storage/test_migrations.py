"""Alembic migrations: every step goes up, down and up again; the result matches the tables."""

from __future__ import annotations

import json

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


def test_0005_carries_existing_protocols_into_their_states(fresh_database_url: str) -> None:
    """A locked protocol stays locked (godkendt), a sent one is sendt, the rest kladde; existing
    vote counts stay and their ballots start empty; existing punkter are not 'added late'."""
    url = fresh_database_url
    migrate.upgrade(url, "0004")
    engine = make_sync_engine(url)
    stamp = "2026-11-20 10:00:00+00:00"
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO udvalg (id, code, name, forvaltning, created_at)"
                f" VALUES (1, 'KFU', 'Kultur', 'Kultur', '{stamp}')"
            )
            for moede_id in (1, 2, 3):
                conn.exec_driver_sql(
                    "INSERT INTO moede (id, udvalg_id, date, start_time, place, created_at)"
                    f" VALUES ({moede_id}, 1, '2026-11-1{moede_id}', '16:00:00', '', '{stamp}')"
                )
            conn.exec_driver_sql(
                "INSERT INTO protokol (moede_id, rev, sent_at, locked_at, reopen_count) VALUES"
                f" (1, 7, '{stamp}', '{stamp}', 0), (2, 4, '{stamp}', NULL, 0),"
                " (3, 2, NULL, NULL, 1)"
            )
            conn.exec_driver_sql(
                "INSERT INTO punkt (id, moede_id, kind, position, number, title, closed,"
                " beslutningskompetence, journal_number, version, updated_at)"
                f" VALUES (1, 1, 'sag', 0, 1, 'Budget', false, '', '', 1, '{stamp}')"
            )
            conn.exec_driver_sql(
                "INSERT INTO punkt_decision (punkt_id, beslutning, votes, inhabile, remarks,"
                " public_beslutning, updated_at) VALUES (1, 'Anbefales',"
                """ '{"for": [3, ["A", "V"]]}', '[]', '[]', '', '""" + stamp + "')"
            )
        migrate.upgrade(url)
        with engine.connect() as conn:
            stages = dict(conn.exec_driver_sql("SELECT moede_id, stage FROM protokol").all())
            decision = conn.exec_driver_sql("SELECT votes, ballots FROM punkt_decision").one()
            late = conn.exec_driver_sql("SELECT late_reason FROM punkt").scalar_one()
    finally:
        engine.dispose()
    assert stages == {1: "godkendt", 2: "sendt", 3: "kladde"}
    votes, ballots = (v if isinstance(v, dict) else json.loads(v) for v in decision)
    assert votes == {"for": [3, ["A", "V"]]}
    assert ballots == {}
    assert late == ""
