"""The floor of ``bench_updates.py``: the bare bot plus the storage stack the product is built on,
and nothing of Udvalgsbot.

Run by the benchmark as ``python benchmarks/floor_bot.py <replies.json>`` with the same
``BOT_TOKEN``, ``TELEGRAM_API_BASE`` and ``DATABASE_URL`` as the real bot. It is
``benchmarks/bare_bot.py`` (the same handlers, the same replies) with what any bot on SQLModel
and SQLAlchemy's asyncio layer carries: the ORM, one SQLModel table mapped onto the seeded
database's ``person`` table, an async engine with the driver Udvalgsbot uses (aiosqlite, or
psycopg 3 on PostgreSQL), and for every update one ``SELECT`` of the sender in an
``AsyncSession`` (the lookup any bot with a table of its users makes before answering).

It imports aiogram the way Udvalgsbot does, its Telegram types built on first use
(``bot/telegram_types.py``), and nothing else of the project: what it costs over the bare bot is
the stack (the README's "SQLModel + Alembic on SQLite by default and PostgreSQL in production")
less what that import saves, and what Udvalgsbot costs over it is Udvalgsbot's own: its 33
tables, its services, its routers.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import bot  # noqa: F401, I001 (first: aiogram imported as Udvalgsbot imports it)
from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, User
from sqlalchemy import BigInteger, String
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlmodel import Field, SQLModel, select

from bare_bot import build_dispatcher, load_replies, start_polling

DRIVERS = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+psycopg"}


class Person(SQLModel, table=True):
    """The columns of Udvalgsbot's ``person`` table a lookup needs."""

    __tablename__ = "person"

    id: int | None = Field(default=None, primary_key=True)
    telegram_id: int | None = Field(default=None, sa_type=BigInteger, unique=True)
    name: str = Field(sa_type=String(200))
    language: str | None = Field(default=None, sa_type=String(8))


class KnownSender(BaseMiddleware):
    """Looks the sender up before the handler runs, in a session of its own."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        user: User | None = data.get("event_from_user")
        if user is not None:
            async with self.sessions() as session:
                found = await session.execute(select(Person).where(Person.telegram_id == user.id))
                data["person"] = found.scalar_one_or_none()
        return await handler(event, data)


async def main(replies_path: Path) -> None:
    logging.basicConfig(level=logging.INFO, stream=sys.stderr)
    scheme, rest = os.environ["DATABASE_URL"].split("://", 1)
    url = f"{DRIVERS[scheme.split('+')[0]]}://{rest}"
    engine = create_async_engine(url)
    dp = build_dispatcher(load_replies(replies_path))
    dp.update.outer_middleware(KnownSender(async_sessionmaker(engine, expire_on_commit=False)))
    # As Udvalgsbot's start does (bot/runner.py): without it a full collection of the start's
    # 300,000 long-lived objects lands in a measured window now and then (0.1-0.2 s).
    gc.collect()
    gc.freeze()
    try:
        await start_polling(dp)
    finally:
        await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1])))
