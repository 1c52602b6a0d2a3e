"""Status rounds: plans, indsatser (tovholder links), rounds, answers; schedules on the plan.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28

Only new tables (no batch step on SQLite). Self-contained like 0001: no application imports.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _timestamp(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=f"fk_{table}_{column}_{target}", ondelete=ondelete
    )


def upgrade() -> None:
    op.create_table(
        "plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("udvalg_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("period", sa.String(length=100), nullable=False),
        sa.Column("schedule_rule", sa.String(length=200), nullable=True),
        sa.Column("svarfrist_hverdage", sa.Integer(), nullable=False),
        sa.Column("reminder_hverdage", sa.Integer(), nullable=False),
        _timestamp("schedule_set_at", nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        _timestamp("created_at"),
        sa.Column("created_by", sa.Integer(), nullable=True),
        _fk("plan", "udvalg_id", "udvalg", "CASCADE"),
        _fk("plan", "created_by", "person", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_plan"),
    )
    op.create_index("ix_plan_udvalg_id", "plan", ["udvalg_id"])
    op.create_table(
        "indsats",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("maalgruppe", sa.Text(), nullable=False),
        sa.Column("formaal", sa.Text(), nullable=False),
        sa.Column("tovholder", sa.String(length=300), nullable=False),
        sa.Column("kontaktperson", sa.String(length=300), nullable=False),
        sa.Column("tovholder_person_id", sa.Integer(), nullable=True),
        sa.Column("periode", sa.Text(), nullable=False),
        sa.Column("samarbejdspartnere", sa.Text(), nullable=False),
        sa.Column("aktiviteter", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        _fk("indsats", "plan_id", "plan", "CASCADE"),
        _fk("indsats", "tovholder_person_id", "person", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_indsats"),
    )
    op.create_index("ix_indsats_plan_id", "indsats", ["plan_id"])
    op.create_index("ix_indsats_tovholder_person_id", "indsats", ["tovholder_person_id"])
    op.create_table(
        "status_round",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        _timestamp("opens_at"),
        _timestamp("deadline"),
        sa.Column("reminders", sa.JSON(), nullable=False),
        sa.Column("reminders_sent", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("moede_id", sa.Integer(), nullable=True),
        sa.Column("sag_punkt_id", sa.Integer(), nullable=True),
        _timestamp("closed_at", nullable=True),
        _fk("status_round", "plan_id", "plan", "CASCADE"),
        _fk("status_round", "moede_id", "moede", "SET NULL"),
        _fk("status_round", "sag_punkt_id", "punkt", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_status_round"),
        sa.UniqueConstraint("plan_id", "number", name="uq_status_round_plan_id_number"),
    )
    op.create_index("ix_status_round_state", "status_round", ["state"])
    op.create_table(
        "status_answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("indsats_id", sa.Integer(), nullable=False),
        sa.Column("colour", sa.String(length=8), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        _timestamp("answered_at"),
        sa.Column("answered_by", sa.Integer(), nullable=True),
        sa.Column("unchanged", sa.Boolean(), nullable=False),
        sa.Column("attachment_file_id", sa.String(length=255), nullable=True),
        sa.Column("attachment_name", sa.String(length=255), nullable=True),
        sa.Column("attachment_size", sa.BigInteger(), nullable=False),
        _fk("status_answer", "round_id", "status_round", "CASCADE"),
        _fk("status_answer", "indsats_id", "indsats", "CASCADE"),
        _fk("status_answer", "answered_by", "person", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_status_answer"),
        sa.UniqueConstraint("round_id", "indsats_id", name="uq_status_answer_round_id_indsats_id"),
    )
    op.create_index("ix_status_answer_indsats_id", "status_answer", ["indsats_id"])


def downgrade() -> None:
    op.drop_index("ix_status_answer_indsats_id", table_name="status_answer")
    op.drop_table("status_answer")
    op.drop_index("ix_status_round_state", table_name="status_round")
    op.drop_table("status_round")
    op.drop_index("ix_indsats_tovholder_person_id", table_name="indsats")
    op.drop_index("ix_indsats_plan_id", table_name="indsats")
    op.drop_table("indsats")
    op.drop_index("ix_plan_udvalg_id", table_name="plan")
    op.drop_table("plan")
