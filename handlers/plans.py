"""Plans and indsatser in chat: /nyplan, /nyindsats and its short dialog, and the "Ret" buttons.

/nyindsats stores the indsats, then asks for tovholder (with a button per tovholder of the
udvalg), målgruppe and formål, each of which may be skipped; the answers are kept in the dialog
and stored when it is finished (/annuller stores nothing of them). /planer's "Ret" buttons show an
indsats' fields, one button each, and retype one of them.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from aiogram import F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from agendas.errors import InvalidInput
from agendas.model import Actor
from agendas.plans import PLAN_KIND_LABELS, Indsats, PlanKind
from agendas.ports import UnitOfWork
from handlers.callbacks import IndsatsCb
from handlers.cancel import CANCEL_NOTE
from handlers.chat import chat_message, clip
from handlers.context import ChatConfig
from handlers.texts import plain, t

if TYPE_CHECKING:
    from agendas.status import plans

log = logging.getLogger(__name__)


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
INDSATS_ACTIONS = frozenset({"list", "edit", "field", "tov", "skip"})


class IndsatsFlow(StatesGroup):
    tovholder = State()
    maalgruppe = State()
    formaal = State()
    edit = State()


def plan_id_arg(raw: str) -> int:
    """A plan's number as typed after a command ("3" or "#3")."""
    value = raw.strip().lstrip("#")
    if not value.isdigit():
        raise InvalidInput("err-plan-id", value=raw.strip())
    return int(value)


def indsats_button(text: str, action: str, target: int, value: int = 0) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        text=clip(text), callback_data=IndsatsCb(action=action, target=target, value=value).pack()
    )


