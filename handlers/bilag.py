"""A punkt's bilag: sending one (to anyone who may open the punkt), and the secretary's list."""

from __future__ import annotations

import html

from aiogram import Bot, F, Router
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardMarkup,
)

from agendas.model import (
    Actor,
)
from agendas.ports import UnitOfWork
from agendas.services import punkter
from agendas.services.punkter import PunktDetail
from handlers.callbacks import BilagCb, PunktCb
from handlers.chat import button, chat_message, clip
from handlers.context import ChatConfig
from handlers.punkt import current_for_editor
from handlers.texts import plain, t


async def send_bilag(
    query: CallbackQuery, callback_data: BilagCb, actor: Actor, uow: UnitOfWork, bot: Bot
) -> None:
    """The stored bytes, so a bilag never depends on Telegram still having the file."""
    bilag = await punkter.get_bilag(uow, actor, callback_data.bilag_id)
    await query.answer()
    await bot.send_document(
        chat_id=query.from_user.id,
        document=BufferedInputFile(bilag.content or b"", filename=bilag.file_name),
        caption=html.escape(bilag.file_name, quote=False),
    )


def bilag_list(detail: PunktDetail) -> tuple[str, InlineKeyboardMarkup]:
    punkt = detail.punkt
    rows = [
        [
            button(f"📎 {clip(b.file_name, 40)}", BilagCb(action="get", bilag_id=b.id or 0)),
            button("🗑", BilagCb(action="rm", bilag_id=b.id or 0)),
        ]
        for b in detail.bilag
    ]
    rows.append(
        [
            button(
                t("agenda-btn-attach"),
                PunktCb(action="attach", punkt_id=punkt.id or 0, version=punkt.version),
            )
        ]
    )
    key = "agenda-bilag-list" if detail.bilag else "agenda-bilag-none"
    text = t(key, number=detail.number, title=punkt.title)
    return text, InlineKeyboardMarkup(inline_keyboard=rows)


async def show_bilag(
    query: CallbackQuery, callback_data: PunktCb, actor: Actor, uow: UnitOfWork
) -> None:
    cb = callback_data
    detail = await current_for_editor(query, cb.punkt_id, cb.version, actor, uow)
    if detail is None:
        return
    await query.answer()
    text, keyboard = bilag_list(detail)
    message = await chat_message(query)
    await message.answer(text, reply_markup=keyboard)


async def remove_bilag(
    query: CallbackQuery,
    callback_data: BilagCb,
    actor: Actor,
    uow: UnitOfWork,
    config: ChatConfig,
) -> None:
    removed = await punkter.remove_bilag(uow, actor, callback_data.bilag_id, config.now())
    await query.answer(plain("agenda-bilag-removed", name=removed.file_name))
    detail = await punkter.open_punkt(uow, actor, removed.punkt_id)
    text, keyboard = bilag_list(detail)
    message = await chat_message(query)
    await message.edit_text(text, reply_markup=keyboard)


def setup() -> Router:
    router = Router(name="bilag")
    router.callback_query.register(send_bilag, BilagCb.filter(F.action == "get"))
    router.callback_query.register(remove_bilag, BilagCb.filter(F.action == "rm"))
    router.callback_query.register(show_bilag, PunktCb.filter(F.action == "bilag"))
    return router
