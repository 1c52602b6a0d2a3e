"""Decisions per punkt during the meeting: a standard phrase or free text, votes per member
(by the rules in ``agendas.votes``), inhabil, afvigende mening, the public text of a closed
punkt; and the end time that closes the meeting."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, time

from agendas.dates import format_time, local_to_utc
from agendas.errors import InvalidInput
from agendas.meeting.loading import changed, meeting_view, member_line
from agendas.model import Actor, Moede, Punkt
from agendas.ports import UnitOfWork
from agendas.protocol_input import (
    MAX_BESLUTNING,
    MAX_REMARK,
    NONE_WORDS,
    clean_text,
    parse_end_time,
)
from agendas.records import Ballot, DecisionRecord, StoredRemark
from agendas.services.common import load_moede, load_punkt, require_editor
from agendas.votes import PunktVoting, check_ballots, check_dissent, expand, result, tally


@dataclass(frozen=True, slots=True)
class BallotBoard:
    """Votes not yet stored: who may vote on the punkt and each one's ballot."""

    voting: PunktVoting
    ballots: dict[int, Ballot]


async def _decide(
    uow: UnitOfWork,
    actor: Actor,
    punkt_id: int,
    expected_rev: int | None,
    now: datetime,
    action: str,
    change: Callable[[DecisionRecord, Punkt, Moede], Awaitable[dict[str, object]]],
) -> int:
    async with uow:
        punkt, moede = await load_punkt(uow, punkt_id)
        require_editor(actor, moede.udvalg_id)
        record = await uow.decisions.get(punkt_id) or DecisionRecord(punkt_id=punkt_id)
        details = await change(record, punkt, moede)
        record.updated_at, record.updated_by = now, actor.person_id
        await uow.decisions.put(record)
        rev = await changed(
            uow, actor, moede, expected_rev, now, action, punkt_id=punkt_id, **details
        )
        await uow.commit()
    return rev


async def set_beslutning(
    uow: UnitOfWork, actor: Actor, punkt_id: int, text: str, expected_rev: int | None, now: datetime
) -> int:
    """A standard phrase or free text (at most ``MAX_BESLUTNING`` characters)."""
    value = clean_text(text, MAX_BESLUTNING, "err-beslutning-empty", "err-beslutning-too-long")

    async def change(record: DecisionRecord, punkt: Punkt, moede: Moede) -> dict[str, object]:
        record.beslutning = value
        voting = (await meeting_view(uow, moede)).voting(punkt_id)
        return {"beslutning": value, **_quorum(voting)}

    return await _decide(uow, actor, punkt_id, expected_rev, now, "punkt.beslutning", change)


def _quorum(voting: PunktVoting) -> dict[str, object]:
    """What the audit event records about beslutningsdygtighed at the punkt."""
    return {
        "beslutningsdygtig": voting.beslutningsdygtig,
        "present": voting.present,
        "seats": voting.seats,
    }


async def preview_votes(uow: UnitOfWork, actor: Actor, punkt_id: int, text: str) -> BallotBoard:
    """The typed votes expanded to the members who may vote (nothing stored): for the
    secretary to confirm before ``set_ballots``."""
    async with uow:
        _punkt, moede = await load_punkt(uow, punkt_id)
        require_editor(actor, moede.udvalg_id)
        view = await meeting_view(uow, moede)
    voting = view.voting(punkt_id)
    return BallotBoard(voting, expand(text, voting))


async def set_ballots(
    uow: UnitOfWork,
    actor: Actor,
    punkt_id: int,
    ballots: Mapping[int, Ballot],
    expected_rev: int | None,
    now: datetime,
) -> int:
    """Store the votes per member (every one of them may vote on the punkt) with the counts
    derived from them; the audit event carries whether the udvalg was beslutningsdygtig."""

    async def change(record: DecisionRecord, punkt: Punkt, moede: Moede) -> dict[str, object]:
        voting = (await meeting_view(uow, moede)).voting(punkt_id)
        check_ballots(ballots, voting)
        record.ballots = dict(ballots)
        record.votes = tally(record.ballots, voting.party_of)
        votes = record.votes
        return {
            "for": votes.for_count,
            "imod": votes.imod_count,
            "undlader": votes.undlader_count,
            "result": result(votes).value if ballots else None,
            "ballots": {str(p): b.value for p, b in record.ballots.items()},
            **_quorum(voting),
        }

    return await _decide(uow, actor, punkt_id, expected_rev, now, "punkt.votes", change)


async def set_votes(
    uow: UnitOfWork, actor: Actor, punkt_id: int, text: str, expected_rev: int | None, now: datetime
) -> int:
    """The party shorthand ("for A V; imod Ø") expanded to the members and stored at once
    (chat shows the expansion for confirmation first: ``preview_votes``)."""
    board = await preview_votes(uow, actor, punkt_id, text)
    return await set_ballots(uow, actor, punkt_id, board.ballots, expected_rev, now)


