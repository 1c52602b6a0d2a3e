"""The secretary's edit menu of one punkt: move it, close it, move it to another møde, delete it.

Every button carries the punkt's version (``current_for_editor``): a stale one is refused and
the fresh menu sent. Editing one field is in ``handlers.punkt_fields``, bilag in ``handlers.bilag``.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
)

from agendas import rules
from agendas.dates import format_date, moede_when
from agendas.errors import NotAllowed, NotFound
from agendas.model import (
    SECTION_BY_KEY,
    SECTIONS,
    Actor,
    PunktKind,
)
from agendas.ports import UnitOfWork
from agendas.services import meetings, punkter
from agendas.services.punkter import PunktDetail
from handlers.agenda import send_agenda
from handlers.callbacks import MoedeCb, PunktCb, PunktEditCb, PunktMoveCb
from handlers.chat import button, chat_message, clip
from handlers.context import ChatConfig
from handlers.texts import error_plain, t


def field_label(name: str) -> str:
    """Section titles are Danish domain terms; the other fields come from the catalogue."""
    section = SECTION_BY_KEY.get(name)
    return section.title if section else t(f"agenda-field-{name}")


# --- the secretary's edit menu --------------------------------------------------------------------


async def current_for_editor(
    query: CallbackQuery, punkt_id: int, version: int, actor: Actor, uow: UnitOfWork
) -> PunktDetail | None:
    """The punkt as stored now, if the button's version still matches; else explain and refresh.

    Returns None after answering the callback when the punkt is gone or the button is stale
    (the fresh edit menu is then sent, so the secretary can carry on from what is stored).
    """
    try:
        detail = await punkter.open_punkt(uow, actor, punkt_id)
    except NotFound as exc:
        await query.answer(error_plain(exc), show_alert=True)
        return None
    if not rules.can_edit_udvalg(actor, detail.udvalg.id or 0):
        raise NotAllowed("err-not-secretary")
    if detail.punkt.version != version:
        await query.answer(t("err-stale-button"), show_alert=True)
        message = await chat_message(query)
        await message.answer(menu_text(detail), reply_markup=menu_keyboard(detail))
        return None
    return detail


def menu_text(detail: PunktDetail) -> str:
    punkt = detail.punkt
    lines = [t("agenda-menu-title", number=detail.number, title=punkt.title)]
    if punkt.closed:
        lines.append(t("agenda-menu-closed"))
    lines.append(t("agenda-menu-bilag", count=len(detail.bilag)))
    lines.append(t("agenda-menu-choose"))
    return "\n".join(lines)


def menu_keyboard(detail: PunktDetail) -> InlineKeyboardMarkup:
    punkt = detail.punkt
    pid, version = punkt.id or 0, punkt.version

    def edit(name: str) -> InlineKeyboardButton:
        return button(
            clip(field_label(name), 30), PunktEditCb(name=name, punkt_id=pid, version=version)
        )

    def act(key: str, action: str) -> InlineKeyboardButton:
        return button(t(key), PunktCb(action=action, punkt_id=pid, version=version))

    names = ["title", "sagstype", "beslutningskompetence", "journal_number"]
    names += [s.key for s in SECTIONS]
    rows = [[edit(a) for a in names[i : i + 2]] for i in range(0, len(names), 2)]
    if punkt.kind is PunktKind.SAG:
        rows.append([act("agenda-btn-up", "up"), act("agenda-btn-down", "down")])
        rows.append(
            [
                act("agenda-btn-reopen", "reopen")
                if punkt.closed
                else act("agenda-btn-close", "close"),
                act("agenda-btn-moveto", "moveto"),
            ]
        )
    rows.append([act("agenda-btn-bilag", "bilag"), act("agenda-btn-delete", "del")])
    rows.append(
        [
            act("agenda-btn-show", "open"),
            button(t("agenda-btn-agenda"), MoedeCb(action="agenda", moede_id=punkt.moede_id)),
        ]
    )
    return InlineKeyboardMarkup(inline_keyboard=rows)


async def show_menu(
    query: CallbackQuery, callback_data: PunktCb, actor: Actor, uow: UnitOfWork
) -> None:
    detail = await current_for_editor(
        query, callback_data.punkt_id, callback_data.version, actor, uow
    )
    if detail is None:
        return
    await query.answer()
    message = await chat_message(query)
    await message.answer(menu_text(detail), reply_markup=menu_keyboard(detail))


async def refresh_menu(query: CallbackQuery, actor: Actor, uow: UnitOfWork, punkt_id: int) -> None:
    """Show the menu message again in place, with the new number and version."""
    detail = await punkter.open_punkt(uow, actor, punkt_id)
    message = await chat_message(query)
    await message.edit_text(menu_text(detail), reply_markup=menu_keyboard(detail))


# --- moving and closing ---------------------------------------------------------------------------


async def move_punkt(
    query: CallbackQuery,
    callback_data: PunktCb,
    actor: Actor,
    uow: UnitOfWork,
    config: ChatConfig,
) -> None:
    """⬆️/⬇️ among the sager of the same group; the numbering follows."""
    cb = callback_data
    if await current_for_editor(query, cb.punkt_id, cb.version, actor, uow) is None:
        return
    await punkter.move(uow, actor, cb.punkt_id, -1 if cb.action == "up" else 1, config.now())
    await refresh_menu(query, actor, uow, cb.punkt_id)
    await query.answer(t("agenda-moved"))


async def close_punkt(
    query: CallbackQuery,
    callback_data: PunktCb,
    actor: Actor,
    uow: UnitOfWork,
    config: ChatConfig,
) -> None:
    """Lukket punkt on/off: it moves after (or back among) the open sager."""
    cb = callback_data
    if await current_for_editor(query, cb.punkt_id, cb.version, actor, uow) is None:
        return
    closed = cb.action == "close"
    await punkter.set_closed(uow, actor, cb.punkt_id, closed, config.now())
    await refresh_menu(query, actor, uow, cb.punkt_id)
    await query.answer(t("agenda-closed" if closed else "agenda-reopened"))


async def choose_target_moede(
    query: CallbackQuery,
    callback_data: PunktCb,
    actor: Actor,
    uow: UnitOfWork,
    config: ChatConfig,
) -> None:
    cb = callback_data
    detail = await current_for_editor(query, cb.punkt_id, cb.version, actor, uow)
    if detail is None:
        return
    today = config.today().date()
    others = [
        x.moede
        for x in await meetings.list_moeder(uow, actor, today)
        if x.moede.udvalg_id == detail.moede.udvalg_id
        and x.moede.id != detail.moede.id
        and x.moede.date >= today
    ]
    await query.answer()
    message = await chat_message(query)
    if not others:
        await message.answer(t("agenda-no-other-moede"))
        return
    rows = [
        [
            button(
                t("agenda-btn-moede", when=moede_when(t, m.date, m.start_time)),
                PunktMoveCb(punkt_id=cb.punkt_id, version=cb.version, moede_id=m.id or 0),
            )
        ]
        for m in others
    ]
    await message.answer(
        t("agenda-choose-moede", number=detail.number, title=detail.punkt.title),
        reply_markup=InlineKeyboardMarkup(inline_keyboard=rows),
    )


async def move_to_moede(
    query: CallbackQuery,
    callback_data: PunktMoveCb,
    actor: Actor,
    uow: UnitOfWork,
    config: ChatConfig,
) -> None:
    cb = callback_data
    if await current_for_editor(query, cb.punkt_id, cb.version, actor, uow) is None:
        return
    target = await punkter.move_to_moede(uow, actor, cb.punkt_id, cb.moede_id, config.now())
    await query.answer()
    message = await chat_message(query)
    await message.edit_text(
        t("agenda-moved-moede", date=format_date(target.date)),
        reply_markup=InlineKeyboardMarkup(
            inline_keyboard=[
                [button(t("agenda-btn-agenda"), MoedeCb(action="agenda", moede_id=target.id or 0))]
            ]
        ),
    )


# --- deleting -------------------------------------------------------------------------------------


async def ask_delete(
    query: CallbackQuery, callback_data: PunktCb, actor: Actor, uow: UnitOfWork
) -> None:
    """Deleting needs a second tap on a confirmation message."""
    cb = callback_data
    detail = await current_for_editor(query, cb.punkt_id, cb.version, actor, uow)
    if detail is None:
        return
    await query.answer()
    message = await chat_message(query)
    keyboard = [
        [
            button(
                t("agenda-btn-delete-yes"),
                PunktCb(action="delyes", punkt_id=cb.punkt_id, version=cb.version),
            ),
            button(
                t("agenda-btn-delete-no"),
                PunktCb(action="delno", punkt_id=cb.punkt_id, version=cb.version),
            ),
        ]
    ]
    await message.answer(
        t(
            "agenda-delete-confirm",
            number=detail.number,
            title=detail.punkt.title,
            count=len(detail.bilag),
        ),
        reply_markup=InlineKeyboardMarkup(inline_keyboard=keyboard),
    )


async def delete_punkt(
    query: CallbackQuery,
    callback_data: PunktCb,
    actor: Actor,
    uow: UnitOfWork,
    config: ChatConfig,
) -> None:
    cb = callback_data
    detail = await current_for_editor(query, cb.punkt_id, cb.version, actor, uow)
    if detail is None:
        return
    deleted = await punkter.delete_punkt(uow, actor, cb.punkt_id, cb.version, config.now())
    await query.answer(t("agenda-deleted-short"))
    message = await chat_message(query)
    await message.edit_text(t("agenda-deleted", title=deleted.title))
    await send_agenda(message, uow, actor, deleted.moede_id)


async def keep_punkt(query: CallbackQuery) -> None:
    await query.answer()
    message = await chat_message(query)
    await message.edit_text(t("agenda-delete-kept"))


def setup() -> Router:
    router = Router(name="punkt")
    router.callback_query.register(show_menu, PunktCb.filter(F.action == "edit"))
    router.callback_query.register(move_punkt, PunktCb.filter(F.action.in_({"up", "down"})))
    router.callback_query.register(close_punkt, PunktCb.filter(F.action.in_({"close", "reopen"})))
    router.callback_query.register(choose_target_moede, PunktCb.filter(F.action == "moveto"))
    router.callback_query.register(move_to_moede, PunktMoveCb.filter())
    router.callback_query.register(ask_delete, PunktCb.filter(F.action == "del"))
    router.callback_query.register(delete_punkt, PunktCb.filter(F.action == "delyes"))
    router.callback_query.register(keep_punkt, PunktCb.filter(F.action == "delno"))
    return router
