"""Attendance in meeting mode: a tap cycles a member through til stede / afbud / fraværende, a
stedfortræder is marked for whom, and "sag 3-5" records a member arriving late or leaving early.

Thin, like ``handlers.meeting_mode`` (whose dialog states it shares): parse, call one service of
``agendas.meeting.attendance``, reply with the fresh attendance.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardButton, Message

from agendas.meeting.loading import load_view
from agendas.model import Actor
from agendas.ports import UnitOfWork
from agendas.protocol import AttendanceStatus
from handlers.callbacks import MmCb
from handlers.chat import button, chat_message, clip, markup
from handlers.context import ChatConfig
from handlers.meeting_mode import TYPED, Dialog, MeetingMode, typed
from handlers.meeting_views import CYCLE, LABEL_LIMIT, STATUS_KEYS, current_view, send_attendance
from handlers.texts import plain, t


async def cycle_attendance(
    query: CallbackQuery, callback_data: MmCb, actor: Actor, uow: UnitOfWork, config: ChatConfig
) -> None:
    from agendas.meeting import attendance

    cb = callback_data
    if await current_view(query, cb, actor, uow, punkt=False) is None:
        return
    status = CYCLE[cb.value % len(CYCLE)]
    await attendance.set_attendance(uow, actor, cb.moede_id, cb.item, status, cb.rev, config.now())
    await query.answer(plain(STATUS_KEYS[status]))
    await send_attendance(
        await chat_message(query), await load_view(uow, actor, cb.moede_id), edit=True
    )


async def choose_substituted(
    query: CallbackQuery, callback_data: MmCb, actor: Actor, uow: UnitOfWork
) -> None:
    """A stedfortræder: for whom (the members with afbud or fraværende), or not attending."""
    cb = callback_data
    view = await current_view(query, cb, actor, uow, punkt=False)
    if view is None:
        return
    line = view.member_from_button(cb.item)

    def choice(label: str, person_id: int) -> list[InlineKeyboardButton]:
        action = "substfor"
        data = MmCb(action=action, moede_id=cb.moede_id, rev=cb.rev, item=cb.item, value=person_id)
        return [button(label, data)]

    absent = [m for m in view.members if not m.substitute_only and not m.present]
    # The member the roster names them stedfortræder for comes first.
    absent.sort(key=lambda m: m.person_id != line.stands_in_for)
    rows = [choice(clip(m.person.name, LABEL_LIMIT), m.person_id) for m in absent]
    rows.append(choice(t("meeting-status-not-attending"), 0))
    await query.answer()
    await (await chat_message(query)).answer(
        t("meeting-ask-substitute", name=line.person.name), reply_markup=markup(rows)
    )


async def set_substitute(
    query: CallbackQuery, callback_data: MmCb, actor: Actor, uow: UnitOfWork, config: ChatConfig
) -> None:
    from agendas.meeting import attendance

    cb = callback_data
    if await current_view(query, cb, actor, uow, punkt=False) is None:
        return
    if cb.value:
        status = AttendanceStatus.STEDFORTRAEDER
        await attendance.set_attendance(
            uow, actor, cb.moede_id, cb.item, status, cb.rev, config.now(), substitute_for=cb.value
        )
    else:
        status = AttendanceStatus.FRAVAERENDE
        await attendance.set_attendance(
            uow, actor, cb.moede_id, cb.item, status, cb.rev, config.now()
        )
    await query.answer(plain("meeting-saved"))
    await send_attendance(await chat_message(query), await load_view(uow, actor, cb.moede_id))


async def ask_ranges(
    query: CallbackQuery, callback_data: MmCb, actor: Actor, uow: UnitOfWork, state: FSMContext
) -> None:
    cb = callback_data
    view = await current_view(query, cb, actor, uow, punkt=False)
    if view is None:
        return
    line = view.member_from_button(cb.item)
    await state.set_state(MeetingMode.ranges)
    await state.update_data(moede_id=cb.moede_id, person_id=cb.item)
    await query.answer()
    await (await chat_message(query)).answer(
        t("meeting-ask-ranges", name=line.person.name, last=len(view.punkter))
    )


async def typed_ranges(
    message: Message, state: FSMContext, actor: Actor, uow: UnitOfWork, config: ChatConfig
) -> None:
    """ "sag 3-5" for the member chosen; ``ingen`` clears."""
    from agendas.meeting import attendance

    dialog = await Dialog.of(state)
    text, now = message.text or "", config.now()
    change = attendance.set_absent_for(
        uow, actor, dialog.moede_id, dialog.person_id, text, None, now
    )
    if await typed(message, change) is None:
        return
    await state.set_state(MeetingMode.active)
    await message.answer(t("meeting-saved"))
    await send_attendance(message, await load_view(uow, actor, dialog.moede_id))


def setup() -> Router:
    router = Router(name="meeting_attendance")
    router.message.filter(F.chat.type == "private")
    router.message.register(typed_ranges, StateFilter(MeetingMode.ranges), *TYPED)
    cb = router.callback_query
    cb.register(cycle_attendance, MmCb.filter(F.action == "att"))
    cb.register(choose_substituted, MmCb.filter(F.action == "subst"))
    cb.register(set_substitute, MmCb.filter(F.action == "substfor"))
    cb.register(ask_ranges, MmCb.filter(F.action == "range"))
    return router
