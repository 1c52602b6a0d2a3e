"""Status-round repositories: plans (with their goals and the udvalg's settings), indsatser (with
their owners and the units that own them), rounds (with the list message each person has),
answers (also those given before a round) and absences."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from agendas.errors import ConcurrentEdit
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
from storage.mapping import row_values, to_entity
from storage.repositories.base import SqlRepository, utcnow
from storage.tables import (
    IndsatsOwnerRow,
    IndsatsRow,
    PlanGoalRow,
    PlanRow,
    StatusAbsenceRow,
    StatusAnswerRow,
    StatusEarlyRow,
    StatusPromptRow,
    StatusRoundRow,
    StatusSettingsRow,
    StatusUnitRow,
)

# --- mapping ---------------------------------------------------------------------------------


def _plan(row: PlanRow) -> Handleplan:
    schedule = (
        StatusSchedule(row.schedule_rule, row.svarfrist_hverdage, row.reminder_hverdage)
        if row.schedule_rule
        else None
    )
    return to_entity(row, Handleplan, kind=PlanKind(row.kind), schedule=schedule)


def _plan_values(plan: Handleplan) -> dict[str, Any]:
    schedule = plan.schedule
    return row_values(
        plan,
        exclude=("id", "created_at", "schedule"),
        schedule_rule=schedule.rule if schedule else None,
        svarfrist_hverdage=schedule.svarfrist_hverdage if schedule else 5,
        reminder_hverdage=schedule.reminder_hverdage if schedule else 2,
    )


def _round(row: StatusRoundRow) -> StatusRound:
    return to_entity(
        row,
        StatusRound,
        reminders=tuple(datetime.fromisoformat(r) for r in row.reminders or []),
        state=RoundState(row.state),
    )


def _round_values(status_round: StatusRound) -> dict[str, Any]:
    return row_values(
        status_round,
        exclude=("id",),
        reminders=[r.astimezone(UTC).isoformat() for r in status_round.reminders],
    )


def _answer(row: StatusAnswerRow | StatusEarlyRow) -> StatusAnswer:
    attachment = (
        AttachmentRef(row.attachment_file_id, row.attachment_name or "", row.attachment_size)
        if row.attachment_file_id
        else None
    )
    if isinstance(row, StatusEarlyRow):
        return to_entity(
            row,
            StatusAnswer,
            round_id=0,
            early=True,
            colour=StatusColour(row.colour),
            attachment=attachment,
        )
    return to_entity(row, StatusAnswer, colour=StatusColour(row.colour), attachment=attachment)


def _answer_values(answer: StatusAnswer, *, early_row: bool = False) -> dict[str, Any]:
    """The answer's content (the round and the indsats it answers are its identity)."""
    attachment = answer.attachment
    return row_values(
        answer,
        exclude=("id", "round_id", "indsats_id", "attachment") + (("early",) if early_row else ()),
        attachment_file_id=attachment.telegram_file_id if attachment else None,
        attachment_name=attachment.file_name if attachment else None,
        attachment_size=attachment.size if attachment else 0,
    )


def _indsats(row: IndsatsRow, owners: Sequence[IndsatsOwnerRow]) -> Indsats:
    return to_entity(
        row,
        Indsats,
        owners=[
            IndsatsOwner(o.name, o.person_id, o.unit_id, o.confirmed, o.id)
            for o in sorted(owners, key=lambda o: (o.position, o.id or 0))
        ],
    )


def _owner_values(owner: IndsatsOwner, position: int) -> dict[str, Any]:
    return row_values(owner, exclude=("id",), position=position)


def _unit(row: StatusUnitRow) -> StatusUnit:
    return to_entity(row, StatusUnit, aliases=tuple(row.aliases or ()))


# --- repositories ----------------------------------------------------------------------------


