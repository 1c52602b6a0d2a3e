"""Several delivery workers share one outbox: ``OutboxQueue.claim`` leases each due row to exactly
one of them, and a row whose lease ran out (its worker crashed) is due again.

PostgreSQL: the claim selects due ids ``FOR UPDATE SKIP LOCKED`` (a row another claimer is taking
is skipped, not waited for), then a conditional UPDATE … RETURNING leases the rows still due.

SQLite has no row locks (SQLAlchemy drops ``FOR UPDATE``) and needs none: it is single-writer. The
UPDATE takes the database file's write lock (other writers wait, up to the busy timeout), so two
claims' UPDATEs never overlap, and the second one's condition ("still due") leaves out whatever
the first one leased after both had selected the same ids. A claimer that loses its whole
selection that way comes back empty while due rows remain; the worker just claims again. The
concurrent test therefore runs on both databases; the lock-skipping test only on PostgreSQL.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, func, or_
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlmodel import col, select

from agendas.outbox import OutboxKind, OutboxMessage
from storage.engine import make_engine, make_session_factory
from storage.outbox_queue import OutboxQueue
from storage.repositories import SqlOutboxRepository
from storage.tables import OutboxRow

NOW = datetime(2027, 3, 22, 9, 0, tzinfo=UTC)
LEASE = timedelta(seconds=60)

Sessions = async_sessionmaker[AsyncSession]


async def add_rows(sessions: Sessions, count: int, chats: int | None = None) -> list[int]:
    """``count`` pending rows, due at NOW, one per chat (or taking turns over ``chats`` chats);
    their ids in order."""
    async with sessions() as session:
        outbox = SqlOutboxRepository(session)
        for n in range(count):
            await outbox.add(
                OutboxMessage(
                    key=f"claims:{n}",
                    chat_id=9000 + (n % chats if chats else n),
                    kind=OutboxKind.AGENDA,
                    payload={"type": "message", "text": f"Besked {n}", "buttons": []},
                    not_before=NOW,
                )
            )
        await session.commit()
        return list(await session.scalars(select(col(OutboxRow.id)).order_by(col(OutboxRow.id))))


async def due_count(sessions: Sessions, now: datetime) -> int:
    """Rows a claim at ``now`` may take: pending and due, or leased until before ``now``."""
    async with sessions() as session:
        due = or_(
            (col(OutboxRow.status) == "pending") & (col(OutboxRow.not_before) <= now),
            (col(OutboxRow.status) == "sending") & (col(OutboxRow.lease_until) < now),
        )
        return int(await session.scalar(select(func.count()).where(due)) or 0)


async def rows(sessions: Sessions) -> dict[int, OutboxRow]:
    async with sessions() as session:
        return {r.id or 0: r for r in await session.scalars(select(OutboxRow))}


async def claim_until_empty(
    queue: OutboxQueue, sessions: Sessions, now: datetime, batch: int
) -> list[int]:
    """What one worker does: claim small batches until nothing is due; marks every other row it
    got as sent (more writers at the same time) and "crashes" on the rest (leaves them leased);
    returns the ids it was given."""
    got: list[int] = []
    while True:
        claimed = await queue.claim(batch, LEASE, now)
        if not claimed:
            # On SQLite a claimer can lose its whole selection to another; look again.
            if await due_count(sessions, now) == 0:
                return got
            await asyncio.sleep(0)
            continue
        for message in claimed:
            assert message.id is not None
            got.append(message.id)
            if message.id % 2 == 0:
                assert await queue.mark_sent(message.id, 100_000 + message.id, now)


async def test_concurrent_claimers_take_every_row_exactly_once(
    database_url: str, session_factory: Sessions
) -> None:
    ids = await add_rows(session_factory, 300)
    # Four workers, each with its own engine (its own connections), as four processes would.
    engines = [make_engine(database_url) for _ in range(4)]
    try:
        workers = [make_session_factory(e) for e in engines]
        queues = [OutboxQueue(s) for s in workers]

        claims = await asyncio.gather(
            *(claim_until_empty(q, s, NOW, batch=7) for q, s in zip(queues, workers, strict=True))
        )
        claimed = [i for c in claims for i in c]
        twice = [i for i, n in Counter(claimed).items() if n > 1]
        assert twice == [], f"rows claimed by two workers: {twice}"
        assert sorted(claimed) == ids  # every row, none left behind
        assert sum(1 for c in claims if c) >= 2, "the claimers did not run side by side"
        stored = await rows(session_factory)
        assert all(r.attempts == 1 for r in stored.values())
        assert {r.status for i, r in stored.items() if i % 2} == {"sending"}
        assert {r.status for i, r in stored.items() if not i % 2} == {"sent"}

        # The workers "crash": past their lease the unsent rows are due again and are taken
        # over, each by exactly one worker; the sent ones never come back.
        later = NOW + LEASE + timedelta(seconds=1)
        claims = await asyncio.gather(
            *(claim_until_empty(q, s, later, batch=5) for q, s in zip(queues, workers, strict=True))
        )
        reclaimed = [i for c in claims for i in c]
        assert Counter(reclaimed).most_common(1)[0][1] == 1
        assert sorted(reclaimed) == [i for i in ids if i % 2]
    finally:
        for engine in engines:
            await engine.dispose()
    stored = await rows(session_factory)
    assert all(r.attempts == 2 for i, r in stored.items() if i % 2)
    assert all(r.attempts == 1 and r.status == "sent" for i, r in stored.items() if not i % 2)


async def test_an_expired_lease_is_claimable_again_and_a_live_one_is_not(
    session_factory: Sessions,
) -> None:
    ids = await add_rows(session_factory, 4)
    queue = OutboxQueue(session_factory)
    lease = timedelta(seconds=30)

    first = await queue.claim(2, lease, NOW)
    assert [m.id for m in first] == ids[:2]
    assert all(m.lease_until == NOW + lease and m.attempts == 1 for m in first)
    # Under lease: another claim does not get them, only the rows nobody holds.
    second = await queue.claim(10, lease, NOW + timedelta(seconds=20))
    assert [m.id for m in second] == ids[2:]
    assert await queue.claim(10, lease, NOW + timedelta(seconds=29)) == []

    # At NOW + 40 s the first two leases ran out (their worker died); the other two still hold.
    again = await queue.claim(10, lease, NOW + timedelta(seconds=40))
    assert [m.id for m in again] == ids[:2]
    assert all(m.attempts == 2 for m in again)
    assert all(m.lease_until == NOW + timedelta(seconds=70) for m in again)
    assert await queue.claim(10, lease, NOW + timedelta(seconds=45)) == []

    # A row marked sent is never due again, however old its lease.
    assert await queue.mark_sent(ids[2], 1, NOW + timedelta(seconds=46))
    late = await queue.claim(10, lease, NOW + timedelta(days=1))
    assert [m.id for m in late] == [ids[0], ids[1], ids[3]]


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgresql"])
async def test_rows_another_claimer_has_locked_are_skipped_not_waited_for(
    database_url: str, session_factory: Sessions
) -> None:
    """The SKIP LOCKED part: while one worker's claim transaction holds rows (between its
    SELECT … FOR UPDATE and its commit), another worker's claim passes them by at once."""
    ids = await add_rows(session_factory, 10)
    other = make_engine(database_url)
    try:
        queue = OutboxQueue(make_session_factory(other))
        async with session_factory() as holder:
            locked = list(
                await holder.scalars(
                    select(col(OutboxRow.id)).order_by(col(OutboxRow.id)).limit(3).with_for_update()
                )
            )
            assert locked == ids[:3]
            # Without SKIP LOCKED this would wait for the holder, which waits for us: the
            # timeout only turns such a hang into a failure.
            claimed = await asyncio.wait_for(queue.claim(5, LEASE, NOW), timeout=30)
            assert [m.id for m in claimed] == ids[3:8]
            await holder.rollback()
        rest = await queue.claim(10, LEASE, NOW)
        assert [m.id for m in rest] == [*ids[:3], *ids[8:]]
    finally:
        await other.dispose()


