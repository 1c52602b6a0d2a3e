"""The delivery worker against the Bot API emulator: every message once, in order per chat,
through 429 pauses (nothing sent meanwhile), 5xx retries, a blocked bot, and a graceful stop."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from aiogram import Bot
from sqlalchemy import text

from agendas.chatviews import Translate
from agendas.services import release
from bot.app import build_bot, chat_pacer
from bot.workers.delivery import DeliveryConfig, DeliveryWorker
from bot.workers.rate import LocalRateLimiter, RateLimiter
from bot_api_emulator import EmuUser, RunningEmulator, running_emulator
from handlers.callbacks import pack_button
from storage.outbox_queue import OutboxQueue
from tests.delivery.conftest import NOW, ZONE, Committee, Db, add_long_sager, make_committee

#: Pauses and stops are timed: run after the parallel part of the suite, on a quiet machine.
pytestmark = [pytest.mark.serial]

Texts = Callable[[str | None], Translate]
FAST = DeliveryConfig(
    rate=200,
    private_interval=0.0,
    group_interval=0.0,
    lease=5,
    backoff_base=0.05,
    poll_interval=0.05,
)


@dataclass
class Setup:
    emu: RunningEmulator
    committee: Committee
    users: list[EmuUser]
    db: Db


@pytest.fixture
async def emu() -> AsyncIterator[RunningEmulator]:
    async with running_emulator() as running:
        yield running


async def setup(emu: RunningEmulator, db: Db, members: int, long_agenda: bool = True) -> Setup:
    """A committee whose members are emulator users. ``long_agenda``: each person's summary
    takes two pages, so a mailing is two messages and the .ics (order matters); otherwise the
    short agenda travels as the .ics's caption, one message each."""
    users = [await emu.client.create_user(f"Person {i}", started=True) for i in range(members + 2)]
    committee = await make_committee(db, members=members, first_telegram_id=users[0].id)
    assert [p.telegram_id for p in committee.everyone] == [u.id for u in users]
    if long_agenda:
        await add_long_sager(db, committee, 3)
    return Setup(emu, committee, users, db)


async def mailing_rows(db: Db) -> int:
    async with db.engine.connect() as conn:
        return int(await conn.scalar(text("SELECT count(*) FROM outbox")) or 0)


async def worker_for(
    s: Setup,
    texts: Texts,
    config: DeliveryConfig = FAST,
    bot: Bot | None = None,
    limiter: RateLimiter | None = None,
) -> DeliveryWorker:
    """A worker as the bot process builds it: on a bot whose session paces every send."""
    # The release was made at the frozen NOW (in 2027): the worker's clock runs on from there.
    offset = NOW - datetime.now(UTC)
    bot = bot or build_bot(s.emu.token, s.emu.base_url)
    worker = DeliveryWorker(
        bot,
        OutboxQueue(s.db.sessions),
        config,
        texts,
        pack_button,
        clock=lambda: datetime.now(UTC) + offset,
        pacer=chat_pacer(bot),
        limiter=limiter,
    )
    worker.start()
    return worker


async def stop(worker: DeliveryWorker) -> None:
    await worker.stop()
    await worker.bot.session.close()


async def statuses(db: Db) -> Counter[str]:
    async with db.engine.connect() as conn:
        rows = await conn.execute(text("SELECT status FROM outbox"))
        return Counter(r[0] for r in rows)


async def wait_done(db: Db, timeout: float = 20.0) -> Counter[str]:  # noqa: ASYNC109
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        counts = await statuses(db)
        if not counts["pending"] and not counts["sending"]:
            return counts
        await asyncio.sleep(0.05)
    raise AssertionError(f"the outbox did not drain: {await statuses(db)}")


async def assert_each_got_it_once(s: Setup) -> None:
    """Every person has the summary's pages once each, in order, and then one .ics."""
    per_person = await mailing_rows(s.db) // len(s.users)
    for user in s.users:
        messages = await s.emu.client.bot_messages(user)
        assert len(messages) == per_person, (user, [m.text for m in messages])
        assert "Dagsorden: Beskæftigelsesudvalget" in (messages[0].text or "")
        documents = [m for m in messages if m.document is not None]
        assert len(documents) == 1 and messages[-1] is documents[0], user
        pages = [m.text or "" for m in messages if m.document is None]
        marks = [f"({i}/{len(pages)})" for i in range(1, len(pages) + 1)] if len(pages) > 1 else []
        assert all(mark in page for mark, page in zip(marks, pages, strict=False))
        assert any("Åbn punkt" in b for m in messages for b in m.button_texts)


async def release_now(s: Setup, texts: Texts) -> None:
    await release.release_agenda(
        s.db.uow(), s.committee.editor, s.committee.moede.id or 0, NOW, ZONE, texts
    )


@pytest.mark.parametrize("long_agenda", [True, False], ids=["pages-then-ics", "ics-caption"])
async def test_mailing_arrives_once_each(
    emu: RunningEmulator, db: Db, texts: Texts, long_agenda: bool
) -> None:
    s = await setup(emu, db, members=20, long_agenda=long_agenda)
    await release_now(s, texts)
    rows = await mailing_rows(db)
    assert rows == (3 if long_agenda else 1) * len(s.users)
    worker = await worker_for(s, texts)
    try:
        counts = await wait_done(db)
    finally:
        await stop(worker)
    assert counts == Counter({"sent": rows})
    await assert_each_got_it_once(s)
    # The .ics went up once and then travelled by file_id.
    assert len(worker._file_ids) == 1


