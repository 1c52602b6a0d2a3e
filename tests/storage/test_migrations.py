"""Alembic migrations: every step goes up, down and up again; the result matches the tables."""

from __future__ import annotations

import json

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel

import storage.tables  # noqa: F401  (registers the tables on the metadata)
from agendas.search import stem
from storage import migrate
from storage.engine import make_sync_engine
from storage.tables.search import include_object


def _tables(url: str) -> set[str]:
    engine = make_sync_engine(url)
    try:
        with engine.connect() as conn:
            names = set(inspect(conn).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()
    # The FTS5 index of the search (and its shadow tables) is not a table of the metadata.
    return {n for n in names if include_object(None, n, "table", True, None)}


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
                conn,
                opts={
                    "compare_type": True,
                    "compare_server_default": True,
                    "include_object": include_object,
                },
            )
            diff = compare_metadata(context, SQLModel.metadata)
    finally:
        engine.dispose()
    assert diff == []


async def test_upgrade_async_creates_a_usable_database(fresh_database_url: str) -> None:
    await migrate.upgrade_async(fresh_database_url)
    assert migrate.current(fresh_database_url) == migrate.head()
    assert "punkt" in _tables(fresh_database_url)


def test_a_database_at_the_newest_revision_is_recognised_without_alembic(
    fresh_database_url: str,
) -> None:
    """The bot's start checks the revision itself and loads Alembic only to migrate."""
    url = fresh_database_url
    assert migrate.code_heads() == {migrate.head()}  # read from the files: Alembic's answer
    assert not migrate.is_at_head(url)  # never migrated
    migrate.upgrade(url)
    assert migrate.is_at_head(url)
    migrate.downgrade(url, migrate.revisions()[-2])
    assert not migrate.is_at_head(url)


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


def test_0006_keeps_people_and_lets_members_be_without_telegram(fresh_database_url: str) -> None:
    """Existing people, memberships, invites and approvals survive the table copies; after it a
    person may have no Telegram id (many of them), a Telegram id is still unique; going down
    drops only the members without Telegram, with what refers to them."""
    url = fresh_database_url
    migrate.upgrade(url, "0005")
    engine = make_sync_engine(url)
    stamp = "2026-11-20 10:00:00+00:00"
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO udvalg (id, code, name, forvaltning, created_at)"
                f" VALUES (1, 'BEU', 'Beskæftigelse', 'SSF', '{stamp}')"
            )
            conn.exec_driver_sql(
                "INSERT INTO person (id, telegram_id, name, is_admin, created_at)"
                f" VALUES (1, 8000000001, 'Lene Holm', false, '{stamp}')"
            )
            conn.exec_driver_sql(
                "INSERT INTO membership (id, person_id, udvalg_id, role, party, created_at)"
                f" VALUES (1, 1, 1, 'formand', 'V', '{stamp}')"
            )
            conn.exec_driver_sql(
                "INSERT INTO invite (id, udvalg_id, role, token_hash, created_by, expires_at,"
                f" used_by, used_at, created_at) VALUES (1, 1, 'formand', 'h1', 0, '{stamp}',"
                f" 1, '{stamp}', '{stamp}')"
            )
            conn.exec_driver_sql(
                "INSERT INTO moede (id, udvalg_id, date, start_time, place, created_at)"
                f" VALUES (1, 1, '2026-11-12', '16:00:00', '', '{stamp}')"
            )
            conn.exec_driver_sql(
                "INSERT INTO protokol_approval (id, moede_id, person_id, approved_at)"
                f" VALUES (1, 1, 1, '{stamp}')"
            )
        migrate.upgrade(url, "0006")
        with engine.begin() as conn:
            person = conn.exec_driver_sql("SELECT telegram_id, name, name_fixed FROM person").one()
            membership = conn.exec_driver_sql(
                "SELECT person_id, role, party, substitute_for, since FROM membership"
            ).one()
            invite = conn.exec_driver_sql("SELECT used_by, person_id FROM invite").one()
            approval = conn.exec_driver_sql(
                "SELECT person_id, recorded_by FROM protokol_approval"
            ).one()
            # Two members without Telegram, one a stedfortræder for Lene from a date.
            for pid, name in ((2, "Jan Kongebro"), (3, "Lise Holm")):
                conn.exec_driver_sql(
                    "INSERT INTO person (id, telegram_id, name, is_admin, name_fixed, created_at)"
                    f" VALUES ({pid}, NULL, '{name}', false, true, '{stamp}')"
                )
            conn.exec_driver_sql(
                "INSERT INTO membership (id, person_id, udvalg_id, role, party, created_at,"
                f" substitute_for, since) VALUES (2, 3, 1, 'stedfortraeder', 'V', '{stamp}',"
                " 1, '2026-02-01')"
            )
            conn.exec_driver_sql(
                "INSERT INTO invite (id, udvalg_id, role, token_hash, created_by, expires_at,"
                f" created_at, person_id) VALUES (2, 1, 'medlem', 'h2', 0, '{stamp}',"
                f" '{stamp}', 2)"
            )
            conn.exec_driver_sql(
                "INSERT INTO protokol_approval (id, moede_id, person_id, approved_at,"
                f" recorded_by) VALUES (2, 1, 3, '{stamp}', 1)"
            )
        with engine.begin() as conn, pytest.raises(IntegrityError):
            conn.exec_driver_sql(
                "INSERT INTO person (id, telegram_id, name, is_admin, name_fixed, created_at)"
                f" VALUES (4, 8000000001, 'Twin', false, false, '{stamp}')"
            )
        migrate.downgrade(url, "0005")
        with engine.connect() as conn:
            people = conn.exec_driver_sql("SELECT id FROM person").scalars().all()
            memberships = conn.exec_driver_sql("SELECT person_id FROM membership").scalars().all()
            invites = conn.exec_driver_sql("SELECT id FROM invite").scalars().all()
            approvals = (
                conn.exec_driver_sql("SELECT person_id FROM protokol_approval").scalars().all()
            )
    finally:
        engine.dispose()
    assert tuple(person) == (8000000001, "Lene Holm", False)
    assert tuple(membership) == (1, "formand", "V", None, None)
    assert tuple(invite) == (1, None)
    assert tuple(approval) == (1, None)
    assert people == [1] and memberships == [1] and invites == [1] and approvals == [1]


