"""The protocol as a legal record: an explicit state per protocol, votes per member, the
meeting-held confirmation, the re-open reason, and punkter added late.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29

Existing meetings are carried into the states: a protocol with ``locked_at`` is ``godkendt``
(it stays locked), one with ``sent_at`` is ``sendt``, every other one ``kladde``. Existing
decisions keep their vote counts (an imported or typed "3 for (A, V, F)" names no members), so
their ``ballots`` start empty. Columns are added nullable, filled, then made NOT NULL (a batch
table copy on SQLite). Self-contained like 0001: no application imports.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("protokol") as batch:
        batch.add_column(sa.Column("stage", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("reopen_reason", sa.Text(), nullable=True))
        batch.add_column(sa.Column("held_confirmed_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("held_confirmed_by", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("reopened_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(
        "UPDATE protokol SET reopen_reason = '', stage = CASE"
        " WHEN locked_at IS NOT NULL THEN 'godkendt'"
        " WHEN sent_at IS NOT NULL THEN 'sendt'"
        " ELSE 'kladde' END"
    )
    with op.batch_alter_table("protokol") as batch:
        batch.alter_column("stage", existing_type=sa.String(length=20), nullable=False)
        batch.alter_column("reopen_reason", existing_type=sa.Text(), nullable=False)

    with op.batch_alter_table("punkt_decision") as batch:
        batch.add_column(sa.Column("ballots", sa.JSON(), nullable=True))
    op.execute("UPDATE punkt_decision SET ballots = '{}'")
    with op.batch_alter_table("punkt_decision") as batch:
        batch.alter_column("ballots", existing_type=sa.JSON(), nullable=False)

    with op.batch_alter_table("punkt") as batch:
        batch.add_column(sa.Column("late_reason", sa.Text(), nullable=True))
    op.execute("UPDATE punkt SET late_reason = ''")
    with op.batch_alter_table("punkt") as batch:
        batch.alter_column("late_reason", existing_type=sa.Text(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("punkt") as batch:
        batch.drop_column("late_reason")
    with op.batch_alter_table("punkt_decision") as batch:
        batch.drop_column("ballots")
    with op.batch_alter_table("protokol") as batch:
        batch.drop_column("reopened_at")
        batch.drop_column("held_confirmed_by")
        batch.drop_column("held_confirmed_at")
        batch.drop_column("reopen_reason")
        batch.drop_column("stage")
