"""Editing one field of a punkt: sagstype with buttons, every other field by typing the text.

The typed text is saved only if nobody saved the punkt since the field button was pressed.
"""

from __future__ import annotations

import html

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardMarkup,
    Message,
)

from agendas.errors import ConcurrentEdit, InvalidInput, NotFound
from agendas.model import (
    SAGSTYPE_LABELS,
    SECTION_BY_KEY,
    SECTIONS,
    Actor,
    Punkt,
    Sagstype,
)
from agendas.ports import UnitOfWork
from agendas.services import punkter
from agendas.services.punkter import PunktDetail
from handlers import long_text
from handlers.agenda import send_punkt
from handlers.callbacks import PunktCb, PunktEditCb
from handlers.chat import button, chat_message
from handlers.context import ChatConfig
from handlers.punkt import current_for_editor, field_label
from handlers.texts import error_plain, error_text, t

#: How much of a field's current text the edit prompt shows.
PREVIEW_LIMIT = 3000


#: Fields edited by typing a new text (sagstype is chosen with buttons).
TEXT_FIELDS = ("title", "beslutningskompetence", "journal_number", *(s.key for s in SECTIONS))


class EditPunkt(StatesGroup):
    """The secretary is typing a new text for one field (punkt id, field, version in data)."""

    value = State()


def preview(text: str, limit: int = PREVIEW_LIMIT) -> str:
    """The start of a text that stays under ``limit`` once HTML-escaped."""
    shown = text
    while len(html.escape(shown, quote=False)) > limit:
        shown = shown[: len(shown) * 3 // 4]
    return shown if shown == text else shown.rstrip() + " …"


def current_value(punkt: Punkt, name: str) -> str:
    if name in SECTION_BY_KEY:
        return punkt.section(name)
    value = getattr(punkt, name)
    return str(value or "")


async def editable_field(
    query: CallbackQuery, cb: PunktEditCb, actor: Actor, uow: UnitOfWork
) -> PunktDetail | None:
    """The punkt, if the button names a field we edit and is not stale; else None (answered)."""
    if cb.name not in (*TEXT_FIELDS, "sagstype"):
        await query.answer(t("err-stale-button"), show_alert=True)
        return None
    return await current_for_editor(query, cb.punkt_id, cb.version, actor, uow)


async def save_from_button(
    query: CallbackQuery,
    callback_data: PunktEditCb,
    actor: Actor,
    uow: UnitOfWork,
    config: ChatConfig,
) -> None:
    """A sagstype button, or 'clear' on a text field."""
    cb = callback_data
    if await editable_field(query, cb, actor, uow) is None:
        return
    message = await chat_message(query)
    value = "" if cb.value == "clear" else cb.value
    try:
        await punkter.edit_field(uow, actor, cb.punkt_id, cb.name, value, cb.version, config.now())
    except ConcurrentEdit as exc:
        await query.answer(error_plain(exc), show_alert=True)
        return
    await query.answer(t("agenda-field-saved-short"))
    await message.edit_text(t("agenda-field-saved", field=field_label(cb.name)))
    detail = await punkter.open_punkt(uow, actor, cb.punkt_id)
    await send_punkt(message, detail, actor)


async def ask_sagstype(
    query: CallbackQuery, callback_data: PunktEditCb, actor: Actor, uow: UnitOfWork
) -> None:
    """The sagstype field: one button per sagstype."""
    cb = callback_data
    detail = await editable_field(query, cb, actor, uow)
    if detail is None:
        return
    message = await chat_message(query)
    await query.answer()
    rows = [
        [
            button(
                SAGSTYPE_LABELS[s],
                PunktEditCb(name="sagstype", punkt_id=cb.punkt_id, version=cb.version, value=s),
            )
        ]
        for s in Sagstype
    ]
    await message.answer(
        t("agenda-ask-sagstype", number=detail.number, title=detail.punkt.title),
        reply_markup=InlineKeyboardMarkup(inline_keyboard=rows),
    )


def value_prompt(detail: PunktDetail, name: str, current: str) -> str:
    text = t(
        "agenda-ask-value",
        field=field_label(name),
        number=detail.number,
        title=detail.punkt.title,
    )
    if current:
        text += "\n\n" + t("agenda-current-value", value=preview(current))
    return text


def clear_keyboard(cb: PunktEditCb) -> InlineKeyboardMarkup:
    clear = PunktEditCb(name=cb.name, punkt_id=cb.punkt_id, version=cb.version, value="clear")
    return InlineKeyboardMarkup(inline_keyboard=[[button(t("agenda-btn-clear"), clear)]])


async def ask_value(
    query: CallbackQuery,
    callback_data: PunktEditCb,
    actor: Actor,
    uow: UnitOfWork,
    state: FSMContext,
) -> None:
    """Any other field: the secretary types the new text (the current one is shown)."""
    cb = callback_data
    detail = await editable_field(query, cb, actor, uow)
    if detail is None:
        return
    message = await chat_message(query)
    await query.answer()
    await state.set_state(EditPunkt.value)
    await state.set_data({"punkt_id": cb.punkt_id, "field": cb.name, "version": cb.version})
    current = current_value(detail.punkt, cb.name)
    keyboard = clear_keyboard(cb) if cb.name != "title" and current else None
    await message.answer(value_prompt(detail, cb.name, current), reply_markup=keyboard)


async def save_typed_value(
    message: Message,
    state: FSMContext,
    actor: Actor,
    uow: UnitOfWork,
    config: ChatConfig,
) -> None:
    """The new text for the chosen field (a long pasted text joined from its parts); saved only
    if nobody saved the punkt in between."""
    text = await long_text.gather(message, state)
    if text is None:
        return  # a long pasted text: more parts may follow
    data = await state.get_data()
    punkt_id, name, version = int(data["punkt_id"]), str(data["field"]), int(data["version"])
    try:
        await punkter.edit_field(uow, actor, punkt_id, name, text, version, config.now())
    except ConcurrentEdit as exc:
        await state.clear()
        reopen = InlineKeyboardMarkup(
            inline_keyboard=[
                [button(t("agenda-btn-reopen-punkt"), PunktCb(action="open", punkt_id=punkt_id))]
            ]
        )
        await message.answer(error_text(exc), reply_markup=reopen)
        return
    except InvalidInput as exc:
        await message.answer(error_text(exc) + "\n" + t("agenda-edit-again"))
        return
    except NotFound as exc:
        await state.clear()
        await message.answer(error_text(exc))
        return
    await state.clear()
    await message.answer(t("agenda-field-saved", field=field_label(name)))
    detail = await punkter.open_punkt(uow, actor, punkt_id)
    await send_punkt(message, detail, actor)


def setup() -> Router:
    router = Router(name="punkt_fields")
    router.message.filter(F.chat.type == "private")
    router.message.register(
        save_typed_value, StateFilter(EditPunkt.value), F.text, ~F.text.startswith("/")
    )
    router.callback_query.register(save_from_button, PunktEditCb.filter(F.value != ""))
    router.callback_query.register(ask_sagstype, PunktEditCb.filter(F.name == "sagstype"))
    router.callback_query.register(ask_value, PunktEditCb.filter())
    return router
