"""The meeting tables: møder, their punkter and the punkter's bilag."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, BigInteger, Date, Index, LargeBinary, String, Text, Time
from sqlmodel import Field, SQLModel

from storage.types import UtcDateTime


class MoedeRow(SQLModel, table=True):
    __tablename__ = "moede"
    __table_args__ = (Index("ix_moede_udvalg_id_date", "udvalg_id", "date"),)

    id: int | None = Field(default=None, primary_key=True)
    udvalg_id: int = Field(foreign_key="udvalg.id", ondelete="CASCADE")
    date: dt.date = Field(sa_type=Date)
    start_time: dt.time | None = Field(default=None, sa_type=Time, nullable=True)
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
    #: Why a sag was added after the agenda was sent out (revision 0005); empty otherwise.
    late_reason: str = Field(default="", sa_type=Text)
    #: The sag number an imported document printed ("Sag nr. 170"; revision 0007).
    sag_number: int | None = None
    #: Sections under headings of the document the bot has no place for, in order, as
    #: [[title, text], …] (revision 0007).
    extra_sections: list[list[str]] = Field(default_factory=list, sa_type=JSON)
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
