"""Meeting mode (revision 0002): attendance, decisions, the protocol and its approvals."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import UtcDateTime


class AttendanceRow(SQLModel, table=True):
    """One person's attendance at one meeting; ``absent_for`` is a JSON list of [first, last]."""

    __tablename__ = "attendance"
    __table_args__ = (UniqueConstraint("moede_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    moede_id: int = Field(foreign_key="moede.id", ondelete="CASCADE")
    person_id: int = Field(foreign_key="person.id", ondelete="CASCADE")
    status: str = Field(sa_type=String(20))
    substitute_for: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    absent_for: list[list[int]] = Field(default_factory=list, sa_type=JSON)
    updated_at: dt.datetime = Field(sa_type=UtcDateTime)


class PunktDecisionRow(SQLModel, table=True):
    """What was decided on a punkt. Votes, inhabile (person ids) and remarks are JSON."""

    __tablename__ = "punkt_decision"

    punkt_id: int = Field(foreign_key="punkt.id", ondelete="CASCADE", primary_key=True)
    beslutning: str = Field(default="", sa_type=Text)
    votes: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    inhabile: list[int] = Field(default_factory=list, sa_type=JSON)
    remarks: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    public_beslutning: str = Field(default="", sa_type=Text)
    #: Votes per member (revision 0005): {"<person id>": "for" | "imod" | "undlader"}.
    ballots: dict[str, str] = Field(default_factory=dict, sa_type=JSON)
    updated_at: dt.datetime = Field(sa_type=UtcDateTime)
    #: The person who saved last; no foreign key so the audit trail survives deletions.
    updated_by: int | None = None


class ProtokolRow(SQLModel, table=True):
    """The protocol of a meeting: its ``stage`` (kladde, sendt, godkendt; revision 0005), ``rev``
    bumped on every change (stale buttons), and when the meeting was confirmed held early."""

    __tablename__ = "protokol"

    moede_id: int = Field(foreign_key="moede.id", ondelete="CASCADE", primary_key=True)
    rev: int = 0
    sent_at: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)
    locked_at: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)
    reopen_count: int = 0
    stage: str = Field(default="kladde", sa_type=String(20))
    reopen_reason: str = Field(default="", sa_type=Text)
    reopened_at: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)
    held_confirmed_at: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)
    #: The secretary who confirmed; no foreign key so the audit trail survives deletions.
    held_confirmed_by: int | None = None


class ProtokolApprovalRow(SQLModel, table=True):
    """A member's approval of a meeting's protocol, time-stamped; one per person and meeting."""

    __tablename__ = "protokol_approval"
    __table_args__ = (UniqueConstraint("moede_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    moede_id: int = Field(foreign_key="moede.id", ondelete="CASCADE")
    person_id: int = Field(foreign_key="person.id", ondelete="CASCADE")
    approved_at: dt.datetime = Field(sa_type=UtcDateTime)
    #: The secretary who recorded the approval for a member without Telegram (revision 0006);
    #: no foreign key, so the record of who did it outlives the person.
    recorded_by: int | None = None