async def test_429_pauses_everything_and_5xx_are_retried(
    emu: RunningEmulator, db: Db, texts: Texts
) -> None:
    s = await setup(emu, db, members=30)
    await release_now(s, texts)
    await emu.client.inject_fault("sendMessage", "server_error", count=3, status=502)
    await emu.client.inject_fault("sendDocument", "server_error", count=2, status=500)
    worker = await worker_for(s, texts, FAST)
    try:
        # Let some messages through, then Telegram says: wait 2 seconds.
        while len([c for c in await emu.client.calls("sendMessage") if c["status"] == 200]) < 10:  # noqa: ASYNC110
            await asyncio.sleep(0.01)
        await emu.client.inject_fault("*", "retry_after", count=1, retry_after=2)
        counts = await wait_done(db)
    finally:
        await stop(worker)
    assert counts == Counter({"sent": await mailing_rows(db)})
    await assert_each_got_it_once(s)
    calls = await emu.client.calls()
    sends = [c for c in calls if c["method"] in ("sendmessage", "senddocument")]
    throttled = [c for c in sends if c["status"] == 429]
    assert len(throttled) == 1
    assert sum(1 for c in sends if c["status"] >= 500) == 5
    start = throttled[0]["t"]
    # Requests already on their way when the 429 was answered may land just after it (the
    # emulator answers them in this test's event loop, so on a busy machine one can take 0.1 s
    # or more); from then on nothing is sent until retry_after has passed. A worker that ignored
    # the pause would send the remaining rows within about 0.4 s at this rate, inside the window.
    during = [c for c in sends if start + 0.25 < c["t"] < start + 2.0]
    assert during == [], during
    assert worker.retry_after_pauses == 1


async def test_a_blocked_member_is_recorded_and_the_secretary_told(
    emu: RunningEmulator, db: Db, texts: Texts
) -> None:
    s = await setup(emu, db, members=3)
    blocked = s.users[2]
    await emu.client.block_bot(blocked)
    await release_now(s, texts)
    worker = await worker_for(s, texts)
    try:
        counts = await wait_done(db)
    finally:
        await stop(worker)
    assert counts["unreachable"] == 3  # the summary's two pages and the .ics
    assert counts["failed"] == 0
    notices = [
        m
        for m in await emu.client.bot_messages(s.users[0])
        if "har blokeret botten" in (m.text or "")
    ]
    assert len(notices) == 1
    assert s.committee.everyone[2].name in (notices[0].text or "")
    async with db.engine.connect() as conn:
        marked = await conn.scalar(
            text("SELECT count(*) FROM recipient_status WHERE chat_id = :c"), {"c": blocked.id}
        )
    assert marked == 1


async def test_graceful_stop_mid_mailing_gives_claims_back(
    emu: RunningEmulator, db: Db, texts: Texts
) -> None:
    s = await setup(emu, db, members=40)
    await release_now(s, texts)
    slow = DeliveryConfig(rate=40, private_interval=0.0, lease=30, poll_interval=0.05)
    worker = await worker_for(s, texts, slow)
    while (await statuses(db))["sent"] < 20:  # noqa: ASYNC110
        await asyncio.sleep(0.02)
    await stop(worker)
    counts = await statuses(db)
    assert counts["sending"] == 0  # nothing left leased: a restart need not wait for the lease
    assert 20 <= counts["sent"] < await mailing_rows(db)
    worker = await worker_for(s, texts)
    try:
        assert await wait_done(db) == Counter({"sent": await mailing_rows(db)})
    finally:
        await stop(worker)
    await assert_each_got_it_once(s)


async def test_a_worker_with_a_share_of_the_rate_holds_only_what_it_sends_soon(
    emu: RunningEmulator, db: Db, texts: Texts
) -> None:
    """A process that shares the rate with others (here it gets a fifth of the bot's 100/s)
    claims about what it sends in the next ``claim_ahead`` seconds, not a whole batch: a process
    killed in the middle of a mailing leaves few rows waiting for their lease."""
    s = await setup(emu, db, members=60, long_agenda=False)
    await release_now(s, texts)
    config = DeliveryConfig(
        rate=100, private_interval=0.0, lease=5, poll_interval=0.05, claim_ahead=0.5
    )
    share = LocalRateLimiter(20)
    worker = await worker_for(s, texts, config, limiter=share)
    held: list[int] = []
    try:
        while (counts := await statuses(db))["pending"] or counts["sending"]:
            held.append(counts["sending"])
            await asyncio.sleep(0.02)
    finally:
        await stop(worker)
    # At most what it sent in the last 0.5 s (3 banked + 20/s * 0.5 s), or a quarter of 0.5 s at
    # the full rate (13) to get going; a batch would be all 61 rows at once.
    assert max(held) <= 13, held
    assert counts == Counter({"sent": len(s.users)})
    await assert_each_got_it_once(s)


async def test_a_handler_reply_counts_toward_the_chat_spacing(
    emu: RunningEmulator, db: Db, texts: Texts
) -> None:
    """The /udsend confirmation goes straight out; the agenda to the same chat waits its turn
    instead of drawing a 429 (Telegram allows about one message a second in a private chat)."""
    s = await setup(emu, db, members=2, long_agenda=False)
    await release_now(s, texts)
    await emu.client.set_limits(enabled=True, reset=True)
    bot = build_bot(s.emu.token, s.emu.base_url)
    # A handler's reply to a member (the secretary's own copy waits anyway: OWN_COPY_DELAY).
    await bot.send_message(s.users[1].id, "Din kommando er modtaget.")
    paced = DeliveryConfig(rate=25, private_interval=1.1, poll_interval=0.05)
    worker = await worker_for(s, texts, paced, bot)
    try:
        counts = await wait_done(db)
    finally:
        await stop(worker)
    assert counts == Counter({"sent": len(s.users)})
    limits = await emu.client.limits()
    assert limits["refused"] == 0, limits
    assert worker.retry_after_pauses == 0
