"""What several methods check and do alike: the chat, the bot's own message, the reply markup,
the message replied to, and storing a message from the bot."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from bot_api_emulator.errors import bad_request, forbidden
from bot_api_emulator.params import Params
from bot_api_emulator.state import Chat, StoredMessage

if TYPE_CHECKING:
    from bot_api_emulator.core import Emulator

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
