"""The committee cycle as users live it, against the real bot process, in both modes.

The tests of this module share the bot process of their mode and build on each other in file
order: the invite flow, then a meeting with a sag and a bilag, then a member reading it. Each step
is also reachable on its own (``World.setup_*`` runs what is missing), so one test can run alone.
"""

from __future__ import annotations

import pytest

from tests.e2e.world import CODE, FORVALTNING, UDVALG, World, dk, future_date

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="session")]

TITLE = "Ny rehabiliteringsindsats"
KERNE = "Flere borgere i ressourceforløb skal tættere på job."
INDSTILLING = f"{FORVALTNING} indstiller, at indsatsen godkendes."
FREMSTILLING = "Indsatsen løber i to år og evalueres efter det første år."
OEKONOMI = "Udgiften på 1,2 mio. kr. afholdes inden for rammen."
#: A small but real-looking PDF, with every byte value in it so nothing may be re-encoded.
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"


async def test_invite_flow_and_a_used_link_is_refused(world: World) -> None:
    committee = await world.setup_committee()
    assert world.count("SELECT count(*) FROM membership") == 2

    outsider = await world.client.create_user("Ole", last_name="Udenfor")
    refused = await world.ask(outsider, f"/start {committee.member_link}", "Invitationslinket")
    assert "allerede brugt" in (refused.text or "")
    # ... and it made nobody a member: Ole still sees only the explanation for outsiders.
    answer = await world.ask(outsider, "/dagsorden", "invitationslink")
    assert "Du er ikke med i noget udvalg endnu" in (answer.text or "")
    assert world.count("SELECT count(*) FROM membership") == 2


async def test_meeting_sag_and_bilag_through_the_dialogs(world: World) -> None:
    committee = await world.setup_committee()
    day = await world.setup_meeting()
    sec = committee.secretary

    await world.client.send_command(sec, "nysag")
    question = await world.expect(sec, "Skriv sagens titel")
    assert f"{UDVALG}, mødet {dk(day)}" in (question.text or "")
    question = await world.ask(sec, TITLE, "Hvilken type sag")
    assert question.button_texts == ["Til orientering", "Til drøftelse", "Til beslutning"]
    question = await world.press(sec, question, "Til beslutning", "beslutningskompetencen")
    assert question.button_texts == [CODE, "ØU", "KB", "Andet – skriv selv"]
    question = await world.press(sec, question, "ØU", "lukket punkt")
    question = await world.press(sec, question, "Nej, åbent", "Sagens kerne (1/7)")
    assert question.buttons == []  # required: no way to skip it
    question = await world.ask(sec, KERNE, "Indstilling (2/7)")
    assert f"{FORVALTNING} indstiller, at" in (question.text or "")
    question = await world.ask(sec, INDSTILLING, "Tidligere beslutninger")
    question = await world.press(sec, question, "Spring over", "Sagsfremstilling")
    question = await world.ask(sec, FREMSTILLING, "Lov- og plangrundlag")
    question = await world.press(sec, question, "Spring over", "Økonomiske konsekvenser")
    question = await world.ask(sec, OEKONOMI, "Tidsplan")
    saved = await world.press(sec, question, "Spring over", "Sagen er gemt som punkt")
    assert "punkt 3 " in (saved.text or "")  # after Godkendelse and Meddelelser
    shown = await world.expect(sec, TITLE)
    assert KERNE in (shown.text or "") and INDSTILLING in (shown.text or "")
    assert "ØU" in (shown.text or "")
    prompt = await world.expect(sec, "Send dokumenter nu")

    await world.client.send_document(sec, PDF, "Budget 2027.pdf", mime_type="application/pdf")
    attached = await world.expect(sec, "vedhæftet som bilag 1")
    assert "Budget 2027.pdf" in (attached.text or "")
    await world.press(sec, attached, "✅ Færdig", "Færdig. Se dagsordenen")
    assert prompt.button_texts == ["✅ Færdig"]
    assert world.count("SELECT count(*) FROM punkt WHERE title = ?", TITLE) == 1
    assert world.count("SELECT count(*) FROM bilag") == 1


