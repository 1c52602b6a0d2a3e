"""CPU per chat update in-process: the real dispatcher against a bare aiogram bot.

Run: .venv/bin/python benchmarks/bench_dispatch.py [--updates 2000] [--sager 15] [--members 200]
     [--sqlite | --postgres]   (default: both, PostgreSQL when 127.0.0.1:5432 answers)
     [--profile FILE]          (cProfile, CPU clock, of the first /dagsorden round of the first
                                database)

Seeds a migrated database (file SQLite, or a fresh PostgreSQL database) with BEU, ``--members``
medlemmer and a coming meeting of ``--sager`` sager, each with a bilag
(``tests/support/hotpath_world.py``), then feeds ``--updates`` updates of each kind through the
real dispatcher (``bot.app.build_dispatcher``: every middleware, router, the SQL dialog storage)
and measures process CPU time per update:

- ``/dagsorden`` by a member (the agenda overview with its 15-button keyboard),
- ``/start`` by a member (the greeting and help text),
- opening a punkt with the agenda's button.

The CPU time is the process's (``time.process_time``: the event loop and the SQLite driver's
thread alike); the two bots take turns in rounds and the median round counts.

Baseline "bare": an aiogram ``Dispatcher`` (its default memory storage) with one handler per
kind that answers with exactly the text and keyboard ours sent (the keyboard built per update
from its labels and callback strings, as any bot builds its reply); that is the least any
aiogram bot pays to receive the same update and send the same reply. Both bots send through
the same fake session, which serialises each request as aiohttp would and answers like Telegram
without a network. Prints CPU ms per update for both and ``ratio ours/bare``; the target (issue
17) is at most 2.00. No assertions.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import itertools
import json
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncGenerator, Callable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg
from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.base import BaseSession
from aiogram.enums import ParseMode
from aiogram.filters import Command, CommandStart
from aiogram.methods import AnswerCallbackQuery, SendMessage, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import (
    CallbackQuery,
    Chat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    MessageEntity,
    Update,
    User,
)

from bot.app import build_dispatcher
from bot.i18n import make_i18n
from handlers.callbacks import PunktCb
from handlers.context import ChatConfig
from storage import migrate
from storage.engine import make_engine, make_session_factory
from storage.fsm import SqlStorage
from storage.uow import SqlUnitOfWork
from tests.support.hotpath_world import ADMIN_TG, MEMBER_TG, seed

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
#: Ours and bare take turns, so a busy neighbour on the machine slows both alike.
ROUNDS = 5
BOT_USER = User(id=4242, is_bot=True, first_name="Udvalgsbot", username="udvalgsbot_bench_bot")
TOKEN = "4242:AAHfake-token-for-benchmarks-0123456789"
MEMBER = User(id=MEMBER_TG, is_bot=False, first_name="Medlem", last_name="000", username="m0")


class FakeTelegram(BaseSession):
    """Serialises each request as the aiohttp session does and answers like Telegram."""

    def __init__(self) -> None:
        super().__init__()
        self.ids = itertools.count(1000)
        self.last: dict[str, Any] = {}

    async def close(self) -> None:
        return None

    async def stream_content(  # pragma: no cover - no downloads here
        self,
        url: str,
        headers: Mapping[str, Any] | None = None,
        timeout: int = 30,  # noqa: ASYNC109 (BaseSession's signature)
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        yield b""

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109 (BaseSession's signature)
    ) -> TelegramType:
        payload = {
            key: self.prepare_value(value, bot=bot, files={})
            for key, value in method.model_dump(warnings=False).items()
        }
        json.dumps({k: v for k, v in payload.items() if v is not None})  # the request body
        if isinstance(method, SendMessage):
            self.last = {"text": method.text, "reply_markup": method.reply_markup}
            answer = {
                "message_id": next(self.ids),
                "date": int(NOW.timestamp()),
                "chat": {"id": int(method.chat_id), "type": "private"},
                "from": BOT_USER.model_dump(exclude_none=True),
                "text": method.text,
            }
            if isinstance(method.reply_markup, InlineKeyboardMarkup):
                answer["reply_markup"] = json.loads(payload["reply_markup"])
            result: Any = answer
        elif isinstance(method, AnswerCallbackQuery):
            result = True
        else:
            result = True
        raw = json.dumps({"ok": True, "result": result})
        response = self.check_response(bot, method, 200, raw)
        return response.result  # type: ignore[return-value]


def make_bot(session: FakeTelegram) -> Bot:
    return Bot(
        token=TOKEN, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML)
    )


def command(update_id: int, text: str) -> Update:
    return Update(
        update_id=update_id,
        message=Message(
            message_id=update_id,
            date=NOW,
            chat=Chat(id=MEMBER.id, type="private", first_name=MEMBER.first_name),
            from_user=MEMBER,
            text=text,
            entities=[MessageEntity(type="bot_command", offset=0, length=len(text.split()[0]))],
        ),
    )


def press(update_id: int, data: str) -> Update:
    return Update(
        update_id=update_id,
        callback_query=CallbackQuery(
            id=str(update_id),
            from_user=MEMBER,
            chat_instance="bench",
            message=Message(
                message_id=7,
                date=NOW,
                chat=Chat(id=MEMBER.id, type="private"),
                from_user=BOT_USER,
                text="Dagsorden",
            ),
            data=data,
        ),
    )


def keyboard(rows: list[list[tuple[str, str]]] | None) -> InlineKeyboardMarkup | None:
    """The keyboard a bot builds for its reply (a bot builds it per update from its data)."""
    if rows is None:
        return None
    buttons = [[InlineKeyboardButton(text=t, callback_data=d) for t, d in r] for r in rows]
    return InlineKeyboardMarkup(inline_keyboard=buttons)


def bare_dispatcher(replies: dict[str, list[dict[str, Any]]]) -> Dispatcher:
    """One handler per kind, answering with the text(s) and keyboard ours sent; the keyboard is
    built per update from its labels and callback data, as any bot builds its own."""
    dp = Dispatcher()

    async def dagsorden(message: Message) -> None:
        for reply in replies["dagsorden"]:
            await message.answer(reply["text"], reply_markup=keyboard(reply["rows"]))

    async def start(message: Message) -> None:
        for reply in replies["start"]:
            await message.answer(reply["text"], reply_markup=keyboard(reply["rows"]))

    async def open_punkt(query: CallbackQuery) -> None:
        await query.answer()
        assert isinstance(query.message, Message)
        for reply in replies["open"]:
            await query.message.answer(reply["text"], reply_markup=keyboard(reply["rows"]))

    dp.message.register(dagsorden, Command("dagsorden"))
    dp.message.register(start, CommandStart())
    dp.callback_query.register(open_punkt)
    return dp


async def cpu_per_update(
    dp: Dispatcher, bot: Bot, make: Callable[[int], Update], n: int, profile: str | None = None
) -> float:
    """CPU milliseconds per update over ``n`` updates (after a warm-up of 20)."""
    ids = itertools.count(1_000_000)
    for _ in range(20):
        await dp.feed_update(bot, make(next(ids)))
    profiler = cProfile.Profile(time.process_time) if profile else None
    start = time.process_time()
    if profiler:
        profiler.enable()
    for _ in range(n):
        await dp.feed_update(bot, make(next(ids)))
    if profiler:
        profiler.disable()
        profiler.dump_stats(profile)
    return (time.process_time() - start) * 1000 / n


async def capture(dp: Dispatcher, bot: Bot, session: FakeTelegram, update: Update) -> list[dict]:
    """What ours sends for an update: the texts and keyboards, for the bare bot to repeat."""
    sent: list[dict[str, Any]] = []
    original = session.make_request

    async def recording(
        bot: Bot,
        method: TelegramMethod[Any],
        timeout: int | None = None,  # noqa: ASYNC109 (BaseSession's signature)
    ) -> Any:
        if isinstance(method, SendMessage):
            markup = method.reply_markup
            rows = (
                [[(b.text, b.callback_data or "") for b in row] for row in markup.inline_keyboard]
                if isinstance(markup, InlineKeyboardMarkup)
                else None
            )
            sent.append({"text": method.text, "rows": rows})
        return await original(bot, method, timeout)

    session.make_request = recording  # type: ignore[method-assign]
    try:
        await dp.feed_update(bot, update)
    finally:
        session.make_request = original  # type: ignore[method-assign]
    return sent


async def measure(url: str, label: str, args: argparse.Namespace) -> None:
    migrate.upgrade(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    seeded = await seed(SqlUnitOfWork(factory), NOW, sager=args.sager, members=args.members)
    ours_session = FakeTelegram()
    ours_bot = make_bot(ours_session)
    ours = build_dispatcher(
        storage=SqlStorage(factory),
        uow_factory=lambda: SqlUnitOfWork(factory),
        i18n=make_i18n("da"),
        config=ChatConfig(clock=lambda: NOW, invite_ttl=timedelta(days=7)),
        admin_ids=frozenset({ADMIN_TG}),
    )
    open_data = PunktCb(action="open", punkt_id=seeded.sag_ids[0], version=1).pack()
    kinds: dict[str, Callable[[int], Update]] = {
        "dagsorden": lambda i: command(i, "/dagsorden"),
        "start": lambda i: command(i, "/start"),
        "open": lambda i: press(i, open_data),
    }
    replies = {k: await capture(ours, ours_bot, ours_session, make(1)) for k, make in kinds.items()}
    bare_session = FakeTelegram()
    bare_bot = make_bot(bare_session)
    bare = bare_dispatcher(replies)
    print(
        f"{label}: {args.sager} sager, {args.members} members, {args.updates} updates each, "
        f"median of {ROUNDS} interleaved rounds"
    )
    for kind, make in kinds.items():
        profile = args.profile if kind == "dagsorden" else None
        args.profile = None if profile else args.profile
        per_round = max(args.updates // ROUNDS, 1)
        ours_ms, bare_ms = [], []
        for n in range(ROUNDS):
            ours_ms.append(
                await cpu_per_update(ours, ours_bot, make, per_round, profile if n == 0 else None)
            )
            bare_ms.append(await cpu_per_update(bare, bare_bot, make, per_round))
        ms_ours, ms_bare = statistics.median(ours_ms), statistics.median(bare_ms)
        print(
            f"  {kind:<10} ours {ms_ours:6.2f} ms CPU/update   bare {ms_bare:6.2f} ms   "
            f"ratio ours/bare: {ms_ours / ms_bare:.2f}"
        )
    await engine.dispose()


def postgres_up() -> bool:
    try:
        psycopg.connect(PG_ADMIN, connect_timeout=3).close()
    except psycopg.OperationalError:
        return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=2000)
    parser.add_argument("--sager", type=int, default=15)
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--sqlite", action="store_true")
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--profile", default=None)
    args = parser.parse_args()
    both = not (args.sqlite or args.postgres)
    if args.sqlite or both:
        with tempfile.TemporaryDirectory() as folder:
            asyncio.run(measure(f"sqlite:///{folder}/bench.sqlite3", "SQLite (file)", args))
    if args.postgres or both:
        if not postgres_up():
            print(f"PostgreSQL: {PG_ADMIN} not reachable, skipped")
            return
        name = f"udvalgsbot_bench_{secrets.token_hex(4)}"
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f"CREATE DATABASE {name}")
        try:
            url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
            asyncio.run(measure(url, "PostgreSQL", args))
        finally:
            with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
                admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


if __name__ == "__main__":
    main()
