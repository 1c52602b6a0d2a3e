"""Status rounds in chat: the tovholder's answer flow, the secretary's overview, plans by upload.

A tovholder taps grøn/gul/rød on a prompt (or types /status), writes the status, may attach a
file, and confirms what will be reported; then the next indsats of theirs in a running round
follows in the same flow. "Ingen ændring" goes straight to the confirmation with the last
answer. The dialog state lives in the FSM storage (the database or Redis), so a restart of the
bot in the middle of an answer loses nothing. A button of a closed or older round is refused.

The secretary: /statusoverblik (counts per colour, who is missing, what changed, a "Rapport"
button), /planer (with each plan's indsatser and a "Ret" button per indsats), /nyplan,
/nyindsats (a short dialog for tovholder, målgruppe and formål), /planskema PLAN REGEL,
/statusrunde PLAN, and a plan file (CSV or XLSX; for
a DOCX this router offers the plan next to ``handlers.imports``' meeting import).
"""

from __future__ import annotations

import asyncio
import html
import logging
from collections.abc import Callable
from typing import Any

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, CommandObject, StateFilter
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
from agendas.chatviews import Texts
from agendas.dates import format_date, format_time, to_local
from agendas.errors import InvalidInput
from agendas.mailings import OutMessage
from agendas.model import Actor
from agendas.plan_import import MAX_FILE_BYTES, parse_plan_file
from agendas.plans import (
    COLOUR_LABELS,
    PLAN_KIND_LABELS,
    AttachmentRef,
    Indsats,
    PlanKind,
    StatusColour,
    StatusSchedule,
    clean_plan_title,
    clean_status_text,
)
from agendas.ports import UnitOfWork
from agendas.services import committees, status
from agendas.services.status import PendingIndsats
from agendas.status_prompts import prompt
from handlers import imports
from handlers.callbacks import IndsatsCb, PlanCb, StatusCb, pack_button
from handlers.cancel import CANCEL_NOTE
from handlers.chat import chat_message, clip
from handlers.context import ChatConfig
from handlers.texts import error_text, plain, t

log = logging.getLogger(__name__)

DATA_KEY = "status_answer"
UPLOAD_KEY = "plan_upload"
PLAN_SUFFIXES = (".csv", ".xlsx")
PLAN_MIME_TYPES = (
    "text/csv",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)
#: Telegram's caption limit; the confirmation is a message, so the text may be longer.
MAX_ATTACHMENT_BYTES = rules.MAX_BILAG_BYTES


class StatusFlow(StatesGroup):
    text = State()
    attachment = State()
    confirm = State()


class PlanFlow(StatesGroup):
    name = State()


def _keyboard(message: OutMessage, extra: list[list[InlineKeyboardButton]] | None = None) -> Any:
    rows = [
        [InlineKeyboardButton(text=b.label, callback_data=pack_button(b)) for b in row]
        for row in message.buttons
    ]
    rows.extend(extra or [])
    return InlineKeyboardMarkup(inline_keyboard=rows) if rows else None


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
    handover = InlineKeyboardButton(
        text=t("status-btn-handover"),
        callback_data=StatusCb(
            action="handover",
            indsats_id=item.indsats.id or 0,
            round_id=item.status_round.id or 0,
        ).pack(),
    )
    await target.answer(text, reply_markup=_keyboard(out, [[handover]]))


async def _next_or_done(target: Message, actor: Actor, uow: UnitOfWork, config: ChatConfig) -> None:
    pending = await status.pending_for(uow, actor, config.now())
    waiting = [p for p in pending if p.answer is None]
    if waiting:
        await target.answer(t("status-next", count=len(waiting)))
        await show_prompt(target, waiting[0], config)
    else:
        await target.answer(t("status-all-done"))


async def status_command(
    message: Message, actor: Actor, uow: UnitOfWork, state: FSMContext, config: ChatConfig
) -> None:
    """/status: the first unanswered indsats; when all are answered, buttons to change one."""
    await _forget(state)
    pending = await status.pending_for(uow, actor, config.now())
    if not pending:
        await message.answer(t("status-none-open"))
        return
    waiting = [p for p in pending if p.answer is None]
    if waiting:
        if len(waiting) > 1:
            await message.answer(t("status-next", count=len(waiting)))
        await show_prompt(message, waiting[0], config)
        return
    rows = [
        [
            InlineKeyboardButton(
                text=clip(f"{COLOUR_LABELS[p.answer.colour]}: {p.indsats.title}")
                if p.answer
                else clip(p.indsats.title),
                callback_data=StatusCb(
                    action="answer",
                    indsats_id=p.indsats.id or 0,
                    round_id=p.status_round.id or 0,
                ).pack(),
            )
        ]
        for p in pending
    ]
    await message.answer(
        t("status-all-answered", deadline=_deadline(pending[0], config.timezone)),
        reply_markup=InlineKeyboardMarkup(inline_keyboard=rows),
    )


