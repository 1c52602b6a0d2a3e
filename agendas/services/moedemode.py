"""Meeting mode and the protocol: attendance, decisions per punkt, end time, approval, lock.

Every change bumps the protocol's revision (``ProtokolState.rev``): buttons carry it, so one made
before the last change is recognised as stale. A change also clears approvals already given (the
members approved another text). Once every member present has approved, the protocol is locked;
then every change is refused (``ProtokolLocked``) until the secretary re-opens it (audited).

The approval requests, the secretaries' "all approved" notice and the decisions summary are
written to the outbox in the same transaction as the change that causes them (the round's
``sent_at``, the last approval's lock), keyed by the revision that change saved: a repeated
press finds its button stale and queues nothing; a later round or a re-approved protocol
(a new revision) is sent again.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from agendas import rules
from agendas.chatviews import Texts
from agendas.dates import format_time, local_to_utc, parse_time, to_local
from agendas.errors import InvalidInput, NotAllowed, NotFound
from agendas.mailings import OutMessage
from agendas.model import Actor, Membership, Moede, Person, Punkt, Role, Udvalg
from agendas.outbox import OutboxKind
from agendas.ports import UnitOfWork
from agendas.protocol import (
    TITLE_LABELS,
    AttendanceStatus,
    Attendee,
    DocumentPunkt,
    MeetingDocument,
    MemberRef,
    PunktRecord,
    Remark,
    SagRange,
    Votes,
)
from agendas.protocol_mailings import all_approved, approval_request, decisions_summary
from agendas.records import (
    PRESENT,
    Approval,
    AttendanceRecord,
    DecisionRecord,
    ProtokolLocked,
    ProtokolState,
    StaleView,
    StoredRemark,
)
from agendas.services._common import audit, load_moede, load_punkt, require_editor, require_reader
from agendas.services.meetings import MoedeListing, list_moeder
from agendas.services.release_mailing import queue_message, recipients

#: The decisions the secretary picks with one tap.
STANDARD_PHRASES: tuple[str, ...] = (
    "Godkendt",
    "Taget til efterretning",
    "Anbefales",
    "Indstilles godkendt",
    "Udsat",
    "Oversendes til Økonomiudvalget",
)
MAX_BESLUTNING = 4000
MAX_REMARK = 1000
MAX_VOTES_TEXT = 300
MAX_PARTY = 3
#: How far from today /moede looks for the meeting being held.
MEETING_WINDOW = timedelta(days=30)


# --- parsing what the secretary types ---------------------------------------------------------

_VOTE_SIDES = {
    "for": "for",
    "imod": "imod",
    "mod": "imod",
    "undlader": "undlader",
    "undlod": "undlader",
    "undlode": "undlader",
    "blank": "undlader",
}
_VOTE_FILLERS = frozenset(
    {"stemme", "stemmer", "stemte", "og", "at", "med", "st", "parti", "partier", "(", ")", ",", ";"}
)
_VOTE_TOKEN = re.compile(r"\d+|[^\W\d_]+|[();,]")
_VOTE_ALLOWED = re.compile(r"^[\w\s();,.:\-]+$")
_NONE_WORDS = frozenset({"ingen", "-", "nej", "slet"})


def parse_votes(text: str) -> Votes:
    """``for A V F; imod Ø`` or ``3 for (A, V, F), 1 imod (Ø), 1 undlader (C)``.

    Without a number a side counts its party letters. ``ingen`` clears the votes.
    """
    raw = " ".join(text.split())
    if raw.lower() in _NONE_WORDS:
        return Votes()
    if not raw or len(raw) > MAX_VOTES_TEXT or not _VOTE_ALLOWED.match(raw):
        raise InvalidInput("err-votes-format")
    sides: dict[str, tuple[int | None, list[str]]] = {}
    pending: int | None = None
    current: str | None = None
    for token in _VOTE_TOKEN.findall(raw):
        word = token.lower()
        if token.isdigit() and current is not None and sides[current] == (None, []):
            sides[current] = (int(token), [])  # "undlader 2"
        elif token.isdigit():
            if pending is not None:
                raise InvalidInput("err-votes-format")
            pending, current = int(token), None
        elif word in _VOTE_SIDES:
            side = _VOTE_SIDES[word]
            if side in sides:
                raise InvalidInput("err-votes-twice", side=side)
            sides[side] = (pending, [])
            pending, current = None, side
        elif word in _VOTE_FILLERS:
            continue
        elif current is None or len(token) > MAX_PARTY:
            raise InvalidInput("err-votes-word", word=token)
        else:
            sides[current][1].append(token.upper())
    if pending is not None or not sides:
        raise InvalidInput("err-votes-format")
    counts: dict[str, tuple[int, tuple[str, ...]]] = {}
    for side, (explicit, parties) in sides.items():
        count = len(parties) if explicit is None else explicit
        if explicit is not None and explicit < len(parties):
            raise InvalidInput("err-votes-count", side=side, count=explicit, parties=len(parties))
        counts[side] = (count, tuple(dict.fromkeys(parties)))
    votes = Votes(
        *counts.get("for", (0, ())),
        *counts.get("imod", (0, ())),
        *counts.get("undlader", (0, ())),
    )
    if not votes:
        raise InvalidInput("err-votes-format")
    return votes


_RANGE_WORDS = re.compile(r"\b(?:sag|sager|punkt|punkter|pkt|nr)\b\.?")


def parse_ranges(text: str, last_number: int) -> tuple[SagRange, ...]:
    """``sag 3-5``, ``3-5, 7`` or ``sag 3 og 5`` -> ranges of punkt numbers; ``ingen`` clears."""
    raw = " ".join(text.lower().split())
    if raw in _NONE_WORDS:
        return ()
    raw = _RANGE_WORDS.sub(" ", raw)
    raw = re.sub(r"\s*[-–]\s*", "-", raw.replace(" og ", ","))
    parts = [p for p in re.split(r"[,;\s]+", raw) if p]
    if not parts:
        raise InvalidInput("err-ranges-format", value=text)
    ranges: list[SagRange] = []
    for part in parts:
        m = re.fullmatch(r"(\d{1,3})(?:-(\d{1,3}))?", part)
        if not m:
            raise InvalidInput("err-ranges-format", value=text)
        first, last = int(m[1]), int(m[2] or m[1])
        if first > last:
            raise InvalidInput("err-ranges-format", value=text)
        if first < 1 or last > last_number:
            raise InvalidInput("err-ranges-number", value=part, last=last_number)
        ranges.append(SagRange(first, last))
    return tuple(sorted(set(ranges), key=lambda r: (r.first, r.last)))


def parse_end_time(text: str) -> time:
    """``15.10``, ``15:10``, ``kl. 15.10`` or ``kl. 15``."""
    try:
        return parse_time(text)
    except InvalidInput as exc:
        raise InvalidInput("err-end-time-format", value=text) from exc


def clean_text(text: str, limit: int, empty_key: str, long_key: str) -> str:
    value = text.strip()
    if not value:
        raise InvalidInput(empty_key)
    if len(value) > limit:
        raise InvalidInput(long_key, limit=limit, length=len(value))
    return value


# --- the meeting as meeting mode sees it -------------------------------------------------------


@dataclass(slots=True)
class MemberLine:
    """A member of the udvalg and their attendance at this meeting."""

    person: Person
    party: str = ""
    title: Role | None = None
    #: Only a stedfortræder (not a regular member): attends only when replacing someone.
    substitute_only: bool = False
    record: AttendanceRecord | None = None

    @property
    def person_id(self) -> int:
        return self.person.id or 0

    @property
    def status(self) -> AttendanceStatus | None:
        """The recorded status; a regular member nobody marked counts as present, a
        stedfortræder nobody marked does not attend (None)."""
        if self.record is not None:
            if self.substitute_only and self.record.status is not AttendanceStatus.STEDFORTRAEDER:
                return None
            return self.record.status
        return None if self.substitute_only else AttendanceStatus.TIL_STEDE

    @property
    def present(self) -> bool:
        return self.status in PRESENT

    @property
    def absent_for(self) -> tuple[SagRange, ...]:
        return self.record.absent_for if self.record else ()

    def ref(self) -> MemberRef:
        return MemberRef(self.person.name, self.party)


@dataclass(slots=True)
class MeetingView:
    moede: Moede
    udvalg: Udvalg
    punkter: list[Punkt]
    decisions: dict[int, DecisionRecord]
    members: list[MemberLine]
    state: ProtokolState
    approvals: list[Approval] = field(default_factory=list)

    @property
    def rev(self) -> int:
        return self.state.rev

    def member(self, person_id: int) -> MemberLine | None:
        return next((m for m in self.members if m.person_id == person_id), None)

    def member_from_button(self, person_id: int) -> MemberLine:
        """The member a button names; one who left the udvalg since makes the button stale."""
        line = self.member(person_id)
        if line is None:
            raise StaleView("err-meeting-not-member")
        return line

    def present(self) -> list[MemberLine]:
        return [m for m in self.members if m.present]

    def approved_ids(self) -> set[int]:
        return {a.person_id for a in self.approvals}

    def missing(self) -> list[MemberLine]:
        """Present members who have not approved yet."""
        done = self.approved_ids()
        return [m for m in self.present() if m.person_id not in done]

    def punkt_index(self, punkt_id: int) -> int:
        for index, punkt in enumerate(self.punkter):
            if punkt.id == punkt_id:
                return index
        raise NotFound("err-punkt-gone")

    def decision(self, punkt_id: int) -> DecisionRecord:
        return self.decisions.get(punkt_id) or DecisionRecord(punkt_id=punkt_id)

    def record(self, punkt_id: int) -> PunktRecord:
        """The decision with members named, as the protocol prints it."""
        stored = self.decision(punkt_id)
        names = {m.person_id: m.ref() for m in self.members}
        return PunktRecord(
            beslutning=stored.beslutning,
            votes=stored.votes,
            inhabile=[names[p] for p in stored.inhabile if p in names],
            remarks=[
                Remark(names[r.person_id], r.text) for r in stored.remarks if r.person_id in names
            ],
            public_beslutning=stored.public_beslutning,
        )


async def _members(uow: UnitOfWork, udvalg_id: int) -> list[MemberLine]:
    """The udvalg's members (one line per person, whatever their number of roles)."""
    by_person: dict[int, list[Membership]] = {}
    for m in await uow.memberships.for_udvalg(udvalg_id):
        if m.role.is_member:
            by_person.setdefault(m.person_id, []).append(m)
    lines = []
    for person_id, memberships in by_person.items():
        person = await uow.persons.get(person_id)
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
            )
        )
    order = {Role.FORMAND: 0, Role.NAESTFORMAND: 1}
    lines.sort(
        key=lambda m: (m.substitute_only, order.get(m.title, 2) if m.title else 2, m.person.name)
    )
    return lines


