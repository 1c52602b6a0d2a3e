"""Import of agendas and protocols in the municipal layout."""

from __future__ import annotations

import io
from datetime import date, time
from pathlib import Path

import docx
import pytest

from agendas.documents import parse_document, parse_docx, parse_text, render_protokol
from agendas.documents.decisions import read_record
from agendas.documents.pdf import pdf_text
from agendas.errors import InvalidInput
from agendas.model import PunktKind, Role
from agendas.protocol import AttendanceStatus, MemberRef, QuorumNote, SagRange, Votes
from tests.support.pdf import PdfLine, make_pdf


def test_example_protocol(example_text: str) -> None:
    result = parse_text(example_text)
    doc = result.document
    assert result.unplaced == []
    assert doc.udvalg.name == "Sundheds- og Omsorgsudvalget"
    assert doc.udvalg.forvaltning == "Social- og Sundhedsforvaltningen"
    assert doc.moede.date == date(2025, 3, 4)
    assert doc.moede.start_time == time(15, 0)
    assert doc.moede.place == "Mødelokale 2, Egeby Rådhus"
    assert doc.end_time == time(16, 5)

    assert [(p.punkt.number, p.punkt.title, p.punkt.closed) for p in doc.punkter] == [
        (1, "Godkendelse af dagsorden", False),
        (2, "Meddelelser", False),
        (3, "Status på handleplan mod ensomhed 2025-2026", False),
        (4, "Ny model for genoptræning efter sygehusophold", False),
        (5, "Køb af ejendom til midlertidige døgnpladser", True),
        (6, "Eventuelt", False),
    ]
    assert [p.punkt.kind for p in doc.punkter] == [
        PunktKind.GODKENDELSE,
        PunktKind.MEDDELELSER,
        PunktKind.SAG,
        PunktKind.SAG,
        PunktKind.SAG,
        PunktKind.EVENTUELT,
    ]
    assert [p.punkt.beslutningskompetence for p in doc.punkter] == [
        "SOU",
        "SOU",
        "SOU",
        "KB",
        "KB",
        "",
    ]
    assert [p.beslutning_text() for p in doc.punkter] == [
        "Godkendt.",
        "Taget til efterretning.",
        "Taget til efterretning.",
        "Anbefales med 3 stemmer for (A, V, F) og 1 stemme imod (Ø).",
        "Anbefales.",
        "Intet.",
    ]
    sag4 = doc.punkter[3]
    assert sag4.record.beslutning == "Anbefales"
    assert sag4.record.votes.for_parties == ("A", "V", "F")
    assert sag4.record.votes.imod_count == 1
    assert sag4.record.remarks[0].member == MemberRef("Anne Lund", "Ø")
    assert sag4.record.remarks[0].text.startswith("Ø kan ikke støtte")
    assert sag4.bilag == ["Notat om ventetider 2024", "Skitse af ombygning"]
    assert sag4.punkt.section("indstilling").splitlines()[0] == (
        "Social- og Sundhedsforvaltningen indstiller,"
    )
    assert sag4.punkt.section("tidsplan").startswith("Økonomiudvalget 18. marts 2025")
    meddelelser = doc.punkter[1].punkt.section("sagens_kerne").splitlines()
    assert meddelelser[1:] == [
        "- Nyt fra sundhedsplejen: flere åbent hus-dage i foråret",
        "- Status på rekruttering af social- og sundhedsassistenter",
        "- Invitation til temadag om demensvenlig kommune den 8. april",
    ]
    assert len(doc.punkter[2].punkt.section("sagsfremstilling").splitlines()) == 5
    assert doc.punkter[4].punkt.sections == {}

    by_name = {a.name: a for a in doc.attendance}
    assert list(by_name) == [
        "Lene Holm",
        "Per Vinther",
        "Sara Dalgaard",
        "Mikkel Storm",
        "Anne Lund",
    ]
    assert by_name["Lene Holm"].title is Role.FORMAND
    assert by_name["Per Vinther"].title is Role.NAESTFORMAND
    assert by_name["Anne Lund"].party == "Ø"
    storm = by_name["Mikkel Storm"]
    assert storm.absent_for == (SagRange(3, 5),)
    assert storm.present_at(2) and not storm.present_at(4) and storm.present_at(6)


