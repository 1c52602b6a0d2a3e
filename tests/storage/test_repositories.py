"""Repositories on SQLite and PostgreSQL: what is stored comes back unchanged."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from agendas.errors import ConcurrentEdit
from agendas.model import (
    SECTION_KEYS,
    AuditEvent,
    Bilag,
    Invite,
    Membership,
    Moede,
    Person,
    Punkt,
    PunktKind,
    Role,
    Sagstype,
    Udvalg,
)
from storage.uow import SqlUnitOfWork

NOW = datetime(2026, 11, 23, 9, 30, 15, 123456, tzinfo=UTC)
BIG_TELEGRAM_ID = 8_000_000_000
PDF = b"%PDF-1.7\n" + bytes(range(256)) * 40


async def _udvalg(uow: SqlUnitOfWork, code: str = "BEU") -> Udvalg:
    return await uow.udvalg.add(
        Udvalg(
            code=code,
            name="Beskæftigelsesudvalget",
            forvaltning="Social- og Sundhedsforvaltningen",
            created_at=NOW,
        )
    )


async def _person(uow: SqlUnitOfWork, telegram_id: int = BIG_TELEGRAM_ID) -> Person:
    return await uow.persons.add(
        Person(telegram_id=telegram_id, name="Søren Ærø Åberg", username="soeren", language="da")
    )


async def _moede(uow: SqlUnitOfWork, udvalg_id: int, day: date = date(2027, 1, 12)) -> Moede:
    return await uow.moeder.add(
        Moede(
            udvalg_id=udvalg_id,
            date=day,
            start_time=time(14, 0),
            place="Rådhuset, mødelokale 2",
            starts_at=datetime(day.year, day.month, day.day, 13, 0, tzinfo=UTC),
            created_at=NOW,
        )
    )


def _sag(
    moede_id: int, title: str = "Budgetopfølgning for Ældreområdet", position: int = 3
) -> Punkt:
    return Punkt(
        moede_id=moede_id,
        kind=PunktKind.SAG,
        title=title,
        position=position,
        closed=False,
        sagstype=Sagstype.BESLUTNING,
        beslutningskompetence="ØU",
        journal_number="00.07.01-A00-1-17",
        sections={key: f"Tekst til {key}: æøå ÆØÅ «citat» – slut" for key in SECTION_KEYS},
        updated_at=NOW,
        updated_by=7,
    )


async def test_udvalg_round_trip_with_danish_text(uow: SqlUnitOfWork) -> None:
    async with uow:
        added = await _udvalg(uow)
        await _udvalg(uow, code="ØU")
        await uow.commit()
    assert added.id is not None
    async with uow:
        got = await uow.udvalg.get(added.id)
        by_code = await uow.udvalg.by_code("BEU")
        everything = await uow.udvalg.list_all()
        missing = await uow.udvalg.by_code("XYZ")
    assert got == added
    assert by_code == added
    assert got is not None and got.name == "Beskæftigelsesudvalget"
    assert got.forvaltning == "Social- og Sundhedsforvaltningen"
    assert got.created_at == NOW and got.created_at.tzinfo is not None
    assert [u.code for u in everything] == sorted(["BEU", "ØU"])
    assert missing is None


async def test_person_keeps_64_bit_telegram_id_and_updates(uow: SqlUnitOfWork) -> None:
    async with uow:
        person = await _person(uow)
        await uow.commit()
    async with uow:
        found = await uow.persons.by_telegram_id(BIG_TELEGRAM_ID)
        assert found == person
        assert found is not None and found.telegram_id == 8_000_000_000
        found.name, found.language, found.is_admin = "Åse Øster", "en", True
        await uow.persons.update(found)
        await uow.commit()
    async with uow:
        again = await uow.persons.get(person.id or 0)
    assert again is not None
    assert (again.name, again.language, again.is_admin) == ("Åse Øster", "en", True)


async def test_memberships_by_person_and_udvalg(uow: SqlUnitOfWork) -> None:
    async with uow:
        beu, oeu = await _udvalg(uow), await _udvalg(uow, "ØU")
        person = await _person(uow)
        pid = person.id or 0
        sek = await uow.memberships.add(
            Membership(person_id=pid, udvalg_id=beu.id or 0, role=Role.SEKRETAER, created_at=NOW)
        )
        await uow.memberships.add(
            Membership(person_id=pid, udvalg_id=oeu.id or 0, role=Role.MEDLEM, party="A")
        )
        await uow.commit()
    async with uow:
        mine = await uow.memberships.for_person(pid)
        in_beu = await uow.memberships.for_udvalg(beu.id or 0)
        found = await uow.memberships.find(pid, oeu.id or 0)
        found[0].party = "Ø"
        await uow.memberships.update(found[0])
        await uow.commit()
    assert {(m.udvalg_id, m.role) for m in mine} == {
        (beu.id, Role.SEKRETAER),
        (oeu.id, Role.MEDLEM),
    }
    assert in_beu == [sek]
    assert sek.created_at == NOW
    async with uow:
        updated = await uow.memberships.find(pid, oeu.id or 0)
    assert [(m.role, m.party) for m in updated] == [(Role.MEDLEM, "Ø")]


async def test_invite_round_trip_and_single_use(uow: SqlUnitOfWork) -> None:
    expires = NOW + timedelta(days=7)
    async with uow:
        beu = await _udvalg(uow)
        person = await _person(uow)
        invite = await uow.invites.add(
            Invite(
                udvalg_id=beu.id or 0,
                role=Role.FORMAND,
                party="V",
                token_hash="a" * 64,
                created_by=person.id or 0,
                expires_at=expires,
                created_at=NOW,
            )
        )
        await uow.commit()
    async with uow:
        got = await uow.invites.by_hash("a" * 64)
    assert got == invite
    assert got is not None and got.expires_at == expires and got.expires_at.tzinfo is not None
    assert got.used_at is None

    used_at = NOW + timedelta(hours=1)
    async with uow:
        assert await uow.invites.mark_used(invite.id or 0, person.id or 0, used_at) is True
        await uow.commit()
    async with uow:
        assert await uow.invites.mark_used(invite.id or 0, person.id or 0, NOW) is False
        await uow.commit()
    async with uow:
        final = await uow.invites.by_hash("a" * 64)
    assert final is not None
    assert final.used_by == person.id
    assert final.used_at == used_at  # the second attempt changed nothing


async def test_invite_race_between_two_sessions_has_one_winner(
    uow: SqlUnitOfWork, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    """Both read the invite as unused; only the first to write gets it."""
    async with uow:
        beu = await _udvalg(uow)
        first, second = await _person(uow, 1), await _person(uow, 2)
        invite = await uow.invites.add(
            Invite(
                udvalg_id=beu.id or 0,
                role=Role.MEDLEM,
                token_hash="b" * 64,
                created_by=first.id or 0,
                expires_at=NOW + timedelta(days=1),
            )
        )
        await uow.commit()
    other = SqlUnitOfWork(session_factory)
    async with uow, other:
        seen_by_first = await uow.invites.by_hash("b" * 64)
        seen_by_second = await other.invites.by_hash("b" * 64)
        assert seen_by_first is not None and seen_by_first.used_at is None
        assert seen_by_second is not None and seen_by_second.used_at is None
        assert await uow.invites.mark_used(invite.id or 0, first.id or 0, NOW)
        await uow.commit()
        assert not await other.invites.mark_used(invite.id or 0, second.id or 0, NOW)
        await other.commit()
    async with uow:
        final = await uow.invites.by_hash("b" * 64)
    assert final is not None and final.used_by == first.id


async def test_moede_round_trip_and_date_window(uow: SqlUnitOfWork) -> None:
    async with uow:
        beu, oeu = await _udvalg(uow), await _udvalg(uow, "ØU")
        jan = await _moede(uow, beu.id or 0, date(2027, 1, 12))
        feb = await _moede(uow, beu.id or 0, date(2027, 2, 9))
        await _moede(uow, beu.id or 0, date(2027, 3, 9))
        other = await _moede(uow, oeu.id or 0, date(2027, 1, 20))
        await uow.commit()
    async with uow:
        got = await uow.moeder.get(jan.id or 0)
        window = await uow.moeder.for_udvalg_between(
            [beu.id or 0, oeu.id or 0], date(2027, 1, 12), date(2027, 2, 9)
        )
        none = await uow.moeder.for_udvalg_between([], date(2000, 1, 1), date(2100, 1, 1))
        for_beu = await uow.moeder.for_udvalg(beu.id or 0)
    assert got == jan
    assert got is not None and got.place == "Rådhuset, mødelokale 2"
    assert got.starts_at == datetime(2027, 1, 12, 13, 0, tzinfo=UTC)
    assert [m.id for m in window] == [jan.id, other.id, feb.id]  # both ends included, by date
    assert none == []
    assert [m.date.month for m in for_beu] == [1, 2, 3]

    ended = datetime(2027, 1, 12, 15, 10, tzinfo=timezone(timedelta(hours=1)))
    async with uow:
        assert got is not None
        got.ended_at = ended
        await uow.moeder.update(got)
        await uow.commit()
    async with uow:
        after = await uow.moeder.get(jan.id or 0)
    assert after is not None and after.ended_at == ended
    assert after.ended_at.utcoffset() == timedelta(0)  # handed back in UTC


async def test_punkt_round_trip_with_every_section(uow: SqlUnitOfWork) -> None:
    async with uow:
        moede = await _moede(uow, (await _udvalg(uow)).id or 0)
        added = await uow.punkter.add(_sag(moede.id or 0))
        await uow.commit()
    async with uow:
        got = await uow.punkter.get(added.id or 0)
    assert got == added
    assert got is not None
    assert set(got.sections) == set(SECTION_KEYS)
    assert got.section("indstilling") == "Tekst til indstilling: æøå ÆØÅ «citat» – slut"
    assert got.sagstype is Sagstype.BESLUTNING and got.kind is PunktKind.SAG
    assert got.beslutningskompetence == "ØU" and got.journal_number == "00.07.01-A00-1-17"
    assert got.version == 1 and got.updated_at == NOW and got.updated_by == 7


async def test_punkt_save_bumps_version_and_refuses_stale_edit(uow: SqlUnitOfWork) -> None:
    async with uow:
        moede = await _moede(uow, (await _udvalg(uow)).id or 0)
        punkt = await uow.punkter.add(_sag(moede.id or 0))
        await uow.commit()
    async with uow:
        first = await uow.punkter.get(punkt.id or 0)
        assert first is not None
        first.sections["beslutning"] = "Godkendt"
        first.sections.pop("tidsplan")
        saved = await uow.punkter.save(first, expected_version=1)
        await uow.commit()
    assert saved.version == 2
    async with uow:
        stale = await uow.punkter.get(punkt.id or 0)
        assert stale is not None
        stale.title = "Overskrevet"
        with pytest.raises(ConcurrentEdit):
            await uow.punkter.save(stale, expected_version=1)
        await uow.commit()
    async with uow:
        stored = await uow.punkter.get(punkt.id or 0)
    assert stored is not None
    assert stored.version == 2
    assert stored.title == "Budgetopfølgning for Ældreområdet"
    assert stored.section("beslutning") == "Godkendt"
    assert "tidsplan" not in stored.sections


async def test_set_positions_moves_without_new_version(uow: SqlUnitOfWork) -> None:
    async with uow:
        beu = await _udvalg(uow)
        jan, feb = await _moede(uow, beu.id or 0), await _moede(uow, beu.id or 0, date(2027, 2, 9))
        a = await uow.punkter.add(_sag(jan.id or 0, "A", 3))
        b = await uow.punkter.add(_sag(jan.id or 0, "B", 4))
        c = await uow.punkter.add(_sag(jan.id or 0, "C", 5))
        await uow.commit()
    async with uow:
        await uow.punkter.set_positions(
            {a.id or 0: (jan.id or 0, 4), b.id or 0: (jan.id or 0, 3), c.id or 0: (feb.id or 0, 0)}
        )
        await uow.commit()
    async with uow:
        in_jan = await uow.punkter.for_moede(jan.id or 0)
        in_feb = await uow.punkter.for_moede(feb.id or 0)
    assert [p.title for p in in_jan] == ["B", "A"]
    assert [p.title for p in in_feb] == ["C"]
    assert {p.version for p in in_jan + in_feb} == {1}


async def test_bilag_bytes_only_when_asked_for(uow: SqlUnitOfWork) -> None:
    async with uow:
        moede = await _moede(uow, (await _udvalg(uow)).id or 0)
        punkt = await uow.punkter.add(_sag(moede.id or 0))
        bilag = await uow.bilag.add(
            Bilag(
                punkt_id=punkt.id or 0,
                file_name="Bilag 1 – Økonomi.pdf",
                size=len(PDF),
                sha256="c" * 64,
                mime_type="application/pdf",
                telegram_file_id="BQACAgIAAxkBAAIB",
                content=PDF,
                created_at=NOW,
            )
        )
        await uow.bilag.add(
            Bilag(
                punkt_id=punkt.id or 0,
                file_name="Bilag 2.docx",
                size=3,
                sha256="d" * 64,
                mime_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                content=b"abc",
                position=1,
            )
        )
        await uow.commit()
    async with uow:
        light = await uow.bilag.get(bilag.id or 0)
        full = await uow.bilag.get(bilag.id or 0, with_content=True)
        listed = await uow.bilag.for_punkt(punkt.id or 0)
    assert light is not None and light.content is None
    assert light.file_name == "Bilag 1 – Økonomi.pdf" and light.size == len(PDF)
    assert light.created_at == NOW
    assert full is not None and full.content == PDF
    assert [b.file_name for b in listed] == ["Bilag 1 – Økonomi.pdf", "Bilag 2.docx"]
    assert all(b.content is None for b in listed)

    async with uow:
        await uow.bilag.delete(bilag.id or 0)
        await uow.commit()
    async with uow:
        assert await uow.bilag.get(bilag.id or 0) is None
        assert len(await uow.bilag.for_punkt(punkt.id or 0)) == 1


async def test_delete_cascades_from_moede_to_punkt_to_bilag(uow: SqlUnitOfWork) -> None:
    async with uow:
        moede = await _moede(uow, (await _udvalg(uow)).id or 0)
        first = await uow.punkter.add(_sag(moede.id or 0, "Første"))
        second = await uow.punkter.add(_sag(moede.id or 0, "Anden"))
        b1 = await uow.bilag.add(
            Bilag(punkt_id=first.id or 0, file_name="a.pdf", size=1, sha256="e", mime_type="x")
        )
        b2 = await uow.bilag.add(
            Bilag(punkt_id=second.id or 0, file_name="b.pdf", size=1, sha256="f", mime_type="x")
        )
        await uow.commit()
    async with uow:
        await uow.punkter.delete(first.id or 0)
        await uow.commit()
    async with uow:
        assert await uow.punkter.get(first.id or 0) is None
        assert await uow.bilag.get(b1.id or 0) is None
        assert await uow.bilag.get(b2.id or 0) is not None
        await uow.session.execute(text("DELETE FROM moede WHERE id = :id"), {"id": moede.id})
        await uow.commit()
    async with uow:
        assert await uow.punkter.for_moede(moede.id or 0) == []
        assert await uow.bilag.get(b2.id or 0) is None


async def test_audit_events_newest_first_with_details(uow: SqlUnitOfWork) -> None:
    async with uow:
        for minute in range(3):
            await uow.audit.add(
                AuditEvent(
                    actor_id=1,
                    action="punkt.edit",
                    entity="punkt",
                    entity_id=minute,
                    details={"field": "titel", "new": f"Ændret {minute} – æøå", "n": minute},
                    udvalg_id=4,
                    at=NOW + timedelta(minutes=minute),
                )
            )
        await uow.commit()
    async with uow:
        recent = await uow.audit.list_recent(limit=2)
    assert [e.entity_id for e in recent] == [2, 1]
    assert recent[0].details == {"field": "titel", "new": "Ændret 2 – æøå", "n": 2}
    assert recent[0].at == NOW + timedelta(minutes=2)
    assert recent[0].udvalg_id == 4 and recent[0].actor_id == 1


async def test_naive_timestamp_is_refused(uow: SqlUnitOfWork) -> None:
    async with uow:
        with pytest.raises(Exception, match="naive datetime"):
            await uow.udvalg.add(
                Udvalg(code="BEU", name="B", forvaltning="F", created_at=datetime(2026, 1, 1))
            )


async def test_two_simultaneous_saves_of_one_version_have_one_winner(
    uow: SqlUnitOfWork, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    async with uow:
        moede = await _moede(uow, (await _udvalg(uow)).id or 0)
        punkt = await uow.punkter.add(_sag(moede.id or 0))
        await uow.commit()

    async def edit(title: str) -> bool:
        async with SqlUnitOfWork(session_factory) as mine:
            current = await mine.punkter.get(punkt.id or 0)
            assert current is not None
            current.title = title
            try:
                await mine.punkter.save(current, expected_version=1)
            except ConcurrentEdit:
                return False
            await mine.commit()
            return True

    results = await asyncio.gather(edit("Første sekretær"), edit("Anden sekretær"))
    assert sorted(results) == [False, True]
    async with uow:
        stored = await uow.punkter.get(punkt.id or 0)
    assert stored is not None and stored.version == 2
    winner = "Første sekretær" if results[0] else "Anden sekretær"
    assert stored.title == winner
