"""The archive on a real SQLite database seeded through the services (``world.build``), served
by aiohttp's test server. The seeded database is made once per session and copied per test."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.catalogue import catalogue_texts
from storage.engine import make_engine, make_session_factory
from storage.migrate import upgrade_async
from storage.uow import SqlUnitOfWork
from tests.web import world
from web import ArchiveConfig, build_archive

BOT_USERNAME = "udvalgsbot_test_bot"


async def _seed(url: str) -> world.World:
    await upgrade_async(url)  # the real migrations: ``udvalgsbot web`` finds it at head
    engine = make_engine(url)
    factory = make_session_factory(engine)
    try:
        return await world.build(lambda: SqlUnitOfWork(factory))
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, world.World]:
    path = tmp_path_factory.mktemp("archive") / "seeded.sqlite3"
    built = asyncio.run(_seed(f"sqlite+aiosqlite:///{path}"))
    return path, built


@pytest.fixture
def database_url(seeded: tuple[Path, world.World], tmp_path: Path) -> str:
    copy = tmp_path / "archive.sqlite3"
    shutil.copyfile(seeded[0], copy)
    return f"sqlite+aiosqlite:///{copy}"


@pytest.fixture
def seeded_world(seeded: tuple[Path, world.World]) -> world.World:
    return seeded[1]


def fake_pdf(document: object, protokol: bool) -> bytes:
    """A stand-in for the PDF/A renderer: the document's text, so a test can read it."""
    from agendas.documents.html_render import render_body

    assert not isinstance(document, str)
    return b"%PDF-fake\n" + render_body(document, protokol, True).encode()  # type: ignore[arg-type]


@pytest.fixture
def config() -> ArchiveConfig:
    return ArchiveConfig(bot_username=BOT_USERNAME, pdf=fake_pdf)


@pytest.fixture
async def client(database_url: str, config: ArchiveConfig) -> AsyncIterator[TestClient]:
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    app = build_archive(lambda: SqlUnitOfWork(factory), catalogue_texts("da"), config)
    async with TestClient(TestServer(app)) as test_client:
        yield test_client
    await engine.dispose()
