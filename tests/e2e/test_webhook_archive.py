"""Webhook mode with ARCHIVE_SERVE: the bot process serves the public archive under /arkiv,
beside the webhook, with the "Følg udvalget" link to the bot it asked Telegram about."""

from __future__ import annotations

import aiohttp
import pytest

from tests.e2e.world import World

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.parametrize("mode", ["webhook"], indirect=True),
]


async def test_the_webhook_process_serves_the_archive(world: World) -> None:
    await world.ask(world.admin, "/nytudvalg ARK Arkivudvalget; Kultur", "oprettet")
    base = f"http://127.0.0.1:{world.webhook_port}/arkiv"
    async with aiohttp.ClientSession() as http:
        async with http.get(base, allow_redirects=False) as bare:
            assert bare.status == 301 and bare.headers["Location"] == "/arkiv/"
        async with http.get(f"{base}/") as front:
            assert front.status == 200
            assert 'href="/arkiv/udvalg/ark">Arkivudvalget</a>' in await front.text()
        async with http.get(f"{base}/udvalg/ark") as committee:
            html = await committee.text()
        username = world.emu.emulator.config.bot_username
        assert f'href="https://t.me/{username}"' in html
        async with http.get(f"{base}/udvalg/ark/2030-01-01") as missing:
            assert missing.status == 404 and "Siden findes ikke" in await missing.text()
