"""The rendered dagsorden and protokol, read back with python-docx."""

from __future__ import annotations

import io
import time

import docx
from docx.oxml.ns import qn
from docx.shared import Pt

from agendas.documents import render_dagsorden, render_protokol
from agendas.model import Punkt, PunktKind
from agendas.protocol import DocumentPunkt, PunktRecord
from tests.documents.builders import (
    CLOSED_BILAG,
    CLOSED_SECRET,
    PUBLIC_DECISION,
    UDVALG,
    Para,
    body_text,
    instr_texts,
    meeting,
    open_docx,
    paragraphs,
)


def headings(data: bytes, style: str) -> list[str]:
    return [p.text for p in paragraphs(data) if p.style == style]


def punkt_block(data: bytes, number: int) -> list[Para]:
    """The paragraphs of punkt ``number``: after its Heading 1, up to the next Heading 1."""
    paras = paragraphs(data)
    starts = [i for i, p in enumerate(paras) if p.style == "Heading 1"]
    begin = starts[number - 1] + 1
    end = starts[number] if number < len(starts) else len(paras)
    return paras[begin:end]


def block_texts(data: bytes, number: int) -> list[str]:
    return [p.text for p in punkt_block(data, number)]


def test_protokol_has_the_punkter_as_word_headings_in_order() -> None:
    data = render_protokol(meeting(), public=False)
    assert headings(data, "Heading 1") == [
        "1. Godkendelse af dagsorden",
        "2. Meddelelser",
        "3. Ny model for genoptræning efter sygehusophold",
        "4. Lukket punkt: Køb af ejendom til midlertidige døgnpladser",
        "5. Eventuelt",
    ]


def test_sections_follow_the_municipal_order_and_empty_ones_are_left_out() -> None:
    data = render_protokol(meeting(), public=False)
    punkt3 = block_texts(data, 3)
    h2 = [p.text for p in punkt_block(data, 3) if p.style == "Heading 2"]
    assert h2 == [
        "Sagens kerne",
        "Indstilling",
        "Beslutning",
        "Sagsfremstilling",
        "Økonomiske konsekvenser",
        "Bilag",
    ]  # "Tidsplan" is empty and "Lov- og plangrundlag" missing: left out
    assert punkt3[:4] == [
        "Sag nr. 3",
        "Beslutningskompetence: KB",
        "Journalnr.: 29.09.00-A00-1-25",
        "Til beslutning",
    ]
    beslutning = punkt3[punkt3.index("Beslutning") + 1 : punkt3.index("Sagsfremstilling")]
    assert "Anbefales med 3 stemmer for (A, V, F) og 1 stemme imod (Ø)." in punkt3
    assert (
        "Sara Dalgaard (F) deltog ikke i behandlingen af punktet på grund af inhabilitet." in punkt3
    )
    assert 'Anne Lund (Ø) ønsker følgende tilført protokollen: "Ø kan ikke støtte flytningen."' in (
        punkt3
    )
    assert beslutning[0] == "Anbefales med 3 stemmer for (A, V, F) og 1 stemme imod (Ø)."
    assert punkt3[-2:] == [
        "Bilag 1: Notat om ventetider 2024.pdf",
        "Bilag 2: Skitse af ombygning.pdf",
    ]


def test_bullets_are_word_bullets() -> None:
    data = render_protokol(meeting(), public=False)
    bullets = [p.text for p in paragraphs(data) if p.style == "List Bullet"]
    assert bullets == [
        "Nyt fra sundhedsplejen",
        "Status på rekruttering",
        "Temadag om demens den 8. april",
    ]


def test_front_page_shows_meeting_and_attendance() -> None:
    texts = [p.text for p in paragraphs(render_protokol(meeting(), public=False))]
    assert texts[:5] == [
        UDVALG,
        "Beslutningsprotokol",
        "Udkast",  # not approved yet
        "04-03-2025",
        "Kl. 15.00, Mødelokale 2",
    ]
    members = texts[texts.index("Medlemmer") + 1 : texts.index("Stedfortrædere")]
    assert members == [
        "Lene Holm (A), formand",
        "Per Vinther (V), næstformand",
        "Sara Dalgaard (F)",
        "Mikkel Storm (C)",
        "Anne Lund (Ø)",
    ]
    assert texts[texts.index("Stedfortrædere") + 1] == "Jonas Ærø (Ø), stedfortræder for Anne Lund"
    assert texts[texts.index("Fraværende") + 1] == "Mikkel Storm (C), sag 3-4"
    assert texts[texts.index("Afbud") + 1] == "Anne Lund (Ø)"
    assert texts[-1] == "Mødet afsluttet kl. 16.05"


