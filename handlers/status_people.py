"""Who answers: a tovholder away ("Ferie til 3/8", /ferie, the "🏖 Ferie" button on the prompt)
and an indsats handed over to a colleague ("Giv videre til en kollega").

"Ferie til 3/8" typed in the private chat (outside any dialog) pauses prompts and reminders
until that day, included; the "🏖 Ferie" button offers a few dates; "Ferie slut" (or /ferie
slut) ends it. A date in the past, a date that does not exist, or an end before the start is
refused with a short message, and nothing is stored.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from agendas.chatviews import Texts
from agendas.dates import format_date
from agendas.errors import InvalidInput
from agendas.model import Actor
from agendas.ports import UnitOfWork
from agendas.status import absence
from handlers.callbacks import StatusCb
from handlers.chat import chat_message, clip
from handlers.context import ChatConfig
from handlers.status_chat import apply_edits, status_button
from handlers.texts import error_text, plain, t

#: The dates the "🏖 Ferie" button offers: in one, two and three weeks.
AWAY_WEEKS = (1, 2, 3)


def _weeks_ahead(today: date) -> list[date]:
    return [today + timedelta(weeks=weeks) for weeks in AWAY_WEEKS]


async def _store(
    message: Message, actor: Actor, uow: UnitOfWork, config: ChatConfig, since: date, until: date
) -> None:
    stored = await absence.record_absence(uow, actor, since, until, config.now(), config.timezone)
    await message.answer(
        t(
            "status-away-stored",
            until=format_date(stored.until),
            back=format_date(stored.until + timedelta(days=1)),
        )
    )


async def _ask_date(message: Message, round_id: int, today: date) -> None:
    rows = [
        [
            status_button(
                t("status-btn-away-until", date=day.strftime("%d/%m")),
                "awayd",
                0,
                round_id,
                value=day.toordinal(),
            )
        ]
        for day in _weeks_ahead(today)
    ]
    await message.answer(
        t("status-away-ask"), reply_markup=InlineKeyboardMarkup(inline_keyboard=rows)
    )


async def on_typed(message: Message, actor: Actor, uow: UnitOfWork, config: ChatConfig) -> None:
    """ "Ferie til 3/8", "ferie fra 1/7 til 3/8", "Ferie slut" typed in the chat."""
    await _handle(message, message.text or "", actor, uow, config)


async def away_command(
    message: Message, command: CommandObject, actor: Actor, uow: UnitOfWork, config: ChatConfig
) -> None:
    """/ferie til 3/8, /ferie slut, or /ferie alone: the current absence and dates to pick."""
    args = (command.args or "").strip()
    if not args:
        current = await absence.current_absence(uow, actor, config.now(), config.timezone)
        if current is not None:
            end = status_button(t("status-btn-away-end"), "awayend", 0, 0)
            await message.answer(
                t("status-away-current", until=format_date(current.until)),
                reply_markup=InlineKeyboardMarkup(inline_keyboard=[[end]]),
            )
            return
        await _ask_date(message, 0, config.today().date())
        return
    await _handle(message, f"ferie {args}", actor, uow, config)


async def _handle(
    message: Message, text: str, actor: Actor, uow: UnitOfWork, config: ChatConfig
) -> None:
    today = config.today().date()
    if absence.is_back(text):
        ended = await absence.end_absence(uow, actor, config.now())
        await message.answer(t("status-away-ended" if ended else "status-away-none"))
        return
    try:
        said = absence.parse_absence(text, today)
    except InvalidInput as exc:
        await message.answer(error_text(exc))
        return
    if said.until is None:
        await _ask_date(message, 0, today)
        return
    await _store(message, actor, uow, config, said.since, said.until)


async def on_away(query: CallbackQuery, callback_data: StatusCb, config: ChatConfig) -> None:
    """ "🏖 Ferie" on the prompt: until when?"""
    message = await chat_message(query)
    await query.answer()
    await _ask_date(message, callback_data.round_id, config.today().date())


async def on_away_date(
    query: CallbackQuery,
    callback_data: StatusCb,
    actor: Actor,
    uow: UnitOfWork,
    config: ChatConfig,
) -> None:
    message = await chat_message(query)
    try:
        until = date.fromordinal(callback_data.value)
    except ValueError:
        await query.answer(plain("err-stale-button"), show_alert=True)
        return
    await _store(message, actor, uow, config, config.today().date(), until)
    await query.answer()


async def on_away_end(
    query: CallbackQuery, actor: Actor, uow: UnitOfWork, config: ChatConfig
) -> None:
    message = await chat_message(query)
    ended = await absence.end_absence(uow, actor, config.now())
    await query.answer()
    await message.answer(t("status-away-ended" if ended else "status-away-none"))


# --- hand-over -----------------------------------------------------------------------------------


async def on_handover(
    query: CallbackQuery,
    callback_data: StatusCb,
    actor: Actor,
    uow: UnitOfWork,
    config: ChatConfig,
) -> None:
    """ "Giv videre": the colleagues the indsats may go to."""
    from agendas.status import answers

    message = await chat_message(query)
    item = await answers.pending_item(
        uow, actor, callback_data.round_id, callback_data.indsats_id, config.now()
    )
    await query.answer()
    people = await answers.colleagues(uow, actor, item.indsats.id or 0)
    if not people:
        await message.answer(t("status-handover-nobody"))
        return
    ids = (item.indsats.id or 0, callback_data.round_id)
    rows = [
        [status_button(clip(person.name), "give", *ids, value=person.id or 0)] for person in people
    ]
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
    bot: Bot,
    outbox_wake: Callable[[], None] | None = None,
) -> None:
    """The colleague chosen: the indsats is theirs now."""
    from agendas.status import answers

    message = await chat_message(query)
    done = await answers.hand_over(
        uow, actor, callback_data.indsats_id, callback_data.value, config.now(), texts
    )
    await query.answer()
    if outbox_wake is not None:
        outbox_wake()
    await apply_edits(bot, done.edits)
    await message.answer(
        t("status-handover-done", indsats=done.indsats.title, name=done.person.name)
    )


# A coroutine: aiogram runs a plain function filter in a worker thread.
async def _typed_absence(message: Message) -> bool:
    return absence.looks_like_absence(message.text or "")


def setup() -> Router:
    router = Router(name="status_people")
    router.message.filter(F.chat.type == "private")
    router.message.register(away_command, Command("ferie"))
    router.message.register(on_typed, StateFilter(None), F.text, _typed_absence)
    router.callback_query.register(on_away, StatusCb.filter(F.action == "away"))
    router.callback_query.register(on_away_date, StatusCb.filter(F.action == "awayd"))
    router.callback_query.register(on_away_end, StatusCb.filter(F.action == "awayend"))
    router.callback_query.register(on_handover, StatusCb.filter(F.action == "handover"))
    router.callback_query.register(on_give, StatusCb.filter(F.action == "give"))
    return router
