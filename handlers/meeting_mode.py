"""Meeting mode: the punkter of the meeting being held, one by one.

Thin: every handler parses the update, calls one service of ``agendas.meeting`` and replies.
Buttons carry the meeting id and the protocol's revision, so a button on a message made before
the last change is recognised: the user is told and gets the fresh view (``current_view``). The
dialog state (which meeting, which punkt, what is being typed) lives in the FSM storage, so a
restart in the middle of a meeting loses nothing. /moede and the choice of the meeting are in
``handlers.meeting_open``, attendance in ``handlers.meeting_attendance``.
"""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass
from typing import TypeVar

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message

from agendas.dates import format_time
from agendas.errors import InvalidInput
from agendas.meeting.loading import load_view
from agendas.meeting_view import MeetingView, MemberLine
from agendas.model import Actor
from agendas.ports import UnitOfWork
from agendas.protocol_input import STANDARD_PHRASES
from agendas.records import StaleView
from agendas.votes import check_dissent, suggested_beslutning
from handlers import long_text
from handlers.callbacks import MmCb
from handlers.chat import button, chat_message, clip, markup
from handlers.context import ChatConfig
from handlers.meeting_views import (
    LABEL_LIMIT,
    current_view,
    send_attendance,
    send_protokol_menu,
    send_punkt,
)
from handlers.texts import plain, t

T = TypeVar("T")


class MeetingMode(StatesGroup):
    """``moede_id`` and ``punkt_id`` (the punkt shown) are in the data; the typing states also
    hold ``person_id`` where a member was chosen."""

    active = State()
    ranges = State()
    #: The vote on a punkt being recorded: ``ballots`` (person id -> for/imod/undlader) are
    #: kept here until "✅ Gem".
    free_text = State()
    votes = State()
    remark = State()
    public = State()
    end_time = State()


@dataclass(frozen=True, slots=True)
class Dialog:
    """What the dialog state holds while the secretary types."""

    moede_id: int
    punkt_id: int
    person_id: int

    @classmethod
    async def of(cls, state: FSMContext) -> Dialog:
        data = await state.get_data()
        return cls(
            int(data.get("moede_id", 0)),
            int(data.get("punkt_id", 0)),
            int(data.get("person_id", 0)),
        )


async def typed(message: Message, change: Awaitable[T]) -> T | None:
    """Store what was typed; bad input is explained, nothing stored, and the question stays
    open (None)."""
    try:
        return await change
    except InvalidInput as exc:
        await message.answer(t(exc.key, **exc.params) + "\n" + t("meeting-try-again"))
        return None


# --- the punkter one by one --------------------------------------------------------------------


async def goto_punkt(
    query: CallbackQuery, callback_data: MmCb, actor: Actor, uow: UnitOfWork, state: FSMContext
) -> None:
    """ "Videre til punkterne", "Næste punkt", "Forrige punkt" (``value``: the punkt's id)."""
    cb = callback_data
    view = await current_view(query, cb, actor, uow, punkt=bool(cb.item))
    if view is None:
        return
    if not view.punkter:
        await query.answer(plain("meeting-no-punkter"), show_alert=True)
        return
    index = view.punkt_index(cb.value) if cb.value else 0
    await state.set_state(MeetingMode.active)
    await state.update_data(moede_id=cb.moede_id, punkt_id=view.punkter[index].id or 0)
    await query.answer()
    await send_punkt(await chat_message(query), view, index, edit=bool(cb.item))


async def back_to_attendance(
    query: CallbackQuery, callback_data: MmCb, actor: Actor, uow: UnitOfWork
) -> None:
    view = await current_view(query, callback_data, actor, uow, punkt=True)
    if view is None:
        return
    await query.answer()
    await send_attendance(await chat_message(query), view)


async def choose_phrase(
    query: CallbackQuery, callback_data: MmCb, actor: Actor, uow: UnitOfWork, config: ChatConfig
) -> None:
    from agendas.meeting import decisions

    cb = callback_data
    if await current_view(query, cb, actor, uow, punkt=True) is None:
        return
    if not 0 <= cb.value < len(STANDARD_PHRASES):
        raise StaleView("err-stale-button")
    phrase = STANDARD_PHRASES[cb.value]
    await decisions.set_beslutning(uow, actor, cb.item, phrase, cb.rev, config.now())
    await query.answer(plain("meeting-saved"))
    await refresh_punkt(query, actor, uow, cb.moede_id, cb.item)


async def use_suggestion(
    query: CallbackQuery, callback_data: MmCb, actor: Actor, uow: UnitOfWork, config: ChatConfig
) -> None:
    """ "Brug forslaget": the decision text that fits the vote ("Indstillingen faldt ved
    stemmelighed" after a tie)."""
    from agendas.meeting import decisions

    cb = callback_data
    view = await current_view(query, cb, actor, uow, punkt=True)
    if view is None:
        return
    stored = view.decision(cb.item)
    text = suggested_beslutning(stored.beslutning, stored.votes)
    if text is None:
        raise StaleView("err-stale-button")
    await decisions.set_beslutning(uow, actor, cb.item, text, cb.rev, config.now())
    await query.answer(plain("meeting-saved"))
    await refresh_punkt(query, actor, uow, cb.moede_id, cb.item)


