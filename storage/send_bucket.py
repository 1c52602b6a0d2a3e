"""The send rate every bot process shares, in PostgreSQL: a token bucket in one ``send_bucket`` row.

A take is one atomic statement: the UPDATE locks the bot's row, refills it by the time elapsed
since its last refill on the database's own clock (capped at ``burst``), books the next turn
when it is due within ``ahead`` turns (the balance may go as low as ``-ahead``), and records in
``granted`` whether it did; RETURNING tells the caller, and the balance left says how long the
booked turn is ahead (a negative balance of ``-x`` tokens is ``x / rate`` seconds). The turns
are those of the plain bucket (a turn is due when the balance would be back at 0), so any 1 s
window still holds at most ``rate + burst`` of them; booking only lets the next process ask
before its turn instead of after, so a process's late wake-up no longer costs the bot that turn.
At most ``ahead`` turns are booked at a time, so a process that stops or is killed leaves at
most that much unused.

Each statement runs in its own transaction (autocommit). Several processes updating the row
queue on its row lock, one short statement each (about one
take per message sent, plus a refused take now and then). A statement that waited for the lock
refills from the time it started, never earlier than the last refill (``greatest``), so waiting
can only make it refuse or book later, never grant a turn too many or too early; and the caller
counts the wait from when the answer arrives, later still.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

_CREATE = text(
    "INSERT INTO send_bucket (name, tokens, refilled_at, granted) "
    "VALUES (:name, :burst, extract(epoch FROM clock_timestamp())::float8, false) "
    "ON CONFLICT (name) DO NOTHING"
)

#: The tokens there are now, refilled by the time since the last refill, at most ``burst``.
_AVAILABLE = "least(:burst, b.tokens + greatest(0.0, c.now - b.refilled_at) * :rate)"
#: The next turn is due within ``ahead`` turns (now when the balance is 1 or more).
_BOOKABLE = f"{_AVAILABLE} >= 1.0 - :ahead"

_TAKE = text(
    f"UPDATE send_bucket AS b SET "
    f"tokens = CASE WHEN {_BOOKABLE} THEN {_AVAILABLE} - 1 ELSE {_AVAILABLE} END, "
    f"refilled_at = greatest(b.refilled_at, c.now), "
    f"granted = {_BOOKABLE} "
    f"FROM (SELECT extract(epoch FROM clock_timestamp())::float8 AS now) AS c "
    f"WHERE b.name = :name "
    f"RETURNING b.granted, b.tokens"
)


class PgSendBucket:
    """``rate`` tokens per second, at most ``burst`` banked and ``ahead`` booked, shared through
    the database."""

    def __init__(
        self, engine: AsyncEngine, name: str, rate: float, burst: float, ahead: float = 1.0
    ) -> None:
        # Each statement its own transaction: the row lock lives only while the UPDATE runs
        # in the server, never across a round trip, so a client that hangs or dies holds nothing.
        self._engine = engine.execution_options(isolation_level="AUTOCOMMIT")
        self._params = {
            "name": name,
            "rate": float(rate),
            "burst": float(burst),
            "ahead": float(ahead),
        }
        self._rate = float(rate)
        self._ahead = float(ahead)
        self._created = False

    async def take(self) -> tuple[bool, float]:
        """Book the next turn: ``(True, seconds until it)`` (0.0: now), or ``(False, seconds
        until one can be booked)`` when it is further ahead than ``ahead`` turns."""
        async with self._engine.connect() as conn:
            if not self._created:
                await conn.execute(_CREATE, self._params)
            row = (await conn.execute(_TAKE, self._params)).one()
        self._created = True
        granted, tokens = bool(row[0]), float(row[1])
        if granted:
            return True, max(0.0, -tokens / self._rate)
        return False, max(0.001, (1.0 - self._ahead - tokens) / self._rate)