class SqlPlanRepository(SqlRepository):
    async def add(self, plan: Handleplan) -> Handleplan:
        values = _plan_values(plan)
        row = PlanRow(created_at=plan.created_at or utcnow(), **values)
        self.session.add(row)
        await self.session.flush()
        return _plan(row)

    async def get(self, plan_id: int) -> Handleplan | None:
        row = await self.session.get(PlanRow, plan_id, populate_existing=True)
        return _plan(row) if row else None

    async def update(self, plan: Handleplan) -> None:
        await self.session.execute(
            update(PlanRow).where(col(PlanRow.id) == plan.id).values(**_plan_values(plan))
        )

    async def for_udvalg(self, udvalg_id: int) -> list[Handleplan]:
        rows = await self.session.scalars(
            select(PlanRow).where(col(PlanRow.udvalg_id) == udvalg_id).order_by(col(PlanRow.id))
        )
        return [_plan(r) for r in rows]

    async def scheduled(self) -> list[Handleplan]:
        rows = await self.session.scalars(
            select(PlanRow)
            .where(col(PlanRow.active).is_(True), col(PlanRow.schedule_rule).is_not(None))
            .order_by(col(PlanRow.id))
        )
        return [_plan(r) for r in rows]

    async def add_goal(self, goal: PlanGoal) -> PlanGoal:
        row = PlanGoalRow(**row_values(goal, exclude=("id",)))
        self.session.add(row)
        await self.session.flush()
        return to_entity(row, PlanGoal, kind=GoalKind(row.kind))

    async def goals(self, plan_id: int) -> list[PlanGoal]:
        rows = await self.session.scalars(
            select(PlanGoalRow)
            .where(col(PlanGoalRow.plan_id) == plan_id)
            .order_by(col(PlanGoalRow.position), col(PlanGoalRow.id))
        )
        return [to_entity(r, PlanGoal, kind=GoalKind(r.kind)) for r in rows]

    async def settings(self, udvalg_id: int) -> StatusSettings:
        row = await self.session.get(StatusSettingsRow, udvalg_id, populate_existing=True)
        return StatusSettings(udvalg_id, row.red_to_formand) if row else StatusSettings(udvalg_id)

    async def put_settings(self, settings: StatusSettings) -> None:
        row = await self.session.get(StatusSettingsRow, settings.udvalg_id)
        if row is None:
            self.session.add(StatusSettingsRow(**row_values(settings)))
        else:
            row.red_to_formand = settings.red_to_formand
        await self.session.flush()


