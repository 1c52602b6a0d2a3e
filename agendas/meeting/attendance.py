"""Attendance: the secretary marks each member during the meeting (til stede, afbud,
fraværende, stedfortræder for whom, "sag 3-5" for arriving late or leaving early); a member
reports afbud for a coming meeting with /afbud."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from agendas import rules
from agendas.errors import InvalidInput, NotAllowed
from agendas.meeting.loading import attendance_record, changed, changed_before, member_line
from agendas.model import Actor, Moede, Udvalg
from agendas.ports import UnitOfWork
from agendas.protocol import AttendanceStatus
from agendas.protocol_input import parse_ranges
from agendas.records import PRESENT, AttendanceRecord
from agendas.services.common import load_moede, require_editor
from agendas.services.meetings import MoedeListing, list_moeder

#: How far from today /moede looks for the meeting being held.
MEETING_WINDOW = timedelta(days=30)


async def meeting_mode_moeder(uow: UnitOfWork, actor: Actor, today: date) -> list[MoedeListing]:
    """Meetings around today where this person is secretary, nearest first."""
    listing = await list_moeder(uow, actor, today)
    near = [
        x
        for x in listing
        if rules.can_edit_udvalg(actor, x.udvalg.id or 0)
        and abs(x.moede.date - today) <= MEETING_WINDOW
    ]
    return sorted(near, key=lambda x: (abs((x.moede.date - today).days), x.moede.date))


def next_coming(listing: list[MoedeListing], actor: Actor, today: date) -> MoedeListing | None:
    """The first meeting after today where this person is secretary (for "no meeting today")."""
    coming = [
        x
        for x in listing
        if rules.can_edit_udvalg(actor, x.udvalg.id or 0) and x.moede.date > today
    ]
    return min(coming, key=lambda x: (x.moede.date, x.moede.clock), default=None)


async def set_attendance(
    uow: UnitOfWork,
    actor: Actor,
    moede_id: int,
    person_id: int,
    status: AttendanceStatus,
    expected_rev: int | None,
    now: datetime,
    substitute_for: int | None = None,
) -> int:
    """The secretary marks a member til stede / afbud / fraværende, or a stedfortræder for whom.

    Returns the protocol's new revision.
    """
    async with uow:
        moede = await load_moede(uow, moede_id)
        require_editor(actor, moede.udvalg_id)
        line = await member_line(uow, moede, person_id)
        if status is AttendanceStatus.STEDFORTRAEDER:
            if substitute_for is None or substitute_for == person_id:
                raise InvalidInput("err-substitute-for")
            await member_line(uow, moede, substitute_for)
        else:
            substitute_for = None
        record = await attendance_record(uow, moede_id, person_id) or AttendanceRecord(
            moede_id=moede_id, person_id=person_id, status=status
        )
        record.status, record.substitute_for, record.updated_at = status, substitute_for, now
        if status not in PRESENT:
            record.absent_for = ()
        await uow.attendance.put(record)
        rev = await changed(
            uow,
            actor,
            moede,
            expected_rev,
            now,
            "moede.attendance",
            person_id=person_id,
            name=line.person.name,
            status=status.value,
            substitute_for=substitute_for,
        )
        await uow.commit()
    return rev


async def set_absent_for(
    uow: UnitOfWork,
    actor: Actor,
    moede_id: int,
    person_id: int,
    text: str,
    expected_rev: int | None,
    now: datetime,
) -> int:
    """A member present who arrived late or left early: "sag 3-5"; ``ingen`` clears."""
    async with uow:
        moede = await load_moede(uow, moede_id)
        require_editor(actor, moede.udvalg_id)
        line = await member_line(uow, moede, person_id)
        line.record = await attendance_record(uow, moede_id, person_id)
        if not line.present:
            raise InvalidInput("err-ranges-not-present", name=line.person.name)
        count = len(await uow.punkter.for_moede(moede_id))
        ranges = parse_ranges(text, count)
        record = line.record or AttendanceRecord(
            moede_id=moede_id, person_id=person_id, status=AttendanceStatus.TIL_STEDE
        )
        record.absent_for, record.updated_at = ranges, now
        await uow.attendance.put(record)
        rev = await changed(
            uow,
            actor,
            moede,
            expected_rev,
            now,
            "moede.absent_for",
            person_id=person_id,
            ranges=[[r.first, r.last] for r in ranges],
        )
        await uow.commit()
    return rev


def _member_of(actor: Actor, udvalg_id: int) -> bool:
    return any(r.is_member for r in actor.roles_in(udvalg_id))


async def afbud_moeder(uow: UnitOfWork, actor: Actor, now: datetime) -> list[MoedeListing]:
    """Coming meetings of the committees where this person is a member."""
    listing = await list_moeder(uow, actor, now.date())
    return [
        x
        for x in listing
        if _member_of(actor, x.udvalg.id or 0) and x.moede.starts_at and x.moede.starts_at > now
    ]


async def report_afbud(
    uow: UnitOfWork, actor: Actor, moede_id: int, now: datetime
) -> tuple[Moede, Udvalg]:
    """A member sends afbud for a coming meeting; the secretary sees it in the attendance."""
    async with uow:
        moede = await load_moede(uow, moede_id)
        if not _member_of(actor, moede.udvalg_id):
            raise NotAllowed("err-afbud-not-member")
        if moede.starts_at is None or moede.starts_at <= now:
            raise InvalidInput("err-afbud-past")
        record = await attendance_record(uow, moede_id, actor.person_id) or AttendanceRecord(
            moede_id=moede_id, person_id=actor.person_id, status=AttendanceStatus.AFBUD
        )
        record.status, record.substitute_for, record.absent_for = AttendanceStatus.AFBUD, None, ()
        record.updated_at = now
        await uow.attendance.put(record)
        await changed_before(uow, actor, moede, now, "moede.afbud", person_id=actor.person_id)
        udvalg = await uow.udvalg.get(moede.udvalg_id)
        assert udvalg is not None
        await uow.commit()
    return moede, udvalg
