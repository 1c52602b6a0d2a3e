"""Approval: the secretary sends the protocol to the members present, each approves with a
button (time-stamped), the last approval locks it; the secretary may re-open it (audited).

What goes to other people is written to the outbox in the same transaction as the change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from agendas.chatviews import Texts
from agendas.errors import InvalidInput, NotAllowed
from agendas.mailings import OutMessage
from agendas.meeting.loading import meeting_view
from agendas.meeting_view import (
    MeetingView,
    MemberLine,
    ProtokolIncomplete,
    missing_for_approval,
)
from agendas.model import Actor, Person, Role
from agendas.outbox import OutboxKind
from agendas.ports import UnitOfWork
from agendas.protocol_mailings import all_approved, approval_request, decisions_summary
from agendas.records import Approval, ProtokolLocked, ProtokolStage, StaleView
from agendas.services.common import audit, load_moede, require_editor
from agendas.services.release_mailing import queue_message, recipients


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
    #: The protocol had been sent before: this round only reminds those still missing.
    reminder: bool = False


async def send_for_approval(
    uow: UnitOfWork,
    actor: Actor,
    moede_id: int,
    expected_rev: int | None,
    now: datetime,
    texts: Texts,
) -> ApprovalRound:
    """Ask the members present (who have not approved yet) to approve the protocol.

    Refused with ``ProtokolIncomplete`` (nothing stored) while the end time, a decision or a
    closed punkt's public text is missing. Once sent, a new press only reminds those still
    missing (none when all have approved: nothing is stored then). Saving ``sent_at`` bumps
    the revision and the requests are keyed by it, so a second press of the same button is
    stale and queues nothing; a press on the fresh menu is a new reminder round.
    """
    async with uow:
        moede = await load_moede(uow, moede_id)
        require_editor(actor, moede.udvalg_id)
        view = await meeting_view(uow, moede)
        reminder = view.state.sent_at is not None or view.state.locked
        if view.state.locked or (reminder and not view.missing()):
            return ApprovalRound(view=view, recipients=[], reminder=True)
        if expected_rev is not None and view.rev != expected_rev:
            raise StaleView()
        missing = missing_for_approval(view)
        if missing:
            raise ProtokolIncomplete(missing)
        if not view.present():
            raise InvalidInput("err-protokol-nobody-present")
        view.state.sent_at, view.state.stage = now, ProtokolStage.SENDT
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
            "protokol.remind" if reminder else "protokol.send",
            "moede",
            moede_id,
            now,
            moede.udvalg_id,
            recipients=[m.person_id for m in asked],
        )
        await uow.commit()
    return ApprovalRound(view=view, recipients=asked, reminder=reminder)


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
        view = await meeting_view(uow, moede)
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
            view.state.locked_at, view.state.stage = now, ProtokolStage.GODKENDT
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
        state.locked_at, state.sent_at, state.stage = None, None, ProtokolStage.KLADDE
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
