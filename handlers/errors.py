"""The one central error handler: refusals become a short Danish answer; faults are logged."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any

from aiogram import BaseMiddleware, Bot, Router
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.exceptions import TelegramAPIError, TelegramNetworkError, TelegramServerError
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


#: Pauses before the second, third and fourth try of a reply that met a 5xx or a network error.
REPLY_RETRY_DELAYS = (0.2, 0.5, 1.0)


class RetryReplies(BaseRequestMiddleware):
    """A handler's own reply that meets a Telegram 5xx or a network error is tried again a few
    times, as the outbox does, instead of being lost. Only while an update is handled (the
    outbox worker keeps its own accounting), and never on a 4xx or a 429 (the pacer's)."""

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Any:
        if _answered.get() is None:
            return await make_request(bot, method)
        for delay in REPLY_RETRY_DELAYS:
            try:
                return await make_request(bot, method)
            except (TelegramServerError, TelegramNetworkError) as exc:
                log.warning("Reply %s failed (%s); trying again", type(method).__name__, exc)
                await asyncio.sleep(delay)
        return await make_request(bot, method)


class TrackAnswers(BaseMiddleware):
    """Outer update middleware: a fresh record per update, and the tracker on the bot's session
    (installed once, whichever bot the update came through, with the session middlewares
    ``also`` makes)."""

    def __init__(self, *also: Callable[[], BaseRequestMiddleware]) -> None:
        self.also = also

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
            bot.session.middleware(RetryReplies())
            for make in self.also:
                bot.session.middleware(make())
        # The error handlers run after this middleware has returned: they get the record from
        # the update's data; the context variable is for the session middlewares meanwhile and
        # is reset, so nothing after the update (an outbox worker in the same task) sees it.
        answered: set[str] = set()
        data["answered_queries"] = answered
        token = _answered.set(answered)
        try:
            return await handler(event, data)
        finally:
            _answered.reset(token)


async def _reply(
    event: ErrorEvent, key: str, params: dict[str, object], answered: set[str] | None
) -> None:
    """A message answer is HTML; a button's alert is plain text of at most 200 characters."""
    update = event.update
    query = update.callback_query
    if query is not None and query.id in (answered or set()):
        if query.message is not None and query.bot is not None:
            await query.bot.send_message(query.message.chat.id, t(key, **params))
    elif query is not None:
        await query.answer(plain(key, **params)[:200], show_alert=True)
    elif update.message is not None:
        await update.message.answer(t(key, **params))


async def on_domain_error(event: ErrorEvent, answered_queries: set[str] | None = None) -> None:
    """A refusal the user can act on: say what to do; nothing was stored (the UoW rolled back)."""
    assert isinstance(event.exception, DomainError)
    await _reply(event, event.exception.key, event.exception.params, answered_queries)


async def on_unexpected(
    event: ErrorEvent,
    uow: object = None,
    commits_before_handler: int = 0,
    answered_queries: set[str] | None = None,
) -> None:
    # Honest about what happened: a fault after the change was committed (a reply that failed)
    # must not say that nothing was stored.
    saved = getattr(uow, "commits", 0) > commits_before_handler
    log.error(
        "Unhandled error in update %s: %r",
        event.update.update_id,
        event.exception,
        exc_info=event.exception,
    )
    try:
        key = "err-unexpected-after-save" if saved else "err-unexpected"
        await _reply(event, key, {}, answered_queries)
    except TelegramAPIError as exc:
        log.warning("Could not tell the user about the error: %s", exc)


def setup() -> Router:
    router = Router(name="errors")
    router.errors.register(on_domain_error, ExceptionTypeFilter(DomainError))
    router.errors.register(on_unexpected)
    return router
