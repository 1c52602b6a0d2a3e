"""A member proposes a punkt for a coming meeting (a title and a short text); the udvalg's
secretaries get it with "Optag" and "Afvis". Optag puts it on the agenda as a sag (through the
punkt services, audited as any new sag), with the proposal as its Sagens kerne; Afvis needs a
reason. Either way the decision is recorded (on the proposal and in the audit trail) and the
member is told through the outbox. The first decision stands: a second tap, or another
secretary's, is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from agendas.chatviews import Texts
from agendas.errors import InvalidInput, NotFound
from agendas.meeting.loading import udvalg_members
from agendas.member_mailings import proposal_accepted, proposal_declined, proposal_notice
from agendas.members import (
    MAX_DECLINE_REASON,
    MAX_PROPOSAL_TEXT,
    PROPOSAL_LEAD,
    Proposal,
    ProposalState,
)
from agendas.model import Actor, Moede, Punkt, Udvalg
from agendas.ports import UnitOfWork
from agendas.protocol_input import clean_text
from agendas.services.common import audit, load_moede, require_editor
from agendas.services.member_common import (
    Notice,
    member_before_meeting,
    numbered,
    people_with,
    queue_notices,
    udvalg_of,
)
from agendas.services.punkter import SagDraft, clean_title, insert_sag


@dataclass(frozen=True, slots=True)
class ProposalView:
    proposal: Proposal
    moede: Moede
    udvalg: Udvalg
    #: Who proposed, as the udvalg knows them ("Mads Medlem (A)").
    member: str
    #: The sag on the agenda, once accepted.
    punkt: Punkt | None = None


async def check_propose(
    uow: UnitOfWork, actor: Actor, moede_id: int, now: datetime
) -> tuple[Moede, Udvalg]:
    """Before the member types: may they still propose a punkt for this meeting?"""
    async with uow:
        moede = await load_moede(uow, moede_id)
        await member_before_meeting(uow, actor, moede, now)
        return moede, await udvalg_of(uow, moede)


async def propose(
    uow: UnitOfWork,
    actor: Actor,
    moede_id: int,
    title: str,
    text: str,
    now: datetime,
    texts: Texts,
) -> ProposalView:
    """Keep the proposal and send it to the udvalg's secretaries with "Optag" and "Afvis"."""
    title = clean_title(title)
    text = clean_text(text, MAX_PROPOSAL_TEXT, "err-proposal-empty", "err-proposal-too-long")
    async with uow:
        moede = await load_moede(uow, moede_id)
        line = await member_before_meeting(uow, actor, moede, now)
        udvalg = await udvalg_of(uow, moede)
        proposal = await uow.proposals.add(Proposal(moede_id, actor.person_id, title, text, now))
        member = line.ref().label()
        notices = [
            Notice(
                f"proposal:{proposal.id}:s{person.id}",
                person,
                proposal_notice(texts(person.language), udvalg, moede, member, proposal),
            )
            for person in await people_with(uow, udvalg.id or 0, member=False)
        ]
        await queue_notices(uow, notices, now, udvalg.id or 0)
        await audit(
            uow, actor, "proposal.create", "proposal", proposal.id, now, udvalg.id, title=title
        )
        await uow.commit()
    return ProposalView(proposal, moede, udvalg, member)


async def _pending(uow: UnitOfWork, actor: Actor, proposal_id: int) -> ProposalView:
    proposal = await uow.proposals.get(proposal_id)
    if proposal is None:
        raise NotFound("err-proposal-gone")
    moede = await load_moede(uow, proposal.moede_id)
    require_editor(actor, moede.udvalg_id)
    if proposal.state is not ProposalState.AFVENTER:
        raise _already(proposal)
    lines = await udvalg_members(uow, moede.udvalg_id)
    line = next((m for m in lines if m.person_id == proposal.proposed_by), None)
    person = await uow.persons.get(proposal.proposed_by)
    member = line.ref().label() if line else (person.name if person else "?")
    return ProposalView(proposal, moede, await udvalg_of(uow, moede), member)


def _already(proposal: Proposal) -> InvalidInput:
    """The proposal was decided before (by this secretary or another)."""
    accepted = proposal.state is ProposalState.OPTAGET
    key = "err-proposal-accepted" if accepted else "err-proposal-declined"
    return InvalidInput(key, title=proposal.title)


async def check_decide(uow: UnitOfWork, actor: Actor, proposal_id: int) -> ProposalView:
    """Before the secretary types a reason: the proposal, if it still waits for a decision."""
    async with uow:
        return await _pending(uow, actor, proposal_id)


async def _decided(uow: UnitOfWork, view: ProposalView, actor: Actor, now: datetime) -> None:
    proposal = view.proposal
    proposal.decided_by, proposal.decided_at = actor.person_id, now
    if not await uow.proposals.decide(proposal):  # another secretary was first
        stored = await uow.proposals.get(proposal.id or 0)
        raise _already(stored or proposal)


async def accept_proposal(
    uow: UnitOfWork, actor: Actor, proposal_id: int, now: datetime, texts: Texts
) -> ProposalView:
    """Optag: the proposal becomes a sag on its meeting's agenda; the member is told."""
    async with uow:
        view = await _pending(uow, actor, proposal_id)
        proposal, moede, udvalg = view.proposal, view.moede, view.udvalg
        lead = PROPOSAL_LEAD.format(member=view.member)
        draft = SagDraft(
            title=proposal.title, sections={"sagens_kerne": f"{lead}\n\n{proposal.text}"}
        )
        punkt = await insert_sag(uow, actor, moede.id or 0, draft, now, proposal_id=proposal_id)
        proposal.state, proposal.punkt_id = ProposalState.OPTAGET, punkt.id
        await _decided(uow, view, actor, now)
        punkt = await numbered(uow, punkt)
        await _tell(uow, view, now, texts, punkt)
        await audit(
            uow,
            actor,
            "proposal.accept",
            "proposal",
            proposal_id,
            now,
            udvalg.id,
            punkt_id=punkt.id,
        )
        await uow.commit()
    return ProposalView(proposal, moede, udvalg, view.member, punkt)


async def decline_proposal(
    uow: UnitOfWork, actor: Actor, proposal_id: int, reason: str, now: datetime, texts: Texts
) -> ProposalView:
    """Afvis, with the reason the member is told."""
    reason = clean_text(
        reason, MAX_DECLINE_REASON, "err-proposal-reason-empty", "err-proposal-reason-too-long"
    )
    async with uow:
        view = await _pending(uow, actor, proposal_id)
        view.proposal.state, view.proposal.reason = ProposalState.AFVIST, reason
        await _decided(uow, view, actor, now)
        await _tell(uow, view, now, texts)
        udvalg_id = view.udvalg.id
        await audit(
            uow, actor, "proposal.decline", "proposal", proposal_id, now, udvalg_id, reason=reason
        )
        await uow.commit()
    return view


async def _tell(
    uow: UnitOfWork,
    view: ProposalView,
    now: datetime,
    texts: Texts,
    punkt: Punkt | None = None,
) -> None:
    person = await uow.persons.get(view.proposal.proposed_by)
    if person is None:
        return
    t = texts(person.language)
    if punkt is not None:
        item = proposal_accepted(t, view.udvalg, view.moede, view.proposal, punkt)
    else:
        item = proposal_declined(t, view.udvalg, view.moede, view.proposal)
    key = f"proposal:{view.proposal.id}:{view.proposal.state.value}"
    await queue_notices(uow, [Notice(key, person, item)], now, view.udvalg.id or 0)
