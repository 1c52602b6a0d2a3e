"""The page, the edition and the approval of a rendered dagsorden and protokol (issue 12, items
7 and 8), read back with python-docx; the meeting-level paths are in tests/handlers/test_meeting.py
and tests/test_import_export.py."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import datetime

import docx
import pytest
from docx.enum.section import WD_ORIENT
from docx.shared import Cm, Inches

from agendas.documents import parse_docx, render_dagsorden, render_protokol
from agendas.model import Role
from agendas.protocol import ApprovalRecord, DocumentStage, MeetingDocument, MemberRef, Signature
from tests.documents.builders import UDVALG, meeting
from tests.support.word import (
    INTERNAL,
    PUBLIC,
    assert_a4_with_danish_margins,
    body_lines,
    header_text,
    near,
    open_word,
    pages,
)

Render = Callable[..., bytes]
RENDERERS: list[Render] = [render_protokol, render_dagsorden]


def with_approval(stage: DocumentStage, lene_at: datetime | None) -> MeetingDocument:
    doc = meeting()
    doc.approval = ApprovalRecord(
        stage=stage,
        revision=7,
        signatures=[
            Signature(MemberRef("Lene Holm", "A"), Role.FORMAND, lene_at),
            Signature(MemberRef("Per Vinther", "V"), Role.NAESTFORMAND, datetime(2025, 3, 5, 9, 2)),
        ],
    )
    return doc


def template(width: float, height: float, left: float) -> bytes:
    """A municipal template: one section of the given size (cm), its own left margin."""
    document = docx.Document()
    section = document.sections[0]
    section.page_width, section.page_height, section.left_margin = Cm(width), Cm(height), Cm(left)
    section.header.paragraphs[0].text = "Egeby Kommune"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("render", RENDERERS)
@pytest.mark.parametrize("public", [False, True])
def test_every_section_is_a4_with_danish_margins(render: Render, public: bool) -> None:
    assert_a4_with_danish_margins(render(meeting(), public))
    # A US Letter template (python-docx's own default page) is put on A4 with our margins.
    assert near(docx.Document().sections[0].page_width, Inches(8.5))
    assert_a4_with_danish_margins(render(meeting(), public, template(21.59, 27.94, 3.0)))


def test_a_template_that_already_is_a4_keeps_its_margins() -> None:
    [page] = pages(render_protokol(meeting(), False, template(21.0, 29.7, 3.5)))
    assert near(page.width, Cm(21.0)) and near(page.height, Cm(29.7))
    assert near(page.margins[2], Cm(3.5))  # the letterhead's own left margin
    section = open_word(render_protokol(meeting(), False, template(21.0, 29.7, 3.5))).sections[0]
    assert section.orientation == WD_ORIENT.PORTRAIT


@pytest.mark.parametrize("render", RENDERERS)
def test_internal_and_public_editions_differ_in_header_and_properties(render: Render) -> None:
    internal, public = render(meeting(), False), render(meeting(), True)
    assert INTERNAL in header_text(internal) and PUBLIC not in header_text(internal)
    assert PUBLIC in header_text(public) and "Intern" not in header_text(public)
    for data, edition in ((internal, INTERNAL), (public, PUBLIC)):
        props = open_word(data).core_properties
        assert props.subject == edition
        assert props.author == "Social- og Sundhedsforvaltningen"
        assert props.language == "da-DK"
        assert props.title.endswith(f"– {UDVALG} 04-03-2025")
    assert open_word(internal).core_properties.title.startswith(
        "Beslutningsprotokol" if render is render_protokol else "Dagsorden"
    )


def test_a_draft_protocol_says_udkast_and_has_no_godkendelse() -> None:
    data = render_protokol(meeting(), public=False)
    assert body_lines(data)[:3] == [UDVALG, "Beslutningsprotokol", "Udkast"]
    assert f"{INTERNAL} · Udkast" in header_text(data)
    assert open_word(data).core_properties.content_status == "Udkast"
    assert "Godkendelse" not in body_lines(data)
    agenda = render_dagsorden(meeting(), public=False)  # an agenda is not approved: no mark
    assert "Udkast" not in body_lines(agenda) and "Udkast" not in header_text(agenda)
    assert open_word(agenda).core_properties.content_status == ""


def test_a_protocol_sent_for_approval_lists_who_has_not_approved_yet() -> None:
    data = render_protokol(with_approval(DocumentStage.SENDT, None), public=False)
    lines = body_lines(data)
    assert "Udkast" in lines[:3] and open_word(data).core_properties.content_status == "Udkast"
    tail = lines[lines.index("Godkendelse") :]
    assert tail == [
        "Godkendelse",
        "Protokollen er sendt til godkendelse og er endnu ikke godkendt af alle.",
        "Lene Holm (A), formand: ikke godkendt",
        "Per Vinther (V), næstformand: godkendt digitalt 05-03-2025 kl. 09.02",
        "Protokolrevision: 7",
    ]
    assert lines.index("Mødet afsluttet kl. 16.05") < lines.index("Godkendelse")


@pytest.mark.parametrize("public", [False, True])
def test_the_approved_protocol_ends_with_the_godkendelse_section(public: bool) -> None:
    data = render_protokol(with_approval(DocumentStage.GODKENDT, datetime(2025, 3, 5, 16)), public)
    lines = body_lines(data)
    assert "Udkast" not in lines and "Udkast" not in header_text(data)
    assert lines[-5:] == [
        "Godkendelse",
        "Protokollen er godkendt digitalt af de medlemmer, der var til stede ved mødet.",
        "Lene Holm (A), formand: godkendt digitalt 05-03-2025 kl. 16.00",
        "Per Vinther (V), næstformand: godkendt digitalt 05-03-2025 kl. 09.02",
        "Protokolrevision: 7",
    ]
    props = open_word(data).core_properties
    assert props.content_status == "Godkendt" and props.revision == 7
    assert f"{PUBLIC if public else INTERNAL} · Godkendt" in header_text(data)
    heading = next(p for p in open_word(data).paragraphs if p.text == "Godkendelse")
    assert heading.style.name == "Heading 1" and heading.paragraph_format.page_break_before


def test_importing_an_approved_protocol_ignores_the_marks_and_the_godkendelse_section() -> None:
    source = with_approval(DocumentStage.GODKENDT, datetime(2025, 3, 5, 16))
    imported = parse_docx(render_protokol(source, public=False))
    assert imported.unplaced == []
    assert imported.document.approval == ApprovalRecord()  # a new meeting's own round
    assert [p.punkt.title for p in imported.document.punkter] == [
        p.punkt.title for p in source.punkter
    ]
    draft = parse_docx(render_protokol(with_approval(DocumentStage.SENDT, None), public=False))
    assert draft.unplaced == [] and draft.document.udvalg.name == UDVALG