async def saved_then_punkt(
    query: CallbackQuery, actor: Actor, uow: UnitOfWork, cb: MmCb, key: str
) -> None:
    """After a change from a chooser message: it says so, and the punkt follows as it is now."""
    await query.answer(plain("meeting-saved"))
    view = await load_view(uow, actor, cb.moede_id)
    message = await chat_message(query)
    await message.edit_text(t(key))
    await send_punkt(message, view, view.punkt_index(cb.item))


async def refresh_punkt(
    query: CallbackQuery, actor: Actor, uow: UnitOfWork, moede_id: int, punkt_id: int
) -> None:
    view = await load_view(uow, actor, moede_id)
    await send_punkt(await chat_message(query), view, view.punkt_index(punkt_id), edit=True)


async def ask_typing(
    query: CallbackQuery,
    cb: MmCb,
    actor: Actor,
    uow: UnitOfWork,
    state: FSMContext,
    key: str,
    next_state: State,
) -> None:
    """The next message is the text for this punkt: ask for it."""
    view = await current_view(query, cb, actor, uow, punkt=True)
    if view is None:
        return
    punkt = view.punkter[view.punkt_index(cb.item)]
    await state.set_state(next_state)
    await state.update_data(moede_id=cb.moede_id, punkt_id=cb.item)
    await query.answer()
    await (await chat_message(query)).answer(t(key, number=punkt.number, title=punkt.title))


async def ask_free(
    query: CallbackQuery, callback_data: MmCb, actor: Actor, uow: UnitOfWork, state: FSMContext
) -> None:
    """ "Skriv selv": the decision as free text."""
    await ask_typing(
        query, callback_data, actor, uow, state, "meeting-ask-free", MeetingMode.free_text
    )


async def ask_public(
    query: CallbackQuery, callback_data: MmCb, actor: Actor, uow: UnitOfWork, state: FSMContext
) -> None:
    """ "Offentlig beslutning": what the public protocol shows for a closed punkt."""
    await ask_typing(
        query, callback_data, actor, uow, state, "meeting-ask-public", MeetingMode.public
    )


async def choose_member(
    query: CallbackQuery,
    cb: MmCb,
    view: MeetingView,
    members: list[MemberLine],
    action: str,
    key: str,
    marked: set[int],
) -> None:
    """Which member (buttons): ``action`` is what a tap on one does; ``marked`` get a ☑️."""
    punkt = view.punkter[view.punkt_index(cb.item)]
    rows = [
        [
            button(
                clip(("☑️ " if m.person_id in marked else "") + m.person.name, LABEL_LIMIT),
                MmCb(
                    action=action, moede_id=cb.moede_id, rev=cb.rev, item=cb.item, value=m.person_id
                ),
            )
        ]
        for m in members
    ]
    await query.answer()
    await (await chat_message(query)).answer(
        t(key, number=punkt.number, title=punkt.title), reply_markup=markup(rows)
    )


async def choose_inhabil(
    query: CallbackQuery, callback_data: MmCb, actor: Actor, uow: UnitOfWork
) -> None:
    """ "Inhabil": which member (a tap marks or unmarks them)."""
    cb = callback_data
    view = await current_view(query, cb, actor, uow, punkt=True)
    if view is None:
        return
    inhabile = set(view.decision(cb.item).inhabile)
    await choose_member(query, cb, view, view.present(), "inhabp", "meeting-ask-inhabil", inhabile)


async def choose_remark_member(
    query: CallbackQuery, callback_data: MmCb, actor: Actor, uow: UnitOfWork
) -> None:
    """ "Afvigende mening": whose. Only members in the minority of the vote on the punkt
    (kommunestyrelsesloven § 13, stk. 2), and those whose remark is already recorded (to
    correct or remove it); otherwise why nobody can."""
    cb = callback_data
    view = await current_view(query, cb, actor, uow, punkt=True)
    if view is None:
        return
    stored = view.decision(cb.item)
    remarked = {r.person_id for r in stored.remarks}
    dissenting = {m.person_id for m in view.dissenters(cb.item)}
    members = [m for m in view.members if m.person_id in dissenting | remarked]
    if not members:
        punkt = view.punkter[view.punkt_index(cb.item)]
        key = "meeting-remark-no-minority" if stored.ballots else "meeting-remark-no-vote"
        await query.answer()
        await (await chat_message(query)).answer(t(key, number=punkt.number))
        return
    await choose_member(query, cb, view, members, "remarkp", "meeting-ask-remark-member", remarked)


async def toggle_inhabil(
    query: CallbackQuery, callback_data: MmCb, actor: Actor, uow: UnitOfWork, config: ChatConfig
) -> None:
    from agendas.meeting import decisions

    cb = callback_data
    if await current_view(query, cb, actor, uow, punkt=True) is None:
        return
    await decisions.toggle_inhabil(uow, actor, cb.item, cb.value, cb.rev, config.now())
    await saved_then_punkt(query, actor, uow, cb, "meeting-saved")


