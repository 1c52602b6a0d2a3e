"""The baseline of ``bench_updates.py``: a bare aiogram 3 bot that sends Udvalgsbot's own replies.

Run by the benchmark as ``python benchmarks/bare_bot.py <replies.json>`` with the same
``BOT_TOKEN`` and ``TELEGRAM_API_BASE`` as the real bot. It is what a competent aiogram user writes
for a bot with three fixed answers: a ``Dispatcher`` with one handler each for ``/start``,
``/dagsorden`` and any button press, long polling, logging at INFO (as Udvalgsbot's default, so
aiogram's line per update is written by both), HTML parse mode and no link previews (Udvalgsbot's
defaults). Each handler sends exactly the messages Udvalgsbot sent for the same update (captured
from the emulator: the HTML text and the inline keyboard), so both bots put the same bytes on the
wire; a button press is answered first and then the messages are sent, as Udvalgsbot does. No
database, no dialog state, no middlewares. It imports aiogram as aiogram ships, every Telegram type
built at import; with ``BARE_TYPES_ON_FIRST_USE=1`` in the environment it imports it the way
Udvalgsbot does instead (``bot/telegram_types.py``), to see what that saves a bare bot.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
from pathlib import Path
from typing import Any

if os.environ.get("BARE_TYPES_ON_FIRST_USE") == "1":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import bot  # noqa: F401 (first: aiogram's types on first use)

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.filters import Command, CommandStart
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

Reply = list[tuple[str, InlineKeyboardMarkup | None]]


def load_replies(path: Path) -> dict[str, Reply]:
    """``{"start": [{"text": html, "reply_markup": {...} | null}, ...], "dagsorden": ..., ...}``"""
    raw: dict[str, list[dict[str, Any]]] = json.loads(path.read_text(encoding="utf-8"))
    return {
        kind: [
            (
                m["text"],
                InlineKeyboardMarkup.model_validate(m["reply_markup"])
                if m.get("reply_markup")
                else None,
            )
            for m in messages
        ]
        for kind, messages in raw.items()
    }


def build_dispatcher(replies: dict[str, Reply]) -> Dispatcher:
    dp = Dispatcher()

    async def send(message: Message, reply: Reply) -> None:
        for text, markup in reply:
            await message.answer(text, reply_markup=markup)

    @dp.message(CommandStart())
    async def start(message: Message) -> None:
        await send(message, replies["start"])

    @dp.message(Command("dagsorden"))
    async def dagsorden(message: Message) -> None:
        await send(message, replies["dagsorden"])

    @dp.callback_query()
    async def press(query: CallbackQuery) -> None:
        await query.answer()
        if isinstance(query.message, Message):
            await send(query.message, replies["button"])

    return dp


async def start_polling(dp: Dispatcher) -> None:
    """The bot from the environment, then long polling (also ``floor_bot.py``'s start)."""
    session = AiohttpSession(api=TelegramAPIServer.from_base(os.environ["TELEGRAM_API_BASE"]))
    bot = Bot(
        token=os.environ["BOT_TOKEN"],
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview_is_disabled=True),
    )
    me = await bot.me()
    logging.getLogger(__name__).info("Bot @%s (id %s) ready", me.username, me.id)
    await bot.delete_webhook(drop_pending_updates=False)
    await dp.start_polling(bot, allowed_updates=dp.resolve_used_update_types())


async def main(replies_path: Path) -> None:
    logging.basicConfig(level=logging.INFO, stream=sys.stderr)
    await start_polling(build_dispatcher(load_replies(replies_path)))


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1])))
