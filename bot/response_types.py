"""Keep the response classes aiogram reads every Telegram answer with.

For each request aiogram's session reads the answer as ``Response[<the method's result type>]``,
a pydantic generic class. Pydantic caches such classes only weakly, so a garbage collection drops
them and the next answer builds the class again, several milliseconds each time (in the dispatch
benchmark about one update in ten). ``PinResponseTypes``, a session middleware, holds the class
of each kind of request the bot makes from its first answer on, for the life of the session.

Only the kinds the bot uses are held: building all of the Bot API's result types up front took
about 1.5 MiB for classes (chat members, stickers, games, gifts, …) that no update ever reads.
"""

from __future__ import annotations

from typing import Any

from aiogram import Bot
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.methods import TelegramMethod
from aiogram.methods.base import Response, TelegramType


class PinResponseTypes(BaseRequestMiddleware):
    """Holds ``Response[...]`` of every kind of request once it has been answered."""

    def __init__(self) -> None:
        self.pinned: dict[type[TelegramMethod[Any]], Any] = {}

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Any:
        result = await make_request(bot, method)
        kind = type(method)
        if kind not in self.pinned:
            # The class the session has just read the answer with (pydantic's cache still
            # holds it; were it collected already, this builds it once more).
            self.pinned[kind] = Response[method.__returning__]  # type: ignore[name-defined]
        return result
