"""Status rounds (revisions 0004 and 0011): plans with their goals, indsatser with their owners,
the units that own them, rounds, answers (also those given before a round), the prompt message
each tovholder has, absences and the udvalg's settings.

``indsats.tovholder`` and ``indsats.kontaktperson`` hold the names as the plan gives them; each
``indsats_owner`` row one owner (a unit or a person) with the person who is asked for it. A
plan's schedule is columns of the plan (the rule as typed, the answer window, the reminder
distance, when it was set).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, BigInteger, Date, Index, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import UtcDateTime


class PlanRow(SQLModel, table=True):
    __tablename__ = "plan"

    id: int | None = Field(default=None, primary_key=True)
    udvalg_id: int = Field(foreign_key="udvalg.id", ondelete="CASCADE", index=True)
    title: str = Field(sa_type=String(200))
    kind: str = Field(default="handleplan", sa_type=String(20))
    period: str = Field(default="", sa_type=String(100))
    schedule_rule: str | None = Field(default=None, sa_type=String(200))
    svarfrist_hverdage: int = 5
    reminder_hverdage: int = 2
    schedule_set_at: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)
    active: bool = True
    created_at: dt.datetime = Field(sa_type=UtcDateTime)
    created_by: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")


class IndsatsRow(SQLModel, table=True):
    __tablename__ = "indsats"

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", ondelete="CASCADE", index=True)
    position: int = 0
    title: str = Field(sa_type=String(300))
    maalgruppe: str = Field(default="", sa_type=Text)
    formaal: str = Field(default="", sa_type=Text)
    tovholder: str = Field(default="", sa_type=String(300))
    kontaktperson: str = Field(default="", sa_type=String(300))
    periode: str = Field(default="", sa_type=Text)
    samarbejdspartnere: str = Field(default="", sa_type=Text)
    aktiviteter: str = Field(default="", sa_type=Text)
    active: bool = True
    goal_id: int | None = Field(
        default=None, foreign_key="plan_goal.id", ondelete="SET NULL", index=True
    )
    tvaergaaende: bool = False


class PlanGoalRow(SQLModel, table=True):
    __tablename__ = "plan_goal"

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", ondelete="CASCADE", index=True)
    position: int = 0
    number: str = Field(default="", sa_type=String(20))
    kind: str = Field(default="maal", sa_type=String(20))
    title: str = Field(sa_type=String(300))
    description: str = Field(default="", sa_type=Text)


class StatusUnitRow(SQLModel, table=True):
    __tablename__ = "status_unit"

    id: int | None = Field(default=None, primary_key=True)
    udvalg_id: int = Field(foreign_key="udvalg.id", ondelete="CASCADE", index=True)
    name: str = Field(sa_type=String(300))
    person_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    contact_name: str = Field(default="", sa_type=String(300))
    aliases: list[str] = Field(default_factory=list, sa_type=JSON)


class IndsatsOwnerRow(SQLModel, table=True):
    __tablename__ = "indsats_owner"

    id: int | None = Field(default=None, primary_key=True)
    indsats_id: int = Field(foreign_key="indsats.id", ondelete="CASCADE", index=True)
    position: int = 0
    name: str = Field(default="", sa_type=String(300))
    person_id: int | None = Field(
        default=None, foreign_key="person.id", ondelete="SET NULL", index=True
    )
    unit_id: int | None = Field(
        default=None, foreign_key="status_unit.id", ondelete="SET NULL", index=True
    )
    confirmed: bool = True


class StatusRoundRow(SQLModel, table=True):
    __tablename__ = "status_round"
    __table_args__ = (UniqueConstraint("plan_id", "number", name="uq_status_round_plan_id_number"),)

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", ondelete="CASCADE")
    number: int
    opens_at: dt.datetime = Field(sa_type=UtcDateTime)
    deadline: dt.datetime = Field(sa_type=UtcDateTime)
    #: ISO instants (UTC).
    reminders: list[str] = Field(default_factory=list, sa_type=JSON)
    reminders_sent: int = 0
    state: str = Field(default="open", sa_type=String(12), index=True)
    moede_id: int | None = Field(default=None, foreign_key="moede.id", ondelete="SET NULL")
    sag_punkt_id: int | None = Field(default=None, foreign_key="punkt.id", ondelete="SET NULL")
    closed_at: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)


class StatusAnswerRow(SQLModel, table=True):
    __tablename__ = "status_answer"
    __table_args__ = (
        UniqueConstraint("round_id", "indsats_id", name="uq_status_answer_round_id_indsats_id"),
        Index("ix_status_answer_indsats_id", "indsats_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="status_round.id", ondelete="CASCADE")
    indsats_id: int = Field(foreign_key="indsats.id", ondelete="CASCADE")
    colour: str = Field(sa_type=String(8))
    text: str = Field(default="", sa_type=Text)
    answered_at: dt.datetime = Field(sa_type=UtcDateTime)
    answered_by: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    unchanged: bool = False
    attachment_file_id: str | None = Field(default=None, sa_type=String(255))
    attachment_name: str | None = Field(default=None, sa_type=String(255))
    attachment_size: int = Field(default=0, sa_type=BigInteger)
    early: bool = False


class StatusEarlyRow(SQLModel, table=True):
    """An answer given before the plan's next round opened (one per indsats); the round that
    opens takes it as its answer."""

    __tablename__ = "status_early"

    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", ondelete="CASCADE", index=True)
    indsats_id: int = Field(foreign_key="indsats.id", ondelete="CASCADE", unique=True)
    colour: str = Field(sa_type=String(8))
    text: str = Field(default="", sa_type=Text)
    answered_at: dt.datetime = Field(sa_type=UtcDateTime)
    answered_by: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    unchanged: bool = False
    attachment_file_id: str | None = Field(default=None, sa_type=String(255))
    attachment_name: str | None = Field(default=None, sa_type=String(255))
    attachment_size: int = Field(default=0, sa_type=BigInteger)


class StatusPromptRow(SQLModel, table=True):
    """The round's list message a person has in chat, when the bot sent it from a handler
    (the one the outbox sent is found by its key)."""

    __tablename__ = "status_prompt"

    round_id: int = Field(foreign_key="status_round.id", ondelete="CASCADE", primary_key=True)
    person_id: int = Field(foreign_key="person.id", ondelete="CASCADE", primary_key=True)
    chat_id: int = Field(sa_type=BigInteger)
    message_id: int = Field(sa_type=BigInteger)


class StatusAbsenceRow(SQLModel, table=True):
    __tablename__ = "status_absence"

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", ondelete="CASCADE", index=True)
    since: dt.date = Field(sa_type=Date)
    until: dt.date = Field(sa_type=Date)
    created_at: dt.datetime = Field(sa_type=UtcDateTime)


class StatusSettingsRow(SQLModel, table=True):
    __tablename__ = "status_settings"

    udvalg_id: int = Field(foreign_key="udvalg.id", ondelete="CASCADE", primary_key=True)
    red_to_formand: bool = False
