"""Agenda mailings with the real bot process: SIGKILLs in the middle of a mailing to 200 members
(during a 429 pause, and at any moment while it sends), and Telegram throttling (429 with
retry_after) and failing (5xx) while it sends.

Each test has its own emulator and bot process (polling), with fast delivery settings: the
emulator's flood limits are off, so the worker's own rate is the only brake, and a short lease
lets the restarted process take over the killed one's claims within seconds.

What a member gets (how many pages, whether the last page rides on the .ics as its caption) is
the release's business; these tests compare, per chat, what Telegram accepted with the outbox
rows for that chat, so they hold for any shape of mailing.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import sqlite3
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot_api_emulator import ChatMessage, EmuUser
from tests.e2e.world import FAST_DELIVERY, World, running_world

pytestmark = [pytest.mark.e2e, pytest.mark.serial]

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


@dataclass(frozen=True)
class Row:
    id: int
    chat_id: int
    status: str
    telegram_message_id: int | None
    payload: dict[str, Any]

    @property
    def content(self) -> tuple[str, str | None]:
        """What the row puts in the chat: its text, or its file's name and caption."""
        if self.payload["type"] == "document":
            return (f"document {self.payload['file_name']}", self.payload.get("caption") or None)
        return ("message", str(self.payload["text"]))


def seen(message: ChatMessage) -> tuple[str, str | None]:
    """What arrived, comparable with ``Row.content`` (``source``: the HTML the bot sent)."""
    if message.document is not None:
        return (f"document {message.document.file_name}", message.source)
    return ("message", message.source)


def outbox(world: World) -> list[Row]:
    """The outbox as stored; read straight from the SQLite file (also while the bot is down)."""
    with contextlib.closing(sqlite3.connect(world.db_path)) as db:
        rows = db.execute(
            "SELECT id, chat_id, status, telegram_message_id, payload FROM outbox ORDER BY id"
        ).fetchall()
    return [Row(i, c, s, m, json.loads(p)) for i, c, s, m, p in rows]


async def deliveries(world: World) -> tuple[Counter[int], list[dict[str, object]]]:
    """Accepted sendMessage and sendDocument calls per chat, and every such call."""
    calls = [
        c for c in await world.client.calls() if c["method"] in ("sendmessage", "senddocument")
    ]
    accepted = Counter(int(str(c["chat_id"])) for c in calls if c["status"] == 200)
    return accepted, calls


async def until_served(world: World, users: list[EmuUser], count: int) -> None:
    """Until ``count`` of ``users`` have had at least one message from the bot."""
    while True:
        accepted, _ = await deliveries(world)
        if sum(1 for u in users if accepted[u.id]) >= count:
            return
        await asyncio.sleep(0.02)


async def outbox_drained(world: World, timeout: float = 30.0) -> None:  # noqa: ASYNC109
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


async def release(world: World) -> None:
    assert world.committee is not None
    await world.setup_meeting()
    await world.ask(world.committee.secretary, "/udsend", "sendes nu til")


async def bot_messages(world: World, user: EmuUser) -> list[ChatMessage]:
    messages = await world.client.messages(user, with_data=False)
    return [m for m in messages if m.from_bot and not m.deleted]


async def received(world: World, users: list[EmuUser]) -> dict[int, list[ChatMessage]]:
    """Each member's messages from the bot, after checking that every outbox row of the chat
    arrived: the message its row recorded is in the chat, with the row's content."""
    rows = outbox(world)
    assert {r.status for r in rows} == {"sent"}
    chats: dict[int, list[ChatMessage]] = {}
    for user in users:
        mine = [r for r in rows if r.chat_id == user.id]
        assert mine, f"no outbox rows for {user.first_name}"
        messages = await bot_messages(world, user)
        by_id = {m.message_id: m for m in messages}
        for row in mine:
            message = by_id.get(row.telegram_message_id or 0)
            assert message is not None, f"{user.first_name}: row {row.id} never arrived"
            assert seen(message) == row.content, (user.first_name, row.id)
        chats[user.id] = messages
    return chats


