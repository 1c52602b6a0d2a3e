"""Webhook delivery: POST each update in order, with the secret header, retrying with backoff.

A delivery succeeds on any 2xx answer; a failure is recorded in ``getWebhookInfo``
(``last_error_date``, ``last_error_message``) and retried after a growing pause, like Telegram
(which gives up only after a long time; the emulator keeps trying until the webhook changes).
An answer that carries a Bot API call (``{"method": …}``, JSON or multipart) is executed.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.parser
import email.policy
import json
import logging
from typing import TYPE_CHECKING, Any

import aiohttp

from bot_api_emulator.errors import ApiError
from bot_api_emulator.params import Params, Upload
from bot_api_emulator.state import Update

if TYPE_CHECKING:
    from bot_api_emulator.core import Emulator

log = logging.getLogger(__name__)


class WebhookDelivery:
    def __init__(self, emu: Emulator) -> None:
        self.emu = emu
        self.delivered = 0
        self.failed = 0
        self._task: asyncio.Task[None] | None = None

    def restart(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None
        webhook = self.emu.state.webhook
        if webhook.url:
            self._task = asyncio.create_task(self._run(webhook.url, webhook.secret_token))

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            if task is asyncio.current_task():
                return  # stopped from a method in the webhook's own answer
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self, url: str, secret: str | None) -> None:
        state = self.emu.state
        config = self.emu.config
        failures = 0
        timeout = aiohttp.ClientTimeout(total=config.webhook_timeout)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            while True:
                async with state.updates_changed:
                    await state.updates_changed.wait_for(lambda: bool(state.updates))
                update = state.updates[0]
                error = await self._post(session, url, secret, update)
                if error is None:
                    failures = 0
                    self.delivered += 1
                    state.confirm_before(update.update_id + 1)
                    continue
                failures += 1
                self.failed += 1
                state.webhook.last_error_date = state.now()
                state.webhook.last_error_message = error
                delay = config.webhook_retry_base * 2 ** min(failures - 1, 16)
                await asyncio.sleep(min(delay, config.webhook_retry_max))

    async def _post(
        self, session: aiohttp.ClientSession, url: str, secret: str | None, update: Update
    ) -> str | None:
        headers = {"Content-Type": "application/json"}
        if secret:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret
        try:
            async with session.post(url, data=json.dumps(update.to_api()), headers=headers) as resp:
                body = await resp.read()
                if not 200 <= resp.status < 300:
                    return f"Wrong response from the webhook: {resp.status} {resp.reason}"
                content_type = resp.headers.get("Content-Type", "")
        except TimeoutError:
            return "Read timeout expired"
        except aiohttp.ClientConnectorError:
            return "Connection refused"
        except aiohttp.ClientError as exc:
            return f"Connection failed: {exc.__class__.__name__}"
        await self._answer_in_reply(content_type, body)
        return None

    async def _answer_in_reply(self, content_type: str, body: bytes) -> None:
        """Run a method the bot put into its webhook answer; its errors are dropped silently."""
        params = _reply_params(content_type, body)
        if params is None:
            return
        name = params.text("method") or ""
        with contextlib.suppress(ApiError):
            await self.emu.execute(name, params)


def _reply_params(content_type: str, body: bytes) -> Params | None:
    if not body:
        return None
    if content_type.startswith("application/json"):
        try:
            data = json.loads(body)
        except ValueError:
            return None
        if isinstance(data, dict) and data.get("method"):
            return Params(data)
        return None
    if content_type.startswith("multipart/form-data"):
        raw = b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(raw)
        values: dict[str, Any] = {}
        uploads: dict[str, Upload] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if not isinstance(name, str):
                continue
            payload = part.get_payload(decode=True)
            data_bytes = payload if isinstance(payload, bytes) else b""
            filename = part.get_filename()
            if filename is not None:
                uploads[name] = Upload(filename, part.get_content_type(), data_bytes)
            else:
                values[name] = data_bytes.decode("utf-8")
        if values.get("method"):
            return Params(values, uploads)
    return None
