"""The delivery worker's side of the outbox: claim and mark rows, each in its own short transaction.

Claiming is one code path for both databases: select due ids ``FOR UPDATE SKIP LOCKED`` (a
no-op on SQLite, which serialises writers anyway), then a conditional UPDATE that sets the lease
only on rows still due, so two workers never hold the same row. A chat's row is claimed only once
its earlier due rows are done, so its rows go out in order whichever worker sends them.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, exists, func, or_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import aliased
from sqlmodel import col, select

from agendas.outbox import OutboxMessage
from storage.repositories.base import rowcount
from storage.repositories.delivery import SqlOutboxRepository, SqlReachabilityRepository, to_message
from storage.tables import MembershipRow, OutboxRow, PersonRow, UdvalgRow


def _due(now: Any) -> Any:
    """Rows a claim at ``now`` may take: pending and due, or leased until before ``now`` (their
    worker died). ``now`` is a datetime or a bound parameter."""
    return or_(
        and_(col(OutboxRow.status) == "pending", col(OutboxRow.not_before) <= now),
        and_(col(OutboxRow.status) == "sending", col(OutboxRow.lease_until) < now),
    )


#: Is any row due at ``now``? (``_due`` as one indexed read.)
_ANY_DUE = select(col(OutboxRow.id)).where(_due(bindparam("now"))).limit(1)


class OutboxQueue:
    """Claim due rows, then mark each one sent, retried or failed, in short transactions."""

    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = session_factory

    @staticmethod
    def _first_of_chat(now: datetime) -> Any:
        """Each chat's oldest row that is due or in flight (rows still waiting for their
        not_before do not hold the chat up); a due row is claimable only if it is that row."""
        return col(OutboxRow.id).in_(
            select(func.min(col(OutboxRow.id)))
            .where(
                col(OutboxRow.status).in_(("pending", "sending")),
                or_(col(OutboxRow.status) == "sending", col(OutboxRow.not_before) <= now),
            )
            .group_by(col(OutboxRow.chat_id))
        )

    @staticmethod
    def _spaced(now: datetime, private: float, group: float) -> Any:
        """No outbox message went to the chat within its interval (``group`` seconds for a
        group, whose id is negative, ``private`` for a person), whichever worker sent it."""
        recent = aliased(OutboxRow)

        def quiet(interval: float) -> Any:
            return ~exists().where(
                col(recent.chat_id) == col(OutboxRow.chat_id),
                col(recent.status) == "sent",
                col(recent.sent_at) > now - timedelta(seconds=interval),
            )

        return or_(
            and_(col(OutboxRow.chat_id) < 0, quiet(group)),
            and_(col(OutboxRow.chat_id) >= 0, quiet(private)),
        )

    async def claim(
        self,
        limit: int,
        lease: timedelta,
        now: datetime,
        *,
        private_interval: float = 0.0,
        group_interval: float = 0.0,
    ) -> list[OutboxMessage]:
        """Up to ``limit`` due rows, oldest first, leased to the caller until ``now + lease``.

        A row whose lease ran out (its worker crashed) is due again. Only the first due row of
        each chat is claimed: a later one waits until the earlier one is sent (or given up), so
        a chat's rows keep their order even when several workers share the outbox. With the
        intervals given, a chat's row is claimed only once its last outbox message is that old
        (``sent_at``), so two processes sending a chat's rows one after the other keep
        Telegram's per-chat spacing too.
        """
        async with self._sessions() as session:
            # Most polls find nothing due: one indexed read says so, without building the claim
            # or its locking transaction (on PostgreSQL BEGIN, SELECT … FOR UPDATE, ROLLBACK).
            if await session.scalar(_ANY_DUE, {"now": now}) is None:
                return []
            conditions = [_due(now), self._first_of_chat(now)]
            if private_interval > 0 or group_interval > 0:
                conditions.append(self._spaced(now, private_interval, group_interval))
            ids = list(
                await session.scalars(
                    select(col(OutboxRow.id))
                    .where(*conditions)
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
                .where(col(OutboxRow.id).in_(ids), _due(now))
                .values(
                    status="sending",
                    lease_until=now + lease,
                    attempts=col(OutboxRow.attempts) + 1,
                )
                .returning(OutboxRow)
                .execution_options(synchronize_session=False)
            )
            claimed = sorted((to_message(r) for r in rows), key=lambda m: m.id or 0)
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
        return rowcount(result) == 1

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
                        col(PersonRow.telegram_id).is_not(None),
                    )
                )
                secretaries = [(int(a or 0), int(b or 0), c) for a, b, c in rows]
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