async def _forget(state: FSMContext) -> None:
    data = await state.get_data()
    if DATA_KEY in data:
        data.pop(DATA_KEY)
        await state.set_data(data)
    if await state.get_state() in (s.state for s in StatusFlow.__all_states__):
        await state.set_state(None)


async def _waiting(state: FSMContext, callback_data: StatusCb) -> dict[str, Any] | None:
    data = (await state.get_data()).get(DATA_KEY)
    if (
        not isinstance(data, dict)
        or data.get("round") != callback_data.round_id
        or data.get("indsats") != callback_data.indsats_id
    ):
        return None
    return data


def confirmation(data: dict[str, Any]) -> str:
    colour = StatusColour(data["colour"])
    lines = [
        t("status-confirm-head", indsats=data["title"]),
        t("status-confirm-colour", colour=COLOUR_LABELS[colour]),
    ]
    if data.get("unchanged"):
        lines.append(t("status-confirm-unchanged"))
    lines.append(t("status-confirm-text", text=data["text"]))
    if data.get("file_name"):
        lines.append(t("status-confirm-attachment", name=data["file_name"]))
    return "\n\n".join(lines)


def _confirm_keyboard(data: dict[str, Any]) -> InlineKeyboardMarkup:
    def make(key: str, action: str) -> InlineKeyboardButton:
        return InlineKeyboardButton(
            text=t(key),
            callback_data=StatusCb(
                action=action, indsats_id=data["indsats"], round_id=data["round"]
            ).pack(),
        )

    return InlineKeyboardMarkup(
        inline_keyboard=[[make("status-btn-ok", "ok"), make("status-btn-edit", "edit")]]
    )


async def on_button(
    query: CallbackQuery,
    callback_data: StatusCb,
    actor: Actor,
    uow: UnitOfWork,
    state: FSMContext,
    config: ChatConfig,
    texts: Texts,
    outbox_wake: Callable[[], None] | None = None,
) -> None:
    message = await chat_message(query)
    action = callback_data.action
    if action == "report":
        await _send_report(query, message, callback_data, actor, uow, config)
        return
    if action in ("groen", "gul", "roed", "same", "answer", "edit", "handover"):
        # Refused here (an alert) when the round is closed, old, or not theirs.
        item = await status.pending_item(
            uow, actor, callback_data.round_id, callback_data.indsats_id, config.now()
        )
        await query.answer()
        if action in ("answer", "edit"):
            await _forget(state)
            await show_prompt(message, item, config)
            return
        if action == "handover":
            await _offer_colleagues(message, item, actor, uow)
            return
        data: dict[str, Any] = {
            "round": callback_data.round_id,
            "indsats": callback_data.indsats_id,
            "title": item.indsats.title,
        }
        if action == "same":
            if item.previous is None:
                raise InvalidInput("err-status-no-previous")
            data.update(colour=item.previous.colour.value, text=item.previous.text, unchanged=True)
            await state.update_data({DATA_KEY: data})
            await state.set_state(StatusFlow.confirm)
            await message.answer(confirmation(data), reply_markup=_confirm_keyboard(data))
            return
        data["colour"] = StatusColour(action).value
        await state.update_data({DATA_KEY: data})
        await state.set_state(StatusFlow.text)
        await message.answer(
            t(
                "status-ask-text",
                indsats=item.indsats.title,
                colour=COLOUR_LABELS[StatusColour(action)],
            )
        )
        return
    if action == "give":
        indsats, person = await status.hand_over(
            uow,
            actor,
            callback_data.indsats_id,
            callback_data.value,
            config.now(),
            texts,
        )
        await query.answer()
        if outbox_wake is not None:
            outbox_wake()
        await message.answer(t("status-handover-done", indsats=indsats.title, name=person.name))
        await _next_or_done(message, actor, uow, config)
        return
    waiting = await _waiting(state, callback_data)
    if waiting is None:
        await query.answer(plain("err-stale-button"), show_alert=True)
        return
    if action == "skip":
        await query.answer()
        await state.set_state(StatusFlow.confirm)
        await message.answer(confirmation(waiting), reply_markup=_confirm_keyboard(waiting))
        return
    if action == "ok":
        attachment = (
            AttachmentRef(waiting["file_id"], waiting["file_name"], int(waiting.get("size", 0)))
            if waiting.get("file_id")
            else None
        )
        await status.record_answer(
            uow,
            actor,
            callback_data.round_id,
            callback_data.indsats_id,
            None if waiting.get("unchanged") else StatusColour(waiting["colour"]),
            str(waiting.get("text", "")),
            config.now(),
            attachment,
        )
        await query.answer(plain("status-saved-alert"))
        await _forget(state)
        try:
            await message.edit_reply_markup(reply_markup=None)
        except TelegramBadRequest as exc:
            log.debug("Buttons already gone: %s", exc.message)
        await message.answer(t("status-saved", indsats=waiting["title"]))
        await _next_or_done(message, actor, uow, config)
        return
    await query.answer(plain("err-stale-button"), show_alert=True)


