"""Meeting mode (/moede), afbud (/afbud) and the protocol in chat (/protokol, approval).

Thin: every handler parses the update, calls one service of ``agendas.services.moedemode`` and
replies. Buttons carry the meeting id and the protocol's revision, so a button on a message made
before the last change is recognised: the user is told and gets the fresh view. The dialog state
(which meeting, which punkt, what is being typed) lives in the FSM storage, so a restart in the
middle of a meeting loses nothing.

Who gets which protocol: the secretary and the members get the internal version (``/protokol
offentlig`` gives them the public one); a tovholder (or an admin outside the udvalg) gets only the
public version and is told so; someone outside the udvalg is refused.

What goes to other people (the approval requests; once all have approved, the secretaries' notice
and the decisions summary) is written to the outbox by the service; the delivery worker sends it
(``handlers.callbacks.pack_button`` gives its buttons their callback data).
"""

from __future__ import annotations

import asyncio
import html
import logging
from collections.abc import Callable
from datetime import date, timedelta

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)

from agendas import rules
from agendas.chatviews import Texts
from agendas.dates import format_date, format_time, parse_date, to_local
from agendas.documents.render import render_dagsorden, render_protokol
from agendas.errors import InvalidInput, NotAllowed
from agendas.model import Actor
from agendas.ports import UnitOfWork
from agendas.protocol import TITLE_LABELS, AttendanceStatus
from agendas.records import StaleView
from agendas.services import moedemode as mm
from agendas.services.moedemode import MeetingView, MemberLine
from handlers.callbacks import ApproveCb, MmCb
from handlers.chat import button, chat_message, clip, markup, moede_choice
from handlers.context import ChatConfig
from handlers.texts import plain, t

log = logging.getLogger(__name__)

#: The words /protokol understands besides a date.
PROTOKOL_WORDS = frozenset({"offentlig", "public", "dagsorden", "agenda"})

LABEL_LIMIT = 40
#: How much of the indstilling the punkt view shows.
INDSTILLING_PREVIEW = 400

STATUS_KEYS: dict[AttendanceStatus | None, str] = {
    AttendanceStatus.TIL_STEDE: "meeting-status-present",
    AttendanceStatus.AFBUD: "meeting-status-afbud",
    AttendanceStatus.FRAVAERENDE: "meeting-status-absent",
    AttendanceStatus.STEDFORTRAEDER: "meeting-status-substitute",
    None: "meeting-status-not-attending",
}
STATUS_ICONS: dict[AttendanceStatus | None, str] = {
    AttendanceStatus.TIL_STEDE: "✅",
    AttendanceStatus.AFBUD: "✉️",
    AttendanceStatus.FRAVAERENDE: "❌",
    AttendanceStatus.STEDFORTRAEDER: "🔁",
    None: "➖",
}
#: What a tap on a regular member's status button sets next.
CYCLE = (AttendanceStatus.TIL_STEDE, AttendanceStatus.AFBUD, AttendanceStatus.FRAVAERENDE)


class MeetingMode(StatesGroup):
    """``moede_id`` and ``punkt_id`` (the punkt shown) are in the data; the typing states also
    hold ``person_id`` where a member was chosen."""

    active = State()
    ranges = State()
    free_text = State()
    votes = State()
    remark = State()
    public = State()
    end_time = State()


TYPING_STATES = {
    MeetingMode.ranges.state,
    MeetingMode.free_text.state,
    MeetingMode.votes.state,
    MeetingMode.remark.state,
    MeetingMode.public.state,
    MeetingMode.end_time.state,
}


def member_label(line: MemberLine) -> str:
    label = line.ref().label()
    if line.title in TITLE_LABELS:
        label = f"{label}, {TITLE_LABELS[line.title]}"  # type: ignore[index]
    return label


def moede_head(view: MeetingView) -> str:
    return t(
        "meeting-head",
        udvalg=view.udvalg.code,
        date=format_date(view.moede.date),
        time=format_time(view.moede.start_time),
    )


# --- attendance --------------------------------------------------------------------------------


