"""Votes by the rules of kommunestyrelsesloven: who may vote on a punkt, the party shorthand
expanded to those members, the count, whether the committee was beslutningsdygtig, and who may
have an afvigende mening recorded.

The rules (lov om kommunernes styrelse, LBK nr. 47 af 15/01/2019 and later consolidations):

- § 11, stk. 2 (kommunalbestyrelsen) and § 20, stk. 2 (udvalg): beslutningsdygtig when at
  least half of the members are present. A stedfortræder fills the seat of the member replaced;
  a member who does not take part in the punkt (left early, arrived late, inhabil: "deltog ikke
  i behandlingen af punktet") is not present for it.
- § 11, stk. 3: decisions by stemmeflertal. The ministry reads it the same way for udvalg: a
  proposal is adopted when more of the votes cast are for it than against it; those who abstain
  (undlader at stemme) do not count, so 2 for, 1 imod and 2 undlader is adopted, and a tie is
  not (Økonomi- og Indenrigsministeriet, telefonnotat 25. maj 2018, resumé 18.1.2).
- § 13, stk. 1: the decisions go in the beslutningsprotokol; stk. 2: a member who took part may
  have their afvigende mening briefly recorded there. The ministry reads it as the right of a
  member who took part in a vote and was in the minority (Indenrigs- og Sundhedsministeriet,
  23. april 2007, resumé 07.1.1).
- An inhabil member takes no part in the punkt; a member absent for the punkt cannot vote; a
  stedfortræder called in for the udvalg (§ 28, stk. 2-3) votes in the member's place.

Pure: no I/O; ``agendas.meeting_view.MeetingView.voting`` feeds it the members, the services of
``agendas.meeting.decisions`` store what it returns.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from agendas.errors import InvalidInput
from agendas.protocol import AttendanceStatus, MemberRef, QuorumNote, SagRange, Votes
from agendas.protocol_input import ShorthandSide, parse_shorthand
from agendas.records import PRESENT, Ballot

#: The order party letters are printed in ("for (A, V, Ø)").
_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZÆØÅ"


def party_key(letter: str) -> tuple[int, ...]:
    return tuple(_ALPHABET.index(c) if c in _ALPHABET else 100 + ord(c) for c in letter.upper())


class Reason(enum.StrEnum):
    """Why a member cannot vote on a punkt (Danish domain terms, shown as they are)."""

    AFBUD = "afbud"
    FRAVAERENDE = "fraværende"
    AWAY = "deltog ikke i punktet"
    INHABIL = "inhabil"
    REPLACED = "medlemmet selv deltager"


@dataclass(frozen=True, slots=True)
class MemberAt:
    """One line of the udvalg's members as the rules need it."""

    person_id: int
    name: str
    party: str = ""
    status: AttendanceStatus | None = AttendanceStatus.TIL_STEDE
    #: Only a stedfortræder (no seat of their own).
    substitute_only: bool = False
    #: The member (person id) a stedfortræder replaces.
    substitute_for: int | None = None
    absent_for: tuple[SagRange, ...] = ()


@dataclass(frozen=True, slots=True)
class Voter:
    """A member who may vote on the punkt; ``party`` is a stedfortræder's own letter, else the
    letter of the member replaced."""

    person_id: int
    name: str
    party: str

    def ref(self) -> MemberRef:
        return MemberRef(self.name, self.party)


@dataclass(frozen=True, slots=True)
class Excluded:
    """A member of the udvalg (or an attending stedfortræder) who cannot vote, and why."""

    person_id: int
    name: str
    party: str
    reason: Reason

    def ref(self) -> MemberRef:
        return MemberRef(self.name, self.party)

    def describe(self) -> str:
        return f"{self.ref().label()}: {self.reason.value}"


@dataclass(frozen=True, slots=True)
class PunktVoting:
    """Who may vote on punkt ``number`` and whether the committee is beslutningsdygtig."""

    number: int
    voters: tuple[Voter, ...]
    excluded: tuple[Excluded, ...]
    #: The udvalg's seats (its members; stedfortrædere have none of their own).
    seats: int
    #: Seats filled at this punkt (by the member or their stedfortræder).
    present: int
    #: The party letters of the udvalg (members and stedfortrædere).
    parties: frozenset[str]
    #: Everyone's party as a vote counts it (a stedfortræder without one: the member's).
    party_of: Mapping[int, str]

    @property
    def beslutningsdygtig(self) -> bool:
        """At least half of the seats are filled (§ 20, stk. 2); an udvalg with no members
        recorded is not judged."""
        return self.seats == 0 or 2 * self.present >= self.seats

    def quorum_note(self) -> QuorumNote | None:
        return None if self.beslutningsdygtig else QuorumNote(self.present, self.seats)

    def voter(self, person_id: int) -> Voter | None:
        return next((v for v in self.voters if v.person_id == person_id), None)

    def require_voter(self, person_id: int) -> Voter:
        """The member if they may vote; otherwise a short reason (absent, inhabil …)."""
        voter = self.voter(person_id)
        if voter is not None:
            return voter
        excluded = next((e for e in self.excluded if e.person_id == person_id), None)
        if excluded is None:
            raise InvalidInput("err-votes-not-member")
        raise InvalidInput(
            "err-votes-cannot-vote", name=excluded.ref().label(), reason=excluded.reason.value
        )


