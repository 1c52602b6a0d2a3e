"""A real aiogram Bot against the emulator: the client the project actually uses."""

from __future__ import annotations

import asyncio
import contextlib

import pytest
from aiogram import Bot, Dispatcher
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import SendMessage
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web

from bot_api_emulator import EmulatorClient, RunningEmulator


async def test_get_me_returns_the_configured_bot(aiogram_bot: Bot) -> None:
    me = await aiogram_bot.get_me()
    assert (me.id, me.username, me.is_bot) == (7000000001, "udvalgsbot_demo_bot", True)


async def test_send_message_with_inline_keyboard_reaches_the_chat(
    aiogram_bot: Bot, client: EmulatorClient
) -> None:
    user = await client.create_user("Sofie", started=True)
    keyboard = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="Åbn punkt 3", callback_data="punkt:3")]]
    )
    sent = await aiogram_bot.send_message(
        user.id, "<b>Dagsorden</b> for mødet", reply_markup=keyboard
    )
    assert sent.text == "Dagsorden for mødet"
    assert sent.entities is not None and sent.entities[0].type == "bold"

    [seen] = await client.wait_messages(user)
    assert seen.html == "<b>Dagsorden</b> for mødet"
    assert seen.button("Åbn punkt 3").callback_data == "punkt:3"


async def test_callback_data_over_64_bytes_is_refused(
    aiogram_bot: Bot, client: EmulatorClient
) -> None:
    user = await client.create_user("Sofie", started=True)
    keyboard = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="x", callback_data="x" * 65)]]
    )
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await aiogram_bot.send_message(user.id, "hej", reply_markup=keyboard)
    assert await client.bot_messages(user) == []


async def test_document_upload_then_download(aiogram_bot: Bot, client: EmulatorClient) -> None:
    user = await client.create_user("Sofie", started=True)
    content = b"PK\x03\x04 not really a docx" * 100
    sent = await aiogram_bot.send_document(
        user.id, BufferedInputFile(content, "Dagsorden BEU.docx"), caption="<i>Dagsorden</i>"
    )
    assert sent.document is not None
    assert sent.document.file_name == "Dagsorden BEU.docx"
    assert sent.document.mime_type == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert sent.caption == "Dagsorden"

    file = await aiogram_bot.get_file(sent.document.file_id)
    assert file.file_size == len(content)
    downloaded = await aiogram_bot.download(sent.document.file_id)
    assert downloaded is not None and downloaded.read() == content

    [seen] = await client.wait_messages(user)
    assert seen.document is not None and seen.document.data == content

    # The same file again by file_id, without uploading.
    again = await aiogram_bot.send_document(user.id, sent.document.file_id)
    assert again.document is not None and again.document.file_id == sent.document.file_id


async def test_bot_downloads_a_document_a_user_sent(
    aiogram_bot: Bot, client: EmulatorClient
) -> None:
    user = await client.create_user("Sofie")
    await client.send_document(user, b"%PDF-1.7 bilag", "bilag.pdf", mime_type="application/pdf")
    [update] = await aiogram_bot.get_updates()
    assert update.message is not None and update.message.document is not None
    downloaded = await aiogram_bot.download(update.message.document.file_id)
    assert downloaded is not None and downloaded.read() == b"%PDF-1.7 bilag"


async def test_dispatcher_polls_and_answers_a_user(
    aiogram_bot: Bot, client: EmulatorClient
) -> None:
    dp = Dispatcher()

    @dp.message()
    async def echo(message: Message) -> None:
        await message.answer(f"Du skrev: {message.text}")

    user = await client.create_user("Mads")
    polling = asyncio.create_task(
        dp.start_polling(
            aiogram_bot, handle_signals=False, close_bot_session=False, polling_timeout=1
        )
    )
    try:
        await client.send_text(user, "Hej bot")
        [answer] = await client.wait_messages(user, timeout=5)
        assert answer.text == "Du skrev: Hej bot"
    finally:
        await dp.stop_polling()
        with contextlib.suppress(asyncio.CancelledError):
            await polling


