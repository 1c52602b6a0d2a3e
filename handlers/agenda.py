"""/dagsorden: a meeting's agenda, its punkter in full, their bilag, and the secretary's edits.

Every punkt button carries the punkt's version; a button from an older message is recognised
and refused (or answered with the fresh view) instead of acting on what the user no longer sees.
"""

from __future__ import annotations

import html

from aiogram import Bot, F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)

from agendas import rules
from agendas.chatviews import TELEGRAM_LIMIT, render_agenda, render_punkt
from agendas.dates import format_date, format_time
from agendas.errors import ConcurrentEdit, InvalidInput, NotAllowed, NotFound
from agendas.model import (
    SAGSTYPE_LABELS,
    SECTION_BY_KEY,
    SECTIONS,
    Actor,
    Punkt,
    PunktKind,
    Sagstype,
)
from agendas.ports import UnitOfWork
from agendas.services import committees, meetings, punkter
from agendas.services.meetings import Agenda
from agendas.services.punkter import PunktDetail
from handlers.callbacks import BilagCb, MoedeCb, PunktCb, PunktEditCb, PunktMoveCb
from handlers.chat import button, chat_message, clip
from handlers.context import ChatConfig
from handlers.texts import error_plain, error_text, plain, t

#: Longest button label we build from a punkt title (Telegram shows about this much on a phone).
#: How much of a field's current text the edit prompt shows.
PREVIEW_LIMIT = 3000
#: Fields edited by typing a new text (sagstype is chosen with buttons).
TEXT_FIELDS = ("title", "beslutningskompetence", "journal_number", *(s.key for s in SECTIONS))


class EditPunkt(StatesGroup):
    """The secretary is typing a new text for one field (punkt id, field, version in data)."""

    value = State()


def field_label(name: str) -> str:
    """Section titles are Danish domain terms; the other fields come from the catalogue."""
    section = SECTION_BY_KEY.get(name)
    return section.title if section else t(f"agenda-field-{name}")


def punkt_label(punkt: Punkt) -> str:
    lock = "🔒 " if punkt.closed else ""
    return clip(f"{lock}{punkt.number}. {punkt.title}")


# --- agenda overview ---------------------------------------------------------------------------


def agenda_keyboard(agenda: Agenda, actor: Actor) -> InlineKeyboardMarkup:
    udvalg_id = agenda.udvalg.id or 0
    editor = rules.can_edit_udvalg(actor, udvalg_id)
    rows: list[list[InlineKeyboardButton]] = []
    for p in agenda.punkter:
        row = []
        if rules.may_open(actor, udvalg_id, p):
            row.append(
                button(
                    punkt_label(p), PunktCb(action="open", punkt_id=p.id or 0, version=p.version)
                )
            )
        if editor:
            row.append(
                button(
                    f"✏️ {p.number}", PunktCb(action="edit", punkt_id=p.id or 0, version=p.version)
                )
            )
        if row:
            rows.append(row)
    if editor:
        rows.append(
            [
                button(
                    t("agenda-btn-add-sag"),
                    MoedeCb(action="nysag", moede_id=agenda.moede.id or 0),
                )
            ]
        )
    return InlineKeyboardMarkup(inline_keyboard=rows)


async def send_agenda(target: Message, uow: UnitOfWork, actor: Actor, moede_id: int) -> None:
    """The overview pages; the last one carries the buttons and a short hint."""
    agenda = await meetings.load_agenda(uow, actor, moede_id)
    pages = render_agenda(agenda, plain)
    editor = rules.can_edit_udvalg(actor, agenda.udvalg.id or 0)
    hint = t("agenda-hint-secretary" if editor else "agenda-hint-reader")
    if len(pages[-1]) + len(hint) + 2 <= TELEGRAM_LIMIT:
        pages[-1] = f"{pages[-1]}\n\n{hint}"
    else:
        pages.append(hint)
    for page in pages[:-1]:
        await target.answer(page)
    await target.answer(pages[-1], reply_markup=agenda_keyboard(agenda, actor))


