"""/nytmoede KODE dato tid [sted] (sekretær) and /moeder (everyone in an udvalg).

Missing parts of /nytmoede are asked for one at a time: udvalg (buttons), date, time, place.
What has been answered so far lives in the FSM storage (the database) as plain strings, so the
dialog continues after a restart of the bot. Nothing is stored until the meeting is created.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from aiogram import F, Router
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from agendas import rules
from agendas.dates import (
    format_date,
    local_to_utc,
    moede_when,
    parse_date,
    parse_time,
    split_date_time,
)
from agendas.errors import DomainError, InvalidInput, NotAllowed
from agendas.model import STANDARD_TITLES, Actor, Moede, PunktKind, Udvalg
from agendas.ports import UnitOfWork
from agendas.services import committees, meetings
from handlers.callbacks import MoedeCb, NytMoedeCb
from handlers.context import ChatConfig
from handlers.texts import error_text, t

#: /moeder shows at most this many coming and this many past meetings.
MAX_COMING = 15
MAX_RECENT = 5
#: Places are cut to this length in the /moeder list (the agenda shows them in full).
LIST_PLACE = 60

STANDARD_ORDER = (PunktKind.GODKENDELSE, PunktKind.MEDDELELSER, PunktKind.EVENTUELT)


class NytMoede(StatesGroup):
    udvalg = State()
    date = State()
    time = State()
    place = State()


# -- keyboards ---------------------------------------------------------------------------------


def udvalg_keyboard(udvalg: list[Udvalg]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for u in udvalg:
        builder.button(
            text=f"{u.code} – {u.name}", callback_data=NytMoedeCb(action="udvalg", code=u.code)
        )
    builder.adjust(1)
    return builder.as_markup()


def skip_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=t("moede-skip-place-button"), callback_data=NytMoedeCb(action="skip"))
    return builder.as_markup()


def created_keyboard(moede_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=t("moede-agenda-button"), callback_data=MoedeCb(action="agenda", moede_id=moede_id)
    )
    builder.button(
        text=t("moede-nysag-button"), callback_data=MoedeCb(action="nysag", moede_id=moede_id)
    )
    return builder.as_markup()


# -- the dialog --------------------------------------------------------------------------------


def _is_past(day: date, at: time, config: ChatConfig) -> bool:
    return local_to_utc(day, at, config.timezone) <= config.now()


def _check_date(text: str, config: ChatConfig) -> date:
    day = parse_date(text, config.today().date())
    if day < config.today().date():
        raise InvalidInput("err-date-past")
    meetings.check_planned_day(day, config.today().date())
    return day


def _check_time(text: str, day: date, config: ChatConfig) -> time:
    at = parse_time(text)
    if _is_past(day, at, config):
        raise InvalidInput("err-date-past")
    return at


#: What is asked again when creating the meeting refuses an answer (other refusals end the dialog).
RETRY = {
    "err-date-past": ("date", "time"),
    "err-date-too-far": ("date", "time"),
    "err-place-too-long": ("place",),
}


async def _ask_missing(
    target: Message, state: FSMContext, data: dict[str, Any], prefix: str
) -> bool:
    """Ask for the first missing part; False when nothing is missing."""
    code = str(data["code"])
    if "date" not in data:
        await state.set_state(NytMoede.date)
        await target.answer(prefix + t("moede-ask-date", code=code))
        return True
    day = date.fromisoformat(str(data["date"]))
    if "time" not in data:
        await state.set_state(NytMoede.time)
        await target.answer(prefix + t("moede-ask-time", date=format_date(day)))
        return True
    if "place" not in data:
        await state.set_state(NytMoede.place)
        await target.answer(prefix + t("moede-ask-place"), reply_markup=skip_keyboard())
        return True
    return False


async def _continue(
    target: Message,
    state: FSMContext,
    data: dict[str, Any],
    actor: Actor,
    uow: UnitOfWork,
    config: ChatConfig,
    error: str = "",
) -> None:
    """Ask for the first missing part, or create the meeting when nothing is missing."""
    await state.set_data(data)
    if await _ask_missing(target, state, data, f"{error}\n\n" if error else ""):
        return
    day = date.fromisoformat(str(data["date"]))
    at = time.fromisoformat(str(data["time"]))
    try:
        moede, udvalg = await meetings.create_moede(
            uow,
            actor,
            str(data["code"]),
            day,
            at,
            str(data["place"]),
            config.now(),
            config.timezone,
        )
    except InvalidInput as exc:
        if exc.key not in RETRY:
            await state.clear()
            raise
        for key in RETRY[exc.key]:
            data.pop(key, None)
        await _continue(target, state, data, actor, uow, config, error_text(exc))
        return
    except DomainError:
        await state.clear()
        raise
    await state.clear()
    await target.answer(created_text(moede, udvalg), reply_markup=created_keyboard(moede.id or 0))


def created_text(moede: Moede, udvalg: Udvalg) -> str:
    lines = [
        t(
            "moede-created",
            udvalg=udvalg.name,
            code=udvalg.code,
            when=moede_when(t, moede.date, moede.start_time),
        ),
        t("moede-created-place", place=moede.place) if moede.place else t("moede-created-no-place"),
        "",
        t("moede-created-punkter"),
    ]
    lines += [f"{number}. {STANDARD_TITLES[kind]}" for number, kind in enumerate(STANDARD_ORDER, 1)]
    lines += ["", t("moede-created-next")]
    return "\n".join(lines)


def _command_answers(code: str, words: list[str], config: ChatConfig) -> tuple[dict[str, Any], str]:
    """What /nytmoede KODE dato tid [sted] answers already, and the error text of a bad part."""
    data: dict[str, Any] = {"code": code}
    if not words:
        return data, ""
    date_text, time_text, place = split_date_time(words)
    try:
        day = _check_date(date_text, config)
    except InvalidInput as exc:
        # The rest cannot be trusted when the date is not understood: ask step by step.
        return data, error_text(exc)
    data["date"] = day.isoformat()
    if place:
        data["place"] = place
    if not time_text:
        return data, ""
    try:
        data["time"] = _check_time(time_text, day, config).isoformat("minutes")
    except InvalidInput as exc:
        return data, error_text(exc)
    # The command form: the place is optional, nothing more is asked.
    data.setdefault("place", "")
    return data, ""


async def _start_without_code(
    message: Message, actor: Actor, uow: UnitOfWork, config: ChatConfig, state: FSMContext
) -> None:
    """/nytmoede alone: the one udvalg the person edits, or buttons when there are several."""
    editable = [
        u
        for u, _ in await committees.my_udvalg(uow, actor)
        if rules.can_edit_udvalg(actor, u.id or 0)
    ]
    if not editable:
        raise NotAllowed("err-not-secretary")
    if len(editable) > 1:
        await state.set_state(NytMoede.udvalg)
        await state.set_data({})
        await message.answer(t("moede-ask-udvalg"), reply_markup=udvalg_keyboard(editable))
        return
    await _continue(message, state, {"code": editable[0].code}, actor, uow, config)


async def new_moede(
    message: Message,
    command: CommandObject,
    actor: Actor,
    uow: UnitOfWork,
    config: ChatConfig,
    state: FSMContext,
) -> None:
    words = (command.args or "").split()
    if not words:
        await _start_without_code(message, actor, uow, config, state)
        return
    udvalg = await committees.udvalg_for_editor(uow, actor, words[0])
    data, error = _command_answers(udvalg.code, words[1:], config)
    await _continue(message, state, data, actor, uow, config, error)


async def got_date(
    message: Message, actor: Actor, uow: UnitOfWork, config: ChatConfig, state: FSMContext
) -> None:
    data = await state.get_data()
    try:
        data["date"] = _check_date(message.text or "", config).isoformat()
    except InvalidInput as exc:
        await _continue(message, state, data, actor, uow, config, error_text(exc))
        return
    await _continue(message, state, data, actor, uow, config)


async def got_time(
    message: Message, actor: Actor, uow: UnitOfWork, config: ChatConfig, state: FSMContext
) -> None:
    data = await state.get_data()
    day = date.fromisoformat(str(data["date"]))
    try:
        data["time"] = _check_time(message.text or "", day, config).isoformat("minutes")
    except InvalidInput as exc:
        await _continue(message, state, data, actor, uow, config, error_text(exc))
        return
    await _continue(message, state, data, actor, uow, config)


async def got_place(
    message: Message, actor: Actor, uow: UnitOfWork, config: ChatConfig, state: FSMContext
) -> None:
    data = await state.get_data()
    data["place"] = message.text or ""
    await _continue(message, state, data, actor, uow, config)


async def skip_place(
    query: CallbackQuery, actor: Actor, uow: UnitOfWork, config: ChatConfig, state: FSMContext
) -> None:
    if not isinstance(query.message, Message):
        await query.answer(t("err-stale-button"), show_alert=True)
        return
    await query.answer()
    await query.message.edit_reply_markup(reply_markup=None)
    data = await state.get_data()
    data["place"] = ""
    await _continue(query.message, state, data, actor, uow, config)


async def chose_udvalg(
    query: CallbackQuery,
    callback_data: NytMoedeCb,
    actor: Actor,
    uow: UnitOfWork,
    config: ChatConfig,
    state: FSMContext,
) -> None:
    if not isinstance(query.message, Message):
        await query.answer(t("err-stale-button"), show_alert=True)
        return
    udvalg = await committees.udvalg_for_editor(uow, actor, callback_data.code)
    await query.answer()
    await query.message.edit_reply_markup(reply_markup=None)
    await _continue(query.message, state, {"code": udvalg.code}, actor, uow, config)


# -- /moeder -----------------------------------------------------------------------------------


def _line(listing: meetings.MoedeListing) -> str:
    moede = listing.moede
    params = {
        "code": listing.udvalg.code,
        "when": moede_when(t, moede.date, moede.start_time),
    }
    if not moede.place:
        return t("moeder-line", **params)
    place = moede.place if len(moede.place) <= LIST_PLACE else moede.place[: LIST_PLACE - 1] + "…"
    return t("moeder-line-place", place=place, **params)


async def list_meetings(
    message: Message, actor: Actor, uow: UnitOfWork, config: ChatConfig
) -> None:
    if not actor.is_admin and not any(actor.roles.values()):
        await message.answer(t("help-nobody"))
        return
    listing = await meetings.list_moeder(uow, actor, config.today().date())
    local_now = config.today().replace(tzinfo=None)
    # The listing is sorted by day and time: the coming meetings are its tail.
    split = next(
        (
            i
            for i, x in enumerate(listing)
            if datetime.combine(x.moede.date, x.moede.clock) >= local_now
        ),
        len(listing),
    )
    recent = listing[:split][-MAX_RECENT:]
    coming = listing[split:][:MAX_COMING]
    if not coming and not recent:
        await message.answer(t("moeder-none"))
        return
    parts: list[str] = []
    if coming:
        parts.append("\n".join([t("moeder-coming"), *(_line(x) for x in coming)]))
    if recent:
        parts.append("\n".join([t("moeder-recent"), *(_line(x) for x in reversed(recent))]))
    builder = InlineKeyboardBuilder()
    for x in [*coming, *reversed(recent)]:
        builder.button(
            text=t("moeder-button", code=x.udvalg.code, date=format_date(x.moede.date)),
            callback_data=MoedeCb(action="agenda", moede_id=x.moede.id or 0),
        )
    builder.adjust(2)
    await message.answer("\n\n".join(parts), reply_markup=builder.as_markup())


def setup() -> Router:
    router = Router(name="meetings")
    router.message.filter(F.chat.type == "private")
    router.message.register(new_moede, Command("nytmoede", "newmeeting"))
    router.message.register(list_meetings, Command("moeder", "meetings"))
    text = (F.text, ~F.text.startswith("/"))
    router.message.register(got_date, NytMoede.date, *text)
    router.message.register(got_time, NytMoede.time, *text)
    router.message.register(got_place, NytMoede.place, *text)
    router.callback_query.register(
        chose_udvalg, NytMoede.udvalg, NytMoedeCb.filter(F.action == "udvalg")
    )
    router.callback_query.register(
        skip_place, NytMoede.place, NytMoedeCb.filter(F.action == "skip")
    )
    return router
