"""Releasing the agenda, "ændret" notices, deadline warnings and reminders (frozen clock, SQLite).

What a secretary and members would notice: who gets what, once, and that a refusal stores
nothing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from sqlalchemy import text

from agendas.chatviews import Translate
from agendas.errors import NotAllowed
from agendas.mailings import CAPTION_LIMIT, visible_length
from agendas.model import Actor
from agendas.services import release, release_watch
from agendas.services.release import AlreadyReleased
from tests.delivery.conftest import NOW, ZONE, Db, add_long_sager, make_committee

Texts = Callable[[str | None], Translate]


async def outbox(db: Db) -> list[tuple[str, int, str, dict]]:  # type: ignore[type-arg]
    async with db.engine.connect() as conn:
        rows = await conn.execute(
            text("SELECT idempotency_key, chat_id, kind, payload FROM outbox ORDER BY id")
        )
        import json

        return [(k, c, kind, json.loads(p) if isinstance(p, str) else p) for k, c, kind, p in rows]


async def test_release_queues_summary_and_calendar_for_everyone(db: Db, texts: Texts) -> None:
    c = await make_committee(db, members=3)
    result = await release.release_agenda(db.uow(), c.editor, c.moede.id or 0, NOW, ZONE, texts)
    assert result.recipients == 5  # secretary, three members, the tovholder
    assert result.deadlines.frist_date == date(2027, 3, 23)  # 4 hverdage across Easter
    rows = await outbox(db)
    by_chat: dict[int, list[tuple[str, dict]]] = {}  # type: ignore[type-arg]
    for _key, chat, kind, payload in rows:
        by_chat.setdefault(chat, []).append((kind, payload))
    assert set(by_chat) == {p.telegram_id for p in c.everyone}
    for person in c.everyone:
        # A short agenda fits a caption: the .ics carries the summary, one message each.
        ((kind, ics),) = by_chat[person.telegram_id]
        assert kind == "calendar" and ics["type"] == "document"
        assert "Jobcentrets resultater" in ics["caption"]
        assert "indstiller, at orienteringen" in ics["caption"]
        assert "Mødet i din kalender" in ics["caption"]
        assert "UID:moede-" in ics["content"] and ics["file_name"].endswith(".ics")
        assert visible_length(ics["caption"]) <= CAPTION_LIMIT
        opened = [b["id"] for row in ics["buttons"] for b in row if b["target"] == "punkt"]
        assert c.sag.id in opened  # the buttons travel with the caption
        secret_visible = "Fortroligt indhold" in ics["caption"]
        assert secret_visible is (person.id != c.tovholder.id)
        assert (c.closed.id in opened) is (person.id != c.tovholder.id)
    assert len({k for k, *_ in rows}) == len(rows)


async def test_a_long_agenda_comes_in_pages_then_the_calendar_file(db: Db, texts: Texts) -> None:
    c = await make_committee(db, members=1)
    await add_long_sager(db, c, 6)
    await release.release_agenda(db.uow(), c.editor, c.moede.id or 0, NOW, ZONE, texts)
    mine = [(kind, p) for _k, chat, kind, p in await outbox(db) if chat == c.members[0].telegram_id]
    kinds = [kind for kind, _ in mine]
    assert kinds[-1] == "calendar" and set(kinds[:-1]) == {"agenda"} and len(kinds) >= 2
    text_all = "\n".join(p.get("text") or p.get("caption") or "" for _, p in mine)
    assert all(f"Lang sag {n}" in text_all for n in range(6))
    assert all(len(p["text"]) <= 4096 for kind, p in mine if kind == "agenda")
    assert visible_length(mine[-1][1]["caption"]) <= CAPTION_LIMIT


async def test_release_twice_is_refused_and_adds_nothing(db: Db, texts: Texts) -> None:
    c = await make_committee(db)
    await release.release_agenda(db.uow(), c.editor, c.moede.id or 0, NOW, ZONE, texts)
    before = await outbox(db)
    with pytest.raises(AlreadyReleased):
        await release.release_agenda(db.uow(), c.editor, c.moede.id or 0, NOW, ZONE, texts)
    assert await outbox(db) == before


async def test_member_may_not_release(db: Db, texts: Texts) -> None:
    c = await make_committee(db)
    member = Actor(c.members[0].id or 0, roles={c.udvalg.id or 0: frozenset()})
    with pytest.raises(NotAllowed):
        await release.release_agenda(db.uow(), member, c.moede.id or 0, NOW, ZONE, texts)
    assert await outbox(db) == []
    async with db.uow() as uow:
        assert await uow.releases.get(c.moede.id or 0) is None


async def test_linked_group_gets_open_punkter_only(db: Db, texts: Texts) -> None:
    c = await make_committee(db)
    await release.link_group(db.uow(), c.editor, "beu", -100123, NOW)
    result = await release.release_agenda(db.uow(), c.editor, c.moede.id or 0, NOW, ZONE, texts)
    assert result.group
    group = [p for _k, chat, kind, p in await outbox(db) if chat == -100123]
    assert group and all(p["buttons"] == [] for p in group)
    text_all = "\n".join(p["text"] for p in group)
    assert "Jobcentrets resultater" in text_all
    assert "Personsag" not in text_all and "Fortroligt" not in text_all


async def test_changes_after_release_are_announced_once(db: Db, texts: Texts) -> None:
    c = await make_committee(db, members=2)
    mid = c.moede.id or 0
    await release.release_agenda(db.uow(), c.editor, mid, NOW, ZONE, texts)
    assert await release_watch.announce_changes(db.uow(), mid, NOW, ZONE, texts) == 0
    async with db.uow() as uow:
        punkt = await uow.punkter.get(c.sag.id or 0)
        assert punkt is not None
        punkt.sections["indstilling"] = "Forvaltningen indstiller, at sagen udsættes."
        await uow.punkter.save(punkt, punkt.version)
        await uow.commit()
    later = NOW + timedelta(minutes=5)
    assert await release_watch.announce_changes(db.uow(), mid, later, ZONE, texts) == 4
    assert await release_watch.announce_changes(db.uow(), mid, later, ZONE, texts) == 0
    changed = [(k, p) for k, _c, kind, p in await outbox(db) if kind == "changed"]
    assert len(changed) == 4
    assert all("Ændret efter udsendelsen" in p["text"] for _k, p in changed)
    assert all("Jobcentrets resultater" in p["text"] for _k, p in changed)


async def test_a_moved_meeting_sends_a_new_calendar_entry(db: Db, texts: Texts) -> None:
    c = await make_committee(db, members=1)
    mid = c.moede.id or 0
    await release.release_agenda(db.uow(), c.editor, mid, NOW, ZONE, texts)
    async with db.uow() as uow:
        moede = await uow.moeder.get(mid)
        assert moede is not None
        moved = dataclasses.replace(moede, date=date(2027, 4, 8), starts_at=moede.starts_at)
        moved.starts_at = (moede.starts_at or NOW) + timedelta(days=7)
        await uow.moeder.update(moved)
        await uow.commit()
    assert await release_watch.announce_changes(db.uow(), mid, NOW, ZONE, texts) == 3
    icses = [p for k, _c, kind, p in await outbox(db) if kind == "calendar"]
    assert len(icses) == 6  # three people, first release and the move
    moved = [p for p in icses if "SEQUENCE:1" in p["content"]]
    moved_ics = [p["content"] for p in moved]
    assert len(moved_ics) == 3
    # One message each: the notice is the new file's caption.
    assert all("flyttet til 08-04-2027" in p["caption"] for p in moved)
    assert all("20270408T140000" in ics for ics in moved_ics)
    assert all(f"UID:moede-{mid}@udvalgsbot" in p["content"] for p in icses)


async def test_deadline_warning_only_while_unreleased_and_once(db: Db, texts: Texts) -> None:
    c = await make_committee(db)
    mid = c.moede.id or 0
    assert await release_watch.warn_deadline(db.uow(), mid, NOW, ZONE, texts) == 1  # the secretary
    assert await release_watch.warn_deadline(db.uow(), mid, NOW, ZONE, texts) == 0  # fired again
    warnings = [(chat, p) for _k, chat, kind, p in await outbox(db) if kind == "deadline"]
    assert [chat for chat, _ in warnings] == [c.secretary.telegram_id]
    assert "Fristen er 23-03-2027 kl. 14.00" in warnings[0][1]["text"]
    assert "/udsend" in warnings[0][1]["text"]


async def test_no_warning_after_release(db: Db, texts: Texts) -> None:
    c = await make_committee(db)
    mid = c.moede.id or 0
    await release.release_agenda(db.uow(), c.editor, mid, NOW, ZONE, texts)
    assert await release_watch.warn_deadline(db.uow(), mid, NOW, ZONE, texts) == 0


async def test_reminder_the_day_before_reaches_everyone_once(db: Db, texts: Texts) -> None:
    c = await make_committee(db, members=2)
    mid = c.moede.id or 0
    day_before = NOW + timedelta(days=9)
    assert await release_watch.remind_members(db.uow(), mid, day_before, texts) == 4
    assert await release_watch.remind_members(db.uow(), mid, day_before, texts) == 0
    reminders = [p for _k, _c, kind, p in await outbox(db) if kind == "reminder"]
    assert len(reminders) == 4
    assert "i morgen 01-04-2027 kl. 14.00, Rådhuset" in reminders[0]["text"]
    # After the meeting has started nothing more is sent.
    assert await release_watch.remind_members(db.uow(), mid, NOW + timedelta(days=11), texts) == 0
