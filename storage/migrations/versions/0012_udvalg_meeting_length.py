"""The usual length of an udvalg's meetings: the calendar invitation's length.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30

- ``udvalg.meeting_minutes``: minutes, 120 for every existing udvalg (the length every
  invitation had until now); the secretary sets another with /moedelaengde.

Self-contained like 0001: no application imports.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("udvalg") as batch:
        batch.add_column(
            sa.Column("meeting_minutes", sa.Integer(), nullable=False, server_default="120")
        )


def downgrade() -> None:
    with op.batch_alter_table("udvalg") as batch:
        batch.drop_column("meeting_minutes")
