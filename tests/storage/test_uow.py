"""The unit of work: a fresh session per ``async with``; nothing uncommitted survives."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from agendas.model import Person, Udvalg
from storage.uow import SqlUnitOfWork

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def _udvalg(code: str) -> Udvalg:
    return Udvalg(code=code, name="Økonomiudvalget", forvaltning="Økonomiforvaltningen")


async def test_commit_keeps_and_exit_without_commit_discards(uow: SqlUnitOfWork) -> None:
    async with uow:
        await uow.udvalg.add(_udvalg("ØU"))
        await uow.commit()
    async with uow:
        await uow.udvalg.add(_udvalg("BEU"))  # flushed (it has an id) but never committed
    async with uow:
        codes = [u.code for u in await uow.udvalg.list_all()]
    assert codes == ["ØU"]


async def test_exception_rolls_back_everything_of_that_block(uow: SqlUnitOfWork) -> None:
    with pytest.raises(RuntimeError, match="boom"):
        async with uow:
            await uow.udvalg.add(_udvalg("BEU"))
            await uow.persons.add(Person(telegram_id=42, name="Mette"))
            raise RuntimeError("boom")
    async with uow:
        assert await uow.udvalg.list_all() == []
        assert await uow.persons.by_telegram_id(42) is None


async def test_explicit_rollback_discards_and_work_continues(uow: SqlUnitOfWork) -> None:
    async with uow:
        await uow.udvalg.add(_udvalg("BEU"))
        await uow.rollback()
        await uow.udvalg.add(_udvalg("ØU"))
        await uow.commit()
    async with uow:
        assert [u.code for u in await uow.udvalg.list_all()] == ["ØU"]


async def test_one_object_entered_many_times_like_one_telegram_update(
    uow: SqlUnitOfWork,
) -> None:
    """The identity middleware enters first, the handler's service next: both must work."""
    async with uow:
        person = await uow.persons.add(Person(telegram_id=8_000_000_000, name="Ida"))
        await uow.commit()
        # keeps reading after a commit, as committees.identify does
        assert await uow.persons.get(person.id or 0) == person
    with pytest.raises(RuntimeError, match="outside"):
        _ = uow.session
    async with uow:
        again = await uow.persons.by_telegram_id(8_000_000_000)
        await uow.udvalg.add(_udvalg("BEU"))
        await uow.commit()
    assert again == person
    async with uow:
        assert [u.code for u in await uow.udvalg.list_all()] == ["BEU"]


async def test_nested_entry_shares_the_outer_transaction(uow: SqlUnitOfWork) -> None:
    async with uow:
        outer = uow.session
        async with uow:
            assert uow.session is outer
            await uow.udvalg.add(_udvalg("BEU"))
        # the inner exit did not close or roll back the outer session
        await uow.commit()
    async with uow:
        assert [u.code for u in await uow.udvalg.list_all()] == ["BEU"]


async def test_two_units_of_work_do_not_see_uncommitted_changes(
    uow: SqlUnitOfWork, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    other = SqlUnitOfWork(session_factory)
    async with uow:
        await uow.udvalg.add(_udvalg("BEU"))
        async with other:
            assert await other.udvalg.by_code("BEU") is None
        await uow.commit()
    async with other:
        assert await other.udvalg.by_code("BEU") is not None


async def test_an_updates_read_only_blocks_end_without_a_rollback_and_a_write_still_rolls_back(
    uow: SqlUnitOfWork, engine: AsyncEngine
) -> None:
    """One held session per update (``held``): a block that only read plain rows leaves
    nothing to end; a block that wrote and did not commit is undone at its end as always."""
    rollbacks: list[object] = []

    def noted(conn: object) -> None:
        rollbacks.append(conn)

    event.listen(engine.sync_engine, "rollback", noted)
    try:
        async with uow.held():
            async with uow:
                assert await uow.persons.identity(42) is None
            async with uow:
                assert (
                    await uow.views.moeder_between(None, date(2026, 1, 1), date(2027, 1, 1)) == []
                )
            assert rollbacks == []
            async with uow:
                await uow.udvalg.add(_udvalg("BEU"))  # flushed, never committed
            assert len(rollbacks) == 1
            async with uow:
                assert await uow.udvalg.list_all() == []
                await uow.udvalg.add(_udvalg("ØU"))
                await uow.commit()
    finally:
        event.remove(engine.sync_engine, "rollback", noted)
    async with uow:
        assert [u.code for u in await uow.udvalg.list_all()] == ["ØU"]
