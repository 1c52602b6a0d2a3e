"""Import of a handleplan's indsatser from CSV, XLSX or a DOCX table.

Pure functions from bytes to ``PlanImport``. The first row that names the columns is the header;
header names vary between municipalities ("Indsats", "Indsats og målgruppe", "Initiativ",
"Tovholder", "Ansvarlig", "Center" …) and are matched ignoring case, whitespace, punctuation and
diacritics. Columns we do not know are reported and ignored. Refused, each with its own catalogue
key: a file with no column for the indsats itself, a row with content but no indsats, the same
indsats twice, a file with no indsatser, too many rows, an unsafe or unreadable file.

Uploaded XLSX and DOCX files are zip packages: they get the zip-bomb and DOCTYPE checks of
``agendas.documents.safety`` before a parser sees them.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from agendas.documents.safety import MAX_DOCX_BYTES, check_docx_bytes, open_docx_safely
from agendas.errors import InvalidInput
from agendas.plans import MAX_INDSATS_TITLE

#: Most indsatser in one plan file.
MAX_ROWS = 2000
#: Most columns we look at.
MAX_COLUMNS = 60
#: The header must be within the first rows (a title line or two above the table is common).
HEADER_SEARCH_ROWS = 10
#: Longest cell kept (longer is cut; a plan cell is a paragraph, not a report).
MAX_CELL = 4000
MAX_FILE_BYTES = MAX_DOCX_BYTES
XLSX_MEMBERS = ("xl/workbook.xml", "[Content_Types].xml")

#: Field -> header aliases in normalised form (see ``normalise_header``), best first: when two
#: columns map to the same field, the one with the better alias wins and the other is reported.
FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "title": (
        "indsats",
        "indsatser",
        "indsats og malgruppe",
        "indsatsens navn",
        "navn pa indsats",
        "initiativ",
        "initiativer",
        "tiltag",
        "projekt",
        "titel",
    ),
    "maalgruppe": ("malgruppe", "malgrupper", "malgruppen", "borgere"),
    "formaal": (
        "formal mal og succeskriterier",
        "formal mal og succeskriterie",
        "formal og mal",
        "mal og succeskriterier",
        "formal",
        "mal",
        "succeskriterier",
        "succeskriterie",
        "effektmal",
    ),
    "tovholder": (
        "tovholder",
        "tovholdere",
        "ansvarlig",
        "ansvarlige",
        "ansvarlig enhed",
        "ansvar",
        "center",
        "afdeling",
        "enhed",
    ),
    "kontaktperson": ("kontaktperson", "kontakt", "kontaktpersoner"),
    "periode": ("periode", "tidsperiode", "tidsramme", "tidsplan", "ar"),
    "samarbejdspartnere": (
        "samarbejdspartnere",
        "samarbejdspartner",
        "partnere",
        "i samarbejde med",
        "samarbejde",
    ),
    "aktiviteter": ("aktiviteter", "aktivitet", "handlinger", "konkrete aktiviteter"),
}
FIELDS: tuple[str, ...] = tuple(FIELD_ALIASES)
_COMBINED_TITLE = "indsats og malgruppe"


@dataclass(frozen=True, slots=True)
class ImportedIndsats:
    row: int  # 1-based row number in the file (as a spreadsheet shows it)
    title: str
    maalgruppe: str = ""
    formaal: str = ""
    tovholder: str = ""
    kontaktperson: str = ""
    periode: str = ""
    samarbejdspartnere: str = ""
    aktiviteter: str = ""


@dataclass(frozen=True, slots=True)
class PlanImport:
    indsatser: tuple[ImportedIndsats, ...]
    #: field -> the header text it was read from
    columns: dict[str, str] = field(default_factory=dict)
    #: headers we did not know (ignored)
    unknown_columns: tuple[str, ...] = ()
    #: blank rows that were skipped
    empty_rows: tuple[int, ...] = ()
    #: rows whose indsats has no tovholder
    without_tovholder: tuple[int, ...] = ()

    @property
    def tovholdere(self) -> tuple[str, ...]:
        """Distinct tovholder names in file order (so unknown ones can be listed for invitation)."""
        seen: dict[str, str] = {}
        for item in self.indsatser:
            if item.tovholder:
                seen.setdefault(normalise_name(item.tovholder), item.tovholder)
        return tuple(seen.values())


def _fold(text: str) -> str:
    """Lower case, Danish letters folded (æ->ae, ø->oe, å/aa->a), other diacritics dropped."""
    value = text.lower().replace("æ", "ae").replace("ø", "oe").replace("å", "a")
    value = value.replace("aa", "a")
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def normalise_header(text: str) -> str:
    """``"  Formål, mål og\\nsucceskriterier "`` -> ``"formal mal og succeskriterier"``."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", _fold(text)).split())


