"""/medlemmer [KODE]: the secretary sees and keeps the udvalg's roster in chat.

``/medlemmer BEU`` lists the members (name, party, title, whom a stedfortræder stands in for,
from when, and whether they are on Telegram) with buttons per member: ✏️ edit (the new line is
typed next), 🗑 remove (after a confirmation), 📨 invite (a link that links a Telegram account to
that member; only for members without one). ``/medlemmer BEU tilføj Jan Kongebro (A) formand``
adds a member. Every change is ``agendas.services.roster``'s; a bad line gets a short message
saying what to write, and nothing is stored.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.deep_linking import create_start_link

from agendas import rules
from agendas.dates import format_date, format_time, to_local
from agendas.errors import InvalidInput, NotAllowed
from agendas.model import Actor
from agendas.ports import UnitOfWork
from agendas.services import committees
from handlers.callbacks import RosterCb
from handlers.chat import button, chat_message, clip, markup
from handlers.context import ChatConfig
from handlers.start import role_name
from handlers.texts import error_text, plain, t

if TYPE_CHECKING:
    from agendas.services.roster import Roster, RosterMember

#: The words that make ``/medlemmer KODE …`` an addition.
ADD_WORDS = frozenset({"tilføj", "tilfoej", "tilfoj", "add"})


class RosterEdit(StatesGroup):
    """The secretary types a member's new line (``code`` and ``person_id`` in data)."""

    entry = State()


def member_line(number: int, member: RosterMember) -> str:
    """ "1. Jan Kongebro (A), formand – 📱 på Telegram"."""
    parts = [html.escape(member.label(), quote=False)]
    if member.role.is_member and member.role.value != "medlem":
        parts.append(role_name(member.role))
    if member.substitute_for is not None:
        parts[-1] += " " + t("roster-for", name=member.substitute_for.name)
    if member.since is not None:
        parts.append(t("roster-since", date=format_date(member.since)))
    status = t("roster-on-telegram" if member.on_telegram else "roster-not-on-telegram")
    return f"{number}. {', '.join(parts)} – {status}"


def roster_text(listing: Roster) -> str:
    udvalg = listing.udvalg
    lines = [t("roster-head", udvalg=udvalg.name, code=udvalg.code), ""]
    if not listing.members:
        lines.append(t("roster-empty"))
    lines += [member_line(n, m) for n, m in enumerate(listing.members, 1)]
    lines += ["", t("roster-add-hint", code=udvalg.code)]
    return "\n".join(lines)


def roster_keyboard(listing: Roster) -> InlineKeyboardMarkup:
    code = listing.udvalg.code
    rows = []
    for number, member in enumerate(listing.members, 1):
        pid = member.person_id
        row = [
            button(
                clip(t("roster-btn-edit", number=number, name=member.person.name), 32),
                RosterCb(action="edit", code=code, person_id=pid),
            ),
            button(t("roster-btn-remove"), RosterCb(action="del", code=code, person_id=pid)),
        ]
        if not member.on_telegram:
            row.append(
                button(t("roster-btn-invite"), RosterCb(action="inv", code=code, person_id=pid))
            )
        rows.append(row)
    return markup(rows)


async def send_roster(message: Message, uow: UnitOfWork, actor: Actor, code: str) -> None:
    from agendas.services import roster

    listing = await roster.list_roster(uow, actor, code)
    await message.answer(roster_text(listing), reply_markup=roster_keyboard(listing))


async def editable_codes(uow: UnitOfWork, actor: Actor) -> list[str]:
    return [
        u.code
        for u, _ in await committees.my_udvalg(uow, actor)
        if rules.can_edit_udvalg(actor, u.id or 0)
    ]


async def roster_command(
    message: Message,
    command: CommandObject,
    actor: Actor,
    uow: UnitOfWork,
    config: ChatConfig,
    state: FSMContext,
) -> None:
    """/medlemmer [KODE] [tilføj …]: without a code, the one udvalg the secretary keeps."""
    from agendas.roster_entry import parse_entry
    from agendas.services import roster

    if await state.get_state() == RosterEdit.entry.state:
        await state.clear()  # a new command leaves an edit that was never typed
    words = (command.args or "").split(maxsplit=2)
    if not words:
        codes = await editable_codes(uow, actor)
        if not codes:
            raise NotAllowed("err-not-secretary")
        if len(codes) > 1:
            await message.answer(t("roster-usage", codes=", ".join(codes)))
            return
        await send_roster(message, uow, actor, codes[0])
        return
    code = words[0]
    if len(words) == 1:
        await send_roster(message, uow, actor, code)
        return
    if words[1].casefold() not in ADD_WORDS:
        await message.answer(t("roster-usage", codes=code.upper()))
        return
    try:
        entry = parse_entry(words[2] if len(words) > 2 else "", config.today().date())
        added = await roster.add_member(
            uow, actor, code, entry, config.now(), config.today().date()
        )
    except InvalidInput as exc:
        await message.answer(error_text(exc) + "\n\n" + t("roster-add-hint", code=code.upper()))
        return
    await message.answer(t("roster-added", name=added.label(), code=code.upper()))
    await send_roster(message, uow, actor, code)


