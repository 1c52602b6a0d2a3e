"""/afbud: a member reports afbud for a coming meeting (one tap on the meeting); the secretary
sees it in the attendance of meeting mode. With the afbud, "🔁 Indkald min stedfortræder" for
each stedfortræder the roster names for the member: the stedfortræder attends for them, the
secretaries are told and the stedfortræder gets the news and the agenda (through the outbox)."""

from __future__ import annotations

from collections.abc import Callable

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from agendas.chatviews import Texts
from agendas.dates import moede_when
from agendas.model import Actor
from agendas.ports import UnitOfWork
from handlers.callbacks import MemberCb, MmCb
from handlers.chat import button, chat_message, clip, markup, moede_choice
from handlers.context import ChatConfig
from handlers.texts import t


async def afbud_command(
    message: Message, actor: Actor, uow: UnitOfWork, config: ChatConfig
) -> None:
    from agendas.meeting import attendance

    listing = await attendance.afbud_moeder(uow, actor, config.now())
    if not listing:
        await message.answer(t("meeting-afbud-none"))
        return
    # Always one tap on the meeting: an afbud typed by mistake from the menu records nothing.
    await message.answer(
        t("meeting-afbud-choose"),
        reply_markup=moede_choice(listing, lambda mid: MmCb(action="afbud", moede_id=mid)),
    )


async def afbud_button(
    query: CallbackQuery, callback_data: MmCb, actor: Actor, uow: UnitOfWork, config: ChatConfig
) -> None:
    from agendas.meeting import attendance, member_notices

    message = await chat_message(query)
    moede_id, now = callback_data.moede_id, config.now()
    moede, udvalg = await attendance.report_afbud(uow, actor, moede_id, now)
    candidates = await member_notices.substitute_candidates(uow, actor, moede_id, now)
    rows = [
        [
            button(
                clip(t("members-btn-call-substitute", name=line.person.name), 60),
                MemberCb(action="subst", target=moede_id, value=line.person_id),
            )
        ]
        for line in candidates
    ]
    await message.answer(
        t(
            "meeting-afbud-recorded",
            udvalg=udvalg.code,
            when=moede_when(t, moede.date, moede.start_time),
        ),
        reply_markup=markup(rows) if rows else None,
    )
    await query.answer()


async def call_substitute(
    query: CallbackQuery,
    callback_data: MemberCb,
    actor: Actor,
    uow: UnitOfWork,
    config: ChatConfig,
    texts: Texts,
    outbox_wake: Callable[[], None] | None = None,
) -> None:
    from agendas.meeting import member_notices

    cb = callback_data
    called = await member_notices.call_substitute(
        uow, actor, cb.target, cb.value, config.now(), config.timezone, texts
    )
    if outbox_wake is not None:
        outbox_wake()
    await query.answer()
    name = called.substitute.person.name
    key = "members-substitute-called-ok"
    if not called.substitute.person.on_telegram:
        key = "members-substitute-called-paper"
    await (await chat_message(query)).answer(t(key, name=name))


def setup() -> Router:
    router = Router(name="afbud")
    router.message.filter(F.chat.type == "private")
    router.message.register(afbud_command, Command("afbud"))
    router.callback_query.register(afbud_button, MmCb.filter(F.action == "afbud"))
    router.callback_query.register(call_substitute, MemberCb.filter(F.action == "subst"))
    return router
