"""Fixtures: a running emulator per test, its client, a raw Bot API caller, an aiogram Bot."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode

from bot_api_emulator import EmulatorClient, EmulatorConfig, RunningEmulator, running_emulator

#: Fast webhook retries so delivery tests take milliseconds.
TEST_CONFIG = EmulatorConfig(webhook_retry_base=0.02, webhook_retry_max=0.2, webhook_timeout=2.0)


class RawApi:
    """Calls ``/bot<token>/<method>`` and returns the HTTP status and the decoded JSON body."""

    def __init__(self, base_url: str, token: str, session: aiohttp.ClientSession) -> None:
        self.base_url = base_url
        self.token = token
        self.session = session

    async def call(
        self, method: str, *, encoding: str = "json", token: str | None = None, **params: Any
    ) -> tuple[int, dict[str, Any]]:
        url = f"{self.base_url}/bot{token or self.token}/{method}"
        if encoding == "json":
            request = self.session.post(url, json=params)
        else:  # form: nested values as JSON strings, like aiogram
            form = {
                key: json.dumps(value) if isinstance(value, (dict, list, bool)) else str(value)
                for key, value in params.items()
            }
            request = self.session.post(url, data=form)
        async with request as resp:
            return resp.status, await resp.json()

    async def ok(self, method: str, **params: Any) -> Any:
        status, body = await self.call(method, **params)
        assert (status, body["ok"]) == (200, True), body
        return body["result"]

    async def error(self, method: str, **params: Any) -> tuple[int, str]:
        status, body = await self.call(method, **params)
        assert body["ok"] is False, body
        assert body["error_code"] == status
        return status, body["description"]


@pytest.fixture
async def emulator() -> AsyncIterator[RunningEmulator]:
    async with running_emulator(config=TEST_CONFIG) as running:
        yield running


@pytest.fixture
def client(emulator: RunningEmulator) -> EmulatorClient:
    return emulator.client


@pytest.fixture
async def api(emulator: RunningEmulator) -> AsyncIterator[RawApi]:
    async with aiohttp.ClientSession() as session:
        yield RawApi(emulator.base_url, emulator.token, session)


@pytest.fixture
async def aiogram_bot(emulator: RunningEmulator) -> AsyncIterator[Bot]:
    session = AiohttpSession(api=TelegramAPIServer.from_base(emulator.base_url))
    bot = Bot(
        emulator.token, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML)
    )
    yield bot
    await bot.session.close()
