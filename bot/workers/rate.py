"""The outbox's overall send rate: one per process on SQLite, one for all processes otherwise.

Telegram counts a bot's messages over every connection it has, so with several bot processes on
one outbox the rate must be shared, not divided by hand. ``SharedRateLimiter`` takes its turns
from a token bucket every process reaches: in Redis when ``REDIS_URL`` is set
(storage/redis_bucket.py), else in PostgreSQL (storage/send_bucket.py). A take books the next
turn, at most ``SHARED_AHEAD`` turn ahead: the process then sleeps until it. Booking is what
keeps the bot at its rate: a bucket that only grants a token that is there now loses, on every
turn, the time from the token falling due to the first process's take reaching the server (its
wake-up, the round trip): measured with three processes (tests/e2e/test_shared_rate.py) about
4 ms of every 40 ms turn, 22-23 messages/s instead of 25. Only ``SHARED_AHEAD`` turns are
booked at a time, so a process that stops (or is killed) leaves at most that unused, and the
others get its share at once. SQLite serves one process by nature and keeps
``LocalRateLimiter``.

Both buckets refill by the time elapsed on their own server's clock (Redis ``TIME``, PostgreSQL
``clock_timestamp()``), so the processes' clocks never need to agree. Any 1 s window holds at
most ``rate + BURST`` sends (28 at the default 25/s, under Telegram's 30), ``rate +
SHARED_BURST`` (26) when shared: a booked turn is the one the bucket would have granted then.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Protocol

from aiolimiter import AsyncLimiter

log = logging.getLogger(__name__)

#: Turns the overall limiter may bank after a quiet moment. A late wake-up of the event loop
#: then costs no throughput, and any 1 s window still holds at most BURST + rate sends (28 at
#: the default 25/s, under Telegram's 30).
BURST = 3
#: The shared bucket banks nothing: a turn granted in one process reaches Telegram after that
#: process's own delay (its event loop, the HTTP request), which differs between processes, so
#: sends granted apart can arrive closer together; evenly spaced turns leave 4 of Telegram's 30
#: for that (seen with 2: one refusal in 1,000 sends from three processes on a loaded machine).
SHARED_BURST = 1
#: Turns a take may book ahead in the shared bucket: the next one (40 ms at 25/s). While one
#: process waits for its booked turn, the next asker books the one after, so a turn is lost only
#: when every process is that late; booking further ahead would keep more turns from a process
#: that is killed while it waits.
SHARED_AHEAD = 1


class RateLimiter(Protocol):
    """The overall send rate: ``acquire`` returns when one more message may go out."""

    async def acquire(self) -> None: ...


class SendBucket(Protocol):
    """A token bucket every bot process reaches (Redis or PostgreSQL)."""

    async def take(self) -> tuple[bool, float]:
        """Book the next turn: ``(True, seconds until it)`` (0.0: now), or ``(False, seconds
        until one can be booked)`` (none booked)."""
        ...


class LocalRateLimiter:
    """``rate`` per second within this process, with a small bucket (``BURST``).

    A bucket of ``rate`` would let a whole second's worth out at once after a quiet spell (and
    Telegram counts any 1 s window); a bucket of one loses a turn to every late wake-up.
    """

    def __init__(self, rate: float, burst: int = BURST) -> None:
        self._limiter = AsyncLimiter(burst, burst / rate)

    async def acquire(self) -> None:
        await self._limiter.acquire()


class SharedRateLimiter:
    """Turns from a bucket all processes share.

    Within a process one sender at a time asks the bucket (the others queue on a lock, held
    until the booked turn comes), so a process books at most one turn at a time, and a turn
    refused comes with the wait until one can be booked. A sender cancelled while it waits for
    its booked turn (stopping) leaves that one turn unused. When the bucket cannot be reached
    (Redis or the database restarting), nothing is sent: the sender asks again after ``retry``
    seconds.
    """

    def __init__(self, bucket: SendBucket, retry: float = 0.5) -> None:
        self._bucket = bucket
        self._retry = retry
        self._turn = asyncio.Lock()
        self._failing = False

    async def acquire(self) -> None:
        async with self._turn:
            while True:
                try:
                    booked, wait = await self._bucket.take()
                except Exception:
                    if not self._failing:
                        log.exception("The shared send rate cannot be reached; sending waits")
                    self._failing = True
                    booked, wait = False, self._retry
                else:
                    if self._failing:
                        log.info("The shared send rate is back")
                    self._failing = False
                if wait > 0:
                    await asyncio.sleep(wait)
                if booked:
                    return
