"""Schedules of status rounds: parsing, and a year of rounds across both DST changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from agendas.errors import InvalidInput
from agendas.plans import StatusSchedule
from agendas.status.schedules import (
    QUARTER_END_MONTHS,
    QUARTER_MONTHS,
    BeforeMeetings,
    Cron,
    MonthlyDay,
    MonthlyWeekday,
    RoundTimes,
    describe,
    next_opening,
    next_round,
    parse_rule,
    rounds_between,
    validate_schedule,
)
from agendas.workdays import is_hverdag

CPH = ZoneInfo("Europe/Copenhagen")
START = datetime(2024, 12, 31, 23, 0, tzinfo=UTC)  # midnight, new year's night, local time
END = datetime(2025, 12, 31, 22, 59, tzinfo=UTC)
#: 2025: summer time starts Sunday 30 March 02.00, ends Sunday 26 October 03.00.
SPRING = date(2025, 3, 30)
AUTUMN = date(2025, 10, 26)


def local(instant: datetime) -> datetime:
    return instant.astimezone(CPH)


def events(rounds: list[RoundTimes]) -> list[tuple[str, datetime]]:
    """Every instant the bot acts on: openings (prompts), reminders and deadlines."""
    result: list[tuple[str, datetime]] = []
    for r in rounds:
        result.append(("open", r.opens_at))
        result.extend(("remind", at) for at in r.reminders)
        result.append(("deadline", r.deadline))
    return result


# --- parsing --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("første mandag i måneden kl. 9", MonthlyWeekday(1, 0, time(9, 0))),
        ("Første  Mandag i måneden", MonthlyWeekday(1, 0, time(9, 0))),
        ("den første tirsdag i hver måned kl. 13.30", MonthlyWeekday(1, 1, time(13, 30))),
        ("sidste fredag i måneden kl. 10", MonthlyWeekday(-1, 4, time(10, 0))),
        ("anden onsdag i kvartalet", MonthlyWeekday(2, 2, time(9, 0), QUARTER_MONTHS)),
        ("sidste torsdag i kvartalet", MonthlyWeekday(-1, 3, time(9, 0), QUARTER_END_MONTHS)),
        ("hver måned den 1. kl. 9", MonthlyDay(1, time(9, 0))),
        ("den 15. i hver måned kl. 8:45", MonthlyDay(15, time(8, 45))),
        ("månedlig", MonthlyDay(1, time(9, 0))),
        ("Månedligt kl. 10", MonthlyDay(1, time(10, 0))),
        ("kvartalsvis", MonthlyDay(1, time(9, 0), QUARTER_MONTHS)),
        ("5 hverdage før hvert møde", BeforeMeetings(5, time(9, 0))),
        ("10 hverdage inden hvert møde i udvalget kl. 8", BeforeMeetings(10, time(8, 0))),
    ],
)
def test_danish_schedules_parse(text: str, rule: object) -> None:
    assert parse_rule(text) == rule


def test_cron_expression_for_power_users() -> None:
    rule = parse_rule("0 9 1-7 * 1")
    assert isinstance(rule, Cron)
    assert rule.times() == [time(9, 0)]
    assert rule.weekdays == frozenset({0})  # cron 1 = Monday
    # Day-of-month and weekday both given: cron fires when either matches.
    assert rule.matches_day(date(2025, 1, 2))  # the 2nd, a Thursday
    assert rule.matches_day(date(2025, 1, 13))  # a Monday
    assert not rule.matches_day(date(2025, 1, 14))


def test_describe_gives_the_canonical_form_that_parses_back() -> None:
    for text in (
        "første mandag i måneden kl. 9",
        "sidste fredag i kvartalet kl. 13.30",
        "hver måned den 31. kl. 8",
        "kvartalsvis",
        "3 hverdage før hvert møde",
        "0 9 1 * *",
    ):
        rule = parse_rule(text)
        assert parse_rule(describe(rule)) == rule


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("", "err-schedule-format"),
        ("hver tredje tirsdag", "err-schedule-format"),
        ("når det passer", "err-schedule-format"),
        ("hver måned den 32.", "err-schedule-format"),
        ("første mandag i måneden kl. 25", "err-schedule-time"),
        ("0 bogus", "err-schedule-format"),
        ("61 9 * * *", "err-schedule-cron-field"),
        ("0 9 * 13 *", "err-schedule-cron-field"),
        ("0 9 * * 8", "err-schedule-cron-field"),
        ("0 9 5-1 * *", "err-schedule-cron-field"),
        ("0 hverdage før hvert møde", "err-schedule-hverdage-range"),
        ("41 hverdage før hvert møde", "err-schedule-hverdage-range"),
    ],
)
def test_schedules_that_are_not_understood_are_refused_with_a_key(text: str, key: str) -> None:
    with pytest.raises(InvalidInput) as info:
        parse_rule(text)
    assert info.value.key == key


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("* * * * *", "err-schedule-too-often"),  # every minute
        ("0 * * * *", "err-schedule-too-often"),  # every hour
        ("0 9,15 1 * *", "err-schedule-too-often"),  # twice a day
        ("0 9 * * *", "err-schedule-too-often"),  # daily
        ("0 9 * * 1-5", "err-schedule-too-often"),  # every hverdag
        ("0 9 * * 1", "err-schedule-overlap"),  # weekly with a five-hverdage window
        ("0 9 31 2 *", "err-schedule-never"),  # 31 February
        ("0 9 30 2 *", "err-schedule-never"),
    ],
)
def test_schedules_that_never_fire_or_fire_too_often_are_refused(text: str, key: str) -> None:
    with pytest.raises(InvalidInput) as info:
        validate_schedule(StatusSchedule(text), START)
    assert info.value.key == key


def test_weekly_with_a_short_window_skips_only_the_christmas_overlap() -> None:
    schedule = StatusSchedule("0 9 * * 1", svarfrist_hverdage=3, reminder_hverdage=1)
    validate_schedule(schedule, START)
    rounds = rounds_between(schedule, datetime(2025, 12, 1, tzinfo=UTC), END + timedelta(days=14))
    openings = [local(r.opens_at).date() for r in rounds]
    # Mon 22 December's deadline falls on Mon 29 December (24-26 are closed): the 29th is skipped.
    assert openings == [
        date(2025, 12, 1),
        date(2025, 12, 8),
        date(2025, 12, 15),
        date(2025, 12, 22),
        date(2026, 1, 5),
        date(2026, 1, 12),
    ]


@pytest.mark.parametrize(
    ("svarfrist", "reminder", "key"),
    [
        (0, 0, "err-schedule-svarfrist"),
        (21, 2, "err-schedule-svarfrist"),
        (2, 2, "err-schedule-reminder"),
    ],
)
def test_answer_window_out_of_range_is_refused(svarfrist: int, reminder: int, key: str) -> None:
    with pytest.raises(InvalidInput) as info:
        validate_schedule(StatusSchedule("månedlig", svarfrist, reminder), START)
    assert info.value.key == key


# --- a year of a monthly schedule -----------------------------------------------------------


def test_a_year_of_first_monday_rounds_across_both_dst_changes() -> None:
    schedule = StatusSchedule("første mandag i måneden kl. 9")
    rounds = rounds_between(schedule, START, END)
    assert len(rounds) == 12
    openings = [local(r.opens_at) for r in rounds]
    assert [o.date() for o in openings] == [
        date(2025, 1, 6),
        date(2025, 2, 3),
        date(2025, 3, 3),
        date(2025, 4, 7),
        date(2025, 5, 5),
        date(2025, 6, 2),
        date(2025, 7, 7),
        date(2025, 8, 4),
        date(2025, 9, 1),
        date(2025, 10, 6),
        date(2025, 11, 3),
        date(2025, 12, 1),
    ]
    # 09.00 on the wall clock all year: 08.00 UTC in winter, 07.00 UTC in summer.
    assert all(o.time() == time(9, 0) for o in openings)
    assert rounds[2].opens_at.hour == 8 and rounds[3].opens_at.hour == 7
    assert rounds[9].opens_at.hour == 7 and rounds[10].opens_at.hour == 8

    for r in rounds:
        # Deadline five hverdage later at 16.00; reminders two hverdage before it and that morning.
        deadline = local(r.deadline)
        assert deadline.time() == time(16, 0)
        assert is_hverdag(deadline.date())
        assert [local(x).time() for x in r.reminders] == [time(9, 0), time(9, 0)]
        assert local(r.reminders[-1]).date() == deadline.date()
        assert r.opens_at < r.reminders[0] < r.reminders[1] < r.deadline
    # June: Grundlovsdag (Thu 5) and 2. pinsedag (Mon 9) are not hverdage.
    assert local(rounds[5].deadline).date() == date(2025, 6, 11)
    assert local(rounds[5].reminders[0]).date() == date(2025, 6, 6)

    fired = events(rounds)
    assert len(fired) == 12 * 4
    assert len({at for _, at in fired}) == len(fired)  # every event exactly once
    assert [at for _, at in fired] == sorted(at for _, at in fired)  # rounds never overlap


def test_a_tick_driven_scheduler_sends_every_prompt_and_reminder_exactly_once() -> None:
    """Simulate a job waking every 20 minutes (and on a restart recomputing everything from the
    stored last round): each opening and reminder is due in exactly one tick."""
    schedule = StatusSchedule("hver måned den 1. kl. 9")
    sent: list[tuple[str, datetime]] = []
    last_deadline = START
    current: RoundTimes | None = None
    tick = START
    while tick <= END:
        if current is None:
            current = next_round(schedule, last_deadline)
        previous_tick = tick - timedelta(minutes=20)
        if current is not None:
            for kind, at in events([current]):
                if previous_tick < at <= tick:
                    sent.append((kind, at))
            if current.deadline <= tick:
                last_deadline = current.deadline
                current = None
        tick += timedelta(minutes=20)
    assert sent == events(rounds_between(schedule, START, END))
    opens = [local(at) for kind, at in sent if kind == "open"]
    # 1 January is a holiday: the round opens on the 2nd; June 1 is a Sunday: the 2nd.
    assert opens[0].date() == date(2025, 1, 2)
    assert opens[5].date() == date(2025, 6, 2)
    assert len(opens) == 12


def test_quarterly_and_month_end_days() -> None:
    quarterly = rounds_between(StatusSchedule("kvartalsvis"), START, END)
    assert [local(r.opens_at).date() for r in quarterly] == [
        date(2025, 1, 2),
        date(2025, 4, 1),
        date(2025, 7, 1),
        date(2025, 10, 1),
    ]
    month_end = rounds_between(StatusSchedule("hver måned den 31. kl. 9"), START, END)
    assert [local(r.opens_at).date() for r in month_end[:7]] == [
        date(2025, 1, 2),  # 31 December (closed) and 1 January (holiday) move to the 2nd
        date(2025, 1, 31),
        date(2025, 2, 28),  # February's last day
        date(2025, 3, 31),
        date(2025, 4, 30),
        date(2025, 6, 2),  # 31 May is a Saturday
        date(2025, 6, 30),
    ]


def test_cron_in_the_skipped_and_the_doubled_hour() -> None:
    rule = parse_rule("30 2 * * 0")  # Sundays 02.30
    before_spring = datetime(2025, 3, 29, 12, 0, tzinfo=UTC)
    found = next_opening(rule, before_spring)
    assert found is not None
    # 02.30 does not exist on 30 March: the next Sunday.
    assert local(found[0]) == datetime(2025, 4, 6, 2, 30, tzinfo=CPH)
    before_autumn = datetime(2025, 10, 25, 12, 0, tzinfo=UTC)
    found = next_opening(rule, before_autumn)
    assert found is not None
    assert found[0] == datetime(2025, 10, 26, 0, 30, tzinfo=UTC)  # the first 02.30 (CEST)
    again = next_opening(rule, found[0])
    assert again is not None and local(again[0]).date() == date(2025, 11, 2)


# --- a year of "before each meeting" --------------------------------------------------------

#: The udvalg meets the second Tuesday of the month (not in July); April moved after Easter.
MEETINGS = [
    date(2025, 1, 14),
    date(2025, 2, 11),
    date(2025, 3, 11),
    date(2025, 4, 22),
    date(2025, 5, 13),
    date(2025, 6, 10),
    date(2025, 8, 12),
    date(2025, 9, 9),
    date(2025, 10, 14),
    date(2025, 10, 28),  # an extra meeting two days after summer time ends
    date(2025, 11, 11),
    date(2025, 12, 9),
]


def test_a_year_of_rounds_before_each_meeting_across_both_dst_changes() -> None:
    schedule = StatusSchedule("5 hverdage før hvert møde")
    rounds = rounds_between(schedule, START, END, MEETINGS)
    assert [r.moede_day for r in rounds] == MEETINGS
    for r in rounds:
        opening = local(r.opens_at)
        assert opening.time() == time(9, 0)
        assert r.moede_day is not None
        # The deadline is at the latest the hverdag before the meeting.
        assert local(r.deadline).date() < r.moede_day
        assert r.opens_at < r.deadline
    by_meeting = {r.moede_day: r for r in rounds}
    easter = by_meeting[date(2025, 4, 22)]
    # Skærtorsdag, Langfredag and 2. påskedag are not hverdage: opens Thursday 10 April.
    assert local(easter.opens_at) == datetime(2025, 4, 10, 9, 0, tzinfo=CPH)
    assert local(easter.deadline) == datetime(2025, 4, 16, 16, 0, tzinfo=CPH)
    assert [local(x) for x in easter.reminders] == [
        datetime(2025, 4, 14, 9, 0, tzinfo=CPH),
        datetime(2025, 4, 16, 9, 0, tzinfo=CPH),
    ]
    # The round for 28 October opens in summer time, closes in winter time.
    late = by_meeting[date(2025, 10, 28)]
    assert late.opens_at.utcoffset() == timedelta(0)
    assert late.opens_at.hour == 7  # 09.00 CEST
    assert late.deadline.hour == 15  # 16.00 CET
    # The extra meeting's round opens after the previous round's deadline: no overlap.
    fired = events(rounds)
    assert len({at for _, at in fired}) == len(fired)
    assert [at for _, at in fired] == sorted(at for _, at in fired)


def test_before_each_meeting_without_meetings_has_no_round() -> None:
    assert next_round(StatusSchedule("5 hverdage før hvert møde"), START, []) is None


def test_a_round_one_hverdag_before_the_meeting_closes_the_same_afternoon() -> None:
    r = next_round(StatusSchedule("1 hverdage før hvert møde"), START, [date(2025, 1, 14)])
    assert r is not None
    assert local(r.opens_at) == datetime(2025, 1, 13, 9, 0, tzinfo=CPH)
    assert local(r.deadline) == datetime(2025, 1, 13, 16, 0, tzinfo=CPH)
    assert r.reminders == ()  # 09.00 that morning is the opening itself