class SqlIndsatsRepository(SqlRepository):
    """Indsatser with their owners (written and read together), and the units of an udvalg."""

    async def add(self, indsats: Indsats) -> Indsats:
        row = IndsatsRow(**row_values(indsats, exclude=("id", "owners")))
        self.session.add(row)
        await self.session.flush()
        owners = await self._write_owners(row.id or 0, dict(enumerate(indsats.owners)))
        return _indsats(row, owners)

    async def get(self, indsats_id: int) -> Indsats | None:
        row = await self.session.get(IndsatsRow, indsats_id, populate_existing=True)
        if row is None:
            return None
        return _indsats(row, (await self._owners([indsats_id])).get(indsats_id, []))

    async def update(self, indsats: Indsats) -> None:
        """Store the indsats and its owners: an owner with an id keeps it (and its row), new
        ones are added, the others removed."""
        await self.session.execute(
            update(IndsatsRow)
            .where(col(IndsatsRow.id) == indsats.id)
            .values(**row_values(indsats, exclude=("id", "owners")))
        )
        kept = [o.id for o in indsats.owners if o.id is not None]
        await self.session.execute(
            delete(IndsatsOwnerRow).where(
                col(IndsatsOwnerRow.indsats_id) == indsats.id,
                col(IndsatsOwnerRow.id).not_in(kept),
            )
        )
        fresh: dict[int, IndsatsOwner] = {}
        for position, owner in enumerate(indsats.owners):
            if owner.id is None:
                fresh[position] = owner
                continue
            await self.session.execute(
                update(IndsatsOwnerRow)
                .where(col(IndsatsOwnerRow.id) == owner.id)
                .values(**_owner_values(owner, position))
            )
        await self._write_owners(indsats.id or 0, fresh)

    async def _write_owners(
        self, indsats_id: int, owners: dict[int, IndsatsOwner]
    ) -> list[IndsatsOwnerRow]:
        """Insert ``owners`` (by position) and give them their ids."""
        rows = [
            IndsatsOwnerRow(indsats_id=indsats_id, **_owner_values(owner, position))
            for position, owner in owners.items()
        ]
        self.session.add_all(rows)
        await self.session.flush()
        for owner, row in zip(owners.values(), rows, strict=True):
            owner.id = row.id
        return rows

    async def _owners(self, indsats_ids: Sequence[int]) -> dict[int, list[IndsatsOwnerRow]]:
        result: dict[int, list[IndsatsOwnerRow]] = {}
        if not indsats_ids:
            return result
        rows = await self.session.scalars(
            select(IndsatsOwnerRow).where(col(IndsatsOwnerRow.indsats_id).in_(list(indsats_ids)))
        )
        for row in rows:
            result.setdefault(row.indsats_id, []).append(row)
        return result

    async def _with_owners(self, rows: Sequence[IndsatsRow]) -> list[Indsats]:
        owners = await self._owners([r.id or 0 for r in rows])
        return [_indsats(r, owners.get(r.id or 0, [])) for r in rows]

    async def for_plan(self, plan_id: int) -> list[Indsats]:
        rows = await self.session.scalars(
            select(IndsatsRow)
            .where(col(IndsatsRow.plan_id) == plan_id)
            .order_by(col(IndsatsRow.position), col(IndsatsRow.id))
        )
        return await self._with_owners(list(rows))

    async def for_person(self, person_id: int) -> list[Indsats]:
        mine = select(col(IndsatsOwnerRow.indsats_id)).where(
            col(IndsatsOwnerRow.person_id) == person_id
        )
        rows = await self.session.scalars(
            select(IndsatsRow)
            .where(col(IndsatsRow.id).in_(mine))
            .order_by(col(IndsatsRow.plan_id), col(IndsatsRow.position), col(IndsatsRow.id))
        )
        return await self._with_owners(list(rows))

    async def units(self, udvalg_id: int) -> list[StatusUnit]:
        rows = await self.session.scalars(
            select(StatusUnitRow)
            .where(col(StatusUnitRow.udvalg_id) == udvalg_id)
            .order_by(col(StatusUnitRow.id))
        )
        return [_unit(r) for r in rows]

    async def add_unit(self, unit: StatusUnit) -> StatusUnit:
        row = StatusUnitRow(**row_values(unit, exclude=("id", "aliases")), aliases=[*unit.aliases])
        self.session.add(row)
        await self.session.flush()
        return _unit(row)

    async def update_unit(self, unit: StatusUnit) -> None:
        """Store the unit; its owners of indsatser are asked through its contact person."""
        await self.session.execute(
            update(StatusUnitRow)
            .where(col(StatusUnitRow.id) == unit.id)
            .values(**row_values(unit, exclude=("id", "aliases")), aliases=[*unit.aliases])
        )
        await self.session.execute(
            update(IndsatsOwnerRow)
            .where(col(IndsatsOwnerRow.unit_id) == unit.id)
            .values(person_id=unit.person_id)
        )


class SqlStatusRoundRepository(SqlRepository):
    async def add(self, status_round: StatusRound) -> StatusRound:
        row = StatusRoundRow(**_round_values(status_round))
        self.session.add(row)
        try:
            await self.session.flush()
        except IntegrityError as exc:  # another process opened the same round first
            raise ConcurrentEdit() from exc
        return _round(row)

    async def get(self, round_id: int) -> StatusRound | None:
        row = await self.session.get(StatusRoundRow, round_id, populate_existing=True)
        return _round(row) if row else None

    async def update(self, status_round: StatusRound) -> None:
        await self.session.execute(
            update(StatusRoundRow)
            .where(col(StatusRoundRow.id) == status_round.id)
            .values(**_round_values(status_round))
        )

    async def for_plan(self, plan_id: int) -> list[StatusRound]:
        rows = await self.session.scalars(
            select(StatusRoundRow)
            .where(col(StatusRoundRow.plan_id) == plan_id)
            .order_by(col(StatusRoundRow.number))
        )
        return [_round(r) for r in rows]

    async def open_rounds(self) -> list[StatusRound]:
        rows = await self.session.scalars(
            select(StatusRoundRow)
            .where(col(StatusRoundRow.state) == RoundState.OPEN.value)
            .order_by(col(StatusRoundRow.id))
        )
        return [_round(r) for r in rows]

    async def prompt_message(self, round_id: int, person_id: int) -> tuple[int, int] | None:
        row = await self.session.get(StatusPromptRow, (round_id, person_id))
        return (row.chat_id, row.message_id) if row else None

    async def set_prompt_message(
        self, round_id: int, person_id: int, chat_id: int, message_id: int
    ) -> None:
        row = await self.session.get(StatusPromptRow, (round_id, person_id))
        if row is None:
            self.session.add(
                StatusPromptRow(
                    round_id=round_id, person_id=person_id, chat_id=chat_id, message_id=message_id
                )
            )
        else:
            row.chat_id, row.message_id = chat_id, message_id
        await self.session.flush()


