"""A plan's table as rows of text, read into goals and indsatser (``PlanImport``).

Pure functions. The first row that names the columns is the header; header names vary between
municipalities ("Indsats", "Indsats og målgruppe", "Initiativ", "Tovholder", "Ansvarlig",
"Center" …) and are matched ignoring case, whitespace, punctuation and diacritics. Columns we do
not know are reported and ignored.

Plans are written with their goals: a row that holds only a goal ("MÅL 1: MESTRING AF EGET
LIV", "Indsatsområde 2: Økonomi", a heading in capitals across the table) starts a goal, and the
indsatser below it belong to it. The owner cell may name several units or persons ("Center for
Sundhed og Træning, Stabene"): each is an owner of its own. "Tværgående" (in the owner cell, a
"Tværgående" column, or the goal's name) marks an indsats across the units.

Refused, each with its own catalogue key: a table with no column for the indsats itself, a row
with content but no indsats, the same indsats twice under one goal, no indsatser, too many rows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from agendas.errors import InvalidInput
from agendas.plans import MAX_INDSATS_TITLE, GoalKind, fold, unit_key

#: Most indsatser in one plan file.
MAX_ROWS = 2000
#: Most columns we look at.
MAX_COLUMNS = 60
#: The header must be within the first rows (a title line or two above the table is common).
HEADER_SEARCH_ROWS = 10
#: Longest cell kept (longer is cut; a plan cell is a paragraph, not a report).
MAX_CELL = 4000
#: Longest goal title kept.
MAX_GOAL_TITLE = 300

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
        "centre",
        "center afdeling",
        "ansvarlige centre",
        "ansvarligt center",
        "afdeling",
        "enhed",
        "enheder",
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
    "tvaergaaende": ("tvaergaende", "tvaergaende indsats", "pa tvaers"),
}
FIELDS: tuple[str, ...] = tuple(FIELD_ALIASES)
_COMBINED_TITLE = "indsats og malgruppe"

#: "MÅL 1: MESTRING AF EGET LIV", "Indsatsområde 2 – Økonomi", "Tema: Sundhed".
GOAL_ROW = re.compile(
    r"^(?P<word>m[aå]l|indsatsomr[aå]de|fokusomr[aå]de|tema)\s*(?P<number>\d{1,2}[a-z]?)?"
    r"\s*[:.\-–]\s*(?P<title>\S.*)$",
    re.IGNORECASE,
)
#: Owner cells that name no unit but say the indsats is across them.
ACROSS = frozenset({"tvaergaende", "alle", "alle centre", "alle centre og stabe", "pa tvaers"})
#: Separators between several owners in one cell (never " og ": "Sundhed og Træning"); a comma
#: separates owners too, except inside a name that lists ("Sundhed, Udvikling og Administration").
OWNER_SPLIT = re.compile(r"\s*(?:[;/\n+&]|\bsamt\b)\s*")
_YES = frozenset({"x", "ja", "yes", "1", "true", "tvaergaende"})


@dataclass(frozen=True, slots=True)
class ImportedGoal:
    title: str
    number: str = ""
    kind: GoalKind = GoalKind.MAAL
    description: str = ""
    row: int = 0


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
    #: The goal it is under (an index into ``PlanImport.goals``), if any.
    goal: int | None = None
    #: The owners the tovholder cell names, one each (empty: none named).
    owners: tuple[str, ...] = ()
    tvaergaaende: bool = False


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
    goals: tuple[ImportedGoal, ...] = ()
    #: What the document says about itself: its title, its kind (a ``PlanKind`` value) and
    #: how often it is followed up (a schedule rule, e.g. "månedlig").
    title: str = ""
    kind: str = ""
    follow_up: str = ""

    @property
    def tovholdere(self) -> tuple[str, ...]:
        """Distinct owner names in file order (so unknown ones can be listed for invitation)."""
        seen: dict[str, str] = {}
        for item in self.indsatser:
            for name in item.owners:
                seen.setdefault(unit_key(name), name)
        return tuple(seen.values())


def normalise_header(text: str) -> str:
    """``"  Formål, mål og\\nsucceskriterier "`` -> ``"formal mal og succeskriterier"``."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", fold(text)).split())


