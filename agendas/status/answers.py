"""The tovholder's side of a round: what is asked of them, their answer (until the deadline, or
before the round opens), and handing an indsats over to a colleague.

An indsats may have several owners: any of them may answer (the last answer counts until the
deadline), and every owner's prompt is brought up to date with who answered. A red answer is
sent at once to the udvalg's secretaries (and to the formand, when the udvalg chose so), through
the outbox in the same transaction as the answer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from agendas import rules
from agendas.chatviews import Texts, esc
from agendas.dates import format_date, format_time, to_local
from agendas.errors import InvalidInput, NotAllowed, NotFound
from agendas.mailings import ButtonSpec, OutMessage
from agendas.model import Actor, Person, Role
from agendas.outbox import OutboxKind, OutboxMessage
from agendas.plans import (
    COLOUR_LABELS,
    AttachmentRef,
    Handleplan,
    Indsats,
    IndsatsOwner,
    PlanGoal,
    PreviousStatus,
    RoundState,
    StatusAnswer,
    StatusColour,
    StatusRound,
    clean_status_text,
    unchanged_answer,
)
from agendas.ports import UnitOfWork
from agendas.services.common import audit
from agendas.status.common import (
    escaping,
    html_texts,
    load_plan,
    notice,
    people_of,
    previous_answers,
    recipient_of,
    secretaries_of,
)
from agendas.status.draft import StatusDraft
from agendas.status.lists import PromptEdit, live_prompt, queue_prompts, refresh, round_view
from agendas.status.prompts import Recipient

ZONE = "Europe/Copenhagen"


@dataclass(frozen=True, slots=True)
class PendingIndsats:
    """One indsats a tovholder is asked about: in a running round, or (``status_round`` None)
    before the plan's next round opens."""

    plan: Handleplan
    status_round: StatusRound | None
    indsats: Indsats
    previous: PreviousStatus | None
    answer: StatusAnswer | None
    goal: PlanGoal | None = None
    #: Who gave ``answer``, when it was not the person asking.
    answered_by: str = ""


@dataclass(frozen=True, slots=True)
class Recorded:
    answer: StatusAnswer
    #: The owners' prompts in their chats, to edit in place.
    edits: list[PromptEdit] = field(default_factory=list)
    #: Red-answer notices queued (secretaries, maybe the formand).
    alerts: int = 0


def _running(rounds: list[StatusRound], now: datetime) -> StatusRound | None:
    return rounds[-1] if rounds and rounds[-1].accepts_answers(now) else None


def _open(rounds: list[StatusRound]) -> StatusRound | None:
    return rounds[-1] if rounds and rounds[-1].state is RoundState.OPEN else None


async def _check_answerable(
    uow: UnitOfWork, actor: Actor, round_id: int, indsats_id: int, now: datetime
) -> tuple[StatusRound | None, Handleplan, Indsats]:
    """The round (None: an answer before the round), plan and indsats an answer is for;
    refused when the round is closed or old, or the actor is neither owner nor secretary."""
    indsats = await uow.indsatser.get(indsats_id)
    if indsats is None or not indsats.active:
        raise NotFound("err-indsats-unknown")
    plan = await load_plan(uow, indsats.plan_id)
    rounds = await uow.status_rounds.for_plan(plan.id or 0)
    status_round: StatusRound | None = None
    if round_id == 0:
        if not plan.active:
            raise NotFound("err-indsats-unknown")
        if _open(rounds) is not None:
            raise InvalidInput("err-status-early-round-open", plan=plan.named)
    else:
        status_round = next((r for r in rounds if r.id == round_id), None)
        if status_round is None:
            raise InvalidInput("err-status-round-old")
        if rounds[-1].id != status_round.id:
            raise InvalidInput("err-status-round-old")
        if not status_round.accepts_answers(now):
            if now < status_round.opens_at:
                raise InvalidInput("err-status-round-not-open")
            deadline = to_local(status_round.deadline, ZONE)
            raise InvalidInput(
                "err-status-after-deadline",
                date=format_date(deadline.date()),
                time=format_time(deadline.time()),
            )
    if not indsats.owned_by(actor.person_id) and not rules.can_edit_udvalg(actor, plan.udvalg_id):
        raise NotAllowed("err-status-not-tovholder")
    return status_round, plan, indsats


