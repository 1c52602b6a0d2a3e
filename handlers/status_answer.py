"""The tovholder's answer in chat: /status, an indsats chosen on the prompt, the colour, the text,
an attachment, the confirmation.

Each tovholder gets one prompt per round: a list of their indsatser with a button each and the
progress ("3 af 13 besvaret"), edited in place as answers come in (also answers of a co-owner).
A tap on an indsats shows it (its goal, the last status, the colour buttons); the tovholder
writes the status, may attach a file, and confirms; then the next unanswered indsats follows.
/status never sends the prompt a second time: it points to it (or sends it now when it was
still waiting); "📋 Vis listen igen" sends a fresh copy on request. With no round open, /status
offers the indsatser to answer before the next round opens. The answer being written is a
``StatusDraft`` kept in the dialog state (the database or Redis), so a restart in the middle of
an answer loses nothing. A button of a closed or older round is refused.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message, ReplyParameters

from agendas import rules
from agendas.chatviews import Texts
from agendas.errors import InvalidInput
from agendas.model import Actor
from agendas.plans import COLOUR_LABELS, AttachmentRef, StatusColour
from agendas.ports import UnitOfWork
from agendas.status.prompts import indsats_prompt
from handlers import long_text
from handlers.callbacks import StatusCb
from handlers.chat import chat_message, clip
from handlers.context import ChatConfig
from handlers.status_chat import apply_edits, drop_buttons, keyboard, status_button
from handlers.texts import error_text, plain, t

if TYPE_CHECKING:
    from agendas.status.answers import PendingIndsats
    from agendas.status.draft import StatusDraft

log = logging.getLogger(__name__)

DATA_KEY = "status_answer"
MAX_ATTACHMENT_BYTES = rules.MAX_BILAG_BYTES
COLOUR_ACTIONS = frozenset(c.value for c in StatusColour)
#: Every action of a status button, in this router and the other status routers.
ACTIONS = COLOUR_ACTIONS | {
    "same", "answer", "edit", "skip", "ok", "list",  # here
    "handover", "give", "away", "awayd", "awayend",  # handlers.status_people
    "report", "view", "redset",  # handlers.status_overview
}  # fmt: skip


class StatusFlow(StatesGroup):
    text = State()
    attachment = State()
    confirm = State()


async def show_prompt(target: Message, item: PendingIndsats) -> None:
    """One indsats with its colour buttons and "Giv videre"."""
    from agendas.status import answers

    out = indsats_prompt(item.plan, item.indsats, item.status_round, item.previous, t, item.goal)
    text = out.text
    if item.answer is not None:
        text += "\n\n" + answers.answered_line(item, t)
    round_id = item.status_round.id or 0 if item.status_round is not None else 0
    extra = []
    if item.status_round is not None:
        extra.append(
            [status_button(t("status-btn-handover"), "handover", item.indsats.id or 0, round_id)]
        )
    await target.answer(text, reply_markup=keyboard(out, extra))


async def _next_or_done(
    target: Message, actor: Actor, uow: UnitOfWork, config: ChatConfig, early: bool
) -> None:
    from agendas.status import answers

    if early:
        await target.answer(t("status-early-done"))
        return
    pending = await answers.pending_for(uow, actor, config.now())
    waiting = [p for p in pending if p.answer is None]
    if waiting:
        key = "status-next-one" if len(waiting) == 1 else "status-next-other"
        await target.answer(t(key, count=len(waiting)))
        await show_prompt(target, waiting[0])
    else:
        await target.answer(t("status-all-done"))


async def status_command(
    message: Message,
    actor: Actor,
    uow: UnitOfWork,
    state: FSMContext,
    config: ChatConfig,
    texts: Texts,
    outbox_wake: Callable[[], None] | None = None,
) -> None:
    """/status: where the prompt of each running round is; with none, answers in advance."""
    from agendas.status import answers, mine

    await _forget(state)
    places = await mine.my_prompts(uow, actor, config.now(), texts)
    if outbox_wake is not None and any(p.where is None for p in places):
        outbox_wake()
    for place in places:
        params = {"plan": place.plan.named, "done": place.done, "total": place.total}
        again = status_button(t("status-btn-list"), "list", 0, place.status_round.id or 0)
        if place.where is None:
            await message.answer(t("status-prompt-coming", **params))
            continue
        await message.answer(
            t("status-prompt-here", **params),
            reply_parameters=ReplyParameters(
                message_id=place.where[1], allow_sending_without_reply=True
            ),
            reply_markup=InlineKeyboardMarkup(inline_keyboard=[[again]]),
        )
    if places:
        return
    early = await answers.pending_for(uow, actor, config.now(), early=True)
    if not early:
        await message.answer(t("status-none-open"))
        return
    rows = [[status_button(clip(_label(p)), "answer", p.indsats.id or 0, 0)] for p in early[:90]]
    await message.answer(
        t(
            "status-early-offer-one" if len(early) == 1 else "status-early-offer-other",
            count=len(early),
        ),
        reply_markup=InlineKeyboardMarkup(inline_keyboard=rows),
    )


def _label(item: PendingIndsats) -> str:
    if item.answer is None:
        return f"⬜ {item.indsats.title}"
    return f"{COLOUR_LABELS[item.answer.colour]}: {item.indsats.title}"


async def on_list(
    query: CallbackQuery,
    callback_data: StatusCb,
    actor: Actor,
    uow: UnitOfWork,
    config: ChatConfig,
    texts: Texts,
    bot: Bot,
) -> None:
    """ "📋 Vis listen igen": a fresh copy of the prompt, which is kept up to date from now."""
    from agendas.status import mine

    message = await chat_message(query)
    out = await mine.prompt_again(uow, actor, callback_data.round_id, config.now(), texts)
    await query.answer()
    sent = await message.answer(out.text, reply_markup=keyboard(out))
    before = await mine.remember_prompt(
        uow, callback_data.round_id, actor.person_id, sent.chat.id, sent.message_id
    )
    await drop_buttons(bot, before)


# --- the draft in the dialog state ---------------------------------------------------------------


async def _forget(state: FSMContext) -> None:
    data = await state.get_data()
    if DATA_KEY in data:
        data.pop(DATA_KEY)
        await state.set_data(data)
    if await state.get_state() in (s.state for s in StatusFlow.__all_states__):
        await state.set_state(None)


async def _draft(state: FSMContext) -> StatusDraft | None:
    from agendas.status.draft import StatusDraft

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
    if draft.round_id == 0:
        lines.append(t("status-confirm-early"))
    return "\n\n".join(lines)


async def _ask_confirmation(target: Message, state: FSMContext, draft: StatusDraft) -> None:
    await _keep(state, draft, StatusFlow.confirm)
    ids = (draft.indsats_id, draft.round_id)
    buttons = [
        status_button(t("status-btn-ok"), "ok", *ids),
        status_button(t("status-btn-edit"), "edit", *ids),
    ]
    await target.answer(
        confirmation(draft), reply_markup=InlineKeyboardMarkup(inline_keyboard=[buttons])
    )


# --- buttons -------------------------------------------------------------------------------------


async def _pending(
    query: CallbackQuery, cb: StatusCb, actor: Actor, uow: UnitOfWork, config: ChatConfig
) -> PendingIndsats:
    """The indsats of the button; refused (an alert) when the round is closed, old, not theirs."""
    from agendas.status import answers

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
    from agendas.status.draft import StatusDraft

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
    from agendas.status.draft import StatusDraft

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
    """An indsats chosen on the prompt (or "Ret" on a confirmation): the indsats to answer."""
    message = await chat_message(query)
    item = await _pending(query, callback_data, actor, uow, config)
    await _forget(state)
    await show_prompt(message, item)


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
    texts: Texts,
    bot: Bot,
    outbox_wake: Callable[[], None] | None = None,
) -> None:
    """Confirmed: the answer is stored, the prompts show it, then the next indsats follows."""
    from agendas.status import answers

    message = await chat_message(query)
    draft = await _draft_for(state, callback_data)
    if draft is None:
        await query.answer(plain("err-stale-button"), show_alert=True)
        return
    recorded = await answers.record_draft(uow, actor, draft, config.now(), texts)
    await query.answer(plain("status-saved-alert"))
    await _forget(state)
    if recorded.alerts and outbox_wake is not None:
        outbox_wake()
    try:
        await message.edit_reply_markup(reply_markup=None)
    except TelegramBadRequest as exc:
        log.debug("Buttons already gone: %s", exc.message)
    await apply_edits(bot, recorded.edits)
    key = "status-saved-early" if draft.round_id == 0 else "status-saved"
    text = t(key, indsats=draft.title)
    if recorded.alerts:
        text += "\n" + t("status-red-told")
    await message.answer(text)
    await _next_or_done(message, actor, uow, config, early=draft.round_id == 0)


async def on_unknown(query: CallbackQuery) -> None:
    await query.answer(plain("err-stale-button"), show_alert=True)


# --- typed answers -------------------------------------------------------------------------------


async def on_text(message: Message, state: FSMContext) -> None:
    """The status text (a long pasted text joined from its parts): checked, kept in the draft,
    then the optional attachment."""
    draft = await _draft(state)
    if draft is None:
        await state.set_state(None)
        await message.answer(t("status-flow-lost"))
        return
    text = await long_text.gather(message, state)
    if text is None:
        return  # a long pasted text: more parts may follow
    try:
        draft = draft.with_text(text)
    except InvalidInput as exc:
        await message.answer(error_text(exc))
        return
    await _keep(state, draft, StatusFlow.attachment)
    skip = status_button(t("status-btn-skip"), "skip", draft.indsats_id, draft.round_id)
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
    router.callback_query.register(on_list, StatusCb.filter(F.action == "list"))
    router.callback_query.register(on_skip, StatusCb.filter(F.action == "skip"))
    router.callback_query.register(on_ok, StatusCb.filter(F.action == "ok"))
    router.callback_query.register(on_unknown, StatusCb.filter(~F.action.in_(ACTIONS)))
    return router
