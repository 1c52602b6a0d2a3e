"""The send rate every bot process shares, in PostgreSQL: a token bucket in one ``send_bucket`` row.

A take is one atomic statement: the UPDATE locks the bot's row, refills it by the time elapsed
since its last refill on the database's own clock (capped at ``burst``), takes a token when one
is there, and records in ``granted`` whether it did; RETURNING tells the caller. No token is
taken ahead of time, so a process that stops or is killed holds nothing.

Each statement runs in its own transaction (autocommit). Several processes updating the row
queue on its row lock, one short statement each (about one
take per message sent, plus a refused take now and then). A statement that waited for the lock
refills from the time it started, never earlier than the last refill (``greatest``), so waiting
can only make it refuse, never grant a token too many.
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

_TAKE = text(
    f"UPDATE send_bucket AS b SET "
    f"tokens = CASE WHEN {_AVAILABLE} >= 1 THEN {_AVAILABLE} - 1 ELSE {_AVAILABLE} END, "
    f"refilled_at = greatest(b.refilled_at, c.now), "
    f"granted = {_AVAILABLE} >= 1 "
    f"FROM (SELECT extract(epoch FROM clock_timestamp())::float8 AS now) AS c "
    f"WHERE b.name = :name "
    f"RETURNING b.granted, b.tokens"
)


class PgSendBucket:
    """``rate`` tokens per second, at most ``burst`` banked, shared through the database."""

    def __init__(self, engine: AsyncEngine, name: str, rate: float, burst: int) -> None:
        # Each statement its own transaction: the row lock lives only while the UPDATE runs
        # in the server, never across a round trip, so a client that hangs or dies holds nothing.
        self._engine = engine.execution_options(isolation_level="AUTOCOMMIT")
        self._params = {"name": name, "rate": float(rate), "burst": float(burst)}
        self._rate = float(rate)
        self._created = False

    async def take(self) -> float:
        """0.0 when a token was taken, else the seconds until the next one (none taken)."""
        async with self._engine.connect() as conn:
            if not self._created:
                await conn.execute(_CREATE, self._params)
            row = (await conn.execute(_TAKE, self._params)).one()
        self._created = True
        granted, tokens = bool(row[0]), float(row[1])
        return 0.0 if granted else max(0.001, (1.0 - tokens) / self._rate)