async def _offer_colleagues(
    message: Message, item: PendingIndsats, actor: Actor, uow: UnitOfWork
) -> None:
    people = await status.colleagues(uow, actor, item.indsats.id or 0)
    if not people:
        await message.answer(t("status-handover-nobody"))
        return
    rows = [
        [
            InlineKeyboardButton(
                text=clip(person.name),
                callback_data=StatusCb(
                    action="give",
                    indsats_id=item.indsats.id or 0,
                    round_id=item.status_round.id or 0,
                    value=person.id or 0,
                ).pack(),
            )
        ]
        for person in people
    ]
    await message.answer(
        t("status-handover-ask", indsats=item.indsats.title),
        reply_markup=InlineKeyboardMarkup(inline_keyboard=rows),
    )


async def on_text(message: Message, state: FSMContext) -> None:
    """The status text: checked, kept in the dialog, then the optional attachment."""
    data = (await state.get_data()).get(DATA_KEY)
    if not isinstance(data, dict):
        await state.set_state(None)
        await message.answer(t("status-flow-lost"))
        return
    try:
        text = clean_status_text(message.text or "")
    except InvalidInput as exc:
        await message.answer(error_text(exc))
        return
    data["text"] = text
    await state.update_data({DATA_KEY: data})
    await state.set_state(StatusFlow.attachment)
    skip = InlineKeyboardButton(
        text=t("status-btn-skip"),
        callback_data=StatusCb(
            action="skip", indsats_id=data["indsats"], round_id=data["round"]
        ).pack(),
    )
    await message.answer(
        t("status-ask-attachment"), reply_markup=InlineKeyboardMarkup(inline_keyboard=[[skip]])
    )


async def on_attachment(message: Message, state: FSMContext) -> None:
    data = (await state.get_data()).get(DATA_KEY)
    if not isinstance(data, dict):
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
    data.update(
        file_id=document.file_id,
        file_name=(document.file_name or "bilag")[:200],
        size=document.file_size or 0,
    )
    await state.update_data({DATA_KEY: data})
    await state.set_state(StatusFlow.confirm)
    await message.answer(confirmation(data), reply_markup=_confirm_keyboard(data))


async def on_confirm_text(message: Message) -> None:
    await message.answer(t("status-confirm-use-buttons"))


# --- the secretary -------------------------------------------------------------------------------


def overview_text(item: status.RoundStatus, zone: str) -> str:
    counts = item.overview.counts
    deadline = to_local(item.status_round.deadline, zone)
    lines = [
        t(
            "status-overview-head",
            plan=item.plan.title,
            udvalg=item.udvalg.code,
            number=item.status_round.number,
            deadline=f"{format_date(deadline.date())} kl. {format_time(deadline.time())}",
            state=t(f"status-state-{item.status_round.state.value}"),
        ),
        t(
            "status-overview-counts",
            groen=counts.get(StatusColour.GROEN, 0),
            gul=counts.get(StatusColour.GUL, 0),
            roed=counts.get(StatusColour.ROED, 0),
            missing=len(item.overview.missing),
        ),
    ]
    if item.overview.missing:
        lines.append(t("status-overview-missing"))
        for indsats in item.overview.missing:
            who = item.tovholder_names.get(indsats.id or 0) or indsats.tovholder or "–"
            lines.append(t("status-overview-line", indsats=indsats.title, who=who))
    # A first answer is no change: only colours that differ from an earlier answer are shown.
    changed = [c for c in item.overview.changed if c[1] is not None]
    if changed:
        lines.append(t("status-overview-changed"))
        for indsats, before, after in changed:
            lines.append(
                t(
                    "status-overview-change",
                    indsats=indsats.title,
                    before=status.colour_word(before),
                    after=COLOUR_LABELS[after],
                )
            )
    return "\n".join(lines)


async def overview_command(
    message: Message, actor: Actor, uow: UnitOfWork, config: ChatConfig
) -> None:
    items = await status.round_overviews(uow, actor)
    if not items:
        await message.answer(t("status-overview-none"))
        return
    for item in items:
        report = InlineKeyboardButton(
            text=t("status-btn-report"),
            callback_data=StatusCb(
                action="report",
                indsats_id=item.plan.id or 0,
                round_id=item.status_round.id or 0,
                value=item.status_round.number,
            ).pack(),
        )
        text = overview_text(item, config.timezone)
        if len(text) > 4000:
            text = text[:3990] + "…"
        await message.answer(text, reply_markup=InlineKeyboardMarkup(inline_keyboard=[[report]]))


