"""/nysag: the guided dialog, bilag on the open sag, bad input, and a restart in the middle."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from agendas.model import Sagstype
from handlers.callbacks import MoedeCb, NySagCb
from tests.handlers.agenda_world import (
    FORVALTNING,
    World,
    alerts,
    all_text,
    last_message,
    make_world,
    messages,
    restarted,
)
from tests.handlers.conftest import MEMBER, SECRETARY, TOVHOLDER
from tests.support.clock import FrozenClock
from tests.support.recording import ChatHarness, Sent


@pytest.fixture
async def world(database_url: str, clock: FrozenClock) -> AsyncIterator[World]:
    w = await make_world(database_url, clock)
    yield w
    await w.close()


async def start_on_first_meeting(chat: ChatHarness, command: str = "/nysag") -> list[Sent]:
    """The world has two coming meetings: /nysag asks which; take the first (10-12-2026)."""
    choice = last_message(await chat.send(SECRETARY, command))
    assert "Hvilket møde" in (choice.text or "")
    return await chat.press(SECRETARY, choice, choice.button("10-12-2026"))


async def answer_head(chat: ChatHarness, calls: list[Sent], title: str) -> Sent:
    """Title, sagstype, kompetence ØU, open; returns the first section question."""
    calls = await chat.send(SECRETARY, title)
    question = last_message(calls)
    assert "Hvilken type sag" in (question.text or "")
    question = last_message(await chat.press(SECRETARY, question, question.button("beslutning")))
    assert "beslutningskompetencen" in (question.text or "")
    assert [label for label, _ in question.buttons()] == ["BEU", "ØU", "KB", "Andet – skriv selv"]
    question = last_message(await chat.press(SECRETARY, question, question.button("ØU")))
    assert "lukket punkt" in (question.text or "")
    return last_message(await chat.press(SECRETARY, question, question.button("Nej")))


async def test_full_dialog_with_skips_and_a_bilag(chat: ChatHarness, world: World) -> None:
    calls = await start_on_first_meeting(chat)
    assert "Skriv sagens titel" in all_text(calls)
    question = await answer_head(chat, calls, "Ny rehabiliteringsindsats")
    assert "<b>Sagens kerne</b> (1/7)" in (question.text or "")
    assert question.buttons() == []  # required: no "Spring over"
    question = last_message(await chat.send(SECRETARY, "Flere borgere skal i job."))
    assert "<b>Indstilling</b> (2/7)" in (question.text or "")
    assert f"{FORVALTNING} indstiller, at …" in (question.text or "")
    assert question.buttons() == []
    question = last_message(
        await chat.send(SECRETARY, f"{FORVALTNING} indstiller, at indsatsen godkendes.")
    )
    assert "Tidligere beslutninger" in (question.text or "")
    question = last_message(await chat.press(SECRETARY, question, question.button("Spring over")))
    assert "Sagsfremstilling" in (question.text or "")
    question = last_message(await chat.send(SECRETARY, "Indsatsen løber i to år."))
    for title in ("Lov- og plangrundlag", "Økonomiske konsekvenser"):
        assert title in (question.text or "")
        question = last_message(
            await chat.press(SECRETARY, question, question.button("Spring over"))
        )
    assert "Tidsplan" in (question.text or "")
    calls = await chat.press(SECRETARY, question, question.button("Spring over"))
    text = all_text(calls)
    assert "Sagen er gemt som punkt 5" in text
    assert "<b>5. Ny rehabiliteringsindsats</b>" in text
    assert "Beslutningskompetence: ØU · Til beslutning" in text
    assert "Indsatsen løber i to år." in text
    finish = last_message(calls)
    assert "Send dokumenter nu" in (finish.text or "")

    agenda = await world.agenda()
    sag = next(p for p in agenda.punkter if p.title == "Ny rehabiliteringsindsats")
    assert sag.number == 5 and not sag.closed
    assert sag.sagstype is Sagstype.BESLUTNING and sag.beslutningskompetence == "ØU"
    assert set(sag.sections) == {"sagens_kerne", "indstilling", "sagsfremstilling"}

    # documents sent now are attached; wrong type and oversized ones are refused
    content = b"PK\x03\x04" + bytes(range(256)) * 100
    calls = await chat.send_document(SECRETARY, "Budget bilag.docx", content, "application/x")
    assert "Budget bilag.docx er vedhæftet som bilag 1" in all_text(calls)
    calls = await chat.send_document(SECRETARY, "virus.exe", b"MZ")
    assert "kan ikke bruges som bilag" in all_text(calls)
    before = len(chat.session.calls)
    calls = await chat.send_document(SECRETARY, "stor.pdf", b"%PDF", size=25 * 1024 * 1024)
    assert "Filen er for stor. Bilag må højst fylde 20 MB." in all_text(calls)
    assert not [c for c in chat.session.calls[before:] if c.method == "GetFile"]
    assert len((await world.punkt(sag.id or 0)).bilag) == 1

    done = last_message(calls)
    calls = await chat.press(SECRETARY, done, done.button("Færdig"))
    assert "Færdig" in all_text(calls)
    calls = await chat.send_document(SECRETARY, "senere.pdf", b"%PDF-1.4")
    assert "åbn sagen først" in all_text(calls)  # offered for import; a bilag needs the sag
    assert len((await world.punkt(sag.id or 0)).bilag) == 1

    # a member downloads it back, byte for byte
    overview = last_message(await chat.send(MEMBER, "/dagsorden"))
    view = last_message(
        await chat.press(MEMBER, overview, overview.button("Ny rehabiliteringsindsats"))
    )
    sent = await chat.press(MEMBER, view, view.button("Budget bilag.docx"))
    documents = [c for c in sent if c.method == "sendDocument"]
    assert documents[0].document_bytes == content
    assert documents[0].document_name == "Budget bilag.docx"


async def test_title_argument_other_kompetence_and_closed(chat: ChatHarness, world: World) -> None:
    calls = await start_on_first_meeting(chat, "/nysag Lukket sag om ansættelse")
    question = last_message(calls)
    assert "Hvilken type sag" in (question.text or "")
    question = last_message(await chat.press(SECRETARY, question, question.button("drøftelse")))
    question = last_message(await chat.press(SECRETARY, question, question.button("Andet")))
    assert "Skriv, hvem der har beslutningskompetencen" in (question.text or "")
    question = last_message(await chat.send(SECRETARY, "Regionsrådet"))
    question = last_message(await chat.press(SECRETARY, question, question.button("Ja")))
    await chat.send(SECRETARY, "Kernen.")
    question = last_message(await chat.send(SECRETARY, "Indstillingen."))
    for _ in range(5):
        question = last_message(
            await chat.press(SECRETARY, question, question.button("Spring over"))
        )
    agenda = await world.agenda()
    sag = next(p for p in agenda.punkter if p.title == "Lukket sag om ansættelse")
    assert sag.closed and sag.sagstype is Sagstype.DROEFTELSE
    assert sag.beslutningskompetence == "Regionsrådet"
    assert sag.number == 6  # after the other closed punkt, before Eventuelt


async def test_one_meeting_is_used_without_asking(
    chat: ChatHarness, database_url: str, clock: FrozenClock
) -> None:
    from datetime import date, time

    from agendas.services import meetings

    w = await make_world(database_url, clock, with_moede=False)
    try:
        await meetings.create_moede(
            w.uow(),
            w.actors[SECRETARY.id],
            "BEU",
            date(2026, 12, 3),
            time(9),
            "",
            clock(),
            "Europe/Copenhagen",
        )
        calls = await chat.send(SECRETARY, "/nysag")
        assert "Ny sag til Beskæftigelsesudvalget, mødet 03-12-2026" in all_text(calls)
    finally:
        await w.close()


async def test_no_coming_meeting(chat: ChatHarness, database_url: str, clock: FrozenClock) -> None:
    w = await make_world(database_url, clock, with_moede=False)
    try:
        calls = await chat.send(SECRETARY, "/nysag")
        assert "Opret først et møde med /nytmoede" in all_text(calls)
    finally:
        await w.close()


async def test_only_the_secretary_may_add_a_sag(chat: ChatHarness, world: World) -> None:
    for user in (MEMBER, TOVHOLDER):
        calls = await chat.send(user, "/nysag Noget")
        assert all_text(calls) == "Kun udvalgets sekretær kan gøre det."
    overview = last_message(await chat.send(MEMBER, "/dagsorden"))
    calls = await chat.press(
        MEMBER, overview, MoedeCb(action="nysag", moede_id=world.moede_id).pack()
    )
    # The button was answered already: the refusal comes as a message, not a second answer.
    assert len([c for c in calls if c.method == "answerCallbackQuery"]) == 1
    assert "Kun udvalgets sekretær kan gøre det." in all_text(calls)
    assert len((await world.agenda()).punkter) == 6


async def test_bad_input_is_asked_again_and_nothing_is_stored(
    chat: ChatHarness, world: World
) -> None:
    await start_on_first_meeting(chat)
    calls = await chat.send(SECRETARY, "T" * 201)
    assert "Titlen er for lang (201 tegn, højst 200)" in all_text(calls)
    assert "Skriv sagens titel" in (last_message(calls).text or "")
    question = last_message(await chat.send(SECRETARY, "En gyldig titel"))
    # typing where a button is expected
    calls = await chat.send(SECRETARY, "til beslutning")
    assert "Vælg med knapperne" in all_text(calls)
    question = last_message(calls)
    question = last_message(await chat.press(SECRETARY, question, question.button("orientering")))
    # an old button from an earlier step is stale
    calls = await chat.press(SECRETARY, question, NySagCb(action="type", value="beslutning").pack())
    assert alerts(calls) == ["Knappen er forældet. Hent en ny oversigt, fx med /dagsorden."]
    question = last_message(await chat.press(SECRETARY, question, question.button("BEU")))
    question = last_message(await chat.press(SECRETARY, question, question.button("Nej")))
    calls = await chat.send(SECRETARY, "k" * 20_001)
    assert "Teksten er for lang (20001 tegn, højst 20000)" in all_text(calls)
    assert "<b>Sagens kerne</b>" in (last_message(calls).text or "")
    # a document in the middle of the dialog is not taken
    calls = await chat.send_document(SECRETARY, "tidligt.pdf", b"%PDF")
    assert "Bilag kan vedhæftes, når sagen er gemt" in all_text(calls)
    assert len((await world.agenda()).punkter) == 6
    # /annuller leaves the dialog with nothing stored
    calls = await chat.send(SECRETARY, "/annuller")
    assert "Annulleret" in all_text(calls)
    assert len((await world.agenda()).punkter) == 6
    calls = await chat.send(SECRETARY, "Kernen")
    assert "Jeg forstår kun kommandoer" in all_text(calls)


@pytest.mark.parametrize("blank", ["\u200b", "\u200f\u200e", "\u3164", "\ufeff \u2060", "-", "…"])
async def test_invisible_or_dash_only_text_is_no_title_and_fills_no_required_section(
    chat: ChatHarness, world: World, blank: str
) -> None:
    """Issue 16: a zero-width space, direction marks, U+3164 or a lone "-" is not text."""
    await start_on_first_meeting(chat)
    calls = await chat.send(SECRETARY, blank)
    assert "Skriv sagens titel" in (last_message(calls).text or "")
    assert "Titlen" in all_text(calls) or "titel" in all_text(calls)
    question = last_message(await chat.send(SECRETARY, "\u200bEn gyldig titel\u200f"))
    question = last_message(await chat.press(SECRETARY, question, question.button("orientering")))
    question = last_message(await chat.press(SECRETARY, question, question.button("BEU")))
    question = last_message(await chat.press(SECRETARY, question, question.button("Nej")))
    calls = await chat.send(SECRETARY, blank)
    assert "<b>Sagens kerne</b>" in (last_message(calls).text or "")  # asked again
    assert len((await world.agenda()).punkter) == 6


async def test_skip_pressed_twice_is_stale(chat: ChatHarness, world: World) -> None:
    calls = await start_on_first_meeting(chat)
    await answer_head(chat, calls, "Titel")
    await chat.send(SECRETARY, "Kerne")
    question = last_message(await chat.send(SECRETARY, "Indstilling"))
    await chat.press(SECRETARY, question, question.button("Spring over"))
    calls = await chat.press(SECRETARY, question, question.button("Spring over"))
    assert alerts(calls) == ["Knappen er forældet. Hent en ny oversigt, fx med /dagsorden."]
    assert not messages(calls)


async def test_add_sag_button_on_the_agenda_starts_the_dialog(
    chat: ChatHarness, world: World
) -> None:
    overview = last_message(await chat.send(SECRETARY, "/dagsorden"))
    calls = await chat.press(SECRETARY, overview, overview.button("Ny sag"))
    assert "Ny sag til Beskæftigelsesudvalget, mødet 10-12-2026" in all_text(calls)


async def test_attach_bilag_to_an_existing_punkt(chat: ChatHarness, world: World) -> None:
    overview = last_message(await chat.send(SECRETARY, "/dagsorden"))
    menu = last_message(await chat.press(SECRETARY, overview, overview.button("✏️ 3")))
    listing = last_message(await chat.press(SECRETARY, menu, menu.button("📎 Bilag")))
    prompt = last_message(await chat.press(SECRETARY, listing, listing.button("Tilføj bilag")))
    assert "Send dokumenterne til punkt 3. Budgetopfølgning 2026" in (prompt.text or "")
    calls = await chat.send_document(SECRETARY, "regnskab.xlsx", b"PK\x03\x04data")
    assert "vedhæftet som bilag 1" in all_text(calls)
    bilag = (await world.punkt(world.open_id)).bilag
    assert [b.file_name for b in bilag] == ["regnskab.xlsx"]
    # /annuller now tells the truth: the bilag sent are stored (issue 16, item 3).
    calls = await chat.send(SECRETARY, "/annuller")
    assert "Sagen »Budgetopfølgning 2026« og de bilag, du har sendt, er gemt" in all_text(calls)
    assert "Intet fra dialogen er gemt" not in all_text(calls)
    assert [b.file_name for b in (await world.punkt(world.open_id)).bilag] == ["regnskab.xlsx"]


async def test_dialog_survives_a_restart(
    chat: ChatHarness, world: World, clock: FrozenClock
) -> None:
    calls = await start_on_first_meeting(chat)
    question = await answer_head(chat, calls, "Sag fra før genstart")
    question = last_message(await chat.send(SECRETARY, "Kernen skrevet før genstart."))
    assert "Indstilling" in (question.text or "")

    # the bot process is replaced: a new dispatcher and storage on the same database file
    second, engine = await restarted(world.url, clock)
    try:
        question = last_message(await second.send(SECRETARY, "Indstillingen efter genstart."))
        assert "Tidligere beslutninger" in (question.text or "")
        for _ in range(5):
            question = last_message(
                await second.press(SECRETARY, question, question.button("Spring over"))
            )
        assert "Send dokumenter nu" in (question.text or "")
        calls = await second.send_document(SECRETARY, "efter.pdf", b"%PDF-1.4 efter")
        assert "vedhæftet som bilag 1" in all_text(calls)
    finally:
        await engine.dispose()
    agenda = await world.agenda()
    sag = next(p for p in agenda.punkter if p.title == "Sag fra før genstart")
    assert sag.section("sagens_kerne") == "Kernen skrevet før genstart."
    assert sag.section("indstilling") == "Indstillingen efter genstart."
    assert sag.beslutningskompetence == "ØU"
    assert [b.file_name for b in (await world.punkt(sag.id or 0)).bilag] == ["efter.pdf"]


async def test_a_long_text_split_by_the_app_is_one_answer(chat: ChatHarness, world: World) -> None:
    """Issue 16: the second part of a pasted text was taken as the answer to the next question."""
    await start_on_first_meeting(chat)
    question = last_message(await chat.send(SECRETARY, "Lang sag"))
    question = last_message(await chat.press(SECRETARY, question, question.button("orientering")))
    question = last_message(await chat.press(SECRETARY, question, question.button("BEU")))
    last_message(await chat.press(SECRETARY, question, question.button("Nej")))
    parts = ["a" * 4000, "b" * 4090, "c" * 700]
    first = await chat.send(SECRETARY, parts[0])
    assert "Teksten er lang (4000 tegn)" in all_text(first)
    second = await chat.send(SECRETARY, parts[1])
    assert "Del 2 er med (8090 tegn i alt)" in all_text(second)
    third = await chat.send(SECRETARY, parts[2])
    assert "<b>Indstilling</b>" in (last_message(third).text or "")
    # A text that was that long on its own is ended with a full stop.
    held = await chat.send(SECRETARY, "i" * 3900)
    assert "skriv et punktum" in all_text(held)
    done = await chat.send(SECRETARY, ".")
    question = last_message(done)
    assert "Tidligere beslutninger" in (question.text or "")
    # A part held for a section that is then skipped is not joined to the next section's text.
    assert "skriv et punktum" in all_text(await chat.send(SECRETARY, "t" * 3900))
    question = last_message(await chat.press(SECRETARY, question, question.button("Spring over")))
    assert "Sagsfremstilling" in (question.text or "")
    question = last_message(await chat.send(SECRETARY, "Kort."))
    assert "Lov- og plangrundlag" in (question.text or "")
    for _ in range(3):
        question = last_message(
            await chat.press(SECRETARY, question, question.button("Spring over"))
        )
    agenda = await world.agenda()
    sag = next(p for p in agenda.punkter if p.title == "Lang sag")
    assert sag.section("sagens_kerne") == "\n".join(parts)
    assert sag.section("tidligere_beslutninger") == ""
    assert sag.section("sagsfremstilling") == "Kort."
    calls = await chat.send(SECRETARY, "/annuller")
    assert "Sagen »Lang sag« og de bilag, du har sendt, er gemt" in all_text(calls)
