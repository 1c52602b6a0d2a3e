"""Approval: the secretary sends the protocol to the members present, each approves with a
button (time-stamped), the last approval locks it; the secretary may re-open it (audited).

What goes to other people is written to the outbox in the same transaction as the change."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from agendas import rules
from agendas.chatviews import Texts
from agendas.dates import format_date, local_to_utc, to_local
from agendas.errors import InvalidInput, NotAllowed
from agendas.mailings import OutMessage
from agendas.meeting.loading import meeting_view
from agendas.meeting_view import (
    MeetingView,
    MemberLine,
    NeedsConfirmation,
    ProtokolIncomplete,
    empty_sections,
    missing_for_approval,
)
from agendas.model import Actor, Person, Role
from agendas.outbox import OutboxKind, OutboxMessage
from agendas.ports import UnitOfWork
from agendas.protocol_input import clean_text
from agendas.protocol_mailings import (
    RecordChange,
    all_approved,
    approval_request,
    decisions_summary,
    record_changes,
    reopened_notice,
)
from agendas.records import (
    MAX_REOPEN_REASON,
    Approval,
    MeetingNotHeld,
    ProtokolLocked,
    ProtokolStage,
    ProtokolState,
    StaleView,
)
from agendas.services.common import audit, load_moede, require_editor
from agendas.services.release_mailing import outbox_message, queue_message, recipients
from agendas.workdays import hverdage_after


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


def _message(
    key: str, person: Person, kind: OutboxKind, message: OutMessage, now: datetime, udvalg_id: int
) -> OutboxMessage | None:
    return outbox_message(key, person.telegram_id, kind, message, now, person.id, udvalg_id)


async def _queue_all(uow: UnitOfWork, messages: list[OutboxMessage | None]) -> int:
    """Every message at once (one lookup and one insert, not two statements per member)."""
    return await uow.outbox.add_many([m for m in messages if m is not None])


@dataclass(slots=True)
class ApprovalRound:
    view: MeetingView
    #: The members asked in this round (present, not approved yet, on Telegram).
    recipients: list[MemberLine]
    #: The protocol had been sent before: this round only reminds those still missing.
    reminder: bool = False
    #: Present members without Telegram who have not approved: they approve on paper or in
    #: person, and the secretary records it (``record_approval``).
    on_paper: list[MemberLine] = field(default_factory=list)


async def send_for_approval(
    uow: UnitOfWork,
    actor: Actor,
    moede_id: int,
    expected_rev: int | None,
    now: datetime,
    texts: Texts,
    confirmed: bool = False,
) -> ApprovalRound:
    """Ask the members present (who have not approved yet) to approve the protocol.

    Refused with ``MeetingNotHeld`` before the meeting's day (unless confirmed held), with
    ``ProtokolIncomplete`` (nothing stored) while the end time, a decision or a closed punkt's
    public text is missing, and with ``NeedsConfirmation`` while a required section is empty
    and the secretary has not confirmed. Once sent, a new press only reminds those still
    missing (none when all have approved: nothing is stored then). Saving the round bumps the
    revision and the requests are keyed by it, so a second press of the same button is stale
    and queues nothing; a press on the fresh menu is a new reminder round. After a re-open the
    request says why it was re-opened and what changed since.
    """
    async with uow:
        moede = await load_moede(uow, moede_id)
        require_editor(actor, moede.udvalg_id)
        view = await meeting_view(uow, moede)
        reminder = view.state.stage is not ProtokolStage.KLADDE
        if view.state.locked or (reminder and not view.missing()):
            return ApprovalRound(view=view, recipients=[], reminder=True)
        if expected_rev is not None and view.rev != expected_rev:
            raise StaleView()
        if not view.state.held(rules.meeting_day_started(moede, now)):
            raise MeetingNotHeld(date=format_date(moede.date))
        incomplete = missing_for_approval(view)
        if incomplete:
            raise ProtokolIncomplete(incomplete)
        if not view.present():
            raise InvalidInput("err-protokol-nobody-present")
        empty = empty_sections(view.punkter)
        if empty and not confirmed and not reminder:
            raise NeedsConfirmation(empty)
        changes = await changes_since_reopen(uow, view) if not reminder else []
        view.state.send(now)
        view.state = await uow.protokoller.save(view.state, view.rev)
        missing = view.missing()
        asked = [line for line in missing if line.person.on_telegram]
        on_paper = [line for line in missing if not line.person.on_telegram]
        requests = []
        for line in asked:
            pages = approval_request(view, texts(line.person.language), changes)
            for index, page in enumerate(pages):
                key = f"approval:{moede_id}:r{view.rev}:p{line.person_id}:{index}"
                requests.append(
                    _message(key, line.person, OutboxKind.APPROVAL, page, now, moede.udvalg_id)
                )
        await _queue_all(uow, requests)
        await audit(
            uow,
            actor,
            "protokol.remind" if reminder else "protokol.send",
            "moede",
            moede_id,
            now,
            moede.udvalg_id,
            recipients=[m.person_id for m in asked],
            without_telegram=[m.person_id for m in on_paper],
            empty_sections_confirmed=[f"{e.number}: {e.section}" for e in empty]
            if not reminder
            else [],
        )
        await uow.commit()
    return ApprovalRound(view=view, recipients=asked, reminder=reminder, on_paper=on_paper)


async def changes_since_reopen(uow: UnitOfWork, view: MeetingView) -> list[RecordChange]:
    """What was changed in the meeting's record since the protocol was last re-opened."""
    since = view.state.reopened_at
    if since is None:
        return []
    events = await uow.audit.since(view.udvalg.id or 0, since)
    return record_changes(events, view.moede.id or 0, view.punkter)


