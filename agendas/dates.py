"""Parsing of the date and time forms Danish secretaries type, and zone conversion."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from agendas.errors import InvalidInput

MONTHS: dict[str, int] = {
    "januar": 1,
    "jan": 1,
    "februar": 2,
    "feb": 2,
    "marts": 3,
    "mar": 3,
    "april": 4,
    "apr": 4,
    "maj": 5,
    "juni": 6,
    "jun": 6,
    "juli": 7,
    "jul": 7,
    "august": 8,
    "aug": 8,
    "september": 9,
    "sep": 9,
    "sept": 9,
    "oktober": 10,
    "okt": 10,
    "november": 11,
    "nov": 11,
    "december": 12,
    "dec": 12,
}

#: ``12-01-2027``, ``12.1.27``, ``12/1 2027``; after a bare space only a four-digit year counts, so
#: ``12/1 14`` is the 12th of January at 14, not the year 2014.
_NUMERIC = re.compile(r"^(\d{1,2})\s*[-./]\s*(\d{1,2})(?:\s*[-./]\s*(\d{2}|\d{4})|\s+(\d{4}))?$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_WORDS = re.compile(r"^(\d{1,2})\.?\s+([a-zæøå]+)\.?(?:\s+(\d{4}))?$")
_TIME = re.compile(r"^(?:kl\.?\s*)?(\d{1,2})(?:[:.](\d{2}))?$")


def utc_now() -> datetime:
    """The one clock of the bot's workers and handlers: now, timezone-aware in UTC."""
    return datetime.now(UTC)


def parse_date(text: str, today: date) -> date:
    """Parse ``12-01-2027``, ``12.01.2027``, ``12/1 2027``, ``2027-01-12`` or ``12. januar 2027``.

    A date without a year means its next occurrence from ``today``.
    """
    raw = " ".join(text.strip().lower().split())
    relative = _relative_day(raw, today)
    if relative is not None:
        return relative
    day = month = 0
    year: int | None = None
    if m := _ISO.match(raw):
        year, month, day = int(m[1]), int(m[2]), int(m[3])
    elif m := _NUMERIC.match(raw):
        day, month = int(m[1]), int(m[2])
        year = _full_year(m[3] or m[4]) if m[3] or m[4] else None
    elif (m := _WORDS.match(raw)) and m[2] in MONTHS:
        day, month = int(m[1]), MONTHS[m[2]]
        year = int(m[3]) if m[3] else None
    else:
        raise InvalidInput("err-date-format", value=text)
    if year is None:
        # The next occurrence; 29 February may be up to eight years away (2096 -> 2104).
        for candidate_year in range(today.year, today.year + 9):
            try:
                candidate = date(candidate_year, month, day)
            except ValueError:
                continue
            if candidate >= today:
                return candidate
        raise InvalidInput("err-date-invalid", value=text)
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise InvalidInput("err-date-invalid", value=text) from exc


def _full_year(text: str) -> int:
    return 2000 + int(text) if len(text) == 2 else int(text)


def parse_time(text: str) -> time:
    """Parse ``14:00``, ``14.00``, ``kl. 14`` or ``kl. 14.30``."""
    raw = " ".join(text.strip().lower().split())
    m = _TIME.match(raw)
    if not m:
        raise InvalidInput("err-time-format", value=text)
    hour, minute = int(m[1]), int(m[2] or 0)
    if hour > 23 or minute > 59:
        raise InvalidInput("err-time-format", value=text)
    return time(hour, minute)


def split_date_time(words: list[str]) -> tuple[str, str | None, str]:
    """Split ``/nytmoede`` arguments into date text, time text and place.

    The date may span several words (``12. januar 2027``, ``12/1 2027``), the time may be
    ``kl. 14``; whatever follows is the place.
    """
    # Try the longest date prefix first (up to three words), then a time of one or two words.
    for n in (3, 2, 1):
        if len(words) < n:
            continue
        date_text = " ".join(words[:n])
        if not _looks_like_date(date_text):
            continue
        rest = words[n:]
        for t in (2, 1):
            if len(rest) >= t and _TIME.match(" ".join(rest[:t]).lower()):
                return date_text, " ".join(rest[:t]), " ".join(rest[t:])
        return date_text, None, " ".join(rest)
    return " ".join(words[:1]), None, " ".join(words[1:])


WEEKDAY_NAMES = {
    "mandag": 0,
    "tirsdag": 1,
    "onsdag": 2,
    "torsdag": 3,
    "fredag": 4,
    "lørdag": 5,
    "søndag": 6,
}
_RELATIVE = {"i dag": 0, "idag": 0, "i morgen": 1, "imorgen": 1, "i overmorgen": 2}
_WEEKDAY = re.compile(r"^(?:på\s+|næste\s+|(?:på\s+)?den\s+)?([a-zæøå]+)$")


def _relative_day(raw: str, today: date) -> date | None:
    """ "i dag", "i morgen", "i overmorgen"; a weekday ("torsdag", "på torsdag", "næste
    torsdag"): its next occurrence after today (today's weekday means a week from today)."""
    if raw in _RELATIVE:
        return today + timedelta(days=_RELATIVE[raw])
    m = _WEEKDAY.match(raw)
    if not m or m[1] not in WEEKDAY_NAMES:
        return None
    ahead = (WEEKDAY_NAMES[m[1]] - today.weekday()) % 7 or 7
    return today + timedelta(days=ahead)


def _looks_like_date(text: str) -> bool:
    raw = " ".join(text.strip().lower().split())
    if raw in _RELATIVE or ((m := _WEEKDAY.match(raw)) and m[1] in WEEKDAY_NAMES):
        return True
    if _ISO.match(raw) or _NUMERIC.match(raw):
        return True
    m = _WORDS.match(raw)
    return bool(m and m[2] in MONTHS)


def local_to_utc(day: date, at: time, zone: str) -> datetime:
    """The UTC instant of a local wall-clock time (DST-correct for the given zone)."""
    return datetime.combine(day, at, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def to_local(instant: datetime, zone: str) -> datetime:
    return instant.astimezone(ZoneInfo(zone))


def format_date(day: date) -> str:
    """The municipal short form ``04-03-2025``."""
    return day.strftime("%d-%m-%Y")


def format_time(at: time) -> str:
    """The municipal form ``15.00``."""
    return at.strftime("%H.%M")


def moede_when(t: Callable[..., str], day: date, at: time | None) -> str:
    """ "4. marts 2026 kl. 15.00", or only the date when no start time is known (an imported
    document that gave none): the bot never invents "kl. 00.00"."""
    if at is None:
        return t("moede-when-date", date=format_date(day))
    return t("moede-when", date=format_date(day), time=format_time(at))
