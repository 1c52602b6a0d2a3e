"""aiogram dialog storage in the database, so a half-finished dialog survives a restart."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, StateType, StorageKey
from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from storage.tables import FsmStateRow
from storage.uow import SqlUnitOfWork

#: State and data of one key: one statement, built once (SQLAlchemy caches its compiled form).
_READ = select(col(FsmStateRow.state), col(FsmStateRow.data)).where(
    col(FsmStateRow.key) == bindparam("key")
)

#: What is stored for a key: its state and its data.
Stored = tuple[str | None, dict[str, Any]]


def storage_key(key: StorageKey) -> str:
    """Every part of aiogram's key, so chats, threads, bots and destinies never mix."""
    parts = (
        key.bot_id,
        key.chat_id,
        key.user_id,
        key.thread_id,
        key.business_connection_id,
        key.destiny,
    )
    return ":".join("" if part is None else str(part) for part in parts)


def _state_name(state: StateType) -> str | None:
    if isinstance(state, State):
        return state.state
    return state


class SqlStorage(BaseStorage):
    """FSM state and data in the ``fsm_state`` table; one short transaction per call.

    Data must be JSON-serialisable (as with aiogram's Redis storage). A key whose state is
    cleared and whose data is empty is deleted, so finished dialogs leave no rows behind.
    """

    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._session_factory = session_factory

    def for_update(self, uow: object) -> BaseStorage:
        """The dialog state of one Telegram update, read and written through that update's unit
        of work (its session and connection) instead of sessions of its own; this storage when
        ``uow`` is not a SQL unit of work on the same engine."""
        if isinstance(uow, SqlUnitOfWork) and uow.bind is self._session_factory.kw.get("bind"):
            return UpdateSqlStorage(self, uow)
        return self

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        await self._write(key, state=_state_name(state))

    async def get_state(self, key: StorageKey) -> str | None:
        return (await self._read(key))[0]

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        await self._write(key, data=dict(data))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        return dict((await self._read(key))[1])

    async def close(self) -> None:
        """Nothing to release: the engine belongs to the application and is disposed there."""

    async def _read(self, key: StorageKey) -> Stored:
        async with self._session_factory() as session:
            return await read(session, storage_key(key))

    async def _write(self, key: StorageKey, **changes: Any) -> Stored:
        # Two writers creating the same key at once: the loser retries as an update.
        for attempt in range(3):
            try:
                async with self._session_factory() as session, session.begin():
                    return await write(session, storage_key(key), changes)
            except IntegrityError:
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover


class UpdateSqlStorage(BaseStorage):
    """The SQL dialog storage for one update, on the update's unit of work: each call is a
    short transaction of that unit of work (a write commits at once, and is not counted among
    the unit of work's commits: a dialog step is not what the person asked to store). What was
    read or written is remembered for the rest of the update (the update holds the key's
    lock), so a handler's ``get_data`` after the middleware's ``get_state`` costs nothing."""

    def __init__(self, shared: SqlStorage, uow: SqlUnitOfWork) -> None:
        self._shared = shared
        self._uow = uow
        self._known: dict[str, Stored] = {}

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        await self._write(key, state=_state_name(state))

    async def get_state(self, key: StorageKey) -> str | None:
        return (await self._read(key))[0]

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        await self._write(key, data=dict(data))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        # A copy the handler may change freely (nested lists too), as aiogram's storages give.
        return copy.deepcopy((await self._read(key))[1])

    async def close(self) -> None:
        """The update's unit of work is closed by the update."""

    async def _read(self, key: StorageKey) -> Stored:
        name = storage_key(key)
        known = self._known.get(name) or self._uow.prefetched_state(name)
        if known is None:
            if self._uow.active:  # inside a service's transaction: not ours to end
                known = await self._shared._read(key)
            else:
                async with self._uow as uow:
                    known = await read(uow.session, name)
            self._known[name] = known
        return known

    async def _write(self, key: StorageKey, **changes: Any) -> None:
        name = storage_key(key)
        if self._uow.active:  # inside a service's transaction: committing it is not ours
            self._known[name] = await self._shared._write(key, **changes)
            return
        for attempt in range(3):
            try:
                async with self._uow as uow:
                    stored = await write(uow.session, name, changes)
                    await uow.session.commit()
                self._known[name] = stored
                return
            except IntegrityError:
                if attempt == 2:
                    raise


async def read(session: AsyncSession, key: str) -> Stored:
    row = (await session.execute(_READ, {"key": key})).first()
    return (row[0], dict(row[1] or {})) if row is not None else (None, {})


async def write(session: AsyncSession, key: str, changes: dict[str, Any]) -> Stored:
    """Change the state or the data of ``key`` in the session's transaction (not committed)."""
    row = await session.get(FsmStateRow, key, with_for_update=True, populate_existing=True)
    state = changes.get("state", row.state if row else None)
    data = changes["data"] if "data" in changes else (dict(row.data or {}) if row else {})
    if state is None and not data:
        if row is not None:
            await session.delete(row)
            await session.flush()
        return None, {}
    now = datetime.now(UTC)
    if row is None:
        session.add(FsmStateRow(key=key, state=state, data=data, updated_at=now))
    else:
        row.state, row.data, row.updated_at = state, data, now
    await session.flush()
    return state, dict(data)