async def _answer_now(
    uow: UnitOfWork, status_round: StatusRound | None, plan: Handleplan, indsats_id: int
) -> StatusAnswer | None:
    if status_round is None:
        early = await uow.status_answers.early_for_plan(plan.id or 0)
        return next((a for a in early if a.indsats_id == indsats_id), None)
    answers = await uow.status_answers.for_rounds([status_round.id or 0])
    return next((a for a in answers if a.indsats_id == indsats_id), None)


async def _item(
    uow: UnitOfWork,
    actor: Actor,
    plan: Handleplan,
    status_round: StatusRound | None,
    indsats: Indsats,
    rounds: list[StatusRound],
) -> PendingIndsats:
    before = status_round.number if status_round is not None else len(rounds) + 1
    previous = (await previous_answers(uow, rounds, before)).get(indsats.id or 0)
    answer = await _answer_now(uow, status_round, plan, indsats.id or 0)
    goals = {g.id: g for g in await uow.plans.goals(plan.id or 0)}
    by = ""
    if answer is not None and answer.answered_by not in (None, actor.person_id):
        person = await uow.persons.get(answer.answered_by or 0)
        by = person.name if person else ""
    return PendingIndsats(
        plan, status_round, indsats, previous, answer, goals.get(indsats.goal_id), by
    )


async def pending_item(
    uow: UnitOfWork, actor: Actor, round_id: int, indsats_id: int, now: datetime
) -> PendingIndsats:
    """One indsats as a tovholder answers it; refused like an answer would be."""
    async with uow:
        status_round, plan, indsats = await _check_answerable(uow, actor, round_id, indsats_id, now)
        rounds = await uow.status_rounds.for_plan(plan.id or 0)
        return await _item(uow, actor, plan, status_round, indsats, rounds)


async def pending_for(
    uow: UnitOfWork, actor: Actor, now: datetime, *, early: bool = False
) -> list[PendingIndsats]:
    """Every indsats of the actor in a round that accepts answers, unanswered ones first; with
    ``early``, those in plans with no open round instead (to answer before it opens)."""
    result: list[PendingIndsats] = []
    async with uow:
        mine = [i for i in await uow.indsatser.for_person(actor.person_id) if i.active]
        for plan_id in sorted({i.plan_id for i in mine}):
            plan = await uow.plans.get(plan_id)
            if plan is None or not plan.active:
                continue
            rounds = await uow.status_rounds.for_plan(plan_id)
            current = _running(rounds, now)
            if (current is None) != early or (early and _open(rounds) is not None):
                continue
            for indsats in (i for i in mine if i.plan_id == plan_id):
                result.append(await _item(uow, actor, plan, current, indsats, rounds))
    return sorted(result, key=lambda p: p.answer is not None)


async def record_answer(
    uow: UnitOfWork,
    actor: Actor,
    round_id: int,
    indsats_id: int,
    colour: StatusColour | None,
    text: str,
    now: datetime,
    texts: Texts,
    attachment: AttachmentRef | None = None,
) -> Recorded:
    """Store (or replace, until the deadline) the answer. ``colour`` None is "ingen ændring":
    the last answer's colour and text with a new date. ``round_id`` 0: before the round."""
    return await _record(
        uow, actor, round_id, indsats_id, colour, lambda: clean_status_text(text), now,
        attachment, texts,
    )  # fmt: skip


async def record_draft(
    uow: UnitOfWork, actor: Actor, draft: StatusDraft, now: datetime, texts: Texts
) -> Recorded:
    """The answer a tovholder confirmed in chat (its text was checked as it was written)."""
    colour = None if draft.unchanged else draft.colour
    return await _record(
        uow, actor, draft.round_id, draft.indsats_id, colour, lambda: draft.text, now,
        draft.attachment, texts,
    )  # fmt: skip


