"""Status-round storage on SQLite and PostgreSQL: plans with schedules and goals, indsatser with
their owners and units, rounds (one number per plan) and the list message each person has,
answers (one per round and indsats, and those given before a round), absences, the udvalg's
settings, and a round opened through the service with its prompts in the same transaction."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from agendas.errors import ConcurrentEdit
from agendas.model import Actor, Membership, Person, Role, Udvalg
from agendas.plans import (
    Absence,
    AttachmentRef,
    GoalKind,
    Handleplan,
    Indsats,
    IndsatsOwner,
    PlanGoal,
    PlanKind,
    RoundState,
    StatusAnswer,
    StatusColour,
    StatusRound,
    StatusSchedule,
    StatusSettings,
    StatusUnit,
)
from agendas.status import rounds as round_service
from storage.uow import SqlUnitOfWork

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


async def _udvalg(uow: SqlUnitOfWork) -> tuple[int, int]:
    async with uow:
        udvalg = await uow.udvalg.add(Udvalg("BEU", "Beskæftigelsesudvalget", "SSF"))
        person = await uow.persons.add(Person(9_000_000_001, "Tove Holder"))
        await uow.commit()
    return udvalg.id or 0, person.id or 0


async def test_plan_indsats_round_and_answer_round_trip(uow: SqlUnitOfWork) -> None:
    udvalg_id, person_id = await _udvalg(uow)
    async with uow:
        plan = await uow.plans.add(
            Handleplan(
                udvalg_id,
                "Handleplan for ensomhed",
                PlanKind.GENOPRETNINGSPLAN,
                "2025-2026",
                StatusSchedule("første mandag i måneden kl. 9", 4, 1),
                schedule_set_at=NOW,
                created_at=NOW,
            )
        )
        unit = await uow.indsatser.add(
            Indsats(
                plan.id or 0,
                "Fællesspisning",
                position=1,
                tovholder="Lokalcenter Nord",
                kontaktperson="Tove Holder",
                owners=[IndsatsOwner("Lokalcenter Nord", person_id)],
                formaal="12 arrangementer",
            )
        )
        first = await uow.indsatser.add(Indsats(plan.id or 0, "Besøgsvenner", position=0))
        status_round = await uow.status_rounds.add(
            StatusRound(
                plan.id or 0,
                1,
                NOW,
                NOW + timedelta(days=7),
                (NOW + timedelta(days=5), NOW + timedelta(days=7, hours=-7)),
            )
        )
        await uow.status_answers.put(
            StatusAnswer(
                status_round.id or 0,
                unit.id or 0,
                StatusColour.GUL,
                "Få deltagere",
                NOW,
                person_id,
                attachment=AttachmentRef("file-1", "notat.pdf", 1234),
            )
        )
        await uow.commit()
    async with uow:
        stored = await uow.plans.get(plan.id or 0)
        assert stored is not None and stored.schedule == plan.schedule
        assert stored.kind is PlanKind.GENOPRETNINGSPLAN and stored.schedule_set_at == NOW
        assert [p.id for p in await uow.plans.scheduled()] == [plan.id]
        assert [i.title for i in await uow.indsatser.for_plan(plan.id or 0)] == [
            "Besøgsvenner",
            "Fællesspisning",
        ]
        [mine] = await uow.indsatser.for_person(person_id)
        assert (mine.tovholder, mine.kontaktperson) == ("Lokalcenter Nord", "Tove Holder")
        [loaded] = await uow.status_rounds.for_plan(plan.id or 0)
        assert loaded.reminders == status_round.reminders
        assert loaded.state is RoundState.OPEN
        assert [r.id for r in await uow.status_rounds.open_rounds()] == [loaded.id]
        # A changed answer replaces the first one.
        await uow.status_answers.put(
            StatusAnswer(loaded.id or 0, unit.id or 0, StatusColour.GROEN, "Bedre", NOW, person_id)
        )
        await uow.commit()
    async with uow:
        [answer] = await uow.status_answers.for_rounds([loaded.id or 0])
        assert (answer.colour, answer.text, answer.attachment) == (
            StatusColour.GROEN,
            "Bedre",
            None,
        )
        loaded.state = RoundState.CLOSED
        loaded.reminders_sent = 2
        await uow.status_rounds.update(loaded)
        await uow.commit()
    async with uow:
        assert await uow.status_rounds.open_rounds() == []
        assert first.id is not None


async def test_a_round_number_is_stored_once_per_plan(uow: SqlUnitOfWork) -> None:
    udvalg_id, _ = await _udvalg(uow)
    async with uow:
        plan = await uow.plans.add(Handleplan(udvalg_id, "Plan", created_at=NOW))
        await uow.status_rounds.add(StatusRound(plan.id or 0, 1, NOW, NOW + timedelta(days=7)))
        await uow.commit()
    async with uow:
        with pytest.raises(ConcurrentEdit):
            await uow.status_rounds.add(StatusRound(plan.id or 0, 1, NOW, NOW + timedelta(days=7)))
    async with uow:
        assert len(await uow.status_rounds.for_plan(plan.id or 0)) == 1


def texts(language: str | None):  # type: ignore[no-untyped-def]
    return lambda key, /, **params: key


async def test_opening_a_round_stores_the_round_and_its_prompts_together(
    uow: SqlUnitOfWork,
) -> None:
    udvalg_id, person_id = await _udvalg(uow)
    async with uow:
        secretary = await uow.persons.add(Person(9_000_000_002, "Sofie Sekretær"))
        await uow.memberships.add(Membership(secretary.id or 0, udvalg_id, Role.SEKRETAER))
        await uow.memberships.add(Membership(person_id, udvalg_id, Role.TOVHOLDER))
        plan = await uow.plans.add(Handleplan(udvalg_id, "Plan", created_at=NOW))
        for n in range(3):
            await uow.indsatser.add(Indsats(plan.id or 0, f"Indsats {n}", tovholder="Tove Holder"))
        await uow.commit()
    actor = Actor(secretary.id or 0, roles={udvalg_id: frozenset({Role.SEKRETAER})})
    opened = await round_service.open_round_now(
        uow, actor, plan.id or 0, NOW, "Europe/Copenhagen", texts
    )
    assert opened.prompts == 1  # one person, one prompt listing all three
    async with uow:
        keys = (
            await uow.session.execute(
                text("SELECT idempotency_key, chat_id FROM outbox ORDER BY idempotency_key")
            )
        ).all()
    assert keys == [(f"status:r{opened.status_round.id}:p{person_id}:prompt", 9_000_000_001)]


async def test_goals_owners_units_early_answers_prompts_absences_and_settings(
    uow: SqlUnitOfWork,
) -> None:
    udvalg_id, person_id = await _udvalg(uow)
    async with uow:
        other = await uow.persons.add(Person(9_000_000_003, "Bo Berg"))
        plan = await uow.plans.add(Handleplan(udvalg_id, "Plan", created_at=NOW))
        goal = await uow.plans.add_goal(
            PlanGoal(plan.id or 0, "Sikker drift", "1", GoalKind.INDSATSOMRAADE)
        )
        unit = await uow.indsatser.add_unit(
            StatusUnit(udvalg_id, "Center for Hjælpemidler", None, "Bo Berg", ("center x",))
        )
        indsats = await uow.indsatser.add(
            Indsats(
                plan.id or 0,
                "Udlån",
                goal_id=goal.id,
                tvaergaaende=True,
                owners=[
                    IndsatsOwner("Center for Hjælpemidler", None, unit.id, confirmed=False),
                    IndsatsOwner("Tove Holder", person_id),
                ],
            )
        )
        status_round = await uow.status_rounds.add(
            StatusRound(plan.id or 0, 1, NOW, NOW + timedelta(days=7))
        )
        await uow.status_rounds.set_prompt_message(status_round.id or 0, person_id, 77, 1001)
        await uow.status_answers.put_early(
            plan.id or 0,
            StatusAnswer(0, indsats.id or 0, StatusColour.ROED, "Tidligt", NOW, person_id),
        )
        await uow.absences.put(Absence(person_id, NOW.date(), NOW.date(), created_at=NOW))
        await uow.plans.put_settings(StatusSettings(udvalg_id, red_to_formand=True))
        await uow.commit()
    async with uow:
        assert [g.label for g in await uow.plans.goals(plan.id or 0)] == [
            "Indsatsområde 1: Sikker drift"
        ]
        loaded = await uow.indsatser.get(indsats.id or 0)
        assert loaded is not None and loaded.goal_id == goal.id and loaded.tvaergaaende
        assert [(o.name, o.unit_id, o.confirmed) for o in loaded.owners] == [
            ("Center for Hjælpemidler", unit.id, False),
            ("Tove Holder", None, True),
        ]
        [stored_unit] = await uow.indsatser.units(udvalg_id)
        assert stored_unit.aliases == ("center x",) and stored_unit.contact_name == "Bo Berg"
        loaded.owners[1].confirmed = True
        kept = loaded.owners[0].id
        await uow.indsatser.update(loaded)
        # The unit's contact answers for every owner row of the unit.
        stored_unit.person_id = other.id
        await uow.indsatser.update_unit(stored_unit)
        await uow.commit()
    async with uow:
        again = await uow.indsatser.get(indsats.id or 0)
        assert again is not None and again.owners[0].id == kept  # an owner keeps its row
        assert again.person_ids == (other.id, person_id)
        assert [i.id for i in await uow.indsatser.for_person(other.id or 0)] == [indsats.id]
        assert await uow.status_rounds.prompt_message(status_round.id or 0, person_id) == (
            77,
            1001,
        )
        [early] = await uow.status_answers.early_for_plan(plan.id or 0)
        assert (early.round_id, early.early, early.text) == (0, True, "Tidligt")
        await uow.status_answers.drop_early(plan.id or 0)
        assert (await uow.absences.for_persons([person_id]))[person_id].until == NOW.date()
        assert await uow.absences.end(person_id) and not await uow.absences.end(person_id)
        assert (await uow.plans.settings(udvalg_id)).red_to_formand
        assert not (await uow.plans.settings(udvalg_id + 1)).red_to_formand
        await uow.commit()
    async with uow:
        assert await uow.status_answers.early_for_plan(plan.id or 0) == []
