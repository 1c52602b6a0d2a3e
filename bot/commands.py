"""The command menu Telegram shows, set per language (Danish is also the default)."""

from __future__ import annotations

from aiogram import Bot
from aiogram.types import BotCommand
from aiogram.utils.i18n import I18n

#: Commands in menu order; descriptions are catalogue keys ``cmd-<name>``.
MENU = (
    "dagsorden",
    "moeder",
    "moede",
    "afbud",
    "protokol",
    "soeg",
    "udsend",
    "tilknyt",
    "frist",
    "status",
    "ferie",
    "statusoverblik",
    "planer",
    "nyplan",
    "nyindsats",
    "nysag",
    "nytmoede",
    "inviter",
    "medlemmer",
    "nytudvalg",
    "annuller",
    "sprog",
    "hjaelp",
)


def menu(i18n: I18n, locale: str) -> list[BotCommand]:
    return [
        BotCommand(command=name, description=i18n.gettext(f"cmd-{name}", locale=locale))
        for name in MENU
    ]


async def set_menus(bot: Bot, i18n: I18n) -> None:
    await bot.set_my_commands(menu(i18n, i18n.default_locale))
    for locale in i18n.available_locales:
        await bot.set_my_commands(menu(i18n, locale), language_code=locale)
