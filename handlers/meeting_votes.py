"""Votes in meeting mode: a button per member who may vote (a tap: for → imod → undlader), or
the party shorthand typed ("for A V; imod Ø") expanded to those members and shown for
confirmation; nothing is stored before "✅ Gem". The rules are in ``agendas.votes``.

The pending ballots live in the dialog state (``MeetingMode.votes``), so a restart in the middle
of a vote loses nothing.
"""

from __future__ import annotations

from collections.abc import Mapping

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from agendas.errors import InvalidInput
from agendas.meeting.loading import load_view
from agendas.model import Actor
from agendas.ports import UnitOfWork
from agendas.records import Ballot, StaleView
from handlers.callbacks import MmCb
from handlers.chat import chat_message
from handlers.context import ChatConfig
from handlers.meeting_mode import TYPED, Dialog, MeetingMode, saved_then_punkt, typed
from handlers.meeting_views import BALLOT_KEYS, current_view, send_ballots
from handlers.texts import plain, t


async def ask_votes(
    query: CallbackQuery, callback_data: MmCb, actor: Actor, uow: UnitOfWork, state: FSMContext
) -> None:
    """ "Stemmer": a button per member who may vote (a tap: for → imod → undlader), or the
    party shorthand typed; nothing is stored before "✅ Gem"."""
    cb = callback_data
    view = await current_view(query, cb, actor, uow, punkt=True)
    if view is None:
        return
    voting = view.voting(cb.item)
    if not voting.voters:
        raise InvalidInput("err-votes-nobody")
    stored = view.decision(cb.item).ballots
    ballots = {v.person_id: stored.get(v.person_id, Ballot.UNDLADER) for v in voting.voters}
    await state.set_state(MeetingMode.votes)
    await state.update_data(moede_id=cb.moede_id, punkt_id=cb.item, ballots=pack(ballots))
    await query.answer()
    await send_ballots(await chat_message(query), view, cb.item, ballots)


def pack(ballots: Mapping[int, Ballot]) -> dict[str, str]:
    """Ballots as the dialog state keeps them (JSON: string keys)."""
    return {str(person_id): ballot.value for person_id, ballot in ballots.items()}


async def pending_ballots(state: FSMContext, punkt_id: int) -> dict[int, Ballot]:
    """The votes being recorded for this punkt; a button from another vote is stale."""
    data = await state.get_data()
    if await state.get_state() != MeetingMode.votes.state or data.get("punkt_id") != punkt_id:
        raise StaleView("err-votes-not-pending")
    return {int(p): Ballot(b) for p, b in dict(data.get("ballots") or {}).items()}


#: A tap on a member: for → imod → undlader → for.
NEXT_BALLOT: dict[Ballot | None, Ballot] = {
    None: Ballot.FOR,
    Ballot.FOR: Ballot.IMOD,
    Ballot.IMOD: Ballot.UNDLADER,
    Ballot.UNDLADER: Ballot.FOR,
}


async def mark_ballot(
    query: CallbackQuery, callback_data: MmCb, actor: Actor, uow: UnitOfWork, state: FSMContext
) -> None:
    """A tap on a member: their next ballot. One absent or inhabil is refused with why."""
    cb = callback_data
    view = await current_view(query, cb, actor, uow, punkt=True)
    if view is None:
        return
    view.voting(cb.item).require_voter(cb.value)
    ballots = await pending_ballots(state, cb.item)
    ballots[cb.value] = NEXT_BALLOT[ballots.get(cb.value)]
    await state.update_data(ballots=pack(ballots))
    await query.answer(plain(BALLOT_KEYS[ballots[cb.value]]))
    await send_ballots(await chat_message(query), view, cb.item, ballots, edit=True)


async def mark_all_for(
    query: CallbackQuery, callback_data: MmCb, actor: Actor, uow: UnitOfWork, state: FSMContext
) -> None:
    """ "Alle for": every member who may vote, for."""
    cb = callback_data
    view = await current_view(query, cb, actor, uow, punkt=True)
    if view is None:
        return
    await pending_ballots(state, cb.item)
    ballots = {v.person_id: Ballot.FOR for v in view.voting(cb.item).voters}
    await state.update_data(ballots=pack(ballots))
    await query.answer()
    await send_ballots(await chat_message(query), view, cb.item, ballots, edit=True)


async def save_ballots(
    query: CallbackQuery,
    callback_data: MmCb,
    actor: Actor,
    uow: UnitOfWork,
    state: FSMContext,
    config: ChatConfig,
) -> None:
    """ "✅ Gem": the votes shown are stored; the punkt with the result follows."""
    from agendas.meeting import decisions

    cb = callback_data
    if await current_view(query, cb, actor, uow, punkt=True) is None:
        return
    ballots = await pending_ballots(state, cb.item)
    await decisions.set_ballots(uow, actor, cb.item, ballots, cb.rev, config.now())
    await state.set_state(MeetingMode.active)
    await state.update_data(ballots={})
    await saved_then_punkt(query, actor, uow, cb, "meeting-vote-saved")


async def retype_ballots(
    query: CallbackQuery, callback_data: MmCb, actor: Actor, uow: UnitOfWork, state: FSMContext
) -> None:
    """ "✏️ Ret": type the votes (again), or keep tapping the members."""
    cb = callback_data
    if await current_view(query, cb, actor, uow, punkt=True) is None:
        return
    await pending_ballots(state, cb.item)
    await query.answer()
    await (await chat_message(query)).answer(t("meeting-vote-retype"))


async def typed_votes(message: Message, state: FSMContext, actor: Actor, uow: UnitOfWork) -> None:
    """ "for A V; imod Ø" expanded to the members who may vote, shown for confirmation;
    nothing is stored before "✅ Gem"."""
    from agendas.meeting import decisions

    dialog = await Dialog.of(state)
    board = await typed(
        message, decisions.preview_votes(uow, actor, dialog.punkt_id, message.text or "")
    )
    if board is None:
        return
    await state.update_data(ballots=pack(board.ballots))
    view = await load_view(uow, actor, dialog.moede_id)
    await send_ballots(message, view, dialog.punkt_id, board.ballots, typed=True)


def setup() -> Router:
    router = Router(name="meeting_votes")
    router.message.filter(F.chat.type == "private")
    router.message.register(typed_votes, StateFilter(MeetingMode.votes), *TYPED)
    cb = router.callback_query
    cb.register(ask_votes, MmCb.filter(F.action == "votes"))
    cb.register(mark_ballot, MmCb.filter(F.action == "vmark"))
    cb.register(mark_all_for, MmCb.filter(F.action == "vall"))
    cb.register(save_ballots, MmCb.filter(F.action == "vsave"))
    cb.register(retype_ballots, MmCb.filter(F.action == "vedit"))
    return router
