"""The unit of work: one transaction per ``async with``; one session (and one database
connection) for a whole Telegram update when the update holds it (``held``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import TracebackType
from typing import Any, Self

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker

from agendas.ports import (
    ApprovalRepository,
    AttendanceRepository,
    AuditRepository,
    BilagRepository,
    ChatViewRepository,
    DecisionRepository,
    DeliverySettingsRepository,
    InhabilDeclarationRepository,
    InviteRepository,
    MembershipRepository,
    MoedeRepository,
    OutboxRepository,
    PersonRepository,
    ProposalRepository,
    ProtokolRepository,
    PunktRepository,
    QuestionRepository,
    ReachabilityRepository,
    ReleaseRepository,
    SearchRepository,
    UdvalgRepository,
    UnitOfWork,
)
from agendas.status.ports import (
    AbsenceRepository,
    IndsatsRepository,
    PlanRepository,
    StatusAnswerRepository,
    StatusRoundRepository,
)
from storage.engine import driver_in_transaction
from storage.repositories import (
    SqlAbsenceRepository,
    SqlApprovalRepository,
    SqlAttendanceRepository,
    SqlAuditRepository,
    SqlBilagRepository,
    SqlChatViewRepository,
    SqlDecisionRepository,
    SqlDeliverySettingsRepository,
    SqlIndsatsRepository,
    SqlInhabilDeclarationRepository,
    SqlInviteRepository,
    SqlMembershipRepository,
    SqlMoedeRepository,
    SqlOutboxRepository,
    SqlPersonRepository,
    SqlPlanRepository,
    SqlProposalRepository,
    SqlProtokolRepository,
    SqlPunktRepository,
    SqlQuestionRepository,
    SqlReachabilityRepository,
    SqlReleaseRepository,
    SqlSearchRepository,
    SqlStatusAnswerRepository,
    SqlStatusRoundRepository,
    SqlUdvalgRepository,
)


class SqlUnitOfWork:
    """Implements ``agendas.ports.UnitOfWork`` on SQLAlchemy.

    One object serves a whole Telegram update and is entered several times in sequence (the
    identity lookup, the dialog state, then the service the handler calls). Each outermost
    ``async with`` is one transaction: its exit rolls back whatever was not committed, so no
    transaction (and no SQLite write lock) stays open while the update talks to Telegram.
    Entering again while already inside (nested use) shares the outer transaction.

    Without ``held`` every outermost ``async with`` opens a fresh session and closes it. Inside
    ``async with uow.held()`` (the update middleware) the blocks share one session on one
    checked-out connection, which ``held`` closes at the end of the update.
    """

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
    outbox: OutboxRepository
    releases: ReleaseRepository
    delivery: DeliverySettingsRepository
    reachability: ReachabilityRepository
    plans: PlanRepository
    indsatser: IndsatsRepository
    status_rounds: StatusRoundRepository
    status_answers: StatusAnswerRepository
    declarations: InhabilDeclarationRepository
    questions: QuestionRepository
    proposals: ProposalRepository
    absences: AbsenceRepository
    views: ChatViewRepository

    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._session_factory = session_factory
        self._session: AsyncSession | None = None
        self._connection: AsyncConnection | None = None
        self._depth = 0
        self._held = False
        #: The dialog-state key the next identity read brings along (``expect_state``).
        self._state_key: str | None = None
        #: How many transactions this unit of work committed: the error handler tells a person
        #: whether what they asked for was stored before a fault.
        self.commits = 0

    @property
    def session(self) -> AsyncSession:
        if self._session is None or self._depth == 0:
            raise RuntimeError("the unit of work is used outside 'async with'")
        return self._session

    @property
    def bind(self) -> Any:
        """The engine this unit of work talks to (the dialog storage checks it is its own)."""
        return self._session_factory.kw.get("bind")

    @property
    def active(self) -> bool:
        """Inside an ``async with`` (a transaction may be open)."""
        return self._depth > 0

    def expect_state(self, key: str) -> None:
        """Let the update's identity read bring the dialog state of ``key`` along, in the same
        statement (``SqlPersonRepository.identity``); ``prefetched_state`` hands it out."""
        self._state_key = key

    def prefetched_state(self, key: str) -> tuple[str | None, dict[str, Any]] | None:
        """The state and data of ``key`` read with the identity in this update, if they were."""
        session = self._session
        found = session.info.get("fsm_state") if session is not None else None
        return found.get(key) if found else None

    @asynccontextmanager
    async def held(self) -> AsyncIterator[Self]:
        """One session and one connection for every block until the end (a whole update).

        The connection is checked out from the pool on the first block, once per update (on
        PostgreSQL that is one pre-ping instead of one per block); commits stay per block.
        """
        if self._held:
            yield self
            return
        self._held = True
        try:
            yield self
        finally:
            self._held = False
            await self._release()

    def session_info(self) -> dict[str, Any]:
        assert self._session is not None
        return self._session.info

    async def _open(self) -> AsyncSession:
        if not self._held:
            return self._session_factory()
        engine = self.bind
        if engine is None:  # pragma: no cover - a factory without an engine
            return self._session_factory()
        self._connection = await engine.connect()
        return self._session_factory(bind=self._connection)

    async def _release(self) -> None:
        session, self._session = self._session, None
        connection, self._connection = self._connection, None
        try:
            if session is not None:
                await session.close()
        finally:
            if connection is not None:
                await connection.close()

    async def __aenter__(self) -> Self:
        if self._depth == 0 and self._session is None:
            session = await self._open()
            self._session = session
            self.udvalg = SqlUdvalgRepository(session)
            self.persons = SqlPersonRepository(session)
            self.memberships = SqlMembershipRepository(session)
            self.invites = SqlInviteRepository(session)
            self.moeder = SqlMoedeRepository(session)
            self.punkter = SqlPunktRepository(session)
            self.bilag = SqlBilagRepository(session)
            self.audit = SqlAuditRepository(session)
            self.attendance = SqlAttendanceRepository(session)
            self.decisions = SqlDecisionRepository(session)
            self.protokoller = SqlProtokolRepository(session)
            self.approvals = SqlApprovalRepository(session)
            self.search = SqlSearchRepository(session)
            self.outbox = SqlOutboxRepository(session)
            self.releases = SqlReleaseRepository(session)
            self.delivery = SqlDeliverySettingsRepository(session)
            self.reachability = SqlReachabilityRepository(session)
            self.plans = SqlPlanRepository(session)
            self.indsatser = SqlIndsatsRepository(session)
            self.status_rounds = SqlStatusRoundRepository(session)
            self.status_answers = SqlStatusAnswerRepository(session)
            self.declarations = SqlInhabilDeclarationRepository(session)
            self.questions = SqlQuestionRepository(session)
            self.proposals = SqlProposalRepository(session)
            self.absences = SqlAbsenceRepository(session)
            self.views = SqlChatViewRepository(session)
        if self._depth == 0 and self._state_key is not None:
            self.session_info()["fsm_key"] = self._state_key
        self._depth += 1
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._depth -= 1
        if self._depth > 0:
            return
        session = self._session
        if session is None:  # pragma: no cover - __aexit__ without __aenter__
            return
        if self._held:
            # The transaction ends here; the session and its connection serve the next block.
            if session.in_transaction() and not self._read_only_block(session):
                await session.rollback()
            return
        self._session = None
        try:
            await session.rollback()
        finally:
            await session.close()

    def _read_only_block(self, session: AsyncSession) -> bool:
        """A held block that only read plain rows: the database opened no transaction (the
        driver says so) and the session holds no ORM objects to expire or changes to drop, so
        ending SQLAlchemy's side of the transaction (about 60 µs of Python per block) changes
        nothing; the next block goes on in it, and the update's end closes it."""
        connection = self._connection
        if connection is None or session.new or session.dirty or session.deleted:
            return False
        if session.identity_map:
            return False
        sync = connection.sync_connection
        return sync is not None and not driver_in_transaction(sync.connection.dbapi_connection)

    async def commit(self) -> None:
        await self.session.commit()
        self.commits += 1

    async def rollback(self) -> None:
        await self.session.rollback()


def _conforms(session_factory: async_sessionmaker[AsyncSession]) -> UnitOfWork:
    """Type-checked proof that the SQL unit of work is the port (mypy fails here if it drifts)."""
    return SqlUnitOfWork(session_factory)
