"""/dagsorden's one query (``meetings.load_next_agenda``) picks the meeting the rule of /moeder
picks (``meetings.next_moede`` over ``meetings.list_moeder``), on SQLite and PostgreSQL: the
first that has not started, else the latest; a meeting without a time counts as at midnight;
only the person's committees."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from agendas.dates import local_to_utc, to_local
from agendas.model import Actor, Moede, Punkt, PunktKind, Role, Udvalg
from agendas.services import meetings
from storage.uow import SqlUnitOfWork

ZONE = "Europe/Copenhagen"
START, END = date(2026, 1, 1), date(2027, 12, 31)


async def _moede(uow: SqlUnitOfWork, udvalg_id: int, day: date, at: time | None) -> int:
    moede = await uow.moeder.add(
        Moede(udvalg_id, day, at, "Rådhuset", starts_at=local_to_utc(day, at or time(0), ZONE))
    )
    return moede.id or 0


async def _both(
    uow: SqlUnitOfWork, udvalg_ids: list[int] | None, now: datetime
) -> tuple[int | None, int | None]:
    """(the one query's meeting, the listing rule's meeting) for a person in these committees
    (None: the administrator)."""
    roles = {i: frozenset({Role.MEDLEM}) for i in udvalg_ids or []}
    actor = Actor(1, is_admin=udvalg_ids is None, roles=roles)
    today = to_local(now, ZONE).date()
    agenda = await meetings.load_next_agenda(uow, actor, today, now)
    chosen = meetings.next_moede(await meetings.list_moeder(uow, actor, today), now)
    return (agenda.moede.id if agenda else None), (chosen.moede.id if chosen else None)


async def test_the_one_query_picks_the_meeting_the_rule_picks(uow: SqlUnitOfWork) -> None:
    async with uow:
        beu = (await uow.udvalg.add(Udvalg("BEU", "Beskæftigelsesudvalget", "JF"))).id or 0
        sou = (await uow.udvalg.add(Udvalg("SOU", "Socialudvalget", "SF"))).id or 0
        past = await _moede(uow, beu, date(2026, 11, 3), time(15))
        morning = await _moede(uow, beu, date(2026, 12, 1), time(9))
        untimed = await _moede(uow, beu, date(2026, 12, 1), None)  # midnight: before 09:00
        afternoon = await _moede(uow, beu, date(2026, 12, 1), time(14))
        social = await _moede(uow, sou, date(2026, 11, 20), time(10))
        await uow.punkter.add(Punkt(afternoon, PunktKind.SAG, "Budget 2027", position=0))
        await uow.commit()

    def at(day: date, clock: time) -> datetime:
        return local_to_utc(day, clock, ZONE)

    cases = [
        (None, at(date(2026, 11, 1), time(8)), past),  # the admin: every committee
        ([beu], at(date(2026, 11, 1), time(8)), past),
        ([sou], at(date(2026, 11, 1), time(8)), social),
        ([beu], at(date(2026, 11, 30), time(23, 30)), untimed),  # midnight comes first
        ([beu], at(date(2026, 12, 1), time(0, 30)), morning),
        ([beu], at(date(2026, 12, 1), time(9)), morning),  # starting now: not begun
        ([beu], at(date(2026, 12, 1), time(12)), afternoon),
        ([beu], at(date(2026, 12, 2), time(8)), afternoon),  # none to come: the latest
        ([beu, sou], at(date(2026, 11, 10), time(8)), social),
        ([], at(date(2026, 11, 1), time(8)), None),  # a person in no committee
    ]
    for udvalg_ids, now, expected in cases:
        assert await _both(uow, udvalg_ids, now) == (expected, expected), (udvalg_ids, now)

    async with uow:
        read = await uow.views.next_agenda([beu], START, END, at(date(2026, 12, 1), time(12)))
        none_yet = await uow.views.next_agenda([beu], START, END, at(date(2026, 11, 1), time(8)))
        later = await uow.views.next_agenda(
            [beu], date(2027, 1, 1), END, datetime(2027, 1, 2, tzinfo=UTC)
        )
    assert read is not None and [p.title for p in read.punkter] == ["Budget 2027"]
    assert (read.udvalg.code, read.moede.start_time) == ("BEU", time(14))
    assert none_yet is not None and none_yet.punkter == []  # a meeting without punkter
    assert later is None  # nothing from START to END
