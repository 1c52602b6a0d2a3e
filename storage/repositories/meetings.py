"""Meeting repositories: møder, punkter (a compare-and-swap on ``version``) and bilag."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import date
from typing import Any, cast

from sqlalchemy import delete, update
from sqlalchemy.orm import QueryableAttribute, defer
from sqlmodel import col, select

from agendas.errors import ConcurrentEdit
from agendas.model import SECTION_KEYS, Bilag, Moede, Punkt, PunktKind, Sagstype
from storage import search_index
from storage.mapping import row_values, to_entity
from storage.repositories.base import SqlRepository, rowcount, utcnow
from storage.tables import BilagRow, MoedeRow, PunktRow

#: The bytes column of a bilag, deferred unless the content is asked for.
_BILAG_CONTENT = cast("QueryableAttribute[Any]", BilagRow.content)
#: Ids per IN list (well under the bound-parameter limits of SQLite and PostgreSQL drivers).
_CHUNK = 500

# --- moede ------------------------------------------------------------------------------------


class SqlMoedeRepository(SqlRepository):
    async def add(self, moede: Moede) -> Moede:
        row = MoedeRow(
            **row_values(moede, exclude=("id",), created_at=moede.created_at or utcnow())
        )
        self.session.add(row)
        await self.session.flush()
        return to_entity(row, Moede)

    async def get(self, moede_id: int) -> Moede | None:
        row = await self.session.get(MoedeRow, moede_id, populate_existing=True)
        return to_entity(row, Moede) if row else None

    async def update(self, moede: Moede) -> None:
        await self.session.execute(
            update(MoedeRow)
            .where(col(MoedeRow.id) == moede.id)
            .values(**row_values(moede, exclude=("id", "udvalg_id", "created_at")))
        )
        await search_index.move_day(self.session, moede.id or 0, moede.date)

    async def _where(self, *criteria: Any) -> list[Moede]:
        rows = await self.session.scalars(
            select(MoedeRow)
            .where(*criteria)
            .order_by(col(MoedeRow.date), col(MoedeRow.start_time), col(MoedeRow.id))
        )
        return [to_entity(r, Moede) for r in rows]

    async def for_udvalg(self, udvalg_id: int) -> list[Moede]:
        return await self._where(col(MoedeRow.udvalg_id) == udvalg_id)

    async def many(self, moede_ids: Sequence[int]) -> dict[int, Moede]:
        ids = sorted(set(moede_ids))
        if not ids:
            return {}
        return {m.id or 0: m for m in await self._where(col(MoedeRow.id).in_(ids))}

    async def on_days(self, udvalg_ids: Sequence[int], days: Sequence[date]) -> list[Moede]:
        if not udvalg_ids or not days:
            return []
        return await self._where(
            col(MoedeRow.udvalg_id).in_(sorted(set(udvalg_ids))),
            col(MoedeRow.date).in_(sorted(set(days))),
        )

    async def for_udvalg_between(
        self, udvalg_ids: list[int], start: date, end: date
    ) -> list[Moede]:
        """Meetings of these committees from ``start`` to ``end``, both days included."""
        if not udvalg_ids:
            return []
        return await self._where(
            col(MoedeRow.udvalg_id).in_(udvalg_ids),
            col(MoedeRow.date) >= start,
            col(MoedeRow.date) <= end,
        )

    async def between(self, start: date, end: date) -> list[Moede]:
        return await self._where(col(MoedeRow.date) >= start, col(MoedeRow.date) <= end)

    async def latest_until(self, udvalg_ids: list[int], end: date) -> Moede | None:
        if not udvalg_ids:
            return None
        row = await self.session.scalar(
            select(MoedeRow)
            .where(col(MoedeRow.udvalg_id).in_(udvalg_ids), col(MoedeRow.date) <= end)
            .order_by(
                col(MoedeRow.date).desc(), col(MoedeRow.start_time).desc(), col(MoedeRow.id).desc()
            )
            .limit(1)
        )
        return to_entity(row, Moede) if row else None


# --- punkt ------------------------------------------------------------------------------------


def _punkt(row: Any) -> Punkt:
    """A punkt from its row (an ORM row, or a Core row with the same column names)."""
    sections: dict[str, str] = {}
    for key in SECTION_KEYS:
        text = getattr(row, key)
        if text:
            sections[key] = text
    return to_entity(
        row,
        Punkt,
        kind=PunktKind(row.kind),
        sagstype=Sagstype(row.sagstype) if row.sagstype else None,
        sections=sections,
        extra_sections=[(str(title), str(text)) for title, text in row.extra_sections or []],
    )


punkt_from_row = _punkt


def _punkt_values(punkt: Punkt) -> dict[str, Any]:
    """The stored content of a punkt (everything but id and version)."""
    unknown = set(punkt.sections) - set(SECTION_KEYS)
    if unknown:
        raise ValueError(f"unknown sections: {sorted(unknown)}")
    # One column per section; an empty section is stored as NULL.
    sections = {key: punkt.sections.get(key) or None for key in SECTION_KEYS}
    return row_values(
        punkt,
        exclude=("id", "version", "sections"),
        updated_at=punkt.updated_at or utcnow(),
        extra_sections=[[title, text] for title, text in punkt.extra_sections],
        **sections,
    )


class SqlPunktRepository(SqlRepository):
    """Every write re-indexes the punkt for search (``storage.search_index``) in the same
    transaction, so the index never lags behind or runs ahead of what is stored."""

    async def add(self, punkt: Punkt) -> Punkt:
        row = PunktRow(**_punkt_values(punkt), version=punkt.version)
        self.session.add(row)
        await self.session.flush()
        await search_index.refresh(self.session, [row.id or 0])
        return _punkt(row)

    async def get(self, punkt_id: int) -> Punkt | None:
        row = await self.session.get(PunktRow, punkt_id, populate_existing=True)
        return _punkt(row) if row else None

    async def for_moede(self, moede_id: int) -> list[Punkt]:
        rows = await self.session.scalars(
            select(PunktRow)
            .where(col(PunktRow.moede_id) == moede_id)
            .order_by(col(PunktRow.position), col(PunktRow.id))
            .execution_options(populate_existing=True)
        )
        return [_punkt(r) for r in rows]

    async def versions(self, moede_ids: Sequence[int]) -> dict[int, dict[int, int]]:
        result: dict[int, dict[int, int]] = {}
        ids = sorted(set(moede_ids))
        for start in range(0, len(ids), _CHUNK):
            rows = await self.session.execute(
                select(col(PunktRow.moede_id), col(PunktRow.id), col(PunktRow.version)).where(
                    col(PunktRow.moede_id).in_(ids[start : start + _CHUNK])
                )
            )
            for moede_id, punkt_id, version in rows:
                result.setdefault(moede_id, {})[punkt_id or 0] = version
        return result

    async def save(self, punkt: Punkt, expected_version: int) -> Punkt:
        """Compare-and-swap on ``version``: a stale save changes nothing and raises."""
        if punkt.id is None:
            raise ValueError("save() needs a stored punkt; use add() for new ones")
        values = _punkt_values(punkt)
        result = await self.session.execute(
            update(PunktRow)
            .where(col(PunktRow.id) == punkt.id, col(PunktRow.version) == expected_version)
            .values(**values, version=expected_version + 1)
        )
        if rowcount(result) != 1:
            raise ConcurrentEdit()
        await search_index.refresh(self.session, [punkt.id])
        return dataclasses.replace(
            punkt,
            sections=dict(punkt.sections),
            version=expected_version + 1,
            updated_at=values["updated_at"],
        )

    async def set_positions(self, positions: dict[int, tuple[int, int]]) -> None:
        for punkt_id, (moede_id, position) in positions.items():
            await self.session.execute(
                update(PunktRow)
                .where(col(PunktRow.id) == punkt_id)
                .values(moede_id=moede_id, position=position)
            )
        await search_index.refresh(self.session, positions)

    async def delete(self, punkt_id: int) -> None:
        await search_index.forget(self.session, punkt_id)
        await self.session.execute(delete(PunktRow).where(col(PunktRow.id) == punkt_id))


# --- bilag ------------------------------------------------------------------------------------


def _bilag(row: BilagRow, with_content: bool) -> Bilag:
    # Without the content its (deferred) column is not read, so the bytes are never loaded.
    return to_entity(row, Bilag, content=row.content if with_content else None)


class SqlBilagRepository(SqlRepository):
    async def add(self, bilag: Bilag) -> Bilag:
        row = BilagRow(
            **row_values(bilag, exclude=("id",), created_at=bilag.created_at or utcnow())
        )
        self.session.add(row)
        await self.session.flush()
        return to_entity(row, Bilag, content=bilag.content)

    async def fill(self, bilag: Bilag) -> Bilag:
        await self.session.execute(
            update(BilagRow)
            .where(col(BilagRow.id) == bilag.id)
            .values(**row_values(bilag, exclude=("id", "punkt_id", "position", "created_at")))
        )
        return bilag

    async def get(self, bilag_id: int, with_content: bool = False) -> Bilag | None:
        """The bytes are read only when ``with_content`` is asked for (they can be 20 MB)."""
        query = select(BilagRow).where(col(BilagRow.id) == bilag_id)
        if not with_content:
            query = query.options(defer(_BILAG_CONTENT))
        row = await self.session.scalar(query.execution_options(populate_existing=True))
        return _bilag(row, with_content) if row else None

    async def for_punkt(self, punkt_id: int) -> list[Bilag]:
        rows: Sequence[BilagRow] = (
            await self.session.scalars(
                select(BilagRow)
                .where(col(BilagRow.punkt_id) == punkt_id)
                .options(defer(_BILAG_CONTENT))
                .order_by(col(BilagRow.position), col(BilagRow.id))
            )
        ).all()
        return [_bilag(r, with_content=False) for r in rows]

    async def for_punkter(self, punkt_ids: Sequence[int]) -> dict[int, list[Bilag]]:
        ids = sorted(set(punkt_ids))
        result: dict[int, list[Bilag]] = {pid: [] for pid in ids}
        for start in range(0, len(ids), _CHUNK):
            rows = await self.session.scalars(
                select(BilagRow)
                .where(col(BilagRow.punkt_id).in_(ids[start : start + _CHUNK]))
                .options(defer(_BILAG_CONTENT))
                .order_by(col(BilagRow.punkt_id), col(BilagRow.position), col(BilagRow.id))
            )
            for row in rows:
                result[row.punkt_id].append(_bilag(row, with_content=False))
        return result

    async def delete(self, bilag_id: int) -> None:
        await self.session.execute(delete(BilagRow).where(col(BilagRow.id) == bilag_id))