def attendance_text(view: MeetingView) -> str:
    lines = [moede_head(view), t("meeting-att-title"), ""]
    names = {m.person_id: m.person.name for m in view.members}
    for line in view.members:
        status = line.status
        label = html.escape(member_label(line), quote=False)
        lines.append(f"{STATUS_ICONS[status]} {label} – {t(STATUS_KEYS[status])}")
        record = line.record
        if status is AttendanceStatus.STEDFORTRAEDER and record and record.substitute_for:
            lines.append(t("meeting-att-substitute-for", name=names.get(record.substitute_for, "")))
        if line.absent_for:
            ranges = ", ".join(r.label() for r in line.absent_for)
            lines.append(t("meeting-att-ranges", ranges=ranges))
    if not view.members:
        lines.append(t("meeting-att-no-members"))
    if view.state.locked:
        lines += ["", t("meeting-locked-note")]
    else:
        lines += ["", t("meeting-att-hint")]
    return "\n".join(lines)


def attendance_keyboard(view: MeetingView) -> InlineKeyboardMarkup:
    mid, rev = view.moede.id or 0, view.rev
    rows = []
    for line in view.members:
        status = line.status
        label = clip(f"{STATUS_ICONS[status]} {line.person.name}", 30)
        if line.substitute_only:
            main = button(label, MmCb(action="subst", moede_id=mid, rev=rev, item=line.person_id))
        else:
            following = (
                CYCLE[(CYCLE.index(status) + 1) % len(CYCLE)] if status in CYCLE else CYCLE[0]
            )
            main = button(
                label,
                MmCb(
                    action="att",
                    moede_id=mid,
                    rev=rev,
                    item=line.person_id,
                    value=CYCLE.index(following),
                ),
            )
        row = [main]
        if line.present:
            row.append(
                button(
                    t("meeting-btn-ranges"),
                    MmCb(action="range", moede_id=mid, rev=rev, item=line.person_id),
                )
            )
        rows.append(row)
    rows.append([button(t("meeting-btn-punkter"), MmCb(action="goto", moede_id=mid, rev=rev))])
    return markup(rows)


async def send_attendance(message: Message, view: MeetingView, edit: bool = False) -> None:
    text, keyboard = attendance_text(view), attendance_keyboard(view)
    if edit:
        await message.edit_text(text, reply_markup=keyboard)
    else:
        await message.answer(text, reply_markup=keyboard)


async def start_meeting_mode(
    message: Message, actor: Actor, uow: UnitOfWork, state: FSMContext, config: ChatConfig
) -> None:
    """/moede: the meeting being held (buttons when there are several), then attendance."""
    if not (actor.is_admin or any(rules.can_edit_udvalg(actor, u) for u in actor.roles)):
        raise NotAllowed("err-not-secretary")
    listing = await mm.meeting_mode_moeder(uow, actor, config.today().date())
    if not listing:
        await message.answer(t("meeting-none"))
        return
    if len(listing) == 1:
        await open_meeting(message, actor, uow, state, listing[0].moede.id or 0)
        return
    await message.answer(
        t("meeting-choose"),
        reply_markup=moede_choice(listing, lambda mid: MmCb(action="pick", moede_id=mid)),
    )


async def open_meeting(
    message: Message, actor: Actor, uow: UnitOfWork, state: FSMContext, moede_id: int
) -> None:
    view = await mm.load_view(uow, actor, moede_id)
    if not rules.can_edit_udvalg(actor, view.udvalg.id or 0):
        raise NotAllowed("err-not-secretary")
    await state.set_state(MeetingMode.active)
    await state.set_data({"moede_id": moede_id, "punkt_id": 0})
    await send_attendance(message, view)


async def pick_meeting(
    query: CallbackQuery,
    callback_data: MmCb,
    actor: Actor,
    uow: UnitOfWork,
    state: FSMContext,
) -> None:
    await query.answer()
    await open_meeting(await chat_message(query), actor, uow, state, callback_data.moede_id)