async def _queue_locked(uow: UnitOfWork, view: MeetingView, now: datetime, texts: Texts) -> None:
    """The protocol was just locked: the secretaries are told, everyone gets the decisions.

    Keyed by the locked revision, so a re-opened and re-approved protocol is sent again.
    """
    moede_id, udvalg_id = view.moede.id or 0, view.udvalg.id or 0
    people = await recipients(uow, udvalg_id)
    secretaries = {
        m.person_id for m in await uow.memberships.for_udvalg(udvalg_id) if m.role is Role.SEKRETAER
    }
    messages = []
    for r in people:
        if r.person.id in secretaries:
            notice = all_approved(view, texts(r.person.language))
            key = f"approved:{moede_id}:r{view.rev}:p{r.person.id}"
            messages.append(_message(key, r.person, OutboxKind.NOTICE, notice, now, udvalg_id))
    for r in people:
        pages = decisions_summary(view, texts(r.person.language), r.may_read_closed)
        for index, page in enumerate(pages):
            key = f"decisions:{moede_id}:r{view.rev}:p{r.person.id}:{index}"
            messages.append(_message(key, r.person, OutboxKind.DECISIONS, page, now, udvalg_id))
    await _queue_all(uow, messages)


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
        view = await meeting_view(uow, moede)
        line = view.member(actor.person_id)
        if line is None or not line.present:
            raise NotAllowed("err-approve-not-present")
        earlier = next((a for a in view.approvals if a.person_id == actor.person_id), None)
        if earlier is not None:
            return ApprovalResult(view, earlier.approved_at, new=False, locked_now=False)
        result = await _store_approval(uow, actor, view, line, rev, now, texts, recorded=False)
        await uow.commit()
    return result


async def record_approval(
    uow: UnitOfWork,
    actor: Actor,
    moede_id: int,
    person_id: int,
    rev: int,
    now: datetime,
    texts: Texts,
) -> ApprovalResult:
    """The secretary records the approval of a present member without Telegram, who approved
    on paper or in person: stored with who recorded it (audited), printed as such in the
    Godkendelse section; the last approval locks, as in ``approve``."""
    async with uow:
        moede = await load_moede(uow, moede_id)
        require_editor(actor, moede.udvalg_id)
        view = await meeting_view(uow, moede)
        line = view.member_from_button(person_id)
        if not line.present:
            raise InvalidInput("err-approve-record-not-present", name=line.person.name)
        if line.person.on_telegram:
            raise InvalidInput("err-approve-record-on-telegram", name=line.person.name)
        earlier = next((a for a in view.approvals if a.person_id == person_id), None)
        if earlier is not None:
            return ApprovalResult(view, earlier.approved_at, new=False, locked_now=False)
        result = await _store_approval(uow, actor, view, line, rev, now, texts, recorded=True)
        await uow.commit()
    return result


async def _store_approval(
    uow: UnitOfWork,
    actor: Actor,
    view: MeetingView,
    line: MemberLine,
    rev: int,
    now: datetime,
    texts: Texts,
    recorded: bool,
) -> ApprovalResult:
    moede_id, udvalg_id = view.moede.id or 0, view.moede.udvalg_id
    if view.state.locked:
        raise ProtokolLocked()
    if view.state.stage is not ProtokolStage.SENDT:
        raise InvalidInput("err-protokol-not-sent")
    if rev != view.rev:
        raise StaleView("err-approval-stale")
    approval_ = Approval(moede_id, line.person_id, now, actor.person_id if recorded else None)
    await uow.approvals.add(approval_)
    view.approvals.append(approval_)
    if recorded:
        await audit(
            uow,
            actor,
            "protokol.approve_recorded",
            "moede",
            moede_id,
            now,
            udvalg_id,
            person_id=line.person_id,
            name=line.person.name,
        )
    else:
        await audit(uow, actor, "protokol.approve", "moede", moede_id, now, udvalg_id)
    locked_now = not view.missing()
    if locked_now:
        view.state.approve_all(now)
        view.state = await uow.protokoller.save(view.state, view.rev)
        await audit(uow, actor, "protokol.lock", "moede", moede_id, now, udvalg_id)
        await _queue_locked(uow, view, now, texts)
    return ApprovalResult(view, now, new=True, locked_now=locked_now)


@dataclass(slots=True)
class ReopenResult:
    rev: int
    #: The members whose approval was voided; each is told why (through the outbox).
    told: list[int]