async def test_a_chats_next_row_waits_until_its_earlier_one_is_sent(
    database_url: str, session_factory: Sessions
) -> None:
    """Four workers, twelve chats of ten rows each: a row is handed out only once the chat's
    earlier rows are sent, so whichever worker sends it, a chat's rows arrive in order."""
    ids = await add_rows(session_factory, 120, chats=12)
    chat_of = {i: 9000 + n % 12 for n, i in enumerate(ids)}
    events: list[tuple[str, int]] = []  # ("claimed" | "marking", row id), in order
    engines = [make_engine(database_url) for _ in range(4)]

    async def worker(sessions: Sessions) -> None:
        queue = OutboxQueue(sessions)
        while True:
            claimed = await queue.claim(5, LEASE, NOW)
            events.extend(("claimed", m.id or 0) for m in claimed)
            if not claimed:
                if await due_count(sessions, NOW) == 0:
                    return
                await asyncio.sleep(0)
            for message in claimed:
                assert message.id is not None
                # Logged before the mark commits, so before any claim that sees it returns.
                events.append(("marking", message.id))
                assert await queue.mark_sent(message.id, message.id, NOW)

    try:
        await asyncio.gather(*(worker(make_session_factory(e)) for e in engines))
    finally:
        for engine in engines:
            await engine.dispose()
    claimed = [i for kind, i in events if kind == "claimed"]
    assert sorted(claimed) == ids  # each row once
    for position, (kind, row_id) in enumerate(events):
        if kind != "claimed":
            continue
        earlier = [i for i in ids if i < row_id and chat_of[i] == chat_of[row_id]]
        if earlier:
            marked_before = {i for k, i in events[:position] if k == "marking"}
            assert earlier[-1] in marked_before, f"row {row_id} handed out before {earlier[-1]}"


