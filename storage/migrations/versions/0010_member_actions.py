"""Members act for themselves: inhabilitet declared from the punkt, questions to the forvaltning
with their answers, proposals of punkter.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02

Only new tables, so no batch step is needed on SQLite. Self-contained like 0001: no application
imports.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _timestamp(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _fk(column: str, table: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=f"fk_{table}_{column}_{target}", ondelete=ondelete
    )


def upgrade() -> None:
    op.create_table(
        "inhabil_declaration",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("punkt_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        _timestamp("declared_at"),
        _fk("punkt_id", "inhabil_declaration", "punkt", "CASCADE"),
        _fk("person_id", "inhabil_declaration", "person", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_inhabil_declaration"),
        sa.UniqueConstraint(
            "punkt_id", "person_id", name="uq_inhabil_declaration_punkt_id_person_id"
        ),
    )
    op.create_table(
        "punkt_question",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("punkt_id", sa.Integer(), nullable=False),
        sa.Column("asked_by", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        _timestamp("asked_at"),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("answered_by", sa.Integer(), nullable=True),
        _timestamp("answered_at", nullable=True),
        _fk("punkt_id", "punkt_question", "punkt", "CASCADE"),
        _fk("asked_by", "punkt_question", "person", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_punkt_question"),
    )
    op.create_index("ix_punkt_question_punkt_id", "punkt_question", ["punkt_id"])
    op.create_table(
        "punkt_proposal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("moede_id", sa.Integer(), nullable=False),
        sa.Column("proposed_by", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=250), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        _timestamp("proposed_at"),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        _timestamp("decided_at", nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("punkt_id", sa.Integer(), nullable=True),
        _fk("moede_id", "punkt_proposal", "moede", "CASCADE"),
        _fk("proposed_by", "punkt_proposal", "person", "CASCADE"),
        _fk("punkt_id", "punkt_proposal", "punkt", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_punkt_proposal"),
    )
    op.create_index("ix_punkt_proposal_moede_id", "punkt_proposal", ["moede_id"])


def downgrade() -> None:
    op.drop_index("ix_punkt_proposal_moede_id", table_name="punkt_proposal")
    op.drop_table("punkt_proposal")
    op.drop_index("ix_punkt_question_punkt_id", table_name="punkt_question")
    op.drop_table("punkt_question")
    op.drop_table("inhabil_declaration")
