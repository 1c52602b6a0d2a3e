"""The demo's status rounds: a plan with goals by upload, two rounds in which each tovholder gets
one prompt listing their indsatser (edited as they answer), a round closed by the scheduler, and
the secretary's overview with the chart of the colours over the rounds and the report.

``status_round_step(cast, transcript)`` is played after the committee exists (the tovholdere
have joined). The report DOCX and the chart the secretary gets are files the bot sent, so the
demo saves them with the others (``save_documents``).
"""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.demo.chat import Person, Transcript
from bot.demo.scenario import ZONE, Cast

#: The round's deadline is a week of hverdage away; the story skips past it.
PAST_DEADLINE = timedelta(days=10)


def plan_name(year: int) -> str:
    """The plan is this year's: the demo plays in the year its clock reads."""
    return f"Handleplan for ensomhed {year}"


def plan_csv(cast: Cast, year: int) -> bytes:
    """The plan of ``year``: its indsatser run this year and the next, its goals end this year."""
    tove, henrik = cast.tovholdere[0], cast.tovholdere[1]
    both = f"{year}-{year + 1}"
    rows = [
        "Indsats;Målgruppe;Formål, mål og succeskriterier;Tovholder;Periode",
        "MÅL 1: FÆLLESSKAB;;;;",
        "Fællesspisning i lokalcentrene;Hjemmeboende ældre over 65 år;"
        f"12 arrangementer om året med mindst 20 deltagere;{tove.name}, {henrik.name};{both}",
        "Besøgsvenner;Ensomme ældre i eget hjem;Mindst 40 aktive besøgsvenner ved udgangen af "
        f"{year};{henrik.name};{both}",
        "MÅL 2: DIGITAL DELTAGELSE;;;;",
        f"Digital café på biblioteket;Ældre med lav digital kunnen;200 besøg om året;{tove.name};"
        f"{year}",
    ]
    return ("\n".join(rows) + "\n").encode("utf-8")


async def _prompt(person: Person, number: int) -> None:
    """Read what arrived until the round's one prompt is there."""
    for _ in range(6):
        await person.answers()
        if any(f"runde {number}" in (m.text or "") for m in person.last):
            return
    raise RuntimeError(f"{person.name} got no prompt for round {number}")


async def _answer(person: Person, indsats: str, colour: str, text: str) -> None:
    await person.press(indsats)
    await person.press(colour)
    await person.say(text)
    await person.press("Spring over")
    await person.press("Indberet")


async def _arrived(person: Person, needle: str, timeout: float = 30.0) -> None:  # noqa: ASYNC109
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not any(needle in (m.text or "") for m in await person.client.bot_messages(person.user)):
        if loop.time() > deadline:
            raise RuntimeError(f"{person.name} got no message with {needle!r}")
        await asyncio.sleep(0.2)


async def status_round_step(cast: Cast, transcript: Transcript) -> None:
    sofie = cast.sekretaer
    tove, henrik = cast.tovholdere[0], cast.tovholdere[1]
    transcript.heading("Statusrunde: sekretæren indlæser handleplanen med dens mål")
    year = cast.clock().astimezone(ZoneInfo(ZONE)).year
    await sofie.send_file(f"handleplan_ensomhed_{year}.csv", plan_csv(cast, year), "text/csv")
    await sofie.press("Importér som plan")
    await sofie.say(plan_name(year))
    plan_id = sofie.find(r"som plan (\d+)")[1]

    transcript.heading("Statusrunde 1: hver tovholder får én liste over sine indsatser")
    await sofie.say(f"/statusrunde {plan_id}")
    await _prompt(tove, 1)
    await _prompt(henrik, 1)
    await _answer(tove, "Fællesspisning", "Gul", "Færre deltagere end ventet i januar.")
    await henrik.answers()  # his list, edited: Tove answered the indsats they share
    await _answer(henrik, "Besøgsvenner", "Grøn", "38 aktive besøgsvenner.")

    transcript.heading("Statusrunde 1 slutter: fristen er gået, sekretæren får rapporten")
    cast.clock.offset += PAST_DEADLINE
    transcript.emit("  (Tiden går: svarfristen for runde 1 er overskredet.)")
    await _arrived(sofie, "Statusrapport for")
    await sofie.answers()

    transcript.heading("Statusrunde 2: de samme tovholdere, én liste hver igen")
    await sofie.say(f"/statusrunde {plan_id}")
    await _prompt(tove, 2)
    await _answer(tove, "Digital café", "Grøn", "220 besøg indtil nu.")
    await _prompt(henrik, 2)
    await _answer(henrik, "Fællesspisning", "Grøn", "Transporten virker: 24 deltagere.")

    transcript.heading("Statusrunde: sekretæren ser udviklingen og henter rapporten")
    await sofie.say("/statusoverblik")
    await sofie.press("Rapport")
    if not any(re.search(r"\.docx$", m.document.file_name or "") for m in sofie.last if m.document):
        raise LookupError("the status report was not sent")
