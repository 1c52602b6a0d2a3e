"""The front of an agenda or protocol: the meeting's date line and the attendance lists
(Medlemmer, Fraværende, Afbud, Stedfortrædere), for ``agendas.documents.recognise``."""

from __future__ import annotations

from datetime import date, time

from agendas.dates import MONTHS
from agendas.documents.decisions import MEMBER_RE
from agendas.documents.patterns import (
    DATE_ISO,
    DATE_NUMERIC,
    DATE_PREFIX,
    DATE_WORDS,
    SUBSTITUTE,
    TIME,
    TITLES,
    parse_ranges,
    split_rest,
)
from agendas.model import Role
from agendas.protocol import AttendanceStatus, Attendee, SagRange


def date_line(text: str) -> tuple[date, time | None, str] | None:
    """The meeting's day from a front line ("Dato: 04-03-2025", "4. marts 2025 kl. 15.00,
    Rådhuset"), with the start and place when the line has them; None for any other line."""
    rest = text[DATE_PREFIX.match(text).end() :]  # type: ignore[union-attr]
    day: date | None = None
    tail = ""
    try:
        if m := DATE_NUMERIC.match(rest):
            day = date(int(m[3]), int(m[2]), int(m[1]))
            tail = rest[m.end() :]
        elif m := DATE_ISO.match(rest):
            day = date(int(m[1]), int(m[2]), int(m[3]))
            tail = rest[m.end() :]
        elif (m := DATE_WORDS.match(rest)) and m[2].lower() in MONTHS:
            day = date(int(m[3]), MONTHS[m[2].lower()], int(m[1]))
            tail = rest[m.end() :]
    except ValueError:
        return None
    if day is None:
        return None
    tail = tail.strip(" ,")
    if not tail:
        return day, None, ""
    time_match = TIME.match(tail)
    if not time_match:
        return None
    start = time(int(time_match[1]), int(time_match[2]))
    return day, start, (time_match[3] or "").strip()


def attendance_item(attendance: list[Attendee], kind: str | None, text: str) -> bool:
    """One line of the list ``kind`` (``layout.HEADER_LISTS``: Medlemmer, Fraværende, Afbud,
    Stedfortrædere) put into ``attendance``; False if it names no member."""
    match = MEMBER_RE.match(text)
    if match:
        name, party, rest = match["name"].strip(), match["party"].strip(), match["rest"] or ""
    else:
        name, _, rest = text.partition(",")
        name, party = name.strip(), ""
        if len(name.split()) > 6 or not name or any(c in name for c in ".:;!?"):
            return False
    rest = rest.strip()
    title: Role | None = None
    ranges: tuple[SagRange, ...] = ()
    substitute_for = ""
    for part in split_rest(rest):
        lowered = part.lower()
        if lowered in TITLES:
            title = TITLES[lowered]
        elif (parsed := parse_ranges(part)) is not None:
            ranges = parsed
        elif sub := SUBSTITUTE.match(part):
            substitute_for = sub[1].strip()
        else:
            return False
    existing = _find(attendance, name)
    if kind == "members":
        if existing is None:
            attendance.append(Attendee(name=name, party=party, title=title))
        elif title is not None:
            existing.title = title
        return True
    if kind == "substitutes":
        attendance.append(
            Attendee(
                name=name,
                party=party,
                status=AttendanceStatus.STEDFORTRAEDER,
                substitute_for=substitute_for,
                absent_for=ranges,
            )
        )
        return True
    attendee = existing or Attendee(name=name, party=party, title=title)
    if existing is None:
        attendance.append(attendee)
    if kind == "afbud":
        attendee.status = AttendanceStatus.AFBUD
    elif ranges:
        attendee.absent_for = ranges
    else:
        attendee.status = AttendanceStatus.FRAVAERENDE
    return True


def _find(attendance: list[Attendee], name: str) -> Attendee | None:
    key = name.casefold()
    for attendee in attendance:
        if attendee.name.casefold() == key:
            return attendee
    return None
