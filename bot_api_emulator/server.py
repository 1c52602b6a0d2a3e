"""The HTTP face of the emulator: the Bot API, file downloads and the control API on one port."""

from __future__ import annotations

import asyncio
import contextlib
import re
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from typing import Any

from aiohttp import web

from bot_api_emulator.bot_api import Described
from bot_api_emulator.client import EmulatorClient
from bot_api_emulator.control import setup_control
from bot_api_emulator.core import EMULATOR_KEY, Emulator, EmulatorConfig
from bot_api_emulator.errors import NOT_FOUND, UNAUTHORIZED, ApiError
from bot_api_emulator.params import MAX_REQUEST_SIZE, read_params

_TOKEN_SHAPE = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]+$")


def _json(body: dict[str, Any], status: int = 200) -> web.Response:
    return web.json_response(body, status=status)


def _error(error: ApiError) -> web.Response:
    return _json(error.to_json(), status=error.code)


def _drop(request: web.Request) -> web.StreamResponse:
    """Close the connection without an answer, as a network failure would."""
    if request.transport is not None:
        request.transport.close()
    raise asyncio.CancelledError


def _check_token(emu: Emulator, token: str) -> ApiError | None:
    if not _TOKEN_SHAPE.match(token):
        return NOT_FOUND
    if token != emu.token:
        return UNAUTHORIZED
    return None


def _success(result: Any) -> web.Response:
    if isinstance(result, Described):
        return _json({"ok": True, "result": result.result, "description": result.description})
    return _json({"ok": True, "result": result})


def _numeric(chat_id: str | None) -> int | None:
    """A numeric chat_id for fault rules that name a chat (an @username matches none)."""
    try:
        return int(chat_id) if chat_id else None
    except ValueError:
        return None


async def handle_bot_api(request: web.Request) -> web.StreamResponse:
    emu = request.app[EMULATOR_KEY]
    if refusal := _check_token(emu, request.match_info["token"]):
        return _error(refusal)
    method = request.match_info["method"].lower()
    try:
        params = await read_params(request)
    except ApiError as exc:
        emu.log_call(method, None, exc.code, None)
        return _error(exc)
    chat_id = params.text("chat_id")
    rule = emu.faults.take(method, _numeric(chat_id))
    if rule is not None and rule.kind == "delay":
        await asyncio.sleep(rule.delay)
    elif rule is not None and rule.kind == "drop":
        emu.log_call(method, chat_id, 0, rule.kind)
        return _drop(request)
    elif rule is not None and rule.kind != "drop_after":
        error = rule.error()
        emu.log_call(method, chat_id, error.code, rule.kind)
        return _error(error)
    try:
        result = await emu.execute(method, params)
    except ApiError as exc:
        emu.log_call(method, chat_id, exc.code, rule.kind if rule else None)
        response = _error(exc)
    else:
        emu.log_call(method, chat_id, 200, rule.kind if rule else None)
        response = _success(result)
    if rule is not None and rule.kind == "drop_after":
        return _drop(request)
    return response


async def handle_file(request: web.Request) -> web.StreamResponse:
    emu = request.app[EMULATOR_KEY]
    if refusal := _check_token(emu, request.match_info["token"]):
        return _error(refusal)
    stored = emu.state.files_by_path.get(request.match_info["path"])
    if stored is None:
        return _error(NOT_FOUND)
    return web.Response(
        body=stored.data, content_type=stored.mime_type or "application/octet-stream"
    )


async def handle_unknown(request: web.Request) -> web.StreamResponse:
    return _error(NOT_FOUND)


def make_app(emulator: Emulator) -> web.Application:
    app = web.Application(client_max_size=MAX_REQUEST_SIZE)
    app[EMULATOR_KEY] = emulator
    app.router.add_route("*", "/bot{token}/{method}", handle_bot_api)
    app.router.add_get("/file/bot{token}/{path:.+}", handle_file)
    setup_control(app)
    app.router.add_route("*", "/{tail:.*}", handle_unknown)

    async def _close(app: web.Application) -> None:
        await emulator.close()

    app.on_shutdown.append(_close)
    return app


@dataclass
class RunningEmulator:
    """A started emulator: its URL, its bot token, the in-process object and a control client."""

    emulator: Emulator
    base_url: str
    client: EmulatorClient

    @property
    def token(self) -> str:
        return self.emulator.token

    @property
    def port(self) -> int:
        return int(self.base_url.rsplit(":", 1)[1])


@contextlib.asynccontextmanager
async def running_emulator(
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    config: EmulatorConfig | None = None,
    limits: bool | None = None,
    emulator: Emulator | None = None,
) -> AsyncIterator[RunningEmulator]:
    """Start an emulator on ``host:port`` (0: a free port) for the duration of the block."""
    if emulator is None:
        config = config or EmulatorConfig()
        if limits is not None:
            config = replace(config, limits=limits)
        emulator = Emulator(config)
    runner = web.AppRunner(make_app(emulator), access_log=None, handle_signals=False)
    await runner.setup()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    site = web.SockSite(runner, sock)
    await site.start()
    base_url = f"http://{host}:{sock.getsockname()[1]}"
    client = EmulatorClient(base_url)
    try:
        yield RunningEmulator(emulator, base_url, client)
    finally:
        await client.close()
        await runner.cleanup()
        sock.close()


async def serve(host: str, port: int, limits: bool) -> None:
    """``udvalgsbot emulator``: run until cancelled, after one line that says where."""
    async with running_emulator(host, port, limits=limits) as running:
        print(
            f"Telegram Bot API emulator at {running.base_url} "
            f"(bot @{running.emulator.config.bot_username}, token {running.token}"
            f"{', flood limits on' if limits else ''})",
            flush=True,
        )
        await asyncio.Event().wait()
