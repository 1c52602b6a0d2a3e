"""The committee cycle the demo plays: who the people are and what they do, step by step."""

from __future__ import annotations

import asyncio
import sys
from dataclasses import dataclass, field
from datetime import date, time, timedelta

from bot.demo.chat import Person, Transcript
from bot.demo.clock import DemoClock
from bot_api_emulator import Button, ChatMessage, EmulatorClient

UDVALG = "BEU"
UDVALG_NAME = "Beskæftigelsesudvalget"
FORVALTNING = "Social- og Sundhedsforvaltningen"


#: The decisions summary that follows the protocol's last approval.
DECISIONS = "er godkendt. Beslutninger:"


@dataclass
class Cast:
    admin: Person
    sekretaer: Person
    members: list[tuple[Person, str, str]]  # person, role word for /inviter, party letter
    tovholdere: list[Person]
    #: The clock the bot reads; the story moves it to the meeting day and the morning after.
    clock: DemoClock = field(default_factory=DemoClock)

    @property
    def everyone(self) -> list[Person]:
        return [
            self.admin,
            self.sekretaer,
            *(m for m, _, _ in self.members),
            *self.tovholdere,
        ]


async def cast_people(client: EmulatorClient, transcript: Transcript) -> Cast:
    async def person(first: str, last: str, role: str, username: str) -> Person:
        user = await client.create_user(first, last_name=last, username=username)
        return Person(f"{first} {last}", role, user, client, transcript)

    return Cast(
        admin=await person("Anne", "Admin", "admin", "anne_admin"),
        sekretaer=await person("Sofie", "Svendsen", "sekretær", "sofie_s"),
        members=[
            (await person("Lene", "Holm", "formand", "lene_holm"), "formand", "A"),
            (await person("Per", "Vinther", "medlem", "per_v"), "medlem", "V"),
            (await person("Anne", "Lund", "medlem", "anne_lund"), "medlem", "Ø"),
        ],
        tovholdere=[
            await person("Tove", "Holst", "tovholder", "tove_h"),
            await person("Henrik", "Dahl", "tovholder", "henrik_d"),
        ],
    )


MEETING_START = time(15)
ZONE = "Europe/Copenhagen"


def meeting_day() -> date:
    """The demo's meeting: a Tuesday two weeks ahead of the real date the demo starts on."""
    return next_weekday(date.today(), weekday=1)


def next_weekday(start: date, weekday: int, weeks_ahead: int = 2) -> date:
    """A meeting day a couple of weeks ahead (Tuesday by default), as a secretary would pick."""
    day = start + timedelta(weeks=weeks_ahead)
    return day + timedelta(days=(weekday - day.weekday()) % 7)


async def invite(by: Person, role: str, party: str | None, who: Person) -> None:
    """``by`` makes an invite link; ``who`` opens it (in Telegram: taps the t.me link)."""
    await by.say(f"/inviter {UDVALG} {role}" + (f" {party}" if party else ""))
    token = by.find(r"https://t\.me/\S+\?start=([A-Za-z0-9_-]+)").group(1)
    await who.say(f"/start {token}")


SAG_TITLE = "Ny model for jobrettet indsats for unge under 30 år"
SAG_SECTIONS = {
    "sagens_kerne": (
        "Forvaltningen foreslår, at den jobrettede indsats for unge samles i ét ungeteam, "
        "så den gennemsnitlige tid på ydelse nedbringes fra 14 til 10 måneder."
    ),
    "indstilling": (
        f"{FORVALTNING} indstiller,\n"
        "at udvalget godkender den nye model for den jobrettede indsats fra 1. april,\n"
        "at der afsættes 0,5 mio. kr. til opkvalificering af medarbejderne."
    ),
    "sagsfremstilling": (
        "I {last_year} modtog i gennemsnit 420 unge under 30 år uddannelses- eller kontanthjælp. "
        "Et samlet ungeteam giver én indgang for den unge og bedre kontakt til "
        "virksomhederne.\n- Én fast kontaktperson\n- Virksomhedspraktik inden for 4 uger\n"
        "- Opfølgning hver 14. dag"
    ),
    "oekonomiske_konsekvenser": "Engangsudgift på 0,5 mio. kr., finansieret af puljen.",
    "tidsplan": "Drift fra 1. april. Status til udvalget efter et halvt år.",
}
SKIPPED = ("tidligere_beslutninger", "lov_og_plangrundlag")


def sag_sections(year: int) -> dict[str, str]:
    """The sag's sections, written in ``year`` (its figures are of the year before)."""
    return {key: text.replace("{last_year}", str(year - 1)) for key, text in SAG_SECTIONS.items()}


