"""Each Bot API method over raw HTTP, against the documented behaviour and Telegram's errors."""

from __future__ import annotations

import asyncio
import time

import aiohttp

from bot_api_emulator import EmulatorClient, RunningEmulator
from tests.emulator.conftest import RawApi


async def test_unknown_method_wrong_token_and_case_insensitive_names(
    api: RawApi, emulator: RunningEmulator
) -> None:
    assert await api.call("getFoo") == (
        404,
        {"ok": False, "error_code": 404, "description": "Not Found"},
    )
    assert await api.call("getMe", token="7000000001:wrong_secret") == (
        401,
        {"ok": False, "error_code": 401, "description": "Unauthorized"},
    )
    assert (await api.ok("GETME"))["username"] == "udvalgsbot_demo_bot"
    url = f"{emulator.base_url}/bot{emulator.token}/getme"
    async with aiohttp.ClientSession() as session, session.get(url) as resp:  # GET works too
        assert (await resp.json())["result"]["id"] == 7000000001


async def test_send_message_errors(api: RawApi, client: EmulatorClient) -> None:
    stranger = await client.create_user("Otto")
    blocker = await client.create_user("Bent", started=True)
    await client.block_bot(blocker)
    assert await api.error("sendMessage", text="x") == (400, "Bad Request: chat_id is empty")
    assert await api.error("sendMessage", chat_id=42, text="x") == (
        400,
        "Bad Request: chat not found",
    )
    assert await api.error("sendMessage", chat_id=stranger.id, text="x") == (
        403,
        "Forbidden: bot can't initiate conversation with a user",
    )
    assert await api.error("sendMessage", chat_id=blocker.id, text="x") == (
        403,
        "Forbidden: bot was blocked by the user",
    )
    user = await client.create_user("Sofie", started=True)
    assert await api.error("sendMessage", chat_id=user.id, text="") == (
        400,
        "Bad Request: message text is empty",
    )
    assert await api.error("sendMessage", chat_id=user.id, text="x" * 4097) == (
        400,
        "Bad Request: message is too long",
    )
    assert await api.error("sendMessage", chat_id=user.id, text="<b>x", parse_mode="HTML") == (
        400,
        "Bad Request: can't parse entities: Can't find end tag corresponding to start tag \"b\"",
    )
    assert await client.bot_messages(user) == []


async def test_send_message_form_encoded_with_keyboard(api: RawApi, client: EmulatorClient) -> None:
    user = await client.create_user("Sofie", started=True)
    markup = {"inline_keyboard": [[{"text": "Ja", "callback_data": "æ" * 32}]]}
    result = await api.ok(
        "sendMessage",
        encoding="form",
        chat_id=user.id,
        text="Godkend <b>protokollen</b>?",
        parse_mode="HTML",
        reply_markup=markup,
    )
    assert result["text"] == "Godkend protokollen?"
    assert result["entities"] == [{"offset": 8, "length": 11, "type": "bold"}]
    assert result["reply_markup"] == markup
    assert result["chat"] == {"id": user.id, "type": "private", "first_name": "Sofie"}
    too_long = {"inline_keyboard": [[{"text": "Ja", "callback_data": "æ" * 33}]]}
    assert await api.error("sendMessage", chat_id=user.id, text="x", reply_markup=too_long) == (
        400,
        "Bad Request: BUTTON_DATA_INVALID",
    )
    text_only = {"inline_keyboard": [[{"text": "Ja"}]]}
    status, reason = await api.error(
        "sendMessage", chat_id=user.id, text="x", reply_markup=text_only
    )
    assert status == 400 and "Text buttons are unallowed" in reason