async def show_next_agenda(
    message: Message, actor: Actor, uow: UnitOfWork, config: ChatConfig
) -> None:
    """/dagsorden: the agenda of the user's next meeting (or the latest one)."""
    if not actor.is_admin and not actor.roles:
        await message.answer(t("help-nobody"))
        return
    listing = await meetings.list_moeder(uow, actor, config.today().date())
    chosen = meetings.next_moede(listing, config.now())
    if chosen is None:
        if rules.is_editor_anywhere(actor):
            codes = [
                u.code
                for u, _ in await committees.my_udvalg(uow, actor)
                if rules.can_edit_udvalg(actor, u.id or 0)
            ]
            await message.answer(t("agenda-no-moede-secretary", code=codes[0] if codes else "KODE"))
        else:
            await message.answer(t("agenda-no-moede"))
        return
    await send_agenda(message, uow, actor, chosen.moede.id or 0)


async def open_agenda(
    query: CallbackQuery, callback_data: MoedeCb, actor: Actor, uow: UnitOfWork
) -> None:
    """MoedeCb(action="agenda"): from /moeder, /nytmoede or a button of ours."""
    message = await chat_message(query)
    try:
        await send_agenda(message, uow, actor, callback_data.moede_id)
    except NotFound as exc:
        await query.answer(error_plain(exc), show_alert=True)
        return
    await query.answer()


# --- one punkt in full -------------------------------------------------------------------------


def punkt_keyboard(detail: PunktDetail, actor: Actor) -> InlineKeyboardMarkup:
    punkt = detail.punkt
    rows = [
        [button(f"📎 {clip(b.file_name)}", BilagCb(action="get", bilag_id=b.id or 0))]
        for b in detail.bilag
    ]
    last = [button(t("agenda-btn-agenda"), MoedeCb(action="agenda", moede_id=punkt.moede_id))]
    if rules.can_edit_udvalg(actor, detail.udvalg.id or 0):
        last.insert(
            0,
            button(
                t("agenda-btn-edit"),
                PunktCb(action="edit", punkt_id=punkt.id or 0, version=punkt.version),
            ),
        )
    rows.append(last)
    return InlineKeyboardMarkup(inline_keyboard=rows)


async def send_punkt(target: Message, detail: PunktDetail, actor: Actor) -> None:
    """The punkt in full; long texts become several messages, each under Telegram's limit."""
    pages = render_punkt(detail, plain)
    for page in pages[:-1]:
        await target.answer(page)
    await target.answer(pages[-1], reply_markup=punkt_keyboard(detail, actor))


async def open_punkt(
    query: CallbackQuery, callback_data: PunktCb, actor: Actor, uow: UnitOfWork
) -> None:
    """Anyone in the udvalg opens an open punkt; a closed one only members (the service says)."""
    message = await chat_message(query)
    try:
        detail = await punkter.open_punkt(uow, actor, callback_data.punkt_id)
    except NotFound as exc:
        await query.answer(error_plain(exc), show_alert=True)
        return
    if callback_data.version and detail.punkt.version != callback_data.version:
        await query.answer(t("agenda-punkt-updated"))
    else:
        await query.answer()
    await send_punkt(message, detail, actor)


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


# --- the secretary's edit menu -----------------------------------------------------------------


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
                t("agenda-btn-moede", date=format_date(m.date), time=format_time(m.start_time)),
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


# --- editing one field -------------------------------------------------------------------------


