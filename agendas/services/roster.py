"""An udvalg's roster: its members as records of their own, with or without Telegram.

A roster member is a ``Person`` (``telegram_id`` None until an invite links an account) with a
member ``Membership`` in the udvalg: the role (medlem, formand, næstformand, stedfortræder), the
party, whom a stedfortræder stands in for and from when. The secretary (or an admin) lists,
adds, edits and removes them (``/medlemmer`` in chat, ``udvalgsbot medlemmer`` on the command
line), and invites one to link their Telegram account (``invite_member``; the link itself is
made by ``agendas.services.invites.accept_invite``). An import adds the members a protocol names
that are not on the roster, after the secretary confirms (``add_imported``).

Every change is one transaction, audited. Removing a member keeps the person: the meetings they
took part in still name them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from agendas import rules
from agendas.errors import InvalidInput, NotFound
from agendas.model import Actor, Membership, Person, Role, Udvalg
from agendas.ports import UnitOfWork
from agendas.protocol import AttendanceStatus, SagRange
from agendas.records import AttendanceRecord
from agendas.roster_entry import RosterEntry
from agendas.roster_match import RosterName, find_member, match_name, same_person
from agendas.services.common import (
    audit,
    load_moede,
    require_editor,
    require_record_open,
    udvalg_by_code,
)
from agendas.services.invites import DEFAULT_TTL, IssuedInvite, create_invite

#: The roles a roster member holds, in the roster's order.
ROSTER_ROLES: tuple[Role, ...] = (
    Role.FORMAND,
    Role.NAESTFORMAND,
    Role.MEDLEM,
    Role.STEDFORTRAEDER,
)
#: One person's seat, when they hold more than one member role (joined twice by invite).
_RANK = {role: rank for rank, role in enumerate(ROSTER_ROLES)}


@dataclass(frozen=True, slots=True)
class RosterMember:
    person: Person
    role: Role
    party: str = ""
    #: The member a stedfortræder stands in for.
    substitute_for: Person | None = None
    since: date | None = None

    @property
    def person_id(self) -> int:
        return self.person.id or 0

    @property
    def on_telegram(self) -> bool:
        return self.person.telegram_id is not None

    def label(self) -> str:
        return f"{self.person.name} ({self.party})" if self.party else self.person.name


@dataclass(frozen=True, slots=True)
class Roster:
    udvalg: Udvalg
    members: list[RosterMember]

    def member(self, person_id: int) -> RosterMember | None:
        return next((m for m in self.members if m.person_id == person_id), None)


# --- reading ---------------------------------------------------------------------------------


def _seat(memberships: Sequence[Membership]) -> Membership | None:
    """The member membership that is the person's seat (the highest title)."""
    seats = [m for m in memberships if m.role.is_member]
    return min(seats, key=lambda m: _RANK[m.role]) if seats else None


async def _roster(uow: UnitOfWork, udvalg: Udvalg) -> Roster:
    by_person: dict[int, list[Membership]] = {}
    for membership in await uow.memberships.for_udvalg(udvalg.id or 0):
        if membership.role.is_member:
            by_person.setdefault(membership.person_id, []).append(membership)
    wanted = set(by_person)
    for memberships in by_person.values():
        wanted.update(m.substitute_for for m in memberships if m.substitute_for)
    persons = await uow.persons.many(sorted(wanted))
    members = []
    for person_id, memberships in by_person.items():
        seat = _seat(memberships)
        person = persons.get(person_id)
        if seat is None or person is None:
            continue
        party = seat.party or next((m.party for m in memberships if m.party), "") or ""
        members.append(
            RosterMember(
                person=person,
                role=seat.role,
                party=party,
                substitute_for=persons.get(seat.substitute_for or 0),
                since=seat.since,
            )
        )
    members.sort(key=lambda m: (_RANK[m.role], m.person.name.casefold()))
    return Roster(udvalg=udvalg, members=members)


async def _editable(uow: UnitOfWork, actor: Actor, code: str) -> Udvalg:
    udvalg = await udvalg_by_code(uow, code)
    require_editor(actor, udvalg.id or 0)
    return udvalg


async def list_roster(uow: UnitOfWork, actor: Actor, code: str) -> Roster:
    """The udvalg's members, formand first, stedfortrædere last (sekretær or admin)."""
    async with uow:
        udvalg = await _editable(uow, actor, code)
        return await _roster(uow, udvalg)


def roster_names(roster: Roster) -> list[RosterName]:
    return [RosterName(m.person_id, m.person.name, m.party) for m in roster.members]


# --- changes ---------------------------------------------------------------------------------


def _member(roster: Roster, person_id: int) -> RosterMember:
    member = roster.member(person_id)
    if member is None:
        raise NotFound("err-roster-member-gone")
    return member


