"""Messages from the bot: send, edit and delete them, answer button presses, files, chat actions."""

from __future__ import annotations

import mimetypes
from typing import TYPE_CHECKING, Any

from bot_api_emulator.bot_api.registry import method
from bot_api_emulator.bot_api.shared import (
    check_reachable,
    deliver,
    own_message,
    reply_markup,
    reply_target,
    resolve_chat,
)
from bot_api_emulator.errors import ApiError, bad_request
from bot_api_emulator.formatting import format_text
from bot_api_emulator.params import Params, Upload
from bot_api_emulator.state import Revision, StoredFile, StoredMessage

if TYPE_CHECKING:
    from bot_api_emulator.core import Emulator

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
    stored = _known_file(emu, document)
    emu.limiter.check(chat.id, chat.is_group)
    if isinstance(document, Upload):
        stored = _store_upload(emu, document)
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


#: Telegram's limits for a photo: 10 MB, width and height together at most 10000, a ratio of
#: at most 20.
MAX_PHOTO = 10 * 1024 * 1024


@method("sendPhoto")
async def send_photo(emu: Emulator, p: Params) -> dict[str, Any]:
    chat = resolve_chat(emu, p)
    check_reachable(chat)
    photo = p.file("photo")
    if photo is None:
        raise bad_request("there is no photo in the request")
    parse_mode = p.text("parse_mode")
    caption, entities = format_text(
        p.text("caption"), parse_mode, p.parsed("caption_entities"), caption=True
    )
    markup = reply_markup(p)
    target = reply_target(emu, chat, p)
    stored = _known_file(emu, photo)
    if isinstance(photo, Upload):
        if len(photo.data) > MAX_PHOTO:
            raise bad_request("PHOTO_SAVE_FILE_INVALID")
        dimensions = image_size(photo.data)
        if dimensions is None:
            raise bad_request("IMAGE_PROCESS_FAILED")
        width, height = dimensions
        if width + height > 10_000 or max(width, height) > 20 * min(width, height):
            raise bad_request("PHOTO_INVALID_DIMENSIONS")
    emu.limiter.check(chat.id, chat.is_group)
    if isinstance(photo, Upload):
        stored = _store_upload(emu, photo)
    assert stored is not None
    message = emu.state.add_message(
        chat,
        emu.state.bot,
        from_bot=True,
        text=caption or None,
        entities=entities,
        source=p.text("caption"),
        parse_mode=parse_mode,
        document=stored,
        photo=image_size(stored.data) or (0, 0),
        reply_markup=markup,
        reply_to=target,
    )
    await emu.state.record(chat.id, "send", message.message_id)
    return message.to_api()


def image_size(data: bytes) -> tuple[int, int] | None:
    """Width and height of a PNG or JPEG, read from its header; None for anything else."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    if data.startswith(b"\xff\xd8"):
        index = 2
        while index + 9 < len(data):
            if data[index] != 0xFF:
                return None
            marker = data[index + 1]
            length = int.from_bytes(data[index + 2 : index + 4], "big")
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                height = int.from_bytes(data[index + 5 : index + 7], "big")
                return int.from_bytes(data[index + 7 : index + 9], "big"), height
            index += 2 + length
    return None


def _known_file(emu: Emulator, document: Upload | str) -> StoredFile | None:
    """The stored file a file_id names; None for an upload, checked but stored only later."""
    if isinstance(document, Upload):
        if not document.data:
            raise bad_request("file must be non-empty")
        if len(document.data) > MAX_UPLOAD:
            raise ApiError(413, "Request Entity Too Large")
        return None
    stored = emu.state.files.get(document)
    if stored is None:
        raise bad_request("wrong file identifier/HTTP URL specified")
    return stored


def _store_upload(emu: Emulator, document: Upload) -> StoredFile:
    guessed = mimetypes.guess_type(document.filename or "")[0]
    declared = document.content_type
    if declared == "application/octet-stream":
        declared = None
    return emu.state.store_file(
        document.data, document.filename, guessed or declared or "application/octet-stream"
    )


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


@method("sendChatAction")
async def send_chat_action(emu: Emulator, p: Params) -> bool:
    chat = resolve_chat(emu, p)
    action = p.text("action") or ""
    if action not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    check_reachable(chat)
    await emu.state.record(chat.id, "chat_action", action=action)
    return True
