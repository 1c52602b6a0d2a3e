"""The tovholder's side of a round: what is asked of them, their answer (until the
deadline), and handing an indsats over to a colleague."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from agendas import rules
from agendas.chatviews import Texts
from agendas.dates import format_date, format_time, to_local
from agendas.errors import InvalidInput, NotAllowed, NotFound
from agendas.model import Actor, Person, Role
from agendas.plans import (
    AttachmentRef,
    Handleplan,
    Indsats,
    PreviousStatus,
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
    load_round,
    notice,
    people_of,
    previous_answers,
    put_all,
    recipient_of,
    secretaries_of,
)
from agendas.status.draft import StatusDraft
from agendas.status.prompts import round_prompts


@dataclass(frozen=True, slots=True)
class PendingIndsats:
    """One indsats a tovholder is asked about in a running round."""

    plan: Handleplan
    status_round: StatusRound
    indsats: Indsats
    previous: PreviousStatus | None
    answer: StatusAnswer | None


async def _check_answerable(
    uow: UnitOfWork, actor: Actor, round_id: int, indsats_id: int, now: datetime
) -> tuple[StatusRound, Handleplan, Indsats]:
    status_round, plan = await load_round(uow, round_id)
    rounds = await uow.status_rounds.for_plan(plan.id or 0)
    if rounds and rounds[-1].id != status_round.id:
        raise InvalidInput("err-status-round-old")
    if not status_round.accepts_answers(now):
        if now < status_round.opens_at:
            raise InvalidInput("err-status-round-not-open")
        deadline = to_local(status_round.deadline, "Europe/Copenhagen")
        raise InvalidInput(
            "err-status-after-deadline",
            date=format_date(deadline.date()),
            time=format_time(deadline.time()),
        )
    indsats = await uow.indsatser.get(indsats_id)
    if indsats is None or indsats.plan_id != plan.id or not indsats.active:
        raise NotFound("err-indsats-unknown")
    if indsats.tovholder_person_id != actor.person_id and not rules.can_edit_udvalg(
        actor, plan.udvalg_id
    ):
        raise NotAllowed("err-status-not-tovholder")
    return status_round, plan, indsats


async def pending_item(
    uow: UnitOfWork, actor: Actor, round_id: int, indsats_id: int, now: datetime
) -> PendingIndsats:
    """One indsats as a tovholder answers it; refused like an answer would be."""
    async with uow:
        status_round, plan, indsats = await _check_answerable(uow, actor, round_id, indsats_id, now)
        rounds = await uow.status_rounds.for_plan(plan.id or 0)
        previous = (await previous_answers(uow, rounds, status_round.number)).get(indsats_id)
        answers = await uow.status_answers.for_rounds([round_id])
        answer = next((a for a in answers if a.indsats_id == indsats_id), None)
    return PendingIndsats(plan, status_round, indsats, previous, answer)


async def pending_for(uow: UnitOfWork, actor: Actor, now: datetime) -> list[PendingIndsats]:
    """Every indsats of the actor in a round that accepts answers, unanswered ones first."""
    result: list[PendingIndsats] = []
    async with uow:
        mine = [i for i in await uow.indsatser.for_person(actor.person_id) if i.active]
        plan_ids = sorted({i.plan_id for i in mine})
        for plan_id in plan_ids:
            plan = await uow.plans.get(plan_id)
            if plan is None or not plan.active:
                continue
            rounds = await uow.status_rounds.for_plan(plan_id)
            if not rounds or not rounds[-1].accepts_answers(now):
                continue
            current = rounds[-1]
            previous = await previous_answers(uow, rounds, current.number)
            answers = {
                a.indsats_id: a for a in await uow.status_answers.for_rounds([current.id or 0])
            }
            for indsats in sorted(
                (i for i in mine if i.plan_id == plan_id), key=lambda i: i.position
            ):
                result.append(
                    PendingIndsats(
                        plan,
                        current,
                        indsats,
                        previous.get(indsats.id or 0),
                        answers.get(indsats.id or 0),
                    )
                )
    return sorted(result, key=lambda p: p.answer is not None)


async def record_answer(
    uow: UnitOfWork,
    actor: Actor,
    round_id: int,
    indsats_id: int,
    colour: StatusColour | None,
    text: str,
    now: datetime,
    attachment: AttachmentRef | None = None,
) -> StatusAnswer:
    """Store (or replace, until the deadline) the answer. ``colour`` None is "ingen ændring":
    the last answer's colour and text with a new date."""
    return await _record(
        uow, actor, round_id, indsats_id, colour, lambda: clean_status_text(text), now, attachment
    )


