"""The protocol in chat: /protokol (the Word file), sending it for approval, approving, its
status, and re-opening a locked protocol.

Who gets which protocol: the secretary and the members get the internal version (``/protokol
offentlig`` gives them the public one); a tovholder (or an admin outside the udvalg) gets only the
public version and is told so; someone outside the udvalg is refused. One service,
``agendas.meeting.documents.protokol_document``, chooses the meeting and the version and renders
the file.

What goes to other people (the approval requests; once all have approved, the secretaries' notice
and the decisions summary) is written to the outbox by the service; the delivery worker sends it
(``handlers.callbacks.pack_button`` gives its buttons their callback data).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import TYPE_CHECKING

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import BufferedInputFile, CallbackQuery, Message

from agendas import rules
from agendas.chatviews import Texts
from agendas.dates import format_date, format_time, parse_date, to_local
from agendas.errors import InvalidInput, NotAllowed
from agendas.meeting import approval
from agendas.meeting.loading import load_view
from agendas.meeting_view import NeedsConfirmation, ProtokolIncomplete
from agendas.model import Actor
from agendas.ports import UnitOfWork
from agendas.records import StaleView
from handlers.callbacks import ApproveCb, MmCb
from handlers.chat import button, chat_message, clip, markup
from handlers.context import ChatConfig
from handlers.meeting_views import (
    empty_sections_text,
    protokol_keyboard,
    protokol_status_text,
    send_protokol_menu,
)
from handlers.texts import plain, t

if TYPE_CHECKING:
    from agendas.meeting.documents import ProtokolFile, ProtokolRequest

#: The words /protokol understands besides a date.
PROTOKOL_WORDS = frozenset({"offentlig", "public", "dagsorden", "agenda", "pdf"})


async def send_file(bot: Bot, chat_id: int, file: ProtokolFile) -> None:
    key = "meeting-doc-public" if file.public else "meeting-doc-internal"
    await bot.send_document(
        chat_id=chat_id,
        document=BufferedInputFile(file.content, filename=file.file_name),
        caption=t(key, name=file.file_name),
    )


# --- /protokol ---------------------------------------------------------------------------------


def asked_day(text: str, today: date) -> tuple[date, bool]:
    """The day a date names, and whether it named no year (``InvalidInput`` if malformed)."""
    on = parse_date(text, today)
    # Without a year parse_date takes the next such day; /protokol wants the last one.
    return on, parse_date(text, today + timedelta(days=3 * 366)) != on


def protokol_request(words: set[str], on: date | None = None) -> ProtokolRequest:
    from agendas.meeting.documents import ProtokolRequest

    return ProtokolRequest(
        on=on,
        public=bool(words & {"offentlig", "public"}),
        protokol=not words & {"dagsorden", "agenda"},
        pdf="pdf" in words,
    )


async def protokol_command(
    message: Message,
    command: CommandObject,
    actor: Actor,
    uow: UnitOfWork,
    config: ChatConfig,
    bot: Bot,
) -> None:
    """/protokol [offentlig] [dagsorden] [pdf] [DATO]: a date (``12-01-2026``) picks an older
    meeting; ``pdf`` sends the PDF/A instead of the Word file."""
    args = (command.args or "").split()
    words = {w.lower() for w in args if w.lower() in PROTOKOL_WORDS}
    rest = " ".join(w for w in args if w.lower() not in PROTOKOL_WORDS)
    on = None
    if rest:
        today = config.today().date()
        try:
            on, yearless = asked_day(rest, today)
        except InvalidInput:
            await message.answer(t("meeting-protokol-usage"))
            return
        if yearless and on > today:
            on = parse_date(rest, today - timedelta(days=365))
    await send_requested(message, actor, uow, config, bot, protokol_request(words, on))


async def dagsorden_docx_command(
    message: Message, actor: Actor, uow: UnitOfWork, config: ChatConfig, bot: Bot
) -> None:
    await send_requested(message, actor, uow, config, bot, protokol_request({"dagsorden"}))


async def send_requested(
    message: Message,
    actor: Actor,
    uow: UnitOfWork,
    config: ChatConfig,
    bot: Bot,
    request: ProtokolRequest,
) -> None:
    from agendas.meeting import documents

    zone = config.timezone
    file = await documents.protokol_document(
        uow, actor, request, config.now(), zone, config.docx_template
    )
    if file is None:
        if request.on is not None:
            await message.answer(t("meeting-protokol-none-on", date=format_date(request.on)))
        else:
            await message.answer(t("meeting-protokol-none"))
        return
    if file.public_only:
        await message.answer(t("meeting-protokol-public-only"))
    await send_file(bot, message.chat.id, file)
    if file.protokol and file.may_edit:
        await send_protokol_menu(message, file.view, zone)


async def send_doc(
    query: CallbackQuery,
    moede_id: int,
    public: bool,
    actor: Actor,
    uow: UnitOfWork,
    config: ChatConfig,
    bot: Bot,
) -> None:
    """📄 buttons: the protocol (internal for members and the secretary, else public)."""
    from agendas.meeting import documents
    from agendas.meeting.documents import ProtokolRequest

    request = ProtokolRequest(moede_id=moede_id, public=public)
    file = await documents.protokol_document(
        uow, actor, request, config.now(), config.timezone, config.docx_template
    )
    assert file is not None  # a meeting named by id is there, or NotFound was raised
    await query.answer()
    await send_file(bot, query.from_user.id, file)


async def doc_button(
    query: CallbackQuery,
    callback_data: MmCb,
    actor: Actor,
    uow: UnitOfWork,
    config: ChatConfig,
    bot: Bot,
) -> None:
    await send_doc(query, callback_data.moede_id, False, actor, uow, config, bot)


async def public_doc_button(
    query: CallbackQuery,
    callback_data: MmCb,
    actor: Actor,
    uow: UnitOfWork,
    config: ChatConfig,
    bot: Bot,
) -> None:
    await send_doc(query, callback_data.moede_id, True, actor, uow, config, bot)


# --- approval ----------------------------------------------------------------------------------


async def send_for_approval(
    query: CallbackQuery,
    callback_data: MmCb,
    actor: Actor,
    uow: UnitOfWork,
    config: ChatConfig,
    texts: Texts,
    outbox_wake: Callable[[], None] | None = None,
) -> None:
    """Each member present (not yet approved) gets the summary and a "Godkend protokol" button,
    through the outbox; someone who blocked the bot is reported to the secretaries by the
    delivery worker."""
    await _send(query, callback_data, actor, uow, config, texts, outbox_wake, confirmed=False)


async def send_anyway(
    query: CallbackQuery,
    callback_data: MmCb,
    actor: Actor,
    uow: UnitOfWork,
    config: ChatConfig,
    texts: Texts,
    outbox_wake: Callable[[], None] | None = None,
) -> None:
    """ "📨 Send alligevel": the secretary has seen the empty required sections."""
    await _send(query, callback_data, actor, uow, config, texts, outbox_wake, confirmed=True)


async def _send(
    query: CallbackQuery,
    cb: MmCb,
    actor: Actor,
    uow: UnitOfWork,
    config: ChatConfig,
    texts: Texts,
    outbox_wake: Callable[[], None] | None,
    confirmed: bool,
) -> None:
    message = await chat_message(query)
    try:
        round_ = await approval.send_for_approval(
            uow, actor, cb.moede_id, cb.rev, config.now(), texts, confirmed=confirmed
        )
    except StaleView:
        # A second press of the same button (or one from before a change): nothing is sent
        # again; the secretary gets the protocol as it stands, to send a reminder round from.
        await query.answer(plain("err-meeting-stale"), show_alert=True)
        view = await load_view(uow, actor, cb.moede_id)
        await send_protokol_menu(message, view, config.timezone)
        return
    except ProtokolIncomplete:
        # Nothing sent, nothing stored: the menu lists what is missing, once.
        await query.answer(plain("err-protokol-incomplete-short"), show_alert=True)
        await send_protokol_menu(message, await load_view(uow, actor, cb.moede_id), config.timezone)
        return
    except NeedsConfirmation as needs:
        await query.answer()
        again = MmCb(action="sendforce", moede_id=cb.moede_id, rev=cb.rev)
        status = MmCb(action="status", moede_id=cb.moede_id, rev=cb.rev)
        await message.answer(
            empty_sections_text(needs.empty) + "\n\n" + t("meeting-send-anyway-ask"),
            reply_markup=markup(
                [
                    [button(t("meeting-btn-send-anyway"), again)],
                    [button(t("meeting-btn-status"), status)],
                ]
            ),
        )
        return
    if round_.recipients and outbox_wake is not None:
        outbox_wake()
    await query.answer()
    await message.answer(round_text(round_))
    await send_protokol_menu(message, await load_view(uow, actor, cb.moede_id), config.timezone)


def round_text(round_: approval.ApprovalRound) -> str:
    count = len(round_.recipients)
    paper = ""
    if round_.on_paper:
        names = ", ".join(line.person.name for line in round_.on_paper)
        one = len(round_.on_paper) == 1
        paper = t(
            "roster-approval-on-paper-one" if one else "roster-approval-on-paper-other", names=names
        )
        if not count:
            return paper  # nobody to write to: the secretary records the approvals
    if not round_.reminder:
        text = t("meeting-sent-one" if count == 1 else "meeting-sent-other", count=count)
    elif not count:
        return t("meeting-nobody-to-remind")
    else:
        text = t("meeting-reminded-one" if count == 1 else "meeting-reminded-other", count=count)
    return f"{text}\n\n{paper}" if paper else text


async def ask_record_approval(
    query: CallbackQuery, callback_data: MmCb, actor: Actor, uow: UnitOfWork
) -> None:
    """ "✍️ Registrér godkendelse for …": a member without Telegram approved on paper or in
    person; the secretary confirms before it is stored in their name."""
    cb = callback_data
    view = await load_view(uow, actor, cb.moede_id)
    if not rules.can_edit_udvalg(actor, view.udvalg.id or 0):
        raise NotAllowed("err-not-secretary")
    line = view.member_from_button(cb.item)
    await query.answer()
    yes = MmCb(action="recappyes", moede_id=cb.moede_id, rev=cb.rev, item=cb.item)
    back = MmCb(action="status", moede_id=cb.moede_id, rev=view.rev)
    await (await chat_message(query)).answer(
        t(
            "roster-record-ask",
            name=line.ref().label(),
            code=view.udvalg.code,
            date=format_date(view.moede.date),
        ),
        reply_markup=markup(
            [[button(t("roster-btn-record-yes"), yes)], [button(t("meeting-btn-status"), back)]]
        ),
    )


async def record_approval(
    query: CallbackQuery,
    callback_data: MmCb,
    actor: Actor,
    uow: UnitOfWork,
    config: ChatConfig,
    texts: Texts,
    outbox_wake: Callable[[], None] | None = None,
) -> None:
    """The approval is stored with the secretary as the one who recorded it (audited); the
    last one locks the protocol as a member's own approval does."""
    cb = callback_data
    message = await chat_message(query)
    try:
        result = await approval.record_approval(
            uow, actor, cb.moede_id, cb.item, cb.rev, config.now(), texts
        )
    except StaleView:
        await query.answer(plain("err-meeting-stale"), show_alert=True)
        await send_protokol_menu(message, await load_view(uow, actor, cb.moede_id), config.timezone)
        return
    if result.locked_now and outbox_wake is not None:
        outbox_wake()
    line = result.view.member(cb.item)
    name = line.person.name if line else ""
    when = to_local(result.approved_at, config.timezone)
    await query.answer()
    key = "roster-recorded" if result.new else "roster-recorded-before"
    await message.answer(
        t(key, name=name, date=format_date(when.date()), time=format_time(when.time()))
    )
    await send_protokol_menu(message, await load_view(uow, actor, cb.moede_id), config.timezone)


