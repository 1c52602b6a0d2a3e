"""/status for a tovholder: where their one prompt of each running round is, never a second one.

A person's prompt is queued once per round (``agendas.status.lists``). /status points to it
when it is in the chat; when it is still waiting (held back by an absence, or not yet sent) it
is sent now; when the person never got one (they became an owner later, or were away for the
whole round) it is queued now. Only "📋 Vis listen igen" sends the list once more, and that copy
becomes the one kept up to date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from agendas.chatviews import Texts
from agendas.errors import InvalidInput, NotAllowed
from agendas.mailings import OutMessage
from agendas.model import Actor
from agendas.outbox import OutboxStatus
from agendas.plans import Handleplan, StatusRound
from agendas.ports import UnitOfWork
from agendas.status.common import html_texts, load_round, recipient_of
from agendas.status.lists import live_prompt, prompt_of, round_view
from agendas.status.prompts import prompt_key, prompt_message


@dataclass(frozen=True, slots=True)
class PromptPlace:
    plan: Handleplan
    status_round: StatusRound
    done: int
    total: int
    #: (chat id, message id) of the prompt in the chat; None: it is on its way.
    where: tuple[int, int] | None


async def my_prompts(
    uow: UnitOfWork, actor: Actor, now: datetime, texts: Texts
) -> list[PromptPlace]:
    """The actor's prompt in each running round of theirs; one still waiting goes out now, a
    missing one is queued now (the caller wakes the outbox)."""
    places: list[PromptPlace] = []
    async with uow:
        person = await uow.persons.get(actor.person_id)
        recipient = recipient_of(person) if person is not None else None
        mine = [i for i in await uow.indsatser.for_person(actor.person_id) if i.active]
        for plan_id in sorted({i.plan_id for i in mine}):
            plan = await uow.plans.get(plan_id)
            rounds = await uow.status_rounds.for_plan(plan_id)
            if plan is None or not plan.active or not rounds or not rounds[-1].accepts_answers(now):
                continue
            current = rounds[-1]
            view = await round_view(uow, plan, current)
            items = view.items_for(actor.person_id)
            status, where = await live_prompt(uow, current.id or 0, actor.person_id)
            if where is None and recipient is not None:
                message = prompt_of(view, actor.person_id, html_texts(texts)(recipient.language))
                key = prompt_key(current.id or 0, actor.person_id)
                if status is OutboxStatus.PENDING:
                    await uow.outbox.update_pending(key, message.to_payload(), now)
                elif status is None:
                    await uow.outbox.add(prompt_message(plan, current, recipient, message, now))
            done = sum(1 for item in items if item.answer is not None)
            places.append(PromptPlace(plan, current, done, len(items), where))
        await uow.commit()
    return places


async def prompt_again(
    uow: UnitOfWork, actor: Actor, round_id: int, now: datetime, texts: Texts
) -> OutMessage:
    """The actor's prompt of a running round, to send once more ("Vis listen igen")."""
    async with uow:
        person = await uow.persons.get(actor.person_id)
        language = person.language or "" if person is not None else ""
        status_round, plan = await load_round(uow, round_id)
        if not status_round.accepts_answers(now):
            raise InvalidInput("err-status-round-old")
        view = await round_view(uow, plan, status_round)
        if not view.items_for(actor.person_id):
            raise NotAllowed("err-status-not-tovholder")
        return prompt_of(view, actor.person_id, html_texts(texts)(language))


async def remember_prompt(
    uow: UnitOfWork, round_id: int, person_id: int, chat_id: int, message_id: int
) -> tuple[int, int] | None:
    """The list just sent is the one kept up to date from now on; returns where the one
    before it was (to take its buttons away)."""
    async with uow:
        _, before = await live_prompt(uow, round_id, person_id)
        await uow.status_rounds.set_prompt_message(round_id, person_id, chat_id, message_id)
        await uow.commit()
    return before
