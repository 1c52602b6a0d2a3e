"""A plan file uploaded by a secretary: which udvalg's plan, its name, the import.

A plan file (CSV, XLSX, or a DOCX whose table names an indsats column) reaches ``offer_plan``
through ``handlers.upload``, which decides what an upload is. The file's id waits in the dialog
data, never in the callback data; on the udvalg's button (and a name, when the caption gave
none) it is downloaded, parsed off the event loop and stored in one transaction.
"""

from __future__ import annotations

import html
import logging
from typing import TYPE_CHECKING, Any

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from agendas import rules
from agendas.documents.offload import off_loop
from agendas.errors import InvalidInput
from agendas.model import Actor
from agendas.plans import clean_plan_title
from agendas.ports import UnitOfWork
from agendas.services import committees
from handlers.callbacks import PlanCb
from handlers.chat import chat_message
from handlers.context import ChatConfig
from handlers.status_units import match_keyboard, match_lines
from handlers.texts import error_text, plain, t

if TYPE_CHECKING:
    from agendas.status import plans

log = logging.getLogger(__name__)


UPLOAD_KEY = "plan_upload"


class PlanFlow(StatesGroup):
    name = State()


async def _plan_codes(actor: Actor, uow: UnitOfWork) -> list[str]:
    return [
        u.code
        for u, _ in await committees.my_udvalg(uow, actor)
        if rules.can_edit_udvalg(actor, u.id or 0)
    ]


async def check_plan(bot: Bot, file_id: str, name: str) -> InvalidInput | None:
    """None when the file reads as a plan; else the refusal (checked like an import would)."""
    from agendas.status.plan_file import MAX_FILE_BYTES, parse_plan_file

    try:
        downloaded = await bot.download(file_id)
    except TelegramBadRequest as exc:
        log.warning("Could not download an upload to look for a plan: %s", exc.message)
        return InvalidInput("err-plan-file-unsupported", name=name)
    content = downloaded.read(MAX_FILE_BYTES + 1) if downloaded is not None else b""
    try:
        await off_loop(parse_plan_file, content, name)
    except InvalidInput as exc:
        return exc
    return None


def _offer_keyboard(codes: list[str], upload: int) -> InlineKeyboardMarkup:
    rows = [
        [
            InlineKeyboardButton(
                text=t("plan-upload-btn", code=code),
                callback_data=PlanCb(code=code, upload=upload).pack(),
            )
        ]
        for code in codes
    ]
    no = PlanCb(code="", upload=upload).pack()
    rows.append([InlineKeyboardButton(text=t("import-upload-btn-no"), callback_data=no)])
    return InlineKeyboardMarkup(inline_keyboard=rows)


async def offer_plan(
    message: Message, actor: Actor, uow: UnitOfWork, state: FSMContext, *, quiet: bool
) -> None:
    """A file that reads as a plan: which udvalg's plan? ``quiet``: say nothing when the person
    is secretary nowhere (the meeting offer of a DOCX has said so already)."""
    document = message.document
    assert document is not None
    codes = await _plan_codes(actor, uow)
    if not codes:
        if not quiet:
            await message.answer(t("import-upload-no-udvalg"))
        return
    name = document.file_name or "plan"
    title = " ".join((message.caption or "").split())[:200]
    waiting = {
        "file_id": document.file_id,
        "name": name,
        "upload": message.message_id,
        "title": title,
    }
    await state.update_data({UPLOAD_KEY: waiting})
    await message.answer(
        t("plan-upload-offer", name=name), reply_markup=_offer_keyboard(codes, message.message_id)
    )


async def _drop_buttons(message: Message) -> None:
    try:
        await message.edit_reply_markup(reply_markup=None)
    except TelegramBadRequest as exc:
        log.debug("Buttons already gone: %s", exc.message)


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
    await _drop_buttons(message)
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
    from agendas.status import plans
    from agendas.status.plan_file import MAX_FILE_BYTES, parse_plan_file

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
    result = await off_loop(parse_plan_file, content, str(waiting["name"]))
    imported = await plans.import_plan(
        uow,
        actor,
        str(waiting["code"]),
        str(waiting["title"]),
        result,
        config.now(),
        zone=config.timezone,
    )
    rows = match_keyboard(imported.matches)
    await message.answer(
        import_summary(imported),
        reply_markup=InlineKeyboardMarkup(inline_keyboard=rows) if rows else None,
    )


def import_summary(imported: plans.ImportedPlan) -> str:
    lines = [
        t(
            "plan-import-done",
            title=imported.plan.named,
            plan_id=imported.plan.id,
            udvalg=imported.udvalg.code,
            count=len(imported.indsatser),
        )
    ]
    goals = {g.id: g for g in imported.goals}
    shown: int | None = -1
    for indsats in imported.indsatser[:40]:
        if indsats.goal_id != shown and indsats.goal_id in goals:
            lines.append(f"<b>{_esc(goals[indsats.goal_id].label)}</b>")
        shown = indsats.goal_id
        owners = ", ".join(o.name for o in indsats.owners)
        lines.append(f"• {_esc(indsats.title)}" + (f" ({_esc(owners)})" if owners else ""))
    if len(imported.indsatser) > 40:
        lines.append("…")
    if imported.goals:
        lines.append(t("plan-import-goals", count=len(imported.goals)))
    if imported.schedule:
        lines.append(t("plan-import-schedule", rule=imported.schedule))
    if imported.matches:
        lines.append(t("unit-match-head"))
        lines.extend(match_lines(imported.matches))
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


def setup() -> Router:
    router = Router(name="plan_upload")
    router.message.filter(F.chat.type == "private")
    router.message.register(plan_name, StateFilter(PlanFlow.name), F.text)
    router.callback_query.register(plan_chosen, PlanCb.filter())
    return router
