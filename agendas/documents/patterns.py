"""The patterns of the municipal layouts the importer reads: dates and times, how a punkt
starts ("3. Titel", "Punkt 3:", "Lukket punkt:", "Sag nr."), journal numbers, "Beslutning i
<udvalg> den <dato>", the lists of members, and the small text helpers around them.

Pure functions and compiled expressions, no I/O; ``recognise.AgendaReader`` uses them while it
walks the lines, and ``lines.front_headings`` to tell a front page from the punkter.
"""

from __future__ import annotations

import re

from agendas.documents import layout
from agendas.documents.layouts import punkt_title_patterns, title_kinds
from agendas.documents.lines import Line
from agendas.model import SAGSTYPE_LABELS, Role
from agendas.protocol import SagRange

WEEKDAYS = r"(?:mandag|tirsdag|onsdag|torsdag|fredag|lørdag|søndag)"
DATE_PREFIX = re.compile(
    rf"^(?:(?:mødedato|dato|mødedag)\s*:?\s*)?(?:{WEEKDAYS}\s*,?\s*)?(?:(?:den|d\.)\s+)?",
    re.IGNORECASE,
)
DATE_NUMERIC = re.compile(r"^(\d{1,2})\s*[-./]\s*(\d{1,2})\s*[-./]\s*(\d{4})\b")
DATE_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})\b")
DATE_WORDS = re.compile(r"^(\d{1,2})\.?\s+([a-zæøå]+)\.?\s+(\d{4})\b", re.IGNORECASE)
TIME = re.compile(
    r"^(?:kl\.?|klokken|tidspunkt\s*:?|mødetid\s*:?)\s*(\d{1,2})[.:](\d{2})"
    r"(?:\s*[-–]\s*\d{1,2}[.:]\d{2})?\s*(?:,\s*(.*))?$",
    re.IGNORECASE,
)
PLACE = re.compile(r"^(?:sted\s*:|mødested\s*:?|mødelokale\s*:)\s*(.+)$", re.IGNORECASE)
SAGER_RANGE = re.compile(r"^sager?\s+\d+\s*[-–]\s*\d+$", re.IGNORECASE)
NUMBERED = re.compile(r"^(\d{1,3})\.\s+(.+)$")
#: The title forms of the layouts' ``PunktStart.PREFIXED``: "Punkt 3: Titel" (FirstAgenda, Aarhus).
PUNKT_TITLES = punkt_title_patterns()
#: Journal numbers as printed on their own line: KLE "00.01.00-A00-17-15", "EMN-2025-003383",
#: "330-2018-3619", "27.00.00-P20-1-23".
JOURNAL_BARE = re.compile(
    r"^(?:\d{2}\.\d{2}\.\d{2}-[A-ZÆØÅ]\d{2}-\d{1,4}-\d{2,4}|[A-ZÆØÅ]{2,5}-\d{4}-\d{3,8}"
    r"|\d{2,4}-\d{4}-\d{2,8})$"
)
CLOSED = re.compile(r"^lukket(?:\s+punkt)?\s*[:\-–]\s*", re.IGNORECASE)
KOMPETENCE = re.compile(r"^(?:beslutnings)?kompetence\s*:?\s*(.*)$", re.IGNORECASE)
OPEN_KLE = re.compile(r"^(åbent|lukket)\s*[-–]\s*(\S.*)$", re.IGNORECASE)
#: "Beslutning i Økonomiudvalget den 04-06-2020: Godkendt." (Holbæk, Slagelse).
BODY_DECISION = re.compile(
    r"^beslutning\s+i\s+(?P<body>.+?)\s+den\s+"
    r"(?P<date>\d{1,2}[-./]\d{1,2}[-./]\d{2,4}|\d{1,2}\.\s*[a-zæøå]+\s+\d{4})"
    r"\s*:?\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
#: "(B)" or "(O)" after a title (Slagelse): til beslutning, til orientering.
TITLE_KINDS = title_kinds()
TITLE_KIND = re.compile(rf"\s*\(([{''.join(TITLE_KINDS)}])\)$", re.IGNORECASE)
LATE = re.compile(r"^tilføjet efter udsendelsen\s*:\s*(.+)$", re.IGNORECASE)
JOURNAL = re.compile(r"^(?:journalnr\.?|journalnummer|sagsnr\.?|sagsnummer)\s*:\s*(.+)$", re.I)
RANGES = re.compile(r"^(?:sag|sager|punkt|punkterne)\s+(.+)$", re.IGNORECASE)
RANGE_ITEM = re.compile(r"^(\d{1,4})(?:\s*[-–]\s*(\d{1,4}))?$")
SUBSTITUTE = re.compile(r"^(?:stedfortræder\s+)?for\s+(.+)$", re.IGNORECASE)
INDSTILLER = re.compile(r"^(.+?)\s+indstiller\b", re.IGNORECASE)
BILAG_LINE = re.compile(r"^bilag\s*\d+\s*[:.\-–]\s*(.+)$", re.IGNORECASE)
SAGSTYPES = {label.lower(): kind for kind, label in SAGSTYPE_LABELS.items()}
TITLES = {"formand": Role.FORMAND, "næstformand": Role.NAESTFORMAND}


# ---------------------------------------------------------------------------------------------
# The reader


def prefixed_title(text: str) -> re.Match[str] | None:
    """ "Punkt 3: Titel" in one of the layouts' forms: group 1 the number, group 2 the title."""
    for pattern in PUNKT_TITLES:
        if match := pattern.match(text):
            return match
    return None


def sag_nr(text: str) -> re.Match[str] | None:
    return layout.SAG_NR_RE.match(text)


def split_rest(rest: str) -> list[str]:
    """``"formand, sag 3-5, 7"`` -> ``["formand", "sag 3-5, 7"]`` (ranges keep their commas)."""
    parts: list[str] = []
    for piece in (p.strip() for p in rest.split(",")):
        if not piece:
            continue
        if (
            parts
            and RANGE_ITEM.match(piece.removeprefix("og ").strip())
            and RANGES.match(parts[-1])
        ):
            parts[-1] = f"{parts[-1]}, {piece}"
        else:
            parts.append(piece)
    return parts


def parse_ranges(text: str) -> tuple[SagRange, ...] | None:
    match = RANGES.match(text.strip())
    if not match:
        return None
    ranges: list[SagRange] = []
    for item in re.split(r",|\bog\b", match[1]):
        item = item.strip()
        if not item:
            continue
        m = RANGE_ITEM.match(item)
        if not m:
            return None
        first = int(m[1])
        last = int(m[2]) if m[2] else first
        ranges.append(SagRange(min(first, last), max(first, last)))
    return tuple(ranges) or None


LONE_PUNCTUATION = re.compile(r"^[.,;:]$")
BARE_NUMBER = re.compile(r"^\d{1,4}$")
#: Front labels whose value may stand on the next line (a web page's table).
FRONT_LABELS = frozenset({"udvalg", "mødedato", "dato", "mødested", "sted", "tidspunkt"})


def opens_punkt_body(text: str) -> bool:
    lowered = text.lower().rstrip(":")
    return bool(
        lowered in layout.SECTION_ALIASES
        or OPEN_KLE.match(text)
        or JOURNAL_BARE.match(text)
        or BODY_DECISION.match(text)
        or KOMPETENCE.match(text)
    )


def same_body(body: str, name: str) -> bool:
    """Whether "Udvalget for Klima og Miljø" names the document's udvalg ("Klima- og
    Miljøudvalget" is not matched: only the same words, case and "Udvalget for" aside)."""

    def key(text: str) -> str:
        text = re.sub(r"^(?:udvalget\s+for|udvalget)\s+", "", text.strip(), flags=re.IGNORECASE)
        return " ".join(text.casefold().replace("-", " ").split())

    return bool(name) and (key(body) == key(name) or key(body) in key(name))


def join_wrapped(first: str, second: str) -> str:
    """A title wrapped over two printed lines: "ny 2030-" + "fremskrivning" keeps the hyphen
    and no space; otherwise one space."""
    if first.endswith("-") and not first.endswith(" -") and second[:1].islower():
        return first + second
    return f"{first} {second}"


CAPS_WORD = re.compile(r"[A-ZÆØÅ]{2,}")


def is_caps_heading(line: Line) -> bool:
    """A body-size line in capitals ("INDSTILLING FRA MAGISTRATSAFDELINGEN …"): a heading."""
    text = line.text
    letters = [c for c in text if c.isalpha()]
    return (
        line.level == 0
        and len(CAPS_WORD.findall(text)) >= 2
        and len(letters) >= 8
        and all(c.isupper() for c in letters)
    )


def bilag_name(text: str) -> str:
    text = text.removeprefix("- ").strip()
    match = BILAG_LINE.match(text)
    return match[1].strip() if match else text
