"""Printed names matched to the roster: titles, parties, initials, spacing, suppleanter."""

from __future__ import annotations

import pytest

from agendas.model import Role
from agendas.roster_match import PrintedName, RosterName, match_name, parse_printed, same_person

ROSTER = [
    RosterName(1, "Britt Jensen", "A"),
    RosterName(2, "Brian Møller", "A"),
    RosterName(3, "Per Vinther", "V"),
    RosterName(4, "Anne Marie Lund", "Ø"),
    RosterName(5, "Hans-Henrik Æbelø", "C"),
    RosterName(6, "Bo Jensen", "F"),
    RosterName(7, "Søren Ågård", ""),
    RosterName(8, "Mads Medlem", "A"),
]


@pytest.mark.parametrize(
    ("printed", "expected"),
    [
        ("Britt Jensen", 1),
        ("britt   jensen", 1),
        ("  Britt Jensen (A) ", 1),
        ("Formand Britt Jensen (A)", 1),
        ("Britt Jensen (A), formand", 1),
        ("Britt Jensen, Formand (A)", 1),
        ("Udvalgsformand Britt Jensen", 1),
        ("JENSEN, Britt", 1),
        ("B. Jensen", None),  # Britt or Bo: a guess would put a vote on the wrong one
        ("B Jensen (A)", 1),  # the party tells them apart
        ("Næstformand Per Vinther (V)", 3),
        ("Per Vinther (V) - næstformand", 3),
        ("P. Vinther", 3),
        ("Anne Lund (Ø)", 4),
        ("A. M. Lund", 4),
        ("Anne M. Lund", 4),
        ("Hans-Henrik Æbelø", 5),
        ("Hans Henrik Aebeloe", 5),
        ("H. Æbelø (C)", 5),
        ("Soeren Aagaard", 7),
        ("Søren Ågård (Ø)", 7),  # no party on the roster: a printed one does not rule out
        ("Brian Møller (A)", 2),
        ("Brian Moller", None),  # "o" is not "ø"
        ("Britt Jensen (V)", None),  # another party: not Britt
        ("Jensen", None),  # a surname alone is two members
        ("B. Jensen (F)", 6),  # ... unless the party tells them apart
        ("Bo Jensen", 6),
        ("Næstformand", None),
        ("Hanne Hansen (A)", None),
        ("Mads Medlem (A)", 8),  # a surname that is a title word
        ("Formand Mads Medlem", 8),
        ("", None),
    ],
)
def test_a_printed_name_finds_its_member(printed: str, expected: int | None) -> None:
    assert match_name(printed, ROSTER).person_id == expected


@pytest.mark.parametrize(
    ("printed", "parsed"),
    [
        ("Formand Britt Jensen (A)", PrintedName("Britt Jensen", "A", Role.FORMAND)),
        ("Britt Jensen (a), formand", PrintedName("Britt Jensen", "A", Role.FORMAND)),
        ("Næstformand Per Vinther (V)", PrintedName("Per Vinther", "V", Role.NAESTFORMAND)),
        ("Medlem Bo Jensen (F)", PrintedName("Bo Jensen", "F")),
        ("Næstformand", PrintedName("", "", Role.NAESTFORMAND)),
        (
            "Suppleant for Brian Møller (A)",
            PrintedName("", "A", None, substitute=True, substitute_for="Brian Møller"),
        ),
        (
            "Suppleant for Brian Møller (A): Hans Hansen (A)",
            PrintedName("Hans Hansen", "A", None, substitute=True, substitute_for="Brian Møller"),
        ),
        (
            "Stedfortræder for Hans-Henrik Æbelø (C)",
            PrintedName("", "C", None, substitute=True, substitute_for="Hans-Henrik Æbelø"),
        ),
        (
            "Lise Holm (V), stedfortræder for Per Vinther (V)",
            PrintedName("Lise Holm", "V", None, substitute=True, substitute_for="Per Vinther"),
        ),
        (
            "Lise Holm (V) som suppleant for Per Vinther",
            PrintedName("Lise Holm", "V", None, substitute=True, substitute_for="Per Vinther"),
        ),
        (
            "Lise Holm (V) (suppleant for Per Vinther (V))",
            PrintedName("Lise Holm", "V", None, substitute=True, substitute_for="Per Vinther"),
        ),
        ("Lise Holm (V), suppleant", PrintedName("Lise Holm", "V", None, substitute=True)),
    ],
)
def test_a_printed_name_is_taken_apart(printed: str, parsed: PrintedName) -> None:
    assert parse_printed(printed) == parsed


def test_a_suppleant_names_whom_they_stand_in_for() -> None:
    match = match_name("Suppleant for Brian Møller (A)", ROSTER)
    assert match.person_id is None  # the suppleant's own name is not printed
    assert match_name(match.printed.substitute_for, ROSTER).person_id == 2
    match = match_name("Per Vinther, suppleant for Brian Møller (A)", ROSTER)
    assert (match.person_id, match.printed.substitute_for) == (3, "Brian Møller")


def test_a_party_read_beside_the_name_is_used() -> None:
    assert match_name("B. Jensen", ROSTER, party="f").person_id == 6
    assert match_name("Britt Jensen", ROSTER, party="V").person_id is None


def test_same_person_ignores_case_spacing_and_danish_letters() -> None:
    assert same_person("Søren  Ågård", "soeren aagaard")
    assert not same_person("Britt Jensen", "Bo Jensen")
    assert not same_person("", "")
