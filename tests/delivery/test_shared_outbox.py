"""Two delivery workers share one PostgreSQL outbox (as two bot processes would): every message of
a mailing reaches its chat exactly once, and a chat's messages arrive in order, whichever worker
sent them (even while one of the two waits out a 429). Sharing one send rate as well (the bot's
``send_bucket``), they keep under Telegram's limits together and each holds only about what it
sends in the next moments.

Each worker has its own engine, bot session and limiter; they meet only in the database, where
``OutboxQueue.claim`` (``FOR UPDATE SKIP LOCKED``) gives each row to one of them. SQLite is
single-writer and serves one bot process, so this runs on PostgreSQL only (the claim itself is
tested on both in tests/storage/test_outbox_claims.py).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import text

from agendas.chatviews import Translate
from agendas.outbox import OutboxKind, OutboxMessage
from agendas.services import release
from bot.app import build_bot
from bot.workers.delivery import DeliveryConfig, DeliveryWorker
from bot.workers.rate import SHARED_AHEAD, SHARED_BURST, SharedRateLimiter
from bot_api_emulator import ChatMessage, RunningEmulator, running_emulator
from handlers.callbacks import pack_button
from storage import migrate
from storage.engine import make_engine, make_session_factory
from storage.outbox_queue import OutboxQueue
from storage.repositories import SqlOutboxRepository
from storage.send_bucket import PgSendBucket
from tests.delivery.conftest import NOW, ZONE, Db, make_committee
from tests.support.databases import pg_database

pytestmark = [pytest.mark.postgres, pytest.mark.serial]

Texts = Callable[[str | None], Translate]
#: Small batches, so the two workers take turns at the outbox all through the mailing.
SHARED = DeliveryConfig(
    rate=200,
    private_interval=0.0,
    group_interval=0.0,
    lease=5,
    backoff_base=0.05,
    poll_interval=0.05,
    batch=6,
)


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL database with the schema of the real migrations."""
    with pg_database("udvalgsbot_td_") as url:
        migrate.upgrade(url)
        yield url


@pytest.fixture
async def pg_db(pg_url: str) -> AsyncIterator[Db]:
    engine = make_engine(pg_url)
    yield Db(pg_url, engine, make_session_factory(engine))
    await engine.dispose()


@pytest.fixture
async def emu() -> AsyncIterator[RunningEmulator]:
    async with running_emulator() as running:
        yield running


async def outbox(db: Db) -> list[dict[str, Any]]:
    async with db.engine.connect() as conn:
        result = await conn.execute(
            text(
                "SELECT id, chat_id, status, attempts, telegram_message_id, payload "
                "FROM outbox ORDER BY id"
            )
        )
        return [dict(r._mapping) for r in result]


async def wait_done(db: Db, timeout: float = 30.0) -> None:  # noqa: ASYNC109
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        statuses = Counter(r["status"] for r in await outbox(db))
        if not statuses["pending"] and not statuses["sending"]:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(
        f"the outbox did not drain: {Counter(r['status'] for r in await outbox(db))}"
    )


@contextlib.asynccontextmanager
async def two_workers(
    emu: RunningEmulator,
    db: Db,
    texts: Texts,
    config: DeliveryConfig = SHARED,
    shared_rate: bool = False,
) -> AsyncIterator[list[DeliveryWorker]]:
    """Two running workers, each with its own engine and bot (and its own limiter, unless they
    share the rate in the database as bot processes do); stopped gracefully at the end."""
    offset = NOW - datetime.now(UTC)  # rows are stamped at the frozen NOW; the workers run on
    engines = [make_engine(db.url) for _ in range(2)]
    workers = [
        DeliveryWorker(
            build_bot(emu.token, emu.base_url),
            OutboxQueue(make_session_factory(engine)),
            config,
            texts,
            pack_button,
            clock=lambda: datetime.now(UTC) + offset,
            limiter=SharedRateLimiter(
                PgSendBucket(engine, "bot:test", config.rate, SHARED_BURST, SHARED_AHEAD)
            )
            if shared_rate
            else None,
        )
        for engine in engines
    ]
    for worker in workers:
        worker.start()
    try:
        yield workers
    finally:
        for worker in workers:
            await worker.stop()
            await worker.bot.session.close()
        for engine in engines:
            await engine.dispose()


def content(payload: dict[str, Any]) -> tuple[str, str | None]:
    """What a row puts in the chat: its text, or the file name and caption of its document."""
    if payload["type"] == "document":
        return (f"document {payload['file_name']}", payload.get("caption") or None)
    return ("message", payload["text"])


def seen(message: ChatMessage) -> tuple[str, str | None]:
    if message.document is not None:
        return (f"document {message.document.file_name}", message.source)
    return ("message", message.source)


