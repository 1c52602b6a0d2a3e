"""A member's "💡 Foreslå et punkt" on a coming meeting's agenda (a title, then a short text),
and the secretary's "✅ Optag" / "❌ Afvis" on the proposal the outbox brought them (Afvis asks
for the reason the member is told). Thin: parse, call one service of
``agendas.services.proposals``, reply.
"""

from __future__ import annotations

from collections.abc import Callable

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message

from agendas.chatviews import Texts
from agendas.dates import format_date
from agendas.model import Actor
from agendas.ports import UnitOfWork
from agendas.services import punkter
from handlers import long_text
from handlers.callbacks import MemberCb, MoedeCb, ProposalCb
from handlers.chat import button, chat_message, markup
from handlers.context import ChatConfig
from handlers.meeting_mode import TYPED
from handlers.member_chat import ask, stored, typed, wake
from handlers.texts import t


class Proposals(StatesGroup):
    """``moede_id`` and then ``title`` (a member's proposal), or ``proposal_id`` (the reason
    for declining it) are in the data."""

    title = State()
    text = State()
    reason = State()


async def start_proposal(
    query: CallbackQuery,
    callback_data: MemberCb,
    actor: Actor,
    uow: UnitOfWork,
    state: FSMContext,
    config: ChatConfig,
) -> None:
    from agendas.services import proposals

    moede, udvalg = await proposals.check_propose(uow, actor, callback_data.target, config.now())
    question = t("members-ask-proposal-title", udvalg=udvalg.code, date=format_date(moede.date))
    await ask(query, state, Proposals.title, {"moede_id": callback_data.target}, question)


async def typed_title(message: Message, state: FSMContext) -> None:
    async def check() -> str:
        return punkter.clean_title(message.text or "")

    title = await typed(message, state, check())
    if title is None:
        return
    await state.update_data(title=title)
    await state.set_state(Proposals.text)
    await message.answer(t("members-ask-proposal-text"))


async def typed_text(
    message: Message,
    state: FSMContext,
    actor: Actor,
    uow: UnitOfWork,
    config: ChatConfig,
    texts: Texts,
    outbox_wake: Callable[[], None] | None = None,
) -> None:
    from agendas.services import proposals

    text = await long_text.gather(message, state)
    if text is None:
        return
    data = await state.get_data()
    moede_id, title = int(data.get("moede_id", 0)), str(data.get("title", ""))
    change = proposals.propose(uow, actor, moede_id, title, text, config.now(), texts)
    view = await stored(message, state, change, outbox_wake)
    if view is None:
        return
    await message.answer(
        t(
            "members-proposal-sent",
            title=view.proposal.title,
            udvalg=view.udvalg.code,
            date=format_date(view.moede.date),
        )
    )


async def accept(
    query: CallbackQuery,
    callback_data: ProposalCb,
    actor: Actor,
    uow: UnitOfWork,
    config: ChatConfig,
    texts: Texts,
    outbox_wake: Callable[[], None] | None = None,
) -> None:
    from agendas.services import proposals

    view = await proposals.accept_proposal(
        uow, actor, callback_data.proposal_id, config.now(), texts
    )
    wake(outbox_wake)
    await query.answer()
    assert view.punkt is not None
    agenda = MoedeCb(action="agenda", moede_id=view.moede.id or 0)
    await (await chat_message(query)).answer(
        t(
            "members-proposal-accepted-secretary",
            title=view.proposal.title,
            number=view.punkt.number,
            name=view.member,
        ),
        reply_markup=markup([[button(t("agenda-btn-agenda"), agenda)]]),
    )


async def ask_decline_reason(
    query: CallbackQuery,
    callback_data: ProposalCb,
    actor: Actor,
    uow: UnitOfWork,
    state: FSMContext,
) -> None:
    from agendas.services import proposals

    view = await proposals.check_decide(uow, actor, callback_data.proposal_id)
    question = t("members-ask-decline-reason", title=view.proposal.title, name=view.member)
    await ask(query, state, Proposals.reason, {"proposal_id": callback_data.proposal_id}, question)


async def typed_reason(
    message: Message,
    state: FSMContext,
    actor: Actor,
    uow: UnitOfWork,
    config: ChatConfig,
    texts: Texts,
    outbox_wake: Callable[[], None] | None = None,
) -> None:
    from agendas.services import proposals

    text = await long_text.gather(message, state)
    if text is None:
        return
    proposal_id = int((await state.get_data()).get("proposal_id", 0))
    change = proposals.decline_proposal(uow, actor, proposal_id, text, config.now(), texts)
    view = await stored(message, state, change, outbox_wake)
    if view is None:
        return
    await message.answer(
        t("members-proposal-declined-secretary", title=view.proposal.title, name=view.member)
    )


def setup() -> Router:
    router = Router(name="proposals")
    router.message.filter(F.chat.type == "private")
    router.message.register(typed_title, StateFilter(Proposals.title), *TYPED)
    router.message.register(typed_text, StateFilter(Proposals.text), *TYPED)
    router.message.register(typed_reason, StateFilter(Proposals.reason), *TYPED)
    cb = router.callback_query
    cb.register(start_proposal, MemberCb.filter(F.action == "propose"))
    cb.register(accept, ProposalCb.filter(F.action == "accept"))
    cb.register(ask_decline_reason, ProposalCb.filter(F.action == "decline"))
    return router
