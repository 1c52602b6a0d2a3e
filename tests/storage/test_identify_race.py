"""A new person's first two updates at the same moment (two taps in a row, an album): both
find no person and both try to register them. One wins; the other must come out with the same
person instead of an error, on both backends."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from agendas.services import committees
from storage.tables import PersonRow
from storage.uow import SqlUnitOfWork

NEWCOMER = 8_000_000_777


async def test_two_first_updates_at_once_register_one_person(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async def first_update() -> int:
        person, _actor = await committees.identify(
            SqlUnitOfWork(session_factory), NEWCOMER, "Nina Ny", None, None, frozenset()
        )
        return person.id or 0

    ids = await asyncio.gather(*(first_update() for _ in range(4)))
    assert len(set(ids)) == 1
    async with session_factory() as session:
        count = await session.scalar(
            select(func.count()).select_from(PersonRow).where(PersonRow.telegram_id == NEWCOMER)
        )
    assert count == 1
