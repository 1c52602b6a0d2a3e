"""Meeting-mode storage on SQLite and PostgreSQL: attendance, decisions, protocol, approvals."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from agendas.model import Moede, Person, Punkt, PunktKind, Udvalg
from agendas.protocol import AttendanceStatus, SagRange, Votes
from agendas.records import Approval, AttendanceRecord, DecisionRecord, StaleView, StoredRemark
from storage.uow import SqlUnitOfWork

NOW = datetime(2026, 12, 10, 14, 5, tzinfo=UTC)


async def seed(uow: SqlUnitOfWork) -> tuple[int, int, int, int]:
    async with uow:
        udvalg = await uow.udvalg.add(
            Udvalg(code="BEU", name="Beskæftigelsesudvalget", forvaltning="F")
        )
        moede = await uow.moeder.add(
            Moede(udvalg_id=udvalg.id or 0, date=date(2026, 12, 10), start_time=time(14))
        )
        punkt = await uow.punkter.add(
            Punkt(moede_id=moede.id or 0, kind=PunktKind.SAG, title="Budget", updated_at=NOW)
        )
        anne = await uow.persons.add(Person(telegram_id=2**40 + 1, name="Anne Lund"))
        bo = await uow.persons.add(Person(telegram_id=2**40 + 2, name="Bo Berg"))
        await uow.commit()
    return moede.id or 0, punkt.id or 0, anne.id or 0, bo.id or 0


async def test_attendance_and_decisions_round_trip(uow: SqlUnitOfWork) -> None:
    moede_id, punkt_id, anne, bo = await seed(uow)
    async with uow:
        await uow.attendance.put(
            AttendanceRecord(
                moede_id,
                anne,
                AttendanceStatus.TIL_STEDE,
                absent_for=(SagRange(3, 5),),
                updated_at=NOW,
            )
        )
        await uow.attendance.put(
            AttendanceRecord(
                moede_id, bo, AttendanceStatus.STEDFORTRAEDER, substitute_for=anne, updated_at=NOW
            )
        )
        await uow.decisions.put(
            DecisionRecord(
                punkt_id,
                beslutning="Anbefales",
                votes=Votes(3, ("A", "V", "Ø"), 1, ("C",)),
                inhabile=[bo],
                remarks=[StoredRemark(anne, "Imod «dette»")],
                public_beslutning="",
                updated_at=NOW,
                updated_by=anne,
            )
        )
        await uow.commit()
    async with uow:
        # A second put replaces the record of the same person (one row per person and meeting).
        await uow.attendance.put(
            AttendanceRecord(moede_id, anne, AttendanceStatus.AFBUD, updated_at=NOW)
        )
        await uow.commit()
    async with uow:
        records = {r.person_id: r for r in await uow.attendance.for_moede(moede_id)}
        decision = await uow.decisions.get(punkt_id)
        by_punkt = await uow.decisions.for_punkter([punkt_id, 999])
    assert len(records) == 2
    assert (records[anne].status, records[anne].absent_for) == (AttendanceStatus.AFBUD, ())
    assert (records[bo].status, records[bo].substitute_for) == (
        AttendanceStatus.STEDFORTRAEDER,
        anne,
    )
    assert decision is not None and decision.votes == Votes(3, ("A", "V", "Ø"), 1, ("C",))
    assert decision.inhabile == [bo] and decision.remarks == [StoredRemark(anne, "Imod «dette»")]
    assert decision.updated_at == NOW and decision.updated_at.tzinfo is not None
    assert list(by_punkt) == [punkt_id]


async def test_absent_ranges_survive_storage(uow: SqlUnitOfWork) -> None:
    moede_id, _, anne, _ = await seed(uow)
    async with uow:
        await uow.attendance.put(
            AttendanceRecord(
                moede_id,
                anne,
                AttendanceStatus.TIL_STEDE,
                absent_for=(SagRange(1, 1), SagRange(3, 5)),
                updated_at=NOW,
            )
        )
        await uow.commit()
    async with uow:
        [record] = await uow.attendance.for_moede(moede_id)
    assert record.absent_for == (SagRange(1, 1), SagRange(3, 5))


async def test_protocol_revision_is_compare_and_swap(uow: SqlUnitOfWork) -> None:
    moede_id, _, _, _ = await seed(uow)
    async with uow:
        state = await uow.protokoller.get(moede_id)
        assert state.rev == 0 and not state.locked
        state = await uow.protokoller.save(state, 0)
        state.locked_at = NOW
        state = await uow.protokoller.save(state, 1)
        await uow.commit()
    async with uow:
        stored = await uow.protokoller.get(moede_id)
        assert (stored.rev, stored.locked_at) == (2, NOW)
        with pytest.raises(StaleView):
            await uow.protokoller.save(stored, 1)
    async with uow:
        assert (await uow.protokoller.get(moede_id)).rev == 2


async def test_approvals_are_once_per_person_and_cleared_together(uow: SqlUnitOfWork) -> None:
    moede_id, _, anne, bo = await seed(uow)
    async with uow:
        assert await uow.approvals.add(Approval(moede_id, anne, NOW))
        assert not await uow.approvals.add(Approval(moede_id, anne, NOW + timedelta(hours=1)))
        assert await uow.approvals.add(Approval(moede_id, bo, NOW + timedelta(minutes=5)))
        await uow.commit()
    async with uow:
        approvals = await uow.approvals.for_moede(moede_id)
        assert [(a.person_id, a.approved_at) for a in approvals] == [
            (anne, NOW),
            (bo, NOW + timedelta(minutes=5)),
        ]
        assert all(a.approved_at.tzinfo is not None for a in approvals)
        assert await uow.approvals.clear(moede_id) == 2
        await uow.commit()
    async with uow:
        assert await uow.approvals.for_moede(moede_id) == []


async def test_deleting_a_meeting_removes_its_protocol_records(uow: SqlUnitOfWork) -> None:
    from sqlalchemy import delete, func, select

    from storage.tables import AttendanceRow, MoedeRow, ProtokolApprovalRow, PunktDecisionRow

    moede_id, punkt_id, anne, _ = await seed(uow)
    async with uow:
        await uow.attendance.put(
            AttendanceRecord(moede_id, anne, AttendanceStatus.AFBUD, updated_at=NOW)
        )
        await uow.decisions.put(DecisionRecord(punkt_id, beslutning="Godkendt", updated_at=NOW))
        await uow.approvals.add(Approval(moede_id, anne, NOW))
        await uow.protokoller.save(await uow.protokoller.get(moede_id), 0)
        await uow.commit()
    async with uow:
        await uow.session.execute(delete(MoedeRow).where(MoedeRow.id == moede_id))  # type: ignore[arg-type]
        await uow.commit()
    async with uow:
        for table in (AttendanceRow, PunktDecisionRow, ProtokolApprovalRow):
            count = await uow.session.scalar(select(func.count()).select_from(table))
            assert count == 0, table


async def test_the_archive_reads_states_and_releases_of_many_meetings(uow: SqlUnitOfWork) -> None:
    """The web archive asks once per committee: which meetings are released, which protocols
    approved; and for its feed, the protocols approved most recently."""
    from agendas.outbox import Release
    from agendas.records import ProtokolStage

    first, _, _, _ = await seed(uow)
    async with uow:
        udvalg = await uow.udvalg.by_code("BEU")
        assert udvalg is not None
        later = [
            (
                await uow.moeder.add(
                    Moede(udvalg_id=udvalg.id or 0, date=date(2027, 1, day), start_time=time(14))
                )
            ).id
            or 0
            for day in (5, 6, 7)
        ]
        for index, moede_id in enumerate([first, *later]):
            state = await uow.protokoller.get(moede_id)
            if index < 3:
                state.stage = ProtokolStage.GODKENDT
                state.locked_at = NOW + timedelta(days=index if index != 1 else 5)
            await uow.protokoller.save(state, 0)
        await uow.releases.add(Release(first, NOW, None, date(2026, 12, 10), time(14), ""))
        await uow.commit()
    async with uow:
        states = await uow.protokoller.for_moeder([first, *later, 999])
        assert sorted(states) == sorted([first, *later])
        assert [states[m].stage for m in (first, *later)] == [ProtokolStage.GODKENDT] * 3 + [
            ProtokolStage.KLADDE
        ]
        assert await uow.protokoller.for_moeder([]) == {}
        newest = await uow.protokoller.approved(limit=2)
        assert [s.moede_id for s in newest] == [later[0], later[1]]
        assert newest[0].locked_at == NOW + timedelta(days=5)
        releases = await uow.releases.for_moeder([first, *later])
        assert list(releases) == [first] and releases[first].released_at == NOW
        assert await uow.releases.for_moeder([]) == {}