def one_page_pdf(lines: list[str]) -> bytes:
    """A small, valid one-page A4 PDF with the lines in Helvetica (the demo's bilag), with a
    correct cross-reference table so every reader opens it."""
    text = "".join(
        f"BT /F1 12 Tf 72 {770 - 18 * n} Td ({line.replace('(', '[').replace(')', ']')}) Tj ET\n"
        for n, line in enumerate(lines)
    ).encode("cp1252")
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Resources<</Font<</F1 5 0 R>>>>"
        b"/Contents 4 0 R>>",
        b"<</Length %d>>stream\n" % len(text) + text + b"endstream",
        b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica/Encoding/WinAnsiEncoding>>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


BILAG = one_page_pdf(
    [
        "Notat om ungeindsatsen",
        "Jobcentret, Beskæftigelsesforvaltningen",
        "",
        "Ungeteamet samler vejledning, uddannelse og job i ét forløb.",
        "Målet er, at flere unge under 25 er i job eller uddannelse efter et år.",
    ]
)


async def build_sag(sekretaer: Person, title: str, closed: bool, sections: dict[str, str]) -> None:
    """The /nysag dialog: title, sagstype, beslutningskompetence, lukket?, then each section."""
    await sekretaer.say(f"/nysag {title}")
    await sekretaer.press("beslutning")  # both sager ask the udvalg to decide
    await sekretaer.press(UDVALG)
    await sekretaer.press("Ja" if closed else "Nej")
    for _ in range(12):  # at most one question per section
        if any("✅" in (m.text or "") for m in sekretaer.last):
            return
        asked = (sekretaer.last[-1].text or "") if sekretaer.last else ""
        key = _section_asked(asked)
        if key is not None and sections.get(key):
            await sekretaer.say(sections[key])
        else:
            await sekretaer.press("Spring over")
    raise RuntimeError(f"the /nysag dialog did not finish: {sekretaer.last[-1].text!r}")


_SECTION_WORDS = {
    "sagens_kerne": "Sagens kerne",
    "indstilling": "Indstilling",
    "tidligere_beslutninger": "Tidligere beslutninger",
    "sagsfremstilling": "Sagsfremstilling",
    "lov_og_plangrundlag": "Lov- og plangrundlag",
    "oekonomiske_konsekvenser": "Økonomiske konsekvenser",
    "tidsplan": "Tidsplan",
}


def _section_asked(text: str) -> str | None:
    for key, word in _SECTION_WORDS.items():
        if word.lower() in text.lower():
            return key
    return None


async def play(cast: Cast, transcript: Transcript, *, interactive: bool = False) -> None:
    admin, sofie = cast.admin, cast.sekretaer

    transcript.heading("1. Administratoren opretter udvalget og inviterer sekretæren")
    await admin.say(f"/nytudvalg {UDVALG} {UDVALG_NAME}; {FORVALTNING}")
    await invite(admin, "sekretær", None, sofie)

    transcript.heading("2. Sekretæren inviterer medlemmer og tovholdere")
    for member, role, party in cast.members:
        await invite(sofie, role, party, member)
    for tovholder in cast.tovholdere:
        await invite(sofie, "tovholder", None, tovholder)

    if interactive:
        await _interactive(sofie, transcript)
        transcript.heading("4. Formanden læser det, du har bygget")
        await cast.members[0][0].say("/dagsorden")
        return
    await _secretary_builds_agenda(sofie)
    await release_agenda(cast)

    transcript.heading("5. Medlemmerne læser dagsordenen på telefonen")
    formand = cast.members[0][0]
    await formand.say("/dagsorden")
    await formand.press(SAG_TITLE[:20])
    if any("📎" in b or ".pdf" in b.lower() for m in formand.last for b in m.button_texts):
        await formand.press(".pdf")
    per = cast.members[1][0]
    await per.say("/moeder")
    await per.press(UDVALG)
    await per.press("Lukket punkt" if _has_button(per, "Lukket punkt") else "Køb")

    transcript.heading("6. En tovholder kan se titlen på det lukkede punkt, men ikke åbne det")
    tove = cast.tovholdere[0]
    await tove.say("/dagsorden")
    transcript.heading("7. Et medlem prøver en kommando, der er sekretærens")
    await per.say(f"/nytmoede {UDVALG} 01-06-2030 14:00")

    await members_before_meeting(cast)
    await hold_meeting(cast)

    from bot.demo.archive_step import search_step  # they build on this module's Cast
    from bot.demo.status_step import status_round_step

    await status_round_step(cast, transcript)
    await search_step(cast, transcript)


#: What the meeting decides, per punkt title (the rest: "Taget til efterretning"). With Per
#: (V) away, the vote is 1-1: a tie is not adopted, and Lene (A), in the minority, has her
#: afvigende mening recorded (kommunestyrelsesloven § 13, stk. 2).
VOTES = "for A; imod Ø"
REMARK = "A ønsker indsatsen gennemført nu og evalueret efter et halvt år."
CLOSED_TITLE = "Køb af ejendom til værkstedspladser"
PUBLIC_DECISION = "Udvalget anbefaler købet af en ejendom til værkstedspladser."


