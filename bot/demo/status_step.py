"""The demo's status round: a plan by upload, a round, two tovholdere answer, the report.

``status_round_step(cast, transcript)`` is played after the committee exists (the tovholdere
have joined). The report DOCX the secretary gets from the "Rapport" button is a document the bot
sent, so the demo saves it with the others (``save_documents``).
"""

from __future__ import annotations

import re

from bot.demo.chat import Transcript
from bot.demo.scenario import Cast

PLAN_NAME = "Handleplan for ensomhed 2025"


def plan_csv(cast: Cast) -> bytes:
    tove, henrik = cast.tovholdere[0], cast.tovholdere[1]
    rows = [
        "Indsats;Målgruppe;Formål, mål og succeskriterier;Tovholder;Periode",
        "Fællesspisning i lokalcentrene;Hjemmeboende ældre over 65 år;"
        f"12 arrangementer om året med mindst 20 deltagere;{tove.name};2025-2026",
        "Besøgsvenner;Ensomme ældre i eget hjem;Mindst 40 aktive besøgsvenner ved udgangen af "
        f"2025;{henrik.name};2025-2026",
        "Digital café på biblioteket;Ældre med lav digital kunnen;200 besøg om året;"
        "Borgerservice;2025",
    ]
    return ("\n".join(rows) + "\n").encode("utf-8")


async def status_round_step(cast: Cast, transcript: Transcript) -> None:
    sofie = cast.sekretaer
    tove, henrik = cast.tovholdere[0], cast.tovholdere[1]
    transcript.heading("Statusrunde: sekretæren indlæser handleplanen")
    await sofie.send_file("handleplan_ensomhed_2025.csv", plan_csv(cast), "text/csv")
    await sofie.press("Importér som plan")
    await sofie.say(PLAN_NAME)
    plan_id = sofie.find(r"som plan (\d+)")[1]

    transcript.heading("Statusrunde: runden åbnes, og tovholderne svarer")
    await sofie.say(f"/statusrunde {plan_id}")
    await tove.say("/status")
    await tove.press("Gul")
    await tove.say("Færre deltagere end ventet i januar; vi prøver med transport fra april.")
    await tove.press("Spring over")
    await tove.press("Indberet")
    await henrik.say("/status")
    await henrik.press("Grøn")
    await henrik.say("38 aktive besøgsvenner; rekrutteringen følger planen.")
    await henrik.press("Spring over")
    await henrik.press("Indberet")

    transcript.heading("Statusrunde: sekretæren ser overblikket og henter rapporten")
    await sofie.say("/statusoverblik")
    await sofie.press("Rapport")
    if not any(re.search(r"\.docx$", m.document.file_name or "") for m in sofie.last if m.document):
        raise LookupError("the status report was not sent")
