"""Plans as they are written and status rounds that follow people: goals with their indsatser,
several owners (units or persons) per indsats, the units and their contact persons, answers
given before a round, the list message each tovholder has, absences, and the udvalg's choice of
who hears of a red answer.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-10

- ``plan_goal``: a plan's goals (mål, indsatsområder); ``indsats.goal_id`` the goal an indsats
  is under, ``indsats.tvaergaaende`` whether the plan marks it as across the units.
- ``status_unit`` and ``indsats_owner``: each owner of an indsats with the person asked for it.
  Every existing indsats with a tovholder gets one owner row carrying its
  ``tovholder_person_id`` (the name: the contact person's when given, else the tovholder's);
  the column is then dropped. The downgrade writes the first owner's person back.
- ``status_answer.early`` (existing answers were given in their round: false) and
  ``status_early``: answers waiting for the next round.
- ``status_prompt``, ``status_absence``, ``status_settings``: new, empty.

Self-contained like 0001: no application imports.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=f"fk_{table}_{column}_{target}", ondelete=ondelete
    )


def _attachment() -> list[sa.Column[object]]:
    return [
        sa.Column("attachment_file_id", sa.String(length=255), nullable=True),
        sa.Column("attachment_name", sa.String(length=255), nullable=True),
        sa.Column("attachment_size", sa.BigInteger(), nullable=False),
    ]


def _goals_and_units() -> None:
    op.create_table(
        "plan_goal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        _fk("plan_goal", "plan_id", "plan", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_plan_goal"),
    )
    op.create_index("ix_plan_goal_plan_id", "plan_goal", ["plan_id"])
    op.create_table(
        "status_unit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("udvalg_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("contact_name", sa.String(length=300), nullable=False),
        sa.Column("aliases", sa.JSON(), nullable=False),
        _fk("status_unit", "udvalg_id", "udvalg", "CASCADE"),
        _fk("status_unit", "person_id", "person", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_status_unit"),
    )
    op.create_index("ix_status_unit_udvalg_id", "status_unit", ["udvalg_id"])
    op.create_table(
        "indsats_owner",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("indsats_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("confirmed", sa.Boolean(), nullable=False),
        _fk("indsats_owner", "indsats_id", "indsats", "CASCADE"),
        _fk("indsats_owner", "person_id", "person", "SET NULL"),
        _fk("indsats_owner", "unit_id", "status_unit", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_indsats_owner"),
    )
    for column in ("indsats_id", "person_id", "unit_id"):
        op.create_index(f"ix_indsats_owner_{column}", "indsats_owner", [column])


def _rounds_and_people() -> None:
    op.create_table(
        "status_early",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("indsats_id", sa.Integer(), nullable=False),
        sa.Column("colour", sa.String(length=8), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_by", sa.Integer(), nullable=True),
        sa.Column("unchanged", sa.Boolean(), nullable=False),
        *_attachment(),
        _fk("status_early", "plan_id", "plan", "CASCADE"),
        _fk("status_early", "indsats_id", "indsats", "CASCADE"),
        _fk("status_early", "answered_by", "person", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name="pk_status_early"),
        sa.UniqueConstraint("indsats_id", name="uq_status_early_indsats_id"),
    )
    op.create_index("ix_status_early_plan_id", "status_early", ["plan_id"])
    op.create_table(
        "status_prompt",
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        _fk("status_prompt", "round_id", "status_round", "CASCADE"),
        _fk("status_prompt", "person_id", "person", "CASCADE"),
        sa.PrimaryKeyConstraint("round_id", "person_id", name="pk_status_prompt"),
    )
    op.create_table(
        "status_absence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("since", sa.Date(), nullable=False),
        sa.Column("until", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _fk("status_absence", "person_id", "person", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_status_absence"),
    )
    op.create_index("ix_status_absence_person_id", "status_absence", ["person_id"])
    op.create_table(
        "status_settings",
        sa.Column("udvalg_id", sa.Integer(), nullable=False),
        sa.Column("red_to_formand", sa.Boolean(), nullable=False),
        _fk("status_settings", "udvalg_id", "udvalg", "CASCADE"),
        sa.PrimaryKeyConstraint("udvalg_id", name="pk_status_settings"),
    )


def upgrade() -> None:
    _goals_and_units()
    _rounds_and_people()
    op.execute(
        "INSERT INTO indsats_owner (indsats_id, position, name, person_id, unit_id, confirmed) "
        "SELECT id, 0, CASE WHEN kontaktperson <> '' THEN kontaktperson ELSE tovholder END, "
        "tovholder_person_id, NULL, true FROM indsats "
        "WHERE tovholder_person_id IS NOT NULL OR tovholder <> '' OR kontaktperson <> ''"
    )
    with op.batch_alter_table("indsats") as batch:
        batch.drop_index("ix_indsats_tovholder_person_id")
        batch.drop_constraint("fk_indsats_tovholder_person_id_person", type_="foreignkey")
        batch.drop_column("tovholder_person_id")
        batch.add_column(sa.Column("goal_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("tvaergaaende", sa.Boolean(), nullable=True))
        batch.create_foreign_key(
            "fk_indsats_goal_id_plan_goal", "plan_goal", ["goal_id"], ["id"], ondelete="SET NULL"
        )
        batch.create_index("ix_indsats_goal_id", ["goal_id"])
    op.execute("UPDATE indsats SET tvaergaaende = false")
    with op.batch_alter_table("indsats") as batch:
        batch.alter_column("tvaergaaende", existing_type=sa.Boolean(), nullable=False)
    with op.batch_alter_table("status_answer") as batch:
        batch.add_column(sa.Column("early", sa.Boolean(), nullable=True))
    op.execute("UPDATE status_answer SET early = false")
    with op.batch_alter_table("status_answer") as batch:
        batch.alter_column("early", existing_type=sa.Boolean(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("status_answer") as batch:
        batch.drop_column("early")
    with op.batch_alter_table("indsats") as batch:
        batch.drop_index("ix_indsats_goal_id")
        batch.drop_constraint("fk_indsats_goal_id_plan_goal", type_="foreignkey")
        batch.drop_column("goal_id")
        batch.drop_column("tvaergaaende")
        batch.add_column(sa.Column("tovholder_person_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_indsats_tovholder_person_id_person",
            "person",
            ["tovholder_person_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch.create_index("ix_indsats_tovholder_person_id", ["tovholder_person_id"])
    op.execute(
        "UPDATE indsats SET tovholder_person_id = (SELECT o.person_id FROM indsats_owner o "
        "WHERE o.indsats_id = indsats.id AND o.person_id IS NOT NULL "
        "ORDER BY o.position, o.id LIMIT 1)"
    )
    op.drop_table("status_settings")
    op.drop_index("ix_status_absence_person_id", table_name="status_absence")
    op.drop_table("status_absence")
    op.drop_table("status_prompt")
    op.drop_index("ix_status_early_plan_id", table_name="status_early")
    op.drop_table("status_early")
    for column in ("indsats_id", "person_id", "unit_id"):
        op.drop_index(f"ix_indsats_owner_{column}", table_name="indsats_owner")
    op.drop_table("indsats_owner")
    op.drop_index("ix_status_unit_udvalg_id", table_name="status_unit")
    op.drop_table("status_unit")
    op.drop_index("ix_plan_goal_plan_id", table_name="plan_goal")
    op.drop_table("plan_goal")
