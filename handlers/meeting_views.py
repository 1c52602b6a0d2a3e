"""The screens of meeting mode and the protocol menu: texts, keyboards, sending them, and the
check that a button still matches the stored protocol (``current_view``).

Shared by ``handlers.meeting_mode``, ``handlers.meeting_attendance`` and ``handlers.protocol``;
no handlers here.
"""

from __future__ import annotations

import html
from collections.abc import Mapping

from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from agendas import rules
from agendas.dates import format_date, format_time, moede_when, to_local
from agendas.errors import NotAllowed
from agendas.meeting.loading import load_view
from agendas.meeting_view import (
    EmptySection,
    MeetingView,
    MemberLine,
    MissingItem,
    MissingKind,
    empty_sections,
    missing_for_approval,
)
from agendas.model import Actor
from agendas.ports import UnitOfWork
from agendas.protocol import TITLE_LABELS, AttendanceStatus, PunktRecord, Votes, votes_sentences
from agendas.protocol_input import STANDARD_PHRASES
from agendas.records import Ballot, ProtokolStage
from agendas.votes import PunktVoting, Result, result, suggested_beslutning, tally
from handlers.callbacks import MmCb
from handlers.chat import button, chat_message, clip, markup
from handlers.member_chat import attendance_declared, confirm_rows, declared_lines
from handlers.texts import Html, plain, t

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


def member_label(line: MemberLine) -> str:
    label = line.ref().label()
    if line.title in TITLE_LABELS:
        label = f"{label}, {TITLE_LABELS[line.title]}"  # type: ignore[index]
    return label


def moede_head(view: MeetingView) -> str:
    return t(
        "meeting-head",
        udvalg=view.udvalg.code,
        when=moede_when(t, view.moede.date, view.moede.start_time),
    )


# --- attendance -----------------------------------------------------------------------------------


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
        lines += attendance_declared(view, line.person_id)
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


# --- the punkter one by one -----------------------------------------------------------------------


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
    lines += vote_lines(view, pid)
    if record.inhabile:
        lines.append(
            t("meeting-punkt-inhabil", names=", ".join(m.label() for m in record.inhabile))
        )
    lines += declared_lines(view, pid)
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
        for i, phrase in enumerate(STANDARD_PHRASES)
    ]
    rows = [phrases[i : i + 2] for i in range(0, len(phrases), 2)]
    rows.append([act("meeting-btn-free", "free"), act("meeting-btn-votes", "votes")])
    stored = view.decision(pid)
    if suggested_beslutning(stored.beslutning, stored.votes):
        rows.append([act("meeting-btn-vote-suggest", "suggest")])
    rows.append([act("meeting-btn-inhabil", "inhab"), act("meeting-btn-remark", "remark")])
    rows += confirm_rows(view, pid)
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


# --- votes ---------------------------------------------------------------------------------------

RESULT_KEYS = {
    Result.ADOPTED: "meeting-vote-adopted",
    Result.REJECTED: "meeting-vote-rejected",
    Result.TIE: "meeting-vote-tie",
}
BALLOT_ICONS = {Ballot.FOR: "👍", Ballot.IMOD: "👎", Ballot.UNDLADER: "➖", None: "▫️"}
BALLOT_KEYS = {
    Ballot.FOR: "meeting-vote-ballot-for",
    Ballot.IMOD: "meeting-vote-ballot-imod",
    Ballot.UNDLADER: "meeting-vote-ballot-undlader",
    None: "meeting-vote-ballot-none",
}


def quorum_warning(voting: PunktVoting) -> str:
    return t("meeting-vote-quorum", present=voting.present, seats=voting.seats)


def result_line(votes: Votes) -> str:
    """ "Resultat: 1 stemme for (V) og 1 stemme imod (Ø). Ikke vedtaget: stemmerne stod lige." """
    outcome = result(votes)
    key = RESULT_KEYS[outcome]
    if outcome is Result.REJECTED and not votes.for_count and not votes.imod_count:
        key = "meeting-vote-none-cast"
    return t("meeting-vote-result", votes=votes_sentences("", votes), result=Html(t(key)))


