"""A fake Telegram session that records what the bot sends, and a harness around the dispatcher.

Handler tests feed real ``Update`` objects through the real dispatcher (``feed_update``); the
only fake is the HTTP session under ``Bot``, which answers like Telegram would.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncGenerator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.base import BaseSession
from aiogram.enums import ParseMode
from aiogram.methods import (
    AnswerCallbackQuery,
    EditMessageReplyMarkup,
    EditMessageText,
    GetFile,
    GetMe,
    SendDocument,
    SendMessage,
    SendPhoto,
    TelegramMethod,
)
from aiogram.methods.base import TelegramType
from aiogram.types import (
    CallbackQuery,
    Chat,
    Document,
    File,
    InlineKeyboardMarkup,
    InputFile,
    Message,
    MessageEntity,
    PhotoSize,
    Update,
    User,
)

BOT_USER = User(id=4242, is_bot=True, first_name="Udvalgsbot", username="udvalgsbot_test_bot")
BOT_TOKEN = "4242:AAHfake-token-for-tests-only-0123456789"


@dataclass
class Sent:
    """One call the bot made, in the shape a test wants to look at."""

    method: str
    chat_id: int | None = None
    text: str | None = None
    reply_markup: Any = None
    message_id: int | None = None
    document_name: str | None = None
    document_bytes: bytes | None = None
    show_alert: bool | None = None
    request: Any = None

    def buttons(self) -> list[tuple[str, str]]:
        """(text, callback data or url) of every inline button."""
        if not isinstance(self.reply_markup, InlineKeyboardMarkup):
            return []
        return [
            (b.text, b.callback_data or b.url or "")
            for row in self.reply_markup.inline_keyboard
            for b in row
        ]

    def button(self, contains: str) -> str:
        """The callback data of the one button whose text contains ``contains``."""
        found = [data for text, data in self.buttons() if contains.lower() in text.lower()]
        if len(found) != 1:
            raise AssertionError(f"expected one button with {contains!r}, got {self.buttons()}")
        return found[0]


class RecordingSession(BaseSession):
    """Answers Bot API calls like Telegram and keeps a list of them."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[Sent] = []
        self.files: dict[str, bytes] = {}
        self._message_ids = itertools.count(1000)
        #: Faults for the next sendMessage calls, raised in order (a 5xx, a timeout…).
        self.send_faults: list[Exception] = []

    async def close(self) -> None:
        return None

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109 (BaseSession's signature)
    ) -> TelegramType:
        now = datetime.now(UTC)
        result: Any
        if isinstance(method, GetMe):
            result = BOT_USER
        elif isinstance(method, SendMessage) and self.send_faults:
            raise self.send_faults.pop(0)
        elif isinstance(method, SendMessage):
            message_id = next(self._message_ids)
            self.calls.append(
                Sent(
                    "sendMessage",
                    chat_id=int(method.chat_id),
                    text=method.text,
                    reply_markup=method.reply_markup,
                    message_id=message_id,
                    request=method,
                )
            )
            result = Message(
                message_id=message_id,
                date=now,
                chat=Chat(id=int(method.chat_id), type="private"),
                from_user=BOT_USER,
                text=method.text,
                reply_markup=method.reply_markup
                if isinstance(method.reply_markup, InlineKeyboardMarkup)
                else None,
            )
        elif isinstance(method, EditMessageText):
            self.calls.append(
                Sent(
                    "editMessageText",
                    chat_id=int(method.chat_id) if method.chat_id else None,
                    text=method.text,
                    reply_markup=method.reply_markup,
                    message_id=method.message_id,
                    request=method,
                )
            )
            result = Message(
                message_id=method.message_id or 0,
                date=now,
                chat=Chat(id=int(method.chat_id or 0), type="private"),
                from_user=BOT_USER,
                text=method.text,
                reply_markup=method.reply_markup,
            )
        elif isinstance(method, EditMessageReplyMarkup):
            self.calls.append(
                Sent(
                    "editMessageReplyMarkup",
                    chat_id=int(method.chat_id) if method.chat_id else None,
                    reply_markup=method.reply_markup,
                    message_id=method.message_id,
                    request=method,
                )
            )
            result = True
        elif isinstance(method, AnswerCallbackQuery):
            self.calls.append(
                Sent(
                    "answerCallbackQuery",
                    text=method.text,
                    show_alert=method.show_alert,
                    request=method,
                )
            )
            result = True
        elif isinstance(method, SendDocument):
            message_id = next(self._message_ids)
            name, content = await self._read_input(bot, method.document)
            self.calls.append(
                Sent(
                    "sendDocument",
                    chat_id=int(method.chat_id),
                    text=method.caption,
                    reply_markup=method.reply_markup,
                    message_id=message_id,
                    document_name=name,
                    document_bytes=content,
                    request=method,
                )
            )
            result = Message(
                message_id=message_id,
                date=now,
                chat=Chat(id=int(method.chat_id), type="private"),
                from_user=BOT_USER,
                document=Document(
                    file_id=f"sent-{message_id}", file_unique_id=f"u{message_id}", file_name=name
                ),
            )
        elif isinstance(method, SendPhoto):
            message_id = next(self._message_ids)
            name, content = await self._read_input(bot, method.photo)
            self.calls.append(
                Sent(
                    "sendPhoto",
                    chat_id=int(method.chat_id),
                    text=method.caption,
                    reply_markup=method.reply_markup,
                    message_id=message_id,
                    document_name=name,
                    document_bytes=content,
                    request=method,
                )
            )
            result = Message(
                message_id=message_id,
                date=now,
                chat=Chat(id=int(method.chat_id), type="private"),
                from_user=BOT_USER,
                photo=[
                    PhotoSize(
                        file_id=f"p-{message_id}",
                        file_unique_id=f"p{message_id}",
                        width=720,
                        height=360,
                    )
                ],
            )
        elif isinstance(method, GetFile):
            content = self.files.get(method.file_id)
            if content is None:
                from aiogram.exceptions import TelegramBadRequest

                raise TelegramBadRequest(method=method, message="Bad Request: invalid file_id")
            result = File(
                file_id=method.file_id,
                file_unique_id=f"u-{method.file_id}",
                file_size=len(content),
                file_path=f"documents/{method.file_id}",
            )
        else:
            self.calls.append(Sent(type(method).__name__, request=method))
            result = True
        return result  # type: ignore[no-any-return]

    async def _read_input(self, bot: Bot, document: Any) -> tuple[str, bytes]:
        if isinstance(document, InputFile):
            chunks = [chunk async for chunk in document.read(bot)]
            return document.filename or "file", b"".join(chunks)
        return str(document), self.files.get(str(document), b"")

    async def stream_content(
        self,
        url: str,
        headers: Mapping[str, Any] | None = None,
        timeout: int = 30,  # noqa: ASYNC109 (BaseSession's signature)
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        file_id = url.rsplit("/", 1)[-1]
        yield self.files[file_id]


@dataclass
class TgUser:
    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = "da"

    def as_user(self) -> User:
        return User(
            id=self.id,
            is_bot=False,
            first_name=self.first_name,
            last_name=self.last_name,
            username=self.username,
            language_code=self.language_code,
        )


@dataclass
class ChatHarness:
    """Drives the dispatcher as Telegram users would, and shows what the bot answered."""

    dispatcher: Dispatcher
    bot: Bot
    session: RecordingSession
    _update_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _user_message_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    async def _feed(self, update: Update) -> list[Sent]:
        before = len(self.session.calls)
        await self.dispatcher.feed_update(self.bot, update)
        return self.session.calls[before:]

    def _message(self, user: TgUser, **fields: Any) -> Message:
        return Message(
            message_id=next(self._user_message_ids),
            date=datetime.now(UTC),
            chat=Chat(id=user.id, type="private", first_name=user.first_name),
            from_user=user.as_user(),
            **fields,
        )

    async def send(self, user: TgUser, text: str) -> list[Sent]:
        """The user types ``text`` in their private chat with the bot."""
        entities = None
        if text.startswith("/"):
            length = len(text.split()[0])
            entities = [MessageEntity(type="bot_command", offset=0, length=length)]
        update = Update(
            update_id=next(self._update_ids),
            message=self._message(user, text=text, entities=entities),
        )
        return await self._feed(update)

    async def send_document(
        self,
        user: TgUser,
        file_name: str,
        content: bytes,
        mime_type: str = "application/pdf",
        size: int | None = None,
    ) -> list[Sent]:
        """The user sends a file; the bot can download it through getFile."""
        file_id = f"doc-{len(self.session.files) + 1}"
        self.session.files[file_id] = content
        document = Document(
            file_id=file_id,
            file_unique_id=f"u-{file_id}",
            file_name=file_name,
            mime_type=mime_type,
            file_size=len(content) if size is None else size,
        )
        update = Update(
            update_id=next(self._update_ids), message=self._message(user, document=document)
        )
        return await self._feed(update)

    async def press(self, user: TgUser, on: Sent, data: str) -> list[Sent]:
        """The user taps the inline button with callback ``data`` on the bot's message ``on``."""
        message = Message(
            message_id=on.message_id or 0,
            date=datetime.now(UTC),
            chat=Chat(id=user.id, type="private"),
            from_user=BOT_USER,
            text=on.text,
            reply_markup=on.reply_markup,
        )
        update = Update(
            update_id=next(self._update_ids),
            callback_query=CallbackQuery(
                id=str(next(self._update_ids)),
                from_user=user.as_user(),
                chat_instance="test",
                message=message,
                data=data,
            ),
        )
        return await self._feed(update)

    @staticmethod
    def texts(calls: list[Sent]) -> list[str]:
        return [c.text or "" for c in calls if c.text is not None]


def make_bot(session: RecordingSession) -> Bot:
    return Bot(
        token=BOT_TOKEN,
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML),
    )
