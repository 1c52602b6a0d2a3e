"""A secretary sends the municipality's published referat as a PDF: it becomes a meeting, through
the real bot process and the Bot API emulator (the file is downloaded with getFile)."""

from __future__ import annotations

import pytest

from tests.e2e.world import CODE, World
from tests.support.pdf import PdfLine, make_pdf

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="session")]

REFERAT = make_pdf(
    [
        [
            PdfLine("Beskæftigelsesudvalget", 20, bold=True),
            PdfLine("Referat", 14, bold=True),
            PdfLine("Mødedato: Tirsdag den 4. marts 2025 kl. 15.00"),
            PdfLine("Mødested: Rådhuset, mødelokale 2"),
            PdfLine("Punkt 1: Godkendelse af dagsorden", 14, bold=True),
            PdfLine("Beslutninger", bold=True),
            PdfLine("Godkendt."),
            PdfLine("Punkt 2: Ny model for jobrettet indsats for unge", 14, bold=True),
            PdfLine("EMN-2025-003383"),
            PdfLine("Resume", bold=True),
            PdfLine("Udvalget skal godkende en ny model for den jobrettede indsats."),
        ],
        [
            PdfLine("Beslutningspunkter", bold=True),
            PdfLine("At 1) modellen godkendes."),
            PdfLine("Beslutninger", bold=True),
            PdfLine("Godkendt."),
            PdfLine("Mødet hævet kl. 16.20"),
        ],
    ],
    header="Beskæftigelsesudvalget – referat 04-03-2025",
)


async def test_a_pdf_sent_to_the_bot_becomes_a_meeting(world: World) -> None:
    committee = await world.setup_committee()
    sec = committee.secretary
    await world.client.send_document(
        sec, REFERAT, "Referat BEU 2025-03-04.pdf", mime_type="application/pdf"
    )
    offer = await world.expect(sec, "importeres som et møde")
    summary = await world.press(sec, offer, f"📥 Importér som møde i {CODE}", "Importeret")
    text = summary.text or ""
    assert "04-03-2025 kl. 15.00, 2 punkter" in text and "Mødet afsluttet kl. 16.20" in text
    assert "Resume" not in text and "Sagens kerne, Indstilling, Beslutning" in text
    assert world.count("SELECT count(*) FROM moede WHERE date = '2025-03-04'") == 1
    assert world.count("SELECT count(*) FROM punkt WHERE journal_number = 'EMN-2025-003383'") == 1
