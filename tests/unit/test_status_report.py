"""The status report DOCX and the "Status på <plan>" sag built from one round."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import docx
from docx.oxml.ns import qn

from agendas.model import Sagstype
from agendas.plans import PlanKind, StatusColour
from agendas.status.report_document import (
    ReportRow,
    StatusReport,
    render_status_report,
    report_file_name,
    status_sag,
    summary_lines,
)

OPENS = datetime(2025, 3, 3, 8, 0, tzinfo=UTC)
DEADLINE = datetime(2025, 3, 10, 15, 0, tzinfo=UTC)  # 16.00 in Copenhagen


def three_tovholdere() -> StatusReport:
    """One answered (gul), one "ingen ændring" (grøn), one never answered."""
    rows = (
        ReportRow(
            "Fællesspisning i lokalcentrene",
            "Lokalcenter Nord",
            StatusColour.GUL,
            "Færre deltagere end ventet.\nTransport er forsinket.",
            datetime(2025, 3, 4, 12, 30, tzinfo=UTC),
            attachment="deltagere.xlsx",
        ),
        ReportRow(
            "Besøgsvenner",
            "Frivilligcentret",
            StatusColour.GROEN,
            "38 aktive besøgsvenner.",
            datetime(2025, 3, 5, 23, 30, tzinfo=UTC),  # 00.30 on the 6th in Copenhagen
            unchanged=True,
        ),
        ReportRow("Telefonkæde for ældre over 80 år", "Visitation og Hjælpemidler", None),
    )
    return StatusReport(
        plan_title="Handleplan for ensomhed 2025",
        plan_kind=PlanKind.HANDLEPLAN,
        udvalg_name="Social- og Sundhedsudvalget",
        forvaltning="Social- og Sundhedsforvaltningen",
        round_number=3,
        opens_at=OPENS,
        deadline=DEADLINE,
        rows=rows,
    )


def cell_fill(cell: object) -> str | None:
    tc_pr = cell._tc.tcPr  # type: ignore[attr-defined]
    shd = tc_pr.find(qn("w:shd")) if tc_pr is not None else None
    return None if shd is None else shd.get(qn("w:fill"))


def test_report_has_one_row_per_indsats_with_coloured_status_cells() -> None:
    data = render_status_report(three_tovholdere())
    document = docx.Document(io.BytesIO(data))
    assert len(document.tables) == 1
    table = document.tables[0]
    header = [c.text for c in table.rows[0].cells]
    assert header == ["Indsats", "Tovholder", "Status", "Status og bemærkninger", "Besvaret"]
    rows = [[c.text for c in row.cells] for row in table.rows[1:]]
    assert rows == [
        [
            "Fællesspisning i lokalcentrene",
            "Lokalcenter Nord",
            "Gul",
            "Færre deltagere end ventet.\nTransport er forsinket.\nVedhæftet: deltagere.xlsx",
            "04-03-2025",
        ],
        [
            "Besøgsvenner",
            "Frivilligcentret",
            "Grøn",
            "38 aktive besøgsvenner.",
            "06-03-2025 (ingen ændring)",
        ],
        ["Telefonkæde for ældre over 80 år", "Visitation og Hjælpemidler", "Mangler svar", "", ""],
    ]
    fills = [cell_fill(row.cells[2]) for row in table.rows[1:]]
    assert fills == ["FFC000", "00B050", "D9D9D9"]
    # The indsats column is not shaded; the header repeats on every page.
    assert cell_fill(table.rows[1].cells[0]) is None
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None


def test_report_summary_counts_colours_and_names_the_missing() -> None:
    report = three_tovholdere()
    document = docx.Document(io.BytesIO(render_status_report(report)))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Status på Handleplan for ensomhed 2025" in text
    assert "Svarfrist: 10-03-2025 kl. 16.00" in text
    assert "3 indsatser, 2 besvaret: Grøn 1, Gul 1, Rød 0. Mangler svar: 1." in text
    assert "Telefonkæde for ældre over 80 år (Visitation og Hjælpemidler)" in text
    assert document.core_properties.title == "Status på Handleplan for ensomhed 2025"


def test_summary_lines_without_missing_answers() -> None:
    report = three_tovholdere()
    answered = StatusReport(**{**_fields(report), "rows": report.rows[:2]})
    assert summary_lines(answered) == [
        "2 indsatser, 2 besvaret: Grøn 1, Gul 1, Rød 0. Mangler svar: 0."
    ]


def _fields(report: StatusReport) -> dict[str, object]:
    return {name: getattr(report, name) for name in report.__slots__}


def test_status_sag_is_til_orientering_with_the_standard_indstilling() -> None:
    sag = status_sag(three_tovholdere())
    assert sag.title == "Status på Handleplan for ensomhed 2025"
    assert sag.sagstype is Sagstype.ORIENTERING
    assert sag.sections["indstilling"] == (
        "Social- og Sundhedsforvaltningen indstiller, at orienteringen tages til efterretning."
    )
    assert "statusrunde 3" in sag.sections["sagens_kerne"]
    fremstilling = sag.sections["sagsfremstilling"]
    assert "Mangler svar: 1." in fremstilling
    assert "- Telefonkæde for ældre over 80 år (Visitation og Hjælpemidler)" in fremstilling
    assert "Indsatser med status gul:" in fremstilling
    assert "- Fællesspisning i lokalcentrene: Færre deltagere end ventet. Transport" in fremstilling
    assert "Indsatser med status rød:" not in fremstilling
    assert "vedlagt som bilag" in fremstilling


def test_file_name_is_safe() -> None:
    report = three_tovholdere()
    odd = StatusReport(**{**_fields(report), "plan_title": "Plan: 2025/26 <ny>"})
    assert report_file_name(report) == "Status_Handleplan_for_ensomhed_2025_runde_3.docx"
    assert report_file_name(odd) == "Status_Plan_2025_26_ny_runde_3.docx"


def test_user_text_with_xml_characters_and_control_codes_renders() -> None:
    report = three_tovholdere()
    row = ReportRow("A & B <test>", "X\x01Y", StatusColour.ROED, '1 < 2 & "ok"', OPENS)
    odd = StatusReport(**{**_fields(report), "rows": (row,)})
    table = docx.Document(io.BytesIO(render_status_report(odd))).tables[0]
    assert [c.text for c in table.rows[1].cells][:4] == [
        "A & B <test>",
        "XY",
        "Rød",
        '1 < 2 & "ok"',
    ]


def test_a_500_row_report_renders_quickly() -> None:
    import time

    report = three_tovholdere()
    rows = tuple(
        ReportRow(f"Indsats {n}", f"Center {n % 7}", StatusColour.GROEN, "Alt kører.", OPENS)
        for n in range(500)
    )
    big = StatusReport(**{**_fields(report), "rows": rows})
    started = time.perf_counter()
    data = render_status_report(big)
    assert time.perf_counter() - started < 5
    assert len(docx.Document(io.BytesIO(data)).tables[0].rows) == 501


def four_rounds() -> StatusReport:
    """Four rounds side by side, a long tovholder name, a date answered "ingen ændring"."""
    answered = datetime(2026, 11, 29, 10, 0, tzinfo=UTC)
    rows = tuple(
        ReportRow(
            f"Indsats nummer {n} om fællesspisning og besøgsvenner",
            "Visitation og Hjælpemidler",
            StatusColour.GUL if n % 2 else None,
            "Færre deltagere end ventet. " * 30,
            answered if n % 2 else None,
            unchanged=True,
            trend=(
                StatusColour.GROEN,
                None,
                StatusColour.ROED,
                StatusColour.GUL if n % 2 else None,
            ),
        )
        for n in range(60)
    )
    return StatusReport(
        plan_title="Handleplan for ensomhed 2026",
        plan_kind=PlanKind.HANDLEPLAN,
        udvalg_name="Social- og Sundhedsudvalget",
        forvaltning="Social- og Sundhedsforvaltningen",
        round_number=4,
        opens_at=datetime(2026, 11, 20, 8, 0, tzinfo=UTC),
        deadline=datetime(2026, 11, 30, 15, 0, tzinfo=UTC),
        rows=rows,
        trend_rounds=(1, 2, 3, 4),
    )


def fields(part: object) -> list[str]:
    element = part._element  # type: ignore[attr-defined]
    return [t.text.strip() for t in element.iter(qn("w:instrText"))]


#: At most 0.62 em per character of 9-point bold text (Arial and Calibri are narrower on
#: average), in twentieths of a point: what a word needs not to be broken.
def needed(word: str) -> int:
    return int(len(word) * 0.62 * 9 * 20)


def test_report_pages_have_header_footer_page_numbers_and_a_repeating_header_row() -> None:
    """Issue 16, item 8: words broke in narrow columns ("Tovholde|r", "Statu|s", "29-11-|2026")
    and the report had no header, footer or page numbers."""
    for report in (three_tovholdere(), four_rounds()):
        document = docx.Document(io.BytesIO(render_status_report(report)))
        section = document.sections[0]
        header = "\n".join(p.text for p in section.header.paragraphs)
        assert report.udvalg_name in header and f"Status på {report.plan_title}" in header
        footer = "\n".join(p.text for p in section.footer.paragraphs)
        assert "Side 1 af 1" in footer and report.udvalg_name in footer
        assert fields(section.footer) == ["PAGE", "NUMPAGES"]
        table = document.tables[-1]
        first, second = table.rows[0]._tr, table.rows[1]._tr
        assert first.find(qn("w:trPr")).find(qn("w:tblHeader")) is not None
        assert second.find(qn("w:trPr")) is None or second.trPr.find(qn("w:tblHeader")) is None
        text_width = int((section.page_width - section.left_margin - section.right_margin) / 635)
        grid = [int(c.get(qn("w:w"))) for c in table._tbl.tblGrid.iter(qn("w:gridCol"))]
        assert sum(grid) <= text_width  # the table fits between the margins
        margins = table._tbl.tblPr.find(qn("w:tblCellMar"))
        room = sum(int(m.get(qn("w:w"))) for m in margins)
        heads = [c.text for c in table.rows[0].cells]
        width_of = dict(zip(heads, grid, strict=True))
        for head, width in width_of.items():
            for word in head.split():
                assert width - room >= needed(word), (head, width)
        assert width_of["Tovholder"] - room >= needed("Hjælpemidler")
        assert width_of["Besvaret"] - room >= needed("29-11-2026")
        current = heads[-3]  # this round's column: "Mangler svar" on grey
        assert width_of[current] - room >= needed("Mangler")
        assert width_of["Status og bemærkninger"] >= 1500  # room for the text itself


def test_report_table_is_set_in_nine_point_under_one_header_and_footer() -> None:
    document = docx.Document(io.BytesIO(render_status_report(four_rounds())))
    assert len(document.sections) == 1  # one header and footer, on every page
    cell = document.tables[-1].rows[2].cells[-1]
    assert cell.text == "29-11-2026 (ingen ændring)"
    sizes = {r._r.rPr.sz.val.pt for r in cell.paragraphs[0].runs}
    assert sizes == {9.0}
