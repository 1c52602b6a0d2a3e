"""What the services of members acting for themselves share: the checks before a member may act
on a meeting, the people to tell (the udvalg's secretaries, its members), and a punkt's place.

A member acts only on a meeting of their own udvalg, before it begins (``rules.before_start``),
and never on one whose protocol is sent or approved (``require_record_open``). Each refusal has
its own short message; nothing is stored.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from agendas import rules
from agendas.dates import format_date
from agendas.errors import InvalidInput, NotAllowed
from agendas.mailings import OutDocument, OutMessage
from agendas.meeting.loading import member_line
from agendas.meeting_view import MemberLine
from agendas.model import Actor, Moede, Person, Punkt, Role, Udvalg
from agendas.outbox import OutboxKind
from agendas.ports import UnitOfWork
from agendas.services.common import require_record_open
from agendas.services.release_mailing import queue_message


def is_member(actor: Actor, udvalg_id: int) -> bool:
    return any(r.is_member for r in actor.roles_in(udvalg_id))


def require_member(actor: Actor, udvalg_id: int) -> None:
    if not is_member(actor, udvalg_id):
        raise NotAllowed("err-members-not-member")


async def member_before_meeting(
    uow: UnitOfWork, actor: Actor, moede: Moede, now: datetime
) -> MemberLine:
    """The acting member's line on the meeting's roster, if they may still act on it: a member
    of its udvalg (on the roster on its day), the meeting not begun, its record open."""
    require_member(actor, moede.udvalg_id)
    await require_record_open(uow, moede.id or 0)
    if not rules.before_start(moede, now):
        raise InvalidInput("err-members-started", date=format_date(moede.date))
    return await member_line(uow, moede, actor.person_id)


async def udvalg_of(uow: UnitOfWork, moede: Moede) -> Udvalg:
    udvalg = await uow.udvalg.get(moede.udvalg_id)
    assert udvalg is not None
    return udvalg


async def numbered(uow: UnitOfWork, punkt: Punkt) -> Punkt:
    """The punkt with its number on the agenda as it stands."""
    ordered = rules.ordered(await uow.punkter.for_moede(punkt.moede_id))
    punkt.number = next((p.number for p in ordered if p.id == punkt.id), 0)
    return punkt


async def people_with(uow: UnitOfWork, udvalg_id: int, member: bool) -> list[Person]:
    """The udvalg's members (``member``) or secretaries who are on Telegram, in a stable order."""
    ids = sorted(
        {
            m.person_id
            for m in await uow.memberships.for_udvalg(udvalg_id)
            if (m.role.is_member if member else m.role is Role.SEKRETAER)
        }
    )
    found = await uow.persons.many(ids)
    return [found[i] for i in ids if i in found and found[i].on_telegram]


@dataclass(frozen=True, slots=True)
class Notice:
    """One message for one person: the outbox key (unique) and what to send."""

    key: str
    person: Person
    item: OutMessage | OutDocument


async def queue_notices(
    uow: UnitOfWork, notices: Iterable[Notice], now: datetime, udvalg_id: int
) -> int:
    """Each notice to the outbox, due now; how many were stored (a key already there, or a
    person without Telegram, stores nothing)."""
    stored = 0
    for notice in notices:
        person = notice.person
        if await queue_message(
            uow,
            notice.key,
            person.telegram_id,
            OutboxKind.NOTICE,
            notice.item,
            now,
            person.id,
            udvalg_id,
        ):
            stored += 1
    return stored
