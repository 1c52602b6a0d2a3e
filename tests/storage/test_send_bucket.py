"""The send rate all bot processes share (bot/workers/rate.py), on real PostgreSQL and real Redis.

Three "processes" (each its own engine or Redis client, so separate connections, and its own
``SharedRateLimiter``), each with several senders, take turns from one bucket. What Telegram
would notice is counted: the turns granted in any 1 s window, never more than ``rate + burst``,
whatever the number of processes. A process that is dropped in the middle (its senders cancelled
mid-take, its connections closed) leaves the others the whole rate. Processes that ask late
(a slow round trip, a busy event loop) still get every turn: a take books the next turn.

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

from bot.workers.rate import SHARED_BURST, SendBucket, SharedRateLimiter
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


@dataclass
class Late:
    """A bucket every take of which reaches the server ``delay`` seconds late: a slow round
    trip, or a process whose event loop is busy when its wait is over."""

    bucket: SendBucket
    delay: float

    async def take(self) -> tuple[bool, float]:
        await asyncio.sleep(self.delay)
        return await self.bucket.take()


#: A holder on the shared bucket, its takes ``late`` seconds late (0: as they come), the bucket
#: banking ``burst`` turns.
Factory = Callable[..., Awaitable[Holder]]
#: A connection to the shared bucket (as a process's limiter sees it), and how to close it.
BucketFactory = Callable[..., Awaitable[tuple[SendBucket, Callable[[], Awaitable[None]]]]]


@pytest.fixture(params=["postgresql", "redis"])
async def make_bucket(
    request: pytest.FixtureRequest, postgresql_migrated_url: str
) -> AsyncIterator[BucketFactory]:
    """A factory of connections (each its own engine or client) to one bucket in the backend,
    fresh for the test."""
    name = f"test:{secrets.token_hex(4)}"
    closers: list[Callable[[], Awaitable[None]]] = []

    async def pg_bucket(
        rate: float = RATE, burst: int = BURST
    ) -> tuple[SendBucket, Callable[[], Awaitable[None]]]:
        engine = make_engine(postgresql_migrated_url)
        closers.append(engine.dispose)
        return PgSendBucket(engine, name, rate, burst), engine.dispose

    async def redis_bucket(
        rate: float = RATE, burst: int = BURST
    ) -> tuple[SendBucket, Callable[[], Awaitable[None]]]:
        client = Redis.from_url(REDIS_URL)
        closers.append(client.aclose)
        key = f"udvalgsbot:test-bucket:{name}"
        return RedisSendBucket(client, key, rate, burst), client.aclose

    yield pg_bucket if request.param == "postgresql" else redis_bucket
    for close in closers:
        with contextlib.suppress(Exception):
            await close()


@pytest.fixture
def make_holder(make_bucket: BucketFactory) -> Factory:
    """A factory of holders sharing one bucket."""

    async def holder(late: float = 0.0, burst: int = BURST) -> Holder:
        bucket, close = await make_bucket(RATE, burst)
        return Holder(SharedRateLimiter(Late(bucket, late) if late else bucket), close)

    return holder


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


async def test_a_take_books_the_next_turn(make_bucket: BucketFactory) -> None:
    """A take when no turn is due now books the next one (the caller is told how long until
    it), one turn ahead at most: a take beyond that is refused with the wait until it can book."""
    rate = 2.0  # a turn every 0.5 s: the takes below come well within one
    first, _ = await make_bucket(rate, 1)
    second, _ = await make_bucket(rate, 1)
    assert await first.take() == (True, 0.0)  # a full bucket: now
    booked, wait = await second.take()
    assert booked and 0.0 < wait <= 0.5  # the next turn, booked
    refused, until = await first.take()
    assert not refused and 0.0 < until <= 0.5  # two ahead: not yet
    await asyncio.sleep(until)
    booked, later = await first.take()
    assert booked and 0.0 < later <= 0.5  # once the booked turn is due, the next one


async def test_late_takes_lose_no_turns(make_holder: Factory) -> None:
    """Every take of every process reaches the bucket a third of a turn late, the bucket banking
    nothing (as the bot's, ``SHARED_BURST``): the processes together still get the whole rate,
    and never more (a bucket that only grants a turn due now would lose the lateness on every
    turn: 10 a second would be 7.7)."""
    holders = [await make_holder(late=0.3 / RATE, burst=SHARED_BURST) for _ in range(PROCESSES)]
    for holder in holders:
        holder.start()
    loop = asyncio.get_running_loop()
    await asyncio.sleep(1.0)  # past the first burst
    start = loop.time()
    await asyncio.sleep(3.0)
    end = loop.time()
    for holder in holders:
        await holder.drop()

    turns = [t for h in holders for t in h.turns]
    assert in_period(turns, start, end) >= 0.9 * RATE * (end - start)
    assert busiest_second(turns) <= RATE + SHARED_BURST
