"""What the tovholdere and the secretary receive during a status round, as messages.

Pure functions: the round and its indsatser in, ``OutMessage`` and ``OutboxMessage`` rows out,
for the service to write in the same transaction as the change that caused them. The caller
passes a ``Translate`` per recipient language. Every outbox message has a stable key, so a job
that fires twice (a restart, a second scheduler) stores each prompt and reminder once:

- ``status:r<round>:p<person>:prompt``: the one prompt a person gets in a round, listing all
  their indsatser with a button each and the progress ("3 af 13 besvaret"); it is edited in
  place as answers come in (``person_prompt`` builds it again),
- ``status:r<round>:p<person>:remind:<n>``: the n-th reminder, naming only what is missing,
- ``status:r<round>:missing:p<person>``: the list of missing answers for a secretary after the
  deadline.

``indsats_prompt`` is one indsats as its tovholder answers it (the goal, the last status, the
colour buttons). Buttons are abstract (``ButtonSpec``): target ``status:<choice>`` with the
indsats id and the round id as version; the chat layer turns them into callback data and
refuses a button whose round is no longer open.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from agendas.chatviews import Translate, esc
from agendas.dates import format_date, format_time, local_to_utc, to_local
from agendas.mailings import ButtonSpec, OutMessage
from agendas.outbox import OutboxKind, OutboxMessage
from agendas.plans import (
    COLOUR_LABELS,
    Absence,
    Handleplan,
    Indsats,
    PlanGoal,
    PreviousStatus,
    StatusAnswer,
    StatusColour,
    StatusRound,
)

ZONE = "Europe/Copenhagen"
#: Button choices and their labels; ``same`` is "ingen ændring" (offered only when there is a
#: previous answer to reuse).
CHOICE_KEYS: dict[str, str] = {
    "groen": "status-btn-groen",
    "gul": "status-btn-gul",
    "roed": "status-btn-roed",
    "same": "status-btn-same",
}
CHOICES = tuple(CHOICE_KEYS)
#: The goal is cut to this many characters in the prompt.
GOAL_LIMIT = 600
#: The mark before an indsats in a list: its colour, or an empty box while it has no answer.
MARKS: dict[StatusColour | None, str] = {
    StatusColour.GROEN: "🟢",
    StatusColour.GUL: "🟡",
    StatusColour.ROED: "🔴",
    None: "⬜",
}
#: Most indsatser with a button in one list (Telegram allows 100 buttons; /status has the rest).
MAX_LIST_BUTTONS = 90
#: A prompt held back by an absence goes out at this local time the day after it ends.
BACK_AT = time(8, 0)


@dataclass(frozen=True, slots=True)
class Recipient:
    person_id: int
    chat_id: int
    language: str


@dataclass(frozen=True, slots=True)
class ListItem:
    """One line of a person's list: the indsats, its answer in the round (if any), and who gave
    it when that was someone else (a co-owner)."""

    indsats: Indsats
    answer: StatusAnswer | None = None
    answered_by: str = ""


def prompt_key(round_id: int, person_id: int) -> str:
    return f"status:r{round_id}:p{person_id}:prompt"


def reminder_key(round_id: int, person_id: int, number: int) -> str:
    return f"status:r{round_id}:p{person_id}:remind:{number}"


def missing_key(round_id: int, person_id: int) -> str:
    return f"status:r{round_id}:missing:p{person_id}"


def _clip(text: str, limit: int) -> str:
    value = text.strip()
    return value if len(value) <= limit else value[: limit - 1] + "…"


def deadline_text(status_round: StatusRound, zone: str = ZONE) -> str:
    local = to_local(status_round.deadline, zone)
    return f"{format_date(local.date())} kl. {format_time(local.time())}"


def back_from(absence: Absence | None, opens_at: datetime, zone: str = ZONE) -> datetime:
    """When a prompt may go out to a person: at the opening, or, when they are away then, at
    ``BACK_AT`` the day after the absence ends."""
    if absence is None or not absence.covers(to_local(opens_at, zone).date()):
        return opens_at
    return max(opens_at, local_to_utc(absence.until + timedelta(days=1), BACK_AT, zone))


def indsats_prompt(
    plan: Handleplan,
    indsats: Indsats,
    status_round: StatusRound | None,
    previous: PreviousStatus | None,
    t: Translate,
    goal: PlanGoal | None = None,
) -> OutMessage:
    """One indsats as its tovholder answers it: the goal, the last status, the colour buttons.
    ``status_round`` None: a status given before the round opens."""
    assert indsats.id is not None
    if status_round is not None:
        lines = [t("status-prompt-head", plan=plan.named, deadline=deadline_text(status_round))]
    else:
        lines = [t("status-early-head", plan=plan.named)]
    lines.append(f"<b>{esc(indsats.title)}</b>")
    if goal is not None:
        lines.append(t("status-prompt-under-goal", goal=goal.label))
    if indsats.formaal:
        lines.append(t("status-prompt-goal", goal=_clip(indsats.formaal, GOAL_LIMIT)))
    if previous is not None:
        lines.append(
            t(
                "status-prompt-last",
                colour=COLOUR_LABELS[previous.colour],
                date=format_date(to_local(previous.answered_at, ZONE).date()),
                text=_clip(previous.text, GOAL_LIMIT),
            )
        )
    elif status_round is not None and status_round.number > 1:
        lines.append(t("status-prompt-no-previous"))
    else:
        lines.append(t("status-prompt-first"))
    choices = CHOICES if previous is not None else CHOICES[:3]
    round_id = status_round.id or 0 if status_round is not None else 0
    buttons = tuple(
        ButtonSpec(t(CHOICE_KEYS[choice]), f"status:{choice}", indsats.id, round_id)
        for choice in choices
    )
    return OutMessage("\n\n".join(lines), (buttons[:3], buttons[3:]) if buttons[3:] else (buttons,))


def person_prompt(
    plan: Handleplan,
    status_round: StatusRound,
    goals: dict[int, PlanGoal],
    items: Sequence[ListItem],
    t: Translate,
) -> OutMessage:
    """A person's one prompt in a round: every indsats of theirs, grouped under its goal, with
    its colour (or an empty box) and a button each, and how many are answered."""
    assert status_round.id is not None
    done = sum(1 for item in items if item.answer is not None)
    lines = [
        t(
            "status-list-head",
            plan=plan.named,
            number=status_round.number,
            deadline=deadline_text(status_round),
        ),
        t("status-list-progress", done=done, total=len(items)),
    ]
    current: int | None = -1
    for item in items:
        if item.indsats.goal_id != current and item.indsats.goal_id in goals:
            lines.append(f"\n<b>{esc(goals[item.indsats.goal_id].label)}</b>")
        current = item.indsats.goal_id
        lines.append(_list_line(item, t))
    lines.append("\n" + t("status-list-foot" if done < len(items) else "status-list-all-done"))
    buttons = [
        (
            ButtonSpec(
                _clip(f"{MARKS[_colour(item)]} {item.indsats.title}", 60),
                "status:answer",
                item.indsats.id or 0,
                status_round.id,
            ),
        )
        for item in items[:MAX_LIST_BUTTONS]
    ]
    buttons.append((ButtonSpec(t("status-btn-away"), "status:away", 0, status_round.id),))
    return OutMessage(_clip("\n".join(lines), 4000), tuple(buttons))


def _colour(item: ListItem) -> StatusColour | None:
    return item.answer.colour if item.answer is not None else None


def _list_line(item: ListItem, t: Translate) -> str:
    line = f"{MARKS[_colour(item)]} {esc(_clip(item.indsats.title, 120))}"
    if item.answer is not None and item.answered_by:
        line += " " + t("status-list-by", name=item.answered_by)
    if item.answer is not None and item.answer.early:
        line += " " + t("status-list-early")
    return line


def prompt_message(
    plan: Handleplan,
    status_round: StatusRound,
    recipient: Recipient,
    message: OutMessage,
    not_before: datetime,
) -> OutboxMessage:
    assert status_round.id is not None
    return OutboxMessage(
        key=prompt_key(status_round.id, recipient.person_id),
        chat_id=recipient.chat_id,
        kind=OutboxKind.REMINDER,
        payload=message.to_payload(),
        not_before=not_before,
        person_id=recipient.person_id,
        udvalg_id=plan.udvalg_id,
    )


def person_reminder(
    plan: Handleplan,
    status_round: StatusRound,
    number: int,
    recipient: Recipient,
    missing: Sequence[Indsats],
    t: Translate,
    now: datetime,
) -> OutboxMessage:
    """The ``number``-th reminder to one person: only the indsatser still without an answer."""
    assert status_round.id is not None
    lines = [
        t(
            "status-reminder-one" if len(missing) == 1 else "status-reminder-other",
            plan=plan.named,
            count=len(missing),
            deadline=deadline_text(status_round),
        )
    ]
    lines.extend(f"• {esc(_clip(i.title, 200))}" for i in missing)
    buttons = tuple(
        (ButtonSpec(_clip(f"⬜ {i.title}", 60), "status:answer", i.id or 0, status_round.id),)
        for i in missing[:MAX_LIST_BUTTONS]
    )
    return OutboxMessage(
        key=reminder_key(status_round.id, recipient.person_id, number),
        chat_id=recipient.chat_id,
        kind=OutboxKind.REMINDER,
        payload=OutMessage(_clip("\n".join(lines), 4000), buttons).to_payload(),
        not_before=now,
        person_id=recipient.person_id,
        udvalg_id=plan.udvalg_id,
    )


def missing_notices(
    plan: Handleplan,
    status_round: StatusRound,
    missing: Sequence[Indsats],
    secretaries: Sequence[Recipient],
    translate: Callable[[str], Translate],
    now: datetime,
    away: dict[int, date] | None = None,
) -> list[OutboxMessage]:
    """After the deadline: each secretary gets the list of indsatser without an answer
    (``away``: indsatser whose tovholdere were all away, with the day they are back)."""
    assert status_round.id is not None
    messages: list[OutboxMessage] = []
    for secretary in secretaries:
        t = translate(secretary.language)
        if missing:
            key = "status-missing-head-one" if len(missing) == 1 else "status-missing-head-other"
            lines = [t(key, plan=plan.named, count=len(missing))]
            for i in missing:
                line = f"• {esc(i.title)} ({esc(i.tovholder or t('status-no-tovholder'))})"
                if away and (i.id or 0) in away:
                    line += " " + t("status-away-until", date=format_date(away[i.id or 0]))
                lines.append(line)
            text = _clip("\n".join(lines), 4000)
        else:
            text = t("status-missing-none", plan=plan.named)
        messages.append(
            OutboxMessage(
                key=missing_key(status_round.id, secretary.person_id),
                chat_id=secretary.chat_id,
                kind=OutboxKind.DEADLINE,
                payload=OutMessage(text).to_payload(),
                not_before=now,
                person_id=secretary.person_id,
                udvalg_id=plan.udvalg_id,
            )
        )
    return messages
