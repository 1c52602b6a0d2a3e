"""What members do for themselves (revision 0010): inhabilitet declared from the punkt, questions
to the forvaltning with their answers, proposals of punkter."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import UtcDateTime


class InhabilDeclarationRow(SQLModel, table=True):
    """A member's own declaration of inhabilitet in a punkt, with the reason; one per member."""

    __tablename__ = "inhabil_declaration"
    __table_args__ = (UniqueConstraint("punkt_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    punkt_id: int = Field(foreign_key="punkt.id", ondelete="CASCADE")
    person_id: int = Field(foreign_key="person.id", ondelete="CASCADE")
    reason: str = Field(sa_type=Text)
    declared_at: dt.datetime = Field(sa_type=UtcDateTime)


class PunktQuestionRow(SQLModel, table=True):
    """A member's question about a punkt; ``answer`` and the rest stay empty until answered."""

    __tablename__ = "punkt_question"

    id: int | None = Field(default=None, primary_key=True)
    punkt_id: int = Field(foreign_key="punkt.id", ondelete="CASCADE", index=True)
    asked_by: int = Field(foreign_key="person.id", ondelete="CASCADE")
    text: str = Field(sa_type=Text)
    asked_at: dt.datetime = Field(sa_type=UtcDateTime)
    answer: str = Field(default="", sa_type=Text)
    #: The secretary who answered; no foreign key so the record outlives the person.
    answered_by: int | None = None
    answered_at: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)


class PunktProposalRow(SQLModel, table=True):
    """A member's proposal of a punkt for a meeting, and the secretary's decision on it."""

    __tablename__ = "punkt_proposal"

    id: int | None = Field(default=None, primary_key=True)
    moede_id: int = Field(foreign_key="moede.id", ondelete="CASCADE", index=True)
    proposed_by: int = Field(foreign_key="person.id", ondelete="CASCADE")
    title: str = Field(sa_type=String(250))
    text: str = Field(sa_type=Text)
    proposed_at: dt.datetime = Field(sa_type=UtcDateTime)
    state: str = Field(default="afventer", sa_type=String(20))
    #: The secretary who decided; no foreign key so the record outlives the person.
    decided_by: int | None = None
    decided_at: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)
    reason: str = Field(default="", sa_type=Text)
    punkt_id: int | None = Field(default=None, foreign_key="punkt.id", ondelete="SET NULL")
