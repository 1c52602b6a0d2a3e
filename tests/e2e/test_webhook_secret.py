"""Webhook mode: a POST without Telegram's secret header is refused and never processed."""

from __future__ import annotations

import itertools
import time
from typing import Any

import aiohttp
import pytest

from bot_api_emulator import EmuUser
from tests.e2e.world import WEBHOOK_SECRET, World

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.asyncio(loop_scope="session"),
    pytest.mark.parametrize("mode", ["webhook"], indirect=True),
]

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
#: Update ids far above the emulator's own, so a forged update is never mistaken for a real one.
_IDS = itertools.count(900_000_001)


def command_update(user: EmuUser, text: str) -> dict[str, Any]:
    """What Telegram would POST for ``user`` typing ``text`` (a command) in the private chat."""
    command = text.split()[0]
    return {
        "update_id": next(_IDS),
        "message": {
            "message_id": next(_IDS),
            "date": int(time.time()),
            "chat": {"id": user.id, "type": "private", "first_name": user.first_name},
            "from": {"id": user.id, "is_bot": False, "first_name": user.first_name},
            "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": len(command)}],
        },
    }


async def test_a_post_without_the_secret_is_refused_and_not_processed(world: World) -> None:
    admin = world.admin
    # The admin has opened the chat (Telegram lets a bot write only to people who have).
    await world.ask(admin, "/start", "Udvalgsbot – hjælp")
    await world.client.skip_pending(admin)
    forged = command_update(admin, "/nytudvalg FAK Falsk udvalg; Falsk forvaltning")
    async with aiohttp.ClientSession() as http:
        for headers in ({}, {SECRET_HEADER: "wrong-" + WEBHOOK_SECRET}, {SECRET_HEADER: ""}):
            async with http.post(world.webhook_url, json=forged, headers=headers) as resp:
                assert resp.status in (401, 403), (headers, resp.status)
        # The same kind of request with the right secret is taken: the refusals above were
        # about the header, not a malformed update.
        control = command_update(admin, "/hjaelp")
        headers = {SECRET_HEADER: WEBHOOK_SECRET}
        async with http.post(world.webhook_url, json=control, headers=headers) as resp:
            assert resp.status == 200

    answer = await world.client.wait_message(admin, timeout=10)
    assert "Udvalgsbot – hjælp" in (answer.text or "")
    await world.quiet(admin, 1.0)  # and nothing for the forged /nytudvalg
    assert world.count("SELECT count(*) FROM udvalg WHERE code = 'FAK'") == 0

    created = await world.ask(admin, "/nytudvalg FAK Falsk udvalg; Falsk forvaltning", "oprettet")
    assert "Udvalget Falsk udvalg (FAK) er oprettet" in (created.text or "")
    world.assert_no_secrets_in_log()
