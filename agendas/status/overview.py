"""The round at a glance (/statusoverblik): the latest round of each plan, per colour."""

from __future__ import annotations

from dataclasses import dataclass

from agendas import rules
from agendas.model import Actor, Udvalg
from agendas.plans import (
    COLOUR_LABELS,
    Handleplan,
    RoundOverview,
    StatusColour,
    StatusRound,
    overview,
)
from agendas.ports import UnitOfWork
from agendas.status.common import previous_answers


@dataclass(frozen=True, slots=True)
class RoundStatus:
    plan: Handleplan
    udvalg: Udvalg
    status_round: StatusRound
    overview: RoundOverview
    tovholder_names: dict[int, str]


async def round_overviews(
    uow: UnitOfWork, actor: Actor, plan_id: int | None = None
) -> list[RoundStatus]:
    """/statusoverblik: the latest round of each plan the actor is secretary of."""
    result: list[RoundStatus] = []
    async with uow:
        for udvalg in await uow.udvalg.list_all():
            if not rules.can_edit_udvalg(actor, udvalg.id or 0):
                continue
            for plan in await uow.plans.for_udvalg(udvalg.id or 0):
                if not plan.active or (plan_id is not None and plan.id != plan_id):
                    continue
                rounds = await uow.status_rounds.for_plan(plan.id or 0)
                if not rounds:
                    continue
                current = rounds[-1]
                indsatser = [i for i in await uow.indsatser.for_plan(plan.id or 0) if i.active]
                answers = {
                    a.indsats_id: a for a in await uow.status_answers.for_rounds([current.id or 0])
                }
                previous = await previous_answers(uow, rounds, current.number)
                names: dict[int, str] = {}
                for indsats in indsatser:
                    if indsats.tovholder_person_id is not None:
                        person = await uow.persons.get(indsats.tovholder_person_id)
                        if person is not None:
                            names[indsats.id or 0] = person.name
                result.append(
                    RoundStatus(
                        plan, udvalg, current, overview(indsatser, answers, previous), names
                    )
                )
    return result


def colour_word(colour: StatusColour | None) -> str:
    return COLOUR_LABELS[colour] if colour is not None else "–"
