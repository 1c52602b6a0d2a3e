"""/annuller (alias /cancel): leaves any dialog, in any state; registered before the features."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import Message

from handlers.texts import t


async def cancel(message: Message, state: FSMContext) -> None:
    """Nothing half-typed is stored: dialogs only write when they are finished."""
    if await state.get_state() is None:
        await message.answer(t("cancel-nothing"))
        return
    await state.clear()
    await message.answer(t("cancel-done"))


def setup() -> Router:
    router = Router(name="cancel")
    router.message.filter(F.chat.type == "private")
    router.message.register(cancel, Command("annuller", "cancel"))
    return router
