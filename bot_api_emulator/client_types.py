"""What the control client hands back: the chat's messages and events, users and groups.

Plain frozen values made from the control API's JSON; they hold no connection.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Button:
    text: str
    callback_data: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Document:
    file_id: str
    file_name: str | None
    mime_type: str | None
    size: int
    data: bytes | None


@dataclass(frozen=True)
class Revision:
    """An earlier version of an edited bot message."""

    text: str | None
    source: str | None
    reply_markup: dict[str, Any] | None
    date: int


@dataclass(frozen=True)
class ChatMessage:
    message_id: int
    chat_id: int
    from_bot: bool
    from_user_id: int
    date: int
    seq: int
    text: str | None
    source: str | None
    entities: list[dict[str, Any]]
    reply_markup: dict[str, Any] | None
    reply_to_message_id: int | None
    document: Document | None
    edits: tuple[Revision, ...]
    deleted: bool
    #: ``document`` was sent as a photo (sendPhoto).
    photo: bool = False

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ChatMessage:
        doc = data.get("document")
        document = None
        if doc:
            raw = doc.get("data_b64")
            document = Document(
                doc["file_id"],
                doc.get("file_name"),
                doc.get("mime_type"),
                doc.get("file_size", 0),
                base64.b64decode(raw) if raw is not None else None,
            )
        return cls(
            message_id=data["message_id"],
            chat_id=data["chat_id"],
            from_bot=data["from_bot"],
            from_user_id=data["from_user_id"],
            date=data["date"],
            seq=data["seq"],
            text=data.get("text"),
            source=data.get("source"),
            entities=data.get("entities") or [],
            reply_markup=data.get("reply_markup"),
            reply_to_message_id=data.get("reply_to_message_id"),
            document=document,
            edits=tuple(
                Revision(e.get("text"), e.get("source"), e.get("reply_markup"), e["date"])
                for e in data.get("edits", [])
            ),
            deleted=data.get("deleted", False),
            photo=bool(data.get("photo", False)),
        )

    @property
    def html(self) -> str:
        """The text as the bot wrote it (HTML for parse_mode HTML), else the plain text."""
        return self.source if self.source is not None else (self.text or "")

    @property
    def buttons(self) -> list[list[Button]]:
        rows = (self.reply_markup or {}).get("inline_keyboard") or []
        return [
            [Button(b["text"], b.get("callback_data"), b.get("url")) for b in row] for row in rows
        ]

    @property
    def button_texts(self) -> list[str]:
        return [button.text for row in self.buttons for button in row]

    def button(self, text: str) -> Button:
        for row in self.buttons:
            for button in row:
                if button.text == text:
                    return button
        raise KeyError(f"no button {text!r}; buttons: {self.button_texts}")


@dataclass(frozen=True)
class ChatEvent:
    seq: int
    kind: str  # send, edit, delete, callback_answer, chat_action, user_message
    chat_id: int
    message_id: int | None
    message: ChatMessage | None
    detail: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ChatEvent:
        known = {"seq", "kind", "chat_id", "message_id", "message"}
        message = data.get("message")
        return cls(
            seq=data["seq"],
            kind=data["kind"],
            chat_id=data["chat_id"],
            message_id=data.get("message_id"),
            message=ChatMessage.from_json(message) if message else None,
            detail={k: v for k, v in data.items() if k not in known},
        )


@dataclass(frozen=True)
class EmuUser:
    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None

    @property
    def chat_id(self) -> int:
        """The private chat with the bot has the user's id."""
        return self.id


@dataclass(frozen=True)
class EmuChat:
    id: int
    type: str
    title: str | None
    members: tuple[int, ...]
