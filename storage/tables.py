"""The database tables (SQLModel). Only the storage package sees these rows.

Importing this module registers every table on ``SQLModel.metadata`` (Alembic's target).
Telegram ids are BIGINT; every timestamp is timezone-aware UTC (``UtcDateTime``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    Index,
    LargeBinary,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from agendas.workdays import DEFAULT_FRIST_HVERDAGE, DEFAULT_WARN_HVERDAGE
from storage.types import UtcDateTime

#: Constraint names that Alembic (and SQLite batch mode) can address later.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata.naming_convention = NAMING_CONVENTION


class UdvalgRow(SQLModel, table=True):
    __tablename__ = "udvalg"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(sa_type=String(20), unique=True)
    name: str = Field(sa_type=String(200))
    forvaltning: str = Field(sa_type=String(200))
    created_at: dt.datetime = Field(sa_type=UtcDateTime)


class PersonRow(SQLModel, table=True):
    __tablename__ = "person"

    id: int | None = Field(default=None, primary_key=True)
    telegram_id: int = Field(sa_type=BigInteger, unique=True)
    name: str = Field(sa_type=String(200))
    username: str | None = Field(default=None, sa_type=String(64))
    language: str | None = Field(default=None, sa_type=String(8))
    is_admin: bool = False
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


class MoedeRow(SQLModel, table=True):
    __tablename__ = "moede"
    __table_args__ = (Index("ix_moede_udvalg_id_date", "udvalg_id", "date"),)

    id: int | None = Field(default=None, primary_key=True)
    udvalg_id: int = Field(foreign_key="udvalg.id", ondelete="CASCADE")
    date: dt.date = Field(sa_type=Date)
    start_time: dt.time = Field(sa_type=Time)
    place: str = Field(default="", sa_type=String(250))
    starts_at: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)
    ended_at: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)
    created_at: dt.datetime = Field(sa_type=UtcDateTime)


class PunktRow(SQLModel, table=True):
    """One agenda item; ``version`` is bumped on every content save (optimistic locking)."""

    __tablename__ = "punkt"

    id: int | None = Field(default=None, primary_key=True)
    moede_id: int = Field(foreign_key="moede.id", ondelete="CASCADE", index=True)
    kind: str = Field(sa_type=String(20))
    position: int = 0
    number: int = 0
    title: str = Field(sa_type=String(250))
    closed: bool = False
    sagstype: str | None = Field(default=None, sa_type=String(20))
    beslutningskompetence: str = Field(default="", sa_type=String(60))
    journal_number: str = Field(default="", sa_type=String(80))
    # One column per section of agendas.model.SECTIONS (NULL: section not filled in).
    sagens_kerne: str | None = Field(default=None, sa_type=Text)
    indstilling: str | None = Field(default=None, sa_type=Text)
    beslutning: str | None = Field(default=None, sa_type=Text)
    tidligere_beslutninger: str | None = Field(default=None, sa_type=Text)
    sagsfremstilling: str | None = Field(default=None, sa_type=Text)
    lov_og_plangrundlag: str | None = Field(default=None, sa_type=Text)
    oekonomiske_konsekvenser: str | None = Field(default=None, sa_type=Text)
    tidsplan: str | None = Field(default=None, sa_type=Text)
    version: int = 1
    updated_at: dt.datetime = Field(sa_type=UtcDateTime)
    #: The person who saved last; no foreign key so the audit trail survives deletions.
    updated_by: int | None = None


class BilagRow(SQLModel, table=True):
    """An attachment; ``content`` (the bytes) is loaded only when explicitly asked for."""

    __tablename__ = "bilag"

    id: int | None = Field(default=None, primary_key=True)
    punkt_id: int = Field(foreign_key="punkt.id", ondelete="CASCADE", index=True)
    telegram_file_id: str = Field(default="", sa_type=String(255))
    file_name: str = Field(sa_type=String(255))
    size: int = Field(sa_type=BigInteger)
    sha256: str = Field(sa_type=String(64))
    mime_type: str = Field(sa_type=String(255))
    position: int = 0
    content: bytes | None = Field(default=None, sa_type=LargeBinary)
    created_at: dt.datetime = Field(sa_type=UtcDateTime)


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


class FsmStateRow(SQLModel, table=True):
    """aiogram dialog state and data per storage key, so dialogs survive a restart."""

    __tablename__ = "fsm_state"

    key: str = Field(sa_type=String(255), primary_key=True)
    state: str | None = Field(default=None, sa_type=String(255))
    data: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    updated_at: dt.datetime = Field(sa_type=UtcDateTime)


# --- meeting mode (revision 0002) ----------------------------------------------------------------


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
    updated_at: dt.datetime = Field(sa_type=UtcDateTime)
    #: The person who saved last; no foreign key so the audit trail survives deletions.
    updated_by: int | None = None


class ProtokolRow(SQLModel, table=True):
    """The protocol of a meeting: ``rev`` is bumped on every change (stale buttons), the lock."""

    __tablename__ = "protokol"

    moede_id: int = Field(foreign_key="moede.id", ondelete="CASCADE", primary_key=True)
    rev: int = 0
    sent_at: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)
    locked_at: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)
    reopen_count: int = 0


class ProtokolApprovalRow(SQLModel, table=True):
    """A member's approval of a meeting's protocol, time-stamped; one per person and meeting."""

    __tablename__ = "protokol_approval"
    __table_args__ = (UniqueConstraint("moede_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    moede_id: int = Field(foreign_key="moede.id", ondelete="CASCADE")
    person_id: int = Field(foreign_key="person.id", ondelete="CASCADE")
    approved_at: dt.datetime = Field(sa_type=UtcDateTime)


# --- delivery: outbox, releases, committee delivery settings, reachability (revision 0003) -----


class OutboxRow(SQLModel, table=True):
    """A message to send; ``idempotency_key`` is unique, ``lease_until`` guards a claim."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_not_before", "status", "not_before"),)

    id: int | None = Field(default=None, primary_key=True)
    idempotency_key: str = Field(sa_type=String(200), unique=True)
    chat_id: int = Field(sa_type=BigInteger)
    person_id: int | None = None
    udvalg_id: int | None = None
    kind: str = Field(sa_type=String(20))
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    status: str = Field(default="pending", sa_type=String(12))
    attempts: int = 0
    not_before: dt.datetime = Field(sa_type=UtcDateTime)
    lease_until: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)
    sent_at: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)
    telegram_message_id: int | None = Field(default=None, sa_type=BigInteger)
    error: str | None = Field(default=None, sa_type=Text)
    created_at: dt.datetime = Field(sa_type=UtcDateTime)


