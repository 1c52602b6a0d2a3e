"""The one central error handler: refusals become a short Danish answer; faults are logged."""

from __future__ import annotations

import logging

from aiogram import Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import ExceptionTypeFilter
from aiogram.types import ErrorEvent

from agendas.errors import DomainError
from handlers.texts import plain, t

log = logging.getLogger(__name__)


async def _reply(event: ErrorEvent, key: str, params: dict[str, object]) -> None:
    """A message answer is HTML; a button's alert is plain text of at most 200 characters."""
    update = event.update
    if update.callback_query is not None:
        await update.callback_query.answer(plain(key, **params)[:200], show_alert=True)
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
