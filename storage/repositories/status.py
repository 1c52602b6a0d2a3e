"""Status-round repositories: plans, indsatser (with their tovholder link), rounds and answers."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from agendas.errors import ConcurrentEdit
from agendas.plans import (
    AttachmentRef,
    Handleplan,
    Indsats,
    PlanKind,
    RoundState,
    StatusAnswer,
    StatusColour,
    StatusRound,
    StatusSchedule,
)
from storage.mapping import row_values, to_entity
from storage.repositories.base import SqlRepository, utcnow
from storage.tables import IndsatsRow, PlanRow, StatusAnswerRow, StatusRoundRow

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


def _answer(row: StatusAnswerRow) -> StatusAnswer:
    attachment = (
        AttachmentRef(row.attachment_file_id, row.attachment_name or "", row.attachment_size)
        if row.attachment_file_id
        else None
    )
    return to_entity(row, StatusAnswer, colour=StatusColour(row.colour), attachment=attachment)


def _answer_values(answer: StatusAnswer) -> dict[str, Any]:
    """The answer's content (the round and the indsats it answers are its identity)."""
    attachment = answer.attachment
    return row_values(
        answer,
        exclude=("id", "round_id", "indsats_id", "attachment"),
        attachment_file_id=attachment.telegram_file_id if attachment else None,
        attachment_name=attachment.file_name if attachment else None,
        attachment_size=attachment.size if attachment else 0,
    )


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


class SqlIndsatsRepository(SqlRepository):
    async def add(self, indsats: Indsats) -> Indsats:
        row = IndsatsRow(**row_values(indsats, exclude=("id",)))
        self.session.add(row)
        await self.session.flush()
        return to_entity(row, Indsats)

    async def get(self, indsats_id: int) -> Indsats | None:
        row = await self.session.get(IndsatsRow, indsats_id, populate_existing=True)
        return to_entity(row, Indsats) if row else None

    async def update(self, indsats: Indsats) -> None:
        await self.session.execute(
            update(IndsatsRow)
            .where(col(IndsatsRow.id) == indsats.id)
            .values(**row_values(indsats, exclude=("id",)))
        )

    async def for_plan(self, plan_id: int) -> list[Indsats]:
        rows = await self.session.scalars(
            select(IndsatsRow)
            .where(col(IndsatsRow.plan_id) == plan_id)
            .order_by(col(IndsatsRow.position), col(IndsatsRow.id))
        )
        return [to_entity(r, Indsats) for r in rows]

    async def for_person(self, person_id: int) -> list[Indsats]:
        rows = await self.session.scalars(
            select(IndsatsRow)
            .where(col(IndsatsRow.tovholder_person_id) == person_id)
            .order_by(col(IndsatsRow.plan_id), col(IndsatsRow.position), col(IndsatsRow.id))
        )
        return [to_entity(r, Indsats) for r in rows]


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
