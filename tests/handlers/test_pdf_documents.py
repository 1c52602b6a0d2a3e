"""/protokol pdf and /dagsorden pdf through the real dispatcher: the document arrives as a PDF/A
file, members get the internal edition and a tovholder the public one (told so), and a word the
command does not know gets a short Danish message."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from agendas.documents import pdf_render
from agendas.meeting.decisions import set_beslutning, set_end_time, set_public_beslutning
from agendas.meeting.loading import load_view
from tests.handlers.agenda_world import World, all_text, make_world
from tests.handlers.conftest import MEMBER, OUTSIDER, SECRETARY, TOVHOLDER
from tests.support.clock import FrozenClock
from tests.support.pdfa import assert_pdfa, pdf_text
from tests.support.recording import ChatHarness, Sent, TgUser

SECRET = "Fortroligt: en medarbejders forhold."
PUBLIC_TEXT = "Udvalget behandlede en personalesag."
PUNKTER = [
    "1. Godkendelse af dagsorden",
    "2. Meddelelser",
    "3. Budgetopfølgning 2026",
    "4. Ny ungeindsats",
    "5. Lukket punkt: Personalesag",
    "6. Eventuelt",
]


@pytest.fixture
async def world(chat: ChatHarness, database_url: str, clock: FrozenClock) -> AsyncIterator[World]:
    world = await make_world(database_url, clock)
    yield world
    await world.close()


async def decide_all(world: World, clock: FrozenClock) -> None:
    """The meeting of 10 December held: the end time, a decision on every punkt, the public
    text of the closed one."""
    clock.current = clock.current.replace(month=12, day=10, hour=16)
    sec = world.actors[SECRETARY.id]
    zone = "Europe/Copenhagen"
    await set_end_time(world.uow(), sec, world.moede_id, "15.10", zone, None, clock())
    view = await load_view(world.uow(), sec, world.moede_id)
    for punkt in view.punkter:
        await set_beslutning(world.uow(), sec, punkt.id or 0, "Godkendt", None, clock())
        if punkt.closed:
            pid = punkt.id or 0
            await set_public_beslutning(world.uow(), sec, pid, PUBLIC_TEXT, None, clock())


async def fetch(chat: ChatHarness, user: TgUser, command: str) -> tuple[Sent, list[Sent]]:
    """The one document the command sent, and everything it sent."""
    calls = await chat.send(user, command)
    documents = [c for c in calls if c.method == "sendDocument"]
    assert len(documents) == 1, calls
    assert documents[0].chat_id == user.id
    return documents[0], calls


def text_of(document: Sent) -> str:
    """The text of a PDF/A with a bookmark per punkt (the protocol is not sent for approval in
    these tests, so it has no Godkendelse section)."""
    content = document.document_bytes or b""
    assert_pdfa(content, PUNKTER)
    return pdf_text(content)


async def test_protokol_pdf_members_get_the_internal_edition_a_tovholder_the_public_one(
    chat: ChatHarness, world: World, clock: FrozenClock
) -> None:
    await decide_all(world, clock)
    document, calls = await fetch(chat, MEMBER, "/protokol pdf")
    assert document.document_name == "Beslutningsprotokol BEU 2026-12-10.pdf"
    assert "intern udgave" in (document.text or "")
    internal = text_of(document)
    assert SECRET in internal and "Bilag 1: notat.pdf" in internal
    assert "Mødet afsluttet kl. 15.10" in internal and "Udkast" in internal

    document, calls = await fetch(chat, TOVHOLDER, "/protokol pdf")
    assert document.document_name == "Beslutningsprotokol BEU 2026-12-10 offentlig.pdf"
    assert "offentlige udgave" in all_text(calls)  # told why, before the file
    public = text_of(document)
    assert "5. Lukket punkt: Personalesag" in public and PUBLIC_TEXT in public
    assert SECRET not in public and "notat.pdf" not in public

    document, _ = await fetch(chat, MEMBER, "/protokol offentlig pdf")
    assert document.document_name == "Beslutningsprotokol BEU 2026-12-10 offentlig.pdf"
    assert SECRET not in text_of(document)

    # The secretary gets the protocol menu after the file, as with Word; an older meeting by date.
    document, calls = await fetch(chat, SECRETARY, "/protokol pdf 10-12-2026")
    assert document.document_name == "Beslutningsprotokol BEU 2026-12-10.pdf"
    assert "📨 Send til godkendelse" in str(calls[-1].buttons())
    # Without "pdf" it is still the Word file.
    document, _ = await fetch(chat, MEMBER, "/protokol")
    assert document.document_name == "Beslutningsprotokol BEU 2026-12-10.docx"


async def test_protokol_pdf_with_a_bad_word_or_date_is_answered_in_danish(
    chat: ChatHarness, world: World
) -> None:
    for command in ("/protokol pdf hemmelig", "/protokol pdf 31-02-2026"):
        [usage] = await chat.send(MEMBER, command)
        assert "/protokol pdf" in (usage.text or "") and "fx /protokol 12-01-2026" in (
            usage.text or ""
        )
    [nothing] = await chat.send(OUTSIDER, "/protokol pdf")
    assert "ingen møder" in (nothing.text or "")


async def test_dagsorden_pdf_is_the_next_meetings_agenda_by_role(
    chat: ChatHarness, world: World
) -> None:
    document, calls = await fetch(chat, MEMBER, "/dagsorden pdf")
    assert document.document_name == "Dagsorden BEU 2026-12-10.pdf"
    internal = text_of(document)
    assert SECRET in internal and "notat.pdf" in internal
    assert "Budgetopfølgning 2026" in internal and "Beslutning" not in internal.replace(
        "Beslutningskompetence", ""
    )
    assert not [c for c in calls if c.method == "sendMessage"]  # just the file for a member

    document, calls = await fetch(chat, TOVHOLDER, "/dagsorden pdf")
    assert document.document_name == "Dagsorden BEU 2026-12-10 offentlig.pdf"
    assert "offentlige udgave" in all_text(calls)
    public = text_of(document)
    assert "5. Lukket punkt: Personalesag" in public
    assert SECRET not in public and "notat.pdf" not in public

    document, _ = await fetch(chat, SECRETARY, "/dagsorden PDF offentlig")
    assert document.document_name == "Dagsorden BEU 2026-12-10 offentlig.pdf"

    # /dagsorden alone is still the overview in chat.
    calls = await chat.send(MEMBER, "/dagsorden")
    assert not [c for c in calls if c.method == "sendDocument"]
    assert "Budgetopfølgning 2026" in all_text(calls)


async def test_dagsorden_with_a_word_it_does_not_know_says_what_to_type(
    chat: ChatHarness, world: World
) -> None:
    for command in ("/dagsorden word", "/dagsorden offentlig", "/dagsorden pdf hemmelig"):
        calls = await chat.send(MEMBER, command)
        assert [c.method for c in calls] == ["sendMessage"], command
        assert "/dagsorden pdf" in (calls[0].text or "")
        assert (calls[0].text or "").startswith("Skriv /dagsorden")
    [nobody] = await chat.send(OUTSIDER, "/dagsorden pdf")
    assert "ikke med i noget udvalg" in (nobody.text or "")


async def test_without_the_pdf_tool_the_member_is_told_to_take_the_word_file(
    chat: ChatHarness, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    def missing() -> None:
        raise pdf_render.PdfUnavailable()

    monkeypatch.setattr(pdf_render, "load_weasyprint", missing)
    calls = await chat.send(MEMBER, "/dagsorden pdf")
    assert not [c for c in calls if c.method == "sendDocument"]
    assert "PDF-filen kan ikke laves" in all_text(calls) and "/dagsorden_docx" in all_text(calls)
