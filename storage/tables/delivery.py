"""Delivery (revision 0003): the outbox, releases, committee delivery settings, reachability."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, Date, Float, Index, String, Text, Time
from sqlmodel import Field, SQLModel

from agendas.workdays import DEFAULT_FRIST_HVERDAGE, DEFAULT_WARN_HVERDAGE
from storage.types import UtcDateTime


class OutboxRow(SQLModel, table=True):
    """A message to send; ``idempotency_key`` is unique, ``lease_until`` guards a claim."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_status_not_before", "status", "not_before"),
        # A chat's last message, for the per-chat spacing of claims (revision 0013).
        Index("ix_outbox_chat_id_sent_at", "chat_id", "sent_at"),
    )

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
    start_time: dt.time | None = Field(default=None, sa_type=Time, nullable=True)
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


class SendBucketRow(SQLModel, table=True):
    """The send rate all bot processes share on PostgreSQL (storage/send_bucket.py): one row per
    bot, a token bucket refilled from the database's clock. ``granted`` is the outcome of the
    last take, written by the same UPDATE so its RETURNING can say whether a token was taken."""

    __tablename__ = "send_bucket"

    name: str = Field(sa_type=String(40), primary_key=True)
    tokens: float = Field(sa_type=Float)
    #: Seconds since the epoch on the database's clock, when ``tokens`` was last refilled.
    refilled_at: float = Field(sa_type=Float)
    granted: bool = False
