"""Spørgsmål og svar: "❓ Spørg forvaltningen" on a sag before the meeting, and the secretary's
"✍️ Svar" on the question the outbox brought them. Thin: parse, call one service of
``agendas.services.questions``, reply; what goes to other people goes through the outbox.
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
from handlers import long_text
from handlers.callbacks import MemberCb, QuestionCb
from handlers.context import ChatConfig
from handlers.meeting_mode import TYPED
from handlers.member_chat import ask, stored
from handlers.texts import t


class Questions(StatesGroup):
    """``punkt_id`` (a member's question) or ``question_id`` (the answer) is in the data."""

    question = State()
    answer = State()


async def ask_question(
    query: CallbackQuery,
    callback_data: MemberCb,
    actor: Actor,
    uow: UnitOfWork,
    state: FSMContext,
    config: ChatConfig,
) -> None:
    from agendas.services import questions

    asked = await questions.check_ask(uow, actor, callback_data.target, config.now())
    punkt = asked.punkt
    question = t("members-ask-question", number=punkt.number, title=punkt.title)
    await ask(query, state, Questions.question, {"punkt_id": callback_data.target}, question)


async def typed_question(
    message: Message,
    state: FSMContext,
    actor: Actor,
    uow: UnitOfWork,
    config: ChatConfig,
    texts: Texts,
    outbox_wake: Callable[[], None] | None = None,
) -> None:
    from agendas.services import questions

    text = await long_text.gather(message, state)
    if text is None:
        return
    punkt_id = int((await state.get_data()).get("punkt_id", 0))
    change = questions.ask_question(uow, actor, punkt_id, text, config.now(), texts)
    asked = await stored(message, state, change, outbox_wake)
    if asked is None:
        return
    key = "members-question-sent" if asked.told else "members-question-sent-nobody"
    await message.answer(t(key, number=asked.punkt.number, title=asked.punkt.title))


async def ask_answer(
    query: CallbackQuery,
    callback_data: QuestionCb,
    actor: Actor,
    uow: UnitOfWork,
    state: FSMContext,
) -> None:
    from agendas.services import questions

    asked = await questions.check_answer(uow, actor, callback_data.question_id)
    punkt = asked.punkt
    question = t(
        "members-ask-answer",
        name=asked.asker,
        number=punkt.number,
        title=punkt.title,
        question=asked.question.text,
    )
    await ask(query, state, Questions.answer, {"question_id": callback_data.question_id}, question)


async def typed_answer(
    message: Message,
    state: FSMContext,
    actor: Actor,
    uow: UnitOfWork,
    config: ChatConfig,
    texts: Texts,
    outbox_wake: Callable[[], None] | None = None,
) -> None:
    from agendas.services import questions

    text = await long_text.gather(message, state)
    if text is None:
        return
    question_id = int((await state.get_data()).get("question_id", 0))
    change = questions.answer_question(uow, actor, question_id, text, config.now(), texts)
    asked = await stored(message, state, change, outbox_wake)
    if asked is None:
        return
    key = "members-answer-saved-one" if asked.told == 1 else "members-answer-saved-other"
    await message.answer(t(key, number=asked.punkt.number, count=asked.told))


def setup() -> Router:
    router = Router(name="questions")
    router.message.filter(F.chat.type == "private")
    router.message.register(typed_question, StateFilter(Questions.question), *TYPED)
    router.message.register(typed_answer, StateFilter(Questions.answer), *TYPED)
    cb = router.callback_query
    cb.register(ask_question, MemberCb.filter(F.action == "ask"))
    cb.register(ask_answer, QuestionCb.filter(F.action == "answer"))
    return router