async def ask_remark(
    query: CallbackQuery, callback_data: MmCb, actor: Actor, uow: UnitOfWork, state: FSMContext
) -> None:
    cb = callback_data
    view = await current_view(query, cb, actor, uow, punkt=True)
    if view is None:
        return
    line = view.member_from_button(cb.value)
    stored = view.decision(cb.item)
    if cb.value not in {r.person_id for r in stored.remarks}:
        check_dissent(stored.ballots, stored.votes, cb.value, line.person.name)
    await state.set_state(MeetingMode.remark)
    await state.update_data(moede_id=cb.moede_id, punkt_id=cb.item, person_id=cb.value)
    await query.answer()
    await (await chat_message(query)).answer(t("meeting-ask-remark", name=line.person.name))


async def ask_end(
    query: CallbackQuery, callback_data: MmCb, actor: Actor, uow: UnitOfWork, state: FSMContext
) -> None:
    cb = callback_data
    if await current_view(query, cb, actor, uow, punkt=True) is None:
        return
    await state.set_state(MeetingMode.end_time)
    await state.update_data(moede_id=cb.moede_id)
    await query.answer()
    await (await chat_message(query)).answer(t("meeting-ask-end"))


# --- what the secretary types, one handler per dialog state ------------------------------------


async def back_to_punkt(
    message: Message, state: FSMContext, actor: Actor, uow: UnitOfWork, dialog: Dialog
) -> None:
    """Saved: the punkt as it stands now, and meeting mode goes on."""
    await state.set_state(MeetingMode.active)
    await message.answer(t("meeting-saved"))
    view = await load_view(uow, actor, dialog.moede_id)
    await send_punkt(message, view, view.punkt_index(dialog.punkt_id))


async def typed_decision(
    message: Message, state: FSMContext, actor: Actor, uow: UnitOfWork, config: ChatConfig
) -> None:
    """The beslutning ("Skriv selv"), the public beslutning or an afvigende mening, as typed; a
    long pasted text is joined from its parts first."""
    from agendas.meeting import decisions

    text = await long_text.gather(message, state)
    if text is None:
        return
    dialog, step, now = await Dialog.of(state), await state.get_state(), config.now()
    punkt_id = dialog.punkt_id
    if step == MeetingMode.remark.state:
        change = decisions.set_remark(uow, actor, punkt_id, dialog.person_id, text, None, now)
    elif step == MeetingMode.public.state:
        change = decisions.set_public_beslutning(uow, actor, punkt_id, text, None, now)
    else:
        change = decisions.set_beslutning(uow, actor, punkt_id, text, None, now)
    if await typed(message, change) is not None:
        await back_to_punkt(message, state, actor, uow, dialog)


async def typed_end_time(
    message: Message, state: FSMContext, actor: Actor, uow: UnitOfWork, config: ChatConfig
) -> None:
    """ "Mødet afsluttet kl. …": meeting mode ends; the secretary gets the protocol menu."""
    from agendas.meeting import decisions

    dialog = await Dialog.of(state)
    text, zone = message.text or "", config.timezone
    change = decisions.set_end_time(uow, actor, dialog.moede_id, text, zone, None, config.now())
    end = await typed(message, change)
    if end is None:
        return
    await state.clear()
    await message.answer(t("meeting-ended", time=format_time(end)))
    await send_protokol_menu(message, await load_view(uow, actor, dialog.moede_id), zone)


#: Text typed in a dialog state: not a command (/annuller and the others still work).
TYPED = (F.text, ~F.text.startswith("/"))


def setup() -> Router:
    router = Router(name="meeting_mode")
    router.message.filter(F.chat.type == "private")
    decision_states = (MeetingMode.free_text, MeetingMode.remark, MeetingMode.public)
    router.message.register(typed_decision, StateFilter(*decision_states), *TYPED)
    router.message.register(typed_end_time, StateFilter(MeetingMode.end_time), *TYPED)
    cb = router.callback_query
    cb.register(goto_punkt, MmCb.filter(F.action == "goto"))
    cb.register(back_to_attendance, MmCb.filter(F.action == "att-view"))
    cb.register(choose_phrase, MmCb.filter(F.action == "phrase"))
    cb.register(ask_free, MmCb.filter(F.action == "free"))
    cb.register(use_suggestion, MmCb.filter(F.action == "suggest"))
    cb.register(ask_public, MmCb.filter(F.action == "public"))
    cb.register(choose_inhabil, MmCb.filter(F.action == "inhab"))
    cb.register(choose_remark_member, MmCb.filter(F.action == "remark"))
    cb.register(toggle_inhabil, MmCb.filter(F.action == "inhabp"))
    cb.register(ask_remark, MmCb.filter(F.action == "remarkp"))
    cb.register(ask_end, MmCb.filter(F.action == "end"))
    return router
