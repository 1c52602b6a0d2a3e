"""What every repository shares: the unit of work's session, the clock, affected-row counts."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession


class SqlRepository:
    """A repository on the unit of work's session; it flushes (for generated ids), never commits."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session


def utcnow() -> datetime:
    return datetime.now(UTC)


def rowcount(result: object) -> int:
    """The rows an UPDATE or DELETE changed."""
    return cast(CursorResult[Any], result).rowcount
