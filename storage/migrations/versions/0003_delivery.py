"""Delivery: the outbox, agenda releases, committee delivery settings, recipient reachability.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28

Only new tables (no batch step on SQLite). Self-contained like 0001: no application imports.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _timestamp(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("udvalg_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _timestamp("not_before"),
        _timestamp("lease_until", nullable=True),
        _timestamp("sent_at", nullable=True),
        sa.Column("telegram_message_id", sa.BigInteger(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        _timestamp("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
        sa.UniqueConstraint("idempotency_key", name="uq_outbox_idempotency_key"),
    )
    op.create_index("ix_outbox_status_not_before", "outbox", ["status", "not_before"])
    op.create_table(
        "moede_release",
        sa.Column("moede_id", sa.Integer(), nullable=False),
        _timestamp("released_at"),
        sa.Column("released_by", sa.Integer(), nullable=True),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("start_time", sa.Time(), nullable=False),
        sa.Column("place", sa.String(length=250), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("versions", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["moede_id"], ["moede.id"], name="fk_moede_release_moede_id_moede", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("moede_id", name="pk_moede_release"),
    )
    op.create_table(
        "udvalg_delivery",
        sa.Column("udvalg_id", sa.Integer(), nullable=False),
        sa.Column("group_chat_id", sa.BigInteger(), nullable=True),
        sa.Column("frist_hverdage", sa.Integer(), nullable=False),
        sa.Column("warn_hverdage", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["udvalg_id"],
            ["udvalg.id"],
            name="fk_udvalg_delivery_udvalg_id_udvalg",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("udvalg_id", name="pk_udvalg_delivery"),
    )
    op.create_table(
        "recipient_status",
        sa.Column("chat_id", sa.BigInteger(), autoincrement=False, nullable=False),
        _timestamp("unreachable_since", nullable=True),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("chat_id", name="pk_recipient_status"),
    )


def downgrade() -> None:
    op.drop_table("recipient_status")
    op.drop_table("udvalg_delivery")
    op.drop_table("moede_release")
    op.drop_index("ix_outbox_status_not_before", table_name="outbox")
    op.drop_table("outbox")
