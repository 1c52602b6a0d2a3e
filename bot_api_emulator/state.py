"""The emulated world: the bot, users, chats, messages, the update queue and stored files.

Everything lives in memory and is changed only from the event loop. Two conditions wake waiters
without polling: ``updates_changed`` (getUpdates, webhook delivery) and ``activity`` (tests that
wait for what the bot sent).
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

#: Update types delivered when the bot never said which ones it wants (Bot API default).
DEFAULT_EXCLUDED_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


@dataclass
class User:
    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    is_bot: bool = False
    #: Has the user opened the private chat with the bot (pressed Start or written to it)?
    started: bool = False
    blocked: bool = False

    def to_api(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code:
            data["language_code"] = self.language_code
        return data

    def to_control(self) -> dict[str, Any]:
        return {**self.to_api(), "started": self.started, "blocked": self.blocked}


@dataclass
class Chat:
    id: int
    type: str  # "private", "group" or "supergroup"
    title: str | None = None
    user: User | None = None  # the other side of a private chat
    members: list[int] = field(default_factory=list)

    @property
    def is_group(self) -> bool:
        return self.type in ("group", "supergroup")

    def to_api(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "type": self.type}
        if self.user is not None:
            data["first_name"] = self.user.first_name
            if self.user.last_name:
                data["last_name"] = self.user.last_name
            if self.user.username:
                data["username"] = self.user.username
        else:
            data["title"] = self.title or ""
        return data

    def to_control(self) -> dict[str, Any]:
        return {**self.to_api(), "members": list(self.members)}


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    file_name: str | None
    mime_type: str | None
    data: bytes

    @property
    def size(self) -> int:
        return len(self.data)

    def document_api(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.size,
        }
        if self.file_name:
            data["file_name"] = self.file_name
        if self.mime_type:
            data["mime_type"] = self.mime_type
        return data

    def file_api(self) -> dict[str, Any]:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.size,
            "file_path": self.file_path,
        }


@dataclass
class Revision:
    """One earlier version of an edited message."""

    text: str | None
    entities: list[dict[str, Any]]
    source: str | None
    reply_markup: dict[str, Any] | None
    date: int

    def to_control(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "entities": self.entities,
            "source": self.source,
            "reply_markup": self.reply_markup,
            "date": self.date,
        }


@dataclass
class StoredMessage:
    message_id: int
    chat: Chat
    sender: User
    from_bot: bool
    date: int
    seq: int
    text: str | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    #: What the sender wrote before entity parsing (the bot's HTML), for transcripts.
    source: str | None = None
    parse_mode: str | None = None
    document: StoredFile | None = None
    #: The file is a photo (sendPhoto): shown as ``photo`` sizes, not as a document.
    photo: tuple[int, int] | None = None
    reply_markup: dict[str, Any] | None = None
    reply_to: StoredMessage | None = None
    edit_date: int | None = None
    history: list[Revision] = field(default_factory=list)
    deleted: bool = False

    def to_api(self, *, with_reply: bool = True) -> dict[str, Any]:
        data: dict[str, Any] = {
            "message_id": self.message_id,
            "from": self.sender.to_api(),
            "chat": self.chat.to_api(),
            "date": self.date,
        }
        if self.edit_date is not None:
            data["edit_date"] = self.edit_date
        if self.reply_to is not None and with_reply:
            data["reply_to_message"] = self.reply_to.to_api(with_reply=False)
        if self.document is not None and self.photo is not None:
            width, height = self.photo
            size = {k: v for k, v in self.document.document_api().items() if "file" in k}
            data["photo"] = [{**size, "width": width, "height": height}]
            if self.text:
                data["caption"] = self.text
                if self.entities:
                    data["caption_entities"] = self.entities
        elif self.document is not None:
            data["document"] = self.document.document_api()
            if self.text:
                data["caption"] = self.text
                if self.entities:
                    data["caption_entities"] = self.entities
        elif self.text is not None:
            data["text"] = self.text
            if self.entities:
                data["entities"] = self.entities
        if self.reply_markup is not None and "inline_keyboard" in self.reply_markup:
            data["reply_markup"] = self.reply_markup
        return data

    def to_control(self, *, with_data: bool = True) -> dict[str, Any]:
        document = None
        if self.document is not None:
            document = self.document.document_api()
            if with_data:
                document["data_b64"] = base64.b64encode(self.document.data).decode("ascii")
        return {
            "message_id": self.message_id,
            "chat_id": self.chat.id,
            "from_bot": self.from_bot,
            "from_user_id": self.sender.id,
            "date": self.date,
            "seq": self.seq,
            "text": self.text,
            "entities": self.entities,
            "source": self.source,
            "parse_mode": self.parse_mode,
            "reply_markup": self.reply_markup,
            "reply_to_message_id": self.reply_to.message_id if self.reply_to else None,
            "document": document,
            "photo": self.photo is not None,
            "edit_date": self.edit_date,
            "edits": [r.to_control() for r in self.history],
            "deleted": self.deleted,
        }


@dataclass
class Update:
    update_id: int
    kind: str
    payload: dict[str, Any]

    def to_api(self) -> dict[str, Any]:
        return {"update_id": self.update_id, self.kind: self.payload}


@dataclass
class CallbackQuery:
    id: str
    user: User
    message: StoredMessage
    data: str
    answered: bool = False
    answer: dict[str, Any] | None = None

    def to_control(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "user_id": self.user.id,
            "chat_id": self.message.chat.id,
            "message_id": self.message.message_id,
            "data": self.data,
            "answered": self.answered,
            "answer": self.answer,
        }


@dataclass
class Event:
    """Something the bot did in a chat, in order: send, edit, delete, callback_answer, action."""

    seq: int
    chat_id: int
    kind: str
    message_id: int | None = None
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass
class WebhookConfig:
    url: str = ""
    secret_token: str | None = None
    max_connections: int = 40
    last_error_date: int | None = None
    last_error_message: str | None = None


class EmulatorState:
    def __init__(
        self,
        *,
        bot_id: int,
        bot_username: str,
        bot_first_name: str,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.bot = User(id=bot_id, first_name=bot_first_name, username=bot_username, is_bot=True)
        self.wall_clock = wall_clock
        self.users: dict[int, User] = {}
        self.chats: dict[int, Chat] = {}
        self.messages: dict[int, dict[int, StoredMessage]] = {}
        self.events: dict[int, list[Event]] = {}
        self.updates: list[Update] = []
        self.allowed_updates: list[str] | None = None
        self.files: dict[str, StoredFile] = {}
        self.files_by_path: dict[str, StoredFile] = {}
        self.callback_queries: dict[str, CallbackQuery] = {}
        self.commands: dict[tuple[str, int | None, int | None, str], list[dict[str, str]]] = {}
        self.menu_buttons: dict[int | None, dict[str, Any]] = {}
        self.webhook = WebhookConfig()
        self.poll_generation = 0
        self.updates_changed = asyncio.Condition()
        self.activity = asyncio.Condition()
        self._update_ids = itertools.count(100_000_001)
        self._seq = itertools.count(1)
        self._user_ids = itertools.count(100_000_001)
        self._group_ids = itertools.count(4_000_000_001)
        self._supergroup_ids = itertools.count(1_000_000_000_001)
        self._file_numbers = itertools.count(1)
        self._query_ids = itertools.count(int.from_bytes(secrets.token_bytes(6), "big") * 1000)

    # ----------------------------------------------------------------- people and chats
    def now(self) -> int:
        return int(self.wall_clock())

    def add_user(
        self,
        first_name: str,
        *,
        user_id: int | None = None,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
        started: bool = False,
    ) -> User:
        uid = user_id if user_id is not None else next(self._user_ids)
        while user_id is None and uid in self.users:
            uid = next(self._user_ids)
        if uid in self.users or uid <= 0:
            raise ValueError(f"user id {uid} is taken or invalid")
        user = User(uid, first_name, last_name, username, language_code, started=started)
        self.users[uid] = user
        self.chats[uid] = Chat(id=uid, type="private", user=user, members=[uid])
        return user

    def add_group(self, title: str, member_ids: list[int], *, supergroup: bool = False) -> Chat:
        for uid in member_ids:
            if uid not in self.users:
                raise ValueError(f"unknown user {uid}")
        chat_id = -next(self._supergroup_ids) if supergroup else -next(self._group_ids)
        chat = Chat(
            id=chat_id,
            type="supergroup" if supergroup else "group",
            title=title,
            members=list(member_ids),
        )
        self.chats[chat_id] = chat
        return chat

    def find_chat(self, chat_ref: int | str) -> Chat | None:
        if isinstance(chat_ref, str) and chat_ref.startswith("@"):
            name = chat_ref[1:].lower()
            for chat in self.chats.values():
                if chat.user is not None and (chat.user.username or "").lower() == name:
                    return chat
            return None
        try:
            return self.chats.get(int(chat_ref))
        except ValueError:
            return None

    # ----------------------------------------------------------------------- messages
    def next_seq(self) -> int:
        return next(self._seq)

    def add_message(
        self, chat: Chat, sender: User, *, from_bot: bool, **fields: Any
    ) -> StoredMessage:
        box = self.messages.setdefault(chat.id, {})
        message_id = max(box, default=0) + 1
        message = StoredMessage(
            message_id=message_id,
            chat=chat,
            sender=sender,
            from_bot=from_bot,
            date=self.now(),
            seq=self.next_seq(),
            **fields,
        )
        box[message_id] = message
        return message

    def get_message(self, chat_id: int, message_id: int) -> StoredMessage | None:
        return self.messages.get(chat_id, {}).get(message_id)

    def chat_messages(self, chat_id: int) -> list[StoredMessage]:
        return list(self.messages.get(chat_id, {}).values())

    async def record(
        self, chat_id: int, kind: str, message_id: int | None = None, **detail: Any
    ) -> Event:
        """Log something the bot did and wake whoever waits for it."""
        event = Event(self.next_seq(), chat_id, kind, message_id, detail)
        self.events.setdefault(chat_id, []).append(event)
        async with self.activity:
            self.activity.notify_all()
        return event

    # ------------------------------------------------------------------------ files
    def store_file(self, data: bytes, file_name: str | None, mime_type: str | None) -> StoredFile:
        number = next(self._file_numbers)
        suffix = ""
        if file_name and "." in file_name:
            suffix = "." + file_name.rsplit(".", 1)[1][:10]
        stored = StoredFile(
            file_id=f"BQACAgQAAxkBAA{number:08d}{secrets.token_urlsafe(18)}",
            file_unique_id=f"AgAD{number:06d}{secrets.token_urlsafe(6)}",
            file_path=f"documents/file_{number}{suffix}",
            file_name=file_name,
            mime_type=mime_type,
            data=data,
        )
        self.files[stored.file_id] = stored
        self.files_by_path[stored.file_path] = stored
        return stored

    # ---------------------------------------------------------------------- updates
    def update_allowed(self, kind: str) -> bool:
        if self.allowed_updates:
            return kind in self.allowed_updates
        return kind not in DEFAULT_EXCLUDED_UPDATES

    async def add_update(self, kind: str, payload: dict[str, Any]) -> Update | None:
        """Queue an update for getUpdates or the webhook (unwanted types are dropped)."""
        if not self.update_allowed(kind):
            return None
        update = Update(next(self._update_ids), kind, payload)
        self.updates.append(update)
        async with self.updates_changed:
            self.updates_changed.notify_all()
        return update

    def confirm_before(self, update_id: int) -> None:
        """Forget every update with an id lower than ``update_id`` (getUpdates ``offset``)."""
        self.updates = [u for u in self.updates if u.update_id >= update_id]

    def new_callback_query(self, user: User, message: StoredMessage, data: str) -> CallbackQuery:
        query = CallbackQuery(str(next(self._query_ids)), user, message, data)
        self.callback_queries[query.id] = query
        return query
