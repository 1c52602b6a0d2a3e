"""The document's own facts on a punkt: the sag number it printed (beside the position on the
agenda) and the sections under headings the bot has no place for, kept under their own names.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29

Existing punkter have no printed sag number (NULL) and no sections of their own (an empty list).
Self-contained like 0001: no application imports.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("punkt") as batch:
        batch.add_column(sa.Column("sag_number", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("extra_sections", sa.JSON(), nullable=True))
    op.execute("UPDATE punkt SET extra_sections = '[]'")
    with op.batch_alter_table("punkt") as batch:
        batch.alter_column("extra_sections", existing_type=sa.JSON(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("punkt") as batch:
        batch.drop_column("extra_sections")
        batch.drop_column("sag_number")
