"""The control API under ``/_emu/``: simulated people, what the bot sent, faults, limits.

JSON in, JSON out. Errors answer ``{"error": "…"}`` with 400 (bad request) or 404 (unknown).

Each handler is a plain function of the request that finds the emulator at
``request.app[EMULATOR_KEY]`` and returns what to answer as JSON (or a ready response);
:data:`ROUTES` lists them, and :func:`setup_control` registers them all.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

from aiohttp import web

from bot_api_emulator import actions
from bot_api_emulator.core import EMULATOR_KEY, Emulator
from bot_api_emulator.state import Event

#: A control handler: the request in, a JSON-able result (or a ready response) out.
ControlHandler = Callable[[web.Request], Awaitable[Any]]
Route = Callable[[web.Request], Awaitable[web.StreamResponse]]


class ControlError(Exception):
    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def _ok(body: Any, status: int = 200) -> web.Response:
    return web.json_response(body, status=status)


def _answering(handler: ControlHandler) -> Route:
    """The handler's result as JSON; a refusal as ``{"error": …}`` with its status."""

    async def wrapped(request: web.Request) -> web.StreamResponse:
        try:
            result = await handler(request)
        except ControlError as exc:
            return _ok({"error": str(exc)}, status=exc.status)
        except actions.ActionError as exc:
            return _ok({"error": str(exc)}, status=400)
        except ValueError as exc:
            return _ok({"error": str(exc)}, status=400)
        if isinstance(result, web.StreamResponse):
            return result
        return _ok(result)

    return wrapped


# ------------------------------------------------------------------------------ helpers
def _emu(request: web.Request) -> Emulator:
    return request.app[EMULATOR_KEY]


async def _body(request: web.Request) -> dict[str, Any]:
    if not request.can_read_body:
        return {}
    try:
        body = await request.json()
    except ValueError:
        raise ControlError("the body must be JSON") from None
    if not isinstance(body, dict):
        raise ControlError("the body must be a JSON object")
    return body


