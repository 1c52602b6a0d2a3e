"""Keep the response classes aiogram reads every Telegram answer with.

For each request aiogram's session reads the answer as ``Response[<the method's result type>]``,
a pydantic generic class. Pydantic caches such classes only weakly, so a garbage collection drops
them and the next answer builds the class again, several milliseconds each time (in the dispatch
benchmark about one update in ten). ``pin_response_types`` builds them once (about 70 ms for all
of Telegram's result types) and holds them for the life of the process.
"""

from __future__ import annotations

import functools
from typing import Any

import aiogram.methods
from aiogram.methods.base import Response, TelegramMethod


@functools.cache
def pin_response_types() -> tuple[Any, ...]:
    """Every ``Response[...]`` the Bot API's methods are read with, built once per process."""
    returning: dict[str, Any] = {}
    for name in dir(aiogram.methods):
        method = getattr(aiogram.methods, name)
        if isinstance(method, type) and issubclass(method, TelegramMethod):
            result = getattr(method, "__returning__", None)
            if result is not None and not isinstance(result, property):
                returning.setdefault(repr(result), result)
    return tuple(Response[result] for result in returning.values())  # type: ignore[valid-type]