def test_0007_gives_existing_punkter_no_printed_number_and_no_sections_of_their_own(
    fresh_database_url: str,
) -> None:
    url = fresh_database_url
    migrate.upgrade(url, "0006")
    engine = make_sync_engine(url)
    stamp = "2026-11-20 10:00:00+00:00"
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO udvalg (id, code, name, forvaltning, created_at)"
                f" VALUES (1, 'KFU', 'Kultur', 'Kultur', '{stamp}')"
            )
            conn.exec_driver_sql(
                "INSERT INTO moede (id, udvalg_id, date, start_time, place, created_at)"
                f" VALUES (1, 1, '2026-11-12', '16:00:00', '', '{stamp}')"
            )
            conn.exec_driver_sql(
                "INSERT INTO punkt (id, moede_id, kind, position, number, title, closed,"
                " beslutningskompetence, journal_number, version, updated_at, late_reason)"
                f" VALUES (1, 1, 'sag', 0, 1, 'Budget', false, '', '', 1, '{stamp}', '')"
            )
        migrate.upgrade(url)
        with engine.connect() as conn:
            number, extra = conn.exec_driver_sql(
                "SELECT sag_number, extra_sections FROM punkt"
            ).one()
    finally:
        engine.dispose()
    assert number is None
    assert (extra if isinstance(extra, list) else json.loads(extra)) == []


