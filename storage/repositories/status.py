"""Status-round repositories: plans, indsatser (with their tovholder link), rounds and answers."""

from __future__ import annotations

from datetime import UTC, datetime

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
from storage.repositories.base import SqlRepository, utcnow
from storage.tables import IndsatsRow, PlanRow, StatusAnswerRow, StatusRoundRow

# --- mapping ---------------------------------------------------------------------------------


def _plan(row: PlanRow) -> Handleplan:
    schedule = (
        StatusSchedule(row.schedule_rule, row.svarfrist_hverdage, row.reminder_hverdage)
        if row.schedule_rule
        else None
    )
    return Handleplan(
        udvalg_id=row.udvalg_id,
        title=row.title,
        kind=PlanKind(row.kind),
        period=row.period,
        schedule=schedule,
        schedule_set_at=row.schedule_set_at,
        active=row.active,
        id=row.id,
        created_at=row.created_at,
        created_by=row.created_by,
    )


def _plan_values(plan: Handleplan) -> dict[str, object]:
    schedule = plan.schedule
    return {
        "udvalg_id": plan.udvalg_id,
        "title": plan.title,
        "kind": plan.kind.value,
        "period": plan.period,
        "schedule_rule": schedule.rule if schedule else None,
        "svarfrist_hverdage": schedule.svarfrist_hverdage if schedule else 5,
        "reminder_hverdage": schedule.reminder_hverdage if schedule else 2,
        "schedule_set_at": plan.schedule_set_at,
        "active": plan.active,
        "created_by": plan.created_by,
    }


_INDSATS_FIELDS = (
    "plan_id",
    "position",
    "title",
    "maalgruppe",
    "formaal",
    "tovholder",
    "kontaktperson",
    "tovholder_person_id",
    "periode",
    "samarbejdspartnere",
    "aktiviteter",
    "active",
)


def _indsats(row: IndsatsRow) -> Indsats:
    return Indsats(id=row.id, **{name: getattr(row, name) for name in _INDSATS_FIELDS})


def _indsats_values(indsats: Indsats) -> dict[str, object]:
    return {name: getattr(indsats, name) for name in _INDSATS_FIELDS}


def _round(row: StatusRoundRow) -> StatusRound:
    return StatusRound(
        plan_id=row.plan_id,
        number=row.number,
        opens_at=row.opens_at,
        deadline=row.deadline,
        reminders=tuple(datetime.fromisoformat(r) for r in row.reminders or []),
        state=RoundState(row.state),
        moede_id=row.moede_id,
        closed_at=row.closed_at,
        reminders_sent=row.reminders_sent,
        sag_punkt_id=row.sag_punkt_id,
        id=row.id,
    )


def _round_values(status_round: StatusRound) -> dict[str, object]:
    return {
        "plan_id": status_round.plan_id,
        "number": status_round.number,
        "opens_at": status_round.opens_at,
        "deadline": status_round.deadline,
        "reminders": [r.astimezone(UTC).isoformat() for r in status_round.reminders],
        "reminders_sent": status_round.reminders_sent,
        "state": status_round.state.value,
        "moede_id": status_round.moede_id,
        "sag_punkt_id": status_round.sag_punkt_id,
        "closed_at": status_round.closed_at,
    }


def _answer(row: StatusAnswerRow) -> StatusAnswer:
    attachment = (
        AttachmentRef(row.attachment_file_id, row.attachment_name or "", row.attachment_size)
        if row.attachment_file_id
        else None
    )
    return StatusAnswer(
        round_id=row.round_id,
        indsats_id=row.indsats_id,
        colour=StatusColour(row.colour),
        text=row.text,
        answered_at=row.answered_at,
        answered_by=row.answered_by,
        unchanged=row.unchanged,
        attachment=attachment,
        id=row.id,
    )


def _answer_values(answer: StatusAnswer) -> dict[str, object]:
    attachment = answer.attachment
    return {
        "colour": answer.colour.value,
        "text": answer.text,
        "answered_at": answer.answered_at,
        "answered_by": answer.answered_by,
        "unchanged": answer.unchanged,
        "attachment_file_id": attachment.telegram_file_id if attachment else None,
        "attachment_name": attachment.file_name if attachment else None,
        "attachment_size": attachment.size if attachment else 0,
    }


# --- repositories ----------------------------------------------------------------------------


class SqlPlanRepository(SqlRepository):
    async def add(self, plan: Handleplan) -> Handleplan:
        values = _plan_values(plan)
        row = PlanRow(created_at=plan.created_at or utcnow(), **values)  # type: ignore[arg-type]
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
        row = IndsatsRow(**_indsats_values(indsats))  # type: ignore[arg-type]
        self.session.add(row)
        await self.session.flush()
        return _indsats(row)

    async def get(self, indsats_id: int) -> Indsats | None:
        row = await self.session.get(IndsatsRow, indsats_id, populate_existing=True)
        return _indsats(row) if row else None

    async def update(self, indsats: Indsats) -> None:
        await self.session.execute(
            update(IndsatsRow)
            .where(col(IndsatsRow.id) == indsats.id)
            .values(**_indsats_values(indsats))
        )

    async def for_plan(self, plan_id: int) -> list[Indsats]:
        rows = await self.session.scalars(
            select(IndsatsRow)
            .where(col(IndsatsRow.plan_id) == plan_id)
            .order_by(col(IndsatsRow.position), col(IndsatsRow.id))
        )
        return [_indsats(r) for r in rows]

    async def for_person(self, person_id: int) -> list[Indsats]:
        rows = await self.session.scalars(
            select(IndsatsRow)
            .where(col(IndsatsRow.tovholder_person_id) == person_id)
            .order_by(col(IndsatsRow.plan_id), col(IndsatsRow.position), col(IndsatsRow.id))
        )
        return [_indsats(r) for r in rows]


class SqlStatusRoundRepository(SqlRepository):
    async def add(self, status_round: StatusRound) -> StatusRound:
        row = StatusRoundRow(**_round_values(status_round))  # type: ignore[arg-type]
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
                **values,  # type: ignore[arg-type]
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
