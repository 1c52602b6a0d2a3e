"""What the chat shows of members acting for themselves, shared by the views and routers: the
member's buttons on the agenda and on a punkt, the secretary's lines and buttons in meeting mode
for a declared inhabilitet, and how a dialog answers what a member typed. No handlers here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, TypeVar

from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import CallbackQuery, InlineKeyboardButton, Message

from agendas import rules
from agendas.errors import DomainError
from agendas.meeting_view import MeetingView
from agendas.model import Actor, Moede, Punkt, PunktKind
from agendas.services.member_common import is_member
from handlers.callbacks import MemberCb, MmCb
from handlers.chat import button, chat_message, clip
from handlers.texts import t

T = TypeVar("T")

#: Refusals of what was typed: the question stays open and the person types again. Any other
#: refusal (the meeting began meanwhile, the protocol was sent) ends the dialog.
RETYPE = frozenset(
    {
        "err-inhabil-reason-empty",
        "err-inhabil-reason-too-long",
        "err-ranges-format",
        "err-ranges-number",
        "err-members-ranges-order",
        "err-members-ranges-format",
        "err-question-empty",
        "err-question-too-long",
        "err-answer-empty",
        "err-answer-too-long",
        "err-title-empty",
        "err-title-too-long",
        "err-proposal-empty",
        "err-proposal-too-long",
        "err-proposal-reason-empty",
        "err-proposal-reason-too-long",
    }
)


async def typed(message: Message, state: FSMContext, change: Awaitable[T]) -> T | None:
    """Store what was typed. Bad text is explained and asked for again (None); any other
    refusal clears the dialog and goes to the central error handler. Nothing is stored."""
    try:
        return await change
    except DomainError as exc:
        if exc.key in RETYPE:
            await message.answer(t(exc.key, **exc.params) + "\n" + t("members-try-again"))
            return None
        await state.clear()
        raise


async def ask(
    query: CallbackQuery, state: FSMContext, step: State, data: dict[str, Any], question: str
) -> None:
    """A member's button opens a typed step: the dialog moves to ``step`` holding ``data``, the
    button is answered and the question asked in the chat."""
    await state.set_state(step)
    await state.set_data(data)
    await query.answer()
    await (await chat_message(query)).answer(question)


async def stored(
    message: Message,
    state: FSMContext,
    change: Awaitable[T],
    outbox_wake: Callable[[], None] | None,
) -> T | None:
    """``typed``; once the text is stored, the dialog ends and the outbox worker is woken (the
    change may have queued notices)."""
    result = await typed(message, state, change)
    if result is not None:
        await state.clear()
        wake(outbox_wake)
    return result


def wake(outbox_wake: Callable[[], None] | None) -> None:
    """Tell the outbox worker there is something to send (when the process has one)."""
    if outbox_wake is not None:
        outbox_wake()


def may_act(actor: Actor, moede: Moede, now: datetime | None) -> bool:
    """Whether to offer a member their own buttons on this meeting (the services decide)."""
    return now is not None and is_member(actor, moede.udvalg_id) and rules.before_start(moede, now)


def agenda_rows(
    actor: Actor, moede: Moede, now: datetime | None
) -> list[list[InlineKeyboardButton]]:
    """Under the agenda overview: "Jeg kommer/går" and "Foreslå et punkt"."""
    if not may_act(actor, moede, now):
        return []
    mid = moede.id or 0
    return [
        [
            button(t("members-btn-range"), MemberCb(action="range", target=mid)),
            button(t("members-btn-propose"), MemberCb(action="propose", target=mid)),
        ]
    ]


def punkt_rows(
    actor: Actor, moede: Moede, punkt: Punkt, now: datetime | None
) -> list[list[InlineKeyboardButton]]:
    """Under a sag: "Jeg er inhabil" and "Spørg forvaltningen"."""
    if punkt.kind is not PunktKind.SAG or not may_act(actor, moede, now):
        return []
    pid = punkt.id or 0
    return [
        [
            button(t("members-btn-inhabil"), MemberCb(action="inhab", target=pid)),
            button(t("members-btn-ask"), MemberCb(action="ask", target=pid)),
        ]
    ]


# --- meeting mode -------------------------------------------------------------------------------


def declared_lines(view: MeetingView, punkt_id: int) -> list[str]:
    """Under the decision: each member who declared themselves inhabil, the reason, and
    whether the secretary confirmed it."""
    confirmed = set(view.decision(punkt_id).inhabile)
    lines = []
    for declaration in view.declared(punkt_id):
        line = view.member(declaration.person_id)
        assert line is not None  # ``declared`` keeps those on the roster
        key = (
            "members-mm-declared-confirmed"
            if line.person_id in confirmed
            else "members-mm-declared"
        )
        lines.append(t(key, name=line.ref().label(), reason=declaration.reason))
    return lines


def confirm_rows(view: MeetingView, punkt_id: int) -> list[list[InlineKeyboardButton]]:
    """One "Bekræft inhabilitet" per declaration not confirmed yet."""
    confirmed = set(view.decision(punkt_id).inhabile)
    mid, rev = view.moede.id or 0, view.rev
    rows = []
    for declaration in view.declared(punkt_id):
        if declaration.person_id in confirmed:
            continue
        line = view.member(declaration.person_id)
        assert line is not None
        label = clip(t("members-btn-confirm-inhabil", name=line.person.name), 60)
        data = MmCb(action="inhconf", moede_id=mid, rev=rev, item=punkt_id, value=line.person_id)
        rows.append([button(label, data)])
    return rows


def attendance_declared(view: MeetingView, person_id: int) -> list[str]:
    """In the attendance, under a member: the punkter they declared themselves inhabil in."""
    numbers = [
        str(p.number)
        for p in view.punkter
        if any(d.person_id == person_id for d in view.declared(p.id or 0))
    ]
    if not numbers:
        return []
    key = "members-att-declared-one" if len(numbers) == 1 else "members-att-declared-other"
    return [t(key, numbers=", ".join(numbers))]
