"""The method table: each Bot API method registers its handler here with ``@method(name)``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot_api_emulator.params import Params

if TYPE_CHECKING:
    from bot_api_emulator.core import Emulator

Handler = Callable[["Emulator", Params], Awaitable[Any]]
METHODS: dict[str, Handler] = {}


@dataclass(frozen=True)
class Described:
    """A result Telegram answers with an extra ``description`` (setWebhook, deleteWebhook)."""

    result: Any
    description: str


def method(name: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        METHODS[name.lower()] = handler
        return handler

    return register
