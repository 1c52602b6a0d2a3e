"""Danish working days (hverdage) and the deadlines and reminders counted in them.

A hverdag is Monday to Friday, not a Danish public holiday (the ``holidays`` package: Nytårsdag,
Skærtorsdag, Langfredag, 2. påskedag, Kristi Himmelfartsdag, 2. pinsedag, Juledag, 2. juledag,
and Store Bededag until 2023) and not one of the days municipal offices close anyway
(Grundlovsdag 5 June, Juleaftensdag 24 December, Nytårsaftensdag 31 December).

All wall-clock times are in the committee's zone (Europe/Copenhagen); the instants handed out are
UTC and correct across the daylight-saving changes (``agendas.dates.local_to_utc``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from agendas.dates import local_to_utc

#: The committee's default udsendelsesfrist: the agenda goes out 4 hverdage before the meeting.
DEFAULT_FRIST_HVERDAGE = 4
#: The secretary is warned this many hverdage before the deadline while the agenda is unreleased.
DEFAULT_WARN_HVERDAGE = 2
#: When on the warning day the secretary is warned, and when members are reminded.
WARN_TIME = time(9, 0)
REMINDER_TIME = time(9, 0)
#: (month, day) closed in the municipal administration though not public holidays.
EXTRA_CLOSED: tuple[tuple[int, int], ...] = ((6, 5), (12, 24), (12, 31))
#: A frist longer than this is surely a typo (two months of hverdage).
MAX_FRIST_HVERDAGE = 40
#: The deadline warning comes at most this many hverdage before the frist.
MAX_WARN_HVERDAGE = 20


@lru_cache(maxsize=64)
def _holidays(year: int) -> frozenset[date]:
    import holidays  # on first use: the package takes a tenth of a second and a few MiB to load

    days = set(holidays.country_holidays("DK", years=year).keys())
    days.update(date(year, month, day) for month, day in EXTRA_CLOSED)
    return frozenset(days)


def is_hverdag(day: date) -> bool:
    return day.weekday() < 5 and day not in _holidays(day.year)


def hverdage_before(day: date, count: int) -> date:
    """The hverdag ``count`` hverdage before ``day`` (``day`` itself is not counted).

    A meeting on Thursday 1 April 2027 with a frist of 4: Wed 31 and Tue 30 March count,
    2. påskedag, the weekend, Langfredag and Skærtorsdag do not, then Wed 24 and Tue 23 March.
    """
    if count < 0:
        raise ValueError("count must be >= 0")
    current = day
    left = count
    while left > 0:
        current -= timedelta(days=1)
        if is_hverdag(current):
            left -= 1
    return current


def hverdage_after(day: date, count: int) -> date:
    """The hverdag ``count`` hverdage after ``day`` (``day`` itself is not counted)."""
    current = day
    left = count
    while left > 0:
        current += timedelta(days=1)
        if is_hverdag(current):
            left -= 1
    return current


def next_hverdag(day: date) -> date:
    """``day`` itself if it is a hverdag, else the first hverdag after it."""
    current = day
    while not is_hverdag(current):
        current += timedelta(days=1)
    return current


def hverdage_between(start: date, end: date) -> int:
    """How many hverdage lie after ``start`` up to and including ``end``."""
    count = 0
    current = start
    while current < end:
        current += timedelta(days=1)
        if is_hverdag(current):
            count += 1
    return count


@dataclass(frozen=True, slots=True)
class Deadlines:
    """When the agenda of one meeting must be out, and when the bot warns and reminds."""

    frist_date: date
    frist_at: datetime  # UTC: the meeting's start time on the frist day
    warn_date: date
    warn_at: datetime  # UTC: WARN_TIME on the warning day
    reminder_at: datetime  # UTC: REMINDER_TIME on the calendar day before the meeting


def deadlines(
    meeting_day: date,
    start: time,
    zone: str,
    frist_hverdage: int = DEFAULT_FRIST_HVERDAGE,
    warn_hverdage: int = DEFAULT_WARN_HVERDAGE,
) -> Deadlines:
    """The deadline is ``frist_hverdage`` hverdage before the meeting; the warning comes
    ``warn_hverdage`` hverdage before the deadline; members are reminded the day before."""
    frist_date = hverdage_before(meeting_day, frist_hverdage)
    warn_date = hverdage_before(frist_date, warn_hverdage)
    return Deadlines(
        frist_date=frist_date,
        frist_at=local_to_utc(frist_date, start, zone),
        warn_date=warn_date,
        warn_at=local_to_utc(warn_date, WARN_TIME, zone),
        reminder_at=local_to_utc(meeting_day - timedelta(days=1), REMINDER_TIME, zone),
    )
