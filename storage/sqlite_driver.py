"""SQLite through aiosqlite in one thread trip per statement.

aiosqlite runs each SQLite call on the connection's own thread and hands the result back to the
event loop: a trip costs a queue hand-off, a thread wake-up, ``call_soon_threadsafe`` (a write to
the loop's self-pipe) and a pass of the event loop. SQLAlchemy's stock adapter
(``sqlalchemy.dialects.sqlite.aiosqlite``) makes four trips for every statement: open a cursor,
execute, fetch the rows, close the cursor. The cursor here makes one: a single function runs on
the driver's thread, opens a ``sqlite3`` cursor, executes, fetches every row (the stock adapter
buffers them all too), reads ``description``, ``rowcount`` and ``lastrowid``, and closes the
cursor; the adapter then answers SQLAlchemy from those values. Same driver, same thread, same
SQL and results; commits and rollbacks are the stock adapter's single trips.

It relies on ``aiosqlite.Connection._execute`` (queue a function for the connection's thread),
the call SQLAlchemy's adapter itself builds on; the version range is pinned in pyproject.toml
and ``tests/storage/test_engine.py`` (one trip per statement, rows, counts, ids, errors) fails
if a release changes it.
"""

from __future__ import annotations

import collections
import sqlite3
from typing import Any

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util import EMPTY_DICT

Outcome = tuple[Any, list[Any] | None, int, int | None]


def _run(connection: sqlite3.Connection, many: bool, operation: str, parameters: Any) -> Outcome:
    """On the driver's thread: the whole statement, from cursor to close."""
    cursor = connection.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else None
        return description, rows, cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


class OneTripCursor(AsyncAdapt_aiosqlite_cursor):
    """A DBAPI cursor over aiosqlite that holds no driver cursor between statements."""

    __slots__ = ("_arraysize", "_description", "_lastrowid", "_rowcount")

    def __init__(self, adapt_connection: AsyncAdapt_aiosqlite_connection) -> None:
        # Not the base initialiser: it would open a driver cursor, a trip of its own.
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = None  # type: ignore[assignment]
        self._soft_closed_memoized = EMPTY_DICT
        self._rows = collections.deque()
        self._description: Any = None
        self._rowcount = -1
        self._lastrowid: int | None = None
        self._arraysize = 1

    @property
    def description(self) -> Any:
        return self._description

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @property
    def lastrowid(self) -> int:
        return self._lastrowid  # type: ignore[return-value]

    @property
    def arraysize(self) -> int:
        return self._arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._arraysize = value

    async def _async_soft_close(self) -> None:
        return  # nothing open on the driver's side

    def close(self) -> None:
        self._rows.clear()

    async def _one_trip(self, many: bool, operation: Any, parameters: Any) -> None:
        async with self._adapt_connection._execute_mutex:
            connection = self._connection
            outcome: Outcome = await connection._execute(
                _run, connection._conn, many, operation, parameters
            )
        self._description, rows, self._rowcount, self._lastrowid = outcome
        self._rows = collections.deque(rows or ())

    async def _execute_async(self, operation: Any, parameters: Any) -> None:
        await self._one_trip(False, operation, parameters)

    async def _executemany_async(self, operation: Any, seq_of_parameters: Any) -> None:
        await self._one_trip(True, operation, seq_of_parameters)


class OneTripConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ()
    _cursor_cls = OneTripCursor  # type: ignore[assignment]  # a subclass of the stock cursor


class OneTripDbapi(AsyncAdapt_aiosqlite_dbapi):
    """The aiosqlite DBAPI adapter whose connections use ``OneTripCursor``; given to
    ``create_async_engine(module=...)`` in place of the one the dialect would import."""

    def connect(self, *arg: Any, **kw: Any) -> OneTripConnection:
        stock = super().connect(*arg, **kw)
        return OneTripConnection(self, stock._connection)


def dbapi() -> OneTripDbapi:
    return OneTripDbapi(aiosqlite, sqlite3)
