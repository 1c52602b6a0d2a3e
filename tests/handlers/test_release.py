"""/udsend and /tilknyt through the real dispatcher on a real SQLite database."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, datetime

from aiogram.types import Chat, Message, MessageEntity, Update

from agendas.model import Punkt, PunktKind
from handlers.callbacks import PunktCb
from storage.uow import SqlUnitOfWork
from tests.handlers.conftest import MEMBER, SECRETARY, TOVHOLDER
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
    assert "Fristen var 09-12-2026 kl. 14.00" in (reply.text or "")
    rows = await outbox_rows(uow_factory)
    assert {c for c, _, _ in rows} == {SECRETARY.id, MEMBER.id, TOVHOLDER.id}
    assert [k for c, k, _ in rows if c == MEMBER.id] == ["agenda", "calendar"]

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
    await chat.send(SECRETARY, "/udsend")
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
