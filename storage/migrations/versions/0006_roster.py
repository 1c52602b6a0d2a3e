"""A roster of its own: members without Telegram, stedfortrædere and seats from a date, invites
for a roster member, approvals recorded by the secretary.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01

- ``person.telegram_id`` may be NULL (a member who never uses the bot). The unique constraint
  stays: SQLite and PostgreSQL both allow any number of NULLs in a unique column.
- ``person.name_fixed``: the name was given on the roster, Telegram's name does not replace it.
  Existing persons got their names from Telegram, so they start ``false``.
- ``membership.substitute_for`` (whom a stedfortræder stands in for) and ``membership.since``.
- ``invite.person_id``: the roster member an invite links an account to.
- ``protokol_approval.recorded_by``: the secretary who recorded a member's approval.

Columns are added nullable, filled where they must not be NULL, then made NOT NULL (a batch
table copy on SQLite, where the migrations run with foreign keys off, so copying ``person``
never cascades). Self-contained like 0001: no application imports.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("person") as batch:
        batch.alter_column("telegram_id", existing_type=sa.BigInteger(), nullable=True)
        batch.add_column(sa.Column("name_fixed", sa.Boolean(), nullable=True))
    op.execute("UPDATE person SET name_fixed = false")
    with op.batch_alter_table("person") as batch:
        batch.alter_column("name_fixed", existing_type=sa.Boolean(), nullable=False)

    with op.batch_alter_table("membership") as batch:
        batch.add_column(sa.Column("substitute_for", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("since", sa.Date(), nullable=True))
        batch.create_foreign_key(
            "fk_membership_substitute_for_person",
            "person",
            ["substitute_for"],
            ["id"],
            ondelete="SET NULL",
        )

    with op.batch_alter_table("invite") as batch:
        batch.add_column(sa.Column("person_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_invite_person_id_person", "person", ["person_id"], ["id"], ondelete="CASCADE"
        )

    with op.batch_alter_table("protokol_approval") as batch:
        batch.add_column(sa.Column("recorded_by", sa.Integer(), nullable=True))


def downgrade() -> None:
    """The old schema cannot hold a person without Telegram: those members are dropped with
    what refers to them (by hand, as SQLite migrates with foreign keys off)."""
    without = "SELECT id FROM person WHERE telegram_id IS NULL"
    for table, column in (
        ("protokol_approval", "person_id"),
        ("attendance", "person_id"),
        ("membership", "person_id"),
        ("invite", "person_id"),
    ):
        op.execute(f"DELETE FROM {table} WHERE {column} IN ({without})")
    for table, column in (
        ("attendance", "substitute_for"),
        ("invite", "used_by"),
        ("plan", "created_by"),
        ("indsats", "tovholder_person_id"),
        ("status_answer", "answered_by"),
    ):
        op.execute(f"UPDATE {table} SET {column} = NULL WHERE {column} IN ({without})")
    op.execute("DELETE FROM person WHERE telegram_id IS NULL")

    with op.batch_alter_table("protokol_approval") as batch:
        batch.drop_column("recorded_by")
    with op.batch_alter_table("invite") as batch:
        batch.drop_constraint("fk_invite_person_id_person", type_="foreignkey")
        batch.drop_column("person_id")
    with op.batch_alter_table("membership") as batch:
        batch.drop_constraint("fk_membership_substitute_for_person", type_="foreignkey")
        batch.drop_column("since")
        batch.drop_column("substitute_for")
    with op.batch_alter_table("person") as batch:
        batch.drop_column("name_fixed")
        batch.alter_column("telegram_id", existing_type=sa.BigInteger(), nullable=False)