async def test_two_workers_share_the_outbox_and_send_each_message_once(
    emu: RunningEmulator, pg_db: Db, texts: Texts
) -> None:
    users = [await emu.client.create_user(f"Person {i}", started=True) for i in range(42)]
    committee = await make_committee(pg_db, members=40, first_telegram_id=users[0].id)

    async with two_workers(emu, pg_db, texts) as workers:
        await release.release_agenda(
            pg_db.uow(), committee.editor, committee.moede.id or 0, NOW, ZONE, texts
        )
        await wait_done(pg_db)
        await asyncio.sleep(0.5)  # anything either worker still had would show up now

    rows = await outbox(pg_db)
    assert {r["status"] for r in rows} == {"sent"}
    assert {r["attempts"] for r in rows} == {1}  # no row was taken over or sent again
    # Both took part, and together they sent each row once.
    assert all(w.sent > 0 for w in workers), [w.sent for w in workers]
    assert sum(w.sent for w in workers) == len(rows)

    # Telegram accepted exactly one send per outbox row in each chat ...
    accepted = Counter(
        int(c["chat_id"])
        for c in await emu.client.calls()
        if c["method"] in ("sendmessage", "senddocument") and c["status"] == 200
    )
    assert accepted == Counter(int(r["chat_id"]) for r in rows)
    # ... and each member has each of their messages once: the one the row recorded.
    for user in users:
        mine = [r for r in rows if r["chat_id"] == user.id]
        assert mine, user
        messages = await emu.client.bot_messages(user)
        assert sorted(seen(m) for m in messages) == sorted(content(r["payload"]) for r in mine)
        by_id = {m.message_id: m for m in messages}
        for row in mine:
            assert seen(by_id[row["telegram_message_id"]]) == content(row["payload"])


async def test_a_chats_messages_keep_their_order_while_one_worker_waits_out_a_429(
    emu: RunningEmulator, pg_db: Db, texts: Texts
) -> None:
    """Twenty chats get five pages each. One worker draws a 429 and pauses, holding the pages it
    has claimed; the other worker must not send those chats' later pages meanwhile."""
    users = [await emu.client.create_user(f"Person {i}", started=True) for i in range(20)]
    async with pg_db.sessions() as session:
        outbox = SqlOutboxRepository(session)
        for page in range(5):
            for user in users:
                await outbox.add(
                    OutboxMessage(
                        key=f"pages:{user.id}:{page}",
                        chat_id=user.id,
                        kind=OutboxKind.AGENDA,
                        payload={"type": "message", "text": f"Side {page + 1}", "buttons": []},
                        not_before=NOW,
                    )
                )
        await session.commit()

    async with two_workers(emu, pg_db, texts) as workers:
        while len([c for c in await emu.client.calls() if c["status"] == 200]) < 15:  # noqa: ASYNC110
            await asyncio.sleep(0.005)
        await emu.client.inject_fault("*", "retry_after", count=1, retry_after=1)
        await wait_done(pg_db)
    assert sorted(w.retry_after_pauses for w in workers) == [0, 1]

    for user in users:
        pages = [m.source for m in await emu.client.bot_messages(user)]
        assert pages == [f"Side {n}" for n in range(1, 6)], (user.first_name, pages)


async def test_two_workers_on_one_rate_keep_under_the_limits_and_hold_little(
    emu: RunningEmulator, pg_db: Db, texts: Texts
) -> None:
    """Two workers share the bot's rate (25/s) in the database and Telegram's limits are on:
    no 429, each message once, and between them they hold about one second of the rate (what
    each sends in the next ``claim_ahead``), not a batch each: a process killed mid-mailing
    would leave few rows waiting for their lease."""
    users = [await emu.client.create_user(f"Person {i}", started=True) for i in range(102)]
    committee = await make_committee(pg_db, members=100, first_telegram_id=users[0].id)
    config = DeliveryConfig(rate=25, lease=30, poll_interval=0.05, claim_ahead=1.0)
    await emu.client.set_limits(enabled=True, reset=True)
    held: list[int] = []
    async with two_workers(emu, pg_db, texts, config, shared_rate=True) as workers:
        await release.release_agenda(
            pg_db.uow(), committee.editor, committee.moede.id or 0, NOW, ZONE, texts
        )
        while True:
            statuses = Counter(r["status"] for r in await outbox(pg_db))
            if not statuses["pending"] and not statuses["sending"]:
                break
            held.append(statuses["sending"])
            await asyncio.sleep(0.02)

    rows = await outbox(pg_db)
    assert {r["status"] for r in rows} == {"sent"}
    assert {r["attempts"] for r in rows} == {1}
    assert all(w.sent > 0 for w in workers), [w.sent for w in workers]
    assert (await emu.client.limits())["refused"] == 0
    accepted = Counter(
        int(c["chat_id"])
        for c in await emu.client.calls()
        if c["method"] in ("sendmessage", "senddocument") and c["status"] == 200
    )
    assert accepted == Counter(int(r["chat_id"]) for r in rows)
    # Each holds what it sent in the last second (together about 26) or, to get going, a
    # quarter of a second at the full rate (7); a batch each would be all 102 rows at once.
    assert max(held) <= 26 + 2 * 7 + 2, held