async def show_status(
    query: CallbackQuery, callback_data: MmCb, actor: Actor, uow: UnitOfWork, config: ChatConfig
) -> None:
    view = await load_view(uow, actor, callback_data.moede_id)
    if not rules.can_edit_udvalg(actor, view.udvalg.id or 0):
        raise NotAllowed("err-not-secretary")
    await query.answer()
    await (await chat_message(query)).answer(
        protokol_status_text(view, config.timezone), reply_markup=protokol_keyboard(view)
    )


async def approve_protokol(
    query: CallbackQuery,
    callback_data: ApproveCb,
    actor: Actor,
    uow: UnitOfWork,
    config: ChatConfig,
    texts: Texts,
    outbox_wake: Callable[[], None] | None = None,
) -> None:
    """The last approval locks the protocol; the service queues the secretaries' notice and
    the decisions summary with it."""
    cb = callback_data
    result = await approval.approve(uow, actor, cb.moede_id, cb.rev, config.now(), texts)
    if result.locked_now and outbox_wake is not None:
        outbox_wake()
    when = to_local(result.approved_at, config.timezone)
    text = t(
        "meeting-approved" if result.new else "meeting-approved-before",
        date=format_date(when.date()),
        time=format_time(when.time()),
    )
    await query.answer(clip(text, 200))
    if not result.new:
        # A double tap: answered above; the buttons are already gone, so nothing is edited.
        return
    message = await chat_message(query)
    await message.edit_reply_markup(reply_markup=None)
    await message.answer(text)