async def test_member_reads_the_agenda_and_downloads_the_bilag(world: World) -> None:
    if not world.count("SELECT count(*) FROM punkt WHERE title = ?", TITLE):
        await test_meeting_sag_and_bilag_through_the_dialogs(world)
    assert world.committee is not None and world.meeting_day is not None
    member = world.committee.member

    overview = await world.ask(member, "/dagsorden", "Godkendelse af dagsorden")
    text = overview.text or ""
    assert dk(world.meeting_day) in text and TITLE in text and "Eventuelt" in text
    assert text.index("Godkendelse af dagsorden") < text.index(TITLE) < text.index("Eventuelt")
    labels = overview.button_texts
    assert f"3. {TITLE}" in labels
    assert not [label for label in labels if label.startswith("✏️")]  # members only read

    full = await world.press(member, overview, f"3. {TITLE}", FREMSTILLING)
    for part in (KERNE, INDSTILLING, OEKONOMI, "Beslutningskompetence"):
        assert part in (full.text or "")
    assert "📎 Budget 2027.pdf" in full.button_texts

    await world.client.press_button(member, full, text="📎 Budget 2027.pdf")
    sent = await world.client.wait_message(member, timeout=10)
    assert sent.document is not None, sent.text
    assert sent.document.file_name == "Budget 2027.pdf"
    assert sent.document.data == PDF


async def test_member_is_refused_a_secretary_command(world: World) -> None:
    committee = await world.setup_committee()
    await world.setup_meeting()
    member = committee.member
    meetings_before = world.count("SELECT count(*) FROM moede")
    other_day = future_date(45)

    refusal = await world.ask(member, f"/nytmoede {CODE} {dk(other_day)} 14:00", "Kun")
    assert refusal.text == "Kun udvalgets sekretær kan gøre det."
    refusal = await world.ask(member, "/nysag Egen sag", "Kun")
    assert refusal.text == "Kun udvalgets sekretær kan gøre det."

    listing = await world.ask(member, "/moeder", "Kommende")
    assert dk(other_day) not in (listing.text or "")
    assert world.count("SELECT count(*) FROM moede") == meetings_before
    assert world.count("SELECT count(*) FROM punkt WHERE title = 'Egen sag'") == 0


async def test_the_token_never_reaches_the_log(world: World) -> None:
    world.assert_no_secrets_in_log()


async def test_a_long_pasted_text_is_one_answer(world: World) -> None:
    """Issue 16: a 9,000-character sagsfremstilling pasted in the app arrives as three messages
    (the emulator splits it as a client does); all three belong to the one answer, and the
    dialog's next question is asked once, after the last part."""
    assert world.committee is not None
    sec = world.committee.secretary
    paragraph = "Forvaltningen har gennemgået indsatsen og foreslår en ny model. " * 9
    pasted = "\n".join(f"{n}. {paragraph}" for n in range(1, 17))
    assert 8_500 < len(pasted) < 12_000
    await world.client.send_text(sec, "/nysag Sag med lang tekst")
    question = await world.expect(sec, "Hvilken type sag")
    question = await world.press(sec, question, "Til orientering", "beslutningskompetencen")
    question = await world.press(sec, question, "ØU", "lukket punkt")
    await world.press(sec, question, "Nej, åbent", "Sagens kerne (1/7)")
    await world.client.send_text(sec, pasted)
    await world.expect(sec, "Teksten er lang")
    await world.expect(sec, "Del 2 er med")
    await world.expect(sec, "Indstilling (2/7)")
    await world.quiet(sec, 1.0)  # no part was taken as the Indstilling
    await world.ask(sec, "/annuller", "Annulleret")
    assert world.count("SELECT count(*) FROM punkt WHERE title = 'Sag med lang tekst'") == 0