def normalise_name(text: str) -> str:
    """For comparing names of indsatser and tovholdere: folded, whitespace collapsed."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", fold(text)).split())


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


def split_owners(cell: str) -> tuple[tuple[str, ...], bool]:
    """The owners one cell names, and whether it says the indsats is across the units:
    ``"Center for Sundhed og Træning, Stabene"`` -> (("Center for Sundhed og Træning",
    "Stabene"), False); ``"Tværgående"`` -> ((), True)."""
    owners: dict[str, str] = {}
    across = False
    for part in (p for chunk in OWNER_SPLIT.split(cell) for p in _comma_parts(chunk)):
        name = " ".join(part.split()).strip(" .-–")
        if not name:
            continue
        if normalise_name(name) in ACROSS:
            across = True
            continue
        owners.setdefault(unit_key(name), name)
    return tuple(owners.values()), across


def _comma_parts(chunk: str) -> list[str]:
    """``"Center for Sundhed og Træning, Stabene"`` is two owners; ``"Sekretariat for Sundhed,
    Udvikling og Administration"`` one (the part after the comma ends a list with "og" and is
    no name of the same kind as the first)."""
    parts = [p.strip() for p in chunk.split(",")]
    kind = parts[0].split()[0].lower() if parts[0].split() else ""
    result: list[str] = []
    for part in parts:
        words = part.split()
        listing = re.search(r"(\S+) og \S", part)
        ends_list = listing is not None and not listing[1].endswith("-")  # not "Social- og …"
        if result and ends_list and words and words[0].lower() != kind:
            result[-1] = f"{result[-1]}, {part}"
        else:
            result.append(part)
    return result


def goal_of_row(cells: Sequence[str]) -> ImportedGoal | None:
    """A row holding only a goal: "MÅL 1: MESTRING AF EGET LIV", or a heading in capitals."""
    filled = [c for c in cells if c.strip()]
    if len(filled) != 1:
        return None
    text = " ".join(filled[0].split())
    found = GOAL_ROW.match(text)
    if found:
        word = fold(found["word"])
        kind = GoalKind.MAAL if word.startswith("ma") else GoalKind.INDSATSOMRAADE
        if word.startswith("tema"):
            kind = GoalKind.TEMA
        return ImportedGoal(_goal_title(found["title"]), found["number"] or "", kind)
    letters = [ch for ch in text if ch.isalpha()]
    if len(text.split()) >= 2 and letters and all(ch.isupper() for ch in letters):
        return ImportedGoal(_goal_title(text), "", GoalKind.MAAL)
    return None


def _goal_title(text: str) -> str:
    """A title written in capitals in sentence case: "MESTRING AF EGET LIV" -> "Mestring af
    eget liv"; otherwise as written."""
    value = " ".join(text.split()).strip(" :.-–")[:MAX_GOAL_TITLE]
    letters = [ch for ch in value if ch.isalpha()]
    if letters and all(ch.isupper() for ch in letters):
        value = value[:1] + value[1:].lower()
    return value


def clean_cell(text: str) -> str:
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
        found = ", ".join(clean_cell(header_row[column]) for column in sorted(fallback[1]))
        raise InvalidInput("err-plan-no-indsats-column", columns=found)
    raise InvalidInput("err-plan-no-header")


def _rejoin_overflow(row: list[str], width: int) -> list[str]:
    """A CSV row longer than the header had the delimiter inside its last cell, unquoted
    ("Månedlig fællesspisning; transport for gangbesværede"): join the overflow back."""
    if width < 2 or len(row) <= width or not any(cell.strip() for cell in row[width:]):
        return row
    tail = [cell.strip() for cell in row[width - 1 :] if cell.strip()]
    return [*row[: width - 1], "; ".join(tail)]


