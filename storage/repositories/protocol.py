"""Meeting-mode repositories: attendance, decisions, the protocol state and approvals."""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlalchemy import delete, update
from sqlmodel import col, select

from agendas.protocol import AttendanceStatus, SagRange, Votes
from agendas.records import (
    Approval,
    AttendanceRecord,
    Ballot,
    DecisionRecord,
    ProtokolStage,
    ProtokolState,
    StaleView,
    StoredRemark,
)
from storage import search_index
from storage.mapping import row_values, to_entity
from storage.repositories.base import SqlRepository, rowcount, utcnow
from storage.tables import AttendanceRow, ProtokolApprovalRow, ProtokolRow, PunktDecisionRow


def _attendance(row: AttendanceRow) -> AttendanceRecord:
    return to_entity(
        row,
        AttendanceRecord,
        status=AttendanceStatus(row.status),
        absent_for=tuple(SagRange(int(a), int(b)) for a, b in row.absent_for or []),
    )


class SqlAttendanceRepository(SqlRepository):
    async def for_moede(self, moede_id: int) -> list[AttendanceRecord]:
        rows = await self.session.scalars(
            select(AttendanceRow)
            .where(col(AttendanceRow.moede_id) == moede_id)
            .order_by(col(AttendanceRow.id))
            .execution_options(populate_existing=True)
        )
        return [_attendance(r) for r in rows]

    async def put(self, record: AttendanceRecord) -> None:
        values = row_values(
            record,
            exclude=("id", "moede_id", "person_id"),
            absent_for=[[r.first, r.last] for r in record.absent_for],
            updated_at=record.updated_at or utcnow(),
        )
        result = await self.session.execute(
            update(AttendanceRow)
            .where(
                col(AttendanceRow.moede_id) == record.moede_id,
                col(AttendanceRow.person_id) == record.person_id,
            )
            .values(**values)
        )
        if rowcount(result) == 0:
            self.session.add(
                AttendanceRow(moede_id=record.moede_id, person_id=record.person_id, **values)
            )
            await self.session.flush()


def _votes_json(votes: Votes) -> dict[str, Any]:
    return {
        "for": [votes.for_count, list(votes.for_parties)],
        "imod": [votes.imod_count, list(votes.imod_parties)],
        "undlader": [votes.undlader_count, list(votes.undlader_parties)],
    }


def _votes(data: dict[str, Any]) -> Votes:
    def side(name: str) -> tuple[int, tuple[str, ...]]:
        count, parties = data.get(name) or [0, []]
        return int(count), tuple(str(p) for p in parties)

    for_count, for_parties = side("for")
    imod_count, imod_parties = side("imod")
    undlader_count, undlader_parties = side("undlader")
    return Votes(for_count, for_parties, imod_count, imod_parties, undlader_count, undlader_parties)


def _decision(row: PunktDecisionRow) -> DecisionRecord:
    return to_entity(
        row,
        DecisionRecord,
        votes=_votes(row.votes or {}),
        ballots={int(p): Ballot(v) for p, v in (row.ballots or {}).items()},
        inhabile=[int(p) for p in row.inhabile or []],
        remarks=[
            StoredRemark(person_id=int(r["person_id"]), text=str(r["text"]))
            for r in row.remarks or []
        ],
    )


class SqlDecisionRepository(SqlRepository):
    async def get(self, punkt_id: int) -> DecisionRecord | None:
        row = await self.session.get(PunktDecisionRow, punkt_id, populate_existing=True)
        return _decision(row) if row else None

    async def for_punkter(self, punkt_ids: list[int]) -> dict[int, DecisionRecord]:
        if not punkt_ids:
            return {}
        rows = await self.session.scalars(
            select(PunktDecisionRow)
            .where(col(PunktDecisionRow.punkt_id).in_(punkt_ids))
            .execution_options(populate_existing=True)
        )
        return {r.punkt_id: _decision(r) for r in rows}

    async def put(self, record: DecisionRecord) -> None:
        values = row_values(
            record,
            exclude=("punkt_id",),
            votes=_votes_json(record.votes),
            ballots={str(p): b.value for p, b in record.ballots.items()},
            inhabile=list(record.inhabile),
            remarks=[{"person_id": r.person_id, "text": r.text} for r in record.remarks],
            updated_at=record.updated_at or utcnow(),
        )
        result = await self.session.execute(
            update(PunktDecisionRow)
            .where(col(PunktDecisionRow.punkt_id) == record.punkt_id)
            .values(**values)
        )
        if rowcount(result) == 0:
            self.session.add(PunktDecisionRow(punkt_id=record.punkt_id, **values))
            await self.session.flush()
        # The decision is searched: the punkt's documents follow it in this transaction.
        await search_index.refresh(self.session, [record.punkt_id])


class SqlProtokolRepository(SqlRepository):
    async def get(self, moede_id: int) -> ProtokolState:
        row = await self.session.get(ProtokolRow, moede_id, populate_existing=True)
        if row is None:
            return ProtokolState(moede_id=moede_id)
        return to_entity(row, ProtokolState, stage=ProtokolStage(row.stage))

    async def sent(self) -> list[ProtokolState]:
        rows = await self.session.scalars(
            select(ProtokolRow)
            .where(col(ProtokolRow.stage) == ProtokolStage.SENDT.value)
            .order_by(col(ProtokolRow.moede_id))
        )
        return [to_entity(r, ProtokolState, stage=ProtokolStage(r.stage)) for r in rows]

    async def save(self, state: ProtokolState, expected_rev: int) -> ProtokolState:
        """Compare-and-swap on ``rev``; the first save of a meeting inserts the row."""
        values = row_values(state, exclude=("moede_id", "rev"))
        result = await self.session.execute(
            update(ProtokolRow)
            .where(
                col(ProtokolRow.moede_id) == state.moede_id,
                col(ProtokolRow.rev) == expected_rev,
            )
            .values(**values, rev=expected_rev + 1)
        )
        if rowcount(result) != 1:
            exists = await self.session.scalar(
                select(col(ProtokolRow.moede_id)).where(col(ProtokolRow.moede_id) == state.moede_id)
            )
            if exists is not None or expected_rev != 0:
                raise StaleView()
            self.session.add(ProtokolRow(moede_id=state.moede_id, rev=1, **values))
            await self.session.flush()
        return dataclasses.replace(state, rev=expected_rev + 1)


class SqlApprovalRepository(SqlRepository):
    async def for_moede(self, moede_id: int) -> list[Approval]:
        rows = await self.session.scalars(
            select(ProtokolApprovalRow)
            .where(col(ProtokolApprovalRow.moede_id) == moede_id)
            .order_by(col(ProtokolApprovalRow.approved_at), col(ProtokolApprovalRow.id))
        )
        return [to_entity(r, Approval) for r in rows]

    async def add(self, approval: Approval) -> bool:
        exists = await self.session.scalar(
            select(col(ProtokolApprovalRow.id)).where(
                col(ProtokolApprovalRow.moede_id) == approval.moede_id,
                col(ProtokolApprovalRow.person_id) == approval.person_id,
            )
        )
        if exists is not None:
            return False
        self.session.add(ProtokolApprovalRow(**row_values(approval)))
        await self.session.flush()
        return True

    async def clear(self, moede_id: int) -> int:
        result = await self.session.execute(
            delete(ProtokolApprovalRow).where(col(ProtokolApprovalRow.moede_id) == moede_id)
        )
        return rowcount(result)