def _check(roster: Roster, entry: RosterEntry, person_id: int | None) -> int | None:
    """Refuse a name already on the roster or a title someone else holds; the person id of the
    member a stedfortræder stands in for."""
    others = [m for m in roster.members if m.person_id != person_id]
    for other in others:
        if same_person(other.person.name, entry.name):
            raise InvalidInput("err-roster-exists", name=other.label(), code=roster.udvalg.code)
        if entry.role in (Role.FORMAND, Role.NAESTFORMAND) and other.role is entry.role:
            key = (
                "err-roster-taken-formand"
                if entry.role is Role.FORMAND
                else "err-roster-taken-naestformand"
            )
            raise InvalidInput(key, name=other.label(), code=roster.udvalg.code)
    if not entry.substitute_for:
        return None
    if entry.role is not Role.STEDFORTRAEDER:
        raise InvalidInput("err-roster-substitute-role")
    names = [RosterName(m.person_id, m.person.name, m.party) for m in others]
    found = match_name(entry.substitute_for, names).person_id
    if found is None:
        raise InvalidInput(
            "err-roster-substitute-unknown", name=entry.substitute_for, code=roster.udvalg.code
        )
    return found


async def _add(
    uow: UnitOfWork,
    actor: Actor,
    roster: Roster,
    entry: RosterEntry,
    substitute_for: int | None,
    since: date | None,
    now: datetime,
    **details: object,
) -> RosterMember:
    udvalg_id = roster.udvalg.id or 0
    person = await uow.persons.add(Person(telegram_id=None, name=entry.name, name_fixed=True))
    membership = await uow.memberships.add(
        Membership(
            person_id=person.id or 0,
            udvalg_id=udvalg_id,
            role=entry.role,
            party=entry.party or None,
            created_at=now,
            substitute_for=substitute_for,
            since=since,
        )
    )
    await audit(
        uow,
        actor,
        "roster.add",
        "membership",
        membership.id,
        now,
        udvalg_id,
        person_id=person.id,
        name=entry.name,
        party=entry.party,
        role=entry.role.value,
        substitute_for=substitute_for,
        since=since.isoformat() if since else None,
        **details,
    )
    substitute = next((m.person for m in roster.members if m.person_id == substitute_for), None)
    member = RosterMember(person, entry.role, entry.party, substitute, since)
    roster.members.append(member)
    return member


async def add_member(
    uow: UnitOfWork, actor: Actor, code: str, entry: RosterEntry, now: datetime, today: date
) -> RosterMember:
    """Put a member on the roster, without Telegram until they are invited. A seat with no
    "fra" date is held from ``today``: earlier meetings do not gain a member who was not
    there (``agendas.meeting.loading.udvalg_members``)."""
    async with uow:
        udvalg = await _editable(uow, actor, code)
        roster = await _roster(uow, udvalg)
        substitute_for = _check(roster, entry, None)
        member = await _add(uow, actor, roster, entry, substitute_for, entry.since or today, now)
        await uow.commit()
    return member


async def edit_member(
    uow: UnitOfWork, actor: Actor, code: str, person_id: int, entry: RosterEntry, now: datetime
) -> RosterMember:
    """Change a member's name, party, role, whom they stand in for and from when (a date left
    out keeps the one stored). The name of a member on Telegram becomes the roster's too."""
    async with uow:
        udvalg = await _editable(uow, actor, code)
        udvalg_id = udvalg.id or 0
        roster = await _roster(uow, udvalg)
        before = _member(roster, person_id)
        substitute_for = _check(roster, entry, person_id)
        person = replace(before.person)
        if person.name != entry.name or not person.name_fixed:
            person.name, person.name_fixed = entry.name, True
            await uow.persons.update(person)
        seats = [m for m in await uow.memberships.find(person_id, udvalg_id) if m.role.is_member]
        keep = next((m for m in seats if m.role is entry.role), seats[0])
        for other in seats:
            if other.id != keep.id:
                await uow.memberships.delete(other.id or 0)
        keep.role, keep.party = entry.role, entry.party or None
        keep.substitute_for = substitute_for
        keep.since = entry.since or before.since
        await uow.memberships.update(keep)
        await audit(
            uow,
            actor,
            "roster.edit",
            "membership",
            keep.id,
            now,
            udvalg_id,
            person_id=person_id,
            before={
                "name": before.person.name,
                "party": before.party,
                "role": before.role.value,
                "substitute_for": before.substitute_for.id if before.substitute_for else None,
                "since": before.since.isoformat() if before.since else None,
            },
            name=entry.name,
            party=entry.party,
            role=entry.role.value,
            substitute_for=substitute_for,
            since=keep.since.isoformat() if keep.since else None,
        )
        await uow.commit()
        substitute = next((m.person for m in roster.members if m.person_id == substitute_for), None)
    return RosterMember(person, entry.role, entry.party, substitute, keep.since)