INHABIL_REASON = "Min bror ejer naboejendommen."
QUESTION = "Hvor mange unge forventes at få en fast kontaktperson i ungeteamet?"
ANSWER = "Omkring 420 unge; hver kontaktperson får højst 35 forløb."


async def members_before_meeting(cast: Cast) -> None:
    """A member declares inhabilitet in the closed punkt; the formand asks the forvaltning a
    question, the secretary answers, and every member gets the answer."""
    sofie = cast.sekretaer
    transcript = sofie.transcript
    (lene, _, _), (per, _, _), (anne, _, _) = cast.members

    transcript.heading("8. Før mødet: et medlem melder sig inhabil")
    await anne.say("/dagsorden")
    await anne.press(CLOSED_TITLE[:20])
    await anne.press("Jeg er inhabil")
    await anne.say(INHABIL_REASON)
    await _receive_text(sofie, "har meldt sig inhabil")

    transcript.heading("9. Før mødet: formanden spørger forvaltningen, sekretæren svarer")
    await lene.say("/dagsorden")
    await lene.press(SAG_TITLE[:20])
    await lene.press("Spørg forvaltningen")
    await lene.say(QUESTION)
    await _receive_text(sofie, QUESTION)
    await sofie.press("Svar")
    await sofie.say(ANSWER)
    await _receive_text(lene, "Spørgsmål og svar")
    for person in (per, anne):  # the same reached the other members; not repeated here
        await _arrived(person, ANSWER)
        await person.client.skip_pending(person.user)
    transcript.emit(f"  ({per.name} og {anne.name} fik også svaret.)")


async def hold_meeting(cast: Cast) -> None:
    """Afbud, meeting mode with attendance and decisions, the protocol as Word, approval."""
    sofie = cast.sekretaer
    transcript = sofie.transcript
    (lene, _, _), (per, _, _), (anne, _, _) = cast.members

    transcript.heading("10. Et medlem melder afbud til mødet")
    await per.say("/afbud")
    await per.press(UDVALG)

    transcript.heading("11. Mødet: fremmøde og beslutninger, punkt for punkt")
    day = meeting_day()
    cast.clock.move_to(day, MEETING_START, ZONE)
    transcript.emit(f"  (Tiden går: det er mødedagen {day:%d-%m-%Y}, kl. 15.00.)")
    await sofie.say("/moede")
    await sofie.press("Videre til punkterne")
    for _ in range(10):  # one round per punkt
        text = sofie.last[-1].text or ""
        if SAG_TITLE in text:
            await sofie.press("Stemmer")
            await sofie.say(VOTES)  # shown per member for confirmation
            await sofie.press("Gem")
            await sofie.press("Brug forslaget")  # "Indstillingen faldt ved stemmelighed"
            await sofie.press("Afvigende mening")
            await sofie.press(lene.name)
            await sofie.say(REMARK)
        elif CLOSED_TITLE in text:
            await sofie.press("Bekræft inhabilitet")  # Anne declared it before the meeting
            await sofie.press("Offentlig beslutning")
            await sofie.say(PUBLIC_DECISION)
            await sofie.press("Anbefales")
        elif "Godkendelse af dagsorden" in text:
            await sofie.press("Godkendt")
        else:
            await sofie.press("Taget til efterretning")
        if not _has_button(sofie, "Næste punkt"):
            break
        await sofie.press("Næste punkt")
    await sofie.press("Afslut møde")
    await sofie.say("16.10")

    transcript.heading("12. Protokollen som Word, intern og offentlig, og godkendelsen")
    cast.clock.move_to(day + timedelta(days=1), time(9, 30), ZONE)
    transcript.emit(f"  (Næste morgen, {day + timedelta(days=1):%d-%m-%Y} kl. 9.30.)")
    await sofie.say("/protokol")
    await sofie.say("/protokol offentlig")
    await sofie.press("Send til godkendelse")
    for member in (lene, anne):
        if not member.last or not _has_button(member, "Godkend protokol"):
            await member.answers()
        await member.press("Godkend protokol")
    await sofie.answers()
    # The last approval queued the decisions for everyone in the udvalg.
    await _receive_text(lene, DECISIONS)
    others = [p for p in cast.everyone if p is not cast.admin and p is not lene]
    for person in others:  # the same reached everyone else; not repeated in the transcript
        await _arrived(person, DECISIONS)
        await person.client.skip_pending(person.user)
    transcript.emit(f"  ({', '.join(p.name for p in others)} fik beslutningerne.)")

    transcript.heading("13. Den godkendte protokol, klar til at blive offentliggjort")
    await sofie.say("/protokol")
    await sofie.say("/protokol offentlig")


