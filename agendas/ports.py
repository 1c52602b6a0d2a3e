"""What the services need from storage: repositories and a unit of work, as protocols.

The storage package implements these with SQLModel; unit tests use in-memory fakes.
Repositories never commit: the service that owns the use case commits the unit of work.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from types import TracebackType
from typing import Protocol, Self

from agendas.members import InhabilDeclaration, Proposal, Question
from agendas.model import (
    AuditEvent,
    Bilag,
    Identity,
    Invite,
    Membership,
    Moede,
    Person,
    Punkt,
    Udvalg,
)
from agendas.outbox import DeliverySettings, OutboxMessage, Release
from agendas.records import Approval, AttendanceRecord, DecisionRecord, ProtokolState
from agendas.search import SearchHits, SearchQuery, SearchScope
from agendas.status.ports import (
    AbsenceRepository,
    IndsatsRepository,
    PlanRepository,
    StatusAnswerRepository,
    StatusRoundRepository,
)


@dataclass(slots=True)
class AgendaRead:
    """A meeting's agenda as the overview shows it: the punkter without their section texts
    (in stored order, not yet numbered) and the number of bilag of each."""

    moede: Moede
    udvalg: Udvalg
    punkter: list[Punkt]
    bilag_counts: dict[int, int]


@dataclass(slots=True)
class PunktRead:
    """One punkt in full with its meeting and udvalg, and how many bilag and questions it has
    (so a view fetches them only when there are any)."""

    punkt: Punkt
    moede: Moede
    udvalg: Udvalg
    bilag_count: int
    question_count: int


@dataclass(slots=True)
class AskedQuestion:
    """A question with the names a view prints: the asker (and their party when they are a
    member of the udvalg) and whoever answered."""

    question: Question
    asker: str
    asker_party: str
    answerer: str


class ChatViewRepository(Protocol):
    """Read-only views of the chat's busiest answers, each one statement returning exactly what
    is shown (no per-punkt or per-member queries)."""

    async def moeder_between(
        self, udvalg_ids: Sequence[int] | None, start: date, end: date
    ) -> list[tuple[Moede, Udvalg]]:
        """Meetings from ``start`` to ``end`` (both included) of these udvalg (None: all),
        each with its udvalg, by date and time."""
        ...

    async def agenda(self, moede_id: int) -> AgendaRead | None: ...
    async def next_agenda(
        self, udvalg_ids: Sequence[int] | None, start: date, end: date, now: datetime
    ) -> AgendaRead | None:
        """The overview of the meeting ``agendas.services.meetings.next_moede`` would pick among
        ``moeder_between(udvalg_ids, start, end)`` at ``now``, chosen and read at once."""
        ...

    async def punkt(self, punkt_id: int) -> PunktRead | None: ...
    async def order(self, moede_id: int) -> list[Punkt]:
        """The meeting's punkter with only what orders and numbers them (no titles, no texts)."""
        ...

    async def bilag(self, punkt_id: int) -> list[Bilag]:
        """The punkt's bilag without their bytes, in order."""
        ...

    async def questions(self, punkt_id: int, udvalg_id: int) -> list[AskedQuestion]: ...


class UdvalgRepository(Protocol):
    async def add(self, udvalg: Udvalg) -> Udvalg: ...
    async def get(self, udvalg_id: int) -> Udvalg | None: ...
    async def by_code(self, code: str) -> Udvalg | None: ...
    async def list_all(self) -> list[Udvalg]: ...
    async def set_meeting_minutes(self, udvalg_id: int, minutes: int) -> None: ...


class PersonRepository(Protocol):
    async def add(self, person: Person) -> Person: ...
    async def get(self, person_id: int) -> Person | None: ...
    async def many(self, person_ids: Sequence[int]) -> dict[int, Person]:
        """The persons found among ``person_ids``, by id (a mailing's recipients at once)."""
        ...

    async def by_telegram_id(self, telegram_id: int) -> Person | None: ...
    async def identity(self, telegram_id: int) -> Identity | None:
        """The person with this Telegram id, their roles and whether their private chat is
        marked unreachable, in one read (every update asks)."""
        ...

    async def get_or_add(self, person: Person) -> Person:
        """The person with this Telegram id: the one stored, or ``person`` now added. Safe when
        two updates of a new person register them at the same moment."""
        ...

    async def update(self, person: Person) -> None:
        """Store the person's fields except the Telegram id (``set_telegram``)."""
        ...

    async def set_telegram(self, person_id: int, telegram_id: int | None) -> None:
        """Link (or unlink) a Telegram account; the id is unique among persons."""
        ...

    async def delete(self, person_id: int) -> None: ...


class MembershipRepository(Protocol):
    async def add(self, membership: Membership) -> Membership: ...
    async def update(self, membership: Membership) -> None:
        """Store role, party, substitute_for and since."""
        ...

    async def delete(self, membership_id: int) -> None: ...
    async def for_person(self, person_id: int) -> list[Membership]: ...
    async def for_udvalg(self, udvalg_id: int) -> list[Membership]: ...
    async def find(self, person_id: int, udvalg_id: int) -> list[Membership]: ...


