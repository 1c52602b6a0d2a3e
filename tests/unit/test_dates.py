"""The date and time forms Danish secretaries type, and the conversion to UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agendas.dates import (
    format_date,
    format_time,
    local_to_utc,
    parse_date,
    parse_time,
    split_date_time,
    to_local,
)
from agendas.errors import InvalidInput

TODAY = date(2026, 11, 23)
ZONE = "Europe/Copenhagen"


@pytest.mark.parametrize(
    "text",
    [
        "12-01-2027",
        "12.01.2027",
        "12/1 2027",
        "12/1/2027",
        "2027-01-12",
        "12. januar 2027",
        "12 januar 2027",
        "12. jan. 2027",
        "12. Januar 2027",
        "  12-1-2027 ",
        "12-01-27",
    ],
)
def test_accepted_date_forms(text: str) -> None:
    assert parse_date(text, TODAY) == date(2027, 1, 12)


def test_danish_month_names_with_letters_beyond_ascii() -> None:
    assert parse_date("1. maj 2027", TODAY) == date(2027, 5, 1)
    assert parse_date("3. marts 2027", TODAY) == date(2027, 3, 3)
    assert parse_date("24. december", TODAY) == date(2026, 12, 24)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12/1", date(2027, 1, 12)),  # January has passed this year: next year
        ("12. januar", date(2027, 1, 12)),
        ("1.12", date(2026, 12, 1)),  # still to come this year
        ("23/11", TODAY),  # today counts as the next occurrence
        ("22/11", date(2027, 11, 22)),
    ],
)
def test_date_without_year_is_its_next_occurrence(text: str, expected: date) -> None:
    assert parse_date(text, TODAY) == expected


def test_tomorrow_and_weekdays_the_way_a_secretary_says_them() -> None:
    sunday = date(2026, 11, 29)
    assert parse_date("i morgen", sunday) == date(2026, 11, 30)
    assert parse_date("I overmorgen", sunday) == date(2026, 12, 1)
    assert parse_date("torsdag", sunday) == date(2026, 12, 3)
    assert parse_date("på torsdag", sunday) == date(2026, 12, 3)
    assert parse_date("søndag", sunday) == date(2026, 12, 6)  # today's weekday: a week on


def test_29_february_without_year_is_the_next_leap_day() -> None:
    assert parse_date("29/2", TODAY) == date(2028, 2, 29)
    assert parse_date("29. februar", date(2028, 1, 5)) == date(2028, 2, 29)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "i går",
        "forleden",
        "12",
        "2027",
        "12-01-2027-5",
        "12. jamuar 2027",
        "1x.01.2027",
        "12:00",
    ],
)
def test_malformed_dates_are_refused_with_the_format_key(text: str) -> None:
    with pytest.raises(InvalidInput) as info:
        parse_date(text, TODAY)
    assert info.value.key == "err-date-format"
    assert info.value.params == {"value": text}


@pytest.mark.parametrize(
    "text", ["31-02-2027", "29.02.2027", "00-01-2027", "12-13-2027", "2027-02-30", "32/1", "0/0"]
)
def test_impossible_dates_are_refused_with_the_invalid_key(text: str) -> None:
    with pytest.raises(InvalidInput) as info:
        parse_date(text, TODAY)
    assert info.value.key == "err-date-invalid"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("14:00", time(14, 0)),
        ("kl. 14", time(14, 0)),
        ("kl 14", time(14, 0)),
        ("Kl. 9", time(9, 0)),
        ("14.00", time(14, 0)),
        ("kl. 14.30", time(14, 30)),
        ("8:05", time(8, 5)),
        ("0:00", time(0, 0)),
        ("23.59", time(23, 59)),
        ("kl.14", time(14, 0)),
    ],
)
def test_accepted_time_forms(text: str, expected: time) -> None:
    assert parse_time(text) == expected


@pytest.mark.parametrize(
    "text", ["", "24:00", "14:60", "14:5", "kl.", "to", "14-00", "14:00:00", "-1", "kl. 14 30"]
)
def test_malformed_or_impossible_times_are_refused(text: str) -> None:
    with pytest.raises(InvalidInput) as info:
        parse_time(text)
    assert info.value.key == "err-time-format"


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (
            "12-01-2027 14:00 Rådhuset, mødelokale 2",
            ("12-01-2027", "14:00", "Rådhuset, mødelokale 2"),
        ),
        ("12. januar 2027 kl. 14 Rådhuset", ("12. januar 2027", "kl. 14", "Rådhuset")),
        ("12/1 2027 kl. 14.30 Jobcentret", ("12/1 2027", "kl. 14.30", "Jobcentret")),
        ("2027-01-12 14.00", ("2027-01-12", "14.00", "")),
        ("12. januar 14:00 Sal 1", ("12. januar", "14:00", "Sal 1")),
        ("12/1 14:00", ("12/1", "14:00", "")),
        ("12/1 14 Rådhuset", ("12/1", "14", "Rådhuset")),
        ("12-01-2027", ("12-01-2027", None, "")),
        ("12-01-2027 Rådhuset", ("12-01-2027", None, "Rådhuset")),
        ("i morgen", ("i morgen", None, "")),
        ("på torsdag kl. 9 Rådhuset", ("på torsdag", "kl. 9", "Rådhuset")),
    ],
)
def test_split_date_time_separates_date_time_and_place(
    words: str, expected: tuple[str, str | None, str]
) -> None:
    assert split_date_time(words.split()) == expected


def test_split_date_time_of_nothing() -> None:
    assert split_date_time([]) == ("", None, "")


def test_local_to_utc_in_winter_and_summer() -> None:
    assert local_to_utc(date(2027, 1, 12), time(14), ZONE) == datetime(2027, 1, 12, 13, tzinfo=UTC)
    assert local_to_utc(date(2027, 6, 1), time(14), ZONE) == datetime(2027, 6, 1, 12, tzinfo=UTC)


def test_local_to_utc_across_the_spring_dst_change() -> None:
    # 28 March 2027: clocks jump from 02:00 to 03:00 in Copenhagen.
    before = local_to_utc(date(2027, 3, 28), time(1, 30), ZONE)
    after = local_to_utc(date(2027, 3, 28), time(3, 30), ZONE)
    assert before == datetime(2027, 3, 28, 0, 30, tzinfo=UTC)
    assert after == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)
    assert after - before == timedelta(hours=1)
    assert local_to_utc(date(2027, 3, 28), time(14), ZONE) == datetime(2027, 3, 28, 12, tzinfo=UTC)
    assert local_to_utc(date(2027, 3, 27), time(14), ZONE) == datetime(2027, 3, 27, 13, tzinfo=UTC)


def test_local_to_utc_across_the_autumn_dst_change() -> None:
    # 31 October 2027: clocks go back from 03:00 to 02:00; 02:30 happens twice (first one wins).
    assert local_to_utc(date(2027, 10, 31), time(2, 30), ZONE) == datetime(
        2027, 10, 31, 0, 30, tzinfo=UTC
    )
    assert local_to_utc(date(2027, 10, 31), time(14), ZONE) == datetime(
        2027, 10, 31, 13, tzinfo=UTC
    )
    assert local_to_utc(date(2027, 10, 30), time(14), ZONE) == datetime(
        2027, 10, 30, 12, tzinfo=UTC
    )


def test_utc_instants_are_aware_and_round_trip_to_local_wall_time() -> None:
    instant = local_to_utc(date(2027, 7, 1), time(9, 15), ZONE)
    assert instant.tzinfo is UTC
    local = to_local(instant, ZONE)
    assert (local.date(), local.time()) == (date(2027, 7, 1), time(9, 15))


def test_municipal_formats() -> None:
    assert format_date(date(2025, 3, 4)) == "04-03-2025"
    assert format_time(time(15, 0)) == "15.00"
    assert format_time(time(9, 5)) == "09.05"


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(9999, 12, 31)))
def test_parse_date_accepts_format_date_output(day: date) -> None:
    assert parse_date(format_date(day), TODAY) == day


@given(st.times())
def test_parse_time_accepts_format_time_output(at: time) -> None:
    assert parse_time(format_time(at)) == at.replace(second=0, microsecond=0)