async def release_agenda(cast: Cast) -> None:
    """/udsend: every member gets the summary with buttons and the calendar file (.ics)."""
    sofie = cast.sekretaer
    sofie.transcript.heading("4. Sekretæren sender dagsordenen ud")
    await sofie.say("/udsend")
    lene = cast.members[0][0]
    tove = cast.tovholdere[0]
    for person in (lene, tove):  # a member sees the closed punkt, a tovholder only its title
        await _receive(person)
    others = [m for m, _, _ in cast.members[1:]] + cast.tovholdere[1:]
    for person in others:  # the same reached everyone else; not repeated in the transcript
        await person.client.wait_messages(person.user, 2, timeout=30)
        await person.client.skip_pending(person.user)
    sofie.transcript.emit(f"  ({', '.join(p.name for p in others)} fik det samme.)")
    await _receive(sofie)  # the secretary's own copy, after the confirmation


async def _receive(person: Person) -> None:
    """Read what arrived until the calendar file is there (the bot sends about 1/s per chat)."""
    got: list[object] = []
    for _ in range(6):
        got.extend(await person.answers())
        if any(getattr(m, "document", None) is not None for m in got):
            return
    raise RuntimeError(f"{person.name} got no calendar file")


async def _receive_text(person: Person, needle: str) -> None:
    """Read what arrives until a message with ``needle`` is there."""
    for _ in range(6):
        if any(needle in (m.text or "") for m in await person.answers()):
            return
    raise RuntimeError(f"{person.name} got no message with {needle!r}")


async def _arrived(person: Person, needle: str, timeout: float = 30.0) -> None:  # noqa: ASYNC109
    """Until the bot's message with ``needle`` is in the person's chat (read or not)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not any(needle in (m.text or "") for m in await person.client.bot_messages(person.user)):
        if loop.time() > deadline:
            raise RuntimeError(f"{person.name} got no message with {needle!r}")
        await asyncio.sleep(0.2)


def _has_button(person: Person, label: str) -> bool:
    return any(label.lower() in b.lower() for m in person.last for b in m.button_texts)


async def _secretary_builds_agenda(sofie: Person) -> None:
    transcript = sofie.transcript
    transcript.heading("3. Sekretæren opretter et møde og bygger dagsordenen")
    day = meeting_day()
    await sofie.say(f"/nytmoede {UDVALG} {day:%d-%m-%Y} kl. 15 Rådhuset, mødelokale 2")
    await build_sag(sofie, SAG_TITLE, closed=False, sections=sag_sections(day.year))
    await sofie.send_file("Notat om ungeindsatsen.pdf", BILAG, "application/pdf")
    await sofie.press("Færdig")
    await build_sag(
        sofie,
        "Køb af ejendom til værkstedspladser",
        closed=True,
        sections={
            "sagens_kerne": "Forhandling om køb af ejendom. Behandles for lukkede døre.",
            "indstilling": f"{FORVALTNING} indstiller,\nat købet anbefales.",
        },
    )
    await sofie.press("Færdig")
    await sofie.say("/dagsorden")


def keyboard(messages: list[ChatMessage]) -> list[tuple[ChatMessage, Button]]:
    """The buttons of a reply in reading order: message by message, row by row, left to right."""
    return [(m, b) for m in messages for row in m.buttons for b in row]


async def _interactive(sofie: Person, transcript: Transcript) -> None:
    """The person at the keyboard is the secretary; ``:N`` taps button N, ``:q`` ends.

    N counts the buttons of the newest reply that had any, in reading order; a reply without
    buttons (a confirmation, a refusal) leaves those numbers as they were."""
    transcript.heading("3. Du er sekretæren Sofie")
    transcript.emit("  Skriv som i Telegram, fx /nytmoede BEU 12-01-2027 14:00 Rådhuset og /nysag;")
    transcript.emit("  /udsend sender dagsordenen til medlemmerne.")
    transcript.emit("  Tryk på knap nummer N med :N, afslut med :q.")
    loop = asyncio.get_running_loop()
    buttons = keyboard(sofie.last)
    while True:
        for index, (_, button) in enumerate(buttons, 1):
            transcript.emit(f"      :{index} [{button.text}]")
        line = await loop.run_in_executor(None, _read_line)
        if line is None or line.strip() == ":q":
            return
        text = line.strip()
        if not text:
            continue
        if text.startswith(":") and text[1:].isdigit():
            number = int(text[1:])
            if not 1 <= number <= len(buttons):
                transcript.emit("  (ingen knap med det nummer)")
                continue
            replies = await sofie.tap(*buttons[number - 1])
        else:
            replies = await sofie.say(text)
        buttons = keyboard(replies) or buttons


def _read_line() -> str | None:
    sys.stdout.write("  > ")
    sys.stdout.flush()
    line = sys.stdin.readline()
    return line if line else None