async def new_plan_command(
    message: Message, command: CommandObject, actor: Actor, uow: UnitOfWork, config: ChatConfig
) -> None:
    """/nyplan [virksomhedsplan|genopretningsplan] KODE Titel: an empty plan."""
    from agendas.status import plans

    words = (command.args or "").split()
    kind = PlanKind.HANDLEPLAN
    if words and words[0].lower() in {k.value for k in PlanKind}:
        kind = PlanKind(words[0].lower())
        words = words[1:]
    if not words:
        await message.answer(t("plan-new-usage"))
        return
    plan = await plans.create_plan(uow, actor, words[0], " ".join(words[1:]), config.now(), kind)
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
    from agendas.status import plans

    parts = (command.args or "").split(maxsplit=1)
    if not parts:
        await message.answer(t("plan-indsats-usage"))
        return
    title = parts[1] if len(parts) > 1 else ""
    indsats = await plans.add_indsats(uow, actor, plan_id_arg(parts[0]), title, "", config.now())
    detail = await plans.plan_detail(uow, actor, indsats.plan_id)
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
        rows = [
            [indsats_button(name, "tov", data["indsats"], n)]
            for n, name in enumerate(data["names"])
        ]
    rows.append([indsats_button(t("status-btn-skip"), "skip", data["indsats"])])
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
    from agendas.status import plans

    later = DIALOG_STEPS[DIALOG_STEPS.index(step) + 1 :]
    if later:
        await _ask(target, state, data, later[0])
        return
    for name, value in dict(data.get("answers", {})).items():
        if value:
            await plans.edit_indsats(
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


async def _drop_buttons(message: Message) -> None:
    try:
        await message.edit_reply_markup(reply_markup=None)
    except TelegramBadRequest as exc:
        log.debug("Buttons already gone: %s", exc.message)


async def _lost(message: Message, state: FSMContext) -> None:
    await state.set_state(None)
    await message.answer(t("plan-indsats-flow-lost"))


async def on_step_text(
    message: Message, actor: Actor, uow: UnitOfWork, state: FSMContext, config: ChatConfig
) -> None:
    """A typed answer in the dialog (tovholder, målgruppe, formål): kept in the dialog and
    stored when it is finished (/annuller stores nothing of it)."""
    from agendas.status import plans

    data = await _dialog(state)
    step = await _current_step(state)
    if data is None or step is None:
        await _lost(message, state)
        return
    answer = (message.text or "").strip()
    if len(answer) > plans.MAX_INDSATS_FIELD:
        raise InvalidInput("err-field-too-long", limit=plans.MAX_INDSATS_FIELD, length=len(answer))
    data.setdefault("answers", {})[step] = answer
    await state.update_data({INDSATS_KEY: data})
    await _advance(message, state, data, step, actor, uow, config)


async def on_field_text(
    message: Message, actor: Actor, uow: UnitOfWork, state: FSMContext, config: ChatConfig
) -> None:
    """A retyped field of an indsats. A refusal (too long, empty title) leaves the question
    open: the error handler says so."""
    from agendas.status import plans

    data = await _dialog(state)
    if data is None:
        await _lost(message, state)
        return
    name = str(data.get("field", ""))
    indsats = await plans.edit_indsats(
        uow, actor, int(data["indsats"]), name, message.text or "", config.now()
    )
    await _leave(state)
    await message.answer(
        t("plan-indsats-edited", field=t(EDIT_FIELDS[name]), indsats=indsats.title)
    )


async def on_list(
    query: CallbackQuery, callback_data: IndsatsCb, actor: Actor, uow: UnitOfWork
) -> None:
    """A plan's indsatser, each with a "Ret" button."""
    from agendas.status import plans

    message = await chat_message(query)
    detail = await plans.plan_detail(uow, actor, callback_data.target)
    await query.answer()
    await _show_indsatser(message, detail)


async def on_edit(
    query: CallbackQuery,
    callback_data: IndsatsCb,
    actor: Actor,
    uow: UnitOfWork,
    state: FSMContext,
) -> None:
    """ "Ret" on an indsats: its fields, one button each."""
    from agendas.status import plans

    message = await chat_message(query)
    detail = await plans.plan_detail(uow, actor, callback_data.value)
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


async def on_field(query: CallbackQuery, callback_data: IndsatsCb, state: FSMContext) -> None:
    """A field chosen: the new text is asked for."""
    message = await chat_message(query)
    data = await _dialog(state, callback_data.target)
    if not 0 <= callback_data.value < len(EDIT_FIELDS) or data is None or "field" not in data:
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


async def on_tovholder(
    query: CallbackQuery,
    callback_data: IndsatsCb,
    actor: Actor,
    uow: UnitOfWork,
    state: FSMContext,
    config: ChatConfig,
) -> None:
    """A tovholder chosen by button in the dialog."""
    data = await _dialog(state, callback_data.target)
    step = await _current_step(state)
    names = data.get("names", []) if data is not None else []
    if data is None or step != "tovholder" or not 0 <= callback_data.value < len(names):
        await query.answer(plain("plan-indsats-stale"), show_alert=True)
        return
    data.setdefault("answers", {})["tovholder"] = str(names[callback_data.value])
    await state.update_data({INDSATS_KEY: data})
    await _step_done(query, state, data, step, actor, uow, config)


async def on_skip(
    query: CallbackQuery,
    callback_data: IndsatsCb,
    actor: Actor,
    uow: UnitOfWork,
    state: FSMContext,
    config: ChatConfig,
) -> None:
    """The dialog's question skipped."""
    data = await _dialog(state, callback_data.target)
    step = await _current_step(state)
    if data is None or step is None:
        await query.answer(plain("plan-indsats-stale"), show_alert=True)
        return
    await _step_done(query, state, data, step, actor, uow, config)


async def _step_done(
    query: CallbackQuery,
    state: FSMContext,
    data: dict[str, Any],
    step: str,
    actor: Actor,
    uow: UnitOfWork,
    config: ChatConfig,
) -> None:
    message = await chat_message(query)
    await query.answer()
    await _drop_buttons(message)
    await _advance(message, state, data, step, actor, uow, config)


async def on_stale(query: CallbackQuery) -> None:
    await query.answer(plain("plan-indsats-stale"), show_alert=True)


async def _show_indsatser(message: Message, detail: plans.PlanDetail) -> None:
    plan_id = detail.plan.id or 0
    if not detail.indsatser:
        await message.answer(t("plan-indsats-none", plan=detail.plan.title, plan_id=plan_id))
        return
    lines = [t("plan-indsats-head", plan=detail.plan.named, plan_id=plan_id)]
    rows = []
    goals = {g.id: g for g in detail.goals}
    shown: int | None = -1
    for number, indsats in enumerate(detail.indsatser, start=1):
        if indsats.goal_id != shown and indsats.goal_id in goals:
            lines.append(t("plan-goal-line", goal=goals[indsats.goal_id].label))
        shown = indsats.goal_id
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
                indsats_button(
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
        [indsats_button(t(key), "field", indsats.id or 0, n)]
        for n, key in enumerate(EDIT_FIELDS.values())
    ]
    await message.answer(
        "\n".join(state_text)[:4000], reply_markup=InlineKeyboardMarkup(inline_keyboard=rows)
    )


def setup() -> Router:
    router = Router(name="plans")
    router.message.filter(F.chat.type == "private")
    router.message.register(new_plan_command, Command("nyplan"))
    router.message.register(new_indsats_command, Command("nyindsats"))
    typed = (F.text, ~F.text.startswith("/"))
    for step in DIALOG_STEPS:
        router.message.register(on_step_text, StateFilter(getattr(IndsatsFlow, step)), *typed)
    router.message.register(on_field_text, StateFilter(IndsatsFlow.edit), *typed)
    router.callback_query.register(on_list, IndsatsCb.filter(F.action == "list"))
    router.callback_query.register(on_edit, IndsatsCb.filter(F.action == "edit"))
    router.callback_query.register(on_field, IndsatsCb.filter(F.action == "field"))
    router.callback_query.register(on_tovholder, IndsatsCb.filter(F.action == "tov"))
    router.callback_query.register(on_skip, IndsatsCb.filter(F.action == "skip"))
    router.callback_query.register(on_stale, IndsatsCb.filter(~F.action.in_(INDSATS_ACTIONS)))
    return router
