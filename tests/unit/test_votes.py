"""Votes by the rules (``agendas.votes``): who may vote, the shorthand per member, the count,
beslutningsdygtighed and who may have an afvigende mening recorded."""

from __future__ import annotations

from collections.abc import Collection

import pytest

from agendas.errors import InvalidInput
from agendas.protocol import AttendanceStatus, PunktRecord, QuorumNote, SagRange, Votes
from agendas.records import Ballot
from agendas.votes import (
    MemberAt,
    Reason,
    Result,
    check_dissent,
    dissenters,
    expand,
    punkt_voting,
    result,
    suggested_beslutning,
    tally,
)

FOR, IMOD, UNDLADER = Ballot.FOR, Ballot.IMOD, Ballot.UNDLADER
TIL_STEDE, AFBUD = AttendanceStatus.TIL_STEDE, AttendanceStatus.AFBUD

#: A committee of seven: two A, one V, one F, one Ø, one C, one O; and a stedfortræder.
LENE = MemberAt(1, "Lene Holm", "A")
ANDERS = MemberAt(2, "Anders Bo", "A")
PER = MemberAt(3, "Per Vinther", "V")
FIE = MemberAt(4, "Fie Dam", "F")
ANNE = MemberAt(5, "Anne Lund", "Ø")
CARL = MemberAt(6, "Carl Berg", "C")
OLE = MemberAt(7, "Ole Kragh", "O")
COMMITTEE = (LENE, ANDERS, PER, FIE, ANNE, CARL, OLE)


def away(member: MemberAt, status: AttendanceStatus = AFBUD) -> MemberAt:
    return MemberAt(member.person_id, member.name, member.party, status)


def expanded(
    text: str, members: tuple[MemberAt, ...] = COMMITTEE, inhabile: Collection[int] = ()
) -> dict[int, Ballot]:
    return expand(text, punkt_voting(members, 3, inhabile))


def refusal(
    text: str, members: tuple[MemberAt, ...] = COMMITTEE, inhabile: Collection[int] = ()
) -> InvalidInput:
    with pytest.raises(InvalidInput) as info:
        expanded(text, members, inhabile)
    return info.value


def test_a_party_letter_stands_for_each_of_its_members_present() -> None:
    ballots = expanded("for A V; imod Ø")
    assert ballots == {1: FOR, 2: FOR, 3: FOR, 4: UNDLADER, 5: IMOD, 6: UNDLADER, 7: UNDLADER}
    votes = tally(ballots, punkt_voting(COMMITTEE, 3, ()).party_of)
    assert votes == Votes(3, ("A", "V"), 1, ("Ø",), 3, ("C", "F", "O"))
    assert PunktRecord("Anbefales", votes).decision_text() == (
        "Anbefales med 3 stemmer for (A, V) og 1 stemme imod (Ø). C, F og O undlod at stemme."
    )


def test_counts_are_accepted_when_they_match_the_members() -> None:
    members = (LENE, ANDERS, PER, ANNE)
    assert expanded("3 for (A, V), 1 imod", members) == {1: FOR, 2: FOR, 3: FOR, 5: IMOD}
    wrong = refusal("2 for (A, V), 1 imod (Ø)", members)
    assert (wrong.key, wrong.params["members"]) == ("err-votes-count-members-other", 3)
    one = refusal("3 for (A, V), 2 imod (Ø)", members)  # Ø has one member: "1 medlem"
    assert (one.key, one.params["members"]) == ("err-votes-count-members-one", 1)
    assert refusal("3 for, 1 imod", members).key == "err-votes-need-parties"
    assert expanded("ingen", members) == {}


def test_unknown_and_absent_parties_are_refused_with_who_and_why() -> None:
    unknown = refusal("for A; imod X")
    assert unknown.key == "err-votes-party-unknown"
    assert unknown.params == {"party": "X", "parties": "A, C, F, O, V, Ø"}
    members = (LENE, ANDERS, away(PER), ANNE)
    absent = refusal("for A V; imod Ø", members)
    assert absent.key == "err-votes-party-absent"
    assert absent.params == {"party": "V", "who": "Per Vinther (V): afbud"}
    assert refusal("for A; imod A").key == "err-votes-party-both"


