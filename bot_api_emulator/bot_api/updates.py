"""The bot itself and how it gets its updates: getMe, getUpdates and the webhook methods."""

from __future__ import annotations

import asyncio
import contextlib
import re
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlsplit

from bot_api_emulator.bot_api.registry import Described, method
from bot_api_emulator.errors import ApiError, bad_request
from bot_api_emulator.params import Params

if TYPE_CHECKING:
    from bot_api_emulator.core import Emulator

_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


@method("getMe")
async def get_me(emu: Emulator, p: Params) -> dict[str, Any]:
    return {
        **emu.state.bot.to_api(),
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


@method("getUpdates")
async def get_updates(emu: Emulator, p: Params) -> list[dict[str, Any]]:
    state = emu.state
    if state.webhook.url:
        raise ApiError(
            409,
            "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook "
            "to delete the webhook first",
        )
    offset = p.integer("offset", 0) or 0
    limit = min(max(p.integer("limit", 100) or 100, 1), 100)
    timeout = min(max(p.number("timeout", 0.0), 0.0), emu.config.max_poll_timeout)
    allowed = p.parsed("allowed_updates")
    if isinstance(allowed, list):
        state.allowed_updates = [str(kind) for kind in allowed] or None
    if offset > 0:
        state.confirm_before(offset)
    elif offset < 0:
        state.updates = state.updates[offset:]
    # A newer getUpdates ends an older one that is still waiting, as on Telegram.
    state.poll_generation += 1
    generation = state.poll_generation

    def ready() -> bool:
        return bool(state.updates) or state.poll_generation != generation or bool(state.webhook.url)

    async with state.updates_changed:
        state.updates_changed.notify_all()
        if timeout > 0 and not ready():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(state.updates_changed.wait_for(ready), timeout)
    if state.poll_generation != generation:
        raise ApiError(
            409,
            "Conflict: terminated by other getUpdates request; make sure that only one bot "
            "instance is running",
        )
    if state.webhook.url:
        raise ApiError(409, "Conflict: terminated by setWebhook request")
    return [update.to_api() for update in state.updates[:limit]]


@method("setWebhook")
async def set_webhook(emu: Emulator, p: Params) -> Described:
    url = p.text("url") or ""
    if not url:
        return cast(Described, await delete_webhook(emu, p))
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    secret = p.text("secret_token")
    if secret is not None and not _SECRET.match(secret):
        raise bad_request("bad webhook: Secret token contains unallowed characters")
    max_connections = p.integer("max_connections", 40) or 40
    if not 1 <= max_connections <= 100:
        raise bad_request("bad webhook: max_connections must be between 1 and 100")
    allowed = p.parsed("allowed_updates")
    state = emu.state
    if isinstance(allowed, list):
        state.allowed_updates = [str(kind) for kind in allowed] or None
    if p.flag("drop_pending_updates"):
        state.updates.clear()
    same = state.webhook.url == url and state.webhook.secret_token == secret
    state.webhook.url = url
    state.webhook.secret_token = secret
    state.webhook.max_connections = max_connections
    if not same:
        state.webhook.last_error_date = state.webhook.last_error_message = None
    emu.webhook.restart()
    async with state.updates_changed:
        state.updates_changed.notify_all()
    return Described(True, "Webhook is already set" if same else "Webhook was set")


@method("deleteWebhook")
async def delete_webhook(emu: Emulator, p: Params) -> Described:
    state = emu.state
    if p.flag("drop_pending_updates"):
        state.updates.clear()
    was_set = bool(state.webhook.url)
    state.webhook.url = ""
    state.webhook.secret_token = None
    state.webhook.last_error_date = state.webhook.last_error_message = None
    await emu.webhook.stop()
    return Described(True, "Webhook was deleted" if was_set else "Webhook is already deleted")


@method("getWebhookInfo")
async def get_webhook_info(emu: Emulator, p: Params) -> dict[str, Any]:
    state = emu.state
    info: dict[str, Any] = {
        "url": state.webhook.url,
        "has_custom_certificate": False,
        "pending_update_count": len(state.updates),
    }
    if state.webhook.url:
        info["max_connections"] = state.webhook.max_connections
        if state.allowed_updates:
            info["allowed_updates"] = list(state.allowed_updates)
    if state.webhook.last_error_date is not None:
        info["last_error_date"] = state.webhook.last_error_date
        info["last_error_message"] = state.webhook.last_error_message
    return info