def _int(value: Any, name: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ControlError(f"{name} must be an integer") from None


def _opt_int(value: Any, name: str) -> int | None:
    return None if value is None else _int(value, name)


def _chat_id(request: web.Request) -> int:
    """The ``{chat_id}`` in the path, of a chat the emulator knows (else 404)."""
    chat_id = _int(request.match_info["chat_id"], "chat_id")
    if chat_id not in _emu(request).state.chats:
        raise ControlError(f"unknown chat {chat_id}", status=404)
    return chat_id


def _events(emu: Emulator, chat_id: int, since: int, kinds: set[str] | None) -> list[Event]:
    return [
        e
        for e in emu.state.events.get(chat_id, [])
        if e.seq > since and (kinds is None or e.kind in kinds)
    ]


def _event_json(emu: Emulator, event: Event) -> dict[str, Any]:
    data: dict[str, Any] = {
        "seq": event.seq,
        "kind": event.kind,
        "chat_id": event.chat_id,
        "message_id": event.message_id,
        **event.detail,
    }
    if event.message_id is not None:
        message = emu.state.get_message(event.chat_id, event.message_id)
        if message is not None:
            data["message"] = message.to_control()
    return data


# ------------------------------------------------------------------------------ the world
async def get_bot(request: web.Request) -> Any:
    emu = _emu(request)
    state = emu.state
    return {
        "bot": state.bot.to_api(),
        "token": emu.token,
        "webhook": {
            "url": state.webhook.url,
            "secret_token": state.webhook.secret_token,
            "last_error_message": state.webhook.last_error_message,
        },
        "commands": [
            {
                "scope": {"type": kind, "chat_id": chat_id, "user_id": user_id},
                "language_code": language,
                "commands": commands,
            }
            for (kind, chat_id, user_id, language), commands in state.commands.items()
        ],
        "menu_buttons": [
            {"chat_id": chat_id, "menu_button": button}
            for chat_id, button in state.menu_buttons.items()
        ],
    }


async def reset(request: web.Request) -> Any:
    await _emu(request).reset()
    return {"ok": True}


async def create_user(request: web.Request) -> Any:
    body = await _body(request)
    if not body.get("first_name"):
        raise ControlError("first_name is required")
    user = _emu(request).state.add_user(
        str(body["first_name"]),
        user_id=_opt_int(body.get("id"), "id"),
        last_name=body.get("last_name"),
        username=body.get("username"),
        language_code=body.get("language_code"),
        started=bool(body.get("started", False)),
    )
    return {**user.to_control(), "chat_id": user.id}


async def list_users(request: web.Request) -> Any:
    return [user.to_control() for user in _emu(request).state.users.values()]


async def block(request: web.Request) -> Any:
    body = await _body(request)
    user_id = _int(request.match_info["user_id"], "user_id")
    state = _emu(request).state
    await actions.set_blocked(state, user_id, blocked=bool(body.get("blocked", True)))
    return state.users[user_id].to_control()


async def create_chat(request: web.Request) -> Any:
    body = await _body(request)
    kind = body.get("type", "group")
    if kind not in ("group", "supergroup"):
        raise ControlError("type must be group or supergroup (private chats come with users)")
    members = [_int(m, "member_ids") for m in body.get("member_ids", [])]
    chat = _emu(request).state.add_group(
        str(body.get("title") or "Gruppe"), members, supergroup=kind == "supergroup"
    )
    return chat.to_control()


async def get_chat(request: web.Request) -> Any:
    return _emu(request).state.chats[_chat_id(request)].to_control()


# ------------------------------------------------------------------ what the bot did
async def chat_messages(request: web.Request) -> Any:
    chat_id = _chat_id(request)
    with_data = request.query.get("with_data", "1") != "0"
    return [m.to_control(with_data=with_data) for m in _emu(request).state.chat_messages(chat_id)]


async def chat_events(request: web.Request) -> Any:
    emu = _emu(request)
    chat_id = _chat_id(request)
    since = _int(request.query.get("since", 0), "since")
    kinds = set(request.query["kinds"].split(",")) if request.query.get("kinds") else None
    return [_event_json(emu, e) for e in _events(emu, chat_id, since, kinds)]


async def wait(request: web.Request) -> Any:
    """Wait until ``count`` events of ``kinds`` (default: sends) follow ``since``."""
    emu = _emu(request)
    chat_id = _chat_id(request)
    body = await _body(request)
    count = max(_int(body.get("count", 1), "count"), 1)
    since = _int(body.get("since", 0), "since")
    timeout = float(body.get("timeout", 5.0))
    kinds = set(body.get("kinds") or ["send"])
    state = emu.state

    def enough() -> bool:
        return len(_events(emu, chat_id, since, kinds)) >= count

    async with state.activity:
        try:
            await asyncio.wait_for(state.activity.wait_for(enough), timeout)
        except TimeoutError:
            got = [_event_json(emu, e) for e in _events(emu, chat_id, since, kinds)]
            return _ok({"error": "timeout", "events": got}, status=408)
    events = _events(emu, chat_id, since, kinds)[:count]
    return {"events": [_event_json(emu, e) for e in events], "cursor": events[-1].seq}


async def cursor(request: web.Request) -> Any:
    chat_id = _chat_id(request)
    events = _emu(request).state.events.get(chat_id, [])
    return {"cursor": events[-1].seq if events else 0}


async def callback_queries(request: web.Request) -> Any:
    chat_id = request.query.get("chat_id")
    return [
        q.to_control()
        for q in _emu(request).state.callback_queries.values()
        if chat_id is None or str(q.message.chat.id) == chat_id
    ]


async def file_bytes(request: web.Request) -> Any:
    stored = _emu(request).state.files.get(request.match_info["file_id"])
    if stored is None:
        raise ControlError("unknown file_id", status=404)
    return web.Response(
        body=stored.data, content_type=stored.mime_type or "application/octet-stream"
    )


async def updates(request: web.Request) -> Any:
    return [u.to_api() for u in _emu(request).state.updates]


# ------------------------------------------------------------------ what people do
async def user_message(request: web.Request) -> Any:
    body = await _body(request)
    message, update_id = await actions.send_text(
        _emu(request).state,
        _int(body.get("user_id"), "user_id"),
        str(body.get("text") or ""),
        chat_id=_opt_int(body.get("chat_id"), "chat_id"),
        entities=body.get("entities"),
        reply_to_message_id=_opt_int(body.get("reply_to_message_id"), "reply_to_message_id"),
    )
    return {"message": message.to_control(), "update_id": update_id}


async def user_document(request: web.Request) -> Any:
    body = await _body(request)
    try:
        data = base64.b64decode(str(body.get("data_b64") or ""), validate=True)
    except (binascii.Error, ValueError):
        raise ControlError("data_b64 must be base64") from None
    message, update_id = await actions.send_document(
        _emu(request).state,
        _int(body.get("user_id"), "user_id"),
        data,
        str(body.get("file_name") or "document.bin"),
        mime_type=body.get("mime_type"),
        caption=body.get("caption"),
        chat_id=_opt_int(body.get("chat_id"), "chat_id"),
    )
    return {"message": message.to_control(with_data=False), "update_id": update_id}


async def press(request: web.Request) -> Any:
    body = await _body(request)
    query_id = await actions.press_button(
        _emu(request).state,
        _int(body.get("user_id"), "user_id"),
        _int(body.get("chat_id"), "chat_id"),
        _int(body.get("message_id"), "message_id"),
        text=body.get("text"),
        data=body.get("data"),
    )
    return {"callback_query_id": query_id}


# ------------------------------------------------------------------ faults, limits, log
async def get_faults(request: web.Request) -> Any:
    faults = _emu(request).faults
    return {"rules": [rule.to_json() for rule in faults.rules], "injected": dict(faults.injected)}


async def add_fault(request: web.Request) -> Any:
    body = await _body(request)
    rule = _emu(request).faults.add(
        str(body.get("method") or "*"),
        body.get("kind", "retry_after"),
        _int(body.get("count", 1), "count"),
        retry_after=_int(body.get("retry_after", 1), "retry_after"),
        status=_int(body.get("status", 500), "status"),
        delay=float(body.get("delay", 0.0)),
        chat_id=_opt_int(body.get("chat_id"), "chat_id"),
    )
    return rule.to_json()


async def clear_faults(request: web.Request) -> Any:
    _emu(request).faults.clear()
    return {"ok": True}


async def get_limits(request: web.Request) -> Any:
    return _emu(request).limiter.to_json()


async def set_limits(request: web.Request) -> Any:
    body = await _body(request)
    limiter = _emu(request).limiter
    if "enabled" in body:
        limiter.enabled = bool(body["enabled"])
    changes = {
        key: _int(body[key], key)
        for key in ("global_per_second", "private_per_second", "group_per_minute")
        if key in body
    }
    if any(value < 1 for value in changes.values()):
        raise ControlError("limits must be at least 1")
    limiter.limits = replace(limiter.limits, **changes) if changes else limiter.limits
    if body.get("reset"):
        limiter.reset()
    return limiter.to_json()


async def stats(request: web.Request) -> Any:
    return _emu(request).stats()


async def calls(request: web.Request) -> Any:
    method = request.query.get("method", "").lower()
    return [c.to_json() for c in _emu(request).calls if not method or c.method == method]


# ------------------------------------------------------------------------------ routes
ROUTES: list[tuple[str, str, ControlHandler]] = [
    ("GET", "/_emu/bot", get_bot),
    ("POST", "/_emu/reset", reset),
    ("POST", "/_emu/users", create_user),
    ("GET", "/_emu/users", list_users),
    ("POST", "/_emu/users/{user_id}/block", block),
    ("POST", "/_emu/chats", create_chat),
    ("GET", "/_emu/chats/{chat_id}", get_chat),
    ("GET", "/_emu/chats/{chat_id}/messages", chat_messages),
    ("GET", "/_emu/chats/{chat_id}/events", chat_events),
    ("GET", "/_emu/chats/{chat_id}/cursor", cursor),
    ("POST", "/_emu/chats/{chat_id}/wait", wait),
    ("POST", "/_emu/messages", user_message),
    ("POST", "/_emu/documents", user_document),
    ("POST", "/_emu/callbacks", press),
    ("GET", "/_emu/callbacks", callback_queries),
    ("GET", "/_emu/files/{file_id}", file_bytes),
    ("GET", "/_emu/faults", get_faults),
    ("POST", "/_emu/faults", add_fault),
    ("DELETE", "/_emu/faults", clear_faults),
    ("GET", "/_emu/limits", get_limits),
    ("POST", "/_emu/limits", set_limits),
    ("GET", "/_emu/stats", stats),
    ("GET", "/_emu/calls", calls),
    ("GET", "/_emu/updates", updates),
]


def setup_control(app: web.Application) -> None:
    """Add the control routes to an app that holds its emulator at ``app[EMULATOR_KEY]``."""
    # web.route registers a GET through add_get, which answers HEAD as well.
    app.router.add_routes(
        [web.route(verb, path, _answering(handler)) for verb, path, handler in ROUTES]
    )
