"""A member without Telegram in meeting mode: on the roster only, they are marked present,
vote, and approve the protocol on paper, which the secretary records; the bot never writes to
them, and the protocol names them and who recorded their approval.

Through the real dispatcher on a real SQLite file, as ``tests/handlers/test_meeting.py``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.handlers.agenda_world import SECRETARY2, World, all_text, last_message, make_world
from tests.handlers.conftest import MEMBER, SECRETARY, TOVHOLDER
from tests.handlers.test_meeting import (
    btn,
    decide_all,
    deliver_outbox,
    kinds,
    open_punkt,
    outbox_rows,
    press_send,
    view,
)
from tests.support.clock import FrozenClock
from tests.support.recording import ChatHarness, Sent
from tests.support.word import body_lines

JAN = "Jan Kongebro"


@pytest.fixture
async def world(chat: ChatHarness, database_url: str, clock: FrozenClock) -> AsyncIterator[World]:
    """BEU with Mads Medlem (on Telegram) and Jan Kongebro (A), formand, on the roster only."""
    world = await make_world(database_url, clock)
    calls = await chat.send(SECRETARY, f"/medlemmer BEU tilføj {JAN} (A) formand")
    assert f"{JAN} (A) er tilføjet" in all_text(calls)
    clock.current = clock.current.replace(month=12, day=10, hour=13, minute=5)
    yield world
    await world.close()


def edited(calls: list[Sent]) -> Sent:
    return [c for c in calls if c.method in ("editMessageText", "sendMessage")][-1]


async def jan_id(world: World) -> int:
    line = next(m for m in (await view(world)).members if m.person.name == JAN)
    assert line.person.telegram_id is None
    return line.person_id


async def test_a_member_without_telegram_attends_votes_and_approves_through_the_secretary(
    chat: ChatHarness, world: World, clock: FrozenClock
) -> None:
    jan = await jan_id(world)
    await decide_all(world, clock)
    # Attendance: Jan is there like any member, and may be marked afbud (and back again).
    [attendance] = await chat.send(SECRETARY, "/moede")
    assert f"{JAN} (A), formand – til stede" in (attendance.text or "")
    attendance = edited(await chat.press(SECRETARY, attendance, attendance.button(JAN)))
    assert f"{JAN} (A), formand – afbud" in (attendance.text or "")
    for _ in range(2):  # afbud -> fraværende -> til stede
        attendance = edited(await chat.press(SECRETARY, attendance, attendance.button(JAN)))
    assert f"{JAN} (A), formand – til stede" in (attendance.text or "")

    # He votes, and may be inhabil, like the others.
    punkt = last_message(
        await chat.press(SECRETARY, attendance, btn(attendance, "Videre til punkterne ▶️"))
    )
    punkt = await open_punkt(chat, punkt, "Budgetopfølgning 2026")
    board = last_message(await chat.press(SECRETARY, punkt, btn(punkt, "🗳 Stemmer")))
    board = edited(await chat.press(SECRETARY, board, board.button(JAN)))
    assert f"👍 {JAN} (A) – for" in (board.text or "")
    punkt = last_message(await chat.press(SECRETARY, board, btn(board, "✅ Gem")))
    punkt = edited(await chat.press(SECRETARY, punkt, btn(punkt, "Anbefales")))
    assert "Anbefales med 1 stemme for (A)." in (punkt.text or "")
    punkt = await open_punkt(chat, punkt, "Ny ungeindsats")
    members = last_message(await chat.press(SECRETARY, punkt, btn(punkt, "🚫 Inhabil")))
    punkt = last_message(await chat.press(SECRETARY, members, members.button(JAN)))
    assert f"Inhabil: {JAN} (A)" in (punkt.text or "")

    # Sent for approval: Mads gets the request; Jan gets nothing, and the secretary is told
    # that he approves on paper.
    menu = last_message(await chat.send(SECRETARY, "/protokol"))
    calls = await press_send(chat, menu)
    assert "Sendt til godkendelse hos 1 medlem." in all_text(calls)
    assert f"Uden Telegram: {JAN}. Vedkommende godkender på papir eller mundtligt" in all_text(
        calls
    )
    assert kinds(await outbox_rows(world)) == [(MEMBER.id, "approval")]
    [request] = [c for c in await deliver_outbox(chat, world) if c.chat_id == MEMBER.id]
    await chat.press(MEMBER, request, btn(request, "✅ Godkend protokol"))
    assert not (await view(world)).state.locked  # Jan's approval is missing

    # The secretary records Jan's approval: asked first, then stored with who recorded it.
    menu = last_message(await chat.send(SECRETARY, "/protokol"))
    assert f"⏳ {JAN} mangler at godkende (ikke på Telegram)" in (menu.text or "")
    ask = last_message(
        await chat.press(SECRETARY, menu, btn(menu, f"✍️ Registrér godkendelse for {JAN}"))
    )
    assert f"Har {JAN} (A) godkendt protokollen for BEU 10-12-2026" in (ask.text or "")
    assert (await view(world)).approvals[-1].person_id != jan  # nothing stored yet
    clock.current = clock.current.replace(hour=15, minute=5)
    calls = await chat.press(SECRETARY, ask, btn(ask, "✍️ Ja, registrér godkendelsen"))
    assert f"Godkendelse for {JAN} registreret 10-12-2026 kl. 16.05" in all_text(calls)
    assert f"✅ {JAN} godkendte 10-12-2026 kl. 16.05 (registreret af sekretæren)" in all_text(calls)
    state = await view(world)
    assert state.state.locked
    recorded = next(a for a in state.approvals if a.person_id == jan)
    assert recorded.recorded_by == world.actors[SECRETARY.id].person_id
    async with world.uow() as uow:
        actions = [
            (e.action, e.actor_id, e.details.get("person_id"))
            for e in await uow.audit.list_recent(5)
        ]
    assert ("protokol.approve_recorded", world.actors[SECRETARY.id].person_id, jan) in actions

    # The protocol names him with his vote, inhabilitet and how his approval came about.
    calls = await chat.send(SECRETARY, "/protokol")
    [document] = [c for c in calls if c.method == "sendDocument"]
    lines = body_lines(document.document_bytes or b"")
    assert (
        f"{JAN} (A), formand: godkendt 10-12-2026 kl. 16.05 (registreret af sekretæren "
        "Sofie Sekretær)" in lines
    )
    assert any("Anbefales med 1 stemme for (A)." in line for line in lines)
    assert f"{JAN} (A) deltog ikke i behandlingen af punktet på grund af inhabilitet." in lines

    # Nothing, ever, was addressed to Jan: every outbox row went to someone on Telegram.
    await deliver_outbox(chat, world)
    rows = await outbox_rows(world)
    assert rows and all(f":p{jan}:" not in key and not key.endswith(f":p{jan}") for key, *_ in rows)
    on_telegram = {SECRETARY.id, SECRETARY2.id, MEMBER.id, TOVHOLDER.id}
    assert {chat_id for _, chat_id, _, _ in rows} <= on_telegram


async def test_a_recorded_approval_is_refused_for_members_on_telegram_or_absent(
    chat: ChatHarness, world: World, clock: FrozenClock
) -> None:
    jan = await jan_id(world)
    await decide_all(world, clock)
    menu = last_message(await chat.send(SECRETARY, "/protokol"))
    menu = last_message(await press_send(chat, menu))
    # Only members without Telegram get the button.
    labels = [text for text, _ in menu.buttons()]
    assert f"✍️ Registrér godkendelse for {JAN}" in labels
    assert not any("Mads" in label for label in labels)
    # A forged button for Mads (on Telegram) is refused; nothing is stored.
    mads = world.actors[MEMBER.id].person_id
    data = btn(menu, f"✍️ Registrér godkendelse for {JAN}").replace(f":{jan}:", f":{mads}:")
    ask = last_message(await chat.press(SECRETARY, menu, data))
    yes = btn(ask, "✍️ Ja, registrér godkendelsen")
    calls = await chat.press(SECRETARY, ask, yes)
    assert any("er på Telegram og godkender selv" in c.text for c in calls if c.text)
    assert (await view(world)).approvals == []
    # A member may not record anybody's approval.
    calls = await chat.press(MEMBER, menu, btn(menu, f"✍️ Registrér godkendelse for {JAN}"))
    assert any("sekretær" in (c.text or "").lower() for c in calls)
    assert (await view(world)).approvals == []


async def test_a_stedfortraeder_is_offered_the_member_the_roster_names_first(
    chat: ChatHarness, world: World
) -> None:
    await chat.send(SECRETARY, "/medlemmer BEU tilføj Lise Holm (V) stedfortræder for Mads Medlem")
    [attendance] = await chat.send(SECRETARY, "/moede")
    for name in (JAN, "Mads Medlem"):  # both send afbud
        attendance = edited(await chat.press(SECRETARY, attendance, attendance.button(name)))
    assert "➖ Lise Holm (V) – deltager ikke" in (attendance.text or "")
    ask = last_message(await chat.press(SECRETARY, attendance, attendance.button("Lise Holm")))
    assert [text for text, _ in ask.buttons()][:2] == ["Mads Medlem", JAN]
    calls = await chat.press(SECRETARY, ask, ask.button("Mads Medlem"))
    assert "🔁 Lise Holm (V) – stedfortræder" in all_text(calls)
