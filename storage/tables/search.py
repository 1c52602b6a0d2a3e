"""The search index of punkter (revision 0008): one row per index document of a punkt (see
``agendas.search.DocKind``) with the texts it is searched in, and where it belongs (udvalg,
meeting, day) so access, filters and sorting need no join.

The full-text part differs per database and is made beside the table (``after_create``, and in
migration 0008): on SQLite an FTS5 table ``search_fts`` holding the Danish stems of each
document (rowid = ``search_doc.id``; stemmed in Python, a trigger removes a deleted document's
row), on PostgreSQL a generated ``tsvector`` column ``tsv`` (``to_tsvector('danish', …)``, the
title weighted A, the decision B, the rest D) with a GIN index.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import DDL, Date, Index, String, Text, event
from sqlmodel import Field, SQLModel

FTS_TABLE = "search_fts"
TSV_COLUMN = "tsv"
TSV_INDEX = "ix_search_doc_tsv"

#: SQLite: the FTS5 table over the stems (diacritics kept: "år" is not "ar"). ``scope`` holds one
#: token, udvalg and kind ("u12a", "u12f", "u12p"), so the full-text query itself keeps to what
#: the searcher may read and never walks the other udvalg's documents.
SQLITE_CREATE = (
    f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5("
    "title, body, beslutning, scope, tokenize = 'unicode61 remove_diacritics 0')",
    "CREATE TRIGGER search_doc_fts_delete AFTER DELETE ON search_doc BEGIN "
    f"DELETE FROM {FTS_TABLE} WHERE rowid = old.id; END",
)
SQLITE_DROP = (f"DROP TABLE IF EXISTS {FTS_TABLE}",)
#: PostgreSQL: the weighted tsvector, kept by the database itself, and its GIN index.
POSTGRES_CREATE = (
    f"ALTER TABLE search_doc ADD COLUMN {TSV_COLUMN} tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('danish', title), 'A') || "
    "setweight(to_tsvector('danish', beslutning), 'B') || "
    "to_tsvector('danish', body)) STORED",
    f"CREATE INDEX {TSV_INDEX} ON search_doc USING gin ({TSV_COLUMN})",
)


class SearchDocRow(SQLModel, table=True):
    """One index document: ``kind`` all (an open punkt), full or public (a closed punkt)."""

    __tablename__ = "search_doc"
    __table_args__ = (Index("ix_search_doc_udvalg_id_day", "udvalg_id", "day"),)

    id: int | None = Field(default=None, primary_key=True)
    punkt_id: int = Field(foreign_key="punkt.id", ondelete="CASCADE", index=True)
    moede_id: int = Field(index=True)
    udvalg_id: int
    day: dt.date = Field(sa_type=Date)
    kind: str = Field(sa_type=String(10))
    #: The punkt's place in the agenda order (group, then position) for sorting.
    sort_key: int = 0
    title: str = Field(sa_type=Text)
    body: str = Field(sa_type=Text)
    beslutning: str = Field(sa_type=Text)


def _ddl(statements: tuple[str, ...], dialect: str) -> list[Any]:
    return [DDL(s).execute_if(dialect=dialect) for s in statements]  # type: ignore[no-untyped-call]


_TABLE = SearchDocRow.__table__  # type: ignore[attr-defined]
for _statement in _ddl(SQLITE_CREATE, "sqlite") + _ddl(POSTGRES_CREATE, "postgresql"):
    event.listen(_TABLE, "after_create", _statement)
for _statement in _ddl(SQLITE_DROP, "sqlite"):
    event.listen(_TABLE, "before_drop", _statement)


def include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """For Alembic's comparison: the full-text parts made beside the tables are not tables of
    the metadata (the FTS5 table and its shadow tables, the generated tsvector and its index)."""
    if type_ == "table" and name is not None and name.startswith(FTS_TABLE):
        return False
    return not (
        (type_ == "column" and name == TSV_COLUMN) or (type_ == "index" and name == TSV_INDEX)
    )
