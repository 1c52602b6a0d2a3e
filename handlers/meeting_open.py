"""Opening meeting mode (/moede): which meeting is being held, and, before its day, whether it
really is held today. Then attendance (``handlers.meeting_attendance``) and the punkter one by one
(``handlers.meeting_mode``) take over.
"""

from __future__ import annotations

from datetime import date

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from agendas import rules
from agendas.dates import format_date, moede_when
from agendas.errors import NotAllowed
from agendas.meeting import approval
from agendas.meeting.loading import load_view
from agendas.model import Actor
from agendas.ports import UnitOfWork
from agendas.services import meetings
from handlers.callbacks import MmCb
from handlers.chat import button, chat_message, markup, moede_choice
from handlers.context import ChatConfig
from handlers.meeting_mode import MeetingMode
from handlers.meeting_views import send_attendance
from handlers.texts import t


async def start_meeting_mode(
    message: Message, actor: Actor, uow: UnitOfWork, state: FSMContext, config: ChatConfig
) -> None:
    """/moede: the meeting being held (buttons when there are several), then attendance."""
    from agendas.meeting import attendance

    if not rules.is_editor_anywhere(actor):
        raise NotAllowed("err-not-secretary")
    today = config.today().date()
    listing = await attendance.meeting_mode_moeder(uow, actor, today)
    if not listing:
        await message.answer(await _no_meeting_text(uow, actor, today))
        return
    if len(listing) == 1:
        await open_meeting(message, actor, uow, state, config, listing[0].moede.id or 0)
        return
    await message.answer(
        t("meeting-choose"),
        reply_markup=moede_choice(listing, lambda mid: MmCb(action="pick", moede_id=mid)),
    )


async def _no_meeting_text(uow: UnitOfWork, actor: Actor, today: date) -> str:
    """No meeting around today: say when the next one is, if there is one."""
    from agendas.meeting import attendance

    coming = attendance.next_coming(await meetings.list_moeder(uow, actor, today), actor, today)
    if coming is None:
        return t("meeting-none")
    days = (coming.moede.date - today).days
    return t(
        "meeting-none-next-one" if days == 1 else "meeting-none-next-other",
        udvalg=coming.udvalg.code,
        when=moede_when(t, coming.moede.date, coming.moede.start_time),
        days=days,
    )


async def open_meeting(
    message: Message,
    actor: Actor,
    uow: UnitOfWork,
    state: FSMContext,
    config: ChatConfig,
    moede_id: int,
) -> None:
    """Attendance first. Before the meeting's day the secretary is asked to confirm that it is
    held today (an accidental tap on a coming meeting records nothing)."""
    view = await load_view(uow, actor, moede_id)
    if not rules.can_edit_udvalg(actor, view.udvalg.id or 0):
        raise NotAllowed("err-not-secretary")
    if not view.state.held(rules.meeting_day_started(view.moede, config.now())):
        yes = MmCb(action="heldyes", moede_id=moede_id)
        no = MmCb(action="heldno", moede_id=moede_id)
        await message.answer(
            t("meeting-held-ask", date=format_date(view.moede.date)),
            reply_markup=markup(
                [[button(t("meeting-btn-held-yes"), yes), button(t("meeting-btn-held-no"), no)]]
            ),
        )
        return
    await state.set_state(MeetingMode.active)
    await state.set_data({"moede_id": moede_id, "punkt_id": 0})
    await send_attendance(message, view)


async def pick_meeting(
    query: CallbackQuery,
    callback_data: MmCb,
    actor: Actor,
    uow: UnitOfWork,
    state: FSMContext,
    config: ChatConfig,
) -> None:
    await query.answer()
    message = await chat_message(query)
    await open_meeting(message, actor, uow, state, config, callback_data.moede_id)


async def confirm_held(
    query: CallbackQuery,
    callback_data: MmCb,
    actor: Actor,
    uow: UnitOfWork,
    state: FSMContext,
    config: ChatConfig,
) -> None:
    """ "Ja, mødet holdes i dag": stored and audited; meeting mode opens."""
    await approval.confirm_held(uow, actor, callback_data.moede_id, config.now())
    await query.answer()
    message = await chat_message(query)
    await message.edit_reply_markup(reply_markup=None)
    await open_meeting(message, actor, uow, state, config, callback_data.moede_id)


async def not_held(query: CallbackQuery) -> None:
    await query.answer()
    await (await chat_message(query)).edit_text(t("meeting-held-not-today"))


def setup() -> Router:
    router = Router(name="meeting_open")
    router.message.filter(F.chat.type == "private")
    router.message.register(start_meeting_mode, Command("moede", "meeting"))
    cb = router.callback_query
    cb.register(pick_meeting, MmCb.filter(F.action == "pick"))
    cb.register(confirm_held, MmCb.filter(F.action == "heldyes"))
    cb.register(not_held, MmCb.filter(F.action == "heldno"))
    return router
