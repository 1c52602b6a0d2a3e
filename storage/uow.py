"""The unit of work: one database session and its repositories per ``async with``."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from agendas.ports import (
    AbsenceRepository,
    ApprovalRepository,
    AttendanceRepository,
    AuditRepository,
    BilagRepository,
    DecisionRepository,
    DeliverySettingsRepository,
    IndsatsRepository,
    InhabilDeclarationRepository,
    InviteRepository,
    MembershipRepository,
    MoedeRepository,
    OutboxRepository,
    PersonRepository,
    PlanRepository,
    ProposalRepository,
    ProtokolRepository,
    PunktRepository,
    QuestionRepository,
    ReachabilityRepository,
    ReleaseRepository,
    SearchRepository,
    StatusAnswerRepository,
    StatusRoundRepository,
    UdvalgRepository,
    UnitOfWork,
)
from storage.repositories import (
    SqlAbsenceRepository,
    SqlApprovalRepository,
    SqlAttendanceRepository,
    SqlAuditRepository,
    SqlBilagRepository,
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
    identity middleware, then the service the handler calls): every ``async with`` opens a fresh
    session and leaves it closed, rolling back whatever was not committed. Entering again while
    already inside (nested use) shares the outer session; only the outermost exit closes it.
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

    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._session_factory = session_factory
        self._session: AsyncSession | None = None
        self._depth = 0
        #: How many transactions this unit of work committed: the error handler tells a person
        #: whether what they asked for was stored before a fault.
        self.commits = 0

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("the unit of work is used outside 'async with'")
        return self._session

    async def __aenter__(self) -> Self:
        if self._depth == 0:
            session = self._session_factory()
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
        session, self._session = self._session, None
        if session is None:  # pragma: no cover - __aexit__ without __aenter__
            return
        try:
            await session.rollback()
        finally:
            await session.close()

    async def commit(self) -> None:
        await self.session.commit()
        self.commits += 1

    async def rollback(self) -> None:
        await self.session.rollback()


def _conforms(session_factory: async_sessionmaker[AsyncSession]) -> UnitOfWork:
    """Type-checked proof that the SQL unit of work is the port (mypy fails here if it drifts)."""
    return SqlUnitOfWork(session_factory)