async def test_get_updates_offset_limit_and_long_polling(
    api: RawApi, client: EmulatorClient
) -> None:
    user = await client.create_user("Mads")
    for text in ("/start abc", "to", "tre"):
        await client.send_text(user, text)
    updates = await api.ok("getUpdates", limit=2)
    assert [u["message"]["text"] for u in updates] == ["/start abc", "to"]
    assert updates[0]["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    # Asking with offset = last id + 1 confirms the earlier updates: they never come back.
    rest = await api.ok("getUpdates", offset=updates[1]["update_id"] + 1)
    assert [u["message"]["text"] for u in rest] == ["tre"]
    assert await api.ok("getUpdates", offset=rest[0]["update_id"] + 1) == []

    started = time.monotonic()
    poll = asyncio.create_task(api.ok("getUpdates", timeout=5))
    await asyncio.sleep(0.2)
    await client.send_text(user, "vågn op")
    woken = await poll
    assert [u["message"]["text"] for u in woken] == ["vågn op"]
    assert time.monotonic() - started < 2

    started = time.monotonic()
    assert await api.ok("getUpdates", offset=woken[0]["update_id"] + 1, timeout=0.3) == []
    assert time.monotonic() - started >= 0.3


async def test_allowed_updates_filters_new_updates(api: RawApi, client: EmulatorClient) -> None:
    user = await client.create_user("Mads", started=True)
    sent = await api.ok(
        "sendMessage",
        chat_id=user.id,
        text="Vælg",
        reply_markup={"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]},
    )
    assert await api.ok("getUpdates", allowed_updates=["message"]) == []
    [message] = await client.bot_messages(user)
    assert message.message_id == sent["message_id"]
    await client.press_button(user, message, text="A")
    await client.send_text(user, "tekst")
    assert [list(u)[1] for u in await api.ok("getUpdates")] == ["message"]


async def test_second_get_updates_terminates_the_first(api: RawApi) -> None:
    first = asyncio.create_task(api.call("getUpdates", timeout=5))
    await asyncio.sleep(0.1)
    assert await api.ok("getUpdates") == []
    status, body = await first
    assert status == 409
    assert body["description"].startswith("Conflict: terminated by other getUpdates request")


async def test_webhook_set_info_conflict_and_delete(api: RawApi, client: EmulatorClient) -> None:
    user = await client.create_user("Mads")
    await client.send_text(user, "før")
    assert await api.error("setWebhook", url="ftp://x") == (
        400,
        "Bad Request: bad webhook: An HTTPS URL must be provided for webhook",
    )
    _, body = await api.call(
        "setWebhook", url="http://127.0.0.1:9/hook", secret_token="ok_secret", max_connections=5
    )
    assert body == {"ok": True, "result": True, "description": "Webhook was set"}
    assert await api.error("getUpdates") == (
        409,
        "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to "
        "delete the webhook first",
    )
    await asyncio.sleep(0.3)  # port 9 refuses: delivery fails and is retried
    info = await api.ok("getWebhookInfo")
    assert info["url"] == "http://127.0.0.1:9/hook"
    assert info["pending_update_count"] == 1
    assert info["max_connections"] == 5
    assert info["last_error_message"] == "Connection refused"
    _, body = await api.call("deleteWebhook", drop_pending_updates=True)
    assert body["description"] == "Webhook was deleted"
    assert await api.ok("getWebhookInfo") == {
        "url": "",
        "has_custom_certificate": False,
        "pending_update_count": 0,
    }
    assert await api.ok("getUpdates") == []


async def test_edit_message_text_and_reply_markup(api: RawApi, client: EmulatorClient) -> None:
    user = await client.create_user("Sofie", started=True)
    keyboard = {"inline_keyboard": [[{"text": "Ja", "callback_data": "ja"}]]}
    sent = await api.ok("sendMessage", chat_id=user.id, text="Udkast", reply_markup=keyboard)
    mid = sent["message_id"]
    edited = await api.ok(
        "editMessageText", chat_id=user.id, message_id=mid, text="<i>Endelig</i>", parse_mode="HTML"
    )
    assert edited["text"] == "Endelig" and "edit_date" in edited
    assert "reply_markup" not in edited  # no reply_markup: the keyboard is removed
    assert await api.error(
        "editMessageText", chat_id=user.id, message_id=mid, text="<i>Endelig</i>", parse_mode="HTML"
    ) == (
        400,
        "Bad Request: message is not modified: specified new message content and reply markup "
        "are exactly the same as a current content and reply markup of the message",
    )
    again = await api.ok(
        "editMessageReplyMarkup", chat_id=user.id, message_id=mid, reply_markup=keyboard
    )
    assert again["reply_markup"] == keyboard and again["text"] == "Endelig"
    assert await api.error("editMessageText", chat_id=user.id, message_id=999, text="x") == (
        400,
        "Bad Request: message to edit not found",
    )
    mine = await client.send_text(user, "min besked")
    assert await api.error(
        "editMessageText", chat_id=user.id, message_id=mine.message_id, text="x"
    ) == (400, "Bad Request: message can't be edited")

    [message] = await client.bot_messages(user)
    assert [e.text for e in message.edits] == ["Udkast", "Endelig"]
    assert message.html == "<i>Endelig</i>" and message.button_texts == ["Ja"]


async def test_delete_message(api: RawApi, client: EmulatorClient) -> None:
    user = await client.create_user("Sofie", started=True)
    sent = await api.ok("sendMessage", chat_id=user.id, text="slet mig")
    assert await api.ok("deleteMessage", chat_id=user.id, message_id=sent["message_id"]) is True
    assert await api.error("deleteMessage", chat_id=user.id, message_id=sent["message_id"]) == (
        400,
        "Bad Request: message to delete not found",
    )
    assert await client.bot_messages(user) == []
    [deleted] = await client.bot_messages(user, include_deleted=True)
    assert deleted.deleted


async def test_answer_callback_query_is_recorded_once(api: RawApi, client: EmulatorClient) -> None:
    user = await client.create_user("Sofie", started=True)
    keyboard = {"inline_keyboard": [[{"text": "Godkend", "callback_data": "ok:1"}]]}
    await api.ok("sendMessage", chat_id=user.id, text="Protokol", reply_markup=keyboard)
    message = await client.last_bot_message(user)
    query_id = await client.press_button(user, message, text="Godkend")
    [update] = await api.ok("getUpdates")
    query = update["callback_query"]
    assert (query["id"], query["data"], query["from"]["id"]) == (query_id, "ok:1", user.id)
    assert query["message"]["message_id"] == message.message_id
    assert await api.ok("answerCallbackQuery", callback_query_id=query_id, text="Godkendt")
    assert await api.error("answerCallbackQuery", callback_query_id=query_id) == (
        400,
        "Bad Request: query is too old and response timeout expired or query ID is invalid",
    )
    [recorded] = await client.callback_queries(user)
    assert recorded["answered"] and recorded["answer"]["text"] == "Godkendt"


async def test_send_document_errors_and_get_file(api: RawApi, client: EmulatorClient) -> None:
    user = await client.create_user("Sofie", started=True)
    assert await api.error("sendDocument", chat_id=user.id) == (
        400,
        "Bad Request: there is no document in the request",
    )
    assert await api.error("sendDocument", chat_id=user.id, document="nope") == (
        400,
        "Bad Request: wrong file identifier/HTTP URL specified",
    )
    assert await api.error("getFile", file_id="nope") == (400, "Bad Request: invalid file_id")
    form = aiohttp.FormData()
    form.add_field("chat_id", str(user.id))
    form.add_field("document", b"BEGIN:VCALENDAR", filename="moede.ics")
    url = f"{api.base_url}/bot{api.token}/sendDocument"
    async with api.session.post(url, data=form) as resp:
        document = (await resp.json())["result"]["document"]
    assert (document["file_name"], document["mime_type"]) == ("moede.ics", "text/calendar")
    file = await api.ok("getFile", file_id=document["file_id"])
    file_url = f"{api.base_url}/file/bot{api.token}/{file['file_path']}"
    async with api.session.get(file_url) as resp:
        assert await resp.read() == b"BEGIN:VCALENDAR"
    async with api.session.get(f"{api.base_url}/file/bot{api.token}/documents/none") as resp:
        assert resp.status == 404


def _png(width: int, height: int) -> bytes:
    header = b"\x89PNG\r\n\x1a\n" + (13).to_bytes(4, "big") + b"IHDR"
    return header + width.to_bytes(4, "big") + height.to_bytes(4, "big") + b"\x08\x02\x00\x00\x00"


async def test_send_photo_reads_the_size_and_refuses_what_is_no_picture(
    api: RawApi, client: EmulatorClient
) -> None:
    user = await client.create_user("Sofie", started=True)
    url = f"{api.base_url}/bot{api.token}/sendPhoto"

    async def send(data: bytes) -> dict[str, object]:
        form = aiohttp.FormData()
        form.add_field("chat_id", str(user.id))
        form.add_field("caption", "Farverne over runderne")
        form.add_field("photo", data, filename="chart.png")
        async with api.session.post(url, data=form) as resp:
            return dict(await resp.json())

    sent = await send(_png(720, 360))
    result = sent["result"]
    assert isinstance(result, dict) and "document" not in result
    [size] = result["photo"]
    assert (size["width"], size["height"]) == (720, 360)
    assert result["caption"] == "Farverne over runderne"
    [message] = await client.bot_messages(user)
    assert message.photo and message.document is not None
    assert message.document.data == _png(720, 360)
    refused = await send(b"not a picture")
    assert (refused["ok"], refused["description"]) == (False, "Bad Request: IMAGE_PROCESS_FAILED")
    refused = await send(_png(100, 5000))
    assert refused["description"] == "Bad Request: PHOTO_INVALID_DIMENSIONS"
    assert await api.error("sendPhoto", chat_id=user.id) == (
        400,
        "Bad Request: there is no photo in the request",
    )


async def test_commands_per_scope_and_language(api: RawApi, client: EmulatorClient) -> None:
    da = [{"command": "nysag", "description": "Opret en sag"}]
    en = [{"command": "nysag", "description": "Create an item"}]
    private = {"type": "all_private_chats"}
    assert await api.ok("setMyCommands", commands=da, scope=private)
    assert await api.ok("setMyCommands", commands=en, scope=private, language_code="en")
    assert await api.ok("getMyCommands", scope=private) == da
    assert await api.ok("getMyCommands", scope=private, language_code="en") == en
    assert await api.ok("getMyCommands") == []
    assert await api.ok("deleteMyCommands", scope=private, language_code="en")
    assert await api.ok("getMyCommands", scope=private, language_code="en") == []
    bad = [{"command": "Ny Sag!", "description": "x"}]
    assert await api.error("setMyCommands", commands=bad) == (
        400,
        "Bad Request: BOT_COMMAND_INVALID",
    )
    info = await client.bot_info()
    assert info["commands"][0]["commands"] == da


async def test_chat_action_and_menu_button(api: RawApi, client: EmulatorClient) -> None:
    user = await client.create_user("Sofie", started=True)
    assert await api.ok("sendChatAction", chat_id=user.id, action="upload_document")
    assert await api.error("sendChatAction", chat_id=user.id, action="dancing") == (
        400,
        "Bad Request: wrong parameter action in request",
    )
    [event] = await client.events(user, kinds=["chat_action"])
    assert event.detail["action"] == "upload_document"
    assert await api.ok("setChatMenuButton", menu_button={"type": "commands"})
    assert await api.ok("getChatMenuButton", chat_id=user.id) == {"type": "commands"}