async def current_view(
    query: CallbackQuery, cb: MmCb, actor: Actor, uow: UnitOfWork, punkt: bool
) -> MeetingView | None:
    """The meeting as stored now if the button's revision still matches; otherwise say so and
    send the fresh view (attendance or the punkt), so the secretary carries on from there."""
    view = await mm.load_view(uow, actor, cb.moede_id)
    if not rules.can_edit_udvalg(actor, view.udvalg.id or 0):
        raise NotAllowed("err-not-secretary")
    if cb.rev == view.rev:
        return view
    await query.answer(plain("err-meeting-stale"), show_alert=True)
    message = await chat_message(query)
    if punkt and cb.item:
        await send_punkt(message, view, view.punkt_index(cb.item))
    else:
        await send_attendance(message, view)
    return None


async def cycle_attendance(
    query: CallbackQuery, callback_data: MmCb, actor: Actor, uow: UnitOfWork, config: ChatConfig
) -> None:
    cb = callback_data
    if await current_view(query, cb, actor, uow, punkt=False) is None:
        return
    status = CYCLE[cb.value % len(CYCLE)]
    await mm.set_attendance(uow, actor, cb.moede_id, cb.item, status, cb.rev, config.now())
    await query.answer(plain(STATUS_KEYS[status]))
    await send_attendance(
        await chat_message(query), await mm.load_view(uow, actor, cb.moede_id), edit=True
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
    rows = [
        [
            button(
                clip(m.person.name, LABEL_LIMIT),
                MmCb(
                    action="substfor",
                    moede_id=cb.moede_id,
                    rev=cb.rev,
                    item=cb.item,
                    value=m.person_id,
                ),
            )
        ]
        for m in view.members
        if not m.substitute_only and not m.present
    ]
    rows.append(
        [
            button(
                t("meeting-status-not-attending"),
                MmCb(action="substfor", moede_id=cb.moede_id, rev=cb.rev, item=cb.item, value=0),
            )
        ]
    )
    await query.answer()
    await (await chat_message(query)).answer(
        t("meeting-ask-substitute", name=line.person.name), reply_markup=markup(rows)
    )


async def set_substitute(
    query: CallbackQuery, callback_data: MmCb, actor: Actor, uow: UnitOfWork, config: ChatConfig
) -> None:
    cb = callback_data
    if await current_view(query, cb, actor, uow, punkt=False) is None:
        return
    if cb.value:
        status = AttendanceStatus.STEDFORTRAEDER
        await mm.set_attendance(
            uow, actor, cb.moede_id, cb.item, status, cb.rev, config.now(), substitute_for=cb.value
        )
    else:
        status = AttendanceStatus.FRAVAERENDE
        await mm.set_attendance(uow, actor, cb.moede_id, cb.item, status, cb.rev, config.now())
    await query.answer(plain("meeting-saved"))
    await send_attendance(await chat_message(query), await mm.load_view(uow, actor, cb.moede_id))


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


# --- the punkter one by one --------------------------------------------------------------------


def punkt_text(view: MeetingView, index: int) -> str:
    punkt = view.punkter[index]
    pid = punkt.id or 0
    record = view.record(pid)
    lines = [
        moede_head(view),
        t("meeting-punkt-head", number=punkt.number, count=len(view.punkter), title=punkt.title),
    ]
    if punkt.closed:
        lines.append(t("meeting-punkt-closed"))
    indstilling = punkt.section("indstilling").strip()
    if indstilling:
        lines.append(t("meeting-punkt-indstilling", text=clip(indstilling, INDSTILLING_PREVIEW)))
    lines.append("")
    decision = record.decision_text()
    lines.append(t("meeting-punkt-decision", text=decision or "—"))
    if record.inhabile:
        lines.append(
            t("meeting-punkt-inhabil", names=", ".join(m.label() for m in record.inhabile))
        )
    for remark in record.remarks:
        lines.append(t("meeting-punkt-remark", name=remark.member.label(), text=remark.text))
    if punkt.closed:
        lines.append(t("meeting-punkt-public", text=record.public_beslutning or "—"))
    away = [m.ref().label() for m in view.present() if any(punkt.number in r for r in m.absent_for)]
    if away:
        lines.append(t("meeting-punkt-away", names=", ".join(away)))
    if view.state.locked:
        lines += ["", t("meeting-locked-note")]
    return "\n".join(lines)


def punkt_keyboard(view: MeetingView, index: int) -> InlineKeyboardMarkup:
    punkt = view.punkter[index]
    mid, rev, pid = view.moede.id or 0, view.rev, punkt.id or 0

    def act(key: str, action: str, value: int = 0) -> InlineKeyboardButton:
        return button(t(key), MmCb(action=action, moede_id=mid, rev=rev, item=pid, value=value))

    phrases = [
        button(phrase, MmCb(action="phrase", moede_id=mid, rev=rev, item=pid, value=i))
        for i, phrase in enumerate(mm.STANDARD_PHRASES)
    ]
    rows = [phrases[i : i + 2] for i in range(0, len(phrases), 2)]
    rows.append([act("meeting-btn-free", "free"), act("meeting-btn-votes", "votes")])
    rows.append([act("meeting-btn-inhabil", "inhab"), act("meeting-btn-remark", "remark")])
    if punkt.closed:
        rows.append([act("meeting-btn-public", "public")])
    nav = []
    if index > 0:
        nav.append(act("meeting-btn-prev", "goto", view.punkter[index - 1].id or 0))
    if index + 1 < len(view.punkter):
        nav.append(act("meeting-btn-next", "goto", view.punkter[index + 1].id or 0))
    rows.append(nav)
    last = [act("meeting-btn-attendance", "att-view")]
    if index + 1 == len(view.punkter):
        last.insert(0, act("meeting-btn-end", "end"))
    rows.append(last)
    return markup(rows)


async def send_punkt(message: Message, view: MeetingView, index: int, edit: bool = False) -> None:
    text, keyboard = punkt_text(view, index), punkt_keyboard(view, index)
    if edit:
        await message.edit_text(text, reply_markup=keyboard)
    else:
        await message.answer(text, reply_markup=keyboard)


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
    cb = callback_data
    if await current_view(query, cb, actor, uow, punkt=True) is None:
        return
    if not 0 <= cb.value < len(mm.STANDARD_PHRASES):
        raise StaleView("err-stale-button")
    phrase = mm.STANDARD_PHRASES[cb.value]
    await mm.set_beslutning(uow, actor, cb.item, phrase, cb.rev, config.now())
    await query.answer(plain("meeting-saved"))
    await refresh_punkt(query, actor, uow, cb.moede_id, cb.item)


async def refresh_punkt(
    query: CallbackQuery, actor: Actor, uow: UnitOfWork, moede_id: int, punkt_id: int
) -> None:
    view = await mm.load_view(uow, actor, moede_id)
    await send_punkt(await chat_message(query), view, view.punkt_index(punkt_id), edit=True)


#: The typing prompt per button, and the state it sets.
PROMPTS = {
    "free": ("meeting-ask-free", MeetingMode.free_text),
    "votes": ("meeting-ask-votes", MeetingMode.votes),
    "public": ("meeting-ask-public", MeetingMode.public),
}


async def ask_text(
    query: CallbackQuery, callback_data: MmCb, actor: Actor, uow: UnitOfWork, state: FSMContext
) -> None:
    """ "Skriv selv", "Stemmer", "Offentlig beslutning": the next message is the text."""
    cb = callback_data
    view = await current_view(query, cb, actor, uow, punkt=True)
    if view is None:
        return
    punkt = view.punkter[view.punkt_index(cb.item)]
    key, next_state = PROMPTS[cb.action]
    await state.set_state(next_state)
    await state.update_data(moede_id=cb.moede_id, punkt_id=cb.item)
    await query.answer()
    await (await chat_message(query)).answer(t(key, number=punkt.number, title=punkt.title))


async def choose_member(
    query: CallbackQuery, callback_data: MmCb, actor: Actor, uow: UnitOfWork
) -> None:
    """ "Inhabil" / "Afvigende mening": which member (buttons)."""
    cb = callback_data
    view = await current_view(query, cb, actor, uow, punkt=True)
    if view is None:
        return
    punkt = view.punkter[view.punkt_index(cb.item)]
    inhabile = set(view.decision(cb.item).inhabile)
    action = "inhabp" if cb.action == "inhab" else "remarkp"
    rows = [
        [
            button(
                clip(
                    ("☑️ " if m.person_id in inhabile and action == "inhabp" else "")
                    + m.person.name,
                    LABEL_LIMIT,
                ),
                MmCb(
                    action=action, moede_id=cb.moede_id, rev=cb.rev, item=cb.item, value=m.person_id
                ),
            )
        ]
        for m in view.present()
    ]
    key = "meeting-ask-inhabil" if action == "inhabp" else "meeting-ask-remark-member"
    await query.answer()
    await (await chat_message(query)).answer(
        t(key, number=punkt.number, title=punkt.title), reply_markup=markup(rows)
    )


async def toggle_inhabil(
    query: CallbackQuery, callback_data: MmCb, actor: Actor, uow: UnitOfWork, config: ChatConfig
) -> None:
    cb = callback_data
    if await current_view(query, cb, actor, uow, punkt=True) is None:
        return
    await mm.toggle_inhabil(uow, actor, cb.item, cb.value, cb.rev, config.now())
    await query.answer(plain("meeting-saved"))
    view = await mm.load_view(uow, actor, cb.moede_id)
    message = await chat_message(query)
    await message.edit_text(t("meeting-saved"))
    await send_punkt(message, view, view.punkt_index(cb.item))


async def ask_remark(
    query: CallbackQuery, callback_data: MmCb, actor: Actor, uow: UnitOfWork, state: FSMContext
) -> None:
    cb = callback_data
    view = await current_view(query, cb, actor, uow, punkt=True)
    if view is None:
        return
    line = view.member_from_button(cb.value)
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


async def typed_text(
    message: Message,
    state: FSMContext,
    actor: Actor,
    uow: UnitOfWork,
    config: ChatConfig,
    bot: Bot,
) -> None:
    """The text asked for in one of the typing states; bad input is explained, nothing stored,
    and the question stays open."""
    current = await state.get_state()
    data = await state.get_data()
    moede_id, punkt_id = int(data.get("moede_id", 0)), int(data.get("punkt_id", 0))
    person_id = int(data.get("person_id", 0))
    text, now = message.text or "", config.now()
    try:
        if current == MeetingMode.ranges.state:
            await mm.set_absent_for(uow, actor, moede_id, person_id, text, None, now)
        elif current == MeetingMode.free_text.state:
            await mm.set_beslutning(uow, actor, punkt_id, text, None, now)
        elif current == MeetingMode.votes.state:
            await mm.set_votes(uow, actor, punkt_id, text, None, now)
        elif current == MeetingMode.remark.state:
            await mm.set_remark(uow, actor, punkt_id, person_id, text, None, now)
        elif current == MeetingMode.public.state:
            await mm.set_public_beslutning(uow, actor, punkt_id, text, None, now)
        else:
            end = await mm.set_end_time(uow, actor, moede_id, text, config.timezone, None, now)
            await state.clear()
            await message.answer(t("meeting-ended", time=format_time(end)))
            await send_protokol_menu(message, uow, actor, moede_id, config.timezone)
            return
    except InvalidInput as exc:
        await message.answer(t(exc.key, **exc.params) + "\n" + t("meeting-try-again"))
        return
    await state.set_state(MeetingMode.active)
    await message.answer(t("meeting-saved"))
    view = await mm.load_view(uow, actor, moede_id)
    if current == MeetingMode.ranges.state:
        await send_attendance(message, view)
    else:
        await send_punkt(message, view, view.punkt_index(punkt_id))


# --- afbud -------------------------------------------------------------------------------------


async def afbud_command(
    message: Message, actor: Actor, uow: UnitOfWork, config: ChatConfig
) -> None:
    listing = await mm.afbud_moeder(uow, actor, config.now())
    if not listing:
        await message.answer(t("meeting-afbud-none"))
        return
    # Always one tap on the meeting: an afbud typed by mistake from the menu records nothing.
    await message.answer(
        t("meeting-afbud-choose"),
        reply_markup=moede_choice(listing, lambda mid: MmCb(action="afbud", moede_id=mid)),
    )


async def record_afbud(
    message: Message, actor: Actor, uow: UnitOfWork, config: ChatConfig, moede_id: int
) -> None:
    moede, udvalg = await mm.report_afbud(uow, actor, moede_id, config.now())
    await message.answer(
        t(
            "meeting-afbud-recorded",
            udvalg=udvalg.code,
            date=format_date(moede.date),
            time=format_time(moede.start_time),
        )
    )


async def afbud_button(
    query: CallbackQuery, callback_data: MmCb, actor: Actor, uow: UnitOfWork, config: ChatConfig
) -> None:
    await record_afbud(await chat_message(query), actor, uow, config, callback_data.moede_id)
    await query.answer()


# --- the protocol: DOCX, approval, lock, re-open ------------------------------------------------


async def send_docx(
    bot: Bot,
    chat_id: int,
    uow: UnitOfWork,
    actor: Actor,
    moede_id: int,
    public: bool,
    protokol: bool,
    zone: str,
    template: bytes | None = None,
) -> None:
    doc, view = await mm.build_document(uow, actor, moede_id, zone)
    render = render_protokol if protokol else render_dagsorden
    content = await asyncio.to_thread(render, doc, public, template)
    name = mm.file_name(view.udvalg, view.moede, protokol, public)
    key = "meeting-doc-public" if public else "meeting-doc-internal"
    await bot.send_document(
        chat_id=chat_id,
        document=BufferedInputFile(content, filename=name),
        caption=t(key, name=name),
    )


def protokol_status_text(view: MeetingView, zone: str) -> str:
    lines = [moede_head(view)]
    if view.state.locked:
        lines.append(t("meeting-protokol-locked"))
    elif view.state.sent_at is None:
        lines.append(t("meeting-protokol-not-sent"))
    else:
        lines.append(t("meeting-protokol-sent"))
    names = {m.person_id: m.person.name for m in view.members}
    for approval in view.approvals:
        when = to_local(approval.approved_at, zone)
        lines.append(
            t(
                "meeting-protokol-approved-by",
                name=names.get(approval.person_id, "?"),
                date=format_date(when.date()),
                time=format_time(when.time()),
            )
        )
    missing = view.missing()
    if missing and view.state.sent_at is not None:
        lines.append(t("meeting-protokol-missing", names=", ".join(m.person.name for m in missing)))
    return "\n".join(lines)


def protokol_keyboard(view: MeetingView) -> InlineKeyboardMarkup:
    mid, rev = view.moede.id or 0, view.rev
    if view.state.locked:
        return markup(
            [[button(t("meeting-btn-reopen"), MmCb(action="reopen", moede_id=mid, rev=rev))]]
        )
    return markup(
        [
            [button(t("meeting-btn-send"), MmCb(action="send", moede_id=mid, rev=rev))],
            [button(t("meeting-btn-status"), MmCb(action="status", moede_id=mid, rev=rev))],
        ]
    )


async def send_protokol_menu(
    message: Message, uow: UnitOfWork, actor: Actor, moede_id: int, zone: str
) -> None:
    """The secretary's protocol buttons: documents, send for approval, status, re-open."""
    view = await mm.load_view(uow, actor, moede_id)
    mid = moede_id
    keyboard = protokol_keyboard(view)
    keyboard.inline_keyboard.insert(
        0,
        [
            button(t("meeting-btn-doc"), MmCb(action="doc", moede_id=mid)),
            button(t("meeting-btn-doc-public"), MmCb(action="docpub", moede_id=mid)),
        ],
    )
    await message.answer(protokol_status_text(view, zone), reply_markup=keyboard)


async def protokol_command(
    message: Message,
    command: CommandObject,
    actor: Actor,
    uow: UnitOfWork,
    config: ChatConfig,
    bot: Bot,
) -> None:
    """/protokol [offentlig] [dagsorden] [DATO]: a date (``12-01-2026``) picks an older meeting."""
    args = (command.args or "").split()
    words = {w.lower() for w in args if w.lower() in PROTOKOL_WORDS}
    rest = " ".join(w for w in args if w.lower() not in PROTOKOL_WORDS)
    on = None
    if rest:
        today = config.today().date()
        try:
            on = parse_date(rest, today)
            # Without a year parse_date takes the next such day; /protokol wants the last one.
            yearless = parse_date(rest, today + timedelta(days=3 * 366)) != on
        except InvalidInput:
            await message.answer(t("meeting-protokol-usage"))
            return
        if yearless and on > today:
            on = parse_date(rest, today - timedelta(days=365))
    await send_requested(message, actor, uow, config, bot, words, on)


async def dagsorden_docx_command(
    message: Message, actor: Actor, uow: UnitOfWork, config: ChatConfig, bot: Bot
) -> None:
    await send_requested(message, actor, uow, config, bot, {"dagsorden"})


async def send_requested(
    message: Message,
    actor: Actor,
    uow: UnitOfWork,
    config: ChatConfig,
    bot: Bot,
    words: set[str],
    on: date | None = None,
) -> None:
    chosen = await mm.protokol_moede(uow, actor, config.now(), on)
    if chosen is None:
        if on is not None:
            await message.answer(t("meeting-protokol-none-on", date=format_date(on)))
        else:
            await message.answer(t("meeting-protokol-none"))
        return
    udvalg_id = chosen.udvalg.id or 0
    public = bool(words & {"offentlig", "public"})
    if mm.public_only(actor, udvalg_id) and not public:
        public = True
        await message.answer(t("meeting-protokol-public-only"))
    protokol = not words & {"dagsorden", "agenda"}
    moede_id = chosen.moede.id or 0
    await send_docx(
        bot,
        message.chat.id,
        uow,
        actor,
        moede_id,
        public,
        protokol,
        config.timezone,
        config.docx_template,
    )
    if protokol and rules.can_edit_udvalg(actor, udvalg_id):
        await send_protokol_menu(message, uow, actor, moede_id, config.timezone)


async def doc_button(
    query: CallbackQuery,
    callback_data: MmCb,
    actor: Actor,
    uow: UnitOfWork,
    config: ChatConfig,
    bot: Bot,
) -> None:
    """📄 buttons: the protocol (internal for members and the secretary, else public)."""
    view = await mm.load_view(uow, actor, callback_data.moede_id)
    public = callback_data.action == "docpub" or mm.public_only(actor, view.udvalg.id or 0)
    await query.answer()
    await send_docx(
        bot,
        query.from_user.id,
        uow,
        actor,
        callback_data.moede_id,
        public,
        True,
        config.timezone,
        config.docx_template,
    )


async def send_for_approval(
    query: CallbackQuery,
    callback_data: MmCb,
    actor: Actor,
    uow: UnitOfWork,
    config: ChatConfig,
    texts: Texts,
    outbox_wake: Callable[[], None] | None = None,
) -> None:
    """Each member present (not yet approved) gets the summary and a "Godkend protokol" button,
    through the outbox; someone who blocked the bot is reported to the secretaries by the
    delivery worker."""
    cb = callback_data
    message = await chat_message(query)
    try:
        round_ = await mm.send_for_approval(
            uow,
            actor,
            cb.moede_id,
            cb.rev,
            config.now(),
            texts,
        )
    except StaleView:
        # A second press of the same button (or one from before a change): nothing is sent
        # again; the secretary gets the protocol as it stands, to send a reminder round from.
        await query.answer(plain("err-meeting-stale"), show_alert=True)
        await send_protokol_menu(message, uow, actor, cb.moede_id, config.timezone)
        return
    if outbox_wake is not None:
        outbox_wake()
    await query.answer()
    await message.answer(t("meeting-sent", count=len(round_.recipients)))
    await send_protokol_menu(message, uow, actor, cb.moede_id, config.timezone)


async def show_status(
    query: CallbackQuery, callback_data: MmCb, actor: Actor, uow: UnitOfWork, config: ChatConfig
) -> None:
    view = await mm.load_view(uow, actor, callback_data.moede_id)
    if not rules.can_edit_udvalg(actor, view.udvalg.id or 0):
        raise NotAllowed("err-not-secretary")
    await query.answer()
    await (await chat_message(query)).answer(
        protokol_status_text(view, config.timezone), reply_markup=protokol_keyboard(view)
    )


async def approve_protokol(
    query: CallbackQuery,
    callback_data: ApproveCb,
    actor: Actor,
    uow: UnitOfWork,
    config: ChatConfig,
    texts: Texts,
    outbox_wake: Callable[[], None] | None = None,
) -> None:
    """The last approval locks the protocol; the service queues the secretaries' notice and
    the decisions summary with it."""
    cb = callback_data
    result = await mm.approve(
        uow,
        actor,
        cb.moede_id,
        cb.rev,
        config.now(),
        texts,
    )
    if result.locked_now and outbox_wake is not None:
        outbox_wake()
    when = to_local(result.approved_at, config.timezone)
    text = t(
        "meeting-approved" if result.new else "meeting-approved-before",
        date=format_date(when.date()),
        time=format_time(when.time()),
    )
    await query.answer(clip(text, 200))
    message = await chat_message(query)
    await message.edit_reply_markup(reply_markup=None)
    await message.answer(text)


async def ask_reopen(
    query: CallbackQuery, callback_data: MmCb, actor: Actor, uow: UnitOfWork
) -> None:
    cb = callback_data
    view = await mm.load_view(uow, actor, cb.moede_id)
    if not rules.can_edit_udvalg(actor, view.udvalg.id or 0):
        raise NotAllowed("err-not-secretary")
    await query.answer()
    await (await chat_message(query)).answer(
        t("meeting-reopen-confirm"),
        reply_markup=markup(
            [
                [
                    button(
                        t("meeting-btn-reopen-yes"),
                        MmCb(action="reopenyes", moede_id=cb.moede_id, rev=cb.rev),
                    ),
                    button(
                        t("meeting-btn-reopen-no"), MmCb(action="reopenno", moede_id=cb.moede_id)
                    ),
                ]
            ]
        ),
    )


async def do_reopen(
    query: CallbackQuery, callback_data: MmCb, actor: Actor, uow: UnitOfWork, config: ChatConfig
) -> None:
    cb = callback_data
    await mm.reopen(uow, actor, cb.moede_id, cb.rev, config.now())
    await query.answer()
    await (await chat_message(query)).edit_text(t("meeting-reopened"))


async def keep_locked(query: CallbackQuery) -> None:
    await query.answer()
    await (await chat_message(query)).edit_text(t("meeting-reopen-kept"))


def setup() -> Router:
    router = Router(name="meeting")
    router.message.filter(F.chat.type == "private")
    router.message.register(start_meeting_mode, Command("moede", "meeting"))
    router.message.register(afbud_command, Command("afbud"))
    router.message.register(protokol_command, Command("protokol", "minutes"))
    router.message.register(dagsorden_docx_command, Command("dagsorden_docx"))
    router.message.register(
        typed_text, StateFilter(*TYPING_STATES), F.text, ~F.text.startswith("/")
    )
    cb = router.callback_query
    cb.register(pick_meeting, MmCb.filter(F.action == "pick"))
    cb.register(cycle_attendance, MmCb.filter(F.action == "att"))
    cb.register(choose_substituted, MmCb.filter(F.action == "subst"))
    cb.register(set_substitute, MmCb.filter(F.action == "substfor"))
    cb.register(ask_ranges, MmCb.filter(F.action == "range"))
    cb.register(goto_punkt, MmCb.filter(F.action == "goto"))
    cb.register(back_to_attendance, MmCb.filter(F.action == "att-view"))
    cb.register(choose_phrase, MmCb.filter(F.action == "phrase"))
    cb.register(ask_text, MmCb.filter(F.action.in_(set(PROMPTS))))
    cb.register(choose_member, MmCb.filter(F.action.in_({"inhab", "remark"})))
    cb.register(toggle_inhabil, MmCb.filter(F.action == "inhabp"))
    cb.register(ask_remark, MmCb.filter(F.action == "remarkp"))
    cb.register(ask_end, MmCb.filter(F.action == "end"))
    cb.register(afbud_button, MmCb.filter(F.action == "afbud"))
    cb.register(doc_button, MmCb.filter(F.action.in_({"doc", "docpub"})))
    cb.register(send_for_approval, MmCb.filter(F.action == "send"))
    cb.register(show_status, MmCb.filter(F.action == "status"))
    cb.register(ask_reopen, MmCb.filter(F.action == "reopen"))
    cb.register(do_reopen, MmCb.filter(F.action == "reopenyes"))
    cb.register(keep_locked, MmCb.filter(F.action == "reopenno"))
    cb.register(approve_protokol, ApproveCb.filter())
    return router
