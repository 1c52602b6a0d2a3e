"""What members do for themselves: inhabilitet declarations, questions and proposals."""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import col, select

from agendas.members import InhabilDeclaration, Proposal, ProposalState, Question
from storage.mapping import row_values, to_entity
from storage.repositories.base import SqlRepository, rowcount
from storage.tables import InhabilDeclarationRow, PunktProposalRow, PunktQuestionRow


class SqlInhabilDeclarationRepository(SqlRepository):
    async def put(self, declaration: InhabilDeclaration) -> InhabilDeclaration:
        values = row_values(declaration, exclude=("id", "punkt_id", "person_id"))
        result = await self.session.execute(
            update(InhabilDeclarationRow)
            .where(
                col(InhabilDeclarationRow.punkt_id) == declaration.punkt_id,
                col(InhabilDeclarationRow.person_id) == declaration.person_id,
            )
            .values(**values)
        )
        if rowcount(result) == 0:
            row = InhabilDeclarationRow(**row_values(declaration, exclude=("id",)))
            self.session.add(row)
            await self.session.flush()
        found = await self.session.scalar(
            select(InhabilDeclarationRow)
            .where(
                col(InhabilDeclarationRow.punkt_id) == declaration.punkt_id,
                col(InhabilDeclarationRow.person_id) == declaration.person_id,
            )
            .execution_options(populate_existing=True)
        )
        assert found is not None
        return to_entity(found, InhabilDeclaration)

    async def for_punkter(self, punkt_ids: list[int]) -> list[InhabilDeclaration]:
        if not punkt_ids:
            return []
        rows = await self.session.scalars(
            select(InhabilDeclarationRow)
            .where(col(InhabilDeclarationRow.punkt_id).in_(punkt_ids))
            .order_by(col(InhabilDeclarationRow.declared_at), col(InhabilDeclarationRow.id))
            .execution_options(populate_existing=True)
        )
        return [to_entity(r, InhabilDeclaration) for r in rows]


class SqlQuestionRepository(SqlRepository):
    async def add(self, question: Question) -> Question:
        row = PunktQuestionRow(**row_values(question, exclude=("id",)))
        self.session.add(row)
        await self.session.flush()
        return to_entity(row, Question)

    async def get(self, question_id: int) -> Question | None:
        row = await self.session.get(PunktQuestionRow, question_id, populate_existing=True)
        return to_entity(row, Question) if row else None

    async def answer(self, question: Question) -> bool:
        result = await self.session.execute(
            update(PunktQuestionRow)
            .where(
                col(PunktQuestionRow.id) == question.id,
                col(PunktQuestionRow.answered_at).is_(None),
            )
            .values(
                answer=question.answer,
                answered_by=question.answered_by,
                answered_at=question.answered_at,
            )
        )
        return rowcount(result) == 1

    async def for_punkter(self, punkt_ids: list[int]) -> list[Question]:
        if not punkt_ids:
            return []
        rows = await self.session.scalars(
            select(PunktQuestionRow)
            .where(col(PunktQuestionRow.punkt_id).in_(punkt_ids))
            .order_by(col(PunktQuestionRow.asked_at), col(PunktQuestionRow.id))
            .execution_options(populate_existing=True)
        )
        return [to_entity(r, Question) for r in rows]


def _proposal(row: PunktProposalRow) -> Proposal:
    return to_entity(row, Proposal, state=ProposalState(row.state))


class SqlProposalRepository(SqlRepository):
    async def add(self, proposal: Proposal) -> Proposal:
        row = PunktProposalRow(**row_values(proposal, exclude=("id",)))
        self.session.add(row)
        await self.session.flush()
        return _proposal(row)

    async def get(self, proposal_id: int) -> Proposal | None:
        row = await self.session.get(PunktProposalRow, proposal_id, populate_existing=True)
        return _proposal(row) if row else None

    async def decide(self, proposal: Proposal) -> bool:
        result = await self.session.execute(
            update(PunktProposalRow)
            .where(
                col(PunktProposalRow.id) == proposal.id,
                col(PunktProposalRow.state) == ProposalState.AFVENTER.value,
            )
            .values(
                state=proposal.state.value,
                decided_by=proposal.decided_by,
                decided_at=proposal.decided_at,
                reason=proposal.reason,
                punkt_id=proposal.punkt_id,
            )
        )
        return rowcount(result) == 1
