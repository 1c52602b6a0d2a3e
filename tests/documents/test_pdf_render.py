"""The dagsorden and protokol as PDF/A (agendas/documents/pdf_render.py, WeasyPrint): the file is
PDF/A-2u in its XMP, A4, Danish, tagged, every font embedded, a bookmark per punkt; the public
edition's text (pdftotext) never has a closed punkt's content or bilag; the PDF imports back."""

from __future__ import annotations

from datetime import datetime

import pytest

from agendas.documents import parse_document
from agendas.documents.pdf_render import FONTS_DIR, fonts_only_fetcher, load_weasyprint, render_pdf
from agendas.documents.wording import punkt_heading
from agendas.protocol import DocumentStage, MeetingDocument
from tests.documents.builders import (
    CLOSED_BILAG,
    CLOSED_SECRET,
    FORVALTNING,
    PUBLIC_DECISION,
    UDVALG,
    meeting,
)
from tests.documents.test_editions import with_approval
from tests.support.pdfa import assert_pdfa, pdf_text, read_pdf
from tests.support.word import INTERNAL, PUBLIC

CLOSED_TITLE = "4. Lukket punkt: Køb af ejendom til midlertidige døgnpladser"


def headings(doc: MeetingDocument) -> list[str]:
    return [punkt_heading(item) for item in doc.punkter]


@pytest.fixture(scope="module")
def sent() -> MeetingDocument:
    return with_approval(DocumentStage.SENDT, None)


@pytest.fixture(scope="module")
def protocols(sent: MeetingDocument) -> dict[bool, bytes]:
    """The protocol sent for approval, by ``public``."""
    return {public: render_pdf(sent, protokol=True, public=public) for public in (False, True)}


@pytest.mark.parametrize("public", [False, True])
def test_the_protocol_is_pdfa_2u_on_a4_with_embedded_fonts_and_a_bookmark_per_punkt(
    protocols: dict[bool, bytes], sent: MeetingDocument, public: bool
) -> None:
    facts = assert_pdfa(protocols[public], [*headings(sent), "Godkendelse"])
    assert facts.title == f"Beslutningsprotokol – {UDVALG} 04-03-2025"
    assert facts.author == FORVALTNING
    assert facts.subject == (PUBLIC if public else INTERNAL)
    assert facts.keywords == "beslutningsprotokol"
    assert {name.split("+")[-1] for name, _ in facts.fonts} == {"DejaVu-Sans", "DejaVu-Sans-Bold"}
    assert len(facts.pages) >= 3


@pytest.mark.parametrize("public", [False, True])
def test_the_agenda_is_pdfa_too(public: bool) -> None:
    doc = meeting()
    data = render_pdf(doc, protokol=False, public=public)
    facts = assert_pdfa(data, headings(doc))  # no Godkendelse in an agenda
    assert facts.title == f"Dagsorden – {UDVALG} 04-03-2025" and facts.keywords == "dagsorden"
    text = pdf_text(data)
    assert "Udkast" not in text and "Mødet afsluttet" not in text
    assert "Anbefales med 3 stemmer" not in text and "Protokollen er" not in text


def test_the_public_protocol_never_shows_a_closed_punkts_content(
    protocols: dict[bool, bytes],
) -> None:
    public = pdf_text(protocols[True])
    assert CLOSED_TITLE in public and PUBLIC_DECISION in public
    assert CLOSED_SECRET not in public and CLOSED_BILAG not in public
    assert "Køb" in public and "Købesummen" not in public and "sælger" not in public
    assert PUBLIC in public and "Intern udgave" not in public
    internal = pdf_text(protocols[False])
    assert CLOSED_TITLE in internal and CLOSED_SECRET in internal and CLOSED_BILAG in internal
    assert INTERNAL in internal and PUBLIC_DECISION in internal


def test_the_public_agenda_never_shows_a_closed_punkts_content() -> None:
    public = pdf_text(render_pdf(meeting(), protokol=False, public=True))
    assert CLOSED_TITLE in public
    assert CLOSED_SECRET not in public and CLOSED_BILAG not in public
    internal = pdf_text(render_pdf(meeting(), protokol=False, public=False))
    assert CLOSED_SECRET in internal and CLOSED_BILAG in internal


