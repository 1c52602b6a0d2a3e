"""Dialog state in the database: a half-finished /nysag survives a restart of the bot."""

from __future__ import annotations

from aiogram.fsm.state import State, StatesGroup
from aiogram.fsm.storage.base import StorageKey
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.engine import make_engine, make_session_factory
from storage.fsm import SqlStorage
from storage.tables import FsmStateRow

KEY = StorageKey(bot_id=123456, chat_id=8_000_000_001, user_id=8_000_000_001)


class NySag(StatesGroup):
    title = State()
    section = State()


async def test_state_and_data_survive_a_restart(database_url: str) -> None:
    engine = make_engine(database_url)
    storage = SqlStorage(make_session_factory(engine))
    await storage.set_state(KEY, NySag.section)
    await storage.set_data(KEY, {"moede_id": 7, "title": "Budget for Ældreområdet"})
    await storage.update_data(KEY, {"section": "indstilling", "sections": {"kerne": "æøå"}})
    await storage.close()
    await engine.dispose()

    restarted = make_engine(database_url)
    try:
        storage = SqlStorage(make_session_factory(restarted))
        assert await storage.get_state(KEY) == "NySag:section"
        assert await storage.get_data(KEY) == {
            "moede_id": 7,
            "title": "Budget for Ældreområdet",
            "section": "indstilling",
            "sections": {"kerne": "æøå"},
        }
    finally:
        await restarted.dispose()


async def test_keys_are_separate_per_chat_thread_and_destiny(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    storage = SqlStorage(session_factory)
    group = StorageKey(bot_id=123456, chat_id=-1001234567890, user_id=KEY.user_id)
    thread = StorageKey(bot_id=123456, chat_id=-1001234567890, user_id=KEY.user_id, thread_id=5)
    other = StorageKey(bot_id=123456, chat_id=KEY.chat_id, user_id=KEY.user_id, destiny="x")
    await storage.set_state(KEY, "NySag:title")
    await storage.set_state(group, NySag.section)
    await storage.set_data(thread, {"n": 1})
    assert await storage.get_state(KEY) == "NySag:title"
    assert await storage.get_state(group) == "NySag:section"
    assert await storage.get_state(thread) is None
    assert await storage.get_data(thread) == {"n": 1}
    assert await storage.get_data(group) == {}
    assert await storage.get_state(other) is None


async def test_clearing_state_keeps_data_and_clearing_both_removes_the_row(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    storage = SqlStorage(session_factory)
    await storage.set_state(KEY, NySag.title)
    await storage.set_data(KEY, {"title": "x"})
    await storage.set_state(KEY, None)
    assert await storage.get_state(KEY) is None
    assert await storage.get_data(KEY) == {"title": "x"}
    await storage.set_data(KEY, {})
    assert await storage.get_data(KEY) == {}
    async with session_factory() as session:
        rows = await session.scalar(select(func.count()).select_from(FsmStateRow))
    assert rows == 0
