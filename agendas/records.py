"""What meeting mode stores: attendance, decisions per punkt, the protocol's state, approvals.

Plain dataclasses keyed by ids (person ids, punkt ids), as the repositories hand them out. The
services turn them into the named shapes of ``agendas.protocol`` for rendering.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime

from agendas.errors import DomainError, InvalidInput
from agendas.protocol import AttendanceStatus, SagRange, Votes

#: Who counts as present at the meeting (and so may approve the protocol).
PRESENT = frozenset({AttendanceStatus.TIL_STEDE, AttendanceStatus.STEDFORTRAEDER})


class StaleView(DomainError):
    """The button or view was made before the last change to the meeting's protocol."""

    key = "err-meeting-stale"


class ProtokolFrozen(DomainError):
    """The protocol is sent for approval: the meeting's record may not change until the
    secretary re-opens it (the members are approving exactly this text)."""

    key = "err-protokol-sent"


class ProtokolLocked(ProtokolFrozen):
    """The protocol is approved and locked; a change needs the secretary's explicit re-open."""

    key = "err-protokol-locked"


class MeetingNotHeld(DomainError):
    """Meeting mode and approval belong to a meeting that has been held: from its day on, or
    earlier only after the secretary confirmed that it is held today (audited)."""

    key = "err-meeting-not-held"


#: How long the reason for re-opening a protocol may be.
MAX_REOPEN_REASON = 500


@dataclass(slots=True)
class AttendanceRecord:
    """One person's attendance at one meeting."""

    moede_id: int
    person_id: int
    status: AttendanceStatus
    substitute_for: int | None = None  # person id of the member a stedfortræder replaces
    absent_for: tuple[SagRange, ...] = ()
    updated_at: datetime | None = None
    id: int | None = None


@dataclass(slots=True)
class StoredRemark:
    person_id: int
    text: str


class Ballot(enum.StrEnum):
    """One member's vote on a punkt."""

    FOR = "for"
    IMOD = "imod"
    UNDLADER = "undlader"


@dataclass(slots=True)
class DecisionRecord:
    """What was decided on one punkt; members are named by person id."""

    punkt_id: int
    beslutning: str = ""
    votes: Votes = field(default_factory=Votes)
    inhabile: list[int] = field(default_factory=list)
    remarks: list[StoredRemark] = field(default_factory=list)
    public_beslutning: str = ""
    #: Votes per member (person id); empty when no vote was taken by member (an imported
    #: protocol's counts are in ``votes`` alone).
    ballots: dict[int, Ballot] = field(default_factory=dict)
    updated_at: datetime | None = None
    updated_by: int | None = None


class ProtokolStage(enum.StrEnum):
    """kladde -> sendt til godkendelse -> godkendt (låst); a re-open goes back to kladde."""

    KLADDE = "kladde"
    SENDT = "sendt"
    GODKENDT = "godkendt"


@dataclass(slots=True)
class ProtokolState:
    """The protocol of one meeting: its stage, a revision bumped on every change, the times of
    the approval round and the lock, and the secretary's confirmation that a meeting was held
    before its planned day."""

    moede_id: int
    rev: int = 0
    sent_at: datetime | None = None
    locked_at: datetime | None = None
    reopen_count: int = 0
    stage: ProtokolStage = ProtokolStage.KLADDE
    reopen_reason: str = ""
    reopened_at: datetime | None = None
    held_confirmed_at: datetime | None = None
    held_confirmed_by: int | None = None

    @property
    def locked(self) -> bool:
        return self.stage is ProtokolStage.GODKENDT

    @property
    def frozen(self) -> bool:
        """Sent for approval or approved: the meeting's record may not change."""
        return self.stage is not ProtokolStage.KLADDE

    @property
    def started(self) -> bool:
        """Anything recorded beyond the agenda: a change, a round, a re-open."""
        return self.rev > 0

    def held(self, moede_day_started: bool) -> bool:
        """Whether meeting mode and approval are open: from the meeting day on, or after the
        secretary's confirmation that the meeting is held early."""
        return moede_day_started or self.held_confirmed_at is not None

    def require_open(self) -> None:
        """The one rule every path that changes a meeting's record goes through."""
        if self.stage is ProtokolStage.GODKENDT:
            raise ProtokolLocked()
        if self.stage is ProtokolStage.SENDT:
            raise ProtokolFrozen()

    def send(self, now: datetime) -> None:
        """kladde -> sendt (a reminder round keeps the first sending time)."""
        if self.stage is ProtokolStage.GODKENDT:
            raise ProtokolLocked()
        if self.stage is ProtokolStage.KLADDE:
            self.stage, self.sent_at = ProtokolStage.SENDT, now

    def approve_all(self, now: datetime) -> None:
        """sendt -> godkendt: the last member present approved."""
        if self.stage is not ProtokolStage.SENDT:
            raise InvalidInput("err-protokol-not-sent")
        self.stage, self.locked_at = ProtokolStage.GODKENDT, now

    def reopen(self, reason: str, now: datetime) -> None:
        """sendt or godkendt -> kladde, with the secretary's reason (the approvals are void)."""
        if self.stage is ProtokolStage.KLADDE:
            raise InvalidInput("err-protokol-not-frozen")
        self.stage, self.sent_at, self.locked_at = ProtokolStage.KLADDE, None, None
        self.reopen_count += 1
        self.reopen_reason, self.reopened_at = reason, now


@dataclass(slots=True)
class Approval:
    moede_id: int
    person_id: int
    approved_at: datetime
    #: The secretary (person id) who recorded this approval on the member's behalf (a member
    #: without Telegram approves on paper or in person); None when the member approved in chat.
    recorded_by: int | None = None
