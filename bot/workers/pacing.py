"""Per-chat spacing: when the bot last sent a message to each chat, whoever sent it."""

from __future__ import annotations

import asyncio

from aiogram import Bot
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType


class ChatPacer(BaseRequestMiddleware):
    """When the bot last sent a message to each chat, whoever sent it.

    Telegram allows about one message a second in a private chat. The worker spaces its own
    sends, but a handler's reply (the confirmation of /udsend) goes straight out; registered on
    the bot's session, this middleware sees both, so the worker's next message to that chat
    waits its turn instead of drawing a 429.
    """

    #: Entries older than this are of no use to the spacing; pruned when the map grows.
    KEEP = 60.0
    PRUNE_AT = 10_000

    def __init__(self) -> None:
        self._last: dict[int, float] = {}

    def record(self, chat_id: int) -> None:
        now = asyncio.get_running_loop().time()
        self._last[chat_id] = now
        if len(self._last) > self.PRUNE_AT:
            self._last = {c: t for c, t in self._last.items() if t > now - self.KEEP}

    def ready_at(self, chat_id: int, interval: float) -> float:
        """Loop time from which another message to ``chat_id`` keeps the spacing."""
        last = self._last.get(chat_id)
        return 0.0 if last is None else last + interval

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        response = await make_request(bot, method)
        chat_id = getattr(method, "chat_id", None)
        if isinstance(chat_id, int) and method.__api_method__.startswith(("send", "copy", "forw")):
            self.record(chat_id)
        return response