def vote_lines(view: MeetingView, punkt_id: int) -> list[str]:
    """Under the decision: the result of the vote, the suggested decision text when the
    written one is missing or says otherwise, and a warning when not beslutningsdygtig."""
    stored = view.decision(punkt_id)
    lines = []
    if stored.votes:
        lines.append(result_line(stored.votes))
    suggestion = suggested_beslutning(stored.beslutning, stored.votes)
    if suggestion:
        text = PunktRecord(beslutning=suggestion, votes=stored.votes).decision_text()
        lines.append(t("meeting-vote-suggestion", text=text))
    voting = view.voting(punkt_id)
    if not voting.beslutningsdygtig:
        lines.append(quorum_warning(voting))
    return lines


def ballot_text(
    view: MeetingView, punkt_id: int, ballots: Mapping[int, Ballot], typed: bool
) -> str:
    """The vote on one punkt before it is stored: each member who may vote with their ballot,
    who cannot vote and why, the result, and what to do next."""
    punkt = view.punkter[view.punkt_index(punkt_id)]
    voting = view.voting(punkt_id)
    lines = [moede_head(view), t("meeting-vote-head", number=punkt.number, title=punkt.title)]
    if not voting.beslutningsdygtig:
        lines.append(quorum_warning(voting))
    if voting.excluded:
        who = "; ".join(e.describe() for e in voting.excluded)
        lines.append(t("meeting-vote-excluded", who=who))
    lines.append("")
    for voter in voting.voters:
        ballot = ballots.get(voter.person_id)
        label = html.escape(voter.ref().label(), quote=False)
        lines.append(f"{BALLOT_ICONS[ballot]} {label} – {t(BALLOT_KEYS[ballot])}")
    lines.append("")
    votes = tally(ballots, voting.party_of)
    lines.append(result_line(votes) if votes else t("meeting-vote-empty"))
    lines += ["", t("meeting-vote-confirm" if typed else "meeting-vote-hint")]
    return "\n".join(lines)


def ballot_keyboard(
    view: MeetingView, punkt_id: int, ballots: Mapping[int, Ballot]
) -> InlineKeyboardMarkup:
    mid, rev = view.moede.id or 0, view.rev

    def act(text: str, action: str, value: int = 0) -> InlineKeyboardButton:
        return button(text, MmCb(action=action, moede_id=mid, rev=rev, item=punkt_id, value=value))

    rows = [
        [
            act(
                clip(f"{BALLOT_ICONS[ballots.get(v.person_id)]} {v.name}", LABEL_LIMIT),
                "vmark",
                v.person_id,
            )
        ]
        for v in view.voting(punkt_id).voters
    ]
    rows.append([act(t("meeting-btn-vote-all-for"), "vall")])
    rows.append(
        [act(t("meeting-btn-vote-save"), "vsave"), act(t("meeting-btn-vote-edit"), "vedit")]
    )
    rows.append([act(t("meeting-btn-vote-back"), "goto", punkt_id)])
    return markup(rows)


async def send_ballots(
    message: Message,
    view: MeetingView,
    punkt_id: int,
    ballots: Mapping[int, Ballot],
    typed: bool = False,
    edit: bool = False,
) -> None:
    text = ballot_text(view, punkt_id, ballots, typed)
    keyboard = ballot_keyboard(view, punkt_id, ballots)
    if edit:
        await message.edit_text(text, reply_markup=keyboard)
    else:
        await message.answer(text, reply_markup=keyboard)


# --- the protocol ---------------------------------------------------------------------------------


def missing_text(missing: list[MissingItem]) -> str:
    """ "Protokollen kan ikke sendes til godkendelse endnu: mangler sluttidspunkt; punkt 2 …"."""
    items = []
    for item in missing:
        if item.kind is MissingKind.END_TIME:
            items.append(t("meeting-missing-end"))
        elif item.kind is MissingKind.DECISION:
            items.append(t("meeting-missing-decision", number=item.number, title=item.title))
        else:
            items.append(t("meeting-missing-public", number=item.number))
    return t("meeting-missing", items=Html("; ".join(items)))


