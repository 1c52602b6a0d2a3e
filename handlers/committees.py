"""/nytudvalg KODE Navn [; Forvaltning]: an admin creates a committee (udvalg). /moedelaengde
KODE [minutter]: its secretary sees or sets how long its meetings usually last (the length of
the calendar invitation).

Without the ``;`` part the forvaltning is asked for in a short dialog; its state lives in the
FSM storage (the database), so a restart between the two messages loses nothing.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from agendas.errors import DomainError
from agendas.model import Actor, Role, Udvalg
from agendas.ports import UnitOfWork
from agendas.services import committees
from handlers.callbacks import InviteCb
from handlers.context import ChatConfig
from handlers.texts import error_text, t

#: Errors in the forvaltning step that the user fixes by answering again.
_RETRY_KEYS = frozenset({"err-forvaltning"})


class NytUdvalg(StatesGroup):
    forvaltning = State()


def created_keyboard(udvalg: Udvalg) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=t("udvalg-invite-secretary-button"),
        callback_data=InviteCb(code=udvalg.code, role=Role.SEKRETAER.value),
    )
    return builder.as_markup()


async def _answer_created(message: Message, udvalg: Udvalg) -> None:
    await message.answer(
        t("udvalg-created", name=udvalg.name, code=udvalg.code, forvaltning=udvalg.forvaltning),
        reply_markup=created_keyboard(udvalg),
    )


async def new_udvalg(
    message: Message,
    command: CommandObject,
    actor: Actor,
    uow: UnitOfWork,
    config: ChatConfig,
    state: FSMContext,
) -> None:
    committees.require_admin(actor)
    words = (command.args or "").split(maxsplit=1)
    if len(words) < 2:
        await message.answer(t("udvalg-usage"))
        return
    name_part, _, forvaltning = words[1].partition(";")
    if forvaltning.strip():
        udvalg = await committees.create_udvalg(
            uow, actor, words[0], name_part, forvaltning, config.now()
        )
        await state.clear()
        await _answer_created(message, udvalg)
        return
    # Refuse a bad or taken code now rather than after the user has typed the forvaltning.
    code, name = await committees.check_new_udvalg(uow, actor, words[0], name_part)
    await state.set_state(NytUdvalg.forvaltning)
    await state.set_data({"code": code, "name": name})
    await message.answer(t("udvalg-ask-forvaltning", name=name, code=code))


async def got_forvaltning(
    message: Message, actor: Actor, uow: UnitOfWork, config: ChatConfig, state: FSMContext
) -> None:
    data = await state.get_data()
    try:
        udvalg = await committees.create_udvalg(
            uow, actor, str(data["code"]), str(data["name"]), message.text or "", config.now()
        )
    except DomainError as exc:
        if exc.key in _RETRY_KEYS:
            await message.answer(error_text(exc) + "\n\n" + t("udvalg-ask-forvaltning-again"))
            return
        await state.clear()
        raise
    await state.clear()
    await _answer_created(message, udvalg)


async def meeting_length(
    message: Message, command: CommandObject, actor: Actor, uow: UnitOfWork, config: ChatConfig
) -> None:
    words = (command.args or "").split(maxsplit=1)
    if not words:
        await message.answer(t("udvalg-length-usage"))
        return
    if len(words) == 1:
        udvalg = await committees.udvalg_for_editor(uow, actor, words[0])
        key = "udvalg-length-show"
    else:
        udvalg = await committees.set_meeting_length(uow, actor, words[0], words[1], config.now())
        key = "udvalg-length-set"
    await message.answer(t(key, code=udvalg.code, minutes=udvalg.meeting_minutes))


def setup() -> Router:
    router = Router(name="committees")
    router.message.filter(F.chat.type == "private")
    router.message.register(new_udvalg, Command("nytudvalg"))
    router.message.register(meeting_length, Command("moedelaengde"))
    router.message.register(got_forvaltning, NytUdvalg.forvaltning, F.text, ~F.text.startswith("/"))
    return router
