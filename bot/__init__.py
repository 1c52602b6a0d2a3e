"""Composition root: settings, wiring of engine, dispatcher and routers, middlewares, CLI.

aiogram is imported here, before anything else of the bot can import it, with its Telegram types
left to be built on first use (``bot.telegram_types``: about 100 MiB and 2 s less at start).
"""

from bot.telegram_types import import_aiogram

import_aiogram()
