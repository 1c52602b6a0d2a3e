"""A meeting from attendance to the approved protocol, against the real bot process.

The secretary adds an open and a closed sag, a member sends afbud, then meeting mode: attendance,
a decision on every punkt (a standard phrase, votes per member confirmed before they are stored,
an afvigende mening refused to the majority, the public text of the closed punkt), the end time;
/protokol gives the Word files; the members present approve with a button, the secretary is told
the protocol is locked and everyone gets the decisions. Meeting mode edits its messages in place,
so this module follows each chat's sends and edits (``Phone``), not only new messages.
"""

from __future__ import annotations

import asyncio
import io
import time

import docx
import pytest

from bot_api_emulator import ChatMessage, EmuUser
from tests.e2e.world import CODE, WAIT, World

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="session")]

OPEN_TITLE = "Udvidet åbningstid i jobcentret"
CLOSED_TITLE = "Salg af grund på Havnevej"
SECRET = "Købesummen på 4,2 mio. kr. er fortrolig."
PUBLIC_TEXT = "Udvalget anbefalede salget af grunden."
VOTES = "for A"
VOTES_LINE = "Anbefales med 1 stemme for (A)."


class Phone:
    """One person's chat as they see it: what the bot sends and edits after a point in time."""

    def __init__(self, world: World, user: EmuUser) -> None:
        self.world, self.user, self.since = world, user, 0

    async def sync(self) -> None:
        events = await self.world.client.events(self.user)
        self.since = events[-1].seq if events else 0

    async def wait(self, needle: str) -> ChatMessage:
        """The next sent or edited message whose text (or file name) contains ``needle``."""
        deadline = time.monotonic() + WAIT
        seen: list[str] = []
        while True:
            events = await self.world.client.events(
                self.user, since=self.since, kinds=("send", "edit")
            )
            for event in events:
                self.since = event.seq
                message = event.message
                if message is None:
                    continue
                text = message.text or (
                    message.document.file_name or "" if message.document else ""
                )
                seen.append(text)
                if needle in text:
                    return message
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"no message with {needle!r} to {self.user.first_name}: {seen}"
                )
            await asyncio.sleep(0.05)

    async def say(self, text: str, needle: str) -> ChatMessage:
        await self.world.client.send_text(self.user, text)
        return await self.wait(needle)

    async def press(self, message: ChatMessage, label: str, needle: str) -> ChatMessage:
        """Tap the button labelled ``label`` (or the one button containing it)."""
        labels = message.button_texts
        exact = [t for t in labels if t == label]
        found = exact or [t for t in labels if label in t]
        assert len(found) == 1, f"button {label!r} not (uniquely) in {labels}"
        await self.world.client.press_button(self.user, message, text=found[0])
        return await self.wait(needle)

    async def file(self, message: ChatMessage) -> bytes:
        assert message.document is not None
        return await self.world.client.file_bytes(message.document.file_id)


async def add_sag(world: World, secretary: EmuUser, title: str, closed: bool, kerne: str) -> None:
    """The /nysag dialog with the required sections only."""
    question = await world.ask(secretary, f"/nysag {title}", "Hvilken type sag")
    question = await world.press(secretary, question, "Til beslutning", "beslutningskompetencen")
    question = await world.press(secretary, question, CODE, "lukket punkt")
    label = "Ja, lukket" if closed else "Nej, åbent"
    question = await world.press(secretary, question, label, "Sagens kerne (1/7)")
    question = await world.ask(secretary, kerne, "Indstilling (2/7)")
    question = await world.ask(secretary, "Forvaltningen indstiller, at sagen godkendes.", "(3/7)")
    for needle in ("(4/7)", "(5/7)", "(6/7)", "(7/7)", "Sagen er gemt som punkt"):
        question = await world.press(secretary, question, "Spring over", needle)
    prompt = await world.expect(secretary, "Send dokumenter nu")
    await world.press(secretary, prompt, "✅ Færdig", "Færdig")


def docx_text(content: bytes) -> str:
    document = docx.Document(io.BytesIO(content))
    return "\n".join(p.text for p in document.paragraphs)


