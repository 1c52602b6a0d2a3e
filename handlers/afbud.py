"""/afbud: a member reports afbud for a coming meeting (one tap on the meeting); the secretary
sees it in the attendance of meeting mode."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from agendas.dates import moede_when
from agendas.meeting import attendance
from agendas.model import Actor
from agendas.ports import UnitOfWork
from handlers.callbacks import MmCb
from handlers.chat import chat_message, moede_choice
from handlers.context import ChatConfig
from handlers.texts import t


async def afbud_command(
    message: Message, actor: Actor, uow: UnitOfWork, config: ChatConfig
) -> None:
    listing = await attendance.afbud_moeder(uow, actor, config.now())
    if not listing:
        await message.answer(t("meeting-afbud-none"))
        return
    # Always one tap on the meeting: an afbud typed by mistake from the menu records nothing.
    await message.answer(
        t("meeting-afbud-choose"),
        reply_markup=moede_choice(listing, lambda mid: MmCb(action="afbud", moede_id=mid)),
    )


async def afbud_button(
    query: CallbackQuery, callback_data: MmCb, actor: Actor, uow: UnitOfWork, config: ChatConfig
) -> None:
    message = await chat_message(query)
    moede, udvalg = await attendance.report_afbud(uow, actor, callback_data.moede_id, config.now())
    await message.answer(
        t(
            "meeting-afbud-recorded",
            udvalg=udvalg.code,
            when=moede_when(t, moede.date, moede.start_time),
        )
    )
    await query.answer()


def setup() -> Router:
    router = Router(name="afbud")
    router.message.filter(F.chat.type == "private")
    router.message.register(afbud_command, Command("afbud"))
    router.callback_query.register(afbud_button, MmCb.filter(F.action == "afbud"))
    return router
