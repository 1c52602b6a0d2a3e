"""The Bot API methods: ``/bot<token>/<method>``, answered as Telegram documents them.

Each handler takes the emulator and the request's parameters and returns the ``result`` (or a
:class:`Described` result), or raises :class:`ApiError`. Method names are case-insensitive.
"""

from __future__ import annotations

import asyncio
import contextlib
import mimetypes
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlsplit

from bot_api_emulator.errors import ApiError, bad_request, forbidden
from bot_api_emulator.formatting import format_text
from bot_api_emulator.params import Params, Upload
from bot_api_emulator.state import Chat, Revision, StoredFile, StoredMessage

if TYPE_CHECKING:
    from bot_api_emulator.core import Emulator

Handler = Callable[["Emulator", Params], Awaitable[Any]]
METHODS: dict[str, Handler] = {}

MAX_UPLOAD = 50 * 1024 * 1024
MAX_DOWNLOAD = 20 * 1024 * 1024
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
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
_BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_LANGUAGE = re.compile(r"^[a-z]{2}$")


@dataclass(frozen=True)
class Described:
    """A result Telegram answers with an extra ``description`` (setWebhook, deleteWebhook)."""

    result: Any
    description: str


def method(name: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        METHODS[name.lower()] = handler
        return handler

    return register


# ------------------------------------------------------------------------------ helpers
def resolve_chat(emu: Emulator, p: Params) -> Chat:
    if not p.has("chat_id"):
        raise bad_request("chat_id is empty")
    chat = emu.state.find_chat(p.text("chat_id") or "")
    if chat is None:
        raise bad_request("chat not found")
    return chat


def check_reachable(chat: Chat) -> None:
    """A private chat needs a user who started the bot and did not block it."""
    if chat.user is None:
        return
    if chat.user.blocked:
        raise forbidden("bot was blocked by the user")
    if not chat.user.started:
        raise forbidden("bot can't initiate conversation with a user")


def own_message(emu: Emulator, chat: Chat, p: Params, missing: str) -> StoredMessage:
    if p.has("inline_message_id"):
        raise bad_request("MESSAGE_ID_INVALID")
    message_id = p.integer("message_id")
    if message_id is None:
        raise bad_request("message identifier is not specified")
    message = emu.state.get_message(chat.id, message_id)
    if message is None or message.deleted:
        raise bad_request(missing)
    return message


def _check_button(button: Any) -> None:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise bad_request(
            'can\'t parse inline keyboard button: Field "text" must be of type String'
        )
    actions = [key for key in _BUTTON_ACTIONS if key in button]
    if not actions:
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= 64:
            raise bad_request("BUTTON_DATA_INVALID")
    if "url" in button:
        url = button["url"]
        scheme = urlsplit(url).scheme if isinstance(url, str) else ""
        if scheme not in ("http", "https", "tg") or (scheme != "tg" and not urlsplit(url).netloc):
            raise bad_request("BUTTON_URL_INVALID")


def reply_markup(p: Params, *, inline_only: bool = False) -> dict[str, Any] | None:
    markup = p.parsed("reply_markup", "reply keyboard markup")
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request(
                'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
            )
        for row in rows:
            for button in row:
                _check_button(button)
        return {"inline_keyboard": rows}
    if inline_only:
        raise bad_request("inline keyboard expected")
    if "keyboard" in markup:
        if not isinstance(markup["keyboard"], list):
            raise bad_request('field "keyboard" of the ReplyKeyboardMarkup must be an Array')
        return markup
    if markup.get("remove_keyboard") is True or markup.get("force_reply") is True:
        return markup
    raise bad_request("can't parse reply keyboard markup JSON object")


def reply_target(emu: Emulator, chat: Chat, p: Params) -> StoredMessage | None:
    parameters = p.parsed("reply_parameters") or {}
    if not isinstance(parameters, dict):
        raise bad_request("can't parse reply parameters JSON object")
    message_id = parameters.get("message_id") or p.integer("reply_to_message_id")
    if not message_id:
        return None
    target = emu.state.get_message(chat.id, int(message_id))
    if target is None or target.deleted:
        if parameters.get("allow_sending_without_reply") or p.flag("allow_sending_without_reply"):
            return None
        raise bad_request("message to be replied not found")
    return target


async def deliver(emu: Emulator, chat: Chat, **fields: Any) -> dict[str, Any]:
    """Store a message from the bot (after the flood check) and tell waiting tests."""
    emu.limiter.check(chat.id, chat.is_group)
    message = emu.state.add_message(chat, emu.state.bot, from_bot=True, **fields)
    await emu.state.record(chat.id, "send", message.message_id)
    return message.to_api()


# ------------------------------------------------------------------------------ methods
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


@method("sendMessage")
async def send_message(emu: Emulator, p: Params) -> dict[str, Any]:
    chat = resolve_chat(emu, p)
    check_reachable(chat)
    parse_mode = p.text("parse_mode")
    text, entities = format_text(p.text("text"), parse_mode, p.parsed("entities"))
    markup = reply_markup(p)
    target = reply_target(emu, chat, p)
    return await deliver(
        emu,
        chat,
        text=text,
        entities=entities,
        source=p.text("text"),
        parse_mode=parse_mode,
        reply_markup=markup,
        reply_to=target,
    )


@method("sendDocument")
async def send_document(emu: Emulator, p: Params) -> dict[str, Any]:
    chat = resolve_chat(emu, p)
    check_reachable(chat)
    document = p.file("document")
    if document is None:
        raise bad_request("there is no document in the request")
    parse_mode = p.text("parse_mode")
    caption, entities = format_text(
        p.text("caption"), parse_mode, p.parsed("caption_entities"), caption=True
    )
    markup = reply_markup(p)
    target = reply_target(emu, chat, p)
    stored: StoredFile | None
    if isinstance(document, Upload):
        if not document.data:
            raise bad_request("file must be non-empty")
        if len(document.data) > MAX_UPLOAD:
            raise ApiError(413, "Request Entity Too Large")
        stored = None
    else:
        stored = emu.state.files.get(document)
        if stored is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
    emu.limiter.check(chat.id, chat.is_group)
    if isinstance(document, Upload):
        guessed = mimetypes.guess_type(document.filename or "")[0]
        declared = document.content_type
        if declared == "application/octet-stream":
            declared = None
        stored = emu.state.store_file(
            document.data, document.filename, guessed or declared or "application/octet-stream"
        )
    message = emu.state.add_message(
        chat,
        emu.state.bot,
        from_bot=True,
        text=caption or None,
        entities=entities,
        source=p.text("caption"),
        parse_mode=parse_mode,
        document=stored,
        reply_markup=markup,
        reply_to=target,
    )
    await emu.state.record(chat.id, "send", message.message_id)
    return message.to_api()


async def _edit(
    emu: Emulator,
    message: StoredMessage,
    *,
    text: str | None,
    entities: list[dict[str, Any]],
    source: str | None,
    markup: dict[str, Any] | None,
) -> dict[str, Any]:
    if text == message.text and entities == message.entities and markup == message.reply_markup:
        raise bad_request(NOT_MODIFIED)
    message.history.append(
        Revision(
            message.text,
            message.entities,
            message.source,
            message.reply_markup,
            message.edit_date or message.date,
        )
    )
    message.text, message.entities, message.source = text, entities, source
    message.reply_markup = markup
    message.edit_date = emu.state.now()
    await emu.state.record(message.chat.id, "edit", message.message_id)
    return message.to_api()


@method("editMessageText")
async def edit_message_text(emu: Emulator, p: Params) -> dict[str, Any]:
    chat = resolve_chat(emu, p)
    message = own_message(emu, chat, p, "message to edit not found")
    check_reachable(chat)
    if not message.from_bot:
        raise bad_request("message can't be edited")
    if message.document is not None:
        raise bad_request("there is no text in the message to edit")
    text, entities = format_text(p.text("text"), p.text("parse_mode"), p.parsed("entities"))
    # Without reply_markup the inline keyboard is removed, as on Telegram.
    markup = reply_markup(p, inline_only=True)
    return await _edit(
        emu, message, text=text, entities=entities, source=p.text("text"), markup=markup
    )


@method("editMessageReplyMarkup")
async def edit_message_reply_markup(emu: Emulator, p: Params) -> dict[str, Any]:
    chat = resolve_chat(emu, p)
    message = own_message(emu, chat, p, "message to edit not found")
    check_reachable(chat)
    if not message.from_bot:
        raise bad_request("message can't be edited")
    markup = reply_markup(p, inline_only=True)
    return await _edit(
        emu,
        message,
        text=message.text,
        entities=message.entities,
        source=message.source,
        markup=markup,
    )


@method("deleteMessage")
async def delete_message(emu: Emulator, p: Params) -> bool:
    chat = resolve_chat(emu, p)
    message = own_message(emu, chat, p, "message to delete not found")
    if not message.from_bot and chat.is_group:
        raise bad_request("message can't be deleted")
    message.deleted = True
    await emu.state.record(chat.id, "delete", message.message_id)
    return True


@method("answerCallbackQuery")
async def answer_callback_query(emu: Emulator, p: Params) -> bool:
    query = emu.state.callback_queries.get(p.text("callback_query_id") or "")
    if query is None or query.answered:
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    text = p.text("text") or ""
    if len(text) > 200:
        raise bad_request("MESSAGE_TOO_LONG")
    query.answered = True
    query.answer = {
        "text": text or None,
        "show_alert": p.flag("show_alert"),
        "url": p.text("url"),
        "cache_time": p.integer("cache_time", 0),
    }
    await emu.state.record(
        query.message.chat.id,
        "callback_answer",
        query.message.message_id,
        callback_query_id=query.id,
        **query.answer,
    )
    return True


@method("getFile")
async def get_file(emu: Emulator, p: Params) -> dict[str, Any]:
    stored = emu.state.files.get(p.text("file_id") or "")
    if stored is None:
        raise bad_request("invalid file_id")
    if stored.size > MAX_DOWNLOAD:
        raise bad_request("file is too big")
    return stored.file_api()


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


@method("sendChatAction")
async def send_chat_action(emu: Emulator, p: Params) -> bool:
    chat = resolve_chat(emu, p)
    action = p.text("action") or ""
    if action not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    check_reachable(chat)
    await emu.state.record(chat.id, "chat_action", action=action)
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
