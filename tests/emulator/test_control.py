"""The control API and client: simulated people, reading and waiting for what the bot sent."""

from __future__ import annotations

import time

import pytest

from bot_api_emulator import EmulatorClient, EmulatorError, EmulatorTimeout
from tests.emulator.conftest import RawApi


async def test_wait_messages_returns_successive_messages_in_order(
    api: RawApi, client: EmulatorClient
) -> None:
    user = await client.create_user("Sofie", started=True)
    for text in ("en", "to", "tre"):
        await api.ok("sendMessage", chat_id=user.id, text=text)
    assert [m.text for m in await client.wait_messages(user, 2)] == ["en", "to"]
    assert [m.text for m in await client.wait_messages(user)] == ["tre"]
    started = time.monotonic()
    with pytest.raises(EmulatorTimeout, match="got 0"):
        await client.wait_messages(user, timeout=0.2)
    assert time.monotonic() - started < 2


async def test_wait_for_edits_and_skip_pending(api: RawApi, client: EmulatorClient) -> None:
    user = await client.create_user("Sofie", started=True)
    sent = await api.ok("sendMessage", chat_id=user.id, text="gammel")
    await client.skip_pending(user)
    await api.ok("editMessageText", chat_id=user.id, message_id=sent["message_id"], text="ny")
    [event] = await client.wait_events(user, kinds=["edit"])
    assert event.message is not None and event.message.text == "ny"
    with pytest.raises(EmulatorTimeout):
        await client.wait_messages(user, timeout=0.1)


async def test_group_privacy_mode_delivers_commands_only(
    api: RawApi, client: EmulatorClient
) -> None:
    members = [await client.create_user(name) for name in ("Ann", "Bo")]
    group = await client.create_group("Beskæftigelsesudvalget", members)
    assert group.id < 0 and group.type == "group"
    await client.send_text(members[0], "hej alle", chat=group)
    await client.send_command(members[1], "tilknyt@udvalgsbot_demo_bot", chat=group)
    [update] = await api.ok("getUpdates")
    message = update["message"]
    assert message["chat"] == {"id": group.id, "type": "group", "title": "Beskæftigelsesudvalget"}
    assert message["text"] == "/tilknyt@udvalgsbot_demo_bot"
    assert len(await client.messages(group)) == 2  # both are in the chat all the same


async def test_user_must_be_member_and_buttons_must_exist(
    api: RawApi, client: EmulatorClient
) -> None:
    ann = await client.create_user("Ann", started=True)
    bo = await client.create_user("Bo")
    group = await client.create_group("G", [ann])
    with pytest.raises(EmulatorError, match="not a member"):
        await client.send_text(bo, "/start", chat=group)
    await api.ok(
        "sendMessage",
        chat_id=ann.id,
        text="Vælg",
        reply_markup={"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]},
    )
    message = await client.last_bot_message(ann)
    with pytest.raises(EmulatorError, match="buttons: 'A'"):
        await client.press_button(ann, message, text="B")


async def test_blocking_sends_my_chat_member_and_writing_unblocks(
    api: RawApi, client: EmulatorClient
) -> None:
    user = await client.create_user("Mads", started=True)
    await client.block_bot(user)
    [update] = await api.ok("getUpdates")
    change = update["my_chat_member"]
    assert (change["old_chat_member"]["status"], change["new_chat_member"]["status"]) == (
        "member",
        "kicked",
    )
    await client.send_text(user, "/start")
    await api.ok("sendMessage", chat_id=user.id, text="velkommen tilbage")


async def test_writing_to_the_bot_starts_the_private_chat(
    api: RawApi, client: EmulatorClient
) -> None:
    user = await client.create_user("Mads")
    assert (await api.error("sendMessage", chat_id=user.id, text="x"))[0] == 403
    await client.send_command(user, "start", "invite_token")
    await api.ok("sendMessage", chat_id=user.id, text="x")


async def test_reset_forgets_everything(client: EmulatorClient) -> None:
    user = await client.create_user("Mads")
    await client.send_text(user, "x")
    await client.reset()
    assert await client.pending_updates() == []
    with pytest.raises(EmulatorError, match="unknown chat"):
        await client.messages(user)


async def test_a_text_over_the_limit_arrives_as_several_messages_like_from_an_app(
    api: RawApi, client: EmulatorClient
) -> None:
    """Issue 16: a client splits a long text at a line break before 4,096 characters."""
    user = await client.create_user("Sofie", started=True)
    lines = [f"Linje {n}: " + "tekst " * 60 for n in range(40)]
    await client.send_text(user, "\n".join(lines))
    updates = await api.ok("getUpdates")
    texts = [u["message"]["text"] for u in updates]
    assert len(texts) == 4  # 14,800 characters, cut at whole lines
    assert all(len(t) <= 4096 for t in texts)
    assert "\n".join(texts) == "\n".join(lines)  # cut at line breaks, nothing lost