def _seat_of(member: MemberAt) -> int | None:
    if member.status is AttendanceStatus.STEDFORTRAEDER:
        return member.substitute_for
    return None if member.substitute_only else member.person_id


def punkt_voting(
    members: Sequence[MemberAt], number: int, inhabile: Collection[int]
) -> PunktVoting:
    """Who may vote on punkt ``number``: those present at it, not inhabil on it; a
    stedfortræder in the place of the member they replace (while that member takes no part)."""
    own_party = {m.person_id: m.party for m in members}
    seats = [m.person_id for m in members if not m.substitute_only]
    party_of: dict[int, str] = {}
    taking_part: list[MemberAt] = []
    excluded: list[Excluded] = []

    def exclude(member: MemberAt, reason: Reason) -> None:
        party = party_of[member.person_id]
        excluded.append(Excluded(member.person_id, member.name, party, reason))

    for m in members:
        seat = _seat_of(m)
        party_of[m.person_id] = m.party or own_party.get(seat or 0, "")
        if m.status not in PRESENT:
            if m.status is AttendanceStatus.AFBUD:
                exclude(m, Reason.AFBUD)
            elif m.status is AttendanceStatus.FRAVAERENDE:
                exclude(m, Reason.FRAVAERENDE)
        elif any(number in r for r in m.absent_for):
            exclude(m, Reason.AWAY)
        elif m.person_id in inhabile:
            exclude(m, Reason.INHABIL)
        else:
            taking_part.append(m)
    filled: set[int] = set()
    voters: list[Voter] = []
    own_seats = {m.person_id for m in taking_part if _seat_of(m) == m.person_id}
    for m in taking_part:
        seat = _seat_of(m)
        if seat is None or (seat != m.person_id and seat in own_seats) or seat in filled:
            exclude(m, Reason.REPLACED)
            continue
        filled.add(seat)
        voters.append(Voter(m.person_id, m.name, party_of[m.person_id]))
    return PunktVoting(
        number=number,
        voters=tuple(voters),
        excluded=tuple(excluded),
        seats=len(seats),
        present=len(filled & set(seats)),
        parties=frozenset(p for p in party_of.values() if p),
        party_of=party_of,
    )


# --- the count -------------------------------------------------------------------------------


def tally(ballots: Mapping[int, Ballot], party_of: Mapping[int, str]) -> Votes:
    """The counts and party letters per side (letters in the usual order, each once)."""

    def side(ballot: Ballot) -> tuple[int, tuple[str, ...]]:
        who = [p for p, b in ballots.items() if b is ballot]
        letters = {party_of.get(p, "") for p in who} - {""}
        return len(who), tuple(sorted(letters, key=party_key))

    return Votes(*side(Ballot.FOR), *side(Ballot.IMOD), *side(Ballot.UNDLADER))


class Result(enum.Enum):
    ADOPTED = "adopted"
    REJECTED = "rejected"
    TIE = "tie"


def result(votes: Votes) -> Result:
    """Stemmeflertal of the votes cast (§ 11, stk. 3): more for than imod; abstentions do not
    count; a tie is not adopted."""
    if votes.for_count > votes.imod_count:
        return Result.ADOPTED
    if votes.for_count == votes.imod_count and votes.for_count:
        return Result.TIE
    return Result.REJECTED


#: The decision text the bot suggests when none is written or the written one says otherwise.
SUGGESTED: dict[Result, str] = {
    Result.ADOPTED: "Godkendt",
    Result.REJECTED: "Indstillingen faldt",
    Result.TIE: "Indstillingen faldt ved stemmelighed",
}
_ADOPTING = ("godkendt", "anbefales", "indstilles godkendt", "vedtaget", "tiltrådt")
_REJECTING = ("indstillingen faldt", "faldt", "ikke vedtaget", "ikke godkendt", "forkastet")


