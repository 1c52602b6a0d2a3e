"""Full-text search of punkter: the index documents (``search_doc``) and, per database, the
full-text part beside them (SQLite: an FTS5 table of Danish stems; PostgreSQL: a generated
``tsvector`` column with a GIN index).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01

Existing punkter are indexed here. Unlike the earlier revisions this one uses the application's
text analysis (``storage.search_index.rebuild``): the stems stored on SQLite must be exactly the
ones the search computes for a query.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The statements as of this revision (copied, so a later change of the table module does not
# change what this revision did).
_SQLITE_CREATE = (
    "CREATE VIRTUAL TABLE search_fts USING fts5("
    "title, body, beslutning, scope, tokenize = 'unicode61 remove_diacritics 0')",
    "CREATE TRIGGER search_doc_fts_delete AFTER DELETE ON search_doc BEGIN "
    "DELETE FROM search_fts WHERE rowid = old.id; END",
)
_POSTGRES_CREATE = (
    "ALTER TABLE search_doc ADD COLUMN tsv tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('danish', title), 'A') || "
    "setweight(to_tsvector('danish', beslutning), 'B') || "
    "to_tsvector('danish', body)) STORED",
    "CREATE INDEX ix_search_doc_tsv ON search_doc USING gin (tsv)",
)


def upgrade() -> None:
    op.create_table(
        "search_doc",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("punkt_id", sa.Integer(), nullable=False),
        sa.Column("moede_id", sa.Integer(), nullable=False),
        sa.Column("udvalg_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("sort_key", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("beslutning", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["punkt_id"],
            ["punkt.id"],
            name=op.f("fk_search_doc_punkt_id_punkt"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_doc")),
    )
    op.create_index(op.f("ix_search_doc_punkt_id"), "search_doc", ["punkt_id"])
    op.create_index(op.f("ix_search_doc_moede_id"), "search_doc", ["moede_id"])
    op.create_index("ix_search_doc_udvalg_id_day", "search_doc", ["udvalg_id", "day"])
    bind = op.get_bind()
    for statement in _SQLITE_CREATE if bind.dialect.name == "sqlite" else _POSTGRES_CREATE:
        op.execute(statement)

    from storage.search_index import rebuild

    rebuild(bind)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS search_fts")
    op.drop_index("ix_search_doc_udvalg_id_day", table_name="search_doc")
    op.drop_index(op.f("ix_search_doc_moede_id"), table_name="search_doc")
    op.drop_index(op.f("ix_search_doc_punkt_id"), table_name="search_doc")
    op.drop_table("search_doc")
