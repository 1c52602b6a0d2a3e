"""/sprog: switch between Danish (default) and English."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.keyboard import InlineKeyboardBuilder

from agendas.model import Person
from agendas.ports import UnitOfWork
from agendas.services import committees
from handlers.callbacks import LanguageCb
from handlers.texts import t

LANGUAGES = {"da": "🇩🇰 Dansk", "en": "🇬🇧 English"}


def language_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for code, label in LANGUAGES.items():
        builder.button(text=label, callback_data=LanguageCb(code=code))
    return builder.as_markup()


async def ask_language(message: Message) -> None:
    await message.answer(t("lang-choose"), reply_markup=language_keyboard())


async def choose_language(
    query: CallbackQuery, callback_data: LanguageCb, person: Person, uow: UnitOfWork, i18n: I18n
) -> None:
    if callback_data.code not in LANGUAGES:
        await query.answer(t("err-stale-button"), show_alert=True)
        return
    await committees.set_language(uow, person.id or 0, callback_data.code)
    with i18n.use_locale(callback_data.code):
        text = t("lang-set")
    await query.answer()
    if query.message is not None and hasattr(query.message, "edit_text"):
        await query.message.edit_text(text)


def setup() -> Router:
    router = Router(name="language")
    router.message.register(ask_language, Command("sprog", "language"))
    router.callback_query.register(choose_language, LanguageCb.filter())
    router.callback_query.filter(F.message)
    return router