# --- the buttons ---------------------------------------------------------------------------


async def ask_edit(
    query: CallbackQuery,
    callback_data: RosterCb,
    actor: Actor,
    uow: UnitOfWork,
    state: FSMContext,
) -> None:
    from agendas.services import roster

    cb = callback_data
    member = await roster.roster_member(uow, actor, cb.code, cb.person_id)
    await state.set_state(RosterEdit.entry)
    await state.set_data({"code": cb.code, "person_id": cb.person_id})
    await query.answer()
    await (await chat_message(query)).answer(
        t("roster-edit-ask", name=member.label(), example=example_of(member))
    )


def example_of(member: RosterMember) -> str:
    """The member's line as it would be typed, to copy and change."""
    text = member.label()
    if member.role.value != "medlem":
        text += " " + role_name(member.role)
    if member.substitute_for is not None:
        text += " " + plain("roster-for", name=member.substitute_for.name)
    if member.since is not None:
        text += " " + plain("roster-since", date=format_date(member.since))
    return text


async def typed_edit(
    message: Message, state: FSMContext, actor: Actor, uow: UnitOfWork, config: ChatConfig
) -> None:
    from agendas.roster_entry import parse_entry
    from agendas.services import roster

    data = await state.get_data()
    code, person_id = str(data.get("code", "")), int(data.get("person_id", 0))
    try:
        entry = parse_entry(message.text or "", config.today().date())
        edited = await roster.edit_member(uow, actor, code, person_id, entry, config.now())
    except InvalidInput as exc:
        await message.answer(error_text(exc) + "\n" + t("roster-edit-again"))
        return
    await state.clear()
    await message.answer(t("roster-edited", name=edited.label()))
    await send_roster(message, uow, actor, code)


async def ask_remove(
    query: CallbackQuery, callback_data: RosterCb, actor: Actor, uow: UnitOfWork
) -> None:
    from agendas.services import roster

    cb = callback_data
    member = await roster.roster_member(uow, actor, cb.code, cb.person_id)
    await query.answer()
    yes = RosterCb(action="delyes", code=cb.code, person_id=cb.person_id)
    no = RosterCb(action="list", code=cb.code)
    await (await chat_message(query)).answer(
        t("roster-remove-ask", name=member.label(), code=cb.code),
        reply_markup=markup(
            [[button(t("roster-btn-remove-yes"), yes), button(t("roster-btn-remove-no"), no)]]
        ),
    )


async def remove(
    query: CallbackQuery,
    callback_data: RosterCb,
    actor: Actor,
    uow: UnitOfWork,
    config: ChatConfig,
) -> None:
    from agendas.services import roster

    cb = callback_data
    removed = await roster.remove_member(uow, actor, cb.code, cb.person_id, config.now())
    await query.answer()
    message = await chat_message(query)
    await message.edit_text(t("roster-removed", name=removed.label(), code=cb.code))
    await send_roster(message, uow, actor, cb.code)


async def show_list(
    query: CallbackQuery, callback_data: RosterCb, actor: Actor, uow: UnitOfWork
) -> None:
    await query.answer()
    await send_roster(await chat_message(query), uow, actor, callback_data.code)


async def invite(
    query: CallbackQuery,
    callback_data: RosterCb,
    bot: Bot,
    actor: Actor,
    uow: UnitOfWork,
    config: ChatConfig,
) -> None:
    """📨: a one-time link for this member; opening it links the opener's Telegram account."""
    from agendas.services import roster

    cb = callback_data
    issued, member = await roster.invite_member(
        uow, actor, cb.code, cb.person_id, config.now(), ttl=config.invite_ttl
    )
    link = await create_start_link(bot, issued.token)
    expires = to_local(issued.invite.expires_at, config.timezone)
    await query.answer()
    await (await chat_message(query)).answer(
        t(
            "roster-invite-link",
            name=member.label(),
            udvalg=issued.udvalg.name,
            code=issued.udvalg.code,
            link=link,
            date=format_date(expires.date()),
            time=format_time(expires.time()),
        )
    )


def setup() -> Router:
    router = Router(name="roster")
    router.message.filter(F.chat.type == "private")
    router.message.register(roster_command, Command("medlemmer", "members"))
    router.message.register(
        typed_edit, StateFilter(RosterEdit.entry), F.text, ~F.text.startswith("/")
    )
    cb = router.callback_query
    cb.register(ask_edit, RosterCb.filter(F.action == "edit"))
    cb.register(ask_remove, RosterCb.filter(F.action == "del"))
    cb.register(remove, RosterCb.filter(F.action == "delyes"))
    cb.register(show_list, RosterCb.filter(F.action == "list"))
    cb.register(invite, RosterCb.filter(F.action == "inv"))
    return router
