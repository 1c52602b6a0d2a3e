"""What delivery stores: outbox messages, releases and mailings, committee delivery settings.

Plain dataclasses and the repository protocols the release service needs. An outbox message is
written in the same transaction as the change that caused it; the delivery worker (bot/) sends
it. ``key`` is unique: writing the same key twice stores it once (a reminder job that fires twice,
a release retried after an error).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from agendas.workdays import DEFAULT_FRIST_HVERDAGE, DEFAULT_WARN_HVERDAGE


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # claimed by a worker until ``lease_until``
    SENT = "sent"
    FAILED = "failed"  # gave up after the retries
    UNREACHABLE = "unreachable"  # the recipient blocked the bot (403)


class OutboxKind(enum.StrEnum):
    AGENDA = "agenda"
    CALENDAR = "calendar"
    GROUP = "group"
    CHANGED = "changed"
    REMINDER = "reminder"
    DEADLINE = "deadline"
    NOTICE = "notice"
    DECISIONS = "decisions"
    APPROVAL = "approval"  # a protocol approval request


@dataclass(slots=True)
class OutboxMessage:
    key: str
    chat_id: int
    kind: OutboxKind
    payload: dict[str, Any]
    not_before: datetime
    person_id: int | None = None
    udvalg_id: int | None = None
    status: OutboxStatus = OutboxStatus.PENDING
    attempts: int = 0
    lease_until: datetime | None = None
    sent_at: datetime | None = None
    telegram_message_id: int | None = None
    error: str | None = None
    id: int | None = None


@dataclass(slots=True)
class Release:
    """The agenda of a meeting was sent out; the meeting as it was then, for later changes."""

    moede_id: int
    released_at: datetime
    released_by: int | None
    day: date
    start: time | None
    place: str
    #: The .ics SEQUENCE last sent; bumped when the meeting moves.
    sequence: int = 0
    #: punkt id -> version as last announced (the release, then each "ændret" notice).
    versions: dict[int, int] = field(default_factory=dict)


@dataclass(slots=True)
class DeliverySettings:
    """Per udvalg: its linked group chat and its udsendelsesfrist (hverdage before the meeting)."""

    udvalg_id: int
    group_chat_id: int | None = None
    frist_hverdage: int = DEFAULT_FRIST_HVERDAGE
    warn_hverdage: int = DEFAULT_WARN_HVERDAGE
