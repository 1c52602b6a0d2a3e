"""Serving the archive: ``udvalgsbot web`` on its own, and mounted under ARCHIVE_PATH in the
webhook process's application."""

from __future__ import annotations

from pathlib import Path

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.settings import Settings
from bot.web import mount_archive
from storage.engine import make_engine
from tests.e2e.world import free_port
from tests.support.botprocess import BotProcess
from tests.support.pdfa import assert_pdfa, pdf_text
from tests.web import world
from tests.web.conftest import BOT_USERNAME


def _settings(database_url: str, **values: object) -> Settings:
    return Settings(_env_file=None, database_url=database_url, **values)  # type: ignore[call-arg]


async def test_the_webhook_application_serves_the_archive_under_its_path(
    database_url: str,
) -> None:
    settings = _settings(database_url, archive_path="/arkiv")
    engine = make_engine(database_url)
    app = web.Application()
    mount_archive(app, settings, engine, BOT_USERNAME)
    async with TestClient(TestServer(app)) as client:
        bare = await client.get("/arkiv", allow_redirects=False)
        assert bare.status == 301 and bare.headers["Location"] == "/arkiv/"
        front = await client.get("/arkiv/")
        assert front.status == 200 and 'href="/arkiv/udvalg/beu"' in await front.text()
        committee = await (await client.get("/arkiv/udvalg/beu")).text()
        assert f'href="https://t.me/{BOT_USERNAME}"' in committee
        missing = await client.get("/arkiv/udvalg/beu/2026-05-06")
        assert missing.status == 404 and world.UNRELEASED_TITLE not in await missing.text()
    await engine.dispose()


async def test_udvalgsbot_web_serves_the_archive_until_stopped(
    database_url: str, tmp_path: Path
) -> None:
    port = free_port()
    process = BotProcess(
        env={"DATABASE_URL": database_url, "BOT_USERNAME": BOT_USERNAME, "LOG_LEVEL": "WARNING"},
        log_path=tmp_path / "web.log",
        args=["web", "--host", "127.0.0.1", "--port", str(port)],
        cwd=tmp_path,
        unset=frozenset(name.upper() for name in Settings.model_fields),
    )
    process.start()
    try:
        await process.wait_for_log(f"Webarkivet kører på http://127.0.0.1:{port}/")
        base = f"http://127.0.0.1:{port}/udvalg/beu/2026-03-04"
        async with aiohttp.ClientSession() as http:
            async with http.get(base) as response:
                assert response.status == 200
                html = await response.text()
            async with http.get(f"{base}/referat.pdf") as response:
                assert response.status == 200 and response.content_type == "application/pdf"
                pdf = await response.read()
        assert world.OPEN_TITLE in html and world.CLOSED_SECRET not in html
        # The real PDF/A of the public protocol: the closed punkt by title and public decision.
        assert_pdfa(
            pdf,
            bookmarks=[
                "1. Godkendelse af dagsorden",
                "2. Meddelelser",
                f"3. {world.OPEN_TITLE}",
                f"4. Lukket punkt: {world.CLOSED_TITLE}",
                "5. Eventuelt",
                "Godkendelse",
            ],
        )
        text = pdf_text(pdf)
        assert world.CLOSED_TITLE in text and world.OPEN_DECISION in text
        for hidden in (world.CLOSED_SECRET, world.CLOSED_BILAG, "mette.juhl"):
            assert hidden not in text
    finally:
        assert await process.stop() == 0, process.log()
    assert "Traceback" not in process.log()
