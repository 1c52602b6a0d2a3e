"""``udvalgsbot demo``: the offline cycle runs and reads like a real conversation."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from pathlib import Path

import docx
import pytest

from bot.demo import run_demo
from bot.demo.scenario import (
    ANSWER,
    BILAG,
    INHABIL_REASON,
    PUBLIC_DECISION,
    QUESTION,
    REMARK,
    meeting_day,
)
from bot.demo.status_step import plan_name

#: The 1-1 vote (Per sent afbud): a tie is not adopted.
#: A day the interactive tests plan a meeting for: well ahead, within the 400 days allowed.
SOON = date.today() + timedelta(days=60)
TIE = "Indstillingen faldt ved stemmelighed med 1 stemme for (A) og 1 stemme imod (Ø)."

pytestmark = pytest.mark.e2e


async def test_the_demo_plays_a_committee_cycle_and_leaves_its_files(tmp_path: Path) -> None:
    lines: list[str] = []
    output = tmp_path / "demo-output"

    assert await run_demo(output, write=lines.append) == 0

    transcript = "\n".join(lines)
    # The plan is of the year the demo plays in (the round follows the meeting day).
    year = (meeting_day() + timedelta(days=1)).year
    plan = plan_name(year)
    # The people and what they did, in order, as a secretary would recognise it.
    steps = [
        "Anne Admin (admin) ▸ /nytudvalg BEU Beskæftigelsesudvalget",
        "Velkommen, Sofie Svendsen! Du er nu sekretær i Beskæftigelsesudvalget (BEU)",
        "Velkommen, Lene Holm! Du er nu formand i Beskæftigelsesudvalget (BEU)",
        "Mødet er oprettet: Beskæftigelsesudvalget (BEU)",
        "Sofie Svendsen (sekretær) trykker på [Til beslutning]",
        "Sagen er gemt som punkt 3 på dagsordenen",
        "Notat om ungeindsatsen.pdf er vedhæftet som bilag 1",
        "4. 🔒 Lukket punkt: Køb af ejendom til værkstedspladser",
        # the release (/udsend): the calendar file with the summary and its buttons as caption
        "Sofie Svendsen (sekretær) ▸ /udsend",
        "Dagsordenen til BEU",
        "Udvalgsbot → Lene Holm:",
        "📎 BEU-",
        "Dagsorden: Beskæftigelsesudvalget (BEU)",
        # the summary ends with the meeting's page in the public archive the demo serves
        "🌐 Mødet i webarkivet (http://127.0.0.1:",
        "Mødet i din kalender",
        "[📄 Åbn punkt 3]",
        "Udvalgsbot → Tove Holst:",
        "📎 BEU-",
        "Lukket punkt – indholdet er kun for udvalgets medlemmer.",
        "Lene Holm (formand) trykker på [3. Ny model for jobrettet indsats",
        "Bilag 1: Notat om ungeindsatsen.pdf",
        "Forhandling om køb af ejendom. Behandles for lukkede døre.",
        "Per Vinther (medlem) ▸ /nytmoede BEU",
        "Kun udvalgets sekretær kan gøre det.",
        # before the meeting: a member's inhabilitet, the formand's question and its answer
        "━━ 8. Før mødet: et medlem melder sig inhabil",
        "Anne Lund (medlem) trykker på [🙋 Jeg er inhabil]",
        f"Anne Lund (medlem) ▸ {INHABIL_REASON}",
        "Noteret: du har meldt dig inhabil i punkt 4",
        "Udvalgsbot → Sofie Svendsen:",
        "Anne Lund (Ø) har meldt sig inhabil i punkt 4",
        "Lene Holm (formand) trykker på [❓ Spørg forvaltningen]",
        "Spørgsmål fra Lene Holm (A) til punkt 3",
        "Sofie Svendsen (sekretær) trykker på [✍️ Svar]",
        "Svaret er gemt på punkt 3 og sendt til 3 medlemmer.",
        "Udvalgsbot → Lene Holm:",
        "Spørgsmål og svar til punkt 3",
        "fik også svaret.)",
        # the meeting: afbud, attendance, decisions, end time, protocol, approval
        "Per Vinther (medlem) ▸ /afbud",
        "Dit afbud til BEU",
        "(Tiden går: det er mødedagen",
        "Sofie Svendsen (sekretær) ▸ /moede",
        "Lene Holm (A), formand – til stede",
        "Per Vinther (V) – afbud",
        "Beslutning: Indstillingen faldt ved stemmelighed med 1 stemme for (A)",
        "Afvigende mening fra Lene Holm (A): »A ønsker indsatsen gennemført",
        "Sofie Svendsen (sekretær) trykker på [✅ Bekræft inhabilitet: Anne Lund]",
        "Inhabil: Anne Lund (Ø)",
        "Offentlig beslutning: Udvalget anbefaler købet",
        "Mødet afsluttet kl. 16.10",
        "(Næste morgen,",
        "📎 Beslutningsprotokol BEU",
        "Sendt til godkendelse hos 2 medlemmer.",
        "Lene Holm (formand) trykker på [✅ Godkend protokol]",
        "Anne Lund (medlem) trykker på [✅ Godkend protokol]",
        "er godkendt af alle fremmødte medlemmer og er nu låst.",
        # the decisions, queued with the last approval, reach everyone in the udvalg
        "Udvalgsbot → Lene Holm:",
        "er godkendt. Beslutninger:",
        "Indstillingen faldt ved stemmelighed",
        "fik beslutningerne.)",
        "━━ 13. Den godkendte protokol",
        "📎 Beslutningsprotokol BEU",
        "━━ Statusrunde",
        # one prompt per tovholder per round, listing their indsatser under the plan's goals
        f"Udvalgsbot → Tove Holst:\n      📋 Status på {plan} – runde 1",
        "Mål 1: Fællesskab",
        f"Udvalgsbot → Henrik Dahl:\n      📋 Status på {plan} – runde 1",
        "Udvalgsbot → Henrik Dahl: (rettet)",
        "🟡 Fællesspisning i lokalcentrene – Tove Holst svarede",
        f"Udvalgsbot → Tove Holst:\n      📋 Status på {plan} – runde 2",
        # the chart of the colours over the rounds
        "🖼 billede: statusoverblik-plan-1.png",
        "Runde 1: 🟢 1 🟡 1 🔴 0 ⬜ 1",
        "Runde 2: 🟢 2 🟡 0 🔴 0 ⬜ 1",
        # a member searches, and the result links the public page; a citizen reads that page
        "━━ 12. Et medlem søger",
        "1 resultat for »ungeteamet«",
        "punkt 3: Ny model for jobrettet indsats",
        "🌐 Offentlig side i webarkivet (http://127.0.0.1:",
        "━━ 13. Det offentlige webarkiv",
        "(HTTP 200: dagsorden og godkendt referat, offentlig udgave.)",
        "━━ Demoen er slut",
        "Webarkivet: http://127.0.0.1:",
    ]
    position = 0
    for step in steps:
        found = transcript.find(step, position)
        assert found >= 0, f"{step!r} missing (or out of order) in:\n{transcript}"
        position = found
    # Never the same prompt twice: one new list message per tovholder per round, edited after.
    for name in ("Tove Holst", "Henrik Dahl"):
        for number in (1, 2):
            head = f"Udvalgsbot → {name}:\n      📋 Status på {plan} – runde"
            assert transcript.count(f"{head} {number}") == 1, (name, number)
    assert len(list((output / "dokumenter").glob("sofie-*-statusoverblik-plan-1.png"))) == 1
    assert f"ensomhed {year - 1}" not in transcript  # issue 16, item 9: no last year's plan
    # The tovholder sees the closed punkt's title but gets no button to open it.
    tovholder_part = transcript[transcript.index("Tove Holst (tovholder) ▸ /dagsorden") :]
    tovholder_part = tovholder_part[: tovholder_part.index("━━")]
    assert "Lukket punkt: Køb af ejendom" in tovholder_part
    assert "[🔒 4." not in tovholder_part

    assert (output / "udvalgsbot.sqlite3").stat().st_size > 0
    assert (output / "transcript.txt").read_text(encoding="utf-8").startswith("\n━━ 1.")
    [bilag] = list((output / "dokumenter").glob("*Notat om ungeindsatsen.pdf"))
    assert bilag.read_bytes() == BILAG
    # The members get a bilag that opens: one page with its text (issue 16, item 9).
    import pikepdf

    with pikepdf.open(bilag) as pdf:
        assert len(pdf.pages) == 1
    import pdfplumber

    with pdfplumber.open(bilag) as pdf:
        assert "Notat om ungeindsatsen" in (pdf.pages[0].extract_text() or "")

    # Both versions of the protocol, under their own names at the top of the output folder.
    [internal] = list(output.glob("Beslutningsprotokol BEU *[0-9].docx"))
    [public] = list(output.glob("Beslutningsprotokol BEU * offentlig.docx"))
    internal_text = _docx_text(internal.read_bytes())
    public_text = _docx_text(public.read_bytes())
    for text in (internal_text, public_text):
        assert "Køb af ejendom til værkstedspladser" in text
        assert PUBLIC_DECISION in text and "Mødet afsluttet kl. 16.10" in text
        assert TIE in text
    closed_content = "Forhandling om køb af ejendom. Behandles for lukkede døre."
    assert closed_content in internal_text and REMARK in internal_text
    assert closed_content not in public_text
    assert "Per Vinther" in internal_text  # listed with his afbud
    # Anne's inhabilitet, confirmed in meeting mode; the question and answer, internal only.
    inhabil = "Anne Lund (Ø) deltog ikke i behandlingen af punktet på grund af inhabilitet."
    assert inhabil in internal_text
    assert "Spørgsmål og svar" in internal_text
    assert QUESTION in internal_text and ANSWER in internal_text
    assert QUESTION not in public_text and ANSWER not in public_text
    # The exported protocol is the approved one: both members present, approved the morning
    # after the meeting, with the revision.
    approved = internal_text[internal_text.index("\nGodkendelse\n") :]
    day = meeting_day() + timedelta(days=1)
    for name in ("Lene Holm (A), formand", "Anne Lund (Ø)"):
        assert re.search(
            rf"{re.escape(name)}: godkendt digitalt {day:%d-%m-%Y} kl\. 09\.3\d", approved
        ), name
    assert "Protokolrevision:" in approved and "Udkast" not in internal_text


def _docx_text(content: bytes) -> str:
    document = docx.Document(io.BytesIO(content))
    return "\n".join(p.text for p in document.paragraphs)


async def test_the_interactive_demo_lets_a_person_type_as_the_secretary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Typed lines go to the bot as Sofie; ``:N`` taps a button; ``:q`` hands over to the cast."""
    day = SOON.strftime("%d-%m-%Y")
    typed = io.StringIO(f"/nytmoede BEU {day} 14:00 Rådhuset\n:1\n:99\n:q\n")
    monkeypatch.setattr("sys.stdin", typed)
    lines: list[str] = []

    assert await run_demo(tmp_path / "out", interactive=True, write=lines.append) == 0

    transcript = "\n".join(lines)
    steps = [
        "Du er sekretæren Sofie",
        f"Sofie Svendsen (sekretær) ▸ /nytmoede BEU {day} 14:00 Rådhuset",
        f"Mødet er oprettet: Beskæftigelsesudvalget (BEU) {day} kl. 14.00.",
        "Sofie Svendsen (sekretær) trykker på [Se dagsorden]",
        "(ingen knap med det nummer)",
        "Lene Holm (formand) ▸ /dagsorden",
        "Udvalgsbot → Lene Holm:",
    ]
    position = 0
    for step in steps:
        found = transcript.find(step, position)
        assert found >= 0, f"{step!r} missing (or out of order) in:\n{transcript}"
        position = found