# --- re-open ---------------------------------------------------------------------------------


class Reopen(StatesGroup):
    """The secretary types why the protocol is re-opened (``moede_id`` and ``rev`` in data)."""

    reason = State()


async def ask_reopen(
    query: CallbackQuery, callback_data: MmCb, actor: Actor, uow: UnitOfWork, state: FSMContext
) -> None:
    """ "🔓 Genåbn protokol": the reason comes next (typed); /annuller keeps it as it is."""
    cb = callback_data
    view = await load_view(uow, actor, cb.moede_id)
    if not rules.can_edit_udvalg(actor, view.udvalg.id or 0):
        raise NotAllowed("err-not-secretary")
    if not view.state.frozen:
        await query.answer(plain("err-protokol-not-frozen"), show_alert=True)
        return
    await state.set_state(Reopen.reason)
    await state.set_data({"moede_id": cb.moede_id, "rev": view.rev})
    await query.answer()
    await (await chat_message(query)).answer(t("meeting-reopen-ask"))


async def typed_reopen_reason(
    message: Message,
    state: FSMContext,
    actor: Actor,
    uow: UnitOfWork,
    config: ChatConfig,
    texts: Texts,
    outbox_wake: Callable[[], None] | None = None,
) -> None:
    data = await state.get_data()
    moede_id, rev = int(data.get("moede_id", 0)), int(data.get("rev", 0))
    try:
        result = await approval.reopen(
            uow, actor, moede_id, rev, message.text or "", config.now(), texts
        )
    except InvalidInput as exc:
        await message.answer(t(exc.key, **exc.params) + "\n" + t("meeting-try-again"))
        return
    await state.clear()
    if result.told and outbox_wake is not None:
        outbox_wake()
    told = len(result.told)
    plural = {0: "meeting-reopened-none", 1: "meeting-reopened-one"}
    key = plural.get(told, "meeting-reopened-other")
    await message.answer(t(key, count=told))
    await send_protokol_menu(message, await load_view(uow, actor, moede_id), config.timezone)