async def record_draft(
    uow: UnitOfWork, actor: Actor, draft: StatusDraft, now: datetime
) -> StatusAnswer:
    """The answer a tovholder confirmed in chat (its text was checked as it was written)."""
    colour = None if draft.unchanged else draft.colour
    return await _record(
        uow, actor, draft.round_id, draft.indsats_id, colour, lambda: draft.text, now,
        draft.attachment,
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
) -> StatusAnswer:
    """``text`` gives the checked text once the answer is known to be accepted (so a closed
    round is refused as such, whatever the text)."""
    async with uow:
        status_round, plan, _ = await _check_answerable(uow, actor, round_id, indsats_id, now)
        if colour is None:
            rounds = await uow.status_rounds.for_plan(plan.id or 0)
            previous = (await previous_answers(uow, rounds, status_round.number)).get(indsats_id)
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
        stored = await uow.status_answers.put(answer)
        await audit(
            uow,
            actor,
            "status.answer",
            "indsats",
            indsats_id,
            now,
            plan.udvalg_id,
            round=status_round.number,
            colour=answer.colour.value,
            unchanged=answer.unchanged,
        )
        await uow.commit()
    return stored


async def _own_indsats(
    uow: UnitOfWork, actor: Actor, indsats_id: int, active_only: bool
) -> tuple[Indsats, Handleplan]:
    """The indsats and its plan, in the caller's transaction, for its tovholder or the udvalg's
    secretary; anyone else is refused."""
    indsats = await uow.indsatser.get(indsats_id)
    if indsats is None or (active_only and not indsats.active):
        raise NotFound("err-indsats-unknown")
    plan = await load_plan(uow, indsats.plan_id)
    if indsats.tovholder_person_id != actor.person_id and not rules.can_edit_udvalg(
        actor, plan.udvalg_id
    ):
        raise NotAllowed("err-status-not-tovholder")
    return indsats, plan


async def colleagues(uow: UnitOfWork, actor: Actor, indsats_id: int) -> list[Person]:
    """Who an indsats may be handed over to: the others with a role in the udvalg."""
    async with uow:
        _, plan = await _own_indsats(uow, actor, indsats_id, active_only=False)
        people = await people_of(uow, plan.udvalg_id)
    return [
        person
        for pid, (person, held) in sorted(people.items())
        if pid != actor.person_id and (Role.TOVHOLDER in held or Role.SEKRETAER in held)
    ]


async def hand_over(
    uow: UnitOfWork,
    actor: Actor,
    indsats_id: int,
    to_person_id: int,
    now: datetime,
    texts: Texts,
) -> tuple[Indsats, Person]:
    """The tovholder passes an indsats to a colleague in the udvalg: the colleague gets the
    running round's prompt (if unanswered), the secretaries are told."""
    async with uow:
        indsats, plan = await _own_indsats(uow, actor, indsats_id, active_only=True)
        people = await people_of(uow, plan.udvalg_id)
        if to_person_id not in people or to_person_id == indsats.tovholder_person_id:
            raise InvalidInput("err-status-handover-person")
        target = people[to_person_id][0]
        giver = await uow.persons.get(actor.person_id)
        indsats.tovholder_person_id = to_person_id
        indsats.kontaktperson = target.name if indsats.kontaktperson else indsats.kontaktperson
        if not indsats.kontaktperson:
            indsats.tovholder = target.name
        await uow.indsatser.update(indsats)
        rounds = await uow.status_rounds.for_plan(plan.id or 0)
        if rounds and rounds[-1].accepts_answers(now):
            current = rounds[-1]
            answered = {
                a.indsats_id for a in await uow.status_answers.for_rounds([current.id or 0])
            }
            reachable = recipient_of(target)
            if indsats_id not in answered and reachable is not None:
                previous = await previous_answers(uow, rounds, current.number)
                messages, _ = round_prompts(
                    plan,
                    current,
                    [indsats],
                    previous,
                    {to_person_id: reachable},
                    html_texts(texts),
                )
                for message in messages:
                    message.key = f"{message.key}:p{to_person_id}"
                    message.not_before = now
                await put_all(uow, messages)
        for secretary in await secretaries_of(uow, plan.udvalg_id):
            t = escaping(texts(secretary.language or None))
            text = t(
                "status-handover-notice",
                indsats=indsats.title,
                plan=plan.title,
                giver=giver.name if giver else "?",
                taker=target.name,
            )
            await uow.outbox.add(
                notice(
                    f"status:handover:i{indsats_id}:p{to_person_id}:{int(now.timestamp())}"
                    f":s{secretary.person_id}",
                    secretary,
                    text,
                    now,
                    plan.udvalg_id,
                )
            )
        await audit(
            uow, actor, "indsats.handover", "indsats", indsats_id, now, plan.udvalg_id,
            to=to_person_id,
        )  # fmt: skip
        await uow.commit()
    return indsats, target
