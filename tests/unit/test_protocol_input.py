"""What the secretary types in meeting mode: votes in both styles, "sag 3-5", the end time; and
what a member says before the meeting: "kommer fra punkt 3", "går efter punkt 5"."""

from __future__ import annotations

from datetime import time

import pytest

from agendas.errors import InvalidInput
from agendas.protocol import SagRange
from agendas.protocol_input import (
    ShorthandSide,
    parse_end_time,
    parse_member_ranges,
    parse_ranges,
    parse_shorthand,
)
from agendas.records import Ballot

FOR, IMOD, UNDLADER = Ballot.FOR, Ballot.IMOD, Ballot.UNDLADER


@pytest.mark.parametrize(
    ("text", "sides"),
    [
        (
            "for A V F; imod Ø",
            {FOR: ShorthandSide(None, ("A", "V", "F")), IMOD: ShorthandSide(None, ("Ø",))},
        ),
        (
            "3 for (A, V, F), 1 imod",
            {FOR: ShorthandSide(3, ("A", "V", "F")), IMOD: ShorthandSide(1)},
        ),
        (
            "5 stemmer for (A, V), 1 undlod at stemme (C)",
            {FOR: ShorthandSide(5, ("A", "V")), UNDLADER: ShorthandSide(1, ("C",))},
        ),
        (
            "for a sf; undlader 2",
            {FOR: ShorthandSide(None, ("A", "SF")), UNDLADER: ShorthandSide(2)},
        ),
        ("ingen", None),
    ],
)
def test_votes_are_read_as_written_in_both_styles(
    text: str, sides: dict[Ballot, ShorthandSide] | None
) -> None:
    """What was typed, per side; ``agendas.votes.expand`` turns the letters into members."""
    assert parse_shorthand(text) == sides


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("A V F", "err-votes-word"),
        ("for A; for V", "err-votes-twice"),
        ("1 for (A, V)", "err-votes-count"),
        ("for Venstre", "err-votes-word"),
        ("3", "err-votes-format"),
        ("for <b>", "err-votes-format"),
        ("", "err-votes-format"),
        ("for A; imod", "err-votes-format"),
    ],
)
def test_malformed_votes_say_why(text: str, key: str) -> None:
    with pytest.raises(InvalidInput) as info:
        parse_shorthand(text)
    assert info.value.key == key


def test_ranges_and_end_times_are_parsed_and_checked() -> None:
    assert parse_ranges("sag 3-5", 8) == (SagRange(3, 5),)
    assert parse_ranges("punkt 7, 2 - 3 og 5", 8) == (
        SagRange(2, 3),
        SagRange(5, 5),
        SagRange(7, 7),
    )
    assert parse_ranges("ingen", 8) == ()
    for bad, key in (("sag 5-3", "err-ranges-format"), ("sag x", "err-ranges-format")):
        with pytest.raises(InvalidInput) as info:
            parse_ranges(bad, 8)
        assert info.value.key == key
    with pytest.raises(InvalidInput) as info:
        parse_ranges("sag 9", 8)
    assert info.value.key == "err-ranges-number"
    assert parse_end_time("kl. 15:10") == time(15, 10)
    assert parse_end_time("15.10") == time(15, 10)
    with pytest.raises(InvalidInput) as info:
        parse_end_time("kvart over tre")
    assert info.value.key == "err-end-time-format"


@pytest.mark.parametrize(
    ("text", "ranges"),
    [
        ("kommer fra punkt 3", ((1, 2),)),
        ("Går efter punkt 5", ((6, 6),)),
        ("går før punkt 4", ((4, 6),)),
        ("kommer fra pkt. 3 og går efter punkt 5", ((1, 2), (6, 6))),
        ("kommer til punkt 2, gaar efter 4", ((1, 1), (5, 6))),
        ("kommer fra punkt 1", ()),
        ("går efter punkt 6", ()),
        ("sag 3-5", ((3, 5),)),
        ("ingen", ()),
    ],
)
def test_a_member_says_when_they_come_and_go(
    text: str, ranges: tuple[tuple[int, int], ...]
) -> None:
    assert parse_member_ranges(text, 6) == tuple(SagRange(a, b) for a, b in ranges)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("kommer fra punkt 9", "err-ranges-number"),
        ("går efter punkt 0", "err-ranges-number"),
        ("går efter punkt 2 og kommer fra punkt 4", "err-members-ranges-order"),
        ("går før punkt 1", "err-members-ranges-order"),
        ("om lidt", "err-members-ranges-format"),
        ("sag 7", "err-ranges-number"),
    ],
)
def test_what_a_member_says_wrongly_is_refused(text: str, key: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_member_ranges(text, 6)
    assert refused.value.key == key
