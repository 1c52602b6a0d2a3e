"""/dagsorden: a meeting's agenda overview, and any punkt opened in full from it.

Every punkt button carries the punkt's version; a button from an older message is recognised
and refused (or answered with the fresh view) instead of acting on what the user no longer sees.
The secretary's edits are in ``handlers.punkt`` and ``handlers.punkt_fields``, bilag in
``handlers.bilag``.
"""

from __future__ import annotations

from datetime import datetime

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)

from agendas import rules
from agendas.chatviews import TELEGRAM_LIMIT, render_agenda, render_punkt
from agendas.errors import NotFound
from agendas.model import (
    Actor,
    Punkt,
)
from agendas.ports import UnitOfWork
from agendas.services import committees, meetings, punkter
from agendas.services.meetings import Agenda
from agendas.services.punkter import PunktDetail
from handlers import member_chat
from handlers.callbacks import BilagCb, MoedeCb, PunktCb
from handlers.chat import button, chat_message, clip, markup
from handlers.context import ChatConfig
from handlers.protocol import send_requested
from handlers.texts import error_plain, plain, t

# --- agenda overview ------------------------------------------------------------------------------


def punkt_label(punkt: Punkt) -> str:
    lock = "🔒 " if punkt.closed else ""
    return clip(f"{lock}{punkt.number}. {punkt.title}")


def agenda_keyboard(
    agenda: Agenda, actor: Actor, now: datetime | None = None
) -> InlineKeyboardMarkup:
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
    rows += member_chat.agenda_rows(actor, agenda.moede, now)
    return markup(rows)


async def send_agenda(
    target: Message, uow: UnitOfWork, actor: Actor, moede_id: int, now: datetime | None = None
) -> None:
    """The overview pages; the last one carries the buttons and a short hint (a member's own
    buttons when ``now`` says the meeting has not begun)."""
    await send_overview(target, await meetings.load_agenda(uow, actor, moede_id), actor, now)


async def send_overview(
    target: Message, agenda: meetings.Agenda, actor: Actor, now: datetime | None = None
) -> None:
    """``send_agenda`` of an agenda already read."""
    pages = render_agenda(agenda, plain)
    editor = rules.can_edit_udvalg(actor, agenda.udvalg.id or 0)
    hint = t("agenda-hint-secretary" if editor else "agenda-hint-reader")
    if len(pages[-1]) + len(hint) + 2 <= TELEGRAM_LIMIT:
        pages[-1] = f"{pages[-1]}\n\n{hint}"
    else:
        pages.append(hint)
    for page in pages[:-1]:
        await target.answer(page)
    await target.answer(pages[-1], reply_markup=agenda_keyboard(agenda, actor, now))


#: The words /dagsorden understands: ``pdf`` (the PDF/A file), with ``offentlig`` its public
#: edition.
AGENDA_WORDS = frozenset({"pdf", "offentlig", "public"})


def agenda_words(args: str | None) -> tuple[set[str], str] | None:
    """The words after /dagsorden and an udvalg code among them ("/dagsorden BEU pdf"); None
    when the rest is not ``pdf [offentlig]``."""
    given = (args or "").split()
    codes = [w for w in given if w.lower() not in AGENDA_WORDS]
    words = {w.lower() for w in given if w.lower() in AGENDA_WORDS}
    if len(codes) > 1 or (codes and not codes[0].isalpha()) or (words and "pdf" not in words):
        return None
    return words, codes[0].upper() if codes else ""


async def show_next_agenda(
    message: Message,
    command: CommandObject,
    actor: Actor,
    uow: UnitOfWork,
    config: ChatConfig,
    bot: Bot,
) -> None:
    """/dagsorden: the agenda of the user's next meeting (or the latest one) in chat;
    /dagsorden pdf [offentlig]: the same agenda as a PDF/A file (members get the internal
    edition, others the public one)."""
    from agendas.meeting.documents import ProtokolRequest

    if not actor.is_admin and not actor.roles:
        await message.answer(t("help-nobody"))
        return
    parsed = agenda_words(command.args)
    if parsed is None:
        await message.answer(t("agenda-pdf-usage"))
        return
    words, code = parsed
    udvalg_id = None
    if code:
        try:
            udvalg_id = (await committees.readable_udvalg(uow, actor, code)).id
        except NotFound:  # "/dagsorden hemmelig": no udvalg of that name, so say what to type
            await message.answer(t("agenda-pdf-usage"))
            return
    agenda = await meetings.load_next_agenda(
        uow, actor, config.today().date(), config.now(), udvalg_id
    )
    if agenda is None:
        if rules.is_editor_anywhere(actor):
            codes = (
                [code]
                if code
                else [
                    u.code
                    for u, _ in await committees.my_udvalg(uow, actor)
                    if rules.can_edit_udvalg(actor, u.id or 0)
                ]
            )
            await message.answer(t("agenda-no-moede-secretary", code=codes[0] if codes else "KODE"))
        else:
            await message.answer(t("agenda-no-moede"))
        return
    if words:
        public = bool(words & {"offentlig", "public"})
        request = ProtokolRequest(agenda.moede.id, public=public, protokol=False, pdf=True)
        await send_requested(message, actor, uow, config, bot, request)
        return
    await send_overview(message, agenda, actor, config.now())


async def open_agenda(
    query: CallbackQuery, callback_data: MoedeCb, actor: Actor, uow: UnitOfWork, config: ChatConfig
) -> None:
    """MoedeCb(action="agenda"): from /moeder, /nytmoede or a button of ours."""
    message = await chat_message(query)
    try:
        await send_agenda(message, uow, actor, callback_data.moede_id, config.now())
    except NotFound as exc:
        await query.answer(error_plain(exc), show_alert=True)
        return
    await query.answer()


# --- one punkt in full ----------------------------------------------------------------------------


def punkt_keyboard(
    detail: PunktDetail, actor: Actor, now: datetime | None = None
) -> InlineKeyboardMarkup:
    punkt = detail.punkt
    rows = [
        [button(f"📎 {clip(b.file_name)}", BilagCb(action="get", bilag_id=b.id or 0))]
        for b in detail.bilag
    ]
    rows += member_chat.punkt_rows(actor, detail.moede, punkt, now)
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
    return markup(rows)


async def send_punkt(
    target: Message, detail: PunktDetail, actor: Actor, now: datetime | None = None
) -> None:
    """The punkt in full; long texts become several messages, each under Telegram's limit."""
    pages = render_punkt(detail, plain)
    for page in pages[:-1]:
        await target.answer(page)
    await target.answer(pages[-1], reply_markup=punkt_keyboard(detail, actor, now))


async def open_punkt(
    query: CallbackQuery, callback_data: PunktCb, actor: Actor, uow: UnitOfWork, config: ChatConfig
) -> None:
    """Anyone in the udvalg opens an open punkt; a closed one only members (the service says)."""
    message = await chat_message(query)
    try:
        detail = await punkter.open_punkt(uow, actor, callback_data.punkt_id, config.timezone)
    except NotFound as exc:
        await query.answer(error_plain(exc), show_alert=True)
        return
    if callback_data.version and detail.punkt.version != callback_data.version:
        await query.answer(t("agenda-punkt-updated"))
    else:
        await query.answer()
    await send_punkt(message, detail, actor, config.now())


def setup() -> Router:
    router = Router(name="agenda")
    router.message.filter(F.chat.type == "private")
    router.message.register(show_next_agenda, Command("dagsorden", "agenda"))
    router.callback_query.register(open_agenda, MoedeCb.filter(F.action == "agenda"))
    router.callback_query.register(open_punkt, PunktCb.filter(F.action == "open"))
    return router