async def _send_report(
    query: CallbackQuery,
    message: Message,
    callback_data: StatusCb,
    actor: Actor,
    uow: UnitOfWork,
    config: ChatConfig,
) -> None:
    file = await status.report_docx(
        uow,
        actor,
        callback_data.indsats_id,
        callback_data.value or None,
        config.timezone,
        config.docx_template,
    )
    await query.answer()
    await message.answer_document(
        BufferedInputFile(file.content, filename=file.file_name),
        caption=t(
            "status-report-ready", plan=file.report.plan_title, number=file.report.round_number
        ),
    )


async def plans_command(message: Message, actor: Actor, uow: UnitOfWork) -> None:
    listing = await status.list_plans(uow, actor)
    if not listing:
        await message.answer(t("plan-list-none"))
        return
    lines = [t("plan-list-head")]
    for entry in listing:
        rule = entry.plan.schedule.rule if entry.plan.schedule else t("plan-no-schedule")
        lines.append(
            t(
                "plan-list-line",
                plan_id=entry.plan.id,
                code=entry.udvalg.code,
                title=entry.plan.title,
                count=entry.indsatser,
                rule=rule,
            )
        )
    rows = [
        [
            _button(
                t("plan-btn-indsatser", plan_id=entry.plan.id, title=entry.plan.title),
                "list",
                entry.plan.id or 0,
            )
        ]
        for entry in listing[:90]
    ]
    await message.answer(
        "\n".join(lines)[:4000], reply_markup=InlineKeyboardMarkup(inline_keyboard=rows)
    )


def _plan_id(raw: str) -> int:
    value = raw.strip().lstrip("#")
    if not value.isdigit():
        raise InvalidInput("err-plan-id", value=raw.strip())
    return int(value)


async def schedule_command(
    message: Message, command: CommandObject, actor: Actor, uow: UnitOfWork, config: ChatConfig
) -> None:
    """/planskema PLAN REGEL, e.g. ``/planskema 3 første mandag i måneden kl. 9``."""
    parts = (command.args or "").split(maxsplit=1)
    if len(parts) < 2:
        await message.answer(t("plan-schedule-usage"))
        return
    plan, first = await status.set_schedule(
        uow,
        actor,
        _plan_id(parts[0]),
        StatusSchedule(rule=parts[1]),
        config.now(),
        config.timezone,
    )
    if first is None:
        await message.answer(t("plan-schedule-set-no-meeting", plan=plan.title, rule=parts[1]))
        return
    opens = to_local(first.opens_at, config.timezone)
    deadline = to_local(first.deadline, config.timezone)
    await message.answer(
        t(
            "plan-schedule-set",
            plan=plan.title,
            rule=parts[1],
            opens=f"{format_date(opens.date())} kl. {format_time(opens.time())}",
            deadline=f"{format_date(deadline.date())} kl. {format_time(deadline.time())}",
        )
    )


async def round_command(
    message: Message,
    command: CommandObject,
    actor: Actor,
    uow: UnitOfWork,
    config: ChatConfig,
    texts: Texts,
    outbox_wake: Callable[[], None] | None = None,
) -> None:
    """/statusrunde PLAN: open a round now (outside the schedule)."""
    if not (command.args or "").strip():
        await message.answer(t("status-round-usage"))
        return
    opened = await status.open_round_now(
        uow,
        actor,
        _plan_id(command.args or ""),
        config.now(),
        config.timezone,
        texts,
    )
    if outbox_wake is not None:
        outbox_wake()
    deadline = to_local(opened.status_round.deadline, config.timezone)
    await message.answer(
        t(
            "status-round-opened",
            plan=opened.plan.title,
            number=opened.status_round.number,
            prompts=opened.prompts,
            unreachable=len(opened.unreachable),
            deadline=f"{format_date(deadline.date())} kl. {format_time(deadline.time())}",
        )
    )


# --- plan upload ---------------------------------------------------------------------------------


def is_plan_file(file_name: str, mime_type: str) -> bool:
    return file_name.lower().endswith(PLAN_SUFFIXES) or (
        not file_name.lower().endswith((".docx", ".pdf", ".txt")) and mime_type in PLAN_MIME_TYPES
    )


async def _plan_codes(actor: Actor, uow: UnitOfWork) -> list[str]:
    return [
        u.code
        for u, _ in await committees.my_udvalg(uow, actor)
        if rules.can_edit_udvalg(actor, u.id or 0)
    ]