async def test_a_meeting_from_attendance_to_the_approved_protocol(world: World) -> None:
    committee = await world.setup_committee()
    await world.setup_meeting()
    if not world.count("SELECT count(*) FROM punkt WHERE title = ?", CLOSED_TITLE):
        await add_sag(world, committee.secretary, OPEN_TITLE, False, "Jobcentret holder åbent.")
        await add_sag(world, committee.secretary, CLOSED_TITLE, True, SECRET)
    mette = await world.client.create_user("Mette", last_name="Kjær")
    token = await world.invite(committee.secretary, "medlem A")
    await world.ask(mette, f"/start {token}", "Velkommen")

    sofie, lars, mette_phone = (
        Phone(world, committee.secretary),
        Phone(world, committee.member),
        Phone(world, mette),
    )
    for phone in (sofie, lars, mette_phone):
        await phone.sync()

    # Lars sends afbud before the meeting.
    choose = await lars.say("/afbud", "Hvilket møde")
    await lars.press(choose, CODE, "er registreret")

    # The meeting is planned a month ahead: held early, the secretary confirms it (audited).
    held = await sofie.say("/moede", "Holdes mødet i dag?")
    assert world.count("SELECT count(*) FROM protokol WHERE held_confirmed_at IS NOT NULL") == 0
    # Attendance: Lars shows as afbud; Mette is present (the default for members).
    attendance = await sofie.press(held, "Ja, mødet holdes i dag", "Fremmøde")
    assert (
        world.count("SELECT count(*) FROM audit_event WHERE action = 'moede.held_confirmed'") == 1
    )
    assert "Lars Bech – afbud" in (attendance.text or "")
    assert "Mette Kjær (A) – til stede" in (attendance.text or "")

    # Every punkt gets a decision, walked with "Næste punkt".
    punkt = await sofie.press(attendance, "Videre til punkterne", "Punkt 1 af")
    decided: list[str] = []
    while True:
        text = punkt.text or ""
        title = text.split(": ", 1)[1].split("\n", 1)[0] if "Punkt " in text else text
        decided.append(title)
        if title == OPEN_TITLE:
            await sofie.press(punkt, "🗳 Stemmer", "Afstemning om punkt")
            board = await sofie.say(VOTES, "Sådan har jeg forstået stemmerne")
            assert "👍 Mette Kjær (A) – for" in (board.text or "")
            punkt = await sofie.press(board, "✅ Gem", f"Punkt {len(decided)} af")
            punkt = await sofie.press(punkt, "Anbefales", VOTES_LINE)
            # Mette voted with the majority: no afvigende mening (§ 13, stk. 2).
            await sofie.press(punkt, "💬 Afvigende mening", "ingen stemte i mindretal")
        elif title == CLOSED_TITLE:
            assert "Lukket punkt" in text
            await sofie.press(punkt, "🌐 Offentlig beslutning", "offentlige beslutningstekst")
            punkt = await sofie.say(PUBLIC_TEXT, f"Offentlig beslutning: {PUBLIC_TEXT}")
            punkt = await sofie.press(punkt, "Anbefales", "Beslutning: Anbefales")
        else:
            punkt = await sofie.press(punkt, "Godkendt", "Beslutning: Godkendt")
        if "Næste punkt ▶️" not in punkt.button_texts:
            break
        punkt = await sofie.press(punkt, "Næste punkt ▶️", f"Punkt {len(decided) + 1} af")
    assert decided[0] == "Godkendelse af dagsorden" and decided[-1] == "Eventuelt"
    assert decided.index(OPEN_TITLE) < decided.index(CLOSED_TITLE)

    await sofie.press(punkt, "🏁 Afslut møde", "Hvornår sluttede mødet")
    await sofie.say("15.10", "Mødet afsluttet kl. 15.10")
    await sofie.wait("ikke sendt til godkendelse")  # the protocol menu follows

    # /protokol: the internal Word file has every decision; the public one hides the closed one.
    await sofie.world.client.send_text(sofie.user, "/protokol")
    internal = docx_text(await sofie.file(await sofie.wait("Beslutningsprotokol")))
    for expected in (VOTES_LINE, SECRET, PUBLIC_TEXT, "Mødet afsluttet kl. 15.10"):
        assert expected in internal, expected
    menu = await sofie.wait("ikke sendt til godkendelse")
    await sofie.world.client.send_text(sofie.user, "/protokol offentlig")
    public = docx_text(await sofie.file(await sofie.wait("offentlig.docx")))
    assert CLOSED_TITLE in public and PUBLIC_TEXT in public and VOTES_LINE in public
    assert SECRET not in public

    # Send for approval: only Mette was present; Lars (afbud) is not asked.
    await sofie.press(menu, "📨 Send til godkendelse", "Sendt til godkendelse hos 1 medlem.")
    request = await mette_phone.wait("Godkend")
    assert "✅ Godkend protokol" in request.button_texts
    await mette_phone.press(request, "✅ Godkend protokol", "Du godkendte protokollen")
    locked = await sofie.wait("er nu låst")
    assert f"{CODE}" in (locked.text or "")
    assert world.count("SELECT count(*) FROM protokol_approval") == 1
    # Everyone in the udvalg gets the decisions, Lars (afbud) too; all through the outbox.
    decisions = await lars.wait("er godkendt. Beslutninger")
    assert VOTES_LINE in (decisions.text or "") and CLOSED_TITLE in (decisions.text or "")

    # Locked, the meeting's record no longer changes; the secretary re-opens it with a reason,
    # Mette's approval is void and she is told why. (The meeting is then open again for the
    # other tests of this world.)
    await sofie.world.client.send_text(sofie.user, "/protokol")
    menu = await sofie.wait("godkendt af alle fremmødte")
    await sofie.press(menu, "🔓 Genåbn protokol", "Hvorfor genåbnes protokollen?")
    await sofie.say("Fejl i den offentlige tekst", "1 medlem, der havde godkendt, har fået besked")
    told = await mette_phone.wait("er genåbnet")
    assert "Fejl i den offentlige tekst" in (told.text or "")
    assert world.count("SELECT count(*) FROM protokol_approval") == 0
    assert world.count("SELECT count(*) FROM protokol WHERE stage = 'kladde'") == 1
