"""Import of a plan's goals and indsatser from CSV, XLSX, a DOCX table, or a plan in prose.

Pure functions from bytes to ``PlanImport``: the readers here turn a file into rows of text (or,
for a plan written as a document, into lines), ``agendas.status.plan_rows`` reads the rows and
``agendas.status.plan_text`` the prose. Refused, each with its own catalogue key: a file with no
column for the indsats itself, a row with content but no indsats, the same indsats twice, a file
with no indsatser, too many rows, an unsafe or unreadable file.

Uploaded XLSX and DOCX files are zip packages: they get the zip-bomb and DOCTYPE checks of
``agendas.documents.safety`` before a parser sees them.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Sequence
from typing import Any

from agendas.documents.safety import MAX_DOCX_BYTES, check_docx_bytes, open_docx_safely
from agendas.errors import InvalidInput
from agendas.status.plan_rows import (
    FIELD_ALIASES,
    FIELDS,
    HEADER_SEARCH_ROWS,
    MAX_COLUMNS,
    MAX_ROWS,
    ImportedGoal,
    ImportedIndsats,
    PlanImport,
    match_header,
    normalise_header,
    normalise_name,
    rows_to_plan,
    split_owners,
    unknown_tovholdere,
)
from agendas.status.plan_text import parse_plan_text

MAX_FILE_BYTES = MAX_DOCX_BYTES
XLSX_MEMBERS = ("xl/workbook.xml", "[Content_Types].xml")

# --- reading files -------------------------------------------------------------------------


#: What an uploaded spreadsheet plan is called or typed as.
SPREADSHEET_SUFFIXES = (".csv", ".xlsx")
SPREADSHEET_MIME_TYPES = (
    "text/csv",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)
#: Refusals of a spreadsheet that is not readable at all: such a file is treated as no plan (the
#: meeting import says which files it takes, and how to attach a file as bilag instead).
UNREADABLE = frozenset({"err-plan-xlsx-invalid", "err-plan-xlsx-encrypted", "err-plan-file-bomb"})


def is_spreadsheet(file_name: str, mime_type: str) -> bool:
    """A CSV or XLSX upload: a plan, or nothing (never a meeting)."""
    name = file_name.lower()
    return name.endswith(SPREADSHEET_SUFFIXES) or (
        not name.endswith((".docx", ".pdf", ".txt")) and mime_type in SPREADSHEET_MIME_TYPES
    )


def may_be_plan(file_name: str, mime_type: str) -> bool:
    """A spreadsheet, or a DOCX or text file (a meeting, or a plan when it reads as one: a table
    with an indsats column, or a plan's title with numbered goals)."""
    return is_spreadsheet(file_name, mime_type) or file_name.lower().endswith((".docx", ".txt"))


def parse_plan_file(data: bytes, file_name: str) -> PlanImport:
    """Dispatch on the file name's extension (and, for a zip, its contents)."""
    if len(data) > MAX_FILE_BYTES:
        raise InvalidInput("err-plan-file-too-large", limit=MAX_FILE_BYTES // (1024 * 1024))
    lower = file_name.lower()
    if lower.endswith(".xlsx") or lower.endswith(".xlsm"):
        return parse_xlsx(data)
    if lower.endswith(".docx"):
        return parse_docx_table(data)
    if lower.endswith(".txt"):
        text = decode_text(data)
        return _table_or_prose(lambda: parse_csv(data), text.splitlines())
    if lower.endswith((".csv", ".tsv")):
        return parse_csv(data)
    raise InvalidInput("err-plan-file-unsupported", name=file_name)


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252 (Excel's Danish CSV)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def sniff_delimiter(text: str) -> str:
    """``;``, ``,`` or tab: whichever splits the first non-blank line into the most columns."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    best, best_count = ";", 1
    for delimiter in (";", ",", "\t"):
        try:
            row = next(csv.reader([first], delimiter=delimiter))
        except (csv.Error, StopIteration):
            continue
        if len(row) > best_count:
            best, best_count = delimiter, len(row)
    return best


def parse_csv(data: bytes) -> PlanImport:
    text = decode_text(data).replace("\x00", "")
    delimiter = sniff_delimiter(text)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise InvalidInput("err-plan-csv-invalid") from exc
    return rows_to_plan(rows, rejoin_overflow=True)


def parse_xlsx(data: bytes) -> PlanImport:
    """The first sheet with an indsats column (read-only, cached values, never formulas)."""
    try:
        check_docx_bytes(data, required=XLSX_MEMBERS)
    except InvalidInput as exc:
        raise InvalidInput(_XLSX_KEYS.get(exc.key, "err-plan-xlsx-invalid"), **exc.params) from exc
    import openpyxl  # type: ignore[import-untyped]  # untyped; imported only when needed

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types (KeyError, zip, XML) for a broken file
        raise InvalidInput("err-plan-xlsx-invalid") from exc
    try:
        sheets: list[list[list[str]]] = []
        for sheet in workbook.worksheets:
            rows: list[list[str]] = []
            for values in sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS):
                if len(rows) > MAX_ROWS + HEADER_SEARCH_ROWS:
                    raise InvalidInput("err-plan-too-many-rows", limit=MAX_ROWS)
                rows.append([_cell_text(value) for value in values])
            sheets.append(rows)
    finally:
        workbook.close()
    return _first_table(sheets)


_XLSX_KEYS = {
    "err-docx-too-large": "err-plan-file-too-large",
    "err-docx-bomb": "err-plan-file-bomb",
    "err-docx-doctype": "err-plan-file-bomb",
    "err-docx-encrypted": "err-plan-xlsx-encrypted",
}


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().strftime("%d-%m-%Y")
        return value.strftime("%d-%m-%Y %H.%M")
    if isinstance(value, dt.date):
        return value.strftime("%d-%m-%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


#: Refusals of a table that say only "no plan table here" (a prose plan may still be there).
NO_TABLE = frozenset({"err-plan-no-header", "err-plan-no-indsats-column", "err-plan-docx-no-table"})


def _table_or_prose(table: Callable[[], PlanImport], lines: Sequence[str]) -> PlanImport:
    """The plan's table; else the plan written as a document; else the table's refusal."""
    try:
        return table()
    except InvalidInput as exc:
        if exc.key not in NO_TABLE:
            raise
        prose = parse_plan_text(lines)
        if prose is None:
            raise
        return prose


def parse_docx_table(data: bytes) -> PlanImport:
    """The first table of the document whose header names an indsats column; else the plan
    written in its paragraphs (a title naming the plan, numbered goals)."""
    document = open_docx_safely(data)
    lines = [p.text for p in document.paragraphs]
    return _table_or_prose(lambda: _docx_tables(document), lines)


def _docx_tables(document: Any) -> PlanImport:
    tables: list[list[list[str]]] = []
    for table in document.tables:
        rows: list[list[str]] = []
        for row in table.rows:
            if len(rows) > MAX_ROWS + HEADER_SEARCH_ROWS:
                raise InvalidInput("err-plan-too-many-rows", limit=MAX_ROWS)
            cells: list[str] = []
            last: Any = None
            for cell in row.cells[:MAX_COLUMNS]:
                # A horizontally merged cell is returned once per grid column; keep it once.
                if last is not None and cell._tc is last:
                    continue
                last = cell._tc
                cells.append("\n".join(p.text for p in cell.paragraphs))
            rows.append(cells)
        tables.append(rows)
    if not tables:
        raise InvalidInput("err-plan-docx-no-table")
    return _first_table(tables)


def _first_table(tables: Sequence[list[list[str]]]) -> PlanImport:
    """The first table with an indsats column; the first refusal when none has one."""
    first_error: InvalidInput | None = None
    for rows in tables:
        try:
            return rows_to_plan(rows)
        except InvalidInput as exc:
            if exc.key not in ("err-plan-no-header", "err-plan-no-indsats-column"):
                raise
            if first_error is None or (
                first_error.key == "err-plan-no-header" and exc.key != "err-plan-no-header"
            ):
                first_error = exc
    raise first_error or InvalidInput("err-plan-no-header")


__all__ = [
    "FIELDS",
    "FIELD_ALIASES",
    "MAX_FILE_BYTES",
    "ImportedGoal",
    "ImportedIndsats",
    "PlanImport",
    "match_header",
    "normalise_header",
    "normalise_name",
    "parse_csv",
    "parse_plan_file",
    "rows_to_plan",
    "split_owners",
    "unknown_tovholdere",
]
