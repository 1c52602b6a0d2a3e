"""What the meeting services share: the meeting view read in the caller's transaction, the
udvalg's members, and the check-bump-audit every change to the protocol goes through."""

from __future__ import annotations

from datetime import date, datetime

from agendas import rules
from agendas.dates import format_date
from agendas.errors import NotFound
from agendas.meeting_view import MeetingView, MemberLine
from agendas.members import Question
from agendas.model import Actor, Membership, Moede, Role
from agendas.ports import UnitOfWork
from agendas.records import AttendanceRecord, MeetingNotHeld, StaleView
from agendas.services.common import audit, load_moede, require_reader


async def udvalg_members(
    uow: UnitOfWork, udvalg_id: int, on: date | None = None
) -> list[MemberLine]:
    """The udvalg's members (one line per person, whatever their number of roles), with or
    without Telegram; ``on`` a meeting's day: not those whose seat is held only from later
    (the roster's "fra")."""
    by_person: dict[int, list[Membership]] = {}
    for m in await uow.memberships.for_udvalg(udvalg_id):
        if m.role.is_member and not (on is not None and m.since is not None and m.since > on):
            by_person.setdefault(m.person_id, []).append(m)
    persons = await uow.persons.many(list(by_person)) if by_person else {}
    lines = []
    for person_id, memberships in by_person.items():
        person = persons.get(person_id)
        if person is None:
            continue
        roles = {m.role for m in memberships}
        title = next((r for r in (Role.FORMAND, Role.NAESTFORMAND) if r in roles), None)
        party = next((m.party for m in memberships if m.party), "") or ""
        lines.append(
            MemberLine(
                person=person,
                party=party,
                title=title,
                substitute_only=roles == {Role.STEDFORTRAEDER},
                stands_in_for=next(
                    (m.substitute_for for m in memberships if m.substitute_for), None
                ),
            )
        )
    order = {Role.FORMAND: 0, Role.NAESTFORMAND: 1}
    lines.sort(
        key=lambda m: (m.substitute_only, order.get(m.title, 2) if m.title else 2, m.person.name)
    )
    return lines


async def meeting_view(uow: UnitOfWork, moede: Moede) -> MeetingView:
    """The meeting as meeting mode sees it, read in the caller's transaction."""
    moede_id = moede.id or 0
    udvalg = await uow.udvalg.get(moede.udvalg_id)
    if udvalg is None:
        raise NotFound("err-moede-gone")
    punkter = rules.ordered(await uow.punkter.for_moede(moede_id))
    members = await udvalg_members(uow, moede.udvalg_id, moede.date)
    records = {r.person_id: r for r in await uow.attendance.for_moede(moede_id)}
    for line in members:
        line.record = records.get(line.person_id)
    approvals = await uow.approvals.for_moede(moede_id)
    recorded = [a.recorded_by for a in approvals if a.recorded_by is not None]
    recorders = (
        {pid: p.name for pid, p in (await uow.persons.many(recorded)).items()} if recorded else {}
    )
    punkt_ids = [p.id or 0 for p in punkter]
    questions = await uow.questions.for_punkter(punkt_ids)
    return MeetingView(
        moede=moede,
        udvalg=udvalg,
        punkter=punkter,
        decisions=await uow.decisions.for_punkter([p.id or 0 for p in punkter]),
        members=members,
        state=await uow.protokoller.get(moede_id),
        approvals=approvals,
        recorders=recorders,
        declarations=await uow.declarations.for_punkter(punkt_ids),
        questions=questions,
        askers=await asker_names(uow, questions, members),
    )


async def asker_names(
    uow: UnitOfWork, questions: list[Question], members: list[MemberLine]
) -> dict[int, str]:
    """Who asked and who answered, by person id: a member with their party ("Mads Medlem (A)"),
    anyone else (the secretary who answered) by name."""
    names = {m.person_id: m.ref().label() for m in members}
    wanted = {q.asked_by for q in questions} | {q.answered_by or 0 for q in questions}
    missing = sorted(wanted - set(names) - {0})
    if missing:
        names |= {pid: p.name for pid, p in (await uow.persons.many(missing)).items()}
    return names


async def load_view(uow: UnitOfWork, actor: Actor, moede_id: int) -> MeetingView:
    """The meeting with attendance, decisions and the protocol's state; anyone in the udvalg."""
    async with uow:
        moede = await load_moede(uow, moede_id)
        require_reader(actor, moede.udvalg_id)
        return await meeting_view(uow, moede)


async def changed(
    uow: UnitOfWork,
    actor: Actor,
    moede: Moede,
    expected_rev: int | None,
    now: datetime,
    action: str,
    **details: object,
) -> int:
    """Refuse a change while the protocol is sent or approved, before the meeting is held
    (``meeting_day``; afbud is given before it), or from a button older than the last change;
    else bump the protocol's revision and audit."""
    return await _change(uow, actor, moede, expected_rev, now, action, True, details)


async def changed_before(
    uow: UnitOfWork, actor: Actor, moede: Moede, now: datetime, action: str, **details: object
) -> int:
    """``changed`` for what is given before the meeting (afbud): no meeting-day rule."""
    return await _change(uow, actor, moede, None, now, action, False, details)


async def _change(
    uow: UnitOfWork,
    actor: Actor,
    moede: Moede,
    expected_rev: int | None,
    now: datetime,
    action: str,
    meeting_day: bool,
    details: dict[str, object],
) -> int:
    moede_id = moede.id or 0
    state = await uow.protokoller.get(moede_id)
    state.require_open()
    if meeting_day and not state.held(rules.meeting_day_started(moede, now)):
        raise MeetingNotHeld(date=format_date(moede.date))
    if expected_rev is not None and state.rev != expected_rev:
        raise StaleView()
    saved = await uow.protokoller.save(state, state.rev)
    await audit(uow, actor, action, "moede", moede_id, now, moede.udvalg_id, **details)
    return saved.rev


async def member_line(uow: UnitOfWork, moede: Moede, person_id: int) -> MemberLine:
    line = next(
        (
            m
            for m in await udvalg_members(uow, moede.udvalg_id, moede.date)
            if m.person_id == person_id
        ),
        None,
    )
    if line is None:
        raise NotFound("err-meeting-not-member")
    return line


async def attendance_record(
    uow: UnitOfWork, moede_id: int, person_id: int
) -> AttendanceRecord | None:
    return next(
        (r for r in await uow.attendance.for_moede(moede_id) if r.person_id == person_id), None
    )