async def _record(
    uow: UnitOfWork,
    actor: Actor,
    round_id: int,
    indsats_id: int,
    colour: StatusColour | None,
    text: Callable[[], str],
    now: datetime,
    attachment: AttachmentRef | None,
    texts: Texts,
) -> Recorded:
    """``text`` gives the checked text once the answer is known to be accepted (so a closed
    round is refused as such, whatever the text)."""
    async with uow:
        status_round, plan, indsats = await _check_answerable(uow, actor, round_id, indsats_id, now)
        rounds = await uow.status_rounds.for_plan(plan.id or 0)
        if colour is None:
            before = status_round.number if status_round is not None else len(rounds) + 1
            previous = (await previous_answers(uow, rounds, before)).get(indsats_id)
            if previous is None:
                raise InvalidInput("err-status-no-previous")
            answer = unchanged_answer(previous, round_id, indsats_id, now, actor.person_id or None)
            answer.attachment = attachment
        else:
            answer = StatusAnswer(
                round_id=round_id,
                indsats_id=indsats_id,
                colour=colour,
                text=text(),
                answered_at=now,
                answered_by=actor.person_id or None,
                attachment=attachment,
            )
        if status_round is None:
            stored = await uow.status_answers.put_early(plan.id or 0, answer)
        else:
            stored = await uow.status_answers.put(answer)
        alerts = await _red_alert(uow, actor, plan, status_round, indsats, stored, now, texts)
        edits: list[PromptEdit] = []
        if status_round is not None:
            view = await round_view(uow, plan, status_round)
            edits = await refresh(
                uow, view, indsats.person_ids, html_texts(texts), await _languages(uow, indsats)
            )
        await audit(
            uow, actor, "status.answer", "indsats", indsats_id, now, plan.udvalg_id,
            round=status_round.number if status_round else None, colour=stored.colour.value,
            unchanged=stored.unchanged, early=status_round is None,
        )  # fmt: skip
        await uow.commit()
    return Recorded(stored, edits, alerts)


async def _languages(uow: UnitOfWork, indsats: Indsats) -> dict[int, str]:
    return {
        pid: p.language or "" for pid, p in (await uow.persons.many(indsats.person_ids)).items()
    }


async def _red_alert(
    uow: UnitOfWork,
    actor: Actor,
    plan: Handleplan,
    status_round: StatusRound | None,
    indsats: Indsats,
    answer: StatusAnswer,
    now: datetime,
    texts: Texts,
) -> int:
    """A red answer (not "ingen ændring") goes to the secretaries at once, and to the formand
    when the udvalg chose so: once per round and indsats."""
    if answer.colour is not StatusColour.ROED or answer.unchanged:
        return 0
    recipients = await alert_recipients(uow, plan.udvalg_id)
    who = await uow.persons.get(actor.person_id)
    scope = f"r{status_round.id}" if status_round is not None else f"early:{int(now.timestamp())}"
    messages = []
    for recipient in recipients:
        t = escaping(texts(recipient.language or None))
        body = t(
            "status-red-alert",
            plan=plan.named,
            indsats=indsats.title,
            who=who.name if who else "?",
            text=answer.text,
        )
        if status_round is None:
            body += "\n" + t("status-red-alert-early")
        button = ButtonSpec(t("status-btn-view"), "status:view", indsats.id or 0, answer.round_id)
        messages.append(
            OutboxMessage(
                key=f"status:{scope}:i{indsats.id}:roed:p{recipient.person_id}",
                chat_id=recipient.chat_id,
                kind=OutboxKind.NOTICE,
                payload=OutMessage(body[:4000], ((button,),)).to_payload(),
                not_before=now,
                person_id=recipient.person_id,
                udvalg_id=plan.udvalg_id,
            )
        )
    return await uow.outbox.add_many(messages)


async def alert_recipients(uow: UnitOfWork, udvalg_id: int) -> list[Recipient]:
    """Who hears of a red answer: the secretaries, and the formand when the udvalg chose so."""
    settings = await uow.plans.settings(udvalg_id)
    people = await people_of(uow, udvalg_id)
    wanted = {Role.SEKRETAER} | ({Role.FORMAND} if settings.red_to_formand else set())
    return [
        recipient
        for _, (person, held) in sorted(people.items())
        if held & wanted and (recipient := recipient_of(person)) is not None
    ]


async def _own_indsats(
    uow: UnitOfWork, actor: Actor, indsats_id: int, active_only: bool
) -> tuple[Indsats, Handleplan]:
    """The indsats and its plan, in the caller's transaction, for one of its owners or the
    udvalg's secretary; anyone else is refused."""
    indsats = await uow.indsatser.get(indsats_id)
    if indsats is None or (active_only and not indsats.active):
        raise NotFound("err-indsats-unknown")
    plan = await load_plan(uow, indsats.plan_id)
    if not indsats.owned_by(actor.person_id) and not rules.can_edit_udvalg(actor, plan.udvalg_id):
        raise NotAllowed("err-status-not-tovholder")
    return indsats, plan