#: Refusals of a spreadsheet that is not readable at all: the meeting import answers those
#: (it says which files it takes, and how to attach a file as bilag instead).
UNREADABLE = frozenset({"err-plan-xlsx-invalid", "err-plan-xlsx-encrypted", "err-plan-file-bomb"})


async def _check_plan(bot: Bot, file_id: str, name: str) -> InvalidInput | None:
    """None when the file reads as a plan; else the refusal (checked like an import would)."""
    try:
        downloaded = await bot.download(file_id)
    except TelegramBadRequest as exc:
        log.warning("Could not download an upload to look for a plan: %s", exc.message)
        return InvalidInput("err-plan-file-unsupported", name=name)
    content = downloaded.read(MAX_FILE_BYTES + 1) if downloaded is not None else b""
    try:
        await asyncio.to_thread(parse_plan_file, content, name)
    except InvalidInput as exc:
        return exc
    return None


async def offer_plan(
    message: Message, actor: Actor, uow: UnitOfWork, state: FSMContext, bot: Bot
) -> None:
    """A plan file from a secretary (CSV, XLSX, or a DOCX whose table names an indsats column):
    which udvalg's plan? A DOCX also gets ``handlers.imports``' offer to import it as a meeting;
    a file that is no plan at all goes to that import, which says what it takes."""
    document = message.document
    assert document is not None
    name = document.file_name or "plan"
    docx = not is_plan_file(name, document.mime_type or "")
    too_large = document.file_size is not None and document.file_size > MAX_FILE_BYTES
    if docx:
        await imports.offer_import(message, actor, uow, state)
        if too_large or await _check_plan(bot, document.file_id, name) is not None:
            return
    elif too_large:
        await message.answer(t("err-plan-file-too-large", limit=MAX_FILE_BYTES // (1024 * 1024)))
        return
    elif (refusal := await _check_plan(bot, document.file_id, name)) is not None:
        if refusal.key in UNREADABLE:
            await imports.offer_import(message, actor, uow, state)
        else:
            await message.answer(error_text(refusal))
        return
    codes = await _plan_codes(actor, uow)
    if not codes:
        if not docx:  # the meeting offer has said so already
            await message.answer(t("import-upload-no-udvalg"))
        return
    await state.update_data(
        {
            UPLOAD_KEY: {
                "file_id": document.file_id,
                "name": name,
                "upload": message.message_id,
                "title": " ".join((message.caption or "").split())[:200],
            }
        }
    )
    rows = [
        [
            InlineKeyboardButton(
                text=t("plan-upload-btn", code=code),
                callback_data=PlanCb(code=code, upload=message.message_id).pack(),
            )
        ]
        for code in codes
    ]
    rows.append(
        [
            InlineKeyboardButton(
                text=t("import-upload-btn-no"),
                callback_data=PlanCb(code="", upload=message.message_id).pack(),
            )
        ]
    )
    await message.answer(
        t("plan-upload-offer", name=name), reply_markup=InlineKeyboardMarkup(inline_keyboard=rows)
    )


async def plan_chosen(
    query: CallbackQuery,
    callback_data: PlanCb,
    actor: Actor,
    uow: UnitOfWork,
    state: FSMContext,
    bot: Bot,
    config: ChatConfig,
) -> None:
    message = await chat_message(query)
    data = await state.get_data()
    waiting = data.get(UPLOAD_KEY)
    if not isinstance(waiting, dict) or waiting.get("upload") != callback_data.upload:
        await query.answer(plain("import-upload-stale"), show_alert=True)
        return
    await query.answer()
    try:
        await message.edit_reply_markup(reply_markup=None)
    except TelegramBadRequest as exc:
        log.debug("Buttons already gone: %s", exc.message)
    if not callback_data.code:
        data.pop(UPLOAD_KEY)
        await state.set_data(data)
        await message.answer(t("import-upload-declined"))
        return
    waiting["code"] = callback_data.code
    await state.update_data({UPLOAD_KEY: waiting})
    if not waiting.get("title"):
        await state.set_state(PlanFlow.name)
        await message.answer(t("plan-ask-name"))
        return
    await _import(message, actor, uow, state, bot, waiting, config)


async def plan_name(
    message: Message,
    actor: Actor,
    uow: UnitOfWork,
    state: FSMContext,
    bot: Bot,
    config: ChatConfig,
) -> None:
    waiting = (await state.get_data()).get(UPLOAD_KEY)
    if not isinstance(waiting, dict):
        await state.set_state(None)
        await message.answer(t("status-flow-lost"))
        return
    try:
        waiting["title"] = clean_plan_title(message.text or "")
    except InvalidInput as exc:
        await message.answer(error_text(exc))
        return
    await state.set_state(None)
    await _import(message, actor, uow, state, bot, waiting, config)


async def _import(
    message: Message,
    actor: Actor,
    uow: UnitOfWork,
    state: FSMContext,
    bot: Bot,
    waiting: dict[str, Any],
    config: ChatConfig,
) -> None:
    data = await state.get_data()
    data.pop(UPLOAD_KEY, None)
    await state.set_data(data)
    try:
        downloaded = await bot.download(str(waiting["file_id"]))
    except TelegramBadRequest as exc:
        log.warning("Could not download a plan upload: %s", exc.message)
        await message.answer(t("import-upload-download-failed"))
        return
    content = downloaded.read(MAX_FILE_BYTES + 1) if downloaded is not None else b""
    result = await asyncio.to_thread(parse_plan_file, content, str(waiting["name"]))
    imported = await status.import_plan(
        uow, actor, str(waiting["code"]), str(waiting["title"]), result, config.now()
    )
    await message.answer(import_summary(imported))


def import_summary(imported: status.ImportedPlan) -> str:
    lines = [
        t(
            "plan-import-done",
            title=imported.plan.title,
            plan_id=imported.plan.id,
            udvalg=imported.udvalg.code,
            count=len(imported.indsatser),
        )
    ]
    for indsats in imported.indsatser[:40]:
        lines.append(f"• {_esc(indsats.title)}")
    if len(imported.indsatser) > 40:
        lines.append("…")
    if imported.unknown_tovholdere:
        lines.append(
            t(
                "plan-import-unknown-tovholdere",
                names=", ".join(imported.unknown_tovholdere),
                code=imported.udvalg.code,
            )
        )
    if imported.unknown_columns:
        lines.append(t("plan-import-unknown-columns", columns=", ".join(imported.unknown_columns)))
    lines.append(t("plan-import-next", plan_id=imported.plan.id))
    return "\n".join(lines)[:4000]


def _esc(text: str) -> str:
    return html.escape(text, quote=False)


# --- plans and indsatser in chat ------------------------------------------------------------------

INDSATS_KEY = "indsats_dialog"
#: The fields the secretary may retype, in button order, with their catalogue labels.
EDIT_FIELDS = {
    "title": "plan-field-title",
    "maalgruppe": "plan-field-maalgruppe",
    "formaal": "plan-field-formaal",
    "tovholder": "plan-field-tovholder",
    "periode": "plan-field-periode",
    "samarbejdspartnere": "plan-field-samarbejdspartnere",
    "aktiviteter": "plan-field-aktiviteter",
}
#: The guided questions after /nyindsats, in order; each may be skipped.
DIALOG_STEPS = ("tovholder", "maalgruppe", "formaal")
STEP_QUESTIONS = {
    "tovholder": "plan-indsats-ask-tovholder",
    "maalgruppe": "plan-indsats-ask-maalgruppe",
    "formaal": "plan-indsats-ask-formaal",
}
MAX_TOVHOLDER_BUTTONS = 20


class IndsatsFlow(StatesGroup):
    tovholder = State()
    maalgruppe = State()
    formaal = State()
    edit = State()


def _button(text: str, action: str, target: int, value: int = 0) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        text=clip(text), callback_data=IndsatsCb(action=action, target=target, value=value).pack()
    )


async def new_plan_command(
    message: Message, command: CommandObject, actor: Actor, uow: UnitOfWork, config: ChatConfig
) -> None:
    """/nyplan [virksomhedsplan|genopretningsplan] KODE Titel: an empty plan."""
    words = (command.args or "").split()
    kind = PlanKind.HANDLEPLAN
    if words and words[0].lower() in {k.value for k in PlanKind}:
        kind = PlanKind(words[0].lower())
        words = words[1:]
    if not words:
        await message.answer(t("plan-new-usage"))
        return
    plan = await status.create_plan(uow, actor, words[0], " ".join(words[1:]), config.now(), kind)
    await message.answer(
        t(
            "plan-created",
            kind=PLAN_KIND_LABELS[plan.kind],
            title=plan.title,
            plan_id=plan.id,
            code=words[0].upper(),
        )
    )


async def new_indsats_command(
    message: Message,
    command: CommandObject,
    actor: Actor,
    uow: UnitOfWork,
    state: FSMContext,
    config: ChatConfig,
) -> None:
    """/nyindsats PLAN Titel: stores the indsats, then asks for tovholder, målgruppe, formål."""
    parts = (command.args or "").split(maxsplit=1)
    if not parts:
        await message.answer(t("plan-indsats-usage"))
        return
    title = parts[1] if len(parts) > 1 else ""
    indsats = await status.add_indsats(uow, actor, _plan_id(parts[0]), title, "", config.now())
    detail = await status.plan_detail(uow, actor, indsats.plan_id)
    data = {
        "indsats": indsats.id,
        "plan": indsats.plan_id,
        "title": indsats.title,
        "names": [p.name for p in detail.tovholdere][:MAX_TOVHOLDER_BUTTONS],
    }
    note = {
        "group": IndsatsFlow.__full_group_name__,
        "key": "plan-indsats-cancelled",
        "params": {"indsats": indsats.title},
    }
    await state.update_data({INDSATS_KEY: data, CANCEL_NOTE: note})
    await message.answer(t("plan-indsats-created", indsats=indsats.title, plan=detail.plan.title))
    await _ask(message, state, data, DIALOG_STEPS[0])


async def _ask(target: Message, state: FSMContext, data: dict[str, Any], step: str) -> None:
    await state.set_state(getattr(IndsatsFlow, step))
    rows: list[list[InlineKeyboardButton]] = []
    if step == "tovholder":
        rows = [[_button(name, "tov", data["indsats"], n)] for n, name in enumerate(data["names"])]
    rows.append([_button(t("status-btn-skip"), "skip", data["indsats"])])
    await target.answer(
        t(STEP_QUESTIONS[step], indsats=data["title"]),
        reply_markup=InlineKeyboardMarkup(inline_keyboard=rows),
    )


async def _advance(
    target: Message,
    state: FSMContext,
    data: dict[str, Any],
    step: str,
    actor: Actor,
    uow: UnitOfWork,
    config: ChatConfig,
) -> None:
    """The question after ``step``, or the end of the dialog: the answers are stored."""
    later = DIALOG_STEPS[DIALOG_STEPS.index(step) + 1 :]
    if later:
        await _ask(target, state, data, later[0])
        return
    for name, value in dict(data.get("answers", {})).items():
        if value:
            await status.edit_indsats(
                uow, actor, int(data["indsats"]), str(name), str(value), config.now()
            )
    await _leave(state)
    await target.answer(t("plan-indsats-done", indsats=data["title"], plan_id=data["plan"]))


async def _leave(state: FSMContext) -> None:
    data = await state.get_data()
    data.pop(INDSATS_KEY, None)
    data.pop(CANCEL_NOTE, None)
    await state.set_data(data)
    await state.set_state(None)


async def _dialog(state: FSMContext, indsats_id: int | None = None) -> dict[str, Any] | None:
    data = (await state.get_data()).get(INDSATS_KEY)
    if not isinstance(data, dict) or (indsats_id is not None and data.get("indsats") != indsats_id):
        return None
    return data


async def _current_step(state: FSMContext) -> str | None:
    current = await state.get_state()
    for step in DIALOG_STEPS:
        if current == getattr(IndsatsFlow, step).state:
            return step
    return None


async def on_indsats_text(
    message: Message, actor: Actor, uow: UnitOfWork, state: FSMContext, config: ChatConfig
) -> None:
    """A typed answer in the dialog (tovholder, målgruppe, formål) or a retyped field."""
    data = await _dialog(state)
    if data is None:
        await state.set_state(None)
        await message.answer(t("plan-indsats-flow-lost"))
        return
    step = await _current_step(state)
    if step is not None:
        # Kept in the dialog and stored when it is finished (/annuller stores nothing of it).
        answer = (message.text or "").strip()
        if len(answer) > status.MAX_INDSATS_FIELD:
            raise InvalidInput(
                "err-field-too-long", limit=status.MAX_INDSATS_FIELD, length=len(answer)
            )
        data.setdefault("answers", {})[step] = answer
        await state.update_data({INDSATS_KEY: data})
        await _advance(message, state, data, step, actor, uow, config)
        return
    name = str(data.get("field", ""))
    # A refusal (too long, empty title) leaves the question open: the error handler says so.
    indsats = await status.edit_indsats(
        uow, actor, int(data["indsats"]), name, message.text or "", config.now()
    )
    await _leave(state)
    await message.answer(
        t("plan-indsats-edited", field=t(EDIT_FIELDS[name]), indsats=indsats.title)
    )


async def on_indsats_button(
    query: CallbackQuery,
    callback_data: IndsatsCb,
    actor: Actor,
    uow: UnitOfWork,
    state: FSMContext,
    config: ChatConfig,
) -> None:
    message = await chat_message(query)
    action = callback_data.action
    if action == "list":
        detail = await status.plan_detail(uow, actor, callback_data.target)
        await query.answer()
        await _show_indsatser(message, detail)
        return
    if action == "edit":
        detail = await status.plan_detail(uow, actor, callback_data.value)
        found = [i for i in detail.indsatser if i.id == callback_data.target]
        if not found:
            await query.answer(plain("err-indsats-unknown-plan"), show_alert=True)
            return
        await query.answer()
        await state.set_state(None)
        await state.update_data(
            {INDSATS_KEY: {"indsats": found[0].id, "title": found[0].title, "field": ""}}
        )
        await _show_fields(message, found[0])
        return
    if action == "field" and 0 <= callback_data.value < len(EDIT_FIELDS):
        data = await _dialog(state, callback_data.target)
        if data is None or "field" not in data:
            await query.answer(plain("plan-indsats-stale"), show_alert=True)
            return
        await query.answer()
        name = list(EDIT_FIELDS)[callback_data.value]
        data["field"] = name
        await state.update_data({INDSATS_KEY: data})
        await state.set_state(IndsatsFlow.edit)
        await message.answer(
            t("plan-indsats-edit-ask", field=t(EDIT_FIELDS[name]), indsats=data["title"])
        )
        return
    data = await _dialog(state, callback_data.target)
    step = await _current_step(state)
    if data is None or step is None or action not in ("tov", "skip"):
        await query.answer(plain("plan-indsats-stale"), show_alert=True)
        return
    if action == "tov":
        names = data.get("names", [])
        if step != "tovholder" or not 0 <= callback_data.value < len(names):
            await query.answer(plain("plan-indsats-stale"), show_alert=True)
            return
        data.setdefault("answers", {})["tovholder"] = str(names[callback_data.value])
        await state.update_data({INDSATS_KEY: data})
    await query.answer()
    try:
        await message.edit_reply_markup(reply_markup=None)
    except TelegramBadRequest as exc:
        log.debug("Buttons already gone: %s", exc.message)
    await _advance(message, state, data, step, actor, uow, config)


async def _show_indsatser(message: Message, detail: status.PlanDetail) -> None:
    plan_id = detail.plan.id or 0
    if not detail.indsatser:
        await message.answer(t("plan-indsats-none", plan=detail.plan.title, plan_id=plan_id))
        return
    lines = [t("plan-indsats-head", plan=detail.plan.title, plan_id=plan_id)]
    rows = []
    for number, indsats in enumerate(detail.indsatser, start=1):
        lines.append(
            t(
                "plan-indsats-line",
                number=number,
                indsats=indsats.title,
                tovholder=indsats.tovholder or t("status-no-tovholder"),
            )
        )
        rows.append(
            [
                _button(
                    t("plan-btn-edit", number=number, indsats=indsats.title),
                    "edit",
                    indsats.id or 0,
                    plan_id,
                )
            ]
        )
    await message.answer(
        "\n".join(lines)[:4000],
        reply_markup=InlineKeyboardMarkup(inline_keyboard=rows[:90]),
    )


async def _show_fields(message: Message, indsats: Indsats) -> None:
    """The indsats as it stands, with one button per field; the choice is kept in the FSM."""
    state_text = [t("plan-indsats-fields-head", indsats=indsats.title)]
    for name, key in EDIT_FIELDS.items():
        value = str(getattr(indsats, name) or "–")
        state_text.append(t("plan-indsats-field-line", field=t(key), value=value[:300]))
    rows = [
        [_button(t(key), "field", indsats.id or 0, n)] for n, key in enumerate(EDIT_FIELDS.values())
    ]
    await message.answer(
        "\n".join(state_text)[:4000], reply_markup=InlineKeyboardMarkup(inline_keyboard=rows)
    )


def setup() -> Router:
    router = Router(name="status")
    router.message.filter(F.chat.type == "private")
    router.message.register(status_command, Command("status"))
    router.message.register(overview_command, Command("statusoverblik"))
    router.message.register(plans_command, Command("planer"))
    router.message.register(schedule_command, Command("planskema"))
    router.message.register(round_command, Command("statusrunde"))
    router.message.register(new_plan_command, Command("nyplan"))
    router.message.register(new_indsats_command, Command("nyindsats"))
    router.message.register(on_text, StateFilter(StatusFlow.text), F.text)
    router.message.register(on_attachment, StateFilter(StatusFlow.attachment))
    router.message.register(on_confirm_text, StateFilter(StatusFlow.confirm))
    router.message.register(plan_name, StateFilter(PlanFlow.name), F.text)
    router.message.register(
        on_indsats_text,
        StateFilter(*IndsatsFlow.__all_states__),
        F.text,
        ~F.text.startswith("/"),
    )
    router.message.register(
        offer_plan,
        StateFilter(None),
        F.document,
        lambda message, actor: (
            rules.is_editor_anywhere(actor)
            and (
                is_plan_file(message.document.file_name or "", message.document.mime_type or "")
                or (message.document.file_name or "").lower().endswith(".docx")
            )
        ),
    )
    router.callback_query.register(on_button, StatusCb.filter())
    router.callback_query.register(plan_chosen, PlanCb.filter())
    router.callback_query.register(on_indsats_button, IndsatsCb.filter())
    return router