class InviteRepository(Protocol):
    async def add(self, invite: Invite) -> Invite: ...
    async def by_hash(self, token_hash: str) -> Invite | None: ...
    async def mark_used(self, invite_id: int, person_id: int, at: datetime) -> bool:
        """Mark unused invite as used; False when someone used it first (single use)."""
        ...


class MoedeRepository(Protocol):
    async def add(self, moede: Moede) -> Moede: ...
    async def get(self, moede_id: int) -> Moede | None: ...
    async def many(self, moede_ids: Sequence[int]) -> dict[int, Moede]:
        """The meetings found among ``moede_ids``, by id, in one query."""
        ...

    async def update(self, moede: Moede) -> None: ...
    async def for_udvalg(self, udvalg_id: int) -> list[Moede]: ...
    async def on_days(self, udvalg_ids: Sequence[int], days: Sequence[date]) -> list[Moede]:
        """The meetings of these committees on any of these days, in one query."""
        ...

    async def for_udvalg_between(
        self, udvalg_ids: list[int], start: date, end: date
    ) -> list[Moede]: ...
    async def between(self, start: date, end: date) -> list[Moede]:
        """Every udvalg's meetings from ``start`` to ``end`` (the scheduler's jobs), one query."""
        ...

    async def latest_until(self, udvalg_ids: list[int], end: date) -> Moede | None:
        """The last meeting of these committees on or before ``end`` (by day and time)."""
        ...


class PunktRepository(Protocol):
    async def add(self, punkt: Punkt) -> Punkt: ...
    async def get(self, punkt_id: int) -> Punkt | None: ...
    async def for_moede(self, moede_id: int) -> list[Punkt]: ...
    async def versions(self, moede_ids: Sequence[int]) -> dict[int, dict[int, int]]:
        """The version of every punkt of these meetings: moede id -> punkt id -> version
        (a meeting without punkter is not in the dict); one query, no punkt loaded."""
        ...

    async def save(self, punkt: Punkt, expected_version: int) -> Punkt:
        """Store changes if the stored version is still ``expected_version``; bump the version.

        Raises ``ConcurrentEdit`` when someone else saved in between.
        """
        ...

    async def set_positions(self, positions: dict[int, tuple[int, int]]) -> None:
        """Set (moede_id, position) per punkt id without touching content or version."""
        ...

    async def delete(self, punkt_id: int) -> None: ...


class BilagRepository(Protocol):
    async def add(self, bilag: Bilag) -> Bilag: ...
    async def fill(self, bilag: Bilag) -> Bilag:
        """Give the bilag ``bilag.id`` (a reference without its file) the file's bytes."""
        ...

    async def get(self, bilag_id: int, with_content: bool = False) -> Bilag | None: ...
    async def for_punkt(self, punkt_id: int) -> list[Bilag]: ...
    async def for_punkter(self, punkt_ids: Sequence[int]) -> dict[int, list[Bilag]]:
        """The bilag (without their bytes) of these punkter by punkt id, each list in order;
        a punkt without bilag maps to an empty list. One query, not one per punkt."""
        ...

    async def delete(self, bilag_id: int) -> None: ...


class AuditRepository(Protocol):
    async def add(self, event: AuditEvent) -> None: ...
    async def list_recent(self, limit: int = 50) -> list[AuditEvent]: ...
    async def since(self, udvalg_id: int, since: datetime) -> list[AuditEvent]:
        """The udvalg's events at or after ``since``, oldest first."""
        ...


class AttendanceRepository(Protocol):
    async def for_moede(self, moede_id: int) -> list[AttendanceRecord]: ...
    async def put(self, record: AttendanceRecord) -> None:
        """Insert or replace the record of (moede_id, person_id)."""
        ...


class DecisionRepository(Protocol):
    async def get(self, punkt_id: int) -> DecisionRecord | None: ...
    async def for_punkter(self, punkt_ids: list[int]) -> dict[int, DecisionRecord]: ...
    async def put(self, record: DecisionRecord) -> None:
        """Insert or replace the decision of ``record.punkt_id``."""
        ...


class ProtokolRepository(Protocol):
    async def get(self, moede_id: int) -> ProtokolState:
        """The stored state, or a fresh one (rev 0) when nothing was recorded yet."""
        ...

    async def sent(self) -> list[ProtokolState]:
        """Every protocol sent for approval and not yet approved by all."""
        ...

    async def for_moeder(self, moede_ids: Sequence[int]) -> dict[int, ProtokolState]:
        """The stored states of these meetings, by meeting id (none stored: not in the dict)."""
        ...

    async def approved(self, limit: int) -> list[ProtokolState]:
        """The ``limit`` protocols approved (locked) most recently, newest first."""
        ...

    async def save(self, state: ProtokolState, expected_rev: int) -> ProtokolState:
        """Store ``state`` with rev ``expected_rev + 1`` if the stored rev is still
        ``expected_rev``; raises ``StaleView`` when someone changed it in between."""
        ...