def test_the_pages_carry_header_footer_and_the_protocols_content(
    protocols: dict[bool, bytes],
) -> None:
    text = pdf_text(protocols[False])
    pages = len(read_pdf(protocols[False]).pages)
    assert text.count(f"{UDVALG} · Beslutningsprotokol · 04-03-2025") == pages
    assert text.count(f"{INTERNAL} · Udkast") == pages
    for page in range(1, pages + 1):
        assert f"{UDVALG} 04-03-2025 · Side {page} af {pages}" in text
    for expected in (
        "Kl. 15.00, Mødelokale 2",
        "Jonas Ærø (Ø), stedfortræder for Anne Lund",
        "Mikkel Storm (C), sag 3-4",
        "Anbefales med 3 stemmer for (A, V, F) og 1 stemme imod (Ø).",
        "Sara Dalgaard (F) deltog ikke i behandlingen af punktet på grund af inhabilitet.",
        'Anne Lund (Ø) ønsker følgende tilført protokollen: "Ø kan ikke støtte flytningen."',
        "Bilag 2: Skitse af ombygning.pdf",
        "Journalnr.: 29.09.00-A00-1-25",
        "Mødet afsluttet kl. 16.05",
        "Lene Holm (A), formand ikke godkendt",
    ):
        assert expected in text, expected


def test_an_approved_protocol_is_not_a_draft() -> None:
    doc = with_approval(DocumentStage.GODKENDT, datetime(2025, 3, 5, 16))
    text = pdf_text(render_pdf(doc, protokol=True, public=True))
    assert "Udkast" not in text and f"{PUBLIC} · Godkendt" in text
    assert "godkendt digitalt 05-03-2025 kl. 16.00" in text


def test_the_pdf_imports_back_as_the_same_meeting(protocols: dict[bool, bytes]) -> None:
    source = with_approval(DocumentStage.SENDT, None)
    imported = parse_document(protocols[False])
    assert imported.unplaced == []
    doc = imported.document
    assert doc.udvalg.name == UDVALG and doc.moede.date == source.moede.date
    assert [(p.punkt.title, p.punkt.closed) for p in doc.punkter] == [
        (p.punkt.title, p.punkt.closed) for p in source.punkter
    ]
    assert [p.bilag for p in doc.punkter] == [p.bilag for p in source.punkter]
    assert doc.end_time == source.end_time


def test_the_renderer_reads_the_bundled_fonts_and_no_other_file() -> None:
    fetcher = fonts_only_fetcher(load_weasyprint())
    font = fetcher.fetch((FONTS_DIR / "DejaVuSans.ttf").as_uri())
    try:
        assert font.read(4) == b"\x00\x01\x00\x00"  # a TrueType font
    finally:
        font.close()
    for url in ("file:///etc/passwd", (FONTS_DIR / "LICENSE-DejaVu.txt").as_uri()):
        with pytest.raises(ValueError, match="not a bundled font"):
            fetcher.fetch(url)
    with pytest.raises(ValueError):
        fetcher.fetch("http://127.0.0.1:9/x.css")


def test_a_character_the_fonts_lack_is_printed_as_a_replacement_not_as_notdef(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """PDF/A forbids the .notdef glyph; an emoji or Chinese in a title becomes "�", while
    Danish letters, dashes, quotes and € are printed as typed."""
    doc = meeting()
    doc.punkter[2].punkt.title = "Ny model 🔒 漢字 – “æøå” € ≥ 👍🏽"
    with caplog.at_level("WARNING", logger="weasyprint"):
        data = render_pdf(doc, protokol=True, public=False)
    assert not [r for r in caplog.records if "notdef" in r.getMessage()]
    assert_pdfa(data, [*headings(doc)[:2], "3. Ny model � �� – “æøå” € ≥ �", *headings(doc)[3:]])
    assert "3. Ny model � �� – “æøå” € ≥ �" in pdf_text(data)
