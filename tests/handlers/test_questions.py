"""Spørgsmål og svar: a member asks the forvaltning about a sag before the meeting, the
secretary answers from the button the outbox brought, every member is told, and the question
and answer are on the punkt and in the internal agenda and protocol, never in a public version.

Through the real dispatcher on a real SQLite file, as ``test_member_punkt``.
"""

from __future__ import annotations

import html
from collections.abc import AsyncIterator

import pytest

from agendas.documents.html_render import render_html
from agendas.meeting.documents import ProtokolRequest, build_document, protokol_document
from handlers.callbacks import MemberCb, QuestionCb
from tests.handlers.agenda_world import SECRETARY2, World, all_text, last_message
from tests.handlers.conftest import MEMBER, SECRETARY, TOVHOLDER
from tests.handlers.members_world import (
    FORMAND,
    ZONE,
    members_world,
    other_udvalg,
    refusals,
    snapshot,
)
from tests.handlers.test_meeting import btn, deliver_outbox, docx_text
from tests.handlers.test_member_punkt import meeting_day, member_punkt
from tests.support.clock import FrozenClock
from tests.support.recording import ChatHarness

QUESTION = "Hvor mange medarbejdere berøres af sagen?"
ANSWER = "To medarbejdere i Jobcentret; begge er orienteret."


@pytest.fixture
async def world(chat: ChatHarness, database_url: str, clock: FrozenClock) -> AsyncIterator[World]:
    world = await members_world(database_url, clock)
    yield world
    await world.close()


async def test_a_question_is_answered_and_kept_on_the_punkt_for_members_only(
    chat: ChatHarness, world: World, clock: FrozenClock
) -> None:
    punkt = await member_punkt(chat, "Personalesag")  # a closed punkt
    ask = last_message(await chat.press(MEMBER, punkt, punkt.button("Spørg forvaltningen")))
    assert "Punkt 5 »Personalesag«: skriv dit spørgsmål" in (ask.text or "")
    calls = await chat.send(MEMBER, QUESTION)
    assert "Dit spørgsmål til punkt 5 »Personalesag« er sendt til sekretæren" in all_text(calls)

    # Both secretaries get it with "Svar"; one answers.
    delivered = await deliver_outbox(chat, world)
    asked = [c for c in delivered if QUESTION in (c.text or "")]
    assert {c.chat_id for c in asked} == {SECRETARY.id, SECRETARY2.id}
    notice = next(c for c in asked if c.chat_id == SECRETARY.id)
    # "Svar" is the secretary's: a member pressing it (a forwarded button) is refused.
    assert "sekretær" in refusals(await chat.press(MEMBER, notice, btn(notice, "Svar"))).lower()
    assert "Spørgsmål fra Mads Medlem til punkt 5 »Personalesag«" in (notice.text or "")
    prompt = last_message(await chat.press(SECRETARY, notice, btn(notice, "✍️ Svar")))
    assert QUESTION in (prompt.text or "") and "Skriv svaret" in (prompt.text or "")
    clock.current = clock.current.replace(day=24, hour=8, minute=15)
    calls = await chat.send(SECRETARY, ANSWER)
    assert "Svaret er gemt på punkt 5 og sendt til 2 medlemmer." in all_text(calls)

    # Every member is told (Mads and Lene), nobody else.
    delivered = await deliver_outbox(chat, world)
    told = [c for c in delivered if ANSWER in (c.text or "")]
    assert {c.chat_id for c in told} == {MEMBER.id, FORMAND.id}
    assert "Spørgsmål og svar til punkt 5 »Personalesag«" in (told[0].text or "")
    assert QUESTION in (told[0].text or "")
    # The second secretary's "Svar" is refused now: answered once.
    other = next(c for c in asked if c.chat_id == SECRETARY2.id)
    before = await snapshot(world)
    calls = await chat.press(SECRETARY2, other, btn(other, "✍️ Svar"))
    assert "allerede besvaret" in refusals(calls)
    assert await snapshot(world) == before

    # On the punkt, for members: who asked, when, the answer, who answered, when.
    punkt = await member_punkt(chat, "Personalesag", FORMAND)
    shown = punkt.text or ""
    assert "<b>Spørgsmål og svar</b>" in shown
    assert f"❓ Mads Medlem, 23-11-2026 10.00:\n{QUESTION}" in shown
    assert f"💬 Svar fra Sofie Sekretær, 24-11-2026 09.15:\n{ANSWER}" in shown

    # The internal agenda and protocol have it; no public version does.
    sec = world.actors[SECRETARY.id]
    for protokol in (False, True):
        texts = {}
        for public in (False, True):
            request = ProtokolRequest(world.moede_id, protokol=protokol, public=public)
            found = await protokol_document(world.uow(), sec, request, clock(), ZONE)
            assert found is not None
            texts[public] = docx_text(found.content)
        assert "Spørgsmål og svar" in texts[False]
        assert f"Spørgsmål fra Mads Medlem 23-11-2026 kl. 10.00: {QUESTION}" in texts[False]
        assert f"Svar fra Sofie Sekretær 24-11-2026 kl. 09.15: {ANSWER}" in texts[False]
        assert QUESTION not in texts[True] and ANSWER not in texts[True]
        assert "Spørgsmål og svar" not in texts[True]
    # The HTML (PDF/A and the web archive) says the same as the Word files.
    document, _ = await build_document(world.uow(), sec, world.moede_id, ZONE)
    internal = render_html(document, protokol=True, public=False)
    assert "Spørgsmål og svar" in internal and html.escape(QUESTION) in internal
    assert html.escape(ANSWER) in internal
    public = render_html(document, protokol=True, public=True)
    assert "Spørgsmål og svar" not in public and html.escape(QUESTION) not in public


async def test_questions_close_when_the_meeting_begins(
    chat: ChatHarness, world: World, clock: FrozenClock
) -> None:
    _, sou_sag = await other_udvalg(world)
    punkt = await member_punkt(chat, "Budgetopfølgning")
    ask = punkt.button("Spørg forvaltningen")
    before = await snapshot(world)
    # Not a member of that udvalg; a tovholder; an empty question (asked again).
    forged = MemberCb(action="ask", target=sou_sag).pack()
    assert "Kun udvalgets medlemmer" in refusals(await chat.press(MEMBER, punkt, forged))
    assert "Kun udvalgets medlemmer" in refusals(await chat.press(TOVHOLDER, punkt, ask))
    # A forged "Svar" for a question that is not there.
    answer = QuestionCb(action="answer", question_id=999).pack()
    assert "findes ikke længere" in refusals(await chat.press(SECRETARY, punkt, answer))
    await chat.press(MEMBER, punkt, ask)
    [again] = await chat.send(MEMBER, "   ")
    assert "Skriv dit spørgsmål" in (again.text or "")
    # The question typed after the meeting began: a short Danish refusal, nothing stored.
    meeting_day(clock)
    calls = await chat.send(MEMBER, QUESTION)
    assert "Mødet 10-12-2026 er begyndt eller holdt" in refusals(calls)
    assert "er begyndt" in refusals(await chat.press(MEMBER, punkt, ask))
    assert await snapshot(world) == before