async def test_a_chats_next_row_keeps_the_chats_spacing_whoever_sent_the_last(
    database_url: str, session_factory: Sessions
) -> None:
    """Two workers (two processes): one sends a person's first page and a group's first message;
    the other may claim the next ones only when the chat's spacing has passed (1.1 s for a
    person, 3 s for a group), as Telegram counts a chat's messages whichever process sent them."""
    async with session_factory() as session:
        outbox = SqlOutboxRepository(session)
        for n, chat in enumerate((9000, 9000, -100, -100)):
            await outbox.add(
                OutboxMessage(
                    key=f"spacing:{n}",
                    chat_id=chat,
                    kind=OutboxKind.AGENDA,
                    payload={"type": "message", "text": f"Side {n}", "buttons": []},
                    not_before=NOW,
                )
            )
        await session.commit()
    other = make_engine(database_url)
    try:
        first, second = OutboxQueue(session_factory), OutboxQueue(make_session_factory(other))
        spacing = {"private_interval": 1.1, "group_interval": 3.0}
        taken = await first.claim(10, LEASE, NOW, **spacing)
        assert [m.chat_id for m in taken] == [9000, -100]
        for message in taken:
            assert await first.mark_sent(message.id or 0, 1, NOW)

        def later(seconds: float) -> datetime:
            return NOW + timedelta(seconds=seconds)

        assert await second.claim(10, LEASE, later(1.0), **spacing) == []
        person = await second.claim(10, LEASE, later(1.2), **spacing)
        assert [m.chat_id for m in person] == [9000]
        assert await second.claim(10, LEASE, later(2.9), **spacing) == []
        group = await second.claim(10, LEASE, later(3.1), **spacing)
        assert [m.chat_id for m in group] == [-100]
    finally:
        await other.dispose()


async def test_a_poll_that_finds_nothing_due_is_one_plain_read(
    engine: AsyncEngine, session_factory: Sessions
) -> None:
    """The worker polls twice a second: an idle outbox costs one indexed SELECT, without the
    claim's locking transaction; a due row is still claimed on the same call."""
    await add_rows(session_factory, 1)
    queue = OutboxQueue(session_factory)
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(" ".join(statement.split()))

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        assert await queue.claim(10, LEASE, NOW - timedelta(seconds=1)) == []
        assert len(statements) == 1
        probe = statements[0]
        assert probe.startswith("SELECT") and "FOR UPDATE" not in probe and "GROUP BY" not in probe
        statements.clear()
        assert len(await queue.claim(10, LEASE, NOW)) == 1
        assert any("FOR UPDATE" in s or s.startswith("UPDATE") for s in statements)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)