async def remove_member(
    uow: UnitOfWork, actor: Actor, code: str, person_id: int, now: datetime
) -> RosterMember:
    """Take a member off the roster. The person stays (earlier protocols name them); a
    stedfortræder who stood in for them no longer does."""
    async with uow:
        udvalg = await _editable(uow, actor, code)
        udvalg_id = udvalg.id or 0
        roster = await _roster(uow, udvalg)
        member = _member(roster, person_id)
        for membership in await uow.memberships.for_udvalg(udvalg_id):
            if membership.person_id == person_id and membership.role.is_member:
                await uow.memberships.delete(membership.id or 0)
            elif membership.substitute_for == person_id:
                membership.substitute_for = None
                await uow.memberships.update(membership)
        await audit(
            uow,
            actor,
            "roster.remove",
            "person",
            person_id,
            now,
            udvalg_id,
            name=member.person.name,
            party=member.party,
            role=member.role.value,
        )
        await uow.commit()
    return member


async def roster_member(uow: UnitOfWork, actor: Actor, code: str, person_id: int) -> RosterMember:
    """One member of the roster (sekretær or admin); ``NotFound`` when no longer on it."""
    async with uow:
        udvalg = await _editable(uow, actor, code)
        return _member(await _roster(uow, udvalg), person_id)


async def invite_member(
    uow: UnitOfWork,
    actor: Actor,
    code: str,
    person_id: int,
    now: datetime,
    ttl: timedelta = DEFAULT_TTL,
) -> tuple[IssuedInvite, RosterMember]:
    """A one-time link that links the opener's Telegram account to this roster member."""
    member = await roster_member(uow, actor, code, person_id)
    if member.on_telegram:
        raise InvalidInput("err-roster-already-linked", name=member.label())
    issued = await create_invite(
        uow,
        actor,
        code,
        member.role,
        now,
        party=member.party or None,
        ttl=ttl,
        person_id=person_id,
    )
    return issued, member


# --- from an import --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ImportedMember:
    """A member an imported protocol names who is not on the roster, with their attendance at
    that meeting (as ``agendas.services.imports`` read it)."""

    name: str
    party: str = ""
    title: Role | None = None
    status: AttendanceStatus = AttendanceStatus.TIL_STEDE
    substitute_for: str = ""
    absent_for: tuple[SagRange, ...] = ()

    def label(self) -> str:
        return f"{self.name} ({self.party})" if self.party else self.name


def _entry_of(member: ImportedMember, roster: Roster) -> RosterEntry:
    """The roster entry of an imported member: a stedfortræder when they attended as one; a
    title only if nobody holds it yet."""
    if member.status is AttendanceStatus.STEDFORTRAEDER:
        role = Role.STEDFORTRAEDER
    elif member.title is not None and all(m.role is not member.title for m in roster.members):
        role = member.title
    else:
        role = Role.MEDLEM
    return RosterEntry(member.name, member.party, role, member.substitute_for)


async def add_imported(
    uow: UnitOfWork,
    actor: Actor,
    moede_id: int,
    imported: Sequence[ImportedMember],
    now: datetime,
) -> list[RosterMember]:
    """The secretary confirmed: the members an import found off the roster are added (held
    from that meeting's day), and their attendance at it is stored. A name that is on the
    roster by now is not added twice; its attendance is stored all the same."""
    async with uow:
        moede = await load_moede(uow, moede_id)
        require_editor(actor, moede.udvalg_id)
        await require_record_open(uow, moede_id)
        udvalg = await uow.udvalg.get(moede.udvalg_id)
        if udvalg is None:
            raise NotFound("err-moede-gone")
        roster = await _roster(uow, udvalg)
        added: list[RosterMember] = []
        for item in imported:
            name = " ".join(item.name.split())
            if not name or len(name) > rules.MAX_NAME:
                continue
            person_id = find_member(name, item.party, roster_names(roster))
            if person_id is None:
                entry = _entry_of(item, roster)
                substitute_for = None
                if entry.substitute_for:
                    substitute_for = match_name(
                        entry.substitute_for, roster_names(roster)
                    ).person_id
                member = await _add(
                    uow, actor, roster, entry, substitute_for, moede.date, now, moede_id=moede_id
                )
                added.append(member)
                person_id = member.person_id
            substitute_for = (
                match_name(item.substitute_for, roster_names(roster)).person_id
                if item.substitute_for
                else None
            )
            present = item.status is AttendanceStatus.TIL_STEDE and not item.absent_for
            substitute_only = _member(roster, person_id).role is Role.STEDFORTRAEDER
            if present and not substitute_only:
                continue  # present is what a member without a record counts as
            status = item.status
            if substitute_only and status is AttendanceStatus.TIL_STEDE:
                status = AttendanceStatus.STEDFORTRAEDER
            await uow.attendance.put(
                AttendanceRecord(
                    moede_id=moede_id,
                    person_id=person_id,
                    status=status,
                    substitute_for=substitute_for,
                    absent_for=item.absent_for,
                    updated_at=now,
                )
            )
        await uow.commit()
    return added
