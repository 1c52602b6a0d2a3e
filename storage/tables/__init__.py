"""The database tables (SQLModel), one module per feature. Only the storage package sees these rows.

Importing this package registers every table on ``SQLModel.metadata`` (Alembic's target): it
sets the naming convention (``base``, imported first; a table module is only ever imported
through this package) and then imports each table module.
Telegram ids are BIGINT; every timestamp is timezone-aware UTC (``UtcDateTime``).
"""

from __future__ import annotations

from storage.tables.base import NAMING_CONVENTION
from storage.tables.committees import AuditEventRow, InviteRow, MembershipRow, PersonRow, UdvalgRow
from storage.tables.delivery import (
    MoedeReleaseRow,
    OutboxRow,
    RecipientStatusRow,
    SendBucketRow,
    UdvalgDeliveryRow,
)
from storage.tables.fsm import FsmStateRow
from storage.tables.meetings import BilagRow, MoedeRow, PunktRow
from storage.tables.members import InhabilDeclarationRow, PunktProposalRow, PunktQuestionRow
from storage.tables.protocol import (
    AttendanceRow,
    ProtokolApprovalRow,
    ProtokolRow,
    PunktDecisionRow,
)
from storage.tables.search import SearchDocRow
from storage.tables.status import (
    IndsatsOwnerRow,
    IndsatsRow,
    PlanGoalRow,
    PlanRow,
    StatusAbsenceRow,
    StatusAnswerRow,
    StatusEarlyRow,
    StatusPromptRow,
    StatusRoundRow,
    StatusSettingsRow,
    StatusUnitRow,
)

__all__ = [
    "NAMING_CONVENTION",
    "AttendanceRow",
    "AuditEventRow",
    "BilagRow",
    "FsmStateRow",
    "IndsatsOwnerRow",
    "IndsatsRow",
    "InhabilDeclarationRow",
    "InviteRow",
    "MembershipRow",
    "MoedeReleaseRow",
    "MoedeRow",
    "OutboxRow",
    "PersonRow",
    "PlanGoalRow",
    "PlanRow",
    "ProtokolApprovalRow",
    "ProtokolRow",
    "PunktDecisionRow",
    "PunktProposalRow",
    "PunktQuestionRow",
    "PunktRow",
    "RecipientStatusRow",
    "SearchDocRow",
    "SendBucketRow",
    "StatusAbsenceRow",
    "StatusAnswerRow",
    "StatusEarlyRow",
    "StatusPromptRow",
    "StatusRoundRow",
    "StatusSettingsRow",
    "StatusUnitRow",
    "UdvalgDeliveryRow",
    "UdvalgRow",
]