async def _view(uow: UnitOfWork, moede: Moede) -> MeetingView:
    moede_id = moede.id or 0
    udvalg = await uow.udvalg.get(moede.udvalg_id)
    if udvalg is None:
        raise NotFound("err-moede-gone")
    punkter = rules.ordered(await uow.punkter.for_moede(moede_id))
    members = await _members(uow, moede.udvalg_id)
    records = {r.person_id: r for r in await uow.attendance.for_moede(moede_id)}
    for line in members:
        line.record = records.get(line.person_id)
    return MeetingView(
        moede=moede,
        udvalg=udvalg,
        punkter=punkter,
        decisions=await uow.decisions.for_punkter([p.id or 0 for p in punkter]),
        members=members,
        state=await uow.protokoller.get(moede_id),
        approvals=await uow.approvals.for_moede(moede_id),
    )


async def load_view(uow: UnitOfWork, actor: Actor, moede_id: int) -> MeetingView:
    """The meeting with attendance, decisions and the protocol's state; anyone in the udvalg."""
    async with uow:
        moede = await load_moede(uow, moede_id)
        require_reader(actor, moede.udvalg_id)
        return await _view(uow, moede)


async def _changed(
    uow: UnitOfWork,
    actor: Actor,
    moede: Moede,
    expected_rev: int | None,
    now: datetime,
    action: str,
    **details: object,
) -> int:
    """Refuse a change to a locked or changed protocol; else bump its revision and audit.

    Approvals given before the change are removed: they approved another text.
    """
    moede_id = moede.id or 0
    state = await uow.protokoller.get(moede_id)
    if state.locked:
        raise ProtokolLocked()
    if expected_rev is not None and state.rev != expected_rev:
        raise StaleView()
    cleared = await uow.approvals.clear(moede_id)
    saved = await uow.protokoller.save(state, state.rev)
    if cleared:
        details["approvals_cleared"] = cleared
    await audit(uow, actor, action, "moede", moede_id, now, moede.udvalg_id, **details)
    return saved.rev


