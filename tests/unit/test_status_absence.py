"""Reading "Ferie til 3/8": the forms a tovholder types, and the refusals (a date in the past,
a date that does not exist, an end before its start, a year away)."""

from __future__ import annotations

from datetime import date

import pytest

from agendas.errors import InvalidInput
from agendas.status.absence import is_back, looks_like_absence, parse_absence

TODAY = date(2026, 7, 20)


@pytest.mark.parametrize(
    ("text", "since", "until"),
    [
        ("Ferie til 3/8", TODAY, date(2026, 8, 3)),
        ("ferie til 3/8.", TODAY, date(2026, 8, 3)),
        ("Jeg er på ferie til og med 3. august", TODAY, date(2026, 8, 3)),
        ("Ferie fra 1/8 til 14/8", date(2026, 8, 1), date(2026, 8, 14)),
        ("Fravær til 03-06-2027", TODAY, date(2027, 6, 3)),
        ("Orlov indtil 2026-09-01", TODAY, date(2026, 9, 1)),
        ("Ferie til 20/7", TODAY, TODAY),  # today is the last day
    ],
)
def test_the_forms_a_tovholder_types(text: str, since: date, until: date) -> None:
    assert looks_like_absence(text)
    said = parse_absence(text, TODAY)
    assert (said.since, said.until) == (since, until)


def test_a_date_without_a_year_in_december_means_next_january() -> None:
    said = parse_absence("Ferie til 3/1", date(2026, 12, 20))
    assert said.until == date(2027, 1, 3)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Ferie til 3/7", "err-absence-past"),
        ("Ferie til 01-07-2026", "err-absence-past"),
        ("Ferie til 31/2", "err-absence-date"),
        ("Ferie til forleden", "err-absence-date"),
        ("Ferie fra 14/8 til 1/8", "err-absence-order"),
        ("Ferie til 3/8 2028", "err-absence-too-long"),
    ],
)
def test_bad_dates_are_refused(text: str, key: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_absence(text, TODAY)
    assert caught.value.key == key


def test_plain_text_is_no_absence_and_ferie_alone_asks_for_a_date() -> None:
    assert not looks_like_absence("Fællesspisningen går fint")
    assert not looks_like_absence("Vi holder ferielukket i juli")
    assert parse_absence("Ferie", TODAY).until is None
    assert is_back("Ferie slut") and is_back("jeg er tilbage") and not is_back("Ferie til 3/8")
