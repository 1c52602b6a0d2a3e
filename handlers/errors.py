"""The one central error handler: refusals become a short Danish answer; faults are logged."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any

from aiogram import BaseMiddleware, Bot, Router
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import ExceptionTypeFilter
from aiogram.methods import AnswerCallbackQuery, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import ErrorEvent, TelegramObject

from agendas.errors import DomainError
from handlers.texts import plain, t

log = logging.getLogger(__name__)


#: The button presses of the current update that the bot has answered already. A button can be
#: answered once: a refusal raised after a handler's ``query.answer()`` goes to the chat instead,
#: or the person would see nothing (and Telegram would say "query is too old").
_answered: ContextVar[set[str] | None] = ContextVar("answered_queries", default=None)


class AnswerTracker(BaseRequestMiddleware):
    """Notes each answerCallbackQuery the bot sends (a session middleware)."""

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Any:
        result = await make_request(bot, method)
        seen = _answered.get()
        if isinstance(method, AnswerCallbackQuery) and seen is not None:
            seen.add(method.callback_query_id)
        return result


class TrackAnswers(BaseMiddleware):
    """Outer update middleware: a fresh record per update, and the tracker on the bot's session
    (installed once, whichever bot the update came through)."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        bot = data.get("bot")
        if bot is not None and not any(
            isinstance(m, AnswerTracker) for m in bot.session.middleware
        ):
            bot.session.middleware(AnswerTracker())
        _answered.set(set())
        return await handler(event, data)


async def _reply(event: ErrorEvent, key: str, params: dict[str, object]) -> None:
    """A message answer is HTML; a button's alert is plain text of at most 200 characters."""
    update = event.update
    query = update.callback_query
    if query is not None and query.id in (_answered.get() or set()):
        if query.message is not None and query.bot is not None:
            await query.bot.send_message(query.message.chat.id, t(key, **params))
    elif query is not None:
        await query.answer(plain(key, **params)[:200], show_alert=True)
    elif update.message is not None:
        await update.message.answer(t(key, **params))


async def on_domain_error(event: ErrorEvent) -> None:
    """A refusal the user can act on: say what to do; nothing was stored (the UoW rolled back)."""
    assert isinstance(event.exception, DomainError)
    await _reply(event, event.exception.key, event.exception.params)


async def on_unexpected(event: ErrorEvent) -> None:
    log.error(
        "Unhandled error in update %s: %r",
        event.update.update_id,
        event.exception,
        exc_info=event.exception,
    )
    try:
        await _reply(event, "err-unexpected", {})
    except TelegramAPIError as exc:
        log.warning("Could not tell the user about the error: %s", exc)


def setup() -> Router:
    router = Router(name="errors")
    router.errors.register(on_domain_error, ExceptionTypeFilter(DomainError))
    router.errors.register(on_unexpected)
    return router