@dataclass(slots=True)
class _Reading:
    """What ``rows_to_plan`` has read so far."""

    indsatser: list[ImportedIndsats] = field(default_factory=list)
    goals: list[ImportedGoal] = field(default_factory=list)
    empty: list[int] = field(default_factory=list)
    without_tovholder: list[int] = field(default_factory=list)
    seen: dict[tuple[int | None, str], int] = field(default_factory=dict)

    @property
    def goal(self) -> int | None:
        return len(self.goals) - 1 if self.goals else None


def rows_to_plan(rows: Sequence[Sequence[str]], rejoin_overflow: bool = False) -> PlanImport:
    """Turn a table (header row somewhere in the first rows) into checked goals and indsatser.

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
        clean_cell(text).replace("\n", " ")
        for column, text in enumerate(header)
        if column not in used and clean_cell(text)
    )
    combined = normalise_header(header[chosen["title"]]) == _COMBINED_TITLE
    width = len(header)
    while width and not str(header[width - 1]).strip():
        width -= 1

    reading = _Reading()
    for index in range(header_index + 1, len(rows)):
        raw = list(rows[index])
        if rejoin_overflow:
            raw = _rejoin_overflow(raw, width)
        _read_row(reading, index + 1, [clean_cell(cell) for cell in raw], chosen, combined)
    if not reading.indsatser:
        raise InvalidInput("err-plan-empty")
    # Blank rows at the very end (a spreadsheet's formatted but unused rows) are not news.
    last = reading.indsatser[-1].row
    return PlanImport(
        indsatser=tuple(reading.indsatser),
        columns={name: clean_cell(header[column]) for name, column in chosen.items()},
        unknown_columns=unknown,
        empty_rows=tuple(row for row in reading.empty if row < last),
        without_tovholder=tuple(reading.without_tovholder),
        goals=tuple(reading.goals),
    )


def _read_row(
    reading: _Reading, row_number: int, cells: list[str], chosen: dict[str, int], combined: bool
) -> None:
    if not any(cells):
        reading.empty.append(row_number)
        return
    goal = goal_of_row(cells)
    if goal is not None:
        reading.goals.append(
            ImportedGoal(goal.title, goal.number, goal.kind, goal.description, row_number)
        )
        return
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
        raise InvalidInput("err-plan-title-too-long-row", row=row_number, limit=MAX_INDSATS_TITLE)
    key = (reading.goal, normalise_name(title))
    if key in reading.seen:
        raise InvalidInput(
            "err-plan-duplicate-indsats", title=title, first=reading.seen[key], row=row_number
        )
    reading.seen[key] = row_number
    if len(reading.indsatser) >= MAX_ROWS:
        raise InvalidInput("err-plan-too-many-rows", limit=MAX_ROWS)
    tovholder = values.get("tovholder", "").replace("\n", ", ")
    owners, across = split_owners(tovholder)
    if not owners:
        reading.without_tovholder.append(row_number)
    goal_title = reading.goals[-1].title if reading.goals else ""
    across = across or normalise_name(values.get("tvaergaaende", "")) in _YES
    across = across or "tvaergaende" in normalise_name(goal_title)
    reading.indsatser.append(
        ImportedIndsats(
            row=row_number,
            title=title,
            maalgruppe=values.get("maalgruppe", ""),
            formaal=values.get("formaal", ""),
            tovholder=", ".join(owners) if owners else tovholder,
            kontaktperson=values.get("kontaktperson", "").replace("\n", " "),
            periode=values.get("periode", ""),
            samarbejdspartnere=values.get("samarbejdspartnere", ""),
            aktiviteter=values.get("aktiviteter", ""),
            goal=reading.goal,
            owners=owners,
            tvaergaaende=across,
        )
    )


def unknown_tovholdere(result: PlanImport, known_names: Iterable[str]) -> tuple[str, ...]:
    """Owner names of the import that match no known person or unit (to invite them)."""
    known = {unit_key(name) for name in known_names}
    return tuple(name for name in result.tovholdere if unit_key(name) not in known)