def test_table_of_contents_is_a_word_field_listing_the_punkter() -> None:
    data = render_protokol(meeting(), public=False)
    document = open_docx(data)
    assert any("TOC" in text for text in instr_texts(document.element.body))
    texts = [p.text for p in document.paragraphs]
    start = texts.index("Indholdsfortegnelse")
    assert texts[start + 1 : start + 6] == headings(data, "Heading 1")


def test_header_and_footer_carry_udvalg_date_and_page_numbers() -> None:
    document = open_docx(render_protokol(meeting(), public=False))
    section = document.sections[0]
    header = "\n".join(p.text for p in section.header.paragraphs)
    footer = "\n".join(p.text for p in section.footer.paragraphs)
    assert UDVALG in header and "04-03-2025" in header
    assert UDVALG in footer and "04-03-2025" in footer
    fields = " ".join(instr_texts(section.footer._element))
    assert "PAGE" in fields and "NUMPAGES" in fields


def test_language_is_danish_and_properties_are_set() -> None:
    document = open_docx(render_protokol(meeting(), public=False))
    styles = document.styles.element
    default_lang = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    assert default_lang.find(qn("w:lang")).get(qn("w:val")) == "da-DK"
    for name in ("Normal", "Heading 1", "Heading 2"):
        lang = document.styles[name].element.rPr.find(qn("w:lang"))
        assert lang.get(qn("w:val")) == "da-DK", name
    props = document.core_properties
    assert props.title == f"Beslutningsprotokol – {UDVALG} 04-03-2025"
    assert props.author == "Social- og Sundhedsforvaltningen"
    assert props.language == "da-DK"


def test_dagsorden_has_no_beslutning_and_no_end_time() -> None:
    data = render_dagsorden(meeting(), public=False)
    text = body_text(data)
    assert "Beslutning" not in headings(data, "Heading 2")
    assert "Anbefales med" not in text
    assert "Mødet afsluttet" not in text
    assert "inhabilitet" not in text
    assert paragraphs(data)[1].text == "Dagsorden"
    assert CLOSED_SECRET in text  # the internal agenda shows the closed punkt to members


def test_public_version_hides_closed_content_and_bilag() -> None:
    internal = body_text(render_protokol(meeting(), public=False))
    public_data = render_protokol(meeting(), public=True)
    public = body_text(public_data)
    assert CLOSED_SECRET in internal and CLOSED_BILAG in internal
    assert "Offentlig beslutningstekst" in internal
    assert "4. Lukket punkt: Køb af ejendom til midlertidige døgnpladser" in public
    assert CLOSED_SECRET not in public
    assert CLOSED_BILAG not in public
    assert "at købet godkendes." not in public
    assert block_texts(public_data, 4) == [
        "Sag nr. 4",
        "Beslutningskompetence: KB",
        "Beslutning",
        PUBLIC_DECISION,
    ]
    # open punkter keep their content and bilag
    assert "Notat om ventetider 2024.pdf" in public
    public_agenda = body_text(render_dagsorden(meeting(), public=True))
    assert CLOSED_SECRET not in public_agenda and PUBLIC_DECISION not in public_agenda


def test_template_styles_and_letterhead_are_used() -> None:
    template = docx.Document()
    template.styles["Normal"].font.name = "Arial"
    template.styles["Normal"].font.size = Pt(11)
    template.sections[0].header.paragraphs[0].text = "Egeby Kommune · Rådhuspladsen 1"
    template.add_paragraph("SKABELONTEKST der ikke må komme med")
    buffer = io.BytesIO()
    template.save(buffer)

    data = render_protokol(meeting(), public=False, template=buffer.getvalue())
    document = open_docx(data)
    assert document.styles["Normal"].font.name == "Arial"
    header = [p.text for p in document.sections[0].header.paragraphs]
    assert header[0] == "Egeby Kommune · Rådhuspladsen 1"
    assert any(UDVALG in line for line in header[1:])
    assert "SKABELONTEKST" not in body_text(data)
    assert headings(data, "Heading 1")[0] == "1. Godkendelse af dagsorden"


def test_sixty_punkt_protocol_renders_quickly() -> None:
    doc = meeting()
    template = doc.punkter[2]
    doc.punkter = [
        DocumentPunkt(
            Punkt(
                moede_id=1,
                kind=PunktKind.SAG,
                title=f"{template.punkt.title} ({n})",
                number=n,
                sections={k: (v + "\n") * 8 for k, v in template.punkt.sections.items()},
            ),
            bilag=list(template.bilag),
            record=PunktRecord(beslutning="Godkendt."),
        )
        for n in range(1, 61)
    ]
    started = time.perf_counter()
    data = render_protokol(doc, public=False)
    elapsed = time.perf_counter() - started
    assert len(headings(data, "Heading 1")) == 60
    assert elapsed < 3.0, f"60 punkter took {elapsed:.2f} s"