async def colleagues(uow: UnitOfWork, actor: Actor, indsats_id: int) -> list[Person]:
    """Who an indsats may be handed over to: the others with a role in the udvalg."""
    async with uow:
        indsats, plan = await _own_indsats(uow, actor, indsats_id, active_only=False)
        people = await people_of(uow, plan.udvalg_id)
    return [
        person
        for pid, (person, held) in sorted(people.items())
        if pid != actor.person_id
        and not indsats.owned_by(pid)
        and (Role.TOVHOLDER in held or Role.SEKRETAER in held)
    ]


@dataclass(frozen=True, slots=True)
class HandedOver:
    indsats: Indsats
    person: Person
    edits: list[PromptEdit] = field(default_factory=list)


async def hand_over(
    uow: UnitOfWork,
    actor: Actor,
    indsats_id: int,
    to_person_id: int,
    now: datetime,
    texts: Texts,
) -> HandedOver:
    """The tovholder passes an indsats to a colleague in the udvalg (in the giver's place among
    the owners): in a running round the colleague's prompt gains it (or they get one), the
    giver's loses it, and the secretaries are told."""
    async with uow:
        indsats, plan = await _own_indsats(uow, actor, indsats_id, active_only=True)
        people = await people_of(uow, plan.udvalg_id)
        if to_person_id not in people or indsats.owned_by(to_person_id):
            raise InvalidInput("err-status-handover-person")
        target = people[to_person_id][0]
        giver = await uow.persons.get(actor.person_id)
        _pass_on(indsats, actor.person_id, target)
        await uow.indsatser.update(indsats)
        edits = await _hand_over_prompts(uow, plan, actor.person_id, target, now, texts)
        for secretary in await secretaries_of(uow, plan.udvalg_id):
            t = escaping(texts(secretary.language or None))
            text = t(
                "status-handover-notice",
                indsats=indsats.title,
                plan=plan.named,
                giver=giver.name if giver else "?",
                taker=target.name,
            )
            key = (
                f"status:handover:i{indsats_id}:p{to_person_id}:{int(now.timestamp())}"
                f":s{secretary.person_id}"
            )
            await uow.outbox.add(notice(key, secretary, text, now, plan.udvalg_id))
        await audit(
            uow, actor, "indsats.handover", "indsats", indsats_id, now, plan.udvalg_id,
            to=to_person_id,
        )  # fmt: skip
        await uow.commit()
    return HandedOver(indsats, target, edits)


def _pass_on(indsats: Indsats, giver_id: int, target: Person) -> None:
    """The giver's owner entries (or, for a secretary passing it on, the first) go to the
    colleague; the plan's tovholder text names them."""
    mine = [o for o in indsats.owners if o.person_id == giver_id] or indsats.owners[:1]
    if not mine:
        indsats.owners.append(IndsatsOwner(target.name, target.id))
    for owner in mine:
        owner.person_id, owner.unit_id, owner.name = target.id, None, target.name
    if indsats.kontaktperson:
        indsats.kontaktperson = target.name
    indsats.tovholder = ", ".join(dict.fromkeys(o.name for o in indsats.owners))


async def _hand_over_prompts(
    uow: UnitOfWork, plan: Handleplan, giver_id: int, target: Person, now: datetime, texts: Texts
) -> list[PromptEdit]:
    rounds = await uow.status_rounds.for_plan(plan.id or 0)
    current = _running(rounds, now)
    if current is None:
        return []
    view = await round_view(uow, plan, current)
    translate = html_texts(texts)
    languages = {giver_id: "", target.id or 0: target.language or ""}
    giver = await uow.persons.get(giver_id)
    if giver is not None:
        languages[giver_id] = giver.language or ""
    status, _ = await live_prompt(uow, current.id or 0, target.id or 0)
    edits = await refresh(uow, view, [giver_id], translate, languages)
    reachable = recipient_of(target)
    if status is None and reachable is not None:
        await queue_prompts(
            uow, view, {target.id or 0: reachable}, translate, now, only=[target.id or 0]
        )
    else:
        edits += await refresh(uow, view, [target.id or 0], translate, languages)
    return edits


def answered_line(item: PendingIndsats, t: Callable[..., str]) -> str:
    """ "Gul (12-03-2026, Bo Berg)" for the detail of an indsats already answered."""
    assert item.answer is not None
    return t(
        "status-already-answered",
        colour=COLOUR_LABELS[item.answer.colour],
        date=format_date(to_local(item.answer.answered_at, ZONE).date()),
    ) + (f" ({esc(item.answered_by)})" if item.answered_by else "")