AGENDA_WITH_VARIANTS = """\
Dagsorden
Beskæftigelsesudvalget
Tirsdag den 4. marts 2025 kl. 16.30, Byrådssalen
Medlemmer
Hanne Ø. Berg (A), formand
Ole Kragh (V)
Afbud
Ole Kragh (V)
Stedfortrædere
Bo Ærenpris (V), stedfortræder for Ole Kragh
En linje som ingen kan placere.
Godkendelse af dagsorden
Sag nr. 1
Lukket punkt: Personalesag
Sag nr. 2
Beslutningskompetence: BEU
Resumé
Kort om sagen.
Problemstilling
Der mangler pladser.
Løsning
• Flere pladser
* Bedre visitation
Økonomi
Udgiftsneutral.
Videre proces
Sagen forelægges igen i juni.
Beslutning
Godkendt med 5 stemmer for (A, V) og 2 undlod at stemme (Ø, F).
Ole Kragh (V) deltog ikke i behandlingen af punktet på grund af inhabilitet.
Bilag
Bilag 1: Oversigt.pdf
Mødet afsluttet kl. 18.00
Efterskrift der ikke hører til noget punkt
"""


def test_variants_are_mapped_and_leftovers_reported() -> None:
    result = parse_text(AGENDA_WITH_VARIANTS)
    doc = result.document
    assert doc.udvalg.name == "Beskæftigelsesudvalget"
    assert doc.moede.date == date(2025, 3, 4)
    assert doc.moede.start_time == time(16, 30)
    assert doc.moede.place == "Byrådssalen"
    assert doc.end_time == time(18, 0)
    assert [a.status for a in doc.attendance] == [
        AttendanceStatus.TIL_STEDE,
        AttendanceStatus.AFBUD,
        AttendanceStatus.STEDFORTRAEDER,
    ]
    assert doc.attendance[0].name == "Hanne Ø. Berg"
    assert doc.attendance[2].substitute_for == "Ole Kragh"
    sag = doc.punkter[1]
    assert sag.punkt.closed and sag.punkt.title == "Personalesag"
    assert sag.punkt.sections == {
        "sagens_kerne": "Kort om sagen.\nProblemstilling:\nDer mangler pladser.",
        "sagsfremstilling": "- Flere pladser\n- Bedre visitation",
        "oekonomiske_konsekvenser": "Udgiftsneutral.",
        "tidsplan": "Sagen forelægges igen i juni.",
    }
    assert sag.record.beslutning == "Godkendt"
    assert sag.record.votes.undlader_parties == ("Ø", "F")
    assert sag.record.inhabile == [MemberRef("Ole Kragh", "V")]
    assert sag.bilag == ["Oversigt.pdf"]
    # Each unplaced line says where it stands, so the secretary can find it in the document.
    assert [(u.line, u.text) for u in result.unplaced] == [
        (11, "En linje som ingen kan placere."),
        (34, "Efterskrift der ikke hører til noget punkt"),
    ]
    source = AGENDA_WITH_VARIANTS.splitlines()
    assert all(source[u.line - 1] == u.text for u in result.unplaced)


def _docx(paragraphs: list[tuple[str, str]], danish_styles: bool = False) -> bytes:
    document = docx.Document()
    if danish_styles:
        from docx.enum.style import WD_STYLE_TYPE

        document.styles.add_style("Overskrift 1", WD_STYLE_TYPE.PARAGRAPH)
        document.styles.add_style("Overskrift 2", WD_STYLE_TYPE.PARAGRAPH)
    for text, style in paragraphs:
        document.add_paragraph(text, style=style)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("danish", [False, True])
def test_docx_headings_are_recognised_by_style(danish: bool) -> None:
    h1, h2 = ("Overskrift 1", "Overskrift 2") if danish else ("Heading 1", "Heading 2")
    data = _docx(
        [
            ("Kultur- og Fritidsudvalget", "Title"),
            ("12-01-2026", "Normal"),
            ("Kl. 17.00", "Normal"),
            ("1. Ny hal i Egeby", h1),  # no "Sag nr." line: the style makes it a punkt
            ("Sagens kerne", h2),
            ("Hallen er slidt.", "Normal"),
            ("Fordele", "List Bullet"),
            ("2. Lukket punkt: Lejeaftale", h1),
            ("Indstilling:", h2),
            ("at aftalen godkendes.", "Normal"),
        ],
        danish_styles=danish,
    )
    result = parse_docx(data)
    doc = result.document
    assert result.unplaced == []
    assert doc.udvalg.name == "Kultur- og Fritidsudvalget"
    assert [(p.punkt.number, p.punkt.title, p.punkt.closed) for p in doc.punkter] == [
        (1, "Ny hal i Egeby", False),
        (2, "Lejeaftale", True),
    ]
    assert doc.punkter[0].punkt.sections == {"sagens_kerne": "Hallen er slidt.\n- Fordele"}
    assert doc.punkter[1].punkt.sections == {"indstilling": "at aftalen godkendes."}