class ApprovalRepository(Protocol):
    async def for_moede(self, moede_id: int) -> list[Approval]: ...
    async def add(self, approval: Approval) -> bool:
        """False (and nothing stored) when this person already approved."""
        ...

    async def clear(self, moede_id: int) -> int:
        """Remove every approval of the meeting; returns how many there were."""
        ...


# --- what members do for themselves ---------------------------------------------------------


class InhabilDeclarationRepository(Protocol):
    async def put(self, declaration: InhabilDeclaration) -> InhabilDeclaration:
        """Insert or replace the declaration of (punkt_id, person_id)."""
        ...

    async def for_punkter(self, punkt_ids: list[int]) -> list[InhabilDeclaration]:
        """Oldest first."""
        ...


class QuestionRepository(Protocol):
    async def add(self, question: Question) -> Question: ...
    async def get(self, question_id: int) -> Question | None: ...
    async def answer(self, question: Question) -> bool:
        """Store ``question``'s answer if it has none yet; False (nothing stored) when someone
        answered first."""
        ...

    async def for_punkter(self, punkt_ids: list[int]) -> list[Question]:
        """Oldest first."""
        ...


class ProposalRepository(Protocol):
    async def add(self, proposal: Proposal) -> Proposal: ...
    async def get(self, proposal_id: int) -> Proposal | None: ...
    async def decide(self, proposal: Proposal) -> bool:
        """Store the decision (state, by, at, reason, punkt) if the proposal still waits for
        one; False (nothing stored) when someone decided first."""
        ...


class SearchRepository(Protocol):
    """The full-text index of punkter. Storage keeps it in step with every write of a punkt or
    its decision (in the same transaction), so services only ever read it."""

    async def search(
        self, query: SearchQuery, scope: SearchScope, offset: int, limit: int
    ) -> SearchHits:
        """The documents ``scope`` may read that match every term of ``query`` (and its
        years), sorted as it asks, ``limit`` from ``offset`` on, with the total count."""
        ...


# --- delivery ---------------------------------------------------------------------------------


class OutboxRepository(Protocol):
    async def add(self, message: OutboxMessage) -> bool:
        """Store the message; False (nothing stored) when its key is already there."""
        ...

    async def add_many(self, messages: Sequence[OutboxMessage]) -> int:
        """Store those whose key is not there yet (a mailing in a few statements, not one
        per recipient); returns how many were stored."""
        ...

    async def by_key_prefix(self, prefix: str) -> list[OutboxMessage]: ...
    async def prefixes_used(self, prefixes: Sequence[str]) -> set[str]:
        """Those of ``prefixes`` that begin at least one stored key; one query."""
        ...

    async def update_pending(
        self, key: str, payload: dict[str, object], not_before: datetime | None = None
    ) -> bool:
        """Replace the payload (and, when given, the due time) of a message not yet claimed
        for sending; False when there is none (sent, being sent, or never queued)."""
        ...


class ReleaseRepository(Protocol):
    async def get(self, moede_id: int) -> Release | None: ...
    async def for_moeder(self, moede_ids: Sequence[int]) -> dict[int, Release]:
        """The releases of these meetings, by meeting id (unreleased: not in the dict)."""
        ...

    async def add(self, release: Release) -> bool:
        """False when the meeting was already released (one release per meeting)."""
        ...

    async def update(self, release: Release) -> None: ...


class DeliverySettingsRepository(Protocol):
    async def get(self, udvalg_id: int) -> DeliverySettings:
        """The stored settings or the defaults."""
        ...

    async def many(self, udvalg_ids: Sequence[int]) -> dict[int, DeliverySettings]:
        """``get`` for each of these udvalg (the defaults where none are stored), one query."""
        ...

    async def put(self, settings: DeliverySettings) -> None: ...


class ReachabilityRepository(Protocol):
    async def unreachable(self, chat_ids: list[int]) -> set[int]: ...
    async def mark(self, chat_id: int, at: datetime | None, reason: str = "") -> None:
        """``at`` None: reachable again."""
        ...


class UnitOfWork(Protocol):
    udvalg: UdvalgRepository
    persons: PersonRepository
    memberships: MembershipRepository
    invites: InviteRepository
    moeder: MoedeRepository
    punkter: PunktRepository
    bilag: BilagRepository
    audit: AuditRepository
    attendance: AttendanceRepository
    decisions: DecisionRepository
    protokoller: ProtokolRepository
    approvals: ApprovalRepository
    search: SearchRepository
    # delivery: the outbox, releases, each udvalg's frist settings, who blocked the bot
    outbox: OutboxRepository
    releases: ReleaseRepository
    delivery: DeliverySettingsRepository
    reachability: ReachabilityRepository
    # status rounds
    plans: PlanRepository
    indsatser: IndsatsRepository
    status_rounds: StatusRoundRepository
    status_answers: StatusAnswerRepository
    # what members do for themselves: inhabilitet, questions, proposals
    declarations: InhabilDeclarationRepository
    questions: QuestionRepository
    proposals: ProposalRepository
    absences: AbsenceRepository
    # read-only views of the chat's hot paths
    views: ChatViewRepository

    async def __aenter__(self) -> Self: ...
    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
    async def commit(self) -> None: ...
    async def rollback(self) -> None: ...
