"""What the status rounds need from storage: the repositories of handleplaner, their
indsatser and units, rounds, answers and absences (``agendas.ports.UnitOfWork`` holds them).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from agendas.plans import (
    Absence,
    Handleplan,
    Indsats,
    PlanGoal,
    StatusAnswer,
    StatusRound,
    StatusSettings,
    StatusUnit,
)


class PlanRepository(Protocol):
    async def add(self, plan: Handleplan) -> Handleplan: ...
    async def get(self, plan_id: int) -> Handleplan | None: ...
    async def update(self, plan: Handleplan) -> None: ...
    async def for_udvalg(self, udvalg_id: int) -> list[Handleplan]: ...
    async def scheduled(self) -> list[Handleplan]:
        """Active plans that have a schedule."""
        ...

    async def add_goal(self, goal: PlanGoal) -> PlanGoal: ...
    async def goals(self, plan_id: int) -> list[PlanGoal]:
        """In plan order (``position``)."""
        ...

    async def settings(self, udvalg_id: int) -> StatusSettings:
        """The udvalg's stored status settings, or the defaults."""
        ...

    async def put_settings(self, settings: StatusSettings) -> None: ...


class IndsatsRepository(Protocol):
    async def add(self, indsats: Indsats) -> Indsats: ...
    async def get(self, indsats_id: int) -> Indsats | None: ...
    async def update(self, indsats: Indsats) -> None: ...
    async def for_plan(self, plan_id: int) -> list[Indsats]:
        """In plan order (``position``)."""
        ...

    async def for_person(self, person_id: int) -> list[Indsats]:
        """The indsatser with an owner answered for by ``person_id``."""
        ...

    async def units(self, udvalg_id: int) -> list[StatusUnit]: ...
    async def add_unit(self, unit: StatusUnit) -> StatusUnit: ...
    async def update_unit(self, unit: StatusUnit) -> None:
        """Store the unit; every owner row of the unit is asked through its contact person."""
        ...


class StatusRoundRepository(Protocol):
    async def add(self, status_round: StatusRound) -> StatusRound:
        """Raises ``ConcurrentEdit`` when the plan already has a round with that number."""
        ...

    async def get(self, round_id: int) -> StatusRound | None: ...
    async def update(self, status_round: StatusRound) -> None: ...
    async def for_plan(self, plan_id: int) -> list[StatusRound]:
        """Oldest first."""
        ...

    async def open_rounds(self) -> list[StatusRound]: ...
    async def prompt_message(self, round_id: int, person_id: int) -> tuple[int, int] | None:
        """(chat id, message id) of the round's list message a handler sent the person."""
        ...

    async def set_prompt_message(
        self, round_id: int, person_id: int, chat_id: int, message_id: int
    ) -> None: ...


class StatusAnswerRepository(Protocol):
    async def put(self, answer: StatusAnswer) -> StatusAnswer:
        """Insert or replace the answer of (round_id, indsats_id)."""
        ...

    async def for_rounds(self, round_ids: list[int]) -> list[StatusAnswer]: ...
    async def put_early(self, plan_id: int, answer: StatusAnswer) -> StatusAnswer:
        """Insert or replace the answer given before the plan's next round (one per indsats)."""
        ...

    async def early_for_plan(self, plan_id: int) -> list[StatusAnswer]:
        """Answers waiting for the plan's next round (``round_id`` 0, ``early``)."""
        ...

    async def drop_early(self, plan_id: int) -> None: ...


class AbsenceRepository(Protocol):
    async def put(self, absence: Absence) -> Absence:
        """Store the person's absence, replacing any earlier one."""
        ...

    async def end(self, person_id: int) -> bool:
        """Remove the person's absence; False when there was none."""
        ...

    async def for_persons(self, person_ids: Sequence[int]) -> dict[int, Absence]: ...
