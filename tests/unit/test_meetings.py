"""Meetings: created with the standard punkter; listed per membership."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from agendas.dates import local_to_utc
from agendas.errors import InvalidInput, NotAllowed, NotFound
from agendas.model import Moede, PunktKind
from agendas.services import meetings
from tests.unit.conftest import MEETING_DAY, MEETING_TIME, NOW, TODAY, ZONE, World


async def test_new_moede_gets_the_standard_punkter_in_order(world: World) -> None:
    moede, udvalg = await meetings.create_moede(
        world.uow,
        world.secretary,
        "beu",
        MEETING_DAY,
        MEETING_TIME,
        "  Rådhuset,\n mødelokale 2 ",
        NOW,
        ZONE,
    )

    assert udvalg.code == "BEU"
    stored = world.uow.committed_state.moeder[moede.id or 0]
    assert stored.place == "Rådhuset, mødelokale 2"
    assert stored.starts_at == datetime(2027, 1, 12, 13, 0, tzinfo=UTC)
    agenda = await meetings.load_agenda(world.uow, world.member, moede.id or 0)
    assert [(p.number, p.kind, p.title) for p in agenda.punkter] == [
        (1, PunktKind.GODKENDELSE, "Godkendelse af dagsorden"),
        (2, PunktKind.MEDDELELSER, "Meddelelser"),
        (3, PunktKind.EVENTUELT, "Eventuelt"),
    ]
    assert all(p.beslutningskompetence == "BEU" for p in agenda.punkter)
    assert [agenda.bilag_count(p.id or 0) for p in agenda.punkter] == [0, 0, 0]
    event = world.uow.events[-1]
    assert (event.action, event.actor_id, event.entity_id, event.udvalg_id) == (
        "moede.create",
        world.secretary.person_id,
        moede.id,
        world.beu.id,
    )
    assert event.details["date"] == "2027-01-12"


async def test_meeting_today_later_is_fine_but_earlier_is_past(world: World) -> None:
    # NOW is 09:00 UTC = 10:00 in Copenhagen.
    moede, _ = await meetings.create_moede(
        world.uow, world.secretary, "BEU", TODAY, time(10, 1), "", NOW, ZONE
    )
    assert moede.id is not None
    before = world.uow.snapshot()
    for at in (time(10, 0), time(9, 0)):
        with pytest.raises(InvalidInput) as info:
            await meetings.create_moede(world.uow, world.secretary, "BEU", TODAY, at, "", NOW, ZONE)
        assert info.value.key == "err-date-past"
    with pytest.raises(InvalidInput):
        await meetings.create_moede(
            world.uow, world.secretary, "BEU", date(2026, 1, 12), MEETING_TIME, "", NOW, ZONE
        )
    assert world.uow.committed_state == before


async def test_a_meeting_further_ahead_than_the_lists_look_is_refused(world: World) -> None:
    """/moeder and /nysag look 400 days ahead: a meeting beyond would be in no list."""
    last = TODAY + meetings.AHEAD
    before = world.uow.snapshot()
    with pytest.raises(InvalidInput) as info:
        await meetings.create_moede(
            world.uow, world.secretary, "BEU", last + timedelta(days=1), MEETING_TIME, "", NOW, ZONE
        )
    assert info.value.key == "err-date-too-far"
    assert info.value.params == {
        "date": (last + timedelta(days=1)).strftime("%d-%m-%Y"),
        "days": 400,
    }
    assert world.uow.committed_state == before

    moede, _ = await meetings.create_moede(
        world.uow, world.secretary, "BEU", last, MEETING_TIME, "", NOW, ZONE
    )
    listed = await meetings.list_moeder(world.uow, world.secretary, TODAY)
    assert [x.moede.id for x in listed] == [moede.id]


@pytest.mark.parametrize("who", ["member", "tovholder", "outsider", "sou_secretary"])
async def test_only_the_secretary_or_admin_creates_meetings(world: World, who: str) -> None:
    before = world.uow.snapshot()
    with pytest.raises(NotAllowed) as info:
        await meetings.create_moede(
            world.uow, getattr(world, who), "BEU", MEETING_DAY, MEETING_TIME, "", NOW, ZONE
        )
    assert info.value.key == "err-not-secretary"
    assert world.uow.committed_state == before


async def test_place_too_long_and_unknown_committee_are_refused(world: World) -> None:
    before = world.uow.snapshot()
    with pytest.raises(InvalidInput) as long_place:
        await meetings.create_moede(
            world.uow, world.secretary, "BEU", MEETING_DAY, MEETING_TIME, "x" * 201, NOW, ZONE
        )
    assert long_place.value.key == "err-place-too-long"
    with pytest.raises(NotFound) as unknown:
        await meetings.create_moede(
            world.uow, world.admin, "NOPE", MEETING_DAY, MEETING_TIME, "", NOW, ZONE
        )
    assert unknown.value.key == "err-udvalg-unknown"
    assert world.uow.committed_state == before


async def test_list_moeder_shows_own_committees_soonest_first(world: World) -> None:
    later = await world.new_moede(date(2027, 3, 2))
    sooner = await world.new_moede(date(2027, 1, 5))
    sou = await world.new_moede(date(2027, 2, 1), udvalg="SOU")
    # Stored before the service refused meetings so far ahead.
    far_day = TODAY + meetings.AHEAD + timedelta(days=1)
    async with world.uow:
        far = await world.uow.moeder.add(
            Moede(
                world.beu.id or 0,
                far_day,
                MEETING_TIME,
                "",
                local_to_utc(far_day, MEETING_TIME, ZONE),
            )
        )
        await world.uow.commit()

    for who in ("member", "tovholder", "secretary"):
        listing = await meetings.list_moeder(world.uow, getattr(world, who), TODAY)
        assert [x.moede.id for x in listing] == [sooner, later], who
        assert {x.udvalg.code for x in listing} == {"BEU"}
    everything = await meetings.list_moeder(world.uow, world.admin, TODAY)
    assert [x.moede.id for x in everything] == [sooner, sou, later]
    assert far.id not in [x.moede.id for x in everything]
    assert await meetings.list_moeder(world.uow, world.outsider, TODAY) == []


async def test_list_moeder_keeps_recent_past_meetings(world: World) -> None:
    moede_id = await world.new_moede(date(2027, 1, 5))
    # Sixty days after the meeting it is still listed; a day later it is gone.
    day = date(2027, 1, 5) + meetings.RECENT
    assert [x.moede.id for x in await meetings.list_moeder(world.uow, world.member, day)] == [
        moede_id
    ]
    assert await meetings.list_moeder(world.uow, world.member, day + timedelta(days=1)) == []


async def test_next_moede_is_the_first_not_started_else_the_latest(world: World) -> None:
    first = await world.new_moede(date(2027, 1, 5))
    second = await world.new_moede(date(2027, 1, 19))
    listing = await meetings.list_moeder(world.uow, world.member, TODAY)

    chosen = meetings.next_moede(listing, NOW)
    assert chosen is not None and chosen.moede.id == first
    during_first = datetime(2027, 1, 5, 14, 0, tzinfo=UTC)
    chosen = meetings.next_moede(listing, during_first)
    assert chosen is not None and chosen.moede.id == second
    chosen = meetings.next_moede(listing, datetime(2027, 2, 1, tzinfo=UTC))
    assert chosen is not None and chosen.moede.id == second
    assert meetings.next_moede([], NOW) is None


async def test_agenda_is_for_the_committee_only(world: World) -> None:
    moede_id = await world.new_moede()
    for who in ("outsider", "sou_secretary"):
        with pytest.raises(NotAllowed) as info:
            await meetings.load_agenda(world.uow, getattr(world, who), moede_id)
        assert info.value.key == "err-not-in-udvalg"
    with pytest.raises(NotFound) as gone:
        await meetings.load_agenda(world.uow, world.member, 9999)
    assert gone.value.key == "err-moede-gone"
    agenda = await meetings.load_agenda(world.uow, world.tovholder, moede_id)
    assert len(agenda.punkter) == 3


async def test_editable_moeder_are_coming_meetings_of_own_committees(world: World) -> None:
    await world.new_moede(date(2027, 1, 5))
    await world.new_moede(date(2027, 2, 1), udvalg="SOU")
    mine = await meetings.editable_moeder(world.uow, world.secretary, TODAY)
    assert [x.udvalg.code for x in mine] == ["BEU"]
    assert await meetings.editable_moeder(world.uow, world.member, TODAY) == []
    assert await meetings.editable_moeder(world.uow, world.secretary, date(2027, 1, 6)) == []
