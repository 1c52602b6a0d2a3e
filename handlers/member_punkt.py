"""A member before the meeting: "🙋 Jeg er inhabil" on a sag (with a short reason) and
"🕒 Jeg kommer/går" on the agenda ("kommer fra punkt 3", "går efter punkt 5"); and the
secretary's "✅ Bekræft inhabilitet" in meeting mode.

Kommunestyrelsesloven § 14 puts the duty to raise a possible inhabilitet on the member; the
udvalg decides, so the secretary confirms it before the protocol says "X (A) deltog ikke i
behandlingen af punktet på grund af inhabilitet". Thin: parse, call one service of
``agendas.meeting.member_notices`` (or ``decisions.confirm_inhabil``), reply.
"""

from __future__ import annotations

from collections.abc import Callable

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message

from agendas.chatviews import Texts
from agendas.model import Actor
from agendas.ports import UnitOfWork
from agendas.protocol import format_ranges
from handlers.callbacks import MemberCb, MmCb
from handlers.context import ChatConfig
from handlers.meeting_mode import TYPED, refresh_punkt
from handlers.meeting_views import current_view
from handlers.member_chat import ask, stored
from handlers.texts import plain, t


class MemberPunkt(StatesGroup):
    """``punkt_id`` (inhabil) or ``moede_id`` (kommer/går) is in the data."""

    inhabil_reason = State()
    ranges = State()


async def ask_inhabil_reason(
    query: CallbackQuery,
    callback_data: MemberCb,
    actor: Actor,
    uow: UnitOfWork,
    state: FSMContext,
    config: ChatConfig,
) -> None:
    from agendas.meeting import member_notices

    declared = await member_notices.check_inhabil(uow, actor, callback_data.target, config.now())
    punkt = declared.punkt
    question = t("members-ask-inhabil-reason", number=punkt.number, title=punkt.title)
    await ask(
        query, state, MemberPunkt.inhabil_reason, {"punkt_id": callback_data.target}, question
    )


async def typed_inhabil_reason(
    message: Message,
    state: FSMContext,
    actor: Actor,
    uow: UnitOfWork,
    config: ChatConfig,
    texts: Texts,
    outbox_wake: Callable[[], None] | None = None,
) -> None:
    from agendas.meeting import member_notices

    punkt_id = int((await state.get_data()).get("punkt_id", 0))
    change = member_notices.declare_inhabil(
        uow, actor, punkt_id, message.text or "", config.now(), texts
    )
    declared = await stored(message, state, change, outbox_wake)
    if declared is None:
        return
    punkt = declared.punkt
    await message.answer(t("members-inhabil-declared", number=punkt.number, title=punkt.title))


async def ask_ranges(
    query: CallbackQuery,
    callback_data: MemberCb,
    actor: Actor,
    uow: UnitOfWork,
    state: FSMContext,
    config: ChatConfig,
) -> None:
    from agendas.meeting import member_notices

    count = await member_notices.agenda_length(uow, actor, callback_data.target, config.now())
    key = "members-ask-ranges-one" if count == 1 else "members-ask-ranges-other"
    await ask(
        query, state, MemberPunkt.ranges, {"moede_id": callback_data.target}, t(key, last=count)
    )


async def typed_ranges(
    message: Message, state: FSMContext, actor: Actor, uow: UnitOfWork, config: ChatConfig
) -> None:
    from agendas.meeting import member_notices

    moede_id = int((await state.get_data()).get("moede_id", 0))
    change = member_notices.set_member_ranges(
        uow, actor, moede_id, message.text or "", config.now()
    )
    ranges = await stored(message, state, change, None)
    if ranges is None:
        return
    if ranges:
        await message.answer(t("members-ranges-saved", ranges=format_ranges(ranges)))
    else:
        await message.answer(t("members-ranges-all"))


async def confirm_declared(
    query: CallbackQuery, callback_data: MmCb, actor: Actor, uow: UnitOfWork, config: ChatConfig
) -> None:
    """Meeting mode: the secretary confirms a member's declared inhabilitet."""
    from agendas.meeting import decisions

    cb = callback_data
    if await current_view(query, cb, actor, uow, punkt=True) is None:
        return
    await decisions.confirm_inhabil(uow, actor, cb.item, cb.value, cb.rev, config.now())
    await query.answer(plain("meeting-saved"))
    await refresh_punkt(query, actor, uow, cb.moede_id, cb.item)


def setup() -> Router:
    router = Router(name="member_punkt")
    router.message.filter(F.chat.type == "private")
    router.message.register(typed_inhabil_reason, StateFilter(MemberPunkt.inhabil_reason), *TYPED)
    router.message.register(typed_ranges, StateFilter(MemberPunkt.ranges), *TYPED)
    cb = router.callback_query
    cb.register(ask_inhabil_reason, MemberCb.filter(F.action == "inhab"))
    cb.register(ask_ranges, MemberCb.filter(F.action == "range"))
    cb.register(confirm_declared, MmCb.filter(F.action == "inhconf"))
    return router