def normalise_name(text: str) -> str:
    """For comparing names of indsatser and tovholdere: folded, whitespace collapsed."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", _fold(text)).split())


def match_header(header: str) -> tuple[str, int] | None:
    """The field a header names and the rank of the alias (lower is better), or None.

    Exact alias first; then an alias that the header starts with as whole words ("Tovholder
    (navn)", "Periode/år"); "Indsatsområde" is not "Indsats".
    """
    norm = normalise_header(header)
    if not norm:
        return None
    for name, aliases in FIELD_ALIASES.items():
        if norm in aliases:
            return name, aliases.index(norm)
    best: tuple[str, int] | None = None
    for name, aliases in FIELD_ALIASES.items():
        for rank, alias in enumerate(aliases):
            if norm.startswith(alias + " ") and (best is None or rank + 100 < best[1]):
                best = (name, rank + 100)
    return best


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
    """A spreadsheet, or a DOCX (a meeting, or a plan when its table names an indsats column)."""
    return is_spreadsheet(file_name, mime_type) or file_name.lower().endswith(".docx")


def parse_plan_file(data: bytes, file_name: str) -> PlanImport:
    """Dispatch on the file name's extension (and, for a zip, its contents)."""
    if len(data) > MAX_FILE_BYTES:
        raise InvalidInput("err-plan-file-too-large", limit=MAX_FILE_BYTES // (1024 * 1024))
    lower = file_name.lower()
    if lower.endswith(".xlsx") or lower.endswith(".xlsm"):
        return parse_xlsx(data)
    if lower.endswith(".docx"):
        return parse_docx_table(data)
    if lower.endswith((".csv", ".txt", ".tsv")):
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


def _rejoin_overflow(row: list[str], width: int) -> list[str]:
    """A CSV row longer than the header had the delimiter inside its last cell, unquoted
    ("Månedlig fællesspisning; transport for gangbesværede"): join the overflow back."""
    if width < 2 or len(row) <= width or not any(cell.strip() for cell in row[width:]):
        return row
    tail = [cell.strip() for cell in row[width - 1 :] if cell.strip()]
    return [*row[: width - 1], "; ".join(tail)]


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


def parse_docx_table(data: bytes) -> PlanImport:
    """The first table of the document whose header names an indsats column."""
    document = open_docx_safely(data)
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


# --- rows to indsatser ---------------------------------------------------------------------


def _clean_cell(text: str) -> str:
    lines = [" ".join(line.split()) for line in str(text).replace("\r", "\n").split("\n")]
    value = "\n".join(line for line in lines if line)
    return value[:MAX_CELL]


def _find_header(rows: Sequence[Sequence[str]]) -> tuple[int, dict[int, tuple[str, int]]]:
    """The index of the header row and its recognised columns (index -> (field, rank))."""
    fallback: tuple[int, dict[int, tuple[str, int]]] | None = None
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        matched: dict[int, tuple[str, int]] = {}
        for column, header in enumerate(row):
            hit = match_header(header)
            if hit is not None:
                matched[column] = hit
        if any(name == "title" for name, _ in matched.values()):
            return index, matched
        if len(matched) >= 2 and fallback is None:
            fallback = (index, matched)
    if fallback is not None:
        header_row = rows[fallback[0]]
        found = ", ".join(_clean_cell(header_row[column]) for column in sorted(fallback[1]))
        raise InvalidInput("err-plan-no-indsats-column", columns=found)
    raise InvalidInput("err-plan-no-header")


def rows_to_plan(rows: Sequence[Sequence[str]], rejoin_overflow: bool = False) -> PlanImport:
    """Turn a table (header row somewhere in the first rows) into checked indsatser.

    ``rejoin_overflow`` (CSV): cells beyond the header's last column belong to that column."""
    if len(rows) > MAX_ROWS + HEADER_SEARCH_ROWS:
        raise InvalidInput("err-plan-too-many-rows", limit=MAX_ROWS)
    header_index, matched = _find_header(rows)
    header = rows[header_index]
    # The best column per field; the others mapping to the same field are reported as unknown.
    chosen: dict[str, int] = {}
    for column, (name, _rank) in sorted(matched.items(), key=lambda item: (item[1][1], item[0])):
        chosen.setdefault(name, column)
    used = set(chosen.values())
    unknown = tuple(
        _clean_cell(text).replace("\n", " ")
        for column, text in enumerate(header)
        if column not in used and _clean_cell(text)
    )
    combined = normalise_header(header[chosen["title"]]) == _COMBINED_TITLE
    width = len(header)
    while width and not str(header[width - 1]).strip():
        width -= 1

    indsatser: list[ImportedIndsats] = []
    empty: list[int] = []
    without_tovholder: list[int] = []
    seen: dict[str, int] = {}
    for index in range(header_index + 1, len(rows)):
        row_number = index + 1
        raw = list(rows[index])
        if rejoin_overflow:
            raw = _rejoin_overflow(raw, width)
        cells = [_clean_cell(cell) for cell in raw]
        if not any(cells):
            empty.append(row_number)
            continue
        values = {
            name: (cells[column] if column < len(cells) else "") for name, column in chosen.items()
        }
        title_cell = values.get("title", "")
        if not title_cell:
            raise InvalidInput("err-plan-row-no-indsats", row=row_number)
        title_lines = title_cell.split("\n")
        title = title_lines[0]
        rest = "\n".join(title_lines[1:])
        if rest and combined and not values.get("maalgruppe"):
            values["maalgruppe"] = rest
        elif rest:
            title = " ".join(title_lines)
        if len(title) > MAX_INDSATS_TITLE:
            raise InvalidInput(
                "err-plan-title-too-long-row", row=row_number, limit=MAX_INDSATS_TITLE
            )
        key = normalise_name(title)
        if key in seen:
            raise InvalidInput(
                "err-plan-duplicate-indsats", title=title, first=seen[key], row=row_number
            )
        seen[key] = row_number
        if len(indsatser) >= MAX_ROWS:
            raise InvalidInput("err-plan-too-many-rows", limit=MAX_ROWS)
        tovholder = values.get("tovholder", "").replace("\n", " ")
        if not tovholder:
            without_tovholder.append(row_number)
        indsatser.append(
            ImportedIndsats(
                row=row_number,
                title=title,
                maalgruppe=values.get("maalgruppe", ""),
                formaal=values.get("formaal", ""),
                tovholder=tovholder,
                kontaktperson=values.get("kontaktperson", "").replace("\n", " "),
                periode=values.get("periode", ""),
                samarbejdspartnere=values.get("samarbejdspartnere", ""),
                aktiviteter=values.get("aktiviteter", ""),
            )
        )
    if not indsatser:
        raise InvalidInput("err-plan-empty")
    # Blank rows at the very end (a spreadsheet's formatted but unused rows) are not news.
    last = indsatser[-1].row
    return PlanImport(
        indsatser=tuple(indsatser),
        columns={name: _clean_cell(header[column]) for name, column in chosen.items()},
        unknown_columns=unknown,
        empty_rows=tuple(row for row in empty if row < last),
        without_tovholder=tuple(without_tovholder),
    )


def unknown_tovholdere(result: PlanImport, known_names: Iterable[str]) -> tuple[str, ...]:
    """Tovholder names of the import that match no known person or unit (to invite them)."""
    known = {normalise_name(name) for name in known_names}
    return tuple(name for name in result.tovholdere if normalise_name(name) not in known)
