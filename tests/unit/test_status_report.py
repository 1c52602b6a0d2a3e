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