def test_plain_docx_paragraphs_are_read_by_pattern(example_text: str) -> None:
    data = _docx([(line, "Normal") for line in example_text.splitlines()])
    from_docx = parse_document(data).document
    from_text = parse_text(example_text).document
    assert from_docx == from_text


def test_text_upload_in_windows_encoding(example_text: str) -> None:
    data = example_text.encode("cp1252")
    assert parse_document(data).document == parse_text(example_text).document


def test_seed_documents_without_punkter_are_refused(shared: Path) -> None:
    seeds = sorted((shared / "seeds").glob("*.txt"))
    assert seeds
    for seed in seeds:
        with pytest.raises(InvalidInput) as caught:
            parse_document(seed.read_bytes())
        assert caught.value.key == "err-import-no-punkter", seed.name


def test_missing_date_is_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_text("Økonomiudvalget\nGodkendelse af dagsorden\nSag nr. 1\n")
    assert caught.value.key == "err-import-no-date"


@pytest.mark.parametrize(
    ("line", "head", "votes"),
    [
        (
            "Anbefales med 3 stemmer for (A, V) og 1 stemme imod (Ø). C undlod at stemme.",
            "Anbefales",
            Votes(3, ("A", "V"), 1, ("Ø",), 1, ("C",)),
        ),
        (
            "Godkendt med 2 stemmer for (A). 1 medlem undlod at stemme.",
            "Godkendt",
            Votes(2, ("A",), 0, (), 1, ()),
        ),
        (
            "Indstillingen faldt ved stemmelighed med 1 stemme for (A) og 1 stemme imod (Ø).",
            "Indstillingen faldt ved stemmelighed",
            Votes(1, ("A",), 1, ("Ø",)),
        ),
        # The wording before issue 12 is still read.
        (
            "Godkendt med 5 stemmer for (A, V) og 2 undlod at stemme (Ø, F).",
            "Godkendt",
            Votes(5, ("A", "V"), 0, (), 2, ("Ø", "F")),
        ),
    ],
)
def test_votes_are_read_back_the_danish_way(line: str, head: str, votes: Votes) -> None:
    record = read_record([line])
    assert (record.beslutning, record.votes) == (head, votes)


def test_the_quorum_note_is_read_back_and_other_text_stays_text() -> None:
    note = (
        "Udvalget var ikke beslutningsdygtigt ved behandlingen af punktet "
        "(2 af 7 medlemmer til stede)."
    )
    record = read_record(["Godkendt.", note])
    assert (record.beslutning, record.quorum) == ("Godkendt.", QuorumNote(2, 7))
    odd = read_record(["Godkendt med 2 stemmer for (A). C og Ø undlod at stemme i går."])
    assert odd.votes == Votes() and odd.beslutning.endswith("i går.")


@pytest.mark.parametrize(
    "closing",
    [
        "Mødet afsluttet kl. 15.10",
        "Mødet hævet kl. 15.10",
        "Mødet sluttede kl. 15:10",
        "Protokollen oplæst. Mødet afsluttet kl. 15.10",
    ],
)
def test_the_closing_line_in_its_forms_wherever_it_stands(closing: str) -> None:
    """At the end it is the end time and not the last punkt's decision; an SBSYS export (Odense)
    prints it at the top, and the punkter after it are still read."""
    body = "Godkendelse af dagsorden\nSag nr. 1\nBeslutning\nGodkendt.\n"
    at_end = parse_text(f"Økonomiudvalget\n04-03-2025\n{body}{closing}\n")
    assert at_end.document.end_time == time(15, 10)
    assert at_end.document.punkter[0].record.beslutning == "Godkendt."
    assert at_end.unplaced == []
    at_top = parse_text(f"Økonomiudvalget\n04-03-2025\n{closing}\n{body}")
    assert at_top.document.end_time == time(15, 10)
    assert [p.punkt.title for p in at_top.document.punkter] == ["Godkendelse af dagsorden"]
    assert at_top.document.punkter[0].record.beslutning == "Godkendt."


