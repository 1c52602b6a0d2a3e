"""Hverdage: weekends and Danish public holidays are skipped; instants are DST-correct."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from agendas.workdays import (
    deadlines,
    hverdage_after,
    hverdage_before,
    hverdage_between,
    is_hverdag,
    next_hverdag,
)

ZONE = "Europe/Copenhagen"


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2027, 3, 24), True),  # an ordinary Wednesday
        (date(2027, 3, 27), False),  # Saturday
        (date(2027, 3, 28), False),  # Sunday (påskedag, and the DST change)
        (date(2027, 3, 25), False),  # Skærtorsdag
        (date(2027, 3, 26), False),  # Langfredag
        (date(2027, 3, 29), False),  # 2. påskedag
        (date(2027, 3, 30), True),
        (date(2027, 5, 6), False),  # Kristi Himmelfartsdag
        (date(2027, 5, 7), True),  # the Friday after: a hverdag (many take it off, it counts)
        (date(2027, 5, 17), False),  # 2. pinsedag
        (date(2027, 6, 5), False),  # Grundlovsdag: offices close
        (date(2027, 12, 24), False),  # Juleaftensdag
        (date(2027, 12, 27), True),  # Monday after 2. juledag (a Sunday in 2027)
        (date(2027, 12, 31), False),  # Nytårsaftensdag
        (date(2028, 1, 1), False),  # Nytårsdag (a Saturday)
        (date(2028, 1, 3), True),
    ],
)
def test_hverdage(day: date, expected: bool) -> None:
    assert is_hverdag(day) is expected


def test_deadline_across_easter_2027() -> None:
    # A meeting Thursday 1 April 2027, frist 4 hverdage: Wed 31/3, Tue 30/3 count; 2. påskedag,
    # the weekend, Langfredag and Skærtorsdag do not; then Wed 24/3 and Tue 23/3.
    assert hverdage_before(date(2027, 4, 1), 4) == date(2027, 3, 23)
    assert hverdage_between(date(2027, 3, 23), date(2027, 4, 1)) == 4


def test_deadline_across_kristi_himmelfart() -> None:
    # Meeting Monday 10 May 2027: Fri 7/5 counts, Thu 6/5 (Kristi Himmelfartsdag) does not.
    assert hverdage_before(date(2027, 5, 10), 2) == date(2027, 5, 5)


def test_deadline_across_christmas_and_new_year() -> None:
    # Meeting Tuesday 4 January 2028, frist 4: Mon 3/1, then 31/12 (closed), 30/12, 29/12, 28/12.
    assert hverdage_before(date(2028, 1, 4), 4) == date(2027, 12, 28)


def test_frist_zero_is_the_meeting_day_itself() -> None:
    assert hverdage_before(date(2027, 3, 24), 0) == date(2027, 3, 24)


def test_instants_across_the_march_dst_weekend() -> None:
    # Meeting Tuesday 30 March 2027 at 14:00 (summer time, UTC+2); frist 1 hverdag: Wed 24/3
    # (winter time, UTC+1). The warning 1 hverdag before that: Tue 23/3 at 09:00 (UTC+1).
    d = deadlines(date(2027, 3, 30), time(14, 0), ZONE, frist_hverdage=1, warn_hverdage=1)
    assert d.frist_date == date(2027, 3, 24)
    assert d.frist_at == datetime(2027, 3, 24, 13, 0, tzinfo=UTC)
    assert d.warn_at == datetime(2027, 3, 23, 8, 0, tzinfo=UTC)
    # The reminder on Monday 29 March at 09:00 summer time = 07:00 UTC.
    assert d.reminder_at == datetime(2027, 3, 29, 7, 0, tzinfo=UTC)


def test_instants_across_the_october_dst_weekend() -> None:
    # Meeting Monday 1 November 2027 at 16:00 (winter time); the day before is Sunday 31 October,
    # the day the clocks go back at 03:00: 09:00 that day is already UTC+1.
    d = deadlines(date(2027, 11, 1), time(16, 0), ZONE, frist_hverdage=4, warn_hverdage=2)
    assert d.frist_date == date(2027, 10, 26)
    assert d.frist_at == datetime(2027, 10, 26, 14, 0, tzinfo=UTC)  # summer time, UTC+2
    assert d.warn_date == date(2027, 10, 22)
    assert d.warn_at == datetime(2027, 10, 22, 7, 0, tzinfo=UTC)
    assert d.reminder_at == datetime(2027, 10, 31, 8, 0, tzinfo=UTC)


def test_default_frist_is_four_hverdage() -> None:
    d = deadlines(date(2027, 4, 1), time(14, 0), ZONE)
    assert d.frist_date == date(2027, 3, 23)
    assert d.warn_date == date(2027, 3, 19)  # two hverdage before: Mon 22, Fri 19


def test_negative_count_is_refused() -> None:
    with pytest.raises(ValueError):
        hverdage_before(date(2027, 1, 1), -1)


def test_counting_forward_skips_the_easter_days_and_the_weekend() -> None:
    # From Wednesday 24 March 2027: Skærtorsdag, Langfredag, the weekend and 2. påskedag are not
    # hverdage, so the second hverdag after it is Wednesday 31 March.
    assert hverdage_after(date(2027, 3, 24), 1) == date(2027, 3, 30)
    assert hverdage_after(date(2027, 3, 24), 2) == date(2027, 3, 31)
    assert hverdage_after(date(2027, 3, 24), 0) == date(2027, 3, 24)


def test_the_next_hverdag_of_a_holiday_is_the_first_working_day_after_it() -> None:
    assert next_hverdag(date(2027, 3, 25)) == date(2027, 3, 30)  # Skærtorsdag
    assert next_hverdag(date(2027, 3, 24)) == date(2027, 3, 24)  # already a hverdag