def approval_lines(view: MeetingView, zone: str) -> list[str]:
    """Each member present: approved with date and time, or still missing."""
    approved = {a.person_id: a for a in view.approvals}
    lines = []
    for line in view.present():
        found = approved.get(line.person_id)
        if found is None:
            key = "meeting-protokol-waiting"
            if not line.person.on_telegram:
                key = "roster-protokol-waiting-paper"
            lines.append(t(key, name=line.person.name))
            continue
        when = to_local(found.approved_at, zone)
        key = "meeting-protokol-approved-by"
        if found.recorded_by is not None:
            key = "roster-protokol-approved-recorded"
        lines.append(
            t(
                key,
                name=line.person.name,
                date=format_date(when.date()),
                time=format_time(when.time()),
            )
        )
    return lines


def empty_section_items(empty: list[EmptySection]) -> Html:
    """ "punkt 4 Ny ungeindsats (Indstilling); punkt 5 …" (for the send and the release)."""
    return Html(
        "; ".join(
            t("meeting-empty-section", number=e.number, title=e.title, section=e.section)
            for e in empty
        )
    )


def empty_sections_text(empty: list[EmptySection]) -> str:
    """ "Disse obligatoriske afsnit er tomme: punkt 4 (Indstilling); …"."""
    return t("meeting-empty-sections", items=empty_section_items(empty))


def protokol_status_text(view: MeetingView, zone: str) -> str:
    lines = [moede_head(view)]
    stage = view.state.stage
    if stage is ProtokolStage.GODKENDT:
        lines.append(t("meeting-protokol-locked"))
    elif stage is ProtokolStage.SENDT:
        lines.append(t("meeting-protokol-sent"))
    else:
        lines.append(t("meeting-protokol-not-sent"))
        if view.state.reopen_count and view.state.reopen_reason:
            lines.append(t("meeting-protokol-reopened-why", reason=view.state.reopen_reason))
        missing = missing_for_approval(view)
        if missing:
            lines.append(f"⚠️ {missing_text(missing)}")
        empty = empty_sections(view.punkter)
        if empty:
            lines.append(f"⚠️ {empty_sections_text(empty)}")
        return "\n".join(lines)
    return "\n".join(lines + approval_lines(view, zone))


def protokol_keyboard(view: MeetingView) -> InlineKeyboardMarkup:
    mid, rev = view.moede.id or 0, view.rev
    reopen = [button(t("meeting-btn-reopen"), MmCb(action="reopen", moede_id=mid, rev=rev))]
    if view.state.locked:
        return markup([reopen])
    send_key = "meeting-btn-remind" if view.state.frozen else "meeting-btn-send"
    rows = [
        [button(t(send_key), MmCb(action="send", moede_id=mid, rev=rev))],
        [button(t("meeting-btn-status"), MmCb(action="status", moede_id=mid, rev=rev))],
    ]
    if view.state.frozen:
        # Members without Telegram approve on paper or in person; the secretary records it.
        for line in view.missing():
            if not line.person.on_telegram:
                label = clip(t("roster-btn-record", name=line.person.name), 64)
                data = MmCb(action="recapp", moede_id=mid, rev=rev, item=line.person_id)
                rows.append([button(label, data)])
        rows.append(reopen)
    return markup(rows)


async def send_protokol_menu(message: Message, view: MeetingView, zone: str) -> None:
    """The secretary's protocol buttons: documents, send for approval, status, re-open."""
    mid = view.moede.id or 0
    keyboard = protokol_keyboard(view)
    keyboard.inline_keyboard.insert(
        0,
        [
            button(t("meeting-btn-doc"), MmCb(action="doc", moede_id=mid)),
            button(t("meeting-btn-doc-public"), MmCb(action="docpub", moede_id=mid)),
        ],
    )
    await message.answer(protokol_status_text(view, zone), reply_markup=keyboard)


# --- a button from before the last change ---------------------------------------------------------


async def current_view(
    query: CallbackQuery, cb: MmCb, actor: Actor, uow: UnitOfWork, punkt: bool
) -> MeetingView | None:
    """The meeting as stored now if the button's revision still matches; otherwise say so and
    send the fresh view (attendance or the punkt), so the secretary carries on from there."""
    view = await load_view(uow, actor, cb.moede_id)
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
