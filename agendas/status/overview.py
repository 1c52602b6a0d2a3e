"""The round at a glance (/statusoverblik) and one indsats' status (the button on a red alert).

The latest round of each plan: counts per colour, who is missing (and who of them is away),
what changed since the last round, the answers given before the round, and the counts of every
round so far (the chart).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from agendas import rules
from agendas.errors import NotAllowed, NotFound
from agendas.model import Actor, Udvalg
from agendas.plans import (
    COLOUR_LABELS,
    Absence,
    Handleplan,
    Indsats,
    PlanGoal,
    RoundOverview,
    StatusAnswer,
    StatusColour,
    StatusRound,
    overview,
)
from agendas.ports import UnitOfWork
from agendas.status.chart import RoundCounts
from agendas.status.common import load_plan, previous_answers


@dataclass(frozen=True, slots=True)
class RoundStatus:
    plan: Handleplan
    udvalg: Udvalg
    status_round: StatusRound
    overview: RoundOverview
    tovholder_names: dict[int, str]
    #: Missing indsatser whose owners are all away today, with the day the last is back.
    away: dict[int, date] = field(default_factory=dict)
    #: Answers given before the round opened.
    early: int = 0
    history: tuple[RoundCounts, ...] = ()


async def _status(
    uow: UnitOfWork, plan: Handleplan, udvalg: Udvalg, rounds: list[StatusRound], today: date
) -> RoundStatus:
    current = rounds[-1]
    indsatser = [i for i in await uow.indsatser.for_plan(plan.id or 0) if i.active]
    all_answers = await uow.status_answers.for_rounds([r.id or 0 for r in rounds])
    answers = {a.indsats_id: a for a in all_answers if a.round_id == current.id}
    previous = await previous_answers(uow, rounds, current.number)
    people = await uow.persons.many(sorted({p for i in indsatser for p in i.person_ids}))
    names = {
        indsats.id or 0: ", ".join(people[p].name for p in indsats.person_ids if p in people)
        for indsats in indsatser
        if indsats.person_ids
    }
    result = overview(indsatser, answers, previous)
    absences: dict[int, Absence] = await uow.absences.for_persons(list(people))
    away: dict[int, date] = {}
    for indsats in result.missing:
        owners = indsats.person_ids
        if owners and all(p in absences and absences[p].covers(today) for p in owners):
            away[indsats.id or 0] = max(absences[p].until for p in owners)
    active = [i.id or 0 for i in indsatser]
    history = tuple(
        RoundCounts.tally(
            r.number, {a.indsats_id: a.colour for a in all_answers if a.round_id == r.id}, active
        )
        for r in rounds
    )
    early = sum(1 for a in answers.values() if a.early)
    return RoundStatus(plan, udvalg, current, result, names, away, early, history)


async def round_overviews(
    uow: UnitOfWork, actor: Actor, plan_id: int | None = None, today: date | None = None
) -> list[RoundStatus]:
    """/statusoverblik: the latest round of each plan the actor is secretary of."""
    result: list[RoundStatus] = []
    day = today or date.today()
    async with uow:
        for udvalg in await uow.udvalg.list_all():
            if not rules.can_edit_udvalg(actor, udvalg.id or 0):
                continue
            for plan in await uow.plans.for_udvalg(udvalg.id or 0):
                if not plan.active or (plan_id is not None and plan.id != plan_id):
                    continue
                rounds = await uow.status_rounds.for_plan(plan.id or 0)
                if rounds:
                    result.append(await _status(uow, plan, udvalg, rounds, day))
    return result


def colour_word(colour: StatusColour | None) -> str:
    return COLOUR_LABELS[colour] if colour is not None else "–"


@dataclass(frozen=True, slots=True)
class IndsatsStatus:
    """One indsats for the secretary or the formand: its goal, owners, latest answer, and
    its colour in each round so far."""

    plan: Handleplan
    indsats: Indsats
    goal: PlanGoal | None
    owners: list[str]
    answer: StatusAnswer | None
    answered_by: str
    colours: list[tuple[int, StatusColour | None]]
    answered_at: datetime | None = None


async def indsats_status(uow: UnitOfWork, actor: Actor, indsats_id: int) -> IndsatsStatus:
    """The udvalg's secretaries and members (the formand of a red alert) may look."""
    async with uow:
        indsats = await uow.indsatser.get(indsats_id)
        if indsats is None:
            raise NotFound("err-indsats-unknown")
        plan = await load_plan(uow, indsats.plan_id)
        roles = actor.roles_in(plan.udvalg_id)
        if not rules.can_edit_udvalg(actor, plan.udvalg_id) and not any(r.is_member for r in roles):
            raise NotAllowed("err-status-view-not-allowed")
        rounds = await uow.status_rounds.for_plan(plan.id or 0)
        answers = {
            a.round_id: a
            for a in await uow.status_answers.for_rounds([r.id or 0 for r in rounds])
            if a.indsats_id == indsats_id
        }
        early = [
            a
            for a in await uow.status_answers.early_for_plan(plan.id or 0)
            if a.indsats_id == indsats_id
        ]
        latest = (
            early[0]
            if early
            else next(
                (answers[r.id or 0] for r in reversed(rounds) if (r.id or 0) in answers), None
            )
        )
        people = await uow.persons.many(
            [*indsats.person_ids, *([latest.answered_by] if latest and latest.answered_by else [])]
        )
        goals = {g.id: g for g in await uow.plans.goals(plan.id or 0)}
    owners = [
        f"{o.name} ({people[o.person_id].name})"
        if o.person_id in people and people[o.person_id].name != o.name
        else o.name
        for o in indsats.owners
    ]
    by = people[latest.answered_by].name if latest and latest.answered_by in people else ""
    colours = [
        (r.number, answers[r.id or 0].colour if (r.id or 0) in answers else None) for r in rounds
    ]
    return IndsatsStatus(
        plan, indsats, goals.get(indsats.goal_id), owners, latest, by, colours,
        latest.answered_at if latest else None,
    )  # fmt: skip
