"""aiogram dialog storage in the database, so a half-finished dialog survives a restart."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, StateType, StorageKey
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.tables import FsmStateRow


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

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        await self._write(key, state=_state_name(state))

    async def get_state(self, key: StorageKey) -> str | None:
        row = await self._read(key)
        return row.state if row else None

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        await self._write(key, data=dict(data))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        row = await self._read(key)
        return dict(row.data or {}) if row else {}

    async def close(self) -> None:
        """Nothing to release: the engine belongs to the application and is disposed there."""

    async def _read(self, key: StorageKey) -> FsmStateRow | None:
        async with self._session_factory() as session:
            return await session.get(FsmStateRow, storage_key(key))

    async def _write(self, key: StorageKey, **changes: Any) -> None:
        # Two writers creating the same key at once: the loser retries as an update.
        for attempt in range(3):
            try:
                await self._write_once(storage_key(key), changes)
                return
            except IntegrityError:
                if attempt == 2:
                    raise

    async def _write_once(self, key: str, changes: dict[str, Any]) -> None:
        async with self._session_factory() as session, session.begin():
            row = await session.get(FsmStateRow, key, with_for_update=True)
            state = changes.get("state", row.state if row else None)
            data = changes["data"] if "data" in changes else (dict(row.data) if row else {})
            if state is None and not data:
                if row is not None:
                    await session.delete(row)
                return
            now = datetime.now(UTC)
            if row is None:
                session.add(FsmStateRow(key=key, state=state, data=data, updated_at=now))
            else:
                row.state, row.data, row.updated_at = state, data, now