class MoedeReleaseRow(SQLModel, table=True):
    """One per released meeting: when, by whom, and the meeting as last announced."""

    __tablename__ = "moede_release"

    moede_id: int = Field(foreign_key="moede.id", ondelete="CASCADE", primary_key=True)
    released_at: dt.datetime = Field(sa_type=UtcDateTime)
    released_by: int | None = None
    date: dt.date = Field(sa_type=Date)
    start_time: dt.time = Field(sa_type=Time)
    place: str = Field(default="", sa_type=String(250))
    sequence: int = 0
    versions: dict[str, int] = Field(default_factory=dict, sa_type=JSON)


class UdvalgDeliveryRow(SQLModel, table=True):
    """Per udvalg: linked group chat, udsendelsesfrist and warning lead (hverdage)."""

    __tablename__ = "udvalg_delivery"

    udvalg_id: int = Field(foreign_key="udvalg.id", ondelete="CASCADE", primary_key=True)
    group_chat_id: int | None = Field(default=None, sa_type=BigInteger)
    frist_hverdage: int = DEFAULT_FRIST_HVERDAGE
    warn_hverdage: int = DEFAULT_WARN_HVERDAGE


class RecipientStatusRow(SQLModel, table=True):
    """A chat that refused our messages (the person blocked the bot)."""

    __tablename__ = "recipient_status"

    chat_id: int = Field(sa_type=BigInteger, primary_key=True)
    unreachable_since: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)
    reason: str = Field(default="", sa_type=String(200))


# The status-round tables (revision 0004) live with their repositories in ``storage.status``;
# importing them here registers them on the metadata wherever the tables are imported.
import storage.status  # noqa: E402,F401
