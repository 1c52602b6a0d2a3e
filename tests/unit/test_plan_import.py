"""Import of a handleplan from CSV, XLSX and a DOCX table: tolerant headers, clear refusals."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from pathlib import Path

import docx
import openpyxl
import pytest

from agendas.errors import InvalidInput
from agendas.status.plan_file import (
    PlanImport,
    match_header,
    parse_csv,
    parse_plan_file,
    unknown_tovholdere,
)

#: A copy of the shared example plan (../shared/examples/handleplan_ensomhed_2025.csv).
EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "handleplan_ensomhed_2025.csv"

HEADER = [
    "Indsats",
    "Målgruppe",
    "Formål, mål og succeskriterier",
    "Tovholder",
    "Periode",
    "Samarbejdspartnere",
    "Aktiviteter",
]
ROWS = [
    [
        "Fællesspisning i lokalcentrene",
        "Hjemmeboende ældre over 65 år",
        "Mål: 12 arrangementer om året.",
        "Lokalcenter Nord",
        "2025-2026",
        "Frivilligcentret, Ældresagen",
        "Månedlig fællesspisning; transport",
    ],
    [
        "Besøgsvenner",
        "Ensomme ældre",
        "Mindst 40 aktive besøgsvenner.",
        "Frivilligcentret",
        "2025-2026",
        "Røde Kors",
        "Rekruttering",
    ],
    ["Digital café", "Ældre", "200 besøg om året.", "Borgerservice", "2025", "Biblioteket", ""],
]


def refused(key: str, data: bytes, name: str) -> InvalidInput:
    with pytest.raises(InvalidInput) as info:
        parse_plan_file(data, name)
    assert info.value.key == key, info.value.params
    return info.value


def csv_bytes(rows: list[list[str]], delimiter: str = ";", encoding: str = "utf-8") -> bytes:
    import csv

    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list[object]], sheets_before: int = 0) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for index in range(sheets_before):
        sheet.title = f"Forside {index}"
        sheet.append(["Handleplan", "Social- og Sundhedsforvaltningen"])
        sheet = workbook.create_sheet("Plan")
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def docx_bytes(tables: list[list[list[str]]], intro: str = "Handleplan for ensomhed") -> bytes:
    document = docx.Document()
    document.add_paragraph(intro)
    for rows in tables:
        table = document.add_table(rows=len(rows), cols=len(rows[0]))
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                table.cell(r, c).text = value
        document.add_paragraph("")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def titles(result: PlanImport) -> list[str]:
    return [item.title for item in result.indsatser]


# --- the shared example ---------------------------------------------------------------------


def test_the_shared_example_imports_every_indsats_with_all_its_fields() -> None:
    result = parse_plan_file(EXAMPLE.read_bytes(), EXAMPLE.name)
    assert len(result.indsatser) == 6
    first = result.indsatser[0]
    assert first.title == "Fællesspisning i lokalcentrene"
    assert first.maalgruppe == "Hjemmeboende ældre over 65 år"
    assert first.formaal.startswith("Flere ældre deltager i fællesskaber.")
    assert first.tovholder == "Lokalcenter Nord"
    assert first.periode == "2025-2026"
    assert first.samarbejdspartnere == "Frivilligcentret, Ældresagen"
    # The file has unquoted ";" inside the last column: the overflow belongs to Aktiviteter.
    assert first.aktiviteter == "Månedlig fællesspisning; transport for gangbesværede"
    assert result.indsatser[1].aktiviteter == "Rekruttering; matchning; to årlige netværksmøder"
    assert result.unknown_columns == ()
    assert result.tovholdere[:3] == (
        "Lokalcenter Nord",
        "Frivilligcentret",
        "Visitation og Hjælpemidler",
    )
    assert first.row == 2


def test_unknown_tovholdere_are_listed_for_invitation() -> None:
    result = parse_plan_file(EXAMPLE.read_bytes(), EXAMPLE.name)
    missing = unknown_tovholdere(result, ["lokalcenter  nord", "Borgerservice", "Frivilligcentret"])
    assert missing == (
        "Visitation og Hjælpemidler",
        "Forebyggende hjemmebesøg",
        "Ledelsessekretariatet",
    )


# --- CSV variants ---------------------------------------------------------------------------


def test_comma_separated_csv_with_quoted_header_and_bom() -> None:
    data = b"\xef\xbb\xbf" + csv_bytes([HEADER, *ROWS], delimiter=",")
    result = parse_plan_file(data, "plan.csv")
    assert titles(result) == ["Fællesspisning i lokalcentrene", "Besøgsvenner", "Digital café"]
    assert result.indsatser[0].formaal == "Mål: 12 arrangementer om året."
    assert result.indsatser[0].aktiviteter == "Månedlig fællesspisning; transport"


def test_windows_1252_csv_from_danish_excel_keeps_the_danish_letters() -> None:
    data = csv_bytes([HEADER, *ROWS], encoding="cp1252")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    result = parse_plan_file(data, "PLAN.CSV")
    assert result.indsatser[1].title == "Besøgsvenner"
    assert result.columns["maalgruppe"] == "Målgruppe"


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Indsats", "title"),
        ("  INDSATS ", "title"),
        ("Initiativ", "title"),
        ("Indsats og målgruppe", "title"),
        ("Tovholder", "tovholder"),
        ("Ansvarlig", "tovholder"),
        ("Center", "tovholder"),
        ("Tovholder (navn)", "tovholder"),
        ("Formaal, maal og succeskriterier", "formaal"),
        ("Formål,\nmål og  succeskriterier", "formaal"),
        ("Målgruppe", "maalgruppe"),
        ("Maalgruppe", "maalgruppe"),
        ("Malgruppe", "maalgruppe"),
        ("Periode", "periode"),
        ("Samarbejdspartnere", "samarbejdspartnere"),
        ("Aktiviteter", "aktiviteter"),
        ("Kontaktperson", "kontaktperson"),
    ],
)
def test_header_names_match_ignoring_case_whitespace_and_diacritics(
    header: str, field: str
) -> None:
    hit = match_header(header)
    assert hit is not None and hit[0] == field


@pytest.mark.parametrize("header", ["Indsatsområde", "Budget", "Bemærkninger", ""])
def test_headers_we_do_not_know_match_nothing(header: str) -> None:
    assert match_header(header) is None


def test_other_municipalities_headers_with_unknown_columns_reported_and_ignored() -> None:
    rows = [
        ["Handleplan for ensomhed 2025"],
        [],
        ["Nr.", "Initiativ", "Ansvarlig", "Center", "Budget", "Periode"],
        ["1", "Besøgsvenner", "Anne Jensen", "Frivilligcentret", "100.000", "2025"],
        ["2", "Telefonkæde", "Bo Holm", "Visitationen", "50.000", "2025"],
    ]
    result = parse_plan_file(csv_bytes(rows), "plan.csv")
    assert titles(result) == ["Besøgsvenner", "Telefonkæde"]
    # "Ansvarlig" beats "Center" for the tovholder; the other columns are reported, not read.
    assert result.indsatser[0].tovholder == "Anne Jensen"
    assert result.unknown_columns == ("Nr.", "Center", "Budget")
    assert result.indsatser[1].row == 5


def test_combined_indsats_and_maalgruppe_column_splits_title_from_maalgruppe() -> None:
    rows = [
        ["Indsats og målgruppe", "Tovholder"],
        ["Besøgsvenner\nEnsomme ældre i eget hjem", "Frivilligcentret"],
    ]
    result = parse_plan_file(csv_bytes(rows), "plan.csv")
    assert result.indsatser[0].title == "Besøgsvenner"
    assert result.indsatser[0].maalgruppe == "Ensomme ældre i eget hjem"


def test_empty_rows_between_indsatser_are_skipped_and_reported() -> None:
    rows = [HEADER, ROWS[0], ["", "", ""], ROWS[1], [""] * 7, [], ROWS[2], [], ["  "]]
    result = parse_plan_file(csv_bytes(rows), "plan.csv")
    assert len(result.indsatser) == 3
    assert result.empty_rows == (3, 5, 6)  # the trailing blank rows are no news


def test_indsats_without_tovholder_is_imported_and_reported() -> None:
    rows = [["Indsats", "Tovholder"], ["Besøgsvenner", ""], ["Telefonkæde", "Visitationen"]]
    result = parse_plan_file(csv_bytes(rows), "plan.csv")
    assert result.without_tovholder == (2,)
    assert result.tovholdere == ("Visitationen",)


# --- refusals -------------------------------------------------------------------------------


def test_a_file_without_an_indsats_column_is_refused_naming_the_columns_found() -> None:
    rows = [["Tovholder", "Målgruppe", "Periode"], ["Borgerservice", "Ældre", "2025"]]
    error = refused("err-plan-no-indsats-column", csv_bytes(rows), "plan.csv")
    assert error.params["columns"] == "Tovholder, Målgruppe, Periode"


def test_a_file_with_no_header_at_all_is_refused() -> None:
    rows = [["Besøgsvenner", "Frivilligcentret"], ["Telefonkæde", "Visitationen"]]
    refused("err-plan-no-header", csv_bytes(rows), "plan.csv")


def test_duplicate_indsatser_are_refused_with_both_rows() -> None:
    rows = [HEADER, ROWS[0], ROWS[1], ["  besøgsvenner ", "", "", "Borgerservice"]]
    error = refused("err-plan-duplicate-indsats", csv_bytes(rows), "plan.csv")
    assert error.params["first"] == 3
    assert error.params["row"] == 4


def test_a_row_with_content_but_no_indsats_is_refused_with_its_row_number() -> None:
    rows = [HEADER, ROWS[0], ["", "Ældre", "", "Borgerservice"]]
    error = refused("err-plan-row-no-indsats", csv_bytes(rows), "plan.csv")
    assert error.params["row"] == 3


def test_a_header_without_indsatser_is_refused() -> None:
    refused("err-plan-empty", csv_bytes([HEADER, [], []]), "plan.csv")


def test_an_overlong_indsats_title_is_refused() -> None:
    rows = [["Indsats", "Tovholder"], ["x" * 400, "Borgerservice"]]
    error = refused("err-plan-title-too-long-row", csv_bytes(rows), "plan.csv")
    assert error.params["row"] == 2


def test_too_many_rows_are_refused() -> None:
    rows = [["Indsats"]] + [[f"Indsats {n}"] for n in range(2100)]
    refused("err-plan-too-many-rows", csv_bytes(rows), "plan.csv")


@pytest.mark.parametrize("name", ["plan.pdf", "plan.xls", "plan"])
def test_unsupported_formats_are_refused(name: str) -> None:
    refused("err-plan-file-unsupported", b"whatever", name)


# --- XLSX -----------------------------------------------------------------------------------


def test_xlsx_imports_the_same_as_csv_with_numbers_and_dates_as_text() -> None:
    rows: list[list[object]] = [list(HEADER), *[list(r) for r in ROWS]]
    rows[3][4] = 2025  # a number cell
    rows[2][4] = date(2025, 4, 1)  # a date cell
    result = parse_plan_file(xlsx_bytes(rows), "plan.xlsx")
    assert titles(result) == titles(parse_csv(csv_bytes([HEADER, *ROWS])))
    assert result.indsatser[2].periode == "2025"
    assert result.indsatser[1].periode == "01-04-2025"
    assert result.indsatser[0].aktiviteter == "Månedlig fællesspisning; transport"


def test_xlsx_plan_on_a_later_sheet_is_found() -> None:
    data = xlsx_bytes([list(HEADER), *[list(r) for r in ROWS]], sheets_before=1)
    assert len(parse_plan_file(data, "plan.xlsx").indsatser) == 3


def test_xlsx_without_indsats_column_is_refused() -> None:
    data = xlsx_bytes([["Tovholder", "Periode"], ["Borgerservice", "2025"]])
    refused("err-plan-no-indsats-column", data, "plan.xlsx")


def test_xlsx_zip_bomb_is_refused_before_openpyxl_sees_it() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (60 * 1024 * 1024))
    refused("err-plan-file-bomb", buffer.getvalue(), "plan.xlsx")


def test_xlsx_with_a_doctype_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", '<!DOCTYPE x [<!ENTITY a "aaaa">]><workbook/>')
    refused("err-plan-file-bomb", buffer.getvalue(), "plan.xlsx")


def test_a_file_named_xlsx_that_is_not_a_workbook_is_refused() -> None:
    refused("err-plan-xlsx-invalid", b"Indsats;Tovholder\n", "plan.xlsx")
    refused("err-plan-xlsx-invalid", docx_bytes([[["Indsats"], ["A"]]]), "plan.xlsx")


# --- DOCX -----------------------------------------------------------------------------------


def test_docx_table_with_a_header_row_imports_and_skips_other_tables() -> None:
    info = [["Udvalg", "Social- og Sundhedsudvalget"], ["Periode", "2025-2026"]]
    plan = [HEADER, *ROWS]
    result = parse_plan_file(docx_bytes([info, plan]), "plan.docx")
    assert titles(result) == ["Fællesspisning i lokalcentrene", "Besøgsvenner", "Digital café"]
    assert result.indsatser[2].tovholder == "Borgerservice"


def test_docx_without_a_table_is_refused() -> None:
    document = docx.Document()
    document.add_paragraph("Indsats: Besøgsvenner")
    buffer = io.BytesIO()
    document.save(buffer)
    refused("err-plan-docx-no-table", buffer.getvalue(), "plan.docx")


def test_docx_table_without_indsats_column_is_refused() -> None:
    data = docx_bytes([[["Tovholder", "Periode"], ["Borgerservice", "2025"]]])
    refused("err-plan-no-indsats-column", data, "plan.docx")


def test_a_docx_that_is_not_a_docx_gets_the_documents_refusal() -> None:
    refused("err-docx-not-zip", b"just text", "plan.docx")