async def reopen(
    uow: UnitOfWork,
    actor: Actor,
    moede_id: int,
    expected_rev: int | None,
    reason: str,
    now: datetime,
    texts: Texts,
) -> ReopenResult:
    """The secretary re-opens a protocol sent for approval or approved, with a reason: a new
    revision, the approvals void (audited), and each member who had approved is told why and
    that they will be asked again."""
    why = clean_text(reason, MAX_REOPEN_REASON, "err-reopen-reason-empty", "err-reopen-too-long")
    async with uow:
        moede = await load_moede(uow, moede_id)
        require_editor(actor, moede.udvalg_id)
        view = await meeting_view(uow, moede)
        state = view.state
        if expected_rev is not None and state.rev != expected_rev:
            raise StaleView()
        before = state.stage
        state.reopen(why, now)
        approvals = await uow.approvals.for_moede(moede_id)
        await uow.approvals.clear(moede_id)
        saved = await uow.protokoller.save(state, state.rev)
        view.state = saved
        secretary = await uow.persons.get(actor.person_id)
        told = []
        for approval_ in approvals:
            line = view.member(approval_.person_id)
            if line is None:
                continue
            notice = reopened_notice(
                view, texts(line.person.language), why, secretary.name if secretary else ""
            )
            key = f"reopened:{moede_id}:n{saved.reopen_count}:p{line.person_id}"
            if await _queue(uow, key, line.person, OutboxKind.NOTICE, notice, now, moede.udvalg_id):
                told.append(line.person_id)
        await audit(
            uow,
            actor,
            "protokol.reopen",
            "moede",
            moede_id,
            now,
            moede.udvalg_id,
            reason=why,
            stage_before=before.value,
            approvals_cleared=[a.person_id for a in approvals],
            reopen_count=saved.reopen_count,
        )
        await uow.commit()
    return ReopenResult(rev=saved.rev, told=told)


async def confirm_held(uow: UnitOfWork, actor: Actor, moede_id: int, now: datetime) -> None:
    """The secretary confirms that a meeting is held today, before its planned day: meeting
    mode and approval open for it (stored and audited; a second confirmation changes nothing)."""
    async with uow:
        moede = await load_moede(uow, moede_id)
        require_editor(actor, moede.udvalg_id)
        state = await uow.protokoller.get(moede_id)
        if state.held(rules.meeting_day_started(moede, now)):
            return
        state.held_confirmed_at, state.held_confirmed_by = now, actor.person_id
        await uow.protokoller.save(state, state.rev)
        await audit(
            uow,
            actor,
            "moede.held_confirmed",
            "moede",
            moede_id,
            now,
            moede.udvalg_id,
            planned=moede.date.isoformat(),
        )
        await uow.commit()


#: At most this many automatic reminders per approval round (after N, 2N and 3N hverdage).
MAX_AUTO_REMINDERS = 3


async def remind_approvals(
    uow: UnitOfWork, now: datetime, zone: str, texts: Texts, hverdage: int
) -> int:
    """The scheduler's reminder: a protocol sent for approval and still waiting ``hverdage``
    hverdage later (at the time of day it was sent) is sent again to the members present who
    have not approved, and again after each further ``hverdage`` (at most
    ``MAX_AUTO_REMINDERS`` times). Keyed by round, revision and ordinal, so a job that fires
    twice queues nothing twice. Returns how many messages were queued."""
    queued = 0
    async with uow:
        rounds: dict[str, tuple[ProtokolState, int]] = {}
        for state in await uow.protokoller.sent():
            if state.sent_at is None:
                continue
            sent = to_local(state.sent_at, zone)
            due = [
                k
                for k in range(1, MAX_AUTO_REMINDERS + 1)
                if now >= local_to_utc(hverdage_after(sent.date(), k * hverdage), sent.time(), zone)
            ]
            if due:
                rounds[f"approval-auto:{state.moede_id}:r{state.rev}:k{due[-1]}"] = state, due[-1]
        # A round already queued is not looked at again: the job runs every minute, and a
        # meeting is loaded only when its reminder is due and not yet sent.
        done = await uow.outbox.prefixes_used([f"{key}:" for key in rounds])
        for round_key, (state, ordinal) in rounds.items():
            if f"{round_key}:" in done:
                continue
            moede = await load_moede(uow, state.moede_id)
            view = await meeting_view(uow, moede)
            asked, messages = [], []
            for line in view.missing():
                pages = approval_request(view, texts(line.person.language), reminder=True)
                for index, page in enumerate(pages):
                    message = outbox_message(
                        f"{round_key}:p{line.person_id}:{index}", line.person.telegram_id,
                        OutboxKind.APPROVAL, page, now, line.person.id, moede.udvalg_id,
                    )  # fmt: skip
                    if message is not None:
                        messages.append(message)
                        asked.append(line.person_id)
            added = await uow.outbox.add_many(messages)
            queued += added
            if added:
                await audit(
                    uow,
                    None,
                    "protokol.auto_remind",
                    "moede",
                    state.moede_id,
                    now,
                    moede.udvalg_id,
                    recipients=sorted(set(asked)),
                    ordinal=ordinal,
                )
        await uow.commit()
    return queued
