"""/soeg through the real dispatcher: stemming, phrases, filters, paging, sorting, and what a
closed punkt shows to whom (results, counts and snippets)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from agendas.records import DecisionRecord
from agendas.services import punkter
from agendas.services.punkter import SagDraft
from handlers.callbacks import PunktCb
from tests.handlers.agenda_world import World, alerts, last_message, make_world, messages
from tests.handlers.conftest import MEMBER, OUTSIDER, SECRETARY, TOVHOLDER
from tests.support.clock import FrozenClock
from tests.support.recording import ChatHarness, Sent, TgUser


@pytest.fixture
async def world(database_url: str, clock: FrozenClock) -> AsyncIterator[World]:
    w = await make_world(database_url, clock)
    secretary = w.actors[SECRETARY.id]
    await punkter.add_sag(
        w.uow(),
        secretary,
        w.later_moede_id,
        SagDraft(title="Ældrepleje i eget hjem", sections={"sagens_kerne": "Hjemmepleje."}),
        clock(),
    )
    async with w.uow() as uow:
        await uow.decisions.put(
            DecisionRecord(
                w.closed_id,
                beslutning="Afskedigelsen godkendt",
                public_beslutning="Udvalget traf afgørelse i en personalesag",
            )
        )
        await uow.decisions.put(DecisionRecord(w.second_id, beslutning="Udsat til næste møde"))
        await uow.commit()
    yield w
    await w.close()


async def soeg(chat: ChatHarness, user: TgUser, query: str) -> Sent:
    return last_message(await chat.send(user, f"/soeg {query}"))


async def test_words_are_found_in_every_form(chat: ChatHarness, world: World) -> None:
    reply = await soeg(chat, MEMBER, "budgettet")
    assert "1 resultat" in (reply.text or "")
    assert "BEU</b> 10-12-2026 · punkt 3: Budgetopfølgning 2026" in (reply.text or "")
    assert "under <b>budgettet</b>" in (reply.text or "")
    reply = await soeg(chat, MEMBER, "ældreplejen")
    assert "<b>Ældrepleje</b> i eget hjem" in (reply.text or "")
    assert "14-01-2027" in (reply.text or "")


async def test_phrases_fields_and_filters(chat: ChatHarness, world: World) -> None:
    assert "Ny ungeindsats" in ((await soeg(chat, MEMBER, '"unge under 25 år"')).text or "")
    assert "Ingen resultater" in ((await soeg(chat, MEMBER, '"25 år unge"')).text or "")
    decided = (await soeg(chat, MEMBER, "beslutning: udsat")).text or ""
    assert "Ny ungeindsats" in decided and "<b>Udsat</b> til næste møde" in decided
    assert "Ingen resultater" in ((await soeg(chat, MEMBER, "titel: udsat")).text or "")
    assert "Ingen resultater" in ((await soeg(chat, MEMBER, "ældrepleje 2026")).text or "")
    assert "Ældrepleje" in ((await soeg(chat, MEMBER, "ældrepleje BEU 2027")).text or "")


async def test_bad_searches_say_what_to_do(chat: ChatHarness, world: World) -> None:
    assert "Skriv, hvad du søger efter" in ((await soeg(chat, MEMBER, "")).text or "")
    assert "mindst ét ord" in ((await soeg(chat, MEMBER, "BEU 2026")).text or "")
    unknown = (await soeg(chat, MEMBER, "budget XYZ")).text or ""
    assert "Udvalget XYZ kender jeg ikke" in unknown and "BEU" in unknown
    assert "for almindelige" in ((await soeg(chat, MEMBER, "og i")).text or "")
    assert "beslutning:" in ((await soeg(chat, MEMBER, "budget beslutning:")).text or "")
    assert "ikke med i noget udvalg" in ((await soeg(chat, OUTSIDER, "budget")).text or "")


async def _many(world: World, clock: FrozenClock, count: int) -> None:
    for n in range(count):
        await punkter.add_sag(
            world.uow(),
            world.actors[SECRETARY.id],
            world.moede_id,
            SagDraft(title=f"Tema {n}: plejehjem", sections={"sagens_kerne": "Om plejehjem."}),
            clock(),
        )


async def test_pages_and_sort_edit_the_results_in_place(
    chat: ChatHarness, world: World, clock: FrozenClock
) -> None:
    await _many(world, clock, 7)
    first = await soeg(chat, SECRETARY, "plejehjem")
    assert "7 resultater" in (first.text or "") and "side 1 af 2" in (first.text or "")
    assert (first.text or "").count("Tema") == 5
    calls = await chat.press(SECRETARY, first, first.button("Næste"))
    edited = [c for c in calls if c.method == "editMessageText"][-1]
    assert "side 2 af 2" in (edited.text or "") and (edited.text or "").count("Tema") == 2
    assert (edited.text or "").startswith("🔎") and "6. " in (edited.text or "")
    calls = await chat.press(SECRETARY, edited, edited.button("relevans"))
    resorted = [c for c in calls if c.method == "editMessageText"][-1]
    assert "mest relevante først" in (resorted.text or "")
    assert "side 1 af 2" in (resorted.text or "")
    assert resorted.button("nyeste først")
    by_word = await soeg(chat, SECRETARY, "plejehjem relevans")
    assert "mest relevante først" in (by_word.text or "")


async def test_an_old_button_asks_for_a_new_search(
    chat: ChatHarness, world: World, clock: FrozenClock
) -> None:
    await _many(world, clock, 7)
    first = await soeg(chat, SECRETARY, "plejehjem")
    other = Sent(method="sendMessage", chat_id=SECRETARY.id, text=first.text, message_id=999)
    calls = await chat.press(SECRETARY, other, first.button("Næste"))
    assert any("Søg igen" in a for a in alerts(calls))


async def test_a_closed_punkt_is_searched_only_by_those_who_may_read_it(
    chat: ChatHarness, world: World
) -> None:
    for reader in (MEMBER, SECRETARY):
        reply = await soeg(chat, reader, "fortroligt")
        assert "1 resultat" in (reply.text or "") and "🔒" in (reply.text or "")
        assert "<b>Fortroligt</b>" in (reply.text or "")
        calls = await chat.press(reader, reply, reply.button("Personalesag"))
        assert "en medarbejders forhold" in (last_message(calls).text or "")
    assert "Ingen resultater" in ((await soeg(chat, TOVHOLDER, "fortroligt")).text or "")
    assert "Ingen resultater" in ((await soeg(chat, TOVHOLDER, "afskedigelsen")).text or "")
    # its title and public decision text are found by everyone in the udvalg, nothing more
    for user in (TOVHOLDER, MEMBER):
        reply = await soeg(chat, user, "afgørelse")
        assert "1 resultat" in (reply.text or "") and "Personalesag" in (reply.text or "")
    seen = (await soeg(chat, TOVHOLDER, "personalesag")).text or ""
    assert "1 resultat" in seen
    assert "medarbejder" not in seen and "Afskedigelsen" not in seen
    assert "traf afgørelse i en <b>personalesag</b>" in seen
    reply = await soeg(chat, TOVHOLDER, "personalesag")
    assert reply.buttons() == []  # no open button for what they may not open


async def test_open_punkt_from_the_results_is_the_agenda_view(
    chat: ChatHarness, world: World
) -> None:
    reply = await soeg(chat, TOVHOLDER, "ungeindsats")
    data = reply.button("Ny ungeindsats")
    assert data == PunktCb(action="open", punkt_id=world.second_id).pack()
    calls = await chat.press(TOVHOLDER, reply, data)
    assert "Unge under 25 år" in (last_message(calls).text or "")


async def test_help_names_the_search(chat: ChatHarness, world: World) -> None:
    calls = await chat.send(MEMBER, "/hjaelp")
    assert "/soeg" in "\n".join(c.text or "" for c in messages(calls))