async def assert_once_each(world: World, users: list[EmuUser]) -> None:
    """Each member got each of their outbox rows exactly once, and nothing else."""
    chats = await received(world, users)
    accepted, _ = await deliveries(world)
    rows = Counter(r.chat_id for r in outbox(world))
    wrong = [u.first_name for u in users if accepted[u.id] != rows[u.id]]
    assert wrong == [], f"not exactly one accepted send per outbox row: {wrong[:10]}"
    assert all(len(chats[u.id]) == rows[u.id] for u in users)
    # What the member sees: the summary first (a text or the .ics caption), the .ics last.
    sample = chats[users[len(users) // 2].id]
    assert SUMMARY in (sample[0].text or "")
    document = sample[-1].document
    assert document is not None and (document.file_name or "").endswith(".ics")


async def test_sigkill_in_the_middle_of_a_mailing_to_200_members(tmp_path: Path) -> None:
    async with delivery_world(tmp_path) as world:
        await world.setup_committee()
        users = await add_members(world, 200)
        await release(world)

        # Wait until about half the members have their mailing, then stop Telegram for a
        # moment (429, retry_after 3) and SIGKILL the bot while it waits: rows are claimed and
        # leased, about half are sent, and no send is in flight, so nothing may arrive twice.
        # (A kill at any other moment is the next test.)
        await until_served(world, users, 100)
        await world.client.inject_fault("*", "retry_after", count=1, retry_after=3)
        while not any(c["status"] == 429 for c in (await deliveries(world))[1]):  # noqa: ASYNC110
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.3)
        await world.stop_bot("kill")

        accepted, _ = await deliveries(world)
        served = sum(1 for u in users if accepted[u.id])
        assert 0 < served < len(users), "the kill must land in the middle of the mailing"
        assert world.count("SELECT count(*) FROM outbox WHERE status = 'sending'") > 0

        await world.start_bot()
        await outbox_drained(world)
        await asyncio.sleep(1.0)  # nothing more arrives afterwards
        await assert_once_each(world, users)
        world.assert_no_secrets_in_log()


async def test_sigkill_at_any_moment_of_a_mailing_skips_nobody(tmp_path: Path) -> None:
    """No pause this time: the kill can fall between Telegram accepting a message and the row
    being marked sent. That message is sent again after the restart (the one gap, see
    bot/workers/delivery.py), so it may arrive twice; every other message arrives exactly once."""
    async with delivery_world(tmp_path) as world:
        await world.setup_committee()
        users = await add_members(world, 200)
        await release(world)

        served_at_kill = random.randint(60, 120)
        await until_served(world, users, served_at_kill)
        await world.stop_bot("kill")
        # The database as the crash left it, before the restart touches it.
        at_kill = outbox(world)
        in_flight = {r.id for r in at_kill if r.status == "sending"}
        member_ids = {u.id for u in users}
        unsent = [r for r in at_kill if r.status != "sent" and r.chat_id in member_ids]
        assert unsent, f"the kill (after {served_at_kill} members) came after the mailing"

        await world.start_bot()
        await outbox_drained(world)
        await asyncio.sleep(1.0)  # a late duplicate would show up now

        # Nobody skipped: every row of every member arrived (checked by ``received``).
        chats = await received(world, users)
        rows = outbox(world)
        accepted, _ = await deliveries(world)
        twice: list[int] = []
        for user in users:
            mine = {r.telegram_message_id: r for r in rows if r.chat_id == user.id}
            extra = [m for m in chats[user.id] if m.message_id not in mine]
            assert accepted[user.id] == len(mine) + len(extra)
            for message in extra:
                # A second copy: of a row that was in flight when the bot died, once per row.
                match = [
                    r for r in mine.values() if r.id in in_flight and r.content == seen(message)
                ]
                assert match, (
                    f"{user.first_name} got {seen(message)} twice, but its row was not in "
                    f"flight at the kill (after {served_at_kill} members)"
                )
                twice.append(match[0].id)
        assert len(twice) == len(set(twice)), twice
        world.assert_no_secrets_in_log()


async def test_429_and_5xx_every_message_once_and_silence_during_the_pause(
    tmp_path: Path,
) -> None:
    async with delivery_world(tmp_path) as world:
        await world.setup_committee()
        users = await add_members(world, 40)
        await world.setup_meeting()
        # 5xx for some members only (any send to them: the shape of a mailing may vary).
        client = world.client
        await client.inject_fault("*", "server_error", 2, status=500, chat=users[3])
        await client.inject_fault("*", "server_error", 1, status=502, chat=users[7])
        await client.inject_fault("*", "server_error", 2, status=503, chat=users[5])
        await release(world)
        await until_served(world, users, 20)
        await world.client.inject_fault("*", "retry_after", count=1, retry_after=2)
        await outbox_drained(world)
        await asyncio.sleep(0.5)
        await assert_once_each(world, users)

        _, calls = await deliveries(world)
        throttled = [c for c in calls if c["status"] == 429]
        assert len(throttled) == 1
        assert sum(1 for c in calls if int(str(c["status"])) >= 500) == 5
        start = float(str(throttled[0]["t"]))
        # Requests already on their way when the 429 was answered may land right after it;
        # then nothing at all until retry_after has passed.
        during = [c for c in calls if start + 0.05 < float(str(c["t"])) < start + 2.0]
        assert during == []
        assert "all sending paused" in world.bot.log()
