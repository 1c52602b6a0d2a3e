"""A meeting may have no start time: an imported referat that printed none keeps none, instead
of an invented "Kl. 00.00". The release snapshot follows the meeting.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29

Existing rows keep their times. The downgrade writes 00:00 where no time is known, since the
older schema cannot say "none". Self-contained like 0001: no application imports.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("moede", "moede_release")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.alter_column("start_time", existing_type=sa.Time(), nullable=True)


def downgrade() -> None:
    for table in TABLES:
        op.execute(f"UPDATE {table} SET start_time = '00:00:00' WHERE start_time IS NULL")
        with op.batch_alter_table(table) as batch:
            batch.alter_column("start_time", existing_type=sa.Time(), nullable=False)
