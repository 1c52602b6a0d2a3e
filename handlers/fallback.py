"""Last router: what no feature took gets a short answer that says what to do."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from handlers.texts import t


async def unknown_command(message: Message) -> None:
    await message.answer(t("fallback-unknown-command"))


async def free_text(message: Message, state: FSMContext) -> None:
    if await state.get_state() is not None:
        await message.answer(t("fallback-in-dialog"))
    else:
        await message.answer(t("fallback-free-text"))


async def unexpected_content(message: Message) -> None:
    await message.answer(t("fallback-content"))


async def stale_button(query: CallbackQuery) -> None:
    await query.answer(t("err-stale-button"), show_alert=True)


def setup() -> Router:
    router = Router(name="fallback")
    router.message.register(unknown_command, F.chat.type == "private", F.text.startswith("/"))
    router.message.register(free_text, F.chat.type == "private", F.text)
    router.message.register(unexpected_content, F.chat.type == "private")
    router.callback_query.register(stale_button)
    return router
