"""Delivery repositories: the outbox, agenda releases, committee delivery settings, reachability.

The delivery worker's claim/mark operations are ``storage.outbox_queue.OutboxQueue``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert, or_, update
from sqlmodel import col, select

from agendas.outbox import DeliverySettings, OutboxKind, OutboxMessage, OutboxStatus, Release
from storage.mapping import row_values, to_entity
from storage.repositories.base import SqlRepository, rowcount, utcnow
from storage.tables import MoedeReleaseRow, OutboxRow, RecipientStatusRow, UdvalgDeliveryRow


def to_message(row: OutboxRow) -> OutboxMessage:
    return to_entity(
        row,
        OutboxMessage,
        key=row.idempotency_key,
        kind=OutboxKind(row.kind),
        payload=dict(row.payload or {}),
        status=OutboxStatus(row.status),
    )


#: Keys looked up per statement (well under the bound-parameter limits of SQLite and asyncpg).
_KEY_CHUNK = 500
#: Fields a new outbox row does not take from its message: the delivery state starts afresh.
_NOT_ON_INSERT = ("key", "id", "attempts", "lease_until", "sent_at", "telegram_message_id", "error")


class SqlOutboxRepository(SqlRepository):
    async def add(self, message: OutboxMessage) -> bool:
        return await self.add_many([message]) == 1

    async def add_many(self, messages: Sequence[OutboxMessage]) -> int:
        """Keys already stored are skipped (and a key repeated in ``messages`` is stored once):
        one SELECT per chunk, then one bulk INSERT (an ``executemany``: the ORM's flush would
        send one INSERT … RETURNING per row on SQLite, and nobody needs the new rows' ids)."""
        fresh: dict[str, OutboxMessage] = {}
        for message in messages:
            fresh.setdefault(message.key, message)
        keys = list(fresh)
        for start in range(0, len(keys), _KEY_CHUNK):
            chunk = keys[start : start + _KEY_CHUNK]
            for key in await self.session.scalars(
                select(col(OutboxRow.idempotency_key)).where(
                    col(OutboxRow.idempotency_key).in_(chunk)
                )
            ):
                fresh.pop(key, None)
        if not fresh:
            return 0
        created = utcnow()
        await self.session.execute(
            insert(OutboxRow),
            [
                row_values(
                    m, exclude=_NOT_ON_INSERT, idempotency_key=m.key, created_at=created, attempts=0
                )
                for m in fresh.values()
            ],
        )
        return len(fresh)

    async def by_key_prefix(self, prefix: str) -> list[OutboxMessage]:
        rows = await self.session.scalars(
            select(OutboxRow)
            .where(col(OutboxRow.idempotency_key).startswith(prefix, autoescape=True))
            .order_by(col(OutboxRow.id))
        )
        return [to_message(r) for r in rows]

    async def prefixes_used(self, prefixes: Sequence[str]) -> set[str]:
        wanted = sorted(set(prefixes))
        used: set[str] = set()
        key = col(OutboxRow.idempotency_key)
        for start in range(0, len(wanted), 100):
            chunk = wanted[start : start + 100]
            for found in await self.session.scalars(
                select(key).where(or_(*(key.startswith(p, autoescape=True) for p in chunk)))
            ):
                used.update(p for p in chunk if found.startswith(p))
        return used

    async def update_pending(
        self, key: str, payload: dict[str, Any], not_before: datetime | None = None
    ) -> bool:
        """Only a row still pending (not leased by a worker) changes."""
        values: dict[str, Any] = {"payload": payload}
        if not_before is not None:
            values["not_before"] = not_before
        result = await self.session.execute(
            update(OutboxRow)
            .where(
                col(OutboxRow.idempotency_key) == key,
                col(OutboxRow.status) == OutboxStatus.PENDING.value,
            )
            .values(**values)
        )
        return rowcount(result) == 1


def _release(row: MoedeReleaseRow) -> Release:
    return to_entity(
        row,
        Release,
        day=row.date,
        start=row.start_time,
        versions={int(k): int(v) for k, v in (row.versions or {}).items()},
    )


def _release_values(release: Release) -> dict[str, Any]:
    return row_values(
        release,
        exclude=("moede_id", "day", "start", "versions"),
        date=release.day,
        start_time=release.start,
        versions={str(k): v for k, v in release.versions.items()},
    )


class SqlReleaseRepository(SqlRepository):
    async def get(self, moede_id: int) -> Release | None:
        row = await self.session.get(MoedeReleaseRow, moede_id, populate_existing=True)
        return _release(row) if row else None

    async def for_moeder(self, moede_ids: Sequence[int]) -> dict[int, Release]:
        if not moede_ids:
            return {}
        rows = await self.session.scalars(
            select(MoedeReleaseRow)
            .where(col(MoedeReleaseRow.moede_id).in_(list(moede_ids)))
            .execution_options(populate_existing=True)
        )
        return {r.moede_id: _release(r) for r in rows}

    async def add(self, release: Release) -> bool:
        if await self.session.get(MoedeReleaseRow, release.moede_id) is not None:
            return False
        self.session.add(MoedeReleaseRow(moede_id=release.moede_id, **_release_values(release)))
        await self.session.flush()
        return True

    async def update(self, release: Release) -> None:
        await self.session.execute(
            update(MoedeReleaseRow)
            .where(col(MoedeReleaseRow.moede_id) == release.moede_id)
            .values(**_release_values(release))
        )


class SqlDeliverySettingsRepository(SqlRepository):
    async def get(self, udvalg_id: int) -> DeliverySettings:
        row = await self.session.get(UdvalgDeliveryRow, udvalg_id, populate_existing=True)
        if row is None:
            return DeliverySettings(udvalg_id=udvalg_id)
        return to_entity(row, DeliverySettings)

    async def many(self, udvalg_ids: Sequence[int]) -> dict[int, DeliverySettings]:
        ids = sorted(set(udvalg_ids))
        found = {i: DeliverySettings(udvalg_id=i) for i in ids}
        for start in range(0, len(ids), _KEY_CHUNK):
            rows = await self.session.scalars(
                select(UdvalgDeliveryRow)
                .where(col(UdvalgDeliveryRow.udvalg_id).in_(ids[start : start + _KEY_CHUNK]))
                .execution_options(populate_existing=True)
            )
            found.update((r.udvalg_id, to_entity(r, DeliverySettings)) for r in rows)
        return found

    async def put(self, settings: DeliverySettings) -> None:
        values = row_values(settings, exclude=("udvalg_id",))
        result = await self.session.execute(
            update(UdvalgDeliveryRow)
            .where(col(UdvalgDeliveryRow.udvalg_id) == settings.udvalg_id)
            .values(**values)
        )
        if rowcount(result) == 0:
            self.session.add(UdvalgDeliveryRow(udvalg_id=settings.udvalg_id, **values))
            await self.session.flush()


class SqlReachabilityRepository(SqlRepository):
    async def unreachable(self, chat_ids: list[int]) -> set[int]:
        """The chats among ``chat_ids`` that refused our last message (a primary-key lookup)."""
        if not chat_ids:
            return set()
        rows = await self.session.scalars(
            select(col(RecipientStatusRow.chat_id)).where(
                col(RecipientStatusRow.chat_id).in_(chat_ids),
                col(RecipientStatusRow.unreachable_since).is_not(None),
            )
        )
        return set(rows)

    async def mark(self, chat_id: int, at: datetime | None, reason: str = "") -> None:
        """``at``: unreachable since then; None: reachable again (no row is added for that)."""
        if at is None:
            await self.session.execute(
                update(RecipientStatusRow)
                .where(col(RecipientStatusRow.chat_id) == chat_id)
                .values(unreachable_since=None, reason=reason[:200])
            )
            return
        row = await self.session.get(RecipientStatusRow, chat_id)
        if row is None:
            self.session.add(
                RecipientStatusRow(chat_id=chat_id, unreachable_since=at, reason=reason[:200])
            )
        else:
            row.unreachable_since = at
            row.reason = reason[:200]
        await self.session.flush()
