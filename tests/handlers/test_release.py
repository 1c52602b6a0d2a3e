"""/udsend and /tilknyt through the real dispatcher on a real SQLite database."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from aiogram.types import Chat, Message, MessageEntity, Update

from agendas.model import Punkt, PunktKind
from handlers.callbacks import PunktCb
from storage.engine import make_engine, make_session_factory
from storage.outbox_queue import OutboxQueue
from storage.uow import SqlUnitOfWork
from tests.handlers.conftest import ADMIN, MEMBER, SECRETARY, TOVHOLDER, invite_token
from tests.support.clock import FrozenClock
from tests.support.recording import ChatHarness, Sent, TgUser

GROUP_ID = -100777
_ids = itertools.count(10_000)


async def in_group(chat: ChatHarness, user: TgUser, text: str) -> list[Sent]:
    length = len(text.split()[0])
    update = Update(
        update_id=next(_ids),
        message=Message(
            message_id=next(_ids),
            date=datetime.now(UTC),
            chat=Chat(id=GROUP_ID, type="supergroup", title="BEU-gruppen"),
            from_user=user.as_user(),
            text=text,
            entities=[MessageEntity(type="bot_command", offset=0, length=length)],
        ),
    )
    return await chat._feed(update)


async def outbox_rows(uow_factory: Callable[[], SqlUnitOfWork]) -> list[tuple[int, str, dict]]:  # type: ignore[type-arg]
    from sqlalchemy import text

    async with uow_factory() as uow:
        rows = await uow.session.execute(
            text("SELECT chat_id, kind, payload FROM outbox ORDER BY id")
        )
        import json

        return [(c, k, json.loads(p) if isinstance(p, str) else p) for c, k, p in rows]


async def with_meeting(chat: ChatHarness) -> None:
    [created] = await chat.send(SECRETARY, "/nytmoede BEU 15-12-2026 14:00 Rådhuset")
    assert "Mødet er oprettet" in (created.text or "")


async def test_udsend_queues_the_agenda_for_everyone(
    beu_committee: ChatHarness, uow_factory: Callable[[], SqlUnitOfWork]
) -> None:
    chat = beu_committee
    await with_meeting(chat)
    [reply] = await chat.send(SECRETARY, "/udsend")
    assert "Dagsordenen til BEU 15-12-2026 sendes nu til 3 personer" in (reply.text or "")
    # 4 hverdage before Tuesday 15 December 2026: Mon 14, Fri 11, Thu 10, Wed 9.
    assert "Fristen er 09-12-2026 kl. 14.00, så den er udsendt i tide." in (reply.text or "")
    rows = await outbox_rows(uow_factory)
    assert {c for c, _, _ in rows} == {SECRETARY.id, MEMBER.id, TOVHOLDER.id}
    # A one-page agenda travels as the caption of the .ics: one message each.
    assert [k for c, k, _ in rows if c == MEMBER.id] == ["calendar"]
    # The calendar entry lists the punkter and carries no English note about its zone rules.
    [payload] = [p for c, k, p in rows if c == MEMBER.id]
    ics = str(payload["content"]).replace("\r\n ", "")
    assert "DESCRIPTION:Dagsorden for mødet i Beskæftigelsesudvalget:\\n1. Godkendelse af" in ics
    assert "COMMENT" not in ics and "only works" not in ics

    [again] = await chat.send(SECRETARY, "/udsend")
    assert "blev udsendt" in (again.text or "")
    assert len(await outbox_rows(uow_factory)) == len(rows)


async def test_the_summary_buttons_open_the_punkt(
    beu_committee: ChatHarness, uow_factory: Callable[[], SqlUnitOfWork]
) -> None:
    chat = beu_committee
    await with_meeting(chat)
    async with uow_factory() as uow:
        [moede] = await uow.moeder.for_udvalg((await uow.udvalg.by_code("BEU")).id or 0)  # type: ignore[union-attr]
        await uow.punkter.add(
            Punkt(
                moede.id or 0,
                PunktKind.SAG,
                "Jobcentrets resultater",
                position=1,
                sections={"sagens_kerne": "Resultaterne for 3. kvartal."},
            )
        )
        await uow.commit()
    # The sag has no Indstilling: listed, nothing queued, until the secretary confirms.
    [asked] = await chat.send(SECRETARY, "/udsend")
    assert "Dagsordenen er ikke sendt" in (asked.text or "")
    assert "Jobcentrets resultater (Indstilling)" in (asked.text or "")
    assert await outbox_rows(uow_factory) == []
    await chat.press(SECRETARY, asked, asked.button("Udsend alligevel"))
    payload = next(p for c, k, p in await outbox_rows(uow_factory) if c == MEMBER.id)
    button = next(b for row in payload["buttons"] for b in row if b["target"] == "punkt")
    data = PunktCb(action="open", punkt_id=button["id"], version=button["version"]).pack()
    opened = await chat.press(MEMBER, Sent("sendMessage", chat_id=MEMBER.id, message_id=1), data)
    assert any("Resultaterne for 3. kvartal." in (s.text or "") for s in opened), opened


async def test_member_cannot_udsend_and_nothing_is_queued(
    beu_committee: ChatHarness, uow_factory: Callable[[], SqlUnitOfWork]
) -> None:
    chat = beu_committee
    await with_meeting(chat)
    [reply] = await chat.send(MEMBER, "/udsend")
    assert "intet kommende møde, hvor du er sekretær" in (reply.text or "")
    assert await outbox_rows(uow_factory) == []


async def test_tilknyt_links_the_group_which_then_gets_open_punkter(
    beu_committee: ChatHarness, uow_factory: Callable[[], SqlUnitOfWork]
) -> None:
    chat = beu_committee
    [private] = await chat.send(SECRETARY, "/tilknyt BEU")
    assert "virker kun i en gruppe" in (private.text or "")
    [refused] = await in_group(chat, MEMBER, "/tilknyt BEU")
    assert "sekretær" in (refused.text or "")
    [usage] = await in_group(chat, SECRETARY, "/tilknyt")
    assert "/tilknyt KODE" in (usage.text or "")
    [linked] = await in_group(chat, SECRETARY, "/tilknyt BEU")
    assert "Gruppen er nu tilknyttet Beskæftigelsesudvalget (BEU)" in (linked.text or "")

    await with_meeting(chat)
    [reply] = await chat.send(SECRETARY, "/udsend")
    assert "og udvalgets gruppe" in (reply.text or "")
    group = [p for c, _, p in await outbox_rows(uow_factory) if c == GROUP_ID]
    assert group and all(p["buttons"] == [] for p in group)


# --- /frist: the udsendelsesfrist and the warning lead ----------------------------------------


async def frist_settings(uow_factory: Callable[[], SqlUnitOfWork]) -> tuple[int, int]:
    async with uow_factory() as uow:
        udvalg = await uow.udvalg.by_code("BEU")
        assert udvalg is not None
        settings = await uow.delivery.get(udvalg.id or 0)
    return settings.frist_hverdage, settings.warn_hverdage


async def test_frist_shows_the_settings_and_the_next_deadline(
    beu_committee: ChatHarness, uow_factory: Callable[[], SqlUnitOfWork]
) -> None:
    chat = beu_committee
    [empty] = await chat.send(SECRETARY, "/frist")
    assert "Udsendelsesfrist: 4 hverdage før mødet" in (empty.text or ""), empty.text
    assert "Intet kommende møde" in (empty.text or "")

    await with_meeting(chat)
    [shown] = await chat.send(SECRETARY, "/frist")
    text = shown.text or ""
    assert "BEU – Beskæftigelsesudvalget" in text
    assert "Advarsel til sekretæren: 2 hverdage før fristen" in text
    # 4 hverdage before Tuesday 15 December 2026 is Wed 9; 2 hverdage before that Mon 7.
    assert (
        "Næste møde 15-12-2026 kl. 14.00: dagsordenen skal udsendes senest 09-12-2026 kl. 14.00"
        in text
    )
    assert "advarsel 07-12-2026 kl. 09.00" in text
    assert "/frist BEU 5 2" in text
    assert await frist_settings(uow_factory) == (4, 2)

    await chat.send(SECRETARY, "/udsend")
    [released] = await chat.send(SECRETARY, "/frist BEU")
    assert "Intet kommende møde venter" in (released.text or "")


async def test_frist_sets_the_frist_and_keeps_or_sets_the_warning(
    beu_committee: ChatHarness, uow_factory: Callable[[], SqlUnitOfWork]
) -> None:
    chat = beu_committee
    await with_meeting(chat)
    [done] = await chat.send(SECRETARY, "/frist 5")
    text = done.text or ""
    assert "Udsendelsesfristen for BEU er ændret" in text
    assert "Udsendelsesfrist: 5 hverdage før mødet" in text
    # Tue 8 December; the warning 2 hverdage before it, Friday 4 December.
    assert "senest 08-12-2026 kl. 14.00" in text and "04-12-2026 kl. 09.00" in text
    assert await frist_settings(uow_factory) == (5, 2)

    [both] = await chat.send(SECRETARY, "/frist beu 1 0")
    text = both.text or ""
    assert "Udsendelsesfrist: 1 hverdag før mødet" in text
    assert "0 hverdage før fristen" in text
    assert "senest 14-12-2026 kl. 14.00" in text and "advarsel 14-12-2026 kl. 09.00" in text
    assert await frist_settings(uow_factory) == (1, 0)


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/frist fem", "Jeg kender ikke udvalget FEM"),
        ("/frist BEU fem", "Skriv /frist KODE hverdage [advarsel]"),
        ("/frist 5 BEU", "Skriv /frist KODE hverdage [advarsel]"),
        ("/frist BEU 5 2 1", "Skriv /frist KODE hverdage [advarsel]"),
        ("/frist -1", "Skriv /frist KODE hverdage [advarsel]"),
        ("/frist 41", "Fristen kan være 0–40 hverdage før mødet og advarslen 0–20"),
        ("/frist BEU 5 21", "Fristen kan være 0–40 hverdage før mødet og advarslen 0–20"),
        ("/frist XYZ 5", "Jeg kender ikke udvalget XYZ"),
    ],
)
async def test_frist_bad_input_says_what_to_do_and_stores_nothing(
    beu_committee: ChatHarness,
    uow_factory: Callable[[], SqlUnitOfWork],
    command: str,
    expected: str,
) -> None:
    chat = beu_committee
    [reply] = await chat.send(SECRETARY, command)
    assert expected in (reply.text or ""), reply.text
    assert await frist_settings(uow_factory) == (4, 2)


async def test_a_member_cannot_see_or_set_the_frist(
    beu_committee: ChatHarness, uow_factory: Callable[[], SqlUnitOfWork]
) -> None:
    chat = beu_committee
    for command in ("/frist", "/frist 5", "/frist BEU 5 2"):
        [reply] = await chat.send(MEMBER, command)
        assert "Kun udvalgets sekretær" in (reply.text or ""), (command, reply.text)
    assert await frist_settings(uow_factory) == (4, 2)


async def test_frist_asks_for_the_code_when_the_secretary_has_several_udvalg(
    beu_committee: ChatHarness, uow_factory: Callable[[], SqlUnitOfWork]
) -> None:
    chat = beu_committee
    await chat.send(ADMIN, "/nytudvalg SOU Socialudvalget; Social- og Sundhedsforvaltningen")
    [link] = await chat.send(ADMIN, "/inviter SOU sekretaer")
    await chat.send(SECRETARY, f"/start {invite_token(link.text or '')}")

    [both] = await chat.send(SECRETARY, "/frist")
    assert "BEU – Beskæftigelsesudvalget" in (both.text or "")
    assert "SOU – Socialudvalget" in (both.text or "")
    [which] = await chat.send(SECRETARY, "/frist 6")
    assert "flere udvalg (BEU, SOU)" in (which.text or "") and "/frist BEU 6" in (which.text or "")
    assert await frist_settings(uow_factory) == (4, 2)

    await chat.send(SECRETARY, "/frist SOU 6")
    assert await frist_settings(uow_factory) == (4, 2)
    async with uow_factory() as uow:
        sou = await uow.udvalg.by_code("SOU")
        assert sou is not None
        assert (await uow.delivery.get(sou.id or 0)).frist_hverdage == 6


# --- a person who blocked the bot and writes to it again --------------------------------------


async def meeting_minutes(uow_factory: Callable[[], SqlUnitOfWork]) -> list[int]:
    from sqlalchemy import text

    async with uow_factory() as uow:
        rows = await uow.session.execute(text("SELECT meeting_minutes FROM udvalg"))
        return [m for (m,) in rows]


async def test_the_udvalg_meeting_length_is_the_length_of_the_released_calendar_entry(
    beu_committee: ChatHarness, uow_factory: Callable[[], SqlUnitOfWork]
) -> None:
    """Issue 16, item 5: the .ics always lasted two hours."""
    chat = beu_committee
    [shown] = await chat.send(SECRETARY, "/moedelaengde BEU")
    assert "Møderne i BEU varer normalt 120 minutter" in (shown.text or "")
    [saved] = await chat.send(SECRETARY, "/moedelaengde beu 90 min")
    assert "Gemt: møderne i BEU varer normalt 90 minutter" in (saved.text or "")
    assert await meeting_minutes(uow_factory) == [90]
    await with_meeting(chat)
    await chat.send(SECRETARY, "/udsend")
    [payload] = [p for c, k, p in await outbox_rows(uow_factory) if c == MEMBER.id]
    ics = str(payload["content"])
    assert "DTSTART;TZID=Europe/Copenhagen:20261215T140000" in ics
    assert "DTEND;TZID=Europe/Copenhagen:20261215T153000" in ics


@pytest.mark.parametrize("minutes", ["0", "1000", "abc", "-30", "90 timer"])
async def test_a_bad_meeting_length_says_what_to_do_and_stores_nothing(
    beu_committee: ChatHarness, uow_factory: Callable[[], SqlUnitOfWork], minutes: str
) -> None:
    chat = beu_committee
    [reply] = await chat.send(SECRETARY, f"/moedelaengde BEU {minutes}")
    expected = "Skriv mødelængden som et helt antal minutter fra 15 til 480, fx /moedelaengde BEU"
    assert expected in (reply.text or ""), reply.text
    assert await meeting_minutes(uow_factory) == [120]


async def test_only_the_secretary_sets_the_meeting_length(
    beu_committee: ChatHarness, uow_factory: Callable[[], SqlUnitOfWork]
) -> None:
    chat = beu_committee
    for command in ("/moedelaengde BEU 90", "/moedelaengde BEU"):
        [reply] = await chat.send(MEMBER, command)
        assert "Kun udvalgets sekretær" in (reply.text or ""), (command, reply.text)
    [usage] = await chat.send(SECRETARY, "/moedelaengde")
    assert "Skriv /moedelaengde KODE minutter" in (usage.text or "")
    assert await meeting_minutes(uow_factory) == [120]


async def test_a_person_who_blocked_the_bot_is_reachable_again_after_writing_to_it(
    beu_committee: ChatHarness, uow_factory: Callable[[], SqlUnitOfWork], database_url: str
) -> None:
    chat = beu_committee
    await with_meeting(chat)
    await chat.send(SECRETARY, "/udsend")
    # The delivery worker's record of a 403 on the member's copy of the agenda.
    engine = make_engine(database_url)
    try:
        queue = OutboxQueue(make_session_factory(engine))
        claimed = await queue.claim(10, timedelta(minutes=1), datetime(2027, 1, 1, tzinfo=UTC))
        row = next(m for m in claimed if m.chat_id == MEMBER.id)
        await queue.unreachable(row, "Forbidden: bot was blocked by the user", [], row.not_before)
    finally:
        await engine.dispose()

    async def unreachable() -> set[int]:
        async with uow_factory() as uow:
            return await uow.reachability.unreachable([MEMBER.id, SECRETARY.id])

    assert await unreachable() == {MEMBER.id}
    await in_group(chat, MEMBER, "/tilknyt BEU")  # a group message says nothing about the chat
    assert await unreachable() == {MEMBER.id}
    await chat.send(MEMBER, "Hej, jeg er tilbage")
    assert await unreachable() == set()


@pytest.mark.parametrize(
    "command", ["/dagsorden@udvalgsbot_test_bot", "/udsend@udvalgsbot_test_bot"]
)
async def test_a_command_in_the_group_gets_one_answer_pointing_to_the_private_chat(
    beu_committee: ChatHarness, command: str
) -> None:
    """Issue 16: "/dagsorden@bot" in the group got no answer at all."""
    calls = await in_group(beu_committee, SECRETARY, command)
    replies = [c for c in calls if c.method == "sendMessage"]
    assert len(replies) == 1 and replies[0].chat_id == GROUP_ID
    assert "Skriv til mig her: @udvalgsbot_test_bot" in (replies[0].text or "")
    assert "Lukket" not in (replies[0].text or "")  # no agenda content in the group


async def test_a_command_for_another_bot_in_the_group_is_left_alone(
    beu_committee: ChatHarness,
) -> None:
    calls = await in_group(beu_committee, SECRETARY, "/start@en_anden_bot")
    assert [c for c in calls if c.method == "sendMessage"] == []


async def test_an_agenda_sent_after_its_deadline_says_the_deadline_was(
    beu_committee: ChatHarness, clock: FrozenClock
) -> None:
    """Issue 16: "Fristen var 09-12-2026" was said ten days before that deadline."""
    await with_meeting(beu_committee)
    clock.advance(timedelta(days=17))  # 10 December: a day after the deadline
    [reply] = await beu_committee.send(SECRETARY, "/udsend")
    assert "Fristen var 09-12-2026 kl. 14.00." in (reply.text or "")
    assert "i tide" not in (reply.text or "")