async def test_webhook_delivers_with_the_secret_header(
    aiogram_bot: Bot, client: EmulatorClient, unused_tcp_port: int
) -> None:
    received: list[tuple[str | None, dict[str, object]]] = []
    arrived = asyncio.Event()

    async def hook(request: web.Request) -> web.Response:
        received.append(
            (request.headers.get("X-Telegram-Bot-Api-Secret-Token"), await request.json())
        )
        arrived.set()
        return web.json_response({})

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", unused_tcp_port).start()
    try:
        assert await aiogram_bot.set_webhook(
            f"http://127.0.0.1:{unused_tcp_port}/hook", secret_token="s3cret_Token-1"
        )
        user = await client.create_user("Mads")
        await client.send_text(user, "/start abc")
        await asyncio.wait_for(arrived.wait(), 5)
        secret, update = received[0]
        assert secret == "s3cret_Token-1"
        message = update["message"]
        assert isinstance(message, dict) and message["text"] == "/start abc"
        info = await aiogram_bot.get_webhook_info()
        assert info.pending_update_count == 0
    finally:
        await aiogram_bot.delete_webhook()
        await runner.cleanup()


async def test_injected_faults_become_aiogram_exceptions(
    aiogram_bot: Bot, client: EmulatorClient
) -> None:
    user = await client.create_user("Mads", started=True)
    await client.inject_fault("sendMessage", "retry_after", retry_after=7)
    with pytest.raises(TelegramRetryAfter) as caught:
        await aiogram_bot.send_message(user.id, "a")
    assert caught.value.retry_after == 7

    await client.inject_fault("sendMessage", "server_error")
    with pytest.raises(TelegramServerError):
        await aiogram_bot.send_message(user.id, "b")

    await client.inject_fault("sendMessage", "drop")
    with pytest.raises(TelegramNetworkError):
        await aiogram_bot.send_message(user.id, "c")

    assert await client.bot_messages(user) == []
    await aiogram_bot.send_message(user.id, "d")
    assert [m.text for m in await client.bot_messages(user)] == ["d"]


async def test_blocked_user_raises_forbidden(aiogram_bot: Bot, client: EmulatorClient) -> None:
    user = await client.create_user("Mads", started=True)
    await client.block_bot(user)
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await aiogram_bot.send_message(user.id, "hej")


async def test_limits_mode_refuses_a_second_message_to_a_private_chat_within_a_second(
    aiogram_bot: Bot, client: EmulatorClient, emulator: RunningEmulator
) -> None:
    await client.set_limits(enabled=True)
    user = await client.create_user("Mads", started=True)
    other = await client.create_user("Tove", started=True)
    await aiogram_bot.send_message(user.id, "første")
    with pytest.raises(TelegramRetryAfter) as caught:
        await aiogram_bot.send_message(user.id, "anden")
    assert caught.value.retry_after == 1
    await aiogram_bot.send_message(other.id, "til en anden")  # other chats are not held up
    limits = await client.limits()
    assert (limits["sent"], limits["refused"], limits["refused_by_rule"]) == (
        2,
        1,
        {"private": 1},
    )


async def test_webhook_retries_failed_deliveries_in_order(
    aiogram_bot: Bot, client: EmulatorClient, unused_tcp_port: int
) -> None:
    texts: list[str] = []
    failures = [500, 500]
    done = asyncio.Event()

    async def hook(request: web.Request) -> web.Response:
        if failures:
            return web.Response(status=failures.pop())
        texts.append((await request.json())["message"]["text"])
        if len(texts) == 3:
            done.set()
        return web.json_response({})

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", unused_tcp_port).start()
    try:
        user = await client.create_user("Mads")
        for text in ("en", "to", "tre"):
            await client.send_text(user, text)
        await aiogram_bot.set_webhook(f"http://127.0.0.1:{unused_tcp_port}/hook")
        await asyncio.wait_for(done.wait(), 5)
        assert texts == ["en", "to", "tre"]
        info = await aiogram_bot.get_webhook_info()
        assert (
            info.last_error_message == "Wrong response from the webhook: 500 Internal Server Error"
        )
        assert info.pending_update_count == 0
    finally:
        await aiogram_bot.delete_webhook()
        await runner.cleanup()


async def test_webhook_answer_may_carry_a_method_call(
    aiogram_bot: Bot, client: EmulatorClient, unused_tcp_port: int
) -> None:
    dp = Dispatcher()

    @dp.message()
    async def reply(message: Message) -> SendMessage:
        return message.answer("Svar i webhook-svaret")  # returned, not awaited

    app = web.Application()
    SimpleRequestHandler(dp, aiogram_bot, handle_in_background=False).register(app, path="/hook")
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", unused_tcp_port).start()
    try:
        await aiogram_bot.set_webhook(f"http://127.0.0.1:{unused_tcp_port}/hook")
        user = await client.create_user("Mads")
        await client.send_text(user, "hej")
        [answer] = await client.wait_messages(user)
        assert answer.text == "Svar i webhook-svaret"
    finally:
        await aiogram_bot.delete_webhook()
        await runner.cleanup()
