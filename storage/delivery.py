"""Delivery storage: the outbox, agenda releases, committee delivery settings, reachability.

Tables (revision 0003) and their repositories; plus ``OutboxQueue``, the delivery worker's
claim/mark operations, each in its own short transaction.

Claiming is one code path for both databases: select due ids ``FOR UPDATE SKIP LOCKED`` (a
no-op on SQLite, which serialises writers anyway), then a conditional UPDATE that sets the lease
only on rows still due, so two workers never hold the same row. A chat's row is claimed only once
its earlier due rows are done, so its rows go out in order whichever worker sends them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import (
    CursorResult,
    and_,
    func,
    or_,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col, select

from agendas.outbox import (
    DeliverySettings,
    OutboxKind,
    OutboxMessage,
    OutboxStatus,
    Release,
)
from storage.tables import (
    MembershipRow,
    MoedeReleaseRow,
    OutboxRow,
    PersonRow,
    RecipientStatusRow,
    UdvalgDeliveryRow,
    UdvalgRow,
)


def _now() -> datetime:
    return datetime.now(UTC)


def _message(row: OutboxRow) -> OutboxMessage:
    return OutboxMessage(
        key=row.idempotency_key,
        chat_id=row.chat_id,
        kind=OutboxKind(row.kind),
        payload=dict(row.payload or {}),
        not_before=row.not_before,
        person_id=row.person_id,
        udvalg_id=row.udvalg_id,
        status=OutboxStatus(row.status),
        attempts=row.attempts,
        lease_until=row.lease_until,
        sent_at=row.sent_at,
        telegram_message_id=row.telegram_message_id,
        error=row.error,
        id=row.id,
    )


#: Keys looked up per statement (well under the bound-parameter limits of SQLite and asyncpg).
_KEY_CHUNK = 500


class SqlOutboxRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, message: OutboxMessage) -> bool:
        return await self.add_many([message]) == 1

    async def add_many(self, messages: Sequence[OutboxMessage]) -> int:
        """Keys already stored are skipped (and a key repeated in ``messages`` is stored once):
        one SELECT per chunk, then one flush."""
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
        created = _now()
        self.session.add_all(
            [
                OutboxRow(
                    idempotency_key=m.key,
                    chat_id=m.chat_id,
                    person_id=m.person_id,
                    udvalg_id=m.udvalg_id,
                    kind=m.kind.value,
                    payload=m.payload,
                    status=m.status.value,
                    not_before=m.not_before,
                    created_at=created,
                )
                for m in fresh.values()
            ]
        )
        await self.session.flush()
        return len(fresh)

    async def by_key_prefix(self, prefix: str) -> list[OutboxMessage]:
        rows = await self.session.scalars(
            select(OutboxRow)
            .where(col(OutboxRow.idempotency_key).startswith(prefix, autoescape=True))
            .order_by(col(OutboxRow.id))
        )
        return [_message(r) for r in rows]


def _release(row: MoedeReleaseRow) -> Release:
    return Release(
        moede_id=row.moede_id,
        released_at=row.released_at,
        released_by=row.released_by,
        day=row.date,
        start=row.start_time,
        place=row.place,
        sequence=row.sequence,
        versions={int(k): int(v) for k, v in (row.versions or {}).items()},
    )


def _release_values(release: Release) -> dict[str, Any]:
    return {
        "released_at": release.released_at,
        "released_by": release.released_by,
        "date": release.day,
        "start_time": release.start,
        "place": release.place,
        "sequence": release.sequence,
        "versions": {str(k): v for k, v in release.versions.items()},
    }


class SqlReleaseRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, moede_id: int) -> Release | None:
        row = await self.session.get(MoedeReleaseRow, moede_id, populate_existing=True)
        return _release(row) if row else None

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


class SqlDeliverySettingsRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, udvalg_id: int) -> DeliverySettings:
        row = await self.session.get(UdvalgDeliveryRow, udvalg_id, populate_existing=True)
        if row is None:
            return DeliverySettings(udvalg_id=udvalg_id)
        return DeliverySettings(
            udvalg_id=row.udvalg_id,
            group_chat_id=row.group_chat_id,
            frist_hverdage=row.frist_hverdage,
            warn_hverdage=row.warn_hverdage,
        )

    async def put(self, settings: DeliverySettings) -> None:
        values: dict[str, Any] = {
            "group_chat_id": settings.group_chat_id,
            "frist_hverdage": settings.frist_hverdage,
            "warn_hverdage": settings.warn_hverdage,
        }
        result = await self.session.execute(
            update(UdvalgDeliveryRow)
            .where(col(UdvalgDeliveryRow.udvalg_id) == settings.udvalg_id)
            .values(**values)
        )
        if cast(CursorResult[Any], result).rowcount == 0:
            self.session.add(UdvalgDeliveryRow(udvalg_id=settings.udvalg_id, **values))
            await self.session.flush()


class SqlReachabilityRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

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


# --- the worker's side ---------------------------------------------------------------------------


class OutboxQueue:
    """Claim due rows, then mark each one sent, retried or failed, in short transactions."""

    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = session_factory

    @staticmethod
    def _due(now: datetime) -> Any:
        return or_(
            and_(col(OutboxRow.status) == "pending", col(OutboxRow.not_before) <= now),
            and_(col(OutboxRow.status) == "sending", col(OutboxRow.lease_until) < now),
        )

    async def claim(self, limit: int, lease: timedelta, now: datetime) -> list[OutboxMessage]:
        """Up to ``limit`` due rows, oldest first, leased to the caller until ``now + lease``.

        A row whose lease ran out (its worker crashed) is due again. Only the first due row of
        each chat is claimed: a later one waits until the earlier one is sent (or given up), so
        a chat's rows keep their order even when several workers share the outbox.
        """
        # Each chat's oldest row that is due or in flight (rows still waiting for their
        # not_before do not hold the chat up); a due row is claimable only if it is that row.
        first_of_chat = col(OutboxRow.id).in_(
            select(func.min(col(OutboxRow.id)))
            .where(
                col(OutboxRow.status).in_(("pending", "sending")),
                or_(col(OutboxRow.status) == "sending", col(OutboxRow.not_before) <= now),
            )
            .group_by(col(OutboxRow.chat_id))
        )
        async with self._sessions() as session:
            ids = list(
                await session.scalars(
                    select(col(OutboxRow.id))
                    .where(self._due(now), first_of_chat)
                    .order_by(col(OutboxRow.id))
                    .limit(limit)
                    .with_for_update(skip_locked=True)
                )
            )
            if not ids:
                await session.rollback()
                return []
            rows = await session.scalars(
                update(OutboxRow)
                .where(col(OutboxRow.id).in_(ids), self._due(now))
                .values(
                    status="sending",
                    lease_until=now + lease,
                    attempts=col(OutboxRow.attempts) + 1,
                )
                .returning(OutboxRow)
                .execution_options(synchronize_session=False)
            )
            claimed = sorted((_message(r) for r in rows), key=lambda m: m.id or 0)
            await session.commit()
        return claimed

    async def _set(self, row_id: int, **values: Any) -> bool:
        async with self._sessions() as session:
            result = await session.execute(
                update(OutboxRow)
                .where(col(OutboxRow.id) == row_id, col(OutboxRow.status) == "sending")
                .values(**values)
            )
            await session.commit()
        return cast(CursorResult[Any], result).rowcount == 1

    async def mark_sent(self, row_id: int, message_id: int | None, now: datetime) -> bool:
        return await self._set(
            row_id, status="sent", sent_at=now, telegram_message_id=message_id, error=None
        )

    async def extend(self, row_id: int, lease_until: datetime) -> bool:
        return await self._set(row_id, lease_until=lease_until)

    async def extend_many(self, row_ids: list[int], lease_until: datetime) -> None:
        """The worker's heartbeat: keep the leases of rows it still holds."""
        if not row_ids:
            return
        async with self._sessions() as session:
            await session.execute(
                update(OutboxRow)
                .where(col(OutboxRow.id).in_(row_ids), col(OutboxRow.status) == "sending")
                .values(lease_until=lease_until)
            )
            await session.commit()

    async def release(self, row_id: int, not_before: datetime, error: str) -> bool:
        """Back to pending (stopping before the send); not counted as delivered."""
        return await self._set(
            row_id, status="pending", not_before=not_before, lease_until=None, error=error[:500]
        )

    async def fail(self, row_id: int, error: str, status: str = "failed") -> bool:
        return await self._set(row_id, status=status, lease_until=None, error=error[:500])

    async def unreachable(
        self, message: OutboxMessage, error: str, notices: list[OutboxMessage], now: datetime
    ) -> None:
        """The recipient blocked the bot: mark the row and the chat, queue the notices."""
        assert message.id is not None
        for attempt in (notices, []):  # without the notices if another worker queued them first
            async with self._sessions() as session:
                await session.execute(
                    update(OutboxRow)
                    .where(col(OutboxRow.id) == message.id)
                    .values(status="unreachable", lease_until=None, error=error[:500])
                )
                await SqlReachabilityRepository(session).mark(message.chat_id, now, error)
                outbox = SqlOutboxRepository(session)
                for notice in attempt:
                    await outbox.add(notice)
                try:
                    await session.commit()
                    return
                except IntegrityError:
                    await session.rollback()

    async def notice_context(
        self, person_id: int | None, udvalg_id: int | None
    ) -> tuple[str, str, list[tuple[int, int, str | None]]]:
        """The blocked person's name, the udvalg's name, and its secretaries
        (person id, telegram id, language) for the "unreachable" notice."""
        async with self._sessions() as session:
            person = await session.get(PersonRow, person_id) if person_id else None
            udvalg = await session.get(UdvalgRow, udvalg_id) if udvalg_id else None
            secretaries: list[tuple[int, int, str | None]] = []
            if udvalg_id:
                rows = await session.execute(
                    select(col(PersonRow.id), col(PersonRow.telegram_id), col(PersonRow.language))
                    .join(MembershipRow, col(MembershipRow.person_id) == col(PersonRow.id))
                    .where(
                        col(MembershipRow.udvalg_id) == udvalg_id,
                        col(MembershipRow.role) == "sekretaer",
                    )
                )
                secretaries = [(int(a or 0), int(b), c) for a, b, c in rows]
        return (
            person.name if person else "?",
            udvalg.name if udvalg else "?",
            secretaries,
        )

    async def counts(self) -> dict[str, int]:
        async with self._sessions() as session:
            rows = await session.execute(select(col(OutboxRow.status), col(OutboxRow.id)))
            result: dict[str, int] = {}
            for status, _ in rows:
                result[status] = result.get(status, 0) + 1
        return result
