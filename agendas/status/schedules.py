"""When a plan's status rounds open, when they close, and when the bot reminds.

A rule is parsed from what the secretary types:

- ``første mandag i måneden kl. 9`` (also anden/tredje/fjerde/sidste, any weekday;
  ``… i kvartalet`` is the quarter's first month, ``sidste … i kvartalet`` its last),
- ``hver måned den 1. kl. 9`` / ``den 15. i hver måned`` (days 29-31 mean the month's last day
  in shorter months),
- ``månedlig`` (the 1st at 9) and ``kvartalsvis`` (1 January/April/July/October at 9),
- a five-field cron expression (``0 9 1 * *``: minute hour day month weekday) for power users,
- ``5 hverdage før hvert møde``: the round opens that many hverdage before each meeting of the
  udvalg.

A rule that names a calendar day opens on the next hverdag when that day is a weekend or holiday
(1 January opens on 2 January); a cron expression fires exactly when it says. The deadline is
``svarfrist_hverdage`` hverdage after the opening at ``DEADLINE_TIME`` (for a meeting rule never
later than the hverdag before the meeting); reminders go out ``reminder_hverdage`` hverdage before
the deadline and on the deadline morning, at ``REMINDER_TIME``.

Wall-clock times are in the committee's zone (Europe/Copenhagen); every instant handed out is
UTC and DST-correct. A local time that does not exist (02.30 on the last Sunday of March) is
skipped; one that exists twice (02.30 on the last Sunday of October) fires once, the first time.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from agendas.dates import local_to_utc, to_local
from agendas.errors import InvalidInput
from agendas.plans import StatusSchedule
from agendas.workdays import hverdage_after, hverdage_before, next_hverdag

ZONE = "Europe/Copenhagen"
DEFAULT_TIME = time(9, 0)
DEADLINE_TIME = time(16, 0)
REMINDER_TIME = time(9, 0)
#: A rule must fire within this horizon, or it "never fires".
HORIZON_DAYS = 2 * 366
MAX_SVARFRIST_HVERDAGE = 20
MAX_BEFORE_MEETING_HVERDAGE = 40
#: Rounds at most weekly: a status round every day is noise, not follow-up.
MIN_INTERVAL = timedelta(days=6, hours=23)

WEEKDAYS: dict[str, int] = {
    "mandag": 0,
    "tirsdag": 1,
    "onsdag": 2,
    "torsdag": 3,
    "fredag": 4,
    "lørdag": 5,
    "søndag": 6,
}
WEEKDAY_NAMES = ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag")
ORDINALS: dict[str, int] = {
    "første": 1,
    "1.": 1,
    "anden": 2,
    "andre": 2,
    "2.": 2,
    "tredje": 3,
    "3.": 3,
    "fjerde": 4,
    "4.": 4,
    "sidste": -1,
}
ORDINAL_NAMES = {1: "første", 2: "anden", 3: "tredje", 4: "fjerde", -1: "sidste"}
ALL_MONTHS: tuple[int, ...] = tuple(range(1, 13))
QUARTER_MONTHS: tuple[int, ...] = (1, 4, 7, 10)
#: "sidste fredag i kvartalet": the quarter's last month.
QUARTER_END_MONTHS: tuple[int, ...] = (3, 6, 9, 12)


@dataclass(frozen=True, slots=True)
class MonthlyWeekday:
    """The ``ordinal``-th (1..4, or -1 for the last) ``weekday`` of each month in ``months``."""

    ordinal: int
    weekday: int
    at: time = DEFAULT_TIME
    months: tuple[int, ...] = ALL_MONTHS


@dataclass(frozen=True, slots=True)
class MonthlyDay:
    """Day ``day`` of each month in ``months`` (the last day when the month is shorter)."""

    day: int
    at: time = DEFAULT_TIME
    months: tuple[int, ...] = ALL_MONTHS


@dataclass(frozen=True, slots=True)
class Cron:
    """A five-field cron expression; day-of-month and weekday are OR-ed when both are given."""

    expression: str
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]  # 0 = Monday … 6 = Sunday (cron's 0/7 Sunday converted)
    days_restricted: bool
    weekdays_restricted: bool

    def matches_day(self, day: date) -> bool:
        if day.month not in self.months:
            return False
        dom = day.day in self.days
        dow = day.weekday() in self.weekdays
        if self.days_restricted and self.weekdays_restricted:
            return dom or dow
        return dom and dow

    def times(self) -> list[time]:
        return [time(h, m) for h in sorted(self.hours) for m in sorted(self.minutes)]


@dataclass(frozen=True, slots=True)
class BeforeMeetings:
    """The round opens ``hverdage`` hverdage before each meeting of the udvalg, at ``at``."""

    hverdage: int
    at: time = DEFAULT_TIME


Rule = MonthlyWeekday | MonthlyDay | Cron | BeforeMeetings


@dataclass(frozen=True, slots=True)
class RoundTimes:
    """One round: all instants UTC. ``moede_day`` is the meeting a meeting rule serves."""

    opens_at: datetime
    deadline: datetime
    reminders: tuple[datetime, ...]
    moede_day: date | None = None


# --- parsing -------------------------------------------------------------------------------

_TIME_SUFFIX = re.compile(r"(?:,?\s*(?:kl\.?|klokken)\s*(\d{1,2})(?:[.:](\d{2}))?)\s*$")
_ORD = r"(første|1\.|anden|andre|2\.|tredje|3\.|fjerde|4\.|sidste)"
_DAY = r"(mandag|tirsdag|onsdag|torsdag|fredag|lørdag|søndag)(?:en)?"
_NTH = re.compile(
    rf"^(?:hver\s+)?(?:den\s+)?{_ORD}\s+{_DAY}\s+"
    r"(?:i\s+(?:hver\s+|hvert\s+)?|hver\s+|hvert\s+)(måned|måneden|kvartal|kvartalet)$"
)
_DAY_OF_MONTH = re.compile(
    r"^(?:(?:hver|hvert)\s+måned\s+)?den\s+(\d{1,2})\.?(?:\s+i\s+(?:hver\s+)?måned(?:en)?)?$"
)
_BEFORE = re.compile(
    r"^(\d{1,3})\s+hverdag(?:e)?\s+(?:før|inden)\s+(?:hvert|ethvert|hvert\s+eneste)?\s*"
    r"møde(?:t)?(?:\s+i\s+udvalget)?$"
)
_MONTHLY = {"månedlig", "månedligt", "hver måned", "en gang om måneden", "monthly"}
_QUARTERLY = {"kvartalsvis", "kvartalsvist", "hvert kvartal", "en gang i kvartalet", "quarterly"}
_CRON = re.compile(r"^[0-9*,/\-]+(?:\s+[0-9*,/\-]+){4}$")


def parse_rule(text: str) -> Rule:
    """Parse a schedule; ``InvalidInput`` with a catalogue key when it is not understood."""
    raw = " ".join(text.strip().lower().split())
    if not raw:
        raise InvalidInput("err-schedule-format", value=text)
    if _CRON.match(raw):
        return parse_cron(raw)
    at = DEFAULT_TIME
    if m := _TIME_SUFFIX.search(raw):
        hour, minute = int(m[1]), int(m[2] or 0)
        if hour > 23 or minute > 59:
            raise InvalidInput("err-schedule-time", value=text)
        at = time(hour, minute)
        raw = raw[: m.start()].strip().rstrip(",")
    if raw in _MONTHLY:
        return MonthlyDay(1, at)
    if raw in _QUARTERLY:
        return MonthlyDay(1, at, QUARTER_MONTHS)
    if m := _NTH.match(raw):
        ordinal = ORDINALS[m[1]]
        months = ALL_MONTHS
        if m[3].startswith("kvartal"):
            months = QUARTER_END_MONTHS if ordinal == -1 else QUARTER_MONTHS
        return MonthlyWeekday(ordinal, WEEKDAYS[m[2]], at, months)
    if m := _DAY_OF_MONTH.match(raw):
        day = int(m[1])
        if not 1 <= day <= 31:
            raise InvalidInput("err-schedule-format", value=text)
        return MonthlyDay(day, at)
    if m := _BEFORE.match(raw):
        count = int(m[1])
        if not 1 <= count <= MAX_BEFORE_MEETING_HVERDAGE:
            raise InvalidInput(
                "err-schedule-hverdage-range", value=count, limit=MAX_BEFORE_MEETING_HVERDAGE
            )
        return BeforeMeetings(count, at)
    raise InvalidInput("err-schedule-format", value=text)


_CRON_FIELDS = (
    ("minut", 0, 59),
    ("time", 0, 23),
    ("dag", 1, 31),
    ("måned", 1, 12),
    ("ugedag", 0, 7),
)


def parse_cron(expression: str) -> Cron:
    parts = expression.split()
    if len(parts) != 5:
        raise InvalidInput("err-schedule-format", value=expression)
    values: list[frozenset[int]] = []
    for part, (name, low, high) in zip(parts, _CRON_FIELDS, strict=True):
        values.append(_cron_field(part, name, low, high))
    weekdays = frozenset((d - 1) % 7 for d in values[4])  # cron 1 = Monday, 0/7 = Sunday
    return Cron(
        expression=" ".join(parts),
        minutes=values[0],
        hours=values[1],
        days=values[2],
        months=values[3],
        weekdays=weekdays,
        days_restricted=parts[2] != "*",
        weekdays_restricted=parts[4] != "*",
    )


def _cron_field(part: str, name: str, low: int, high: int) -> frozenset[int]:
    result: set[int] = set()
    for item in part.split(","):
        m = re.fullmatch(r"(\*|\d+(?:-\d+)?)(?:/(\d+))?", item)
        if not m:
            raise InvalidInput("err-schedule-cron-field", field=name, value=part)
        step = int(m[2]) if m[2] else 1
        if m[1] == "*":
            start, end = low, high
        elif "-" in m[1]:
            start, end = (int(x) for x in m[1].split("-"))
        else:
            start = int(m[1])
            end = high if m[2] else start
        if step < 1 or start < low or end > high or start > end:
            raise InvalidInput("err-schedule-cron-field", field=name, value=part)
        result.update(range(start, end + 1, step))
    return frozenset(result)


def describe(rule: Rule) -> str:
    """The rule in canonical Danish, as stored and shown (``første mandag i måneden kl. 9.00``)."""
    at = f"kl. {rule.at.strftime('%H.%M')}" if not isinstance(rule, Cron) else ""
    if isinstance(rule, MonthlyWeekday):
        quarterly = rule.months in (QUARTER_MONTHS, QUARTER_END_MONTHS)
        period = "kvartalet" if quarterly else "måneden"
        return f"{ORDINAL_NAMES[rule.ordinal]} {WEEKDAY_NAMES[rule.weekday]} i {period} {at}"
    if isinstance(rule, MonthlyDay):
        if rule.months == QUARTER_MONTHS and rule.day == 1:
            return f"kvartalsvis {at}"
        return f"hver måned den {rule.day}. {at}"
    if isinstance(rule, BeforeMeetings):
        return f"{rule.hverdage} hverdage før hvert møde {at}"
    return rule.expression


# --- computing rounds ------------------------------------------------------------------------


def _month_day(rule: MonthlyWeekday | MonthlyDay, year: int, month: int) -> date:
    last = calendar.monthrange(year, month)[1]
    if isinstance(rule, MonthlyDay):
        return date(year, month, min(rule.day, last))
    if rule.ordinal == -1:
        day = date(year, month, last)
        return day - timedelta(days=(day.weekday() - rule.weekday) % 7)
    first = date(year, month, 1)
    offset = (rule.weekday - first.weekday()) % 7
    return first + timedelta(days=offset + 7 * (rule.ordinal - 1))


def _local_occurrences(rule: Rule, start: date, end: date) -> Iterator[tuple[date, time]]:
    """Local (day, time) openings of a calendar rule from ``start`` to ``end``, ascending."""
    if isinstance(rule, Cron):
        times = rule.times()
        day = start
        while day <= end:
            if rule.matches_day(day):
                for at in times:
                    yield day, at
            day += timedelta(days=1)
        return
    if isinstance(rule, BeforeMeetings):
        return
    year, month = start.year, start.month
    if month > 1:
        # A shifted opening of last month may land in this one (31 May -> 2 June).
        year, month = (year, month - 1)
    else:
        year, month = (year - 1, 12)
    while date(year, month, 1) <= end:
        if month in rule.months:
            day = next_hverdag(_month_day(rule, year, month))
            if start <= day <= end:
                yield day, rule.at
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def _exists(day: date, at: time, zone: str) -> bool:
    """False for a wall-clock time skipped by the spring-forward change."""
    back = to_local(local_to_utc(day, at, zone), zone)
    return back.date() == day and back.time().replace(tzinfo=None) == at


def next_opening(
    rule: Rule,
    after: datetime,
    meetings: Sequence[date] = (),
    zone: str = ZONE,
) -> tuple[datetime, date | None] | None:
    """The first opening strictly after ``after`` (UTC), and the meeting it serves; None when
    the rule does not fire within the horizon (or, for a meeting rule, no meeting is planned)."""
    if isinstance(rule, BeforeMeetings):
        best: tuple[datetime, date | None] | None = None
        for moede_day in sorted(set(meetings)):
            opening = local_to_utc(hverdage_before(moede_day, rule.hverdage), rule.at, zone)
            if opening > after and (best is None or opening < best[0]):
                best = (opening, moede_day)
        return best
    start = to_local(after, zone).date()
    for day, at in _local_occurrences(rule, start, start + timedelta(days=HORIZON_DAYS)):
        if not _exists(day, at, zone):
            continue
        instant = local_to_utc(day, at, zone)
        if instant > after:
            return instant, None
    return None


def round_times(
    opens_at: datetime,
    schedule: StatusSchedule,
    moede_day: date | None = None,
    zone: str = ZONE,
) -> RoundTimes:
    """Deadline and reminders of a round that opens at ``opens_at``."""
    open_day = to_local(opens_at, zone).date()
    deadline_day = hverdage_after(open_day, schedule.svarfrist_hverdage)
    if moede_day is not None:
        deadline_day = min(deadline_day, hverdage_before(moede_day, 1))
    deadline = local_to_utc(deadline_day, DEADLINE_TIME, zone)
    if deadline <= opens_at:
        raise InvalidInput("err-schedule-window")
    candidates = []
    if schedule.reminder_hverdage > 0:
        reminder_day = hverdage_before(deadline_day, schedule.reminder_hverdage)
        candidates.append(local_to_utc(reminder_day, REMINDER_TIME, zone))
    candidates.append(local_to_utc(deadline_day, REMINDER_TIME, zone))
    reminders = tuple(sorted({r for r in candidates if opens_at < r < deadline}))
    return RoundTimes(opens_at, deadline, reminders, moede_day)


def next_round(
    schedule: StatusSchedule,
    after: datetime,
    meetings: Sequence[date] = (),
    zone: str = ZONE,
) -> RoundTimes | None:
    """The next round opening strictly after ``after`` (pass the last round's deadline to never
    overlap two rounds), or None when nothing is due."""
    rule = parse_rule(schedule.rule)
    found = next_opening(rule, after, meetings, zone)
    if found is None:
        return None
    return round_times(found[0], schedule, found[1], zone)


def rounds_between(
    schedule: StatusSchedule,
    start: datetime,
    end: datetime,
    meetings: Sequence[date] = (),
    zone: str = ZONE,
) -> list[RoundTimes]:
    """Every round opening after ``start`` and up to ``end``, one after the other."""
    rounds: list[RoundTimes] = []
    after = start
    while True:
        found = next_round(schedule, after, meetings, zone)
        if found is None or found.opens_at > end:
            return rounds
        rounds.append(found)
        after = found.deadline


def validate_schedule(schedule: StatusSchedule, now: datetime, zone: str = ZONE) -> Rule:
    """Check a schedule the secretary typed; returns the parsed rule.

    Refused: an unknown form, an answer window out of range, a rule that fires more than once a
    day ("every minute") or more often than weekly, one that does not fire within two years,
    and one whose rounds regularly overlap (the next opening before the previous deadline in
    most rounds). An occasional overlap (a weekly round in the Christmas week) is no refusal:
    ``rounds_between``/``next_round`` start the next round after the previous deadline, so that
    one opening is skipped.
    """
    if not 1 <= schedule.svarfrist_hverdage <= MAX_SVARFRIST_HVERDAGE:
        raise InvalidInput(
            "err-schedule-svarfrist",
            value=schedule.svarfrist_hverdage,
            limit=MAX_SVARFRIST_HVERDAGE,
        )
    if not 0 <= schedule.reminder_hverdage < schedule.svarfrist_hverdage:
        raise InvalidInput("err-schedule-reminder", value=schedule.reminder_hverdage)
    rule = parse_rule(schedule.rule)
    if isinstance(rule, Cron) and len(rule.times()) > 1:
        raise InvalidInput("err-schedule-too-often", value=schedule.rule)
    if isinstance(rule, BeforeMeetings):
        return rule
    first = next_opening(rule, now, (), zone)
    if first is None:
        raise InvalidInput("err-schedule-never", value=schedule.rule)
    opening = first[0]
    year_later = now + timedelta(days=366)
    rounds = overlaps = 0
    while opening <= year_later:
        following = next_opening(rule, opening, (), zone)
        if following is None:
            break
        if following[0] - opening < MIN_INTERVAL:
            raise InvalidInput("err-schedule-too-often", value=schedule.rule)
        rounds += 1
        if following[0] < round_times(opening, schedule, None, zone).deadline:
            overlaps += 1
        opening = following[0]
    if overlaps * 2 > rounds:
        raise InvalidInput(
            "err-schedule-overlap", value=schedule.rule, svarfrist=schedule.svarfrist_hverdage
        )
    return rule