class SqlStatusAnswerRepository(SqlRepository):
    async def put(self, answer: StatusAnswer) -> StatusAnswer:
        row = await self.session.scalar(
            select(StatusAnswerRow).where(
                col(StatusAnswerRow.round_id) == answer.round_id,
                col(StatusAnswerRow.indsats_id) == answer.indsats_id,
            )
        )
        values = _answer_values(answer)
        if row is None:
            row = StatusAnswerRow(
                round_id=answer.round_id,
                indsats_id=answer.indsats_id,
                **values,
            )
            self.session.add(row)
        else:
            for name, value in values.items():
                setattr(row, name, value)
        await self.session.flush()
        return _answer(row)

    async def for_rounds(self, round_ids: list[int]) -> list[StatusAnswer]:
        if not round_ids:
            return []
        rows = await self.session.scalars(
            select(StatusAnswerRow)
            .where(col(StatusAnswerRow.round_id).in_(round_ids))
            .order_by(col(StatusAnswerRow.id))
        )
        return [_answer(r) for r in rows]

    async def put_early(self, plan_id: int, answer: StatusAnswer) -> StatusAnswer:
        row = await self.session.scalar(
            select(StatusEarlyRow).where(col(StatusEarlyRow.indsats_id) == answer.indsats_id)
        )
        values = _answer_values(answer, early_row=True)
        if row is None:
            row = StatusEarlyRow(plan_id=plan_id, indsats_id=answer.indsats_id, **values)
            self.session.add(row)
        else:
            for name, value in values.items():
                setattr(row, name, value)
        await self.session.flush()
        return _answer(row)

    async def early_for_plan(self, plan_id: int) -> list[StatusAnswer]:
        rows = await self.session.scalars(
            select(StatusEarlyRow)
            .where(col(StatusEarlyRow.plan_id) == plan_id)
            .order_by(col(StatusEarlyRow.id))
        )
        return [_answer(r) for r in rows]

    async def drop_early(self, plan_id: int) -> None:
        await self.session.execute(
            delete(StatusEarlyRow).where(col(StatusEarlyRow.plan_id) == plan_id)
        )


class SqlAbsenceRepository(SqlRepository):
    """At most one absence per person: a new one replaces the old."""

    async def put(self, absence: Absence) -> Absence:
        await self.end(absence.person_id)
        row = StatusAbsenceRow(
            **row_values(absence, exclude=("id", "created_at")),
            created_at=absence.created_at or utcnow(),
        )
        self.session.add(row)
        await self.session.flush()
        return to_entity(row, Absence)

    async def end(self, person_id: int) -> bool:
        rows = list(
            await self.session.scalars(
                select(StatusAbsenceRow).where(col(StatusAbsenceRow.person_id) == person_id)
            )
        )
        for row in rows:
            await self.session.delete(row)
        await self.session.flush()
        return bool(rows)

    async def for_persons(self, person_ids: Sequence[int]) -> dict[int, Absence]:
        if not person_ids:
            return {}
        rows = await self.session.scalars(
            select(StatusAbsenceRow).where(col(StatusAbsenceRow.person_id).in_(list(person_ids)))
        )
        return {r.person_id: to_entity(r, Absence) for r in rows}
