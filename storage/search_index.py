"""Keeping the search index in step with the punkter, in the transaction that changes them.

The repositories that write a punkt, its decision or its meeting call ``refresh``/``move_day``
on their own session, so no service can forget the index, and a rolled-back change leaves the
index as it was. ``rebuild`` (synchronous) fills the whole index: migration 0009 and the
benchmark's bulk load use it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Connection, Select, delete, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from agendas import rules
from agendas.model import SECTION_KEYS, Punkt, PunktKind
from agendas.search import SearchDocument, index_text, search_documents
from storage.tables import MoedeRow, PunktDecisionRow, PunktRow, SearchDocRow
from storage.tables.search import FTS_TABLE

_DOC = SearchDocRow.__table__  # type: ignore[attr-defined]
_PUNKT = PunktRow.__table__  # type: ignore[attr-defined]
_MOEDE = MoedeRow.__table__  # type: ignore[attr-defined]
_DECISION = PunktDecisionRow.__table__  # type: ignore[attr-defined]
#: Sections searched as the punkt's text (the decision is searched as the decision).
_TEXT_SECTIONS = tuple(k for k in SECTION_KEYS if k != "beslutning")
_FTS_INSERT = text(
    f"INSERT INTO {FTS_TABLE} (rowid, title, body, beslutning, scope)"
    " VALUES (:rowid, :title, :body, :beslutning, :scope)"
)
#: Punkter read per statement when the whole index is built.
BATCH = 2000


def source(punkt_ids: Sequence[int] | None = None) -> Select[Any]:
    """Everything the index documents of these punkter (all: None) are made of."""
    query = (
        select(
            _PUNKT.c.id,
            _PUNKT.c.moede_id,
            _PUNKT.c.kind,
            _PUNKT.c.position,
            _PUNKT.c.title,
            _PUNKT.c.closed,
            _PUNKT.c.beslutningskompetence,
            _PUNKT.c.journal_number,
            _PUNKT.c.extra_sections,
            *(_PUNKT.c[key] for key in SECTION_KEYS),
            _MOEDE.c.udvalg_id,
            _MOEDE.c.date,
            _DECISION.c.beslutning.label("decided"),
            _DECISION.c.public_beslutning,
            _DECISION.c.remarks,
        )
        .join(_MOEDE, _MOEDE.c.id == _PUNKT.c.moede_id)
        .outerjoin(_DECISION, _DECISION.c.punkt_id == _PUNKT.c.id)
        .order_by(_PUNKT.c.id)
    )
    if punkt_ids is not None:
        query = query.where(_PUNKT.c.id.in_(punkt_ids))
    return query


def documents(row: Mapping[Any, Any]) -> list[SearchDocument]:
    """The index documents of one ``source`` row."""
    sections = [row[key] or "" for key in _TEXT_SECTIONS]
    sections += [f"{title}\n{body}" for title, body in row["extra_sections"] or []]
    sections += [row["beslutningskompetence"] or "", row["journal_number"] or ""]
    remarks = [str(r.get("text", "")) for r in row["remarks"] or []]
    return search_documents(
        title=row["title"],
        closed=bool(row["closed"]),
        sections=sections,
        beslutning=(row["decided"] or "").strip() or (row["beslutning"] or ""),
        public_beslutning=row["public_beslutning"] or "",
        remarks=remarks,
    )


def _sort_key(row: Mapping[Any, Any]) -> int:
    punkt = Punkt(
        moede_id=row["moede_id"],
        kind=PunktKind(row["kind"]),
        title="",
        position=row["position"],
        closed=bool(row["closed"]),
    )
    group, position, _ = rules.sort_key(punkt)
    return group * 1_000_000 + position


def doc_values(rows: Iterable[Mapping[Any, Any]]) -> list[dict[str, Any]]:
    """The ``search_doc`` rows of these ``source`` rows."""
    return [
        {
            "punkt_id": row["id"],
            "moede_id": row["moede_id"],
            "udvalg_id": row["udvalg_id"],
            "day": row["date"],
            "kind": doc.kind.value,
            "sort_key": _sort_key(row),
            "title": doc.title,
            "body": doc.body,
            "beslutning": doc.beslutning,
        }
        for row in rows
        for doc in documents(row)
    ]


def scope_token(udvalg_id: int, kind: str) -> str:
    """SQLite: the document's udvalg and kind as one token of the ``scope`` column."""
    return f"u{udvalg_id}{kind[0]}"


def fts_values(doc_ids: Sequence[int], values: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """SQLite: the stems of each document, under its ``search_doc`` id."""
    return [
        {
            "rowid": doc_id,
            "title": index_text(v["title"]),
            "body": index_text(v["body"]),
            "beslutning": index_text(v["beslutning"]),
            "scope": scope_token(v["udvalg_id"], v["kind"]),
        }
        for doc_id, v in zip(doc_ids, values, strict=True)
    ]


def _insert_returning() -> Any:
    return insert(_DOC).returning(_DOC.c.id, sort_by_parameter_order=True)


async def refresh(session: AsyncSession, punkt_ids: Iterable[int]) -> None:
    """Make the documents of these punkter anew from what the session sees now."""
    ids = sorted(set(punkt_ids))
    if not ids:
        return
    await session.execute(delete(_DOC).where(_DOC.c.punkt_id.in_(ids)))
    rows = (await session.execute(source(ids))).mappings().all()
    values = doc_values(rows)
    if not values:
        return
    if session.get_bind().dialect.name == "sqlite":
        doc_ids = (await session.execute(_insert_returning(), values)).scalars().all()
        await session.execute(_FTS_INSERT, fts_values(doc_ids, values))
    else:
        await session.execute(insert(_DOC), values)


async def forget(session: AsyncSession, punkt_id: int) -> None:
    await session.execute(delete(_DOC).where(_DOC.c.punkt_id == punkt_id))


async def move_day(session: AsyncSession, moede_id: int, day: date) -> None:
    """A meeting moved to another day: its documents follow (year filter, order)."""
    await session.execute(update(_DOC).where(_DOC.c.moede_id == moede_id).values(day=day))


def rebuild(conn: Connection) -> int:
    """Build the whole index from the stored punkter (synchronously); returns the documents."""
    sqlite = conn.dialect.name == "sqlite"
    conn.execute(delete(_DOC))
    if sqlite:
        conn.execute(text(f"DELETE FROM {FTS_TABLE}"))
    count, last = 0, 0
    while True:
        rows = conn.execute(source().where(_PUNKT.c.id > last).limit(BATCH)).mappings().all()
        if not rows:
            return count
        last = rows[-1]["id"]
        values = doc_values(rows)
        if not values:
            continue
        if sqlite:
            doc_ids = conn.execute(_insert_returning(), values).scalars().all()
            conn.execute(_FTS_INSERT, fts_values(doc_ids, values))
        else:
            conn.execute(insert(_DOC), values)
        count += len(values)
