"""The tovholder's answer in chat: /status, the colour, the text, an attachment, the confirmation,
and handing an indsats over to a colleague.

A tovholder taps grøn/gul/rød on a prompt (or types /status), writes the status, may attach a
file, and confirms what will be reported; then the next indsats of theirs in a running round
follows in the same flow. "Ingen ændring" goes straight to the confirmation with the last
answer. The answer being written is a ``StatusDraft`` kept in the dialog state (the database or
Redis), so a restart of the bot in the middle of an answer loses nothing. A button of a closed or
older round is refused.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from aiogram import F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from agendas import rules
from agendas.chatviews import Texts
from agendas.dates import format_date, format_time, to_local
from agendas.errors import InvalidInput
from agendas.mailings import OutMessage
from agendas.model import Actor
from agendas.plans import COLOUR_LABELS, AttachmentRef, StatusColour
from agendas.ports import UnitOfWork
from agendas.status import answers
from agendas.status.answers import PendingIndsats
from agendas.status.draft import StatusDraft
from agendas.status.prompts import prompt
from handlers.callbacks import StatusCb, pack_button
from handlers.chat import chat_message, clip
from handlers.context import ChatConfig
from handlers.texts import error_text, plain, t

log = logging.getLogger(__name__)

DATA_KEY = "status_answer"
#: Telegram's caption limit; the confirmation is a message, so the text may be longer.
MAX_ATTACHMENT_BYTES = rules.MAX_BILAG_BYTES
COLOUR_ACTIONS = frozenset(c.value for c in StatusColour)
#: Every action of a status button; "report" is the secretary's (``handlers.status_overview``).
ACTIONS = COLOUR_ACTIONS | {"same", "answer", "edit", "handover", "give", "skip", "ok", "report"}


class StatusFlow(StatesGroup):
    text = State()
    attachment = State()
    confirm = State()


def _keyboard(message: OutMessage, extra: list[list[InlineKeyboardButton]]) -> Any:
    rows = [
        [InlineKeyboardButton(text=b.label, callback_data=pack_button(b)) for b in row]
        for row in message.buttons
    ]
    rows.extend(extra)
    return InlineKeyboardMarkup(inline_keyboard=rows) if rows else None


def _button(key_or_text: str, action: str, indsats_id: int, round_id: int, value: int = 0) -> Any:
    return InlineKeyboardButton(
        text=key_or_text,
        callback_data=StatusCb(
            action=action, indsats_id=indsats_id, round_id=round_id, value=value
        ).pack(),
    )


def _deadline(item: PendingIndsats, zone: str) -> str:
    local = to_local(item.status_round.deadline, zone)
    return f"{format_date(local.date())} kl. {format_time(local.time())}"


async def show_prompt(target: Message, item: PendingIndsats, config: ChatConfig) -> None:
    """The prompt of one indsats with its colour buttons and "Giv videre"."""
    out = prompt(item.plan, item.indsats, item.status_round, item.previous, t)
    text = out.text
    if item.answer is not None:
        text += "\n\n" + t(
            "status-already-answered",
            colour=COLOUR_LABELS[item.answer.colour],
            date=format_date(to_local(item.answer.answered_at, config.timezone).date()),
        )
    ids = (item.indsats.id or 0, item.status_round.id or 0)
    handover = _button(t("status-btn-handover"), "handover", *ids)
    await target.answer(text, reply_markup=_keyboard(out, [[handover]]))


async def _next_or_done(target: Message, actor: Actor, uow: UnitOfWork, config: ChatConfig) -> None:
    pending = await answers.pending_for(uow, actor, config.now())
    waiting = [p for p in pending if p.answer is None]
    if waiting:
        await target.answer(t("status-next", count=len(waiting)))
        await show_prompt(target, waiting[0], config)
    else:
        await target.answer(t("status-all-done"))


def _answered_keyboard(pending: list[PendingIndsats]) -> InlineKeyboardMarkup:
    """One button per indsats (with its colour) to change an answer."""
    rows = []
    for p in pending:
        label = (
            f"{COLOUR_LABELS[p.answer.colour]}: {p.indsats.title}" if p.answer else p.indsats.title
        )
        rows.append([_button(clip(label), "answer", p.indsats.id or 0, p.status_round.id or 0)])
    return InlineKeyboardMarkup(inline_keyboard=rows)


async def status_command(
    message: Message, actor: Actor, uow: UnitOfWork, state: FSMContext, config: ChatConfig
) -> None:
    """/status: the first unanswered indsats; when all are answered, buttons to change one."""
    await _forget(state)
    pending = await answers.pending_for(uow, actor, config.now())
    if not pending:
        await message.answer(t("status-none-open"))
        return
    waiting = [p for p in pending if p.answer is None]
    if waiting:
        if len(waiting) > 1:
            await message.answer(t("status-next", count=len(waiting)))
        await show_prompt(message, waiting[0], config)
        return
    await message.answer(
        t("status-all-answered", deadline=_deadline(pending[0], config.timezone)),
        reply_markup=_answered_keyboard(pending),
    )


# --- the draft in the dialog state ---------------------------------------------------------------


async def _forget(state: FSMContext) -> None:
    data = await state.get_data()
    if DATA_KEY in data:
        data.pop(DATA_KEY)
        await state.set_data(data)
    if await state.get_state() in (s.state for s in StatusFlow.__all_states__):
        await state.set_state(None)


async def _draft(state: FSMContext) -> StatusDraft | None:
    return StatusDraft.from_data((await state.get_data()).get(DATA_KEY))


async def _keep(state: FSMContext, draft: StatusDraft, step: State) -> None:
    await state.update_data({DATA_KEY: draft.to_data()})
    await state.set_state(step)


async def _draft_for(state: FSMContext, callback_data: StatusCb) -> StatusDraft | None:
    """The draft the button belongs to (None: another indsats, or no answer under way)."""
    draft = await _draft(state)
    if draft is None or not draft.belongs_to(callback_data.round_id, callback_data.indsats_id):
        return None
    return draft


def confirmation(draft: StatusDraft) -> str:
    lines = [
        t("status-confirm-head", indsats=draft.title),
        t("status-confirm-colour", colour=COLOUR_LABELS[draft.colour]),
    ]
    if draft.unchanged:
        lines.append(t("status-confirm-unchanged"))
    lines.append(t("status-confirm-text", text=draft.text))
    if draft.attachment is not None:
        lines.append(t("status-confirm-attachment", name=draft.attachment.file_name))
    return "\n\n".join(lines)


async def _ask_confirmation(target: Message, state: FSMContext, draft: StatusDraft) -> None:
    await _keep(state, draft, StatusFlow.confirm)
    ids = (draft.indsats_id, draft.round_id)
    buttons = [_button(t("status-btn-ok"), "ok", *ids), _button(t("status-btn-edit"), "edit", *ids)]
    await target.answer(
        confirmation(draft), reply_markup=InlineKeyboardMarkup(inline_keyboard=[buttons])
    )


# --- buttons -------------------------------------------------------------------------------------


async def _pending(
    query: CallbackQuery, cb: StatusCb, actor: Actor, uow: UnitOfWork, config: ChatConfig
) -> PendingIndsats:
    """The indsats of the button; refused (an alert) when the round is closed, old, not theirs."""
    item = await answers.pending_item(uow, actor, cb.round_id, cb.indsats_id, config.now())
    await query.answer()
    return item


async def on_colour(
    query: CallbackQuery,
    callback_data: StatusCb,
    actor: Actor,
    uow: UnitOfWork,
    state: FSMContext,
    config: ChatConfig,
) -> None:
    """Grøn, gul or rød: the text is asked for next."""
    message = await chat_message(query)
    item = await _pending(query, callback_data, actor, uow, config)
    colour = StatusColour(callback_data.action)
    draft = StatusDraft(
        callback_data.round_id, callback_data.indsats_id, item.indsats.title, colour
    )
    await _keep(state, draft, StatusFlow.text)
    await message.answer(
        t("status-ask-text", indsats=item.indsats.title, colour=COLOUR_LABELS[colour])
    )


async def on_same(
    query: CallbackQuery,
    callback_data: StatusCb,
    actor: Actor,
    uow: UnitOfWork,
    state: FSMContext,
    config: ChatConfig,
) -> None:
    """ "Ingen ændring": the last answer, to confirm."""
    message = await chat_message(query)
    item = await _pending(query, callback_data, actor, uow, config)
    draft = StatusDraft.unchanged_from(
        callback_data.round_id, callback_data.indsats_id, item.indsats.title, item.previous
    )
    await _ask_confirmation(message, state, draft)


async def on_answer(
    query: CallbackQuery,
    callback_data: StatusCb,
    actor: Actor,
    uow: UnitOfWork,
    state: FSMContext,
    config: ChatConfig,
) -> None:
    """ "Ret" on a confirmation, or an indsats chosen to change: its prompt again."""
    message = await chat_message(query)
    item = await _pending(query, callback_data, actor, uow, config)
    await _forget(state)
    await show_prompt(message, item, config)


async def on_handover(
    query: CallbackQuery,
    callback_data: StatusCb,
    actor: Actor,
    uow: UnitOfWork,
    config: ChatConfig,
) -> None:
    """ "Giv videre": the colleagues the indsats may go to."""
    message = await chat_message(query)
    item = await _pending(query, callback_data, actor, uow, config)
    people = await answers.colleagues(uow, actor, item.indsats.id or 0)
    if not people:
        await message.answer(t("status-handover-nobody"))
        return
    ids = (item.indsats.id or 0, item.status_round.id or 0)
    rows = [[_button(clip(person.name), "give", *ids, value=person.id or 0)] for person in people]
    await message.answer(
        t("status-handover-ask", indsats=item.indsats.title),
        reply_markup=InlineKeyboardMarkup(inline_keyboard=rows),
    )


async def on_give(
    query: CallbackQuery,
    callback_data: StatusCb,
    actor: Actor,
    uow: UnitOfWork,
    config: ChatConfig,
    texts: Texts,
    outbox_wake: Callable[[], None] | None = None,
) -> None:
    """The colleague chosen: the indsats is theirs now."""
    message = await chat_message(query)
    indsats, person = await answers.hand_over(
        uow, actor, callback_data.indsats_id, callback_data.value, config.now(), texts
    )
    await query.answer()
    if outbox_wake is not None:
        outbox_wake()
    await message.answer(t("status-handover-done", indsats=indsats.title, name=person.name))
    await _next_or_done(message, actor, uow, config)


async def on_skip(query: CallbackQuery, callback_data: StatusCb, state: FSMContext) -> None:
    """No attachment: the confirmation."""
    message = await chat_message(query)
    draft = await _draft_for(state, callback_data)
    if draft is None:
        await query.answer(plain("err-stale-button"), show_alert=True)
        return
    await query.answer()
    await _ask_confirmation(message, state, draft)


async def on_ok(
    query: CallbackQuery,
    callback_data: StatusCb,
    actor: Actor,
    uow: UnitOfWork,
    state: FSMContext,
    config: ChatConfig,
) -> None:
    """Confirmed: the answer is stored, then the next indsats follows."""
    message = await chat_message(query)
    draft = await _draft_for(state, callback_data)
    if draft is None:
        await query.answer(plain("err-stale-button"), show_alert=True)
        return
    await answers.record_draft(uow, actor, draft, config.now())
    await query.answer(plain("status-saved-alert"))
    await _forget(state)
    try:
        await message.edit_reply_markup(reply_markup=None)
    except TelegramBadRequest as exc:
        log.debug("Buttons already gone: %s", exc.message)
    await message.answer(t("status-saved", indsats=draft.title))
    await _next_or_done(message, actor, uow, config)


async def on_unknown(query: CallbackQuery) -> None:
    await query.answer(plain("err-stale-button"), show_alert=True)


# --- typed answers -------------------------------------------------------------------------------


async def on_text(message: Message, state: FSMContext) -> None:
    """The status text: checked, kept in the draft, then the optional attachment."""
    draft = await _draft(state)
    if draft is None:
        await state.set_state(None)
        await message.answer(t("status-flow-lost"))
        return
    try:
        draft = draft.with_text(message.text or "")
    except InvalidInput as exc:
        await message.answer(error_text(exc))
        return
    await _keep(state, draft, StatusFlow.attachment)
    skip = _button(t("status-btn-skip"), "skip", draft.indsats_id, draft.round_id)
    await message.answer(
        t("status-ask-attachment"), reply_markup=InlineKeyboardMarkup(inline_keyboard=[[skip]])
    )


async def on_attachment(message: Message, state: FSMContext) -> None:
    draft = await _draft(state)
    if draft is None:
        await state.set_state(None)
        await message.answer(t("status-flow-lost"))
        return
    document = message.document
    if document is None:
        await message.answer(t("status-attachment-expected"))
        return
    if document.file_size is not None and document.file_size > MAX_ATTACHMENT_BYTES:
        await message.answer(
            t("err-bilag-too-large", limit_mb=MAX_ATTACHMENT_BYTES // (1024 * 1024))
        )
        return
    name = (document.file_name or "bilag")[:200]
    attachment = AttachmentRef(document.file_id, name, document.file_size or 0)
    await _ask_confirmation(message, state, draft.with_attachment(attachment))


async def on_confirm_text(message: Message) -> None:
    await message.answer(t("status-confirm-use-buttons"))


def setup() -> Router:
    router = Router(name="status_answer")
    router.message.filter(F.chat.type == "private")
    router.message.register(status_command, Command("status"))
    router.message.register(on_text, StateFilter(StatusFlow.text), F.text)
    router.message.register(on_attachment, StateFilter(StatusFlow.attachment))
    router.message.register(on_confirm_text, StateFilter(StatusFlow.confirm))
    router.callback_query.register(on_colour, StatusCb.filter(F.action.in_(COLOUR_ACTIONS)))
    router.callback_query.register(on_same, StatusCb.filter(F.action == "same"))
    router.callback_query.register(on_answer, StatusCb.filter(F.action.in_({"answer", "edit"})))
    router.callback_query.register(on_handover, StatusCb.filter(F.action == "handover"))
    router.callback_query.register(on_give, StatusCb.filter(F.action == "give"))
    router.callback_query.register(on_skip, StatusCb.filter(F.action == "skip"))
    router.callback_query.register(on_ok, StatusCb.filter(F.action == "ok"))
    router.callback_query.register(on_unknown, StatusCb.filter(~F.action.in_(ACTIONS)))
    return router
