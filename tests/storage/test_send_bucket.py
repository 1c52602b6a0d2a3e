"""The send rate all bot processes share (bot/workers/rate.py), on real PostgreSQL and real Redis.

Three "processes" (each its own engine or Redis client, so separate connections, and its own
``SharedRateLimiter``), each with several senders, take turns from one bucket. What Telegram
would notice is counted: the turns granted in any 1 s window, never more than ``rate + burst``,
whatever the number of processes. A process that is dropped in the middle (its senders cancelled
mid-take, its connections closed) leaves the others the whole rate.

Times are those at which ``acquire`` returned, on this process's clock; the assertions count
turns in windows and compare two periods of one run, never the test's own duration.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

import pytest
from redis.asyncio import Redis

from bot.workers.rate import SharedRateLimiter
from storage.engine import make_engine
from storage.redis_bucket import RedisSendBucket
from storage.send_bucket import PgSendBucket

pytestmark = [pytest.mark.postgres, pytest.mark.serial]

REDIS_URL = "redis://127.0.0.1:6379/0"
RATE = 10.0
BURST = 3
PROCESSES = 3
SENDERS = 4  # per process


@dataclass
class Holder:
    """One bot process's limiter and the times its senders got their turns."""

    limiter: SharedRateLimiter
    close: Callable[[], Awaitable[None]]
    turns: list[float] = field(default_factory=list)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    def start(self) -> None:
        loop = asyncio.get_running_loop()

        async def sender() -> None:
            while True:
                await self.limiter.acquire()
                self.turns.append(loop.time())

        self.tasks = [asyncio.create_task(sender()) for _ in range(SENDERS)]

    async def drop(self) -> None:
        """As a killed process: senders gone wherever they were, connections closed."""
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        await self.close()


Factory = Callable[[], Awaitable[Holder]]


@pytest.fixture(params=["postgresql", "redis"])
async def make_holder(
    request: pytest.FixtureRequest, postgresql_migrated_url: str
) -> AsyncIterator[Factory]:
    """A factory of holders sharing one bucket in the backend, fresh for the test."""
    name = f"test:{secrets.token_hex(4)}"
    closers: list[Callable[[], Awaitable[None]]] = []

    async def pg_holder() -> Holder:
        engine = make_engine(postgresql_migrated_url)
        closers.append(engine.dispose)
        bucket = PgSendBucket(engine, name, RATE, BURST)
        return Holder(SharedRateLimiter(bucket), engine.dispose)

    async def redis_holder() -> Holder:
        client = Redis.from_url(REDIS_URL)
        closers.append(client.aclose)
        bucket = RedisSendBucket(client, f"udvalgsbot:test-bucket:{name}", RATE, BURST)
        return Holder(SharedRateLimiter(bucket), client.aclose)

    yield pg_holder if request.param == "postgresql" else redis_holder
    for close in closers:
        with contextlib.suppress(Exception):
            await close()


def busiest_second(turns: list[float]) -> int:
    """The most turns in any window of 1 s (each window starting at a turn)."""
    turns = sorted(turns)
    most, end = 0, 0
    for start, t in enumerate(turns):
        while end < len(turns) and turns[end] < t + 1.0:
            end += 1
        most = max(most, end - start)
    return most


def in_period(turns: list[float], start: float, end: float) -> int:
    return sum(1 for t in turns if start <= t < end)


async def test_processes_together_never_exceed_the_rate(make_holder: Factory) -> None:
    holders = [await make_holder() for _ in range(PROCESSES)]
    for holder in holders:
        holder.start()
    await asyncio.sleep(3.5)
    for holder in holders:
        await holder.drop()

    turns = [t for h in holders for t in h.turns]
    assert busiest_second(turns) <= RATE + BURST
    # Every process got turns: the bucket is shared, not taken over by one of them.
    assert all(h.turns for h in holders), [len(h.turns) for h in holders]


async def test_a_dropped_process_leaves_the_others_the_whole_rate(make_holder: Factory) -> None:
    holders = [await make_holder() for _ in range(PROCESSES)]
    for holder in holders:
        holder.start()
    loop = asyncio.get_running_loop()
    await asyncio.sleep(1.0)  # past the first burst
    before = loop.time()
    await asyncio.sleep(2.0)
    killed_at = loop.time()
    await holders[0].drop()
    await asyncio.sleep(2.0)
    after = loop.time()
    for holder in holders[1:]:
        await holder.drop()

    everyone = [t for h in holders for t in h.turns]
    survivors = [t for h in holders[1:] for t in h.turns]
    # The two left take, together, as many turns as the three did before (the same run, the
    # same machine: the period before the drop is the baseline), and never more than the rate.
    shared = in_period(everyone, before, killed_at)
    alone = in_period(survivors, killed_at, after)
    assert alone >= 0.8 * shared, (shared, alone)
    assert busiest_second(everyone) <= RATE + BURST