def test_0009_indexes_the_punkter_already_stored(fresh_database_url: str) -> None:
    """Existing punkter are searchable after the upgrade: an open punkt with its decision in
    one document, a closed one as its full and its public document."""
    url = fresh_database_url
    migrate.upgrade(url, "0007")
    engine = make_sync_engine(url)
    stamp = "2026-11-20 10:00:00+00:00"
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO udvalg (id, code, name, forvaltning, created_at)"
                f" VALUES (1, 'SOU', 'Social', 'SSF', '{stamp}')"
            )
            conn.exec_driver_sql(
                "INSERT INTO moede (id, udvalg_id, date, start_time, place, created_at)"
                f" VALUES (1, 1, '2026-11-12', '16:00:00', '', '{stamp}')"
            )
            for punkt_id, title, closed, kerne in (
                (1, "Ældrepleje", "false", "Kvaliteten af hjemmeplejen."),
                (2, "Personalesag", "true", "Afskedigelse af en medarbejder."),
            ):
                conn.exec_driver_sql(
                    "INSERT INTO punkt (id, moede_id, kind, position, number, title, closed,"
                    " beslutningskompetence, journal_number, sagens_kerne, version, updated_at,"
                    f" late_reason, extra_sections) VALUES ({punkt_id}, 1, 'sag', {punkt_id}, 0,"
                    f" '{title}', {closed}, '', '', '{kerne}', 1, '{stamp}', '',"
                    """ '[["Påtegning", "Borgmesterens bemærkning"]]')"""
                )
            conn.exec_driver_sql(
                "INSERT INTO punkt_decision (punkt_id, beslutning, votes, inhabile, remarks,"
                " public_beslutning, ballots, updated_at) VALUES"
                f" (1, 'Udsat', '{{}}', '[]', '[]', '', '{{}}', '{stamp}'),"
                f" (2, 'Godkendt', '{{}}', '[]', '[]', 'Beslutning truffet', '{{}}', '{stamp}')"
            )
        migrate.upgrade(url, "0009")
        with engine.connect() as conn:
            docs = conn.exec_driver_sql(
                "SELECT punkt_id, kind, udvalg_id, day, beslutning FROM search_doc"
                " ORDER BY punkt_id, kind"
            ).all()
            if conn.dialect.name == "sqlite":
                match = "SELECT rowid FROM search_fts WHERE search_fts MATCH '{}'"
            else:
                match = "SELECT id FROM search_doc WHERE tsv @@ to_tsquery('danish', '{}')"
            sqlite = conn.dialect.name == "sqlite"
            hits = {
                word: len(conn.exec_driver_sql(match.format(stem(word) if sqlite else word)).all())
                for word in ("hjemmepleje", "borgmesterens", "afskedigelse", "udsat")
            }
    finally:
        engine.dispose()
    assert [(p, k, u, str(d)) for p, k, u, d, _ in docs] == [
        (1, "all", 1, "2026-11-12"),
        (2, "full", 1, "2026-11-12"),
        (2, "public", 1, "2026-11-12"),
    ]
    assert [b for *_, b in docs] == [
        "Udsat",
        "Godkendt\n\nBeslutning truffet",
        "Beslutning truffet",
    ]
    # the stems (SQLite) or lexemes (PostgreSQL): one document each, the closed one's full only
    assert hits == {"hjemmepleje": 1, "borgmesterens": 2, "afskedigelse": 1, "udsat": 1}


def test_0011_moves_each_tovholder_link_into_an_owner_and_back(fresh_database_url: str) -> None:
    url = fresh_database_url
    migrate.upgrade(url, "0010")
    engine = make_sync_engine(url)
    stamp = "2026-11-20 10:00:00+00:00"
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO udvalg (id, code, name, forvaltning, created_at)"
                f" VALUES (1, 'SSU', 'Social', 'SSF', '{stamp}')"
            )
            conn.exec_driver_sql(
                "INSERT INTO person (id, telegram_id, name, is_admin, name_fixed, created_at)"
                f" VALUES (7, 700, 'Tove Holder', false, false, '{stamp}')"
            )
            conn.exec_driver_sql(
                "INSERT INTO plan (id, udvalg_id, title, kind, period, svarfrist_hverdage,"
                f" reminder_hverdage, active, created_at) VALUES (1, 1, 'Plan', 'handleplan', '',"
                f" 5, 2, true, '{stamp}')"
            )
            for row, (title, tovholder, kontakt, person) in enumerate(
                (
                    ("Fællesspisning", "Lokalcenter Nord", "Tove Holder", "7"),
                    ("Besøgsvenner", "Frivilligcentret", "", "NULL"),
                    ("Café", "", "", "NULL"),
                ),
                start=1,
            ):
                conn.exec_driver_sql(
                    "INSERT INTO indsats (id, plan_id, position, title, maalgruppe, formaal,"
                    " tovholder, kontaktperson, tovholder_person_id, periode,"
                    " samarbejdspartnere, aktiviteter, active) VALUES"
                    f" ({row}, 1, {row}, '{title}', '', '', '{tovholder}', '{kontakt}', {person},"
                    " '', '', '', true)"
                )
        migrate.upgrade(url)
        with engine.connect() as conn:
            owners = conn.exec_driver_sql(
                "SELECT indsats_id, name, person_id, confirmed FROM indsats_owner ORDER BY id"
            ).all()
            flags = conn.exec_driver_sql("SELECT tvaergaaende FROM indsats").all()
        migrate.downgrade(url, "0008")
        with engine.connect() as conn:
            back = conn.exec_driver_sql(
                "SELECT id, tovholder_person_id FROM indsats ORDER BY id"
            ).all()
    finally:
        engine.dispose()
    assert [tuple(o) for o in owners] == [
        (1, "Tove Holder", 7, True),
        (2, "Frivilligcentret", None, True),
    ]
    assert [bool(f[0]) for f in flags] == [False] * 3
    assert [tuple(b) for b in back] == [(1, 7), (2, None), (3, None)]