async def choose_field(
    query: CallbackQuery,
    callback_data: PunktEditCb,
    actor: Actor,
    uow: UnitOfWork,
    state: FSMContext,
    config: ChatConfig,
) -> None:
    """A field button: sagstype is chosen with buttons, the rest by typing the new text."""
    cb = callback_data
    if cb.name not in (*TEXT_FIELDS, "sagstype"):
        await query.answer(t("err-stale-button"), show_alert=True)
        return
    detail = await current_for_editor(query, cb.punkt_id, cb.version, actor, uow)
    if detail is None:
        return
    message = await chat_message(query)
    if cb.value:
        await save_from_button(query, cb, actor, uow, config)
        return
    await query.answer()
    if cb.name == "sagstype":
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
        return
    await state.set_state(EditPunkt.value)
    await state.set_data({"punkt_id": cb.punkt_id, "field": cb.name, "version": cb.version})
    current = current_value(detail.punkt, cb.name)
    text = t(
        "agenda-ask-value",
        field=field_label(cb.name),
        number=detail.number,
        title=detail.punkt.title,
    )
    if current:
        text += "\n\n" + t("agenda-current-value", value=preview(current))
    keyboard = None
    if cb.name != "title" and current:
        keyboard = InlineKeyboardMarkup(
            inline_keyboard=[
                [
                    button(
                        t("agenda-btn-clear"),
                        PunktEditCb(
                            name=cb.name, punkt_id=cb.punkt_id, version=cb.version, value="clear"
                        ),
                    )
                ]
            ]
        )
    await message.answer(text, reply_markup=keyboard)


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


async def save_from_button(
    query: CallbackQuery, cb: PunktEditCb, actor: Actor, uow: UnitOfWork, config: ChatConfig
) -> None:
    """A sagstype button, or 'clear' on a text field."""
    value = "" if cb.value == "clear" else cb.value
    try:
        await punkter.edit_field(uow, actor, cb.punkt_id, cb.name, value, cb.version, config.now())
    except ConcurrentEdit as exc:
        await query.answer(error_plain(exc), show_alert=True)
        return
    await query.answer(t("agenda-field-saved-short"))
    message = await chat_message(query)
    await message.edit_text(t("agenda-field-saved", field=field_label(cb.name)))
    detail = await punkter.open_punkt(uow, actor, cb.punkt_id)
    await send_punkt(message, detail, actor)


async def save_typed_value(
    message: Message,
    state: FSMContext,
    actor: Actor,
    uow: UnitOfWork,
    config: ChatConfig,
) -> None:
    """The new text for the chosen field; saved only if nobody saved the punkt in between."""
    data = await state.get_data()
    punkt_id, name, version = int(data["punkt_id"]), str(data["field"]), int(data["version"])
    try:
        await punkter.edit_field(
            uow, actor, punkt_id, name, message.text or "", version, config.now()
        )
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
    router = Router(name="agenda")
    router.message.filter(F.chat.type == "private")
    router.message.register(show_next_agenda, Command("dagsorden", "agenda"))
    router.message.register(
        save_typed_value, StateFilter(EditPunkt.value), F.text, ~F.text.startswith("/")
    )
    router.callback_query.register(open_agenda, MoedeCb.filter(F.action == "agenda"))
    router.callback_query.register(open_punkt, PunktCb.filter(F.action == "open"))
    router.callback_query.register(send_bilag, BilagCb.filter(F.action == "get"))
    router.callback_query.register(remove_bilag, BilagCb.filter(F.action == "rm"))
    router.callback_query.register(show_menu, PunktCb.filter(F.action == "edit"))
    router.callback_query.register(move_punkt, PunktCb.filter(F.action.in_({"up", "down"})))
    router.callback_query.register(close_punkt, PunktCb.filter(F.action.in_({"close", "reopen"})))
    router.callback_query.register(choose_target_moede, PunktCb.filter(F.action == "moveto"))
    router.callback_query.register(move_to_moede, PunktMoveCb.filter())
    router.callback_query.register(ask_delete, PunktCb.filter(F.action == "del"))
    router.callback_query.register(delete_punkt, PunktCb.filter(F.action == "delyes"))
    router.callback_query.register(keep_punkt, PunktCb.filter(F.action == "delno"))
    router.callback_query.register(show_bilag, PunktCb.filter(F.action == "bilag"))
    router.callback_query.register(choose_field, PunktEditCb.filter())
    return router
