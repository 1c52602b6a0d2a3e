"""What members do for themselves, stored on SQLite and PostgreSQL: inhabilitet declarations
(one per member and punkt), questions answered once, proposals decided once."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from agendas.members import InhabilDeclaration, Proposal, ProposalState, Question
from agendas.model import Moede, Person, Punkt, PunktKind, Udvalg
from storage.uow import SqlUnitOfWork

NOW = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


async def seed(uow: SqlUnitOfWork) -> tuple[int, int, int, int]:
    async with uow:
        udvalg = await uow.udvalg.add(Udvalg(code="BEU", name="Beskæftigelse", forvaltning="F"))
        moede = await uow.moeder.add(
            Moede(udvalg_id=udvalg.id or 0, date=date(2026, 12, 10), start_time=time(14))
        )
        punkt = await uow.punkter.add(
            Punkt(moede_id=moede.id or 0, kind=PunktKind.SAG, title="Budget", updated_at=NOW)
        )
        mads = await uow.persons.add(Person(telegram_id=2**40 + 3, name="Mads Medlem"))
        await uow.commit()
    return moede.id or 0, punkt.id or 0, mads.id or 0, udvalg.id or 0


async def test_a_second_declaration_replaces_the_reason(uow: SqlUnitOfWork) -> None:
    _, punkt_id, mads, _ = await seed(uow)
    async with uow:
        first = await uow.declarations.put(InhabilDeclaration(punkt_id, mads, "Min søster", NOW))
        later = NOW + timedelta(hours=1)
        second = await uow.declarations.put(InhabilDeclaration(punkt_id, mads, "Min bror", later))
        await uow.commit()
    assert first.id == second.id
    async with uow:
        [stored] = await uow.declarations.for_punkter([punkt_id])
        assert await uow.declarations.for_punkter([]) == []
    assert (stored.reason, stored.declared_at) == ("Min bror", later)


async def test_a_question_is_answered_once(uow: SqlUnitOfWork) -> None:
    _, punkt_id, mads, _ = await seed(uow)
    async with uow:
        question = await uow.questions.add(Question(punkt_id, mads, "Hvad koster det?", NOW))
        await uow.commit()
    assert question.id is not None and not question.answered
    question.answer, question.answered_by = "2 mio. kr.", 99
    question.answered_at = NOW + timedelta(days=1)
    async with uow:
        assert await uow.questions.answer(question)
        question.answer = "Et andet svar"
        assert not await uow.questions.answer(question)  # answered already: nothing stored
        await uow.commit()
    async with uow:
        [stored] = await uow.questions.for_punkter([punkt_id])
        assert await uow.questions.get(question.id) == stored
    assert stored.answer == "2 mio. kr." and stored.answered_by == 99
    assert stored.answered_at == NOW + timedelta(days=1)


async def test_a_proposal_is_decided_once_and_keeps_its_punkt(uow: SqlUnitOfWork) -> None:
    moede_id, punkt_id, mads, _ = await seed(uow)
    async with uow:
        proposal = await uow.proposals.add(
            Proposal(moede_id, mads, "Cykelstier", "Flere cykelstier ved skolerne.", NOW)
        )
        await uow.commit()
    assert proposal.state is ProposalState.AFVENTER
    proposal.state, proposal.decided_by, proposal.decided_at = ProposalState.OPTAGET, 7, NOW
    proposal.punkt_id = punkt_id
    async with uow:
        assert await uow.proposals.decide(proposal)
        proposal.state, proposal.reason = ProposalState.AFVIST, "Nej"
        assert not await uow.proposals.decide(proposal)
        await uow.commit()
    async with uow:
        stored = await uow.proposals.get(proposal.id or 0)
        assert await uow.proposals.get(10_000) is None
    assert stored is not None
    assert (stored.state, stored.punkt_id, stored.reason) == (ProposalState.OPTAGET, punkt_id, "")
    async with uow:  # the punkt deleted later: the proposal stays, without its punkt
        await uow.punkter.delete(punkt_id)
        await uow.commit()
    async with uow:
        stored = await uow.proposals.get(proposal.id or 0)
    assert stored is not None and stored.punkt_id is None
