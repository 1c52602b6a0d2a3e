"""Meeting mode: attendance, decisions per punkt, the protocol's state and its approvals.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28

Only new tables, so no batch (table copy) step is needed on SQLite; the environment still runs
SQLite in batch mode for any later ALTER. Self-contained like 0001.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
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
        "attendance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("moede_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("substitute_for", sa.Integer(), nullable=True),
        sa.Column("absent_for", sa.JSON(), nullable=False),
        _timestamp("updated_at"),
        _fk("moede_id", "attendance", "moede", "CASCADE"),
        _fk("person_id", "attendance", "person", "CASCADE"),
        _fk("substitute_for", "attendance", "person", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_attendance"),
        sa.UniqueConstraint("moede_id", "person_id", name="uq_attendance_moede_id_person_id"),
    )
    op.create_table(
        "punkt_decision",
        sa.Column("punkt_id", sa.Integer(), nullable=False),
        sa.Column("beslutning", sa.Text(), nullable=False),
        sa.Column("votes", sa.JSON(), nullable=False),
        sa.Column("inhabile", sa.JSON(), nullable=False),
        sa.Column("remarks", sa.JSON(), nullable=False),
        sa.Column("public_beslutning", sa.Text(), nullable=False),
        _timestamp("updated_at"),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        _fk("punkt_id", "punkt_decision", "punkt", "CASCADE"),
        sa.PrimaryKeyConstraint("punkt_id", name="pk_punkt_decision"),
    )
    op.create_table(
        "protokol",
        sa.Column("moede_id", sa.Integer(), nullable=False),
        sa.Column("rev", sa.Integer(), nullable=False),
        _timestamp("sent_at", nullable=True),
        _timestamp("locked_at", nullable=True),
        sa.Column("reopen_count", sa.Integer(), nullable=False),
        _fk("moede_id", "protokol", "moede", "CASCADE"),
        sa.PrimaryKeyConstraint("moede_id", name="pk_protokol"),
    )
    op.create_table(
        "protokol_approval",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("moede_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        _timestamp("approved_at"),
        _fk("moede_id", "protokol_approval", "moede", "CASCADE"),
        _fk("person_id", "protokol_approval", "person", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_protokol_approval"),
        sa.UniqueConstraint(
            "moede_id", "person_id", name="uq_protokol_approval_moede_id_person_id"
        ),
    )


def downgrade() -> None:
    for table in ("protokol_approval", "protokol", "punkt_decision", "attendance"):
        op.drop_table(table)
