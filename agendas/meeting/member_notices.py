"""A member tells the udvalg before the meeting: "Jeg er inhabil" in a punkt, "kommer fra
punkt 3" / "går efter punkt 5", and with an afbud "Indkald min stedfortræder".

Kommunestyrelsesloven § 14, stk. 1 (for udvalg through § 20) puts the duty to raise a possible
inhabilitet on the member; the udvalg decides. So a declaration is kept with its reason and the
secretaries are told, and the secretary confirms it in meeting mode
(``agendas.meeting.decisions.confirm_inhabil``): only then does the protocol carry the usual
wording. Ranges and the stedfortræder go straight into the meeting's attendance, which meeting
mode shows already filled in. Every path refuses a meeting that has begun or whose protocol is
sent or approved (``member_before_meeting``), and bumps the protocol's revision like the
secretary's own changes (``changed_before``), so an older meeting-mode button is recognised.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from agendas.chatviews import Texts
from agendas.errors import DomainError, InvalidInput
from agendas.mailings import OutDocument, OutMessage
from agendas.meeting.loading import attendance_record, changed_before, udvalg_members
from agendas.meeting_view import MemberLine
from agendas.member_mailings import inhabil_notice, substitute_called, substitute_notice
from agendas.members import MAX_INHABIL_REASON, InhabilDeclaration
from agendas.model import Actor, Moede, Punkt, PunktKind, Udvalg
from agendas.ports import UnitOfWork
from agendas.protocol import AttendanceStatus, SagRange
from agendas.protocol_input import clean_text, parse_member_ranges
from agendas.records import AttendanceRecord
from agendas.services.common import load_moede, load_punkt
from agendas.services.member_common import (
    Notice,
    member_before_meeting,
    numbered,
    people_with,
    queue_notices,
    udvalg_of,
)
from agendas.services.release_mailing import (
    MailingKind,
    Recipient,
    agenda_mailing,
    mailing_agenda,
)


@dataclass(frozen=True, slots=True)
class Declared:
    """What the member is told: the punkt (numbered), its meeting and udvalg."""

    punkt: Punkt
    moede: Moede
    udvalg: Udvalg


async def _inhabil_target(
    uow: UnitOfWork, actor: Actor, punkt_id: int, now: datetime
) -> tuple[Declared, MemberLine]:
    punkt, moede = await load_punkt(uow, punkt_id)
    line = await member_before_meeting(uow, actor, moede, now)
    if punkt.kind is not PunktKind.SAG:
        raise InvalidInput("err-inhabil-standard-punkt")
    return Declared(await numbered(uow, punkt), moede, await udvalg_of(uow, moede)), line


async def check_inhabil(uow: UnitOfWork, actor: Actor, punkt_id: int, now: datetime) -> Declared:
    """Before asking for the reason: may this member still declare inhabilitet here?"""
    async with uow:
        return (await _inhabil_target(uow, actor, punkt_id, now))[0]


async def declare_inhabil(
    uow: UnitOfWork, actor: Actor, punkt_id: int, reason: str, now: datetime, texts: Texts
) -> Declared:
    """Keep the declaration (a second one replaces the reason) and tell the secretaries."""
    reason = clean_text(
        " ".join(reason.split()),
        MAX_INHABIL_REASON,
        "err-inhabil-reason-empty",
        "err-inhabil-reason-too-long",
    )
    async with uow:
        declared, line = await _inhabil_target(uow, actor, punkt_id, now)
        punkt, moede, udvalg = declared.punkt, declared.moede, declared.udvalg
        await uow.declarations.put(InhabilDeclaration(punkt_id, actor.person_id, reason, now))
        rev = await changed_before(
            uow, actor, moede, now, "punkt.inhabil_declared", punkt_id=punkt_id, reason=reason
        )
        member = line.ref().label()
        notices = [
            Notice(
                f"inhabil:{punkt_id}:p{actor.person_id}:r{rev}:s{person.id}",
                person,
                inhabil_notice(texts(person.language), udvalg, moede, punkt, member, reason),
            )
            for person in await people_with(uow, udvalg.id or 0, member=False)
        ]
        await queue_notices(uow, notices, now, udvalg.id or 0)
        await uow.commit()
    return declared


async def agenda_length(uow: UnitOfWork, actor: Actor, moede_id: int, now: datetime) -> int:
    """Before asking "kommer/går": may this member still say so, and how many punkter there are."""
    async with uow:
        moede = await load_moede(uow, moede_id)
        await member_before_meeting(uow, actor, moede, now)
        return len(await uow.punkter.for_moede(moede_id))


async def set_member_ranges(
    uow: UnitOfWork, actor: Actor, moede_id: int, text: str, now: datetime
) -> tuple[SagRange, ...]:
    """ "kommer fra punkt 3", "går efter punkt 5", "sag 3-5" or "ingen": the punkter the member
    will miss, in their attendance (an afbud given before becomes "til stede" for the rest)."""
    async with uow:
        moede = await load_moede(uow, moede_id)
        line = await member_before_meeting(uow, actor, moede, now)
        ranges = parse_member_ranges(text, len(await uow.punkter.for_moede(moede_id)))
        records = await uow.attendance.for_moede(moede_id)
        if any(r.substitute_for == actor.person_id for r in records):
            raise InvalidInput("err-members-ranges-substituted")
        record = await attendance_record(uow, moede_id, actor.person_id)
        if line.substitute_only and not (
            record and record.status is AttendanceStatus.STEDFORTRAEDER
        ):
            raise InvalidInput("err-members-ranges-not-called")
        record = record or AttendanceRecord(moede_id, actor.person_id, AttendanceStatus.TIL_STEDE)
        if record.status is not AttendanceStatus.STEDFORTRAEDER:
            record.status = AttendanceStatus.TIL_STEDE
        record.absent_for, record.updated_at = ranges, now
        await uow.attendance.put(record)
        await changed_before(
            uow,
            actor,
            moede,
            now,
            "moede.absent_for",
            person_id=actor.person_id,
            ranges=[[r.first, r.last] for r in ranges],
            by_member=True,
        )
        await uow.commit()
    return ranges


async def substitute_candidates(
    uow: UnitOfWork, actor: Actor, moede_id: int, now: datetime
) -> list[MemberLine]:
    """The stedfortrædere the roster names for this member on the meeting's day (none when the
    member may no longer act on the meeting)."""
    async with uow:
        moede = await load_moede(uow, moede_id)
        try:
            await member_before_meeting(uow, actor, moede, now)
        except DomainError:  # refused: no buttons (the afbud itself said why, if at all)
            return []
        members = await udvalg_members(uow, moede.udvalg_id, moede.date)
    return [m for m in members if m.stands_in_for == actor.person_id]


@dataclass(frozen=True, slots=True)
class Called:
    substitute: MemberLine
    moede: Moede
    udvalg: Udvalg
    #: The agenda was sent out already, so it went to the stedfortræder now.
    released: bool


async def call_substitute(
    uow: UnitOfWork,
    actor: Actor,
    moede_id: int,
    substitute_id: int,
    now: datetime,
    zone: str,
    texts: Texts,
) -> Called:
    """The member's afbud stands, their stedfortræder (as the roster names them) attends for
    them; the secretaries are told, and the stedfortræder gets the news and the agenda (once it
    has been sent out) through the outbox."""
    async with uow:
        moede = await load_moede(uow, moede_id)
        line = await member_before_meeting(uow, actor, moede, now)
        members = await udvalg_members(uow, moede.udvalg_id, moede.date)
        substitute = next((m for m in members if m.person_id == substitute_id), None)
        if substitute is None or substitute.stands_in_for != actor.person_id:
            raise InvalidInput("err-members-not-your-substitute")
        records = {r.person_id: r for r in await uow.attendance.for_moede(moede_id)}
        taken = records.get(substitute_id)
        if taken and taken.status is AttendanceStatus.STEDFORTRAEDER:
            if taken.substitute_for == actor.person_id:
                raise InvalidInput("err-members-substitute-already", name=substitute.person.name)
            raise InvalidInput("err-members-substitute-busy", name=substitute.person.name)
        await uow.attendance.put(
            AttendanceRecord(moede_id, actor.person_id, AttendanceStatus.AFBUD, updated_at=now)
        )
        await uow.attendance.put(
            AttendanceRecord(
                moede_id,
                substitute_id,
                AttendanceStatus.STEDFORTRAEDER,
                substitute_for=actor.person_id,
                updated_at=now,
            )
        )
        await changed_before(
            uow, actor, moede, now, "moede.substitute_called", substitute_id=substitute_id
        )
        udvalg = await udvalg_of(uow, moede)
        released = await uow.releases.get(moede_id) is not None
        member = line.ref().label()
        await _tell(uow, moede, udvalg, member, substitute, released, now, zone, texts)
        await uow.commit()
    return Called(substitute, moede, udvalg, released)


async def _tell(
    uow: UnitOfWork,
    moede: Moede,
    udvalg: Udvalg,
    member: str,
    substitute: MemberLine,
    released: bool,
    now: datetime,
    zone: str,
    texts: Texts,
) -> None:
    key = f"substitute:{moede.id}:p{substitute.person_id}"
    name, person = substitute.ref().label(), substitute.person
    notices = [
        Notice(
            f"{key}:s{secretary.id}",
            secretary,
            substitute_notice(
                texts(secretary.language), udvalg, moede, member, name, person.on_telegram
            ),
        )
        for secretary in await people_with(uow, udvalg.id or 0, member=False)
    ]
    t = texts(person.language)
    notices.append(
        Notice(f"{key}:called", person, substitute_called(t, udvalg, moede, member, released))
    )
    await queue_notices(uow, notices, now, udvalg.id or 0)
    if released and person.on_telegram:
        agenda = await mailing_agenda(uow, moede)
        rendered: dict[MailingKind, list[OutMessage | OutDocument]] = {}
        recipient = Recipient(person, may_read_closed=True)
        await uow.outbox.add_many(
            agenda_mailing(agenda, recipient, zone, now, now, texts, key, rendered)
        )