async def _member_line(uow: UnitOfWork, moede: Moede, person_id: int) -> MemberLine:
    line = next((m for m in await _members(uow, moede.udvalg_id) if m.person_id == person_id), None)
    if line is None:
        raise NotFound("err-meeting-not-member")
    return line


async def _attendance(uow: UnitOfWork, moede_id: int, person_id: int) -> AttendanceRecord | None:
    return next(
        (r for r in await uow.attendance.for_moede(moede_id) if r.person_id == person_id), None
    )


# --- attendance --------------------------------------------------------------------------------


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
        line = await _member_line(uow, moede, person_id)
        if status is AttendanceStatus.STEDFORTRAEDER:
            if substitute_for is None or substitute_for == person_id:
                raise InvalidInput("err-substitute-for")
            await _member_line(uow, moede, substitute_for)
        else:
            substitute_for = None
        record = await _attendance(uow, moede_id, person_id) or AttendanceRecord(
            moede_id=moede_id, person_id=person_id, status=status
        )
        record.status, record.substitute_for, record.updated_at = status, substitute_for, now
        if status not in PRESENT:
            record.absent_for = ()
        await uow.attendance.put(record)
        rev = await _changed(
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
        line = await _member_line(uow, moede, person_id)
        line.record = await _attendance(uow, moede_id, person_id)
        if not line.present:
            raise InvalidInput("err-ranges-not-present", name=line.person.name)
        count = len(await uow.punkter.for_moede(moede_id))
        ranges = parse_ranges(text, count)
        record = line.record or AttendanceRecord(
            moede_id=moede_id, person_id=person_id, status=AttendanceStatus.TIL_STEDE
        )
        record.absent_for, record.updated_at = ranges, now
        await uow.attendance.put(record)
        rev = await _changed(
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
        record = await _attendance(uow, moede_id, actor.person_id) or AttendanceRecord(
            moede_id=moede_id, person_id=actor.person_id, status=AttendanceStatus.AFBUD
        )
        record.status, record.substitute_for, record.absent_for = AttendanceStatus.AFBUD, None, ()
        record.updated_at = now
        await uow.attendance.put(record)
        await _changed(uow, actor, moede, None, now, "moede.afbud", person_id=actor.person_id)
        udvalg = await uow.udvalg.get(moede.udvalg_id)
        assert udvalg is not None
        await uow.commit()
    return moede, udvalg


# --- decisions per punkt -----------------------------------------------------------------------


async def _decide(
    uow: UnitOfWork,
    actor: Actor,
    punkt_id: int,
    expected_rev: int | None,
    now: datetime,
    action: str,
    change: Callable[[DecisionRecord, Punkt, Moede], Awaitable[dict[str, object]]],
) -> int:
    async with uow:
        punkt, moede = await load_punkt(uow, punkt_id)
        require_editor(actor, moede.udvalg_id)
        record = await uow.decisions.get(punkt_id) or DecisionRecord(punkt_id=punkt_id)
        details = await change(record, punkt, moede)
        record.updated_at, record.updated_by = now, actor.person_id
        await uow.decisions.put(record)
        rev = await _changed(
            uow, actor, moede, expected_rev, now, action, punkt_id=punkt_id, **details
        )
        await uow.commit()
    return rev


async def set_beslutning(
    uow: UnitOfWork, actor: Actor, punkt_id: int, text: str, expected_rev: int | None, now: datetime
) -> int:
    """A standard phrase or free text (at most ``MAX_BESLUTNING`` characters)."""
    value = clean_text(text, MAX_BESLUTNING, "err-beslutning-empty", "err-beslutning-too-long")

    async def change(record: DecisionRecord, punkt: Punkt, moede: Moede) -> dict[str, object]:
        record.beslutning = value
        return {"beslutning": value}

    return await _decide(uow, actor, punkt_id, expected_rev, now, "punkt.beslutning", change)


async def set_votes(
    uow: UnitOfWork, actor: Actor, punkt_id: int, text: str, expected_rev: int | None, now: datetime
) -> int:
    votes = parse_votes(text)

    async def change(record: DecisionRecord, punkt: Punkt, moede: Moede) -> dict[str, object]:
        record.votes = votes
        return {"for": votes.for_count, "imod": votes.imod_count, "undlader": votes.undlader_count}

    return await _decide(uow, actor, punkt_id, expected_rev, now, "punkt.votes", change)


async def toggle_inhabil(
    uow: UnitOfWork,
    actor: Actor,
    punkt_id: int,
    person_id: int,
    expected_rev: int | None,
    now: datetime,
) -> int:
    """Mark a member inhabil for this punkt, or take the mark away again."""

    async def change(record: DecisionRecord, punkt: Punkt, moede: Moede) -> dict[str, object]:
        await _member_line(uow, moede, person_id)
        if person_id in record.inhabile:
            record.inhabile.remove(person_id)
            return {"person_id": person_id, "inhabil": False}
        record.inhabile.append(person_id)
        return {"person_id": person_id, "inhabil": True}

    return await _decide(uow, actor, punkt_id, expected_rev, now, "punkt.inhabil", change)


async def set_remark(
    uow: UnitOfWork,
    actor: Actor,
    punkt_id: int,
    person_id: int,
    text: str,
    expected_rev: int | None,
    now: datetime,
) -> int:
    """A member's afvigende mening; a second one from the same member replaces the first;
    ``slet`` removes it."""
    remove = text.strip().lower() in _NONE_WORDS
    value = (
        "" if remove else clean_text(text, MAX_REMARK, "err-remark-empty", "err-remark-too-long")
    )

    async def change(record: DecisionRecord, punkt: Punkt, moede: Moede) -> dict[str, object]:
        await _member_line(uow, moede, person_id)
        record.remarks = [r for r in record.remarks if r.person_id != person_id]
        if value:
            record.remarks.append(StoredRemark(person_id=person_id, text=value))
        return {"person_id": person_id, "removed": remove}

    return await _decide(uow, actor, punkt_id, expected_rev, now, "punkt.remark", change)


async def set_public_beslutning(
    uow: UnitOfWork, actor: Actor, punkt_id: int, text: str, expected_rev: int | None, now: datetime
) -> int:
    """What the public protocol shows for a closed punkt."""
    value = clean_text(text, MAX_BESLUTNING, "err-beslutning-empty", "err-beslutning-too-long")

    async def change(record: DecisionRecord, punkt: Punkt, moede: Moede) -> dict[str, object]:
        if not punkt.closed:
            raise InvalidInput("err-public-not-closed")
        record.public_beslutning = value
        return {"public": True}

    return await _decide(uow, actor, punkt_id, expected_rev, now, "punkt.public_beslutning", change)


async def set_end_time(
    uow: UnitOfWork,
    actor: Actor,
    moede_id: int,
    text: str,
    zone: str,
    expected_rev: int | None,
    now: datetime,
) -> time:
    """ "Mødet afsluttet kl. 15.10": a local time after the start, stored as ``ended_at``."""
    at = parse_end_time(text)
    async with uow:
        moede = await load_moede(uow, moede_id)
        require_editor(actor, moede.udvalg_id)
        if at <= moede.start_time:
            raise InvalidInput("err-end-before-start", start=format_time(moede.start_time))
        moede.ended_at = local_to_utc(moede.date, at, zone)
        await uow.moeder.update(moede)
        await _changed(
            uow, actor, moede, expected_rev, now, "moede.end", end=at.isoformat("minutes")
        )
        await uow.commit()
    return at


# --- approval ----------------------------------------------------------------------------------


#: Approval writes what it sends to the outbox, in its own transaction.


async def _queue(
    uow: UnitOfWork,
    key: str,
    person: Person,
    kind: OutboxKind,
    message: OutMessage,
    now: datetime,
    udvalg_id: int,
) -> bool:
    return await queue_message(
        uow, key, person.telegram_id, kind, message, now, person.id, udvalg_id
    )


@dataclass(slots=True)
class ApprovalRound:
    view: MeetingView
    #: The members asked in this round (present, not approved yet).
    recipients: list[MemberLine]


async def send_for_approval(
    uow: UnitOfWork,
    actor: Actor,
    moede_id: int,
    expected_rev: int | None,
    now: datetime,
    texts: Texts,
) -> ApprovalRound:
    """Ask the members present (who have not approved yet) to approve the protocol.

    Saving ``sent_at`` bumps the revision; the requests are keyed by it. A second press of the
    same button is stale (nothing queued); a press on the fresh menu, to remind those still
    missing, is a new round and reaches them again.
    """
    async with uow:
        moede = await load_moede(uow, moede_id)
        require_editor(actor, moede.udvalg_id)
        view = await _view(uow, moede)
        if view.state.locked:
            raise ProtokolLocked()
        if expected_rev is not None and view.rev != expected_rev:
            raise StaleView()
        if moede.ended_at is None:
            raise InvalidInput("err-protokol-no-end")
        if not view.present():
            raise InvalidInput("err-protokol-nobody-present")
        view.state.sent_at = now
        view.state = await uow.protokoller.save(view.state, view.rev)
        asked = view.missing()
        for line in asked:
            pages = approval_request(view, texts(line.person.language))
            for index, page in enumerate(pages):
                await _queue(
                    uow,
                    f"approval:{moede_id}:r{view.rev}:p{line.person_id}:{index}",
                    line.person,
                    OutboxKind.APPROVAL,
                    page,
                    now,
                    moede.udvalg_id,
                )
        await audit(
            uow,
            actor,
            "protokol.send",
            "moede",
            moede_id,
            now,
            moede.udvalg_id,
            recipients=[m.person_id for m in asked],
        )
        await uow.commit()
    return ApprovalRound(view=view, recipients=asked)


async def _queue_locked(uow: UnitOfWork, view: MeetingView, now: datetime, texts: Texts) -> None:
    """The protocol was just locked: the secretaries are told, everyone gets the decisions.

    Keyed by the locked revision, so a re-opened and re-approved protocol is sent again.
    """
    moede_id, udvalg_id = view.moede.id or 0, view.udvalg.id or 0
    people = await recipients(uow, udvalg_id)
    secretaries = {
        m.person_id for m in await uow.memberships.for_udvalg(udvalg_id) if m.role is Role.SEKRETAER
    }
    for r in people:
        if r.person.id in secretaries:
            notice = all_approved(view, texts(r.person.language))
            key = f"approved:{moede_id}:r{view.rev}:p{r.person.id}"
            await _queue(uow, key, r.person, OutboxKind.NOTICE, notice, now, udvalg_id)
    for r in people:
        pages = decisions_summary(view, texts(r.person.language), r.may_read_closed)
        for index, page in enumerate(pages):
            key = f"decisions:{moede_id}:r{view.rev}:p{r.person.id}:{index}"
            await _queue(uow, key, r.person, OutboxKind.DECISIONS, page, now, udvalg_id)


@dataclass(slots=True)
class ApprovalResult:
    view: MeetingView
    approved_at: datetime
    new: bool
    #: True when this approval was the last one missing and locked the protocol.
    locked_now: bool


async def approve(
    uow: UnitOfWork,
    actor: Actor,
    moede_id: int,
    rev: int,
    now: datetime,
    texts: Texts,
) -> ApprovalResult:
    """A member present approves (time-stamped, idempotent); the last approval locks, and the
    notice and the decisions summary are queued with it."""
    async with uow:
        moede = await load_moede(uow, moede_id)
        view = await _view(uow, moede)
        line = view.member(actor.person_id)
        if line is None or not line.present:
            raise NotAllowed("err-approve-not-present")
        earlier = next((a for a in view.approvals if a.person_id == actor.person_id), None)
        if earlier is not None:
            return ApprovalResult(view, earlier.approved_at, new=False, locked_now=False)
        if view.state.locked:
            raise ProtokolLocked()
        if view.state.sent_at is None:
            raise InvalidInput("err-protokol-not-sent")
        if rev != view.rev:
            raise StaleView("err-approval-stale")
        await uow.approvals.add(Approval(moede_id, actor.person_id, now))
        view.approvals.append(Approval(moede_id, actor.person_id, now))
        await audit(uow, actor, "protokol.approve", "moede", moede_id, now, moede.udvalg_id)
        locked_now = not view.missing()
        if locked_now:
            view.state.locked_at = now
            view.state = await uow.protokoller.save(view.state, view.rev)
            await audit(uow, actor, "protokol.lock", "moede", moede_id, now, moede.udvalg_id)
            await _queue_locked(uow, view, now, texts)
        await uow.commit()
    return ApprovalResult(view, now, new=True, locked_now=locked_now)


async def reopen(
    uow: UnitOfWork, actor: Actor, moede_id: int, expected_rev: int | None, now: datetime
) -> int:
    """The secretary re-opens a locked protocol; the approvals are cleared (audited)."""
    async with uow:
        moede = await load_moede(uow, moede_id)
        require_editor(actor, moede.udvalg_id)
        state = await uow.protokoller.get(moede_id)
        if not state.locked:
            raise InvalidInput("err-protokol-not-locked")
        if expected_rev is not None and state.rev != expected_rev:
            raise StaleView()
        approvals = await uow.approvals.for_moede(moede_id)
        await uow.approvals.clear(moede_id)
        state.locked_at, state.sent_at = None, None
        state.reopen_count += 1
        saved = await uow.protokoller.save(state, state.rev)
        await audit(
            uow,
            actor,
            "protokol.reopen",
            "moede",
            moede_id,
            now,
            moede.udvalg_id,
            approvals_cleared=[a.person_id for a in approvals],
            reopen_count=state.reopen_count,
        )
        await uow.commit()
    return saved.rev


# --- choosing meetings, the document -----------------------------------------------------------


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


async def protokol_moede(
    uow: UnitOfWork, actor: Actor, now: datetime, on: date | None = None
) -> MoedeListing | None:
    """The meeting held ``on`` that day (any time back), else the latest meeting that has
    started, else the next one."""
    if on is not None:
        return await _moeder_between(uow, actor, on, on, latest=False)
    listing = await list_moeder(uow, actor, now.date())
    if not listing:  # nothing recent or coming: the last meeting there ever was
        return await _moeder_between(uow, actor, date(1900, 1, 1), now.date(), latest=True)
    started = [x for x in listing if x.moede.starts_at and x.moede.starts_at <= now]
    if started:
        return started[-1]
    return listing[0] if listing else None


async def _moeder_between(
    uow: UnitOfWork, actor: Actor, first: date, last: date, latest: bool
) -> MoedeListing | None:
    """The first (or ``latest``) meeting from ``first`` to ``last`` in the person's udvalg."""
    async with uow:
        udvalg = {
            u.id: u
            for u in await uow.udvalg.list_all()
            if u.id is not None and (actor.is_admin or actor.roles_in(u.id))
        }
        moeder = await uow.moeder.for_udvalg_between([k for k in udvalg if k], first, last)
    if not moeder:
        return None
    moeder.sort(key=lambda m: (m.date, m.start_time))
    chosen = moeder[-1] if latest else moeder[0]
    return MoedeListing(chosen, udvalg[chosen.udvalg_id])


def public_only(actor: Actor, udvalg_id: int) -> bool:
    """Tovholdere (and admins outside the udvalg) get only the public version."""
    return not rules.can_read_closed(actor, udvalg_id)


def to_document(view: MeetingView, bilag: dict[int, list[str]], zone: str) -> MeetingDocument:
    names = {m.person_id: m.person.name for m in view.members}
    attendance = []
    for line in view.members:
        status = line.status
        if status is None:
            continue
        record = line.record
        attendance.append(
            Attendee(
                name=line.person.name,
                party=line.party,
                title=line.title if line.title in TITLE_LABELS else None,
                status=status,
                substitute_for=names.get(record.substitute_for or 0, "") if record else "",
                absent_for=line.absent_for,
            )
        )
    ended = view.moede.ended_at
    return MeetingDocument(
        udvalg=view.udvalg,
        moede=view.moede,
        punkter=[
            DocumentPunkt(punkt=p, bilag=bilag.get(p.id or 0, []), record=view.record(p.id or 0))
            for p in view.punkter
        ],
        attendance=attendance,
        end_time=to_local(ended, zone).time().replace(tzinfo=None) if ended else None,
    )


async def build_document(
    uow: UnitOfWork, actor: Actor, moede_id: int, zone: str
) -> tuple[MeetingDocument, MeetingView]:
    """Everything the DOCX rendering needs, read in one transaction."""
    async with uow:
        moede = await load_moede(uow, moede_id)
        require_reader(actor, moede.udvalg_id)
        view = await _view(uow, moede)
        bilag = {
            p.id or 0: [b.file_name for b in await uow.bilag.for_punkt(p.id or 0)]
            for p in view.punkter
        }
    return to_document(view, bilag, zone), view


def file_name(udvalg: Udvalg, moede: Moede, protokol: bool, public: bool) -> str:
    """``Beslutningsprotokol BEU 2026-12-15.docx`` (``… offentlig.docx`` for the public one)."""
    kind = "Beslutningsprotokol" if protokol else "Dagsorden"
    suffix = " offentlig" if public else ""
    return f"{kind} {udvalg.code} {moede.date.isoformat()}{suffix}.docx"
