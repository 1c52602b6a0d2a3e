"""Agenda mailings with the real bot process: a SIGKILL in the middle of a mailing to 200
members, and Telegram throttling (429 with retry_after) and failing (5xx) while it sends.

Each test has its own emulator and bot process (polling), with fast delivery settings: the
emulator's flood limits are off, so the worker's own rate is the only brake, and a short lease
lets the restarted process take over the killed one's claims within seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.emulator import EmuUser
from tests.e2e.world import FAST_DELIVERY, World, running_world

pytestmark = [pytest.mark.e2e]

SUMMARY = "Dagsorden: Beskæftigelsesudvalget"


@contextlib.asynccontextmanager
async def delivery_world(workdir: Path) -> AsyncIterator[World]:
    async with running_world("polling", workdir, FAST_DELIVERY) as world:
        yield world


async def add_members(world: World, count: int) -> list[EmuUser]:
    """Members who opened the chat with the bot long ago; stored as the invite flow would."""
    users = [await world.client.create_user(f"Medlem {i:03d}", started=True) for i in range(count)]
    world.add_members(users)
    return users


async def deliveries(world: World) -> tuple[Counter[int], Counter[int], list[dict[str, object]]]:
    """Accepted sendMessage and sendDocument calls per chat, and every send call."""
    calls = [
        c for c in await world.client.calls() if c["method"] in ("sendmessage", "senddocument")
    ]
    messages: Counter[int] = Counter()
    documents: Counter[int] = Counter()
    for call in calls:
        if call["status"] == 200:
            target = messages if call["method"] == "sendmessage" else documents
            target[int(str(call["chat_id"]))] += 1
    return messages, documents, calls


async def wait_for_documents(world: World, users: list[EmuUser], timeout: float) -> None:  # noqa: ASYNC109
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        _, documents, _ = await deliveries(world)
        if all(documents[u.id] >= 1 for u in users):
            return
        await asyncio.sleep(0.2)
    _, documents, _ = await deliveries(world)
    missing = [u.first_name for u in users if not documents[u.id]]
    raise AssertionError(f"{len(missing)} members have no calendar file: {missing[:10]}")


async def outbox_drained(world: World, timeout: float = 10.0) -> None:  # noqa: ASYNC109
    """Every outbox row is sent (the secretary's own copy included)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while world.count("SELECT count(*) FROM outbox WHERE status <> 'sent'"):
        if loop.time() > deadline:
            with contextlib.closing(sqlite3.connect(world.db_path)) as db:
                rows = db.execute(
                    "SELECT idempotency_key, status, attempts, error FROM outbox "
                    "WHERE status <> 'sent'"
                ).fetchall()
            raise AssertionError(f"not sent: {rows[:10]}")
        await asyncio.sleep(0.1)


async def until_sent(world: World, count: int) -> None:
    """Until the bot has sent ``count`` messages to private chats."""
    while sum(m for chat, m in (await deliveries(world))[0].items() if chat > 0) < count:  # noqa: ASYNC110
        await asyncio.sleep(0.02)


async def release(world: World) -> None:
    assert world.committee is not None
    await world.setup_meeting()
    await world.ask(world.committee.secretary, "/udsend", "sendes nu til")


async def assert_once_each(world: World, users: list[EmuUser]) -> None:
    messages, documents, _ = await deliveries(world)
    twice = [u.first_name for u in users if messages[u.id] != 1 or documents[u.id] != 1]
    assert twice == [], f"not exactly one summary and one .ics: {twice[:10]}"
    # What the member sees: the summary with its buttons, then the calendar file.
    sample = await world.client.bot_messages(users[len(users) // 2])
    assert SUMMARY in (sample[0].text or "")
    assert sample[1].document is not None and sample[1].document.file_name.endswith(".ics")


async def test_sigkill_in_the_middle_of_a_mailing_to_200_members(tmp_path: Path) -> None:
    async with delivery_world(tmp_path) as world:
        await world.setup_committee()
        users = await add_members(world, 200)
        await release(world)

        # Wait until about half the members have their summary, then stop Telegram for a
        # moment (429, retry_after 3) and SIGKILL the bot while it waits: rows are claimed and
        # leased, about half are sent. (A kill in the instant between Telegram's accept and our
        # mark could repeat that one message: see bot/delivery.py. The pause keeps the test
        # about recovery, not about that instant.)
        await until_sent(world, 200)
        await world.client.inject_fault("*", "retry_after", count=1, retry_after=3)
        while not any(c["status"] == 429 for c in (await deliveries(world))[2]):  # noqa: ASYNC110
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.3)
        await world.stop_bot("kill")

        _, documents, _ = await deliveries(world)
        served = sum(1 for u in users if documents[u.id])
        assert 0 < served < len(users), "the kill must land in the middle of the mailing"
        assert world.count("SELECT count(*) FROM outbox WHERE status = 'sending'") > 0

        await world.start_bot()
        await wait_for_documents(world, users, timeout=30)
        await asyncio.sleep(1.0)  # nothing more arrives afterwards
        await assert_once_each(world, users)
        await outbox_drained(world)
        world.assert_no_secrets_in_log()


async def test_429_and_5xx_every_message_once_and_silence_during_the_pause(
    tmp_path: Path,
) -> None:
    async with delivery_world(tmp_path) as world:
        await world.setup_committee()
        users = await add_members(world, 40)
        await world.setup_meeting()
        # 5xx for some members only (the secretary's own replies are not the worker's).
        client = world.client
        await client.inject_fault("sendMessage", "server_error", 2, status=500, chat=users[3])
        await client.inject_fault("sendMessage", "server_error", 1, status=502, chat=users[7])
        await client.inject_fault("sendDocument", "server_error", 2, status=503, chat=users[5])
        await release(world)
        await until_sent(world, 20)
        await world.client.inject_fault("*", "retry_after", count=1, retry_after=2)
        await wait_for_documents(world, users, timeout=30)
        await asyncio.sleep(0.5)
        await assert_once_each(world, users)

        _, _, calls = await deliveries(world)
        throttled = [c for c in calls if c["status"] == 429]
        assert len(throttled) == 1
        assert sum(1 for c in calls if int(str(c["status"])) >= 500) == 5
        start = float(str(throttled[0]["t"]))
        # Requests already on their way when the 429 was answered may land right after it;
        # then nothing at all until retry_after has passed.
        during = [c for c in calls if start + 0.05 < float(str(c["t"])) < start + 2.0]
        assert during == []
        await outbox_drained(world)
        assert "all sending paused" in world.bot.log()