def test_a_pdf_is_read_with_headings_from_its_type_and_without_page_furniture() -> None:
    """Punkt titles in larger type, sections in bold, a header and "Side N af M" on every page
    (stripped, and returned as such), a title wrapped over two lines, the journal number on a
    line of its own; every line of the document is placed, unplaced or stripped."""
    pages = [
        [
            PdfLine("Økonomiudvalget", 20, bold=True),
            PdfLine("Referat", 14, bold=True),
            PdfLine("Mødedato: 4. marts 2025 kl. 15.00"),
            PdfLine("Punkt 1: Godkendelse af dagsorden", 14, bold=True),
            PdfLine("Beslutninger", bold=True),
            PdfLine("Godkendt."),
            PdfLine("Punkt 2: Anlægsbevilling til renovering af svømmehallen og", 14, bold=True),
            PdfLine("de tilhørende omklædningsrum", 14, bold=True),
            PdfLine("00.01.00-A00-17-15"),
            PdfLine("Resume", bold=True),
            PdfLine("Svømmehallen trænger til renovering."),
        ],
        [
            PdfLine("Beslutningspunkter", bold=True),
            PdfLine("At 1) der gives en anlægsbevilling på 4,5 mio. kr."),
            PdfLine("Beslutninger", bold=True),
            PdfLine("Anbefales."),
            PdfLine("Punkt 3: Lukket: Køb af grund", 14, bold=True),
            PdfLine("Udvalget anbefalede købet."),
        ],
    ]
    data = make_pdf(pages, header="Økonomiudvalget 04-03-2025")
    result = parse_document(data)
    doc = result.document
    assert (doc.udvalg.name, doc.moede.date, doc.moede.start_time) == (
        "Økonomiudvalget",
        date(2025, 3, 4),
        time(15, 0),
    )
    first, second, third = doc.punkter
    assert first.record.beslutning == "Godkendt."
    assert second.punkt.title == (
        "Anlægsbevilling til renovering af svømmehallen og de tilhørende omklædningsrum"
    )
    assert second.punkt.journal_number == "00.01.00-A00-17-15"
    assert second.punkt.sections == {
        "sagens_kerne": "Svømmehallen trænger til renovering.",
        "indstilling": "At 1) der gives en anlægsbevilling på 4,5 mio. kr.",
    }
    assert second.record.beslutning == "Anbefales."
    assert third.punkt.closed and third.punkt.title == "Køb af grund"
    assert third.record.public_beslutning == "Udvalget anbefalede købet."
    assert result.stripped == [
        "Økonomiudvalget 04-03-2025",
        "Side 1 af 2",
        "Økonomiudvalget 04-03-2025",
        "Side 2 af 2",
    ]
    assert result.unplaced == []
    # Every printed line reaches the reader or is stripped as page furniture.
    printed = sum(len(page) for page in pages) + 2 * len(pages)
    assert len(pdf_text(data).lines) + len(result.stripped) == printed


def test_an_unknown_heading_is_a_section_of_its_own_and_the_sag_number_is_kept() -> None:
    """ "Borgmesterens Afdelings påtegning" is no section of ours: it is kept under its own
    name, not merged into Indstilling and not lost; "Sag nr. 170" is the sag's own number beside
    its place on the agenda. Both come back from the rendered protocol."""
    data = _docx(
        [
            ("Økonomiudvalget", "Title"),
            ("12-01-2026", "Normal"),
            ("Budgetopfølgning", "Heading 1"),
            ("Sag nr. 170", "Normal"),
            ("Indstilling", "Heading 2"),
            ("at budgetopfølgningen godkendes.", "Normal"),
            ("Borgmesterens Afdelings påtegning", "Heading 2"),
            ("Borgmesterens Afdeling har ingen bemærkninger.", "Normal"),
            ("Beslutning", "Heading 2"),
            ("Godkendt.", "Normal"),
        ]
    )
    result = parse_docx(data)
    [item] = result.document.punkter
    assert result.unplaced == []
    assert item.punkt.sections == {"indstilling": "at budgetopfølgningen godkendes."}
    assert item.punkt.extra_sections == [
        ("Borgmesterens Afdelings påtegning", "Borgmesterens Afdeling har ingen bemærkninger.")
    ]
    assert item.punkt.sag_number == 170
    assert item.record.beslutning == "Godkendt."

    item.punkt.number = 1  # its place on the agenda
    rendered = parse_docx(render_protokol(result.document, public=False))
    [again] = rendered.document.punkter
    assert again.punkt.extra_sections == item.punkt.extra_sections
    assert again.punkt.sag_number == 170 and rendered.unplaced == []
