"""The send rate all bot processes share: ``send_bucket``, one token bucket per bot; and an index
on the outbox for each chat's last message (``ix_outbox_chat_id_sent_at``), which the claim reads
to keep Telegram's per-chat spacing whichever process sent the chat's previous message.

Revision ID: 0013
Revises: 0012
Create Date: 2027-01-05

On PostgreSQL the outbox workers of every bot process take their turns from this row
(storage/send_bucket.py), so the overall rate stays at ``DELIVERY_RATE`` whatever the number of
processes. SQLite serves one process and keeps the worker's own limiter; the table is there too
(empty) so both databases have the same schema.

Self-contained like 0001: no application imports.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "send_bucket",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("tokens", sa.Float(), nullable=False),
        sa.Column("refilled_at", sa.Float(), nullable=False),
        sa.Column("granted", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_send_bucket"),
    )
    op.create_index("ix_outbox_chat_id_sent_at", "outbox", ["chat_id", "sent_at"])


def downgrade() -> None:
    op.drop_index("ix_outbox_chat_id_sent_at", table_name="outbox")
    op.drop_table("send_bucket")