def suggested_beslutning(beslutning: str, votes: Votes) -> str | None:
    """The decision text to suggest after a vote: when none is written, or the written one
    says adopted although the proposal fell (a tie included), or fell although it was adopted.
    None when the written text fits (or says neither, like "Udsat")."""
    if not votes:
        return None
    outcome = result(votes)
    text = beslutning.strip().lower()
    if not text:
        return SUGGESTED[outcome]
    rejecting = text.startswith(_REJECTING)
    adopting = text.startswith(_ADOPTING) and not rejecting
    if outcome is Result.ADOPTED and rejecting:
        return SUGGESTED[outcome]
    if outcome is not Result.ADOPTED and adopting:
        return SUGGESTED[outcome]
    return None


# --- the shorthand expanded to members ---------------------------------------------------------


def expand(text: str, voting: PunktVoting) -> dict[int, Ballot]:
    """``for A V; imod Ø`` -> a ballot for every member who may vote: a party letter stands for
    each of its members present at the punkt and not inhabil; a side written as a number only
    ("1 imod") takes the members not named; anyone left undlod at stemme. ``ingen`` -> {}.

    Refused (``InvalidInput``) with what to do: a letter not on the udvalg, a party with nobody
    who may vote (and why), a letter on both sides, counts that do not match the members.
    """
    sides = parse_shorthand(text)
    if sides is None:
        return {}
    if not voting.voters:
        raise InvalidInput("err-votes-nobody")
    ballots: dict[int, Ballot] = {}
    seen: dict[str, Ballot] = {}
    for ballot, side in sides.items():
        for letter in side.parties:
            if letter not in voting.parties:
                known = ", ".join(sorted(voting.parties, key=party_key)) or "—"
                raise InvalidInput("err-votes-party-unknown", party=letter, parties=known)
            if letter in seen:
                raise InvalidInput("err-votes-party-both", party=letter)
            seen[letter] = ballot
            members = [v for v in voting.voters if v.party == letter]
            if not members:
                away = [e.describe() for e in voting.excluded if e.party == letter]
                raise InvalidInput("err-votes-party-absent", party=letter, who="; ".join(away))
            for voter in members:
                ballots[voter.person_id] = ballot
    _assign_rest(sides, voting, ballots)
    _check_counts(sides, voting, ballots)
    return {v.person_id: ballots[v.person_id] for v in voting.voters}


def _assign_rest(
    sides: Mapping[Ballot, ShorthandSide], voting: PunktVoting, ballots: dict[int, Ballot]
) -> None:
    rest = [v for v in voting.voters if v.person_id not in ballots]
    numbered = [b for b, s in sides.items() if not s.parties and s.count]
    if len(numbered) > 1 and rest:
        raise InvalidInput("err-votes-need-parties")
    target = numbered[0] if numbered else Ballot.UNDLADER
    for voter in rest:
        ballots[voter.person_id] = target


def _check_counts(
    sides: Mapping[Ballot, ShorthandSide], voting: PunktVoting, ballots: Mapping[int, Ballot]
) -> None:
    for ballot, side in sides.items():
        if side.count is None:
            continue
        who = [v for v in voting.voters if ballots.get(v.person_id) is ballot]
        if len(who) != side.count:
            names = ", ".join(v.ref().label() for v in who) or "—"
            raise InvalidInput(
                "err-votes-count-members-one" if len(who) == 1 else "err-votes-count-members-other",
                side=ballot.value,
                count=side.count,
                members=len(who),
                names=names,
            )


def check_ballots(ballots: Mapping[int, Ballot], voting: PunktVoting) -> None:
    """Every ballot belongs to a member who may vote on the punkt (else why not)."""
    for person_id in ballots:
        voting.require_voter(person_id)


# --- afvigende mening (§ 13, stk. 2) -------------------------------------------------------------


def dissenters(ballots: Mapping[int, Ballot], votes: Votes) -> list[int]:
    """The members in the minority of the vote: imod a proposal adopted, for one that fell."""
    if not ballots:
        return []
    losing = Ballot.IMOD if result(votes) is Result.ADOPTED else Ballot.FOR
    return [p for p, b in ballots.items() if b is losing]


def check_dissent(ballots: Mapping[int, Ballot], votes: Votes, person_id: int, name: str) -> None:
    """An afvigende mening only from a member who voted on the punkt and was in the minority
    (§ 13, stk. 2); otherwise why not."""
    if not ballots:
        raise InvalidInput("err-remark-no-vote")
    ballot = ballots.get(person_id)
    if ballot not in (Ballot.FOR, Ballot.IMOD):
        raise InvalidInput("err-remark-not-voted", name=name)
    if person_id not in dissenters(ballots, votes):
        raise InvalidInput("err-remark-majority", name=name)