async def toggle_inhabil(
    uow: UnitOfWork,
    actor: Actor,
    punkt_id: int,
    person_id: int,
    expected_rev: int | None,
    now: datetime,
) -> int:
    """Mark a member inhabil for this punkt, or take the mark away again."""

    async def change(record: DecisionRecord, punkt: Punkt, moede: Moede) -> dict[str, object]:
        await member_line(uow, moede, person_id)
        if person_id in record.inhabile:
            record.inhabile.remove(person_id)
            return {"person_id": person_id, "inhabil": False}
        return await _mark_inhabil(uow, record, moede, person_id)

    return await _decide(uow, actor, punkt_id, expected_rev, now, "punkt.inhabil", change)


async def _mark_inhabil(
    uow: UnitOfWork, record: DecisionRecord, moede: Moede, person_id: int
) -> dict[str, object]:
    details: dict[str, object] = {"person_id": person_id, "inhabil": True}
    if person_id not in record.inhabile:
        record.inhabile.append(person_id)
    if record.ballots.pop(person_id, None) is not None:
        # An inhabil member takes no part in the punkt: their vote goes, the count follows.
        voting = (await meeting_view(uow, moede)).voting(record.punkt_id)
        record.votes = tally(record.ballots, voting.party_of)
        details["ballot_removed"] = True
    return details


async def confirm_inhabil(
    uow: UnitOfWork,
    actor: Actor,
    punkt_id: int,
    person_id: int,
    expected_rev: int | None,
    now: datetime,
) -> int:
    """The secretary confirms the inhabilitet a member declared before the meeting
    (``agendas.meeting.member_notices``): the member is marked inhabil in the punkt, so the
    protocol carries the usual wording. Only a declared one; a second tap changes nothing."""

    async def change(record: DecisionRecord, punkt: Punkt, moede: Moede) -> dict[str, object]:
        declared = {d.person_id: d for d in await uow.declarations.for_punkter([punkt_id])}
        if person_id not in declared:
            raise InvalidInput("err-inhabil-not-declared")
        line = await member_line(uow, moede, person_id)
        if person_id in record.inhabile:
            raise InvalidInput("err-inhabil-confirmed-already", name=line.person.name)
        details = await _mark_inhabil(uow, record, moede, person_id)
        return {**details, "declared": True, "reason": declared[person_id].reason}

    return await _decide(uow, actor, punkt_id, expected_rev, now, "punkt.inhabil", change)


async def set_remark(
    uow: UnitOfWork,
    actor: Actor,
    punkt_id: int,
    person_id: int,
    text: str,
    expected_rev: int | None,
    now: datetime,
) -> int:
    """A member's afvigende mening (kommunestyrelsesloven § 13, stk. 2): only from a member who
    voted on the punkt and was in the minority; a second one from the same member replaces the
    first; ``slet`` removes it (also one recorded before the rule)."""
    remove = text.strip().lower() in NONE_WORDS
    value = (
        "" if remove else clean_text(text, MAX_REMARK, "err-remark-empty", "err-remark-too-long")
    )

    async def change(record: DecisionRecord, punkt: Punkt, moede: Moede) -> dict[str, object]:
        line = await member_line(uow, moede, person_id)
        if value:  # § 13, stk. 2: only a member in the minority of the vote
            check_dissent(record.ballots, record.votes, person_id, line.person.name)
        record.remarks = [r for r in record.remarks if r.person_id != person_id]
        if value:
            record.remarks.append(StoredRemark(person_id=person_id, text=value))
        return {"person_id": person_id, "removed": remove}

    return await _decide(uow, actor, punkt_id, expected_rev, now, "punkt.remark", change)


async def set_public_beslutning(
    uow: UnitOfWork, actor: Actor, punkt_id: int, text: str, expected_rev: int | None, now: datetime
) -> int:
    """What the public protocol shows for a closed punkt."""
    value = clean_text(text, MAX_BESLUTNING, "err-beslutning-empty", "err-beslutning-too-long")

    async def change(record: DecisionRecord, punkt: Punkt, moede: Moede) -> dict[str, object]:
        if not punkt.closed:
            raise InvalidInput("err-public-not-closed")
        record.public_beslutning = value
        return {"public": True}

    return await _decide(uow, actor, punkt_id, expected_rev, now, "punkt.public_beslutning", change)


async def set_end_time(
    uow: UnitOfWork,
    actor: Actor,
    moede_id: int,
    text: str,
    zone: str,
    expected_rev: int | None,
    now: datetime,
) -> time:
    """ "Mødet afsluttet kl. 15.10": a local time after the start, stored as ``ended_at``."""
    at = parse_end_time(text)
    async with uow:
        moede = await load_moede(uow, moede_id)
        require_editor(actor, moede.udvalg_id)
        if moede.start_time is not None and at <= moede.start_time:
            raise InvalidInput("err-end-before-start", start=format_time(moede.start_time))
        moede.ended_at = local_to_utc(moede.date, at, zone)
        await uow.moeder.update(moede)
        await changed(
            uow, actor, moede, expected_rev, now, "moede.end", end=at.isoformat("minutes")
        )
        await uow.commit()
    return at
