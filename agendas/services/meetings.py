"""Meetings (møder) and their agendas."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from agendas import rules
from agendas.dates import format_date, local_to_utc, to_local
from agendas.errors import InvalidInput, NotFound
from agendas.model import STANDARD_TITLES, Actor, Bilag, Moede, Punkt, PunktKind, Udvalg
from agendas.ports import AgendaRead, UnitOfWork
from agendas.services.common import (
    audit,
    require_editor,
    require_reader,
    require_record_open,
    udvalg_by_code,
)

#: How far back /moeder shows past meetings.
RECENT = timedelta(days=60)
#: How far ahead /moeder looks, and so how far ahead a meeting may be planned: a meeting
#: further out would be in no list (most often the year is mistyped, 2028 for 2027).
AHEAD = timedelta(days=400)


def check_planned_day(day: date, today: date) -> None:
    """A meeting is planned at most ``AHEAD`` from today (the dialog asks at once)."""
    if day > today + AHEAD:
        raise InvalidInput("err-date-too-far", date=format_date(day), days=AHEAD.days)


async def create_moede(
    uow: UnitOfWork,
    actor: Actor,
    udvalg_code: str,
    day: date,
    at: time,
    place: str,
    now: datetime,
    zone: str,
) -> tuple[Moede, Udvalg]:
    """Create a meeting with the standard punkter; a start in the past, or further ahead than
    the lists look (``AHEAD``), is refused."""
    place = " ".join(place.split())
    if len(place) > rules.MAX_PLACE:
        raise InvalidInput("err-place-too-long", limit=rules.MAX_PLACE)
    starts_at = local_to_utc(day, at, zone)
    if starts_at <= now:
        raise InvalidInput("err-date-past")
    check_planned_day(day, to_local(now, zone).date())
    async with uow:
        udvalg = await udvalg_by_code(uow, udvalg_code)
        require_editor(actor, udvalg.id or 0)
        moede = await uow.moeder.add(
            Moede(
                udvalg_id=udvalg.id or 0,
                date=day,
                start_time=at,
                place=place,
                starts_at=starts_at,
                created_at=now,
            )
        )
        for position, kind in enumerate(
            (PunktKind.GODKENDELSE, PunktKind.MEDDELELSER, PunktKind.EVENTUELT)
        ):
            await uow.punkter.add(
                Punkt(
                    moede_id=moede.id or 0,
                    kind=kind,
                    title=STANDARD_TITLES[kind],
                    position=position,
                    beslutningskompetence=udvalg.code,
                    updated_at=now,
                    updated_by=actor.person_id,
                )
            )
        await audit(
            uow,
            actor,
            "moede.create",
            "moede",
            moede.id,
            now,
            udvalg.id,
            date=day.isoformat(),
            time=at.isoformat("minutes"),
            place=place,
        )
        await uow.commit()
    return moede, udvalg


@dataclass(slots=True)
class MoedeListing:
    moede: Moede
    udvalg: Udvalg


async def list_moeder(uow: UnitOfWork, actor: Actor, today: date) -> list[MoedeListing]:
    """Coming and recent meetings of the committees the person belongs to, soonest first."""
    async with uow:
        found = await uow.views.moeder_between(_listed_udvalg(actor), today - RECENT, today + AHEAD)
    return [MoedeListing(m, u) for m, u in sorted(found, key=lambda x: (x[0].date, x[0].clock))]


def _listed_udvalg(actor: Actor) -> list[int] | None:
    """The committees whose meetings the person's lists show; None: every one (the admin)."""
    return None if actor.is_admin else sorted(actor.roles)


def next_moede(listing: list[MoedeListing], now: datetime) -> MoedeListing | None:
    """The first meeting that has not started yet, else the latest past one."""
    coming = [x for x in listing if x.moede.starts_at and x.moede.starts_at >= now]
    if coming:
        return coming[0]
    return listing[-1] if listing else None


@dataclass(slots=True)
class Agenda:
    moede: Moede
    udvalg: Udvalg
    punkter: list[Punkt]
    #: The bilag of each punkt (a mailing sends them); the overview has only their counts.
    bilag: dict[int, list[Bilag]]
    bilag_counts: dict[int, int] = field(default_factory=dict)

    def bilag_count(self, punkt_id: int) -> int:
        listed = self.bilag.get(punkt_id)
        return len(listed) if listed is not None else self.bilag_counts.get(punkt_id, 0)


async def load_agenda(uow: UnitOfWork, actor: Actor, moede_id: int) -> Agenda:
    """The agenda overview in order and numbered, in one read: the punkter's titles and kinds
    without their section texts (``punkter.open_punkt`` has those), and their bilag counts.
    Any role in the udvalg may read it."""
    async with uow:
        read = await uow.views.agenda(moede_id)
    if read is None:
        raise NotFound("err-moede-gone")
    return _agenda(actor, read)


async def load_next_agenda(
    uow: UnitOfWork, actor: Actor, today: date, now: datetime, udvalg_id: int | None = None
) -> Agenda | None:
    """/dagsorden: the overview of the person's next meeting (``next_moede`` among
    ``list_moeder``, of ``udvalg_id`` when given), chosen and read in one query; None when
    there is none."""
    udvalg_ids = _listed_udvalg(actor)
    if udvalg_id is not None:
        udvalg_ids = [udvalg_id] if udvalg_ids is None or udvalg_id in udvalg_ids else []
    async with uow:
        read = await uow.views.next_agenda(udvalg_ids, today - RECENT, today + AHEAD, now)
    return None if read is None else _agenda(actor, read)


def _agenda(actor: Actor, read: AgendaRead) -> Agenda:
    require_reader(actor, read.moede.udvalg_id)
    punkter = rules.ordered(read.punkter)
    # A closed punkt's bilag are not even counted for those who may not open it.
    counts = {
        p.id or 0: read.bilag_counts.get(p.id or 0, 0)
        for p in punkter
        if rules.may_open(actor, read.moede.udvalg_id, p)
    }
    return Agenda(
        moede=read.moede, udvalg=read.udvalg, punkter=punkter, bilag={}, bilag_counts=counts
    )


async def editable_moeder(uow: UnitOfWork, actor: Actor, today: date) -> list[MoedeListing]:
    """Coming meetings where this person may add sager (the secretary's choice list); not one
    whose protocol is sent for approval or approved (held early and closed)."""
    coming = [
        x
        for x in await list_moeder(uow, actor, today)
        if x.moede.date >= today and rules.can_edit_udvalg(actor, x.udvalg.id or 0)
    ]
    async with uow:
        states = await uow.protokoller.for_moeder([x.moede.id or 0 for x in coming])
    return [x for x in coming if not (s := states.get(x.moede.id or 0)) or not s.frozen]


async def require_open_for_sager(uow: UnitOfWork, moede_id: int) -> None:
    """Before a /nysag dialog starts: refused at once when the meeting's record is frozen, so
    the secretary does not type a whole sag only to have it refused at the end."""
    async with uow:
        await require_record_open(uow, moede_id)
