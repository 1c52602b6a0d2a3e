"""The Bot API methods: ``/bot<token>/<method>``, answered as Telegram documents them.

Each handler takes the emulator and the request's parameters and returns the ``result`` (or a
:class:`Described` result), or raises :class:`ApiError`. Method names are case-insensitive.
Importing this package registers every method in :data:`METHODS`: the bot and its updates
(``updates``), messages, buttons and files (``messages``), commands and the menu button
(``commands``); ``shared`` holds the checks they have in common.
"""

from bot_api_emulator.bot_api import commands, messages, updates
from bot_api_emulator.bot_api.registry import METHODS, Described, Handler, method

__all__ = ["METHODS", "Described", "Handler", "commands", "messages", "method", "updates"]
