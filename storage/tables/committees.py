"""The committee tables: udvalg, persons, their memberships and invites, the audit trail."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import UtcDateTime


class UdvalgRow(SQLModel, table=True):
    __tablename__ = "udvalg"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(sa_type=String(20), unique=True)
    name: str = Field(sa_type=String(200))
    forvaltning: str = Field(sa_type=String(200))
    created_at: dt.datetime = Field(sa_type=UtcDateTime)
    #: The usual length of a meeting in minutes (revision 0012).
    meeting_minutes: int = Field(default=120, sa_column_kwargs={"server_default": "120"})


class PersonRow(SQLModel, table=True):
    __tablename__ = "person"

    id: int | None = Field(default=None, primary_key=True)
    #: NULL for a roster member without Telegram (revision 0006); unique among the others
    #: (SQLite and PostgreSQL both let a unique column hold many NULLs).
    telegram_id: int | None = Field(default=None, sa_type=BigInteger, unique=True)
    name: str = Field(sa_type=String(200))
    username: str | None = Field(default=None, sa_type=String(64))
    language: str | None = Field(default=None, sa_type=String(8))
    is_admin: bool = False
    #: The name was given on the roster; Telegram's name does not replace it (revision 0006).
    name_fixed: bool = False
    created_at: dt.datetime = Field(sa_type=UtcDateTime)


class MembershipRow(SQLModel, table=True):
    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("person_id", "udvalg_id", "role"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", ondelete="CASCADE", index=True)
    udvalg_id: int = Field(foreign_key="udvalg.id", ondelete="CASCADE", index=True)
    role: str = Field(sa_type=String(20))
    party: str | None = Field(default=None, sa_type=String(10))
    created_at: dt.datetime = Field(sa_type=UtcDateTime)
    #: Whom a stedfortræder stands in for (revision 0006).
    substitute_for: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    #: From when the seat is held (revision 0006).
    since: dt.date | None = None


class InviteRow(SQLModel, table=True):
    __tablename__ = "invite"

    id: int | None = Field(default=None, primary_key=True)
    udvalg_id: int = Field(foreign_key="udvalg.id", ondelete="CASCADE", index=True)
    role: str = Field(sa_type=String(20))
    party: str | None = Field(default=None, sa_type=String(10))
    token_hash: str = Field(sa_type=String(64), unique=True)
    #: The issuing person's id; no foreign key, so scripted (system) actors can issue too.
    created_by: int
    expires_at: dt.datetime = Field(sa_type=UtcDateTime)
    used_by: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    used_at: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)
    created_at: dt.datetime = Field(sa_type=UtcDateTime)
    #: The roster member this invite links an account to (revision 0006); the invite goes
    #: with the member.
    person_id: int | None = Field(default=None, foreign_key="person.id", ondelete="CASCADE")


class AuditEventRow(SQLModel, table=True):
    """Who did what, when. No foreign keys: the record outlives what it describes."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_entity", "entity", "entity_id"),)

    id: int | None = Field(default=None, primary_key=True)
    actor_id: int | None = None
    action: str = Field(sa_type=String(60))
    entity: str = Field(sa_type=String(40))
    entity_id: int | None = None
    udvalg_id: int | None = Field(default=None, index=True)
    details: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    at: dt.datetime = Field(sa_type=UtcDateTime, index=True)