async def test_interactive_colon_n_presses_button_n_and_keeps_numbers_after_a_buttonless_reply(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 16, item 9: ``:7`` on the edit menu pressed "Beslutningskompetence" (the first label
    containing "Beslutning"), and the numbers vanished after a reply without buttons."""
    typed = f"/nytmoede BEU {SOON:%d-%m-%Y} 14:00 Rådhuset\n:1\n:2\n:7\n:16\n:q\n"
    monkeypatch.setattr("sys.stdin", io.StringIO(typed))
    lines: list[str] = []

    assert await run_demo(tmp_path / "out", interactive=True, write=lines.append) == 0

    transcript = "\n".join(lines)
    steps = [
        "trykker på [Se dagsorden]",
        "trykker på [✏️ 1]",
        ":7 [Beslutning]",
        "Sofie Svendsen (sekretær) trykker på [Beslutning]\n",
        "Skriv den nye tekst til Beslutning",
        ":16 [📋 Dagsorden]",  # the edit menu's numbers, after a question without buttons
        "trykker på [📋 Dagsorden]",
        "1. Godkendelse af dagsorden",
    ]
    position = 0
    for step in steps:
        found = transcript.find(step, position)
        assert found >= 0, f"{step!r} missing (or out of order) in:\n{transcript}"
        position = found
    assert "Beslutningskompetence for" not in transcript
    assert "(ingen knap med det nummer)" not in transcript
