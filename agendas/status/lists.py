"""Each tovholder's one prompt in a round: built, queued once, and kept current.

``queue_prompts`` writes the prompt of every person asked in a round to the outbox (held back
while they are away, never twice: the key is per round and person). ``refresh`` builds the
prompts of some persons again after a change (an answer, a hand-over): a prompt still waiting in
the outbox gets the new text there; one already in the chat is returned as a ``PromptEdit`` for
the chat layer to edit in place. ``live_prompt`` says where a person's prompt is.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from agendas.chatviews import Translate
from agendas.mailings import OutMessage
from agendas.outbox import OutboxStatus
from agendas.plans import Absence, Handleplan, Indsats, PlanGoal, StatusAnswer, StatusRound
from agendas.ports import UnitOfWork
from agendas.status.prompts import (
    ListItem,
    Recipient,
    back_from,
    person_prompt,
    prompt_key,
    prompt_message,
)


@dataclass(frozen=True, slots=True)
class PromptEdit:
    """A prompt in a person's chat to edit in place."""

    person_id: int
    chat_id: int
    message_id: int
    message: OutMessage


@dataclass(slots=True)
class RoundView:
    """What the prompts of one round are built from (read once per transaction)."""

    plan: Handleplan
    status_round: StatusRound
    indsatser: list[Indsats]
    goals: dict[int, PlanGoal]
    answers: dict[int, StatusAnswer]
    names: dict[int, str]
    by_person: dict[int, list[Indsats]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for indsats in self.indsatser:
            for person_id in indsats.person_ids:
                self.by_person.setdefault(person_id, []).append(indsats)

    def items_for(self, person_id: int) -> list[ListItem]:
        items = []
        for indsats in self.by_person.get(person_id, []):
            answer = self.answers.get(indsats.id or 0)
            by = ""
            if answer is not None and answer.answered_by not in (None, person_id):
                by = self.names.get(answer.answered_by or 0, "")
            items.append(ListItem(indsats, answer, by))
        return items

    def people(self) -> list[int]:
        """Everyone asked in the round, in the plan's order."""
        return list(self.by_person)


async def round_view(uow: UnitOfWork, plan: Handleplan, status_round: StatusRound) -> RoundView:
    indsatser = [i for i in await uow.indsatser.for_plan(plan.id or 0) if i.active]
    goals = {g.id or 0: g for g in await uow.plans.goals(plan.id or 0)}
    answers = {a.indsats_id: a for a in await uow.status_answers.for_rounds([status_round.id or 0])}
    by = sorted({a.answered_by for a in answers.values() if a.answered_by is not None})
    names = {pid: p.name for pid, p in (await uow.persons.many(by)).items()}
    return RoundView(plan, status_round, indsatser, goals, answers, names)


def prompt_of(view: RoundView, person_id: int, t: Translate) -> OutMessage:
    return person_prompt(view.plan, view.status_round, view.goals, view.items_for(person_id), t)


@dataclass(frozen=True, slots=True)
class Queued:
    prompts: int
    #: People away for the whole round (no prompt), with their absence.
    away: dict[int, Absence]


async def queue_prompts(
    uow: UnitOfWork,
    view: RoundView,
    recipients: dict[int, Recipient],
    translate: Callable[[str], Translate],
    now: datetime,
    only: Sequence[int] | None = None,
) -> Queued:
    """Inside a transaction: the prompt of each person asked (or of ``only``), not before the
    opening, nor while they are away; nobody away until after the deadline gets one."""
    people = [p for p in (only if only is not None else view.people()) if p in recipients]
    absences = await uow.absences.for_persons(people)
    messages = []
    away: dict[int, Absence] = {}
    for person_id in people:
        recipient = recipients[person_id]
        when = back_from(absences.get(person_id), max(now, view.status_round.opens_at))
        if when >= view.status_round.deadline:
            away[person_id] = absences[person_id]
            continue
        message = prompt_of(view, person_id, translate(recipient.language))
        messages.append(prompt_message(view.plan, view.status_round, recipient, message, when))
    return Queued(await uow.outbox.add_many(messages), away)


async def live_prompt(
    uow: UnitOfWork, round_id: int, person_id: int
) -> tuple[OutboxStatus | None, tuple[int, int] | None]:
    """Where the person's prompt of the round is: the outbox row's state (None: never queued)
    and (chat id, message id) once it is in the chat (the newest one a handler sent wins)."""
    shown = await uow.status_rounds.prompt_message(round_id, person_id)
    queued = await uow.outbox.by_key_prefix(prompt_key(round_id, person_id))
    row = queued[0] if queued else None
    if shown is not None:
        return (row.status if row else None), shown
    if row is not None and row.telegram_message_id is not None:
        return row.status, (row.chat_id, row.telegram_message_id)
    return (row.status if row else None), None


async def refresh(
    uow: UnitOfWork,
    view: RoundView,
    person_ids: Sequence[int],
    translate: Callable[[str], Translate],
    languages: dict[int, str],
) -> list[PromptEdit]:
    """Inside a transaction: the prompts of ``person_ids`` built again; a queued one is
    replaced in the outbox, one in the chat is returned to be edited."""
    edits: list[PromptEdit] = []
    round_id = view.status_round.id or 0
    for person_id in dict.fromkeys(person_ids):
        message = prompt_of(view, person_id, translate(languages.get(person_id, "")))
        key = prompt_key(round_id, person_id)
        if await uow.outbox.update_pending(key, message.to_payload()):
            continue
        _, where = await live_prompt(uow, round_id, person_id)
        if where is not None:
            edits.append(PromptEdit(person_id, where[0], where[1], message))
    return edits
