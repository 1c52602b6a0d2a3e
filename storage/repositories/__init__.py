"""Repositories, one module per aggregate: they map table rows to the domain dataclasses and back.

They hand out plain dataclasses (never ORM rows) and never commit: the service that owns the
use case commits the unit of work. ``flush`` is used only to obtain generated ids.
"""

from __future__ import annotations

from storage.repositories.committees import (
    SqlAuditRepository,
    SqlInviteRepository,
    SqlMembershipRepository,
    SqlPersonRepository,
    SqlUdvalgRepository,
)
from storage.repositories.delivery import (
    SqlDeliverySettingsRepository,
    SqlOutboxRepository,
    SqlReachabilityRepository,
    SqlReleaseRepository,
)
from storage.repositories.meetings import SqlBilagRepository, SqlMoedeRepository, SqlPunktRepository
from storage.repositories.members import (
    SqlInhabilDeclarationRepository,
    SqlProposalRepository,
    SqlQuestionRepository,
)
from storage.repositories.protocol import (
    SqlApprovalRepository,
    SqlAttendanceRepository,
    SqlDecisionRepository,
    SqlProtokolRepository,
)
from storage.repositories.search import SqlSearchRepository
from storage.repositories.status import (
    SqlAbsenceRepository,
    SqlIndsatsRepository,
    SqlPlanRepository,
    SqlStatusAnswerRepository,
    SqlStatusRoundRepository,
)
from storage.repositories.views import SqlChatViewRepository

__all__ = [
    "SqlAbsenceRepository",
    "SqlApprovalRepository",
    "SqlAttendanceRepository",
    "SqlAuditRepository",
    "SqlBilagRepository",
    "SqlChatViewRepository",
    "SqlDecisionRepository",
    "SqlDeliverySettingsRepository",
    "SqlIndsatsRepository",
    "SqlInhabilDeclarationRepository",
    "SqlInviteRepository",
    "SqlMembershipRepository",
    "SqlMoedeRepository",
    "SqlOutboxRepository",
    "SqlPersonRepository",
    "SqlPlanRepository",
    "SqlProposalRepository",
    "SqlProtokolRepository",
    "SqlPunktRepository",
    "SqlQuestionRepository",
    "SqlReachabilityRepository",
    "SqlReleaseRepository",
    "SqlSearchRepository",
    "SqlStatusAnswerRepository",
    "SqlStatusRoundRepository",
    "SqlUdvalgRepository",
]
