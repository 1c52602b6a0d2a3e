"""What simulated people do: write, send commands and documents, press buttons, block the bot.

Each action stores the message as Telegram would and queues the update the bot receives.
"""

from __future__ import annotations

import re
from typing import Any

from bot_api_emulator.formatting import TEXT_LIMIT
from bot_api_emulator.state import Chat, EmulatorState, StoredMessage, User

_COMMAND = re.compile(r"(?<![^\s])/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")


class ActionError(ValueError):
    """A test asked for something a real user could not do (unknown chat, missing button…)."""


def command_entities(text: str) -> list[dict[str, Any]]:
    """``bot_command`` entities, as Telegram clients mark every ``/command`` in a text."""
    entities = []
    for match in _COMMAND.finditer(text):
        offset = len(text[: match.start()].encode("utf-16-le")) // 2
        length = len(match.group().encode("utf-16-le")) // 2
        entities.append({"type": "bot_command", "offset": offset, "length": length})
    return entities


def _user(state: EmulatorState, user_id: int) -> User:
    user = state.users.get(user_id)
    if user is None:
        raise ActionError(f"unknown user {user_id}")
    return user


def _chat_for(state: EmulatorState, user: User, chat_id: int | None) -> Chat:
    chat = state.chats.get(user.id if chat_id is None else chat_id)
    if chat is None:
        raise ActionError(f"unknown chat {chat_id}")
    if user.id not in chat.members:
        raise ActionError(f"user {user.id} is not a member of chat {chat.id}")
    return chat


def _for_bot(state: EmulatorState, chat: Chat, message: StoredMessage) -> bool:
    """Privacy mode: in groups the bot sees commands, replies to it and mentions of it."""
    if not chat.is_group:
        return True
    text = message.text or ""
    if text.startswith("/"):
        return True
    if message.reply_to is not None and message.reply_to.from_bot:
        return True
    return f"@{state.bot.username}".lower() in text.lower()


async def _open_private_chat(state: EmulatorState, user: User, chat: Chat) -> None:
    """Writing to the bot starts (or unblocks) the private chat, as pressing Start does."""
    if chat.is_group:
        return
    if user.blocked:
        await set_blocked(state, user.id, blocked=False)
    user.started = True


async def send_text(
    state: EmulatorState,
    user_id: int,
    text: str,
    *,
    chat_id: int | None = None,
    entities: list[dict[str, Any]] | None = None,
    reply_to_message_id: int | None = None,
) -> tuple[StoredMessage, int | None]:
    """The user writes ``text``; returns the message and the update id (None if not delivered)."""
    if not text:
        raise ActionError("a message needs text")
    user = _user(state, user_id)
    chat = _chat_for(state, user, chat_id)
    reply_to = None
    if reply_to_message_id is not None:
        reply_to = state.get_message(chat.id, reply_to_message_id)
        if reply_to is None:
            raise ActionError(f"no message {reply_to_message_id} in chat {chat.id}")
    await _open_private_chat(state, user, chat)
    # A client sends a text over Telegram's limit as several messages, one after the other.
    parts = split_like_a_client(text)
    update_id: int | None = None
    for number, part in enumerate(parts):
        message = state.add_message(
            chat,
            user,
            from_bot=False,
            text=part,
            source=part,
            entities=(
                entities
                if entities is not None and len(parts) == 1
                else command_entities(part)
                if number == 0
                else []
            ),
            reply_to=reply_to if number == 0 else None,
        )
        await state.record(chat.id, "user_message", message.message_id)
        update = None
        if _for_bot(state, chat, message):
            update = await state.add_update("message", message.to_api())
        update_id = update.update_id if update else None
    return message, update_id


def split_like_a_client(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Parts of at most ``limit`` characters, cut at the last line break (else space) before the
    limit, as Telegram's apps do; the break itself is dropped."""
    parts: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = rest.rfind("\n", 0, limit + 1)
        if cut <= 0:
            cut = rest.rfind(" ", 0, limit + 1)
        if cut <= 0:
            parts.append(rest[:limit])
            rest = rest[limit:]
        else:
            parts.append(rest[:cut])
            rest = rest[cut + 1 :]
    parts.append(rest)
    return [part for part in parts if part]


async def send_document(
    state: EmulatorState,
    user_id: int,
    data: bytes,
    file_name: str,
    *,
    mime_type: str | None = None,
    caption: str | None = None,
    chat_id: int | None = None,
) -> tuple[StoredMessage, int | None]:
    if not data:
        raise ActionError("a document needs content")
    user = _user(state, user_id)
    chat = _chat_for(state, user, chat_id)
    await _open_private_chat(state, user, chat)
    stored = state.store_file(data, file_name, mime_type or "application/octet-stream")
    message = state.add_message(
        chat,
        user,
        from_bot=False,
        text=caption or None,
        source=caption or None,
        entities=command_entities(caption or ""),
        document=stored,
    )
    await state.record(chat.id, "user_message", message.message_id)
    update = None
    if not chat.is_group or (caption or "").startswith("/"):
        update = await state.add_update("message", message.to_api())
    return message, update.update_id if update else None


def find_button(
    message: StoredMessage, *, text: str | None = None, data: str | None = None
) -> dict[str, Any]:
    rows = (message.reply_markup or {}).get("inline_keyboard") or []
    buttons = [button for row in rows for button in row]
    for button in buttons:
        if "callback_data" not in button:
            continue
        if (text is None or button["text"] == text) and (
            data is None or button["callback_data"] == data
        ):
            return dict(button)
    available = ", ".join(repr(b["text"]) for b in buttons) or "none"
    raise ActionError(
        f"message {message.message_id} in chat {message.chat.id} has no callback button "
        f"with text={text!r} data={data!r}; buttons: {available}"
    )


async def press_button(
    state: EmulatorState,
    user_id: int,
    chat_id: int,
    message_id: int,
    *,
    text: str | None = None,
    data: str | None = None,
) -> str:
    """The user taps an inline button under a bot message; returns the callback query id."""
    if text is None and data is None:
        raise ActionError("press_button needs the button's text or its callback data")
    user = _user(state, user_id)
    chat = _chat_for(state, user, chat_id)
    message = state.get_message(chat.id, message_id)
    if message is None or message.deleted or not message.from_bot:
        raise ActionError(f"no bot message {message_id} in chat {chat_id}")
    button = find_button(message, text=text, data=data)
    query = state.new_callback_query(user, message, button["callback_data"])
    payload = {
        "id": query.id,
        "from": user.to_api(),
        "message": message.to_api(),
        "chat_instance": str(abs(chat.id) * 7919 + state.bot.id),
        "data": query.data,
    }
    await state.add_update("callback_query", payload)
    return query.id


async def set_blocked(state: EmulatorState, user_id: int, *, blocked: bool) -> None:
    """The user blocks (or unblocks) the bot; the bot gets a ``my_chat_member`` update."""
    user = _user(state, user_id)
    if user.blocked == blocked:
        return
    user.blocked = blocked
    old, new = ("member", "kicked") if blocked else ("kicked", "member")
    bot = state.bot.to_api()
    member: dict[str, Any] = {"user": bot, "status": new}
    if blocked:
        member["until_date"] = 0
    await state.add_update(
        "my_chat_member",
        {
            "chat": state.chats[user.id].to_api(),
            "from": user.to_api(),
            "date": state.now(),
            "old_chat_member": {"user": bot, "status": old},
            "new_chat_member": member,
        },
    )
