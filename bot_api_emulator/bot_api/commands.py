"""The bot's commands (per scope and language) and the chat menu button."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from bot_api_emulator.bot_api.registry import method
from bot_api_emulator.bot_api.shared import resolve_chat
from bot_api_emulator.errors import bad_request
from bot_api_emulator.params import Params

if TYPE_CHECKING:
    from bot_api_emulator.core import Emulator

COMMAND_SCOPES = frozenset(
    {
        "default",
        "all_private_chats",
        "all_group_chats",
        "all_chat_administrators",
        "chat",
        "chat_administrators",
        "chat_member",
    }
)
_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")
_LANGUAGE = re.compile(r"^[a-z]{2}$")


def _scope(emu: Emulator, p: Params) -> tuple[str, int | None, int | None]:
    scope = p.parsed("scope") or {"type": "default"}
    if not isinstance(scope, dict) or scope.get("type") not in COMMAND_SCOPES:
        raise bad_request("unsupported bot command scope type")
    kind = scope["type"]
    chat_id = user_id = None
    if kind in ("chat", "chat_administrators", "chat_member"):
        chat = emu.state.find_chat(str(scope.get("chat_id", "")))
        if chat is None:
            raise bad_request("chat not found")
        chat_id = chat.id
    if kind == "chat_member":
        user_id = int(scope.get("user_id") or 0)
        if user_id not in emu.state.users:
            raise bad_request("user not found")
    return kind, chat_id, user_id


def _language(p: Params) -> str:
    language = p.text("language_code") or ""
    if language and not _LANGUAGE.match(language):
        raise bad_request("invalid language code specified")
    return language


@method("setMyCommands")
async def set_my_commands(emu: Emulator, p: Params) -> bool:
    commands = p.parsed("commands")
    if not isinstance(commands, list):
        raise bad_request("can't parse commands JSON object")
    if len(commands) > 100:
        raise bad_request("too many commands specified")
    cleaned = []
    for command in commands:
        if not isinstance(command, dict):
            raise bad_request("can't parse BotCommand")
        name, description = command.get("command"), command.get("description")
        if not isinstance(name, str) or not _COMMAND.match(name.lower()):
            raise bad_request("BOT_COMMAND_INVALID")
        if not isinstance(description, str) or not 1 <= len(description) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        cleaned.append({"command": name.lower(), "description": description})
    key = (*_scope(emu, p), _language(p))
    if cleaned:
        emu.state.commands[key] = cleaned
    else:
        emu.state.commands.pop(key, None)
    return True


@method("getMyCommands")
async def get_my_commands(emu: Emulator, p: Params) -> list[dict[str, str]]:
    return list(emu.state.commands.get((*_scope(emu, p), _language(p)), []))


@method("deleteMyCommands")
async def delete_my_commands(emu: Emulator, p: Params) -> bool:
    emu.state.commands.pop((*_scope(emu, p), _language(p)), None)
    return True


@method("setChatMenuButton")
async def set_chat_menu_button(emu: Emulator, p: Params) -> bool:
    chat_id = resolve_chat(emu, p).id if p.has("chat_id") else None
    button = p.parsed("menu_button") or {"type": "default"}
    if not isinstance(button, dict) or button.get("type") not in ("commands", "web_app", "default"):
        raise bad_request("can't parse menu button JSON object")
    if button["type"] == "web_app" and not (button.get("text") and button.get("web_app")):
        raise bad_request("can't parse menu button JSON object")
    if chat_id is not None and emu.state.chats[chat_id].type != "private":
        raise bad_request("chat must be a private chat")
    emu.state.menu_buttons[chat_id] = button
    return True


@method("getChatMenuButton")
async def get_chat_menu_button(emu: Emulator, p: Params) -> dict[str, Any]:
    chat_id = resolve_chat(emu, p).id if p.has("chat_id") else None
    buttons = emu.state.menu_buttons
    return buttons.get(chat_id) or buttons.get(None) or {"type": "default"}
