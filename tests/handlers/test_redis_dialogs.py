"""Dialog state in Redis (several bot processes): a dialog started on one continues on another."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from aiogram.fsm.storage.base import DefaultKeyBuilder
from aiogram.fsm.storage.redis import RedisEventIsolation, RedisStorage

from bot.app import build_dispatcher
from bot.i18n import make_i18n
from handlers.context import ChatConfig
from storage.engine import make_engine, make_session_factory
from storage.uow import SqlUnitOfWork
from tests.handlers.conftest import ADMIN, SECRETARY
from tests.support.clock import FrozenClock
from tests.support.recording import ChatHarness, RecordingSession, make_bot

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
async def redis_bots(
    database_url: str, clock: FrozenClock
) -> AsyncIterator[tuple[ChatHarness, ChatHarness]]:
    """Two bot processes sharing one database and one Redis (keys under a fresh prefix)."""
    prefix = f"udvalgsbot-test-{uuid.uuid4().hex}"
    engine = make_engine(database_url)
    session_factory = make_session_factory(engine)
    storages: list[RedisStorage] = []

    def bot_process() -> ChatHarness:
        storage = RedisStorage.from_url(REDIS_URL, key_builder=DefaultKeyBuilder(prefix=prefix))
        storages.append(storage)
        session = RecordingSession()
        dispatcher = build_dispatcher(
            storage=storage,
            uow_factory=lambda: SqlUnitOfWork(session_factory),
            i18n=make_i18n("da"),
            config=ChatConfig(clock=clock, invite_ttl=timedelta(days=7)),
            admin_ids=frozenset({ADMIN.id}),
            events_isolation=RedisEventIsolation(redis=storage.redis),
        )
        return ChatHarness(dispatcher=dispatcher, bot=make_bot(session), session=session)

    first = bot_process()
    try:
        await first.dispatcher.storage.redis.ping()  # type: ignore[attr-defined]
    except OSError as exc:  # a missing Redis is a failure, never a skip
        pytest.fail(f"these tests need Redis at {REDIS_URL}: {exc}")
    yield first, bot_process()
    for storage in storages:
        keys = [key async for key in storage.redis.scan_iter(f"{prefix}:*")]
        if keys:
            await storage.redis.delete(*keys)
        await storage.close()
    await engine.dispose()


async def test_a_dialog_begun_on_one_process_is_finished_on_another(
    redis_bots: tuple[ChatHarness, ChatHarness],
) -> None:
    first, second = redis_bots
    await first.send(ADMIN, "/nytudvalg BEU Beskæftigelsesudvalget")
    [question] = await first.send(ADMIN, "/annuller")
    assert "Annulleret" in (question.text or "")

    [asked] = await first.send(ADMIN, "/nytudvalg BEU Beskæftigelsesudvalget")
    assert "forvaltning" in (asked.text or "").lower()
    [created] = await second.send(ADMIN, "Social- og Sundhedsforvaltningen")
    assert "Beskæftigelsesudvalget (BEU) er oprettet" in (created.text or "")

    [again] = await second.send(SECRETARY, "Social- og Sundhedsforvaltningen")
    assert "oprettet" not in (again.text or "")
