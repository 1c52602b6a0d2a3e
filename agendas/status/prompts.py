"""What the tovholdere and the secretary receive during a status round, as outbox messages.

Pure functions: the round and its indsatser in, ``OutboxMessage`` rows out, for the service to
write in the same transaction as the change that caused them. The caller passes a ``Translate``
per recipient language. Every message has a stable outbox key, so a job that fires twice (a
restart, a second scheduler) stores each prompt and reminder once:

- ``status:r<round>:i<indsats>:prompt``: the prompt when the round opens,
- ``status:r<round>:i<indsats>:remind:<n>``: the n-th reminder (only to those still missing),
- ``status:r<round>:missing:p<person>``: the list of missing answers for a secretary after the
  deadline.

Buttons are abstract (``ButtonSpec``): target ``status:<choice>`` with the indsats id and the
round id as version; the chat layer turns them into callback data and refuses a button whose
round is no longer open.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from agendas.chatviews import Translate, esc
from agendas.dates import format_date, format_time, to_local
from agendas.mailings import ButtonSpec, OutMessage
from agendas.outbox import OutboxKind, OutboxMessage
from agendas.plans import COLOUR_LABELS, Handleplan, Indsats, PreviousStatus, StatusRound

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


@dataclass(frozen=True, slots=True)
class Recipient:
    person_id: int
    chat_id: int
    language: str


def prompt_key(round_id: int, indsats_id: int) -> str:
    return f"status:r{round_id}:i{indsats_id}:prompt"


def reminder_key(round_id: int, indsats_id: int, number: int) -> str:
    return f"status:r{round_id}:i{indsats_id}:remind:{number}"


def missing_key(round_id: int, person_id: int) -> str:
    return f"status:r{round_id}:missing:p{person_id}"


def _clip(text: str, limit: int) -> str:
    value = text.strip()
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _deadline_text(status_round: StatusRound) -> str:
    local = to_local(status_round.deadline, ZONE)
    return f"{format_date(local.date())} kl. {format_time(local.time())}"


def prompt(
    plan: Handleplan,
    indsats: Indsats,
    status_round: StatusRound,
    previous: PreviousStatus | None,
    t: Translate,
) -> OutMessage:
    """The private prompt for one indsats: the indsats, its goal, the last status, buttons."""
    assert indsats.id is not None and status_round.id is not None
    lines = [
        t("status-prompt-head", plan=plan.title, deadline=_deadline_text(status_round)),
        f"<b>{esc(indsats.title)}</b>",
    ]
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
    else:
        lines.append(t("status-prompt-first"))
    choices = CHOICES if previous is not None else CHOICES[:3]
    buttons = tuple(
        ButtonSpec(t(CHOICE_KEYS[choice]), f"status:{choice}", indsats.id, status_round.id)
        for choice in choices
    )
    return OutMessage("\n\n".join(lines), (buttons[:3], buttons[3:]) if buttons[3:] else (buttons,))


def round_prompts(
    plan: Handleplan,
    status_round: StatusRound,
    indsatser: Sequence[Indsats],
    previous: dict[int, PreviousStatus],
    recipients: dict[int, Recipient],
    translate: Callable[[str], Translate],
) -> tuple[list[OutboxMessage], list[Indsats]]:
    """One prompt per indsats to its tovholder, not before the opening; and the indsatser whose
    tovholder cannot be reached (no person, or the person has no chat) for the secretary."""
    messages: list[OutboxMessage] = []
    unreachable: list[Indsats] = []
    assert status_round.id is not None
    for indsats in indsatser:
        assert indsats.id is not None
        person = indsats.tovholder_person_id
        recipient = recipients.get(person) if person is not None else None
        if not indsats.active:
            continue
        if recipient is None:
            unreachable.append(indsats)
            continue
        message = prompt(
            plan, indsats, status_round, previous.get(indsats.id), translate(recipient.language)
        )
        messages.append(
            OutboxMessage(
                key=prompt_key(status_round.id, indsats.id),
                chat_id=recipient.chat_id,
                kind=OutboxKind.REMINDER,
                payload=message.to_payload(),
                not_before=status_round.opens_at,
                person_id=recipient.person_id,
                udvalg_id=plan.udvalg_id,
            )
        )
    return messages, unreachable


def round_reminders(
    plan: Handleplan,
    status_round: StatusRound,
    number: int,
    missing: Sequence[Indsats],
    recipients: dict[int, Recipient],
    translate: Callable[[str], Translate],
    now: datetime,
) -> list[OutboxMessage]:
    """The ``number``-th reminder to each tovholder still missing an answer."""
    assert status_round.id is not None
    messages: list[OutboxMessage] = []
    for indsats in missing:
        assert indsats.id is not None
        person = indsats.tovholder_person_id
        recipient = recipients.get(person) if person is not None else None
        if recipient is None:
            continue
        t = translate(recipient.language)
        text = t(
            "status-reminder",
            indsats=indsats.title,
            plan=plan.title,
            deadline=_deadline_text(status_round),
        )
        button = ButtonSpec(t("status-btn-answer"), "status:answer", indsats.id, status_round.id)
        messages.append(
            OutboxMessage(
                key=reminder_key(status_round.id, indsats.id, number),
                chat_id=recipient.chat_id,
                kind=OutboxKind.REMINDER,
                payload=OutMessage(text, ((button,),)).to_payload(),
                not_before=now,
                person_id=recipient.person_id,
                udvalg_id=plan.udvalg_id,
            )
        )
    return messages


def missing_notices(
    plan: Handleplan,
    status_round: StatusRound,
    missing: Sequence[Indsats],
    secretaries: Sequence[Recipient],
    translate: Callable[[str], Translate],
    now: datetime,
) -> list[OutboxMessage]:
    """After the deadline: each secretary gets the list of indsatser without an answer."""
    assert status_round.id is not None
    messages: list[OutboxMessage] = []
    for secretary in secretaries:
        t = translate(secretary.language)
        if missing:
            lines = [t("status-missing-head", plan=plan.title, count=len(missing))]
            lines.extend(
                f"• {esc(i.title)} ({esc(i.tovholder or t('status-no-tovholder'))})"
                for i in missing
            )
            text = _clip("\n".join(lines), 4000)
        else:
            text = t("status-missing-none", plan=plan.title)
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
