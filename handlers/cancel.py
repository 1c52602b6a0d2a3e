"""/annuller (alias /cancel): leaves any dialog, in any state; registered before the features."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import Message

from handlers.texts import t

#: Dialog data naming what was stored before the dialog's questions: ``{"group": the dialog's
#: StatesGroup name, "key": catalogue key, "params": {...}}``, for the few dialogs that store
#: their first step at once (/nyindsats).
CANCEL_NOTE = "cancel_note"


async def cancel(message: Message, state: FSMContext) -> None:
    """Nothing half-typed is stored: dialogs write when they are finished, and the one that
    stores its first step says so (``CANCEL_NOTE``)."""
    current = await state.get_state()
    if current is None:
        await message.answer(t("cancel-nothing"))
        return
    note = (await state.get_data()).get(CANCEL_NOTE)
    await state.clear()
    # The note belongs to one dialog (its StatesGroup); another dialog begun since has its own.
    if isinstance(note, dict) and note.get("key") and current.split(":")[0] == note.get("group"):
        await message.answer(t(str(note["key"]), **dict(note.get("params") or {})))
        return
    await message.answer(t("cancel-done"))


def setup() -> Router:
    router = Router(name="cancel")
    router.message.filter(F.chat.type == "private")
    router.message.register(cancel, Command("annuller", "cancel"))
    return router