async def keep_locked(query: CallbackQuery) -> None:
    """An old "Nej, behold" button from before reasons were asked for."""
    await query.answer()
    await (await chat_message(query)).edit_text(t("meeting-reopen-kept"))


def setup() -> Router:
    router = Router(name="protocol")
    router.message.filter(F.chat.type == "private")
    router.message.register(protokol_command, Command("protokol", "minutes"))
    router.message.register(dagsorden_docx_command, Command("dagsorden_docx"))
    router.message.register(
        typed_reopen_reason, StateFilter(Reopen.reason), F.text, ~F.text.startswith("/")
    )
    cb = router.callback_query
    cb.register(doc_button, MmCb.filter(F.action == "doc"))
    cb.register(public_doc_button, MmCb.filter(F.action == "docpub"))
    cb.register(send_for_approval, MmCb.filter(F.action == "send"))
    cb.register(show_status, MmCb.filter(F.action == "status"))
    cb.register(send_anyway, MmCb.filter(F.action == "sendforce"))
    cb.register(ask_reopen, MmCb.filter(F.action.in_({"reopen", "reopenyes"})))
    cb.register(keep_locked, MmCb.filter(F.action == "reopenno"))
    cb.register(approve_protokol, ApproveCb.filter())
    cb.register(ask_record_approval, MmCb.filter(F.action == "recapp"))
    cb.register(record_approval, MmCb.filter(F.action == "recappyes"))
    return router
