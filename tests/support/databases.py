"""Throw-away PostgreSQL databases for tests, and a ``pg_database_url`` fixture.

Each test session gets its own database (``udvalgsbot_t_<random>``) created from the server's
``test`` database and dropped at the end, so parallel runs and leftovers never interfere.
PostgreSQL is required: when it cannot be reached the tests FAIL with a clear message.

Other test folders use the fixture with ``from tests.support.databases import pg_database_url``.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest
from psycopg import sql
from sqlalchemy.engine import make_url

#: The maintenance connection; override with TEST_POSTGRES_URL.
ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def _admin_connection() -> psycopg.Connection[tuple[object, ...]]:
    try:
        return psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        pytest.fail(
            f"PostgreSQL is required for these tests but {ADMIN_URL} cannot be reached: {exc}. "
            "Start the server (127.0.0.1:5432, user postgres, database 'test') "
            "or point TEST_POSTGRES_URL at one.",
            pytrace=False,
        )


def create_pg_database(prefix: str = "udvalgsbot_t_") -> str:
    """Create an empty database and return its SQLAlchemy URL (``postgresql+psycopg``)."""
    name = f"{prefix}{secrets.token_hex(4)}"
    with _admin_connection() as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = make_url(ADMIN_URL).set(drivername="postgresql+psycopg", database=name)
    return url.render_as_string(hide_password=False)


def drop_pg_database(url: str) -> None:
    name = make_url(url).database
    if not name:
        raise ValueError(f"no database name in {url!r}")
    with _admin_connection() as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


@contextmanager
def pg_database(prefix: str = "udvalgsbot_t_") -> Iterator[str]:
    """A fresh empty database for the duration of the ``with`` block."""
    url = create_pg_database(prefix)
    try:
        yield url
    finally:
        drop_pg_database(url)


@pytest.fixture(scope="session")
def pg_database_url() -> Iterator[str]:
    """An empty PostgreSQL database for the whole test session (schema is up to the user)."""
    with pg_database() as url:
        yield url