def test_inhabil_and_away_members_cannot_vote() -> None:
    lene_left = MemberAt(1, "Lene Holm", "A", TIL_STEDE, absent_for=(SagRange(3, 5),))
    voting = punkt_voting((lene_left, ANDERS, PER, ANNE), 3, inhabile={3})
    assert [v.name for v in voting.voters] == ["Anders Bo", "Anne Lund"]
    assert [(e.name, e.reason) for e in voting.excluded] == [
        ("Lene Holm", Reason.AWAY),
        ("Per Vinther", Reason.INHABIL),
    ]
    with pytest.raises(InvalidInput) as info:
        voting.require_voter(3)
    assert info.value.params == {"name": "Per Vinther (V)", "reason": "inhabil"}
    # "for A" is the A member still there; V has nobody who may vote.
    assert expand("for A; imod Ø", voting) == {2: FOR, 5: IMOD}
    assert refusal("for V", (lene_left, ANDERS, PER, ANNE), {3}).params["who"] == (
        "Per Vinther (V): inhabil"
    )


def test_a_stedfortraeder_votes_in_the_members_place() -> None:
    sub = MemberAt(
        8, "Sara Stedfortræder", "", AttendanceStatus.STEDFORTRAEDER, True, substitute_for=3
    )
    idle = MemberAt(9, "Ib Stedfortræder", "V", None, substitute_only=True)
    voting = punkt_voting((LENE, away(PER), ANNE, sub, idle), 3, ())
    assert [(v.name, v.party) for v in voting.voters] == [
        ("Lene Holm", "A"),
        ("Anne Lund", "Ø"),
        ("Sara Stedfortræder", "V"),  # the letter of the member she replaces
    ]
    assert (voting.present, voting.seats) == (3, 3)  # her seat is Per's
    assert expand("for A V; imod Ø", voting) == {1: FOR, 5: IMOD, 8: FOR}


def test_a_majority_of_the_votes_cast_decides_and_a_tie_is_not_adopted() -> None:
    tie = Votes(1, ("A",), 1, ("Ø",))
    assert result(tie) is Result.TIE
    assert result(Votes(2, (), 1, (), 2, ())) is Result.ADOPTED  # abstentions do not count
    assert result(Votes(0, (), 0, (), 3, ())) is Result.REJECTED
    assert suggested_beslutning("", tie) == "Indstillingen faldt ved stemmelighed"
    assert suggested_beslutning("Godkendt", tie) == "Indstillingen faldt ved stemmelighed"
    assert suggested_beslutning("Udsat", tie) is None
    assert suggested_beslutning("Indstillingen faldt", Votes(3, (), 1, ())) == "Godkendt"
    assert suggested_beslutning("Anbefales", Votes(3, (), 1, ())) is None
    record = PunktRecord("Indstillingen faldt ved stemmelighed", tie)
    assert record.decision_text() == (
        "Indstillingen faldt ved stemmelighed med 1 stemme for (A) og 1 stemme imod (Ø)."
    )


def test_beslutningsdygtig_with_at_least_half_of_the_seats() -> None:
    five_away = (LENE, ANDERS, *(away(m) for m in (PER, FIE, ANNE, CARL, OLE)))
    voting = punkt_voting(five_away, 3, ())
    assert (voting.present, voting.seats, voting.beslutningsdygtig) == (2, 7, False)
    assert voting.quorum_note() == QuorumNote(2, 7)
    half = punkt_voting((LENE, away(PER)), 3, ())
    assert half.beslutningsdygtig and half.quorum_note() is None
    # An inhabil member takes no part in the punkt.
    assert not punkt_voting((LENE, away(PER), ANNE), 3, {5}).beslutningsdygtig


def test_an_afvigende_mening_belongs_to_the_minority() -> None:
    ballots = {1: FOR, 2: FOR, 5: IMOD, 6: UNDLADER}
    adopted = Votes(2, ("A",), 1, ("Ø",), 1, ("C",))
    assert dissenters(ballots, adopted) == [5]
    check_dissent(ballots, adopted, 5, "Anne Lund")
    for person_id, key in ((1, "err-remark-majority"), (6, "err-remark-not-voted")):
        with pytest.raises(InvalidInput) as info:
            check_dissent(ballots, adopted, person_id, "X")
        assert info.value.key == key
    # A tie falls: those who voted for it are the minority.
    assert dissenters({1: FOR, 5: IMOD}, Votes(1, ("A",), 1, ("Ø",))) == [1]
    with pytest.raises(InvalidInput) as counts_only:
        check_dissent({}, Votes(3, (), 1, ()), 5, "Anne Lund")
    assert counts_only.value.key == "err-remark-no-vote"
