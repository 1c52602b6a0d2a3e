"""Repositories: map table rows to the domain dataclasses of ``agendas.model`` and back.

They hand out plain dataclasses (never ORM rows) and never commit: the service that owns the
use case commits the unit of work. ``flush`` is used only to obtain generated ids.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any, cast

from sqlalchemy import CursorResult, delete, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import QueryableAttribute, defer
from sqlmodel import col, select

from agendas.errors import ConcurrentEdit
from agendas.model import (
    SECTION_KEYS,
    AuditEvent,
    Bilag,
    Invite,
    Membership,
    Moede,
    Person,
    Punkt,
    PunktKind,
    Role,
    Sagstype,
    Udvalg,
)
from agendas.protocol import AttendanceStatus, SagRange, Votes
from agendas.records import (
    Approval,
    AttendanceRecord,
    DecisionRecord,
    ProtokolState,
    StaleView,
    StoredRemark,
)
from storage.tables import (
    AttendanceRow,
    AuditEventRow,
    BilagRow,
    InviteRow,
    MembershipRow,
    MoedeRow,
    PersonRow,
    ProtokolApprovalRow,
    ProtokolRow,
    PunktDecisionRow,
    PunktRow,
    UdvalgRow,
)

#: The bytes column of a bilag, deferred unless the content is asked for.
_BILAG_CONTENT = cast("QueryableAttribute[Any]", BilagRow.content)


def _now() -> datetime:
    return datetime.now(UTC)


def _rowcount(result: object) -> int:
    return cast(CursorResult[Any], result).rowcount


class _Repository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session


# --- udvalg -----------------------------------------------------------------------------------


def _udvalg(row: UdvalgRow) -> Udvalg:
    return Udvalg(
        code=row.code,
        name=row.name,
        forvaltning=row.forvaltning,
        id=row.id,
        created_at=row.created_at,
    )


class SqlUdvalgRepository(_Repository):
    async def add(self, udvalg: Udvalg) -> Udvalg:
        row = UdvalgRow(
            code=udvalg.code,
            name=udvalg.name,
            forvaltning=udvalg.forvaltning,
            created_at=udvalg.created_at or _now(),
        )
        self.session.add(row)
        await self.session.flush()
        return _udvalg(row)

    async def get(self, udvalg_id: int) -> Udvalg | None:
        row = await self.session.get(UdvalgRow, udvalg_id)
        return _udvalg(row) if row else None

    async def by_code(self, code: str) -> Udvalg | None:
        row = await self.session.scalar(select(UdvalgRow).where(col(UdvalgRow.code) == code))
        return _udvalg(row) if row else None

    async def list_all(self) -> list[Udvalg]:
        rows = await self.session.scalars(select(UdvalgRow).order_by(col(UdvalgRow.code)))
        return [_udvalg(r) for r in rows]


# --- person -----------------------------------------------------------------------------------


def _person(row: PersonRow) -> Person:
    return Person(
        telegram_id=row.telegram_id,
        name=row.name,
        username=row.username,
        language=row.language,
        is_admin=row.is_admin,
        id=row.id,
    )


class SqlPersonRepository(_Repository):
    async def add(self, person: Person) -> Person:
        row = PersonRow(
            telegram_id=person.telegram_id,
            name=person.name,
            username=person.username,
            language=person.language,
            is_admin=person.is_admin,
            created_at=_now(),
        )
        self.session.add(row)
        await self.session.flush()
        return _person(row)

    async def get(self, person_id: int) -> Person | None:
        row = await self.session.get(PersonRow, person_id)
        return _person(row) if row else None

    async def many(self, person_ids: Sequence[int]) -> dict[int, Person]:
        ids = sorted(set(person_ids))
        found: dict[int, Person] = {}
        for start in range(0, len(ids), 500):  # under the bound-parameter limits
            rows = await self.session.scalars(
                select(PersonRow).where(col(PersonRow.id).in_(ids[start : start + 500]))
            )
            found.update((row.id or 0, _person(row)) for row in rows)
        return found

    async def by_telegram_id(self, telegram_id: int) -> Person | None:
        row = await self.session.scalar(
            select(PersonRow).where(col(PersonRow.telegram_id) == telegram_id)
        )
        return _person(row) if row else None

    async def get_or_add(self, person: Person) -> Person:
        found = await self.by_telegram_id(person.telegram_id)
        if found is not None:
            return found
        try:
            # A savepoint: losing the race must not end the caller's transaction.
            async with self.session.begin_nested():
                added = await self.add(person)
        except IntegrityError:
            found = await self.by_telegram_id(person.telegram_id)
            if found is None:
                raise
            return found
        return added

    async def update(self, person: Person) -> None:
        await self.session.execute(
            update(PersonRow)
            .where(col(PersonRow.id) == person.id)
            .values(
                name=person.name,
                username=person.username,
                language=person.language,
                is_admin=person.is_admin,
            )
        )


# --- membership -------------------------------------------------------------------------------


def _membership(row: MembershipRow) -> Membership:
    return Membership(
        person_id=row.person_id,
        udvalg_id=row.udvalg_id,
        role=Role(row.role),
        party=row.party,
        id=row.id,
        created_at=row.created_at,
    )


class SqlMembershipRepository(_Repository):
    async def add(self, membership: Membership) -> Membership:
        row = MembershipRow(
            person_id=membership.person_id,
            udvalg_id=membership.udvalg_id,
            role=membership.role.value,
            party=membership.party,
            created_at=membership.created_at or _now(),
        )
        self.session.add(row)
        await self.session.flush()
        return _membership(row)

    async def update(self, membership: Membership) -> None:
        await self.session.execute(
            update(MembershipRow)
            .where(col(MembershipRow.id) == membership.id)
            .values(role=membership.role.value, party=membership.party)
        )

    async def _where(self, *criteria: Any) -> list[Membership]:
        rows = await self.session.scalars(
            select(MembershipRow).where(*criteria).order_by(col(MembershipRow.id))
        )
        return [_membership(r) for r in rows]

    async def for_person(self, person_id: int) -> list[Membership]:
        return await self._where(col(MembershipRow.person_id) == person_id)

    async def for_udvalg(self, udvalg_id: int) -> list[Membership]:
        return await self._where(col(MembershipRow.udvalg_id) == udvalg_id)

    async def find(self, person_id: int, udvalg_id: int) -> list[Membership]:
        return await self._where(
            col(MembershipRow.person_id) == person_id, col(MembershipRow.udvalg_id) == udvalg_id
        )


# --- invite -----------------------------------------------------------------------------------


def _invite(row: InviteRow) -> Invite:
    return Invite(
        udvalg_id=row.udvalg_id,
        role=Role(row.role),
        token_hash=row.token_hash,
        created_by=row.created_by,
        expires_at=row.expires_at,
        party=row.party,
        used_by=row.used_by,
        used_at=row.used_at,
        id=row.id,
        created_at=row.created_at,
    )


class SqlInviteRepository(_Repository):
    async def add(self, invite: Invite) -> Invite:
        row = InviteRow(
            udvalg_id=invite.udvalg_id,
            role=invite.role.value,
            party=invite.party,
            token_hash=invite.token_hash,
            created_by=invite.created_by,
            expires_at=invite.expires_at,
            used_by=invite.used_by,
            used_at=invite.used_at,
            created_at=invite.created_at or _now(),
        )
        self.session.add(row)
        await self.session.flush()
        return _invite(row)

    async def by_hash(self, token_hash: str) -> Invite | None:
        row = await self.session.scalar(
            select(InviteRow)
            .where(col(InviteRow.token_hash) == token_hash)
            .execution_options(populate_existing=True)
        )
        return _invite(row) if row else None

    async def mark_used(self, invite_id: int, person_id: int, at: datetime) -> bool:
        """One conditional UPDATE: of two racing acceptances exactly one changes the row."""
        result = await self.session.execute(
            update(InviteRow)
            .where(col(InviteRow.id) == invite_id, col(InviteRow.used_at).is_(None))
            .values(used_by=person_id, used_at=at)
        )
        return _rowcount(result) == 1


# --- moede ------------------------------------------------------------------------------------


def _moede(row: MoedeRow) -> Moede:
    return Moede(
        udvalg_id=row.udvalg_id,
        date=row.date,
        start_time=row.start_time,
        place=row.place,
        starts_at=row.starts_at,
        ended_at=row.ended_at,
        id=row.id,
        created_at=row.created_at,
    )


class SqlMoedeRepository(_Repository):
    async def add(self, moede: Moede) -> Moede:
        row = MoedeRow(
            udvalg_id=moede.udvalg_id,
            date=moede.date,
            start_time=moede.start_time,
            place=moede.place,
            starts_at=moede.starts_at,
            ended_at=moede.ended_at,
            created_at=moede.created_at or _now(),
        )
        self.session.add(row)
        await self.session.flush()
        return _moede(row)

    async def get(self, moede_id: int) -> Moede | None:
        row = await self.session.get(MoedeRow, moede_id, populate_existing=True)
        return _moede(row) if row else None

    async def update(self, moede: Moede) -> None:
        await self.session.execute(
            update(MoedeRow)
            .where(col(MoedeRow.id) == moede.id)
            .values(
                date=moede.date,
                start_time=moede.start_time,
                place=moede.place,
                starts_at=moede.starts_at,
                ended_at=moede.ended_at,
            )
        )

    async def _where(self, *criteria: Any) -> list[Moede]:
        rows = await self.session.scalars(
            select(MoedeRow)
            .where(*criteria)
            .order_by(col(MoedeRow.date), col(MoedeRow.start_time), col(MoedeRow.id))
        )
        return [_moede(r) for r in rows]

    async def for_udvalg(self, udvalg_id: int) -> list[Moede]:
        return await self._where(col(MoedeRow.udvalg_id) == udvalg_id)

    async def for_udvalg_between(
        self, udvalg_ids: list[int], start: date, end: date
    ) -> list[Moede]:
        """Meetings of these committees from ``start`` to ``end``, both days included."""
        if not udvalg_ids:
            return []
        return await self._where(
            col(MoedeRow.udvalg_id).in_(udvalg_ids),
            col(MoedeRow.date) >= start,
            col(MoedeRow.date) <= end,
        )


# --- punkt ------------------------------------------------------------------------------------


def _punkt(row: PunktRow) -> Punkt:
    sections: dict[str, str] = {}
    for key in SECTION_KEYS:
        text = getattr(row, key)
        if text:
            sections[key] = text
    return Punkt(
        moede_id=row.moede_id,
        kind=PunktKind(row.kind),
        title=row.title,
        position=row.position,
        number=row.number,
        closed=row.closed,
        sagstype=Sagstype(row.sagstype) if row.sagstype else None,
        beslutningskompetence=row.beslutningskompetence,
        journal_number=row.journal_number,
        sections=sections,
        version=row.version,
        id=row.id,
        updated_at=row.updated_at,
        updated_by=row.updated_by,
    )


def _punkt_values(punkt: Punkt) -> dict[str, Any]:
    """The stored content of a punkt (everything but id and version)."""
    unknown = set(punkt.sections) - set(SECTION_KEYS)
    if unknown:
        raise ValueError(f"unknown sections: {sorted(unknown)}")
    values: dict[str, Any] = {
        "moede_id": punkt.moede_id,
        "kind": punkt.kind.value,
        "position": punkt.position,
        "number": punkt.number,
        "title": punkt.title,
        "closed": punkt.closed,
        "sagstype": punkt.sagstype.value if punkt.sagstype else None,
        "beslutningskompetence": punkt.beslutningskompetence,
        "journal_number": punkt.journal_number,
        "updated_at": punkt.updated_at or _now(),
        "updated_by": punkt.updated_by,
    }
    for key in SECTION_KEYS:
        values[key] = punkt.sections.get(key) or None
    return values


class SqlPunktRepository(_Repository):
    async def add(self, punkt: Punkt) -> Punkt:
        row = PunktRow(**_punkt_values(punkt), version=punkt.version)
        self.session.add(row)
        await self.session.flush()
        return _punkt(row)

    async def get(self, punkt_id: int) -> Punkt | None:
        row = await self.session.get(PunktRow, punkt_id, populate_existing=True)
        return _punkt(row) if row else None

    async def for_moede(self, moede_id: int) -> list[Punkt]:
        rows = await self.session.scalars(
            select(PunktRow)
            .where(col(PunktRow.moede_id) == moede_id)
            .order_by(col(PunktRow.position), col(PunktRow.id))
            .execution_options(populate_existing=True)
        )
        return [_punkt(r) for r in rows]

    async def save(self, punkt: Punkt, expected_version: int) -> Punkt:
        """Compare-and-swap on ``version``: a stale save changes nothing and raises."""
        if punkt.id is None:
            raise ValueError("save() needs a stored punkt; use add() for new ones")
        values = _punkt_values(punkt)
        result = await self.session.execute(
            update(PunktRow)
            .where(col(PunktRow.id) == punkt.id, col(PunktRow.version) == expected_version)
            .values(**values, version=expected_version + 1)
        )
        if _rowcount(result) != 1:
            raise ConcurrentEdit()
        return dataclasses.replace(
            punkt,
            sections=dict(punkt.sections),
            version=expected_version + 1,
            updated_at=values["updated_at"],
        )

    async def set_positions(self, positions: dict[int, tuple[int, int]]) -> None:
        for punkt_id, (moede_id, position) in positions.items():
            await self.session.execute(
                update(PunktRow)
                .where(col(PunktRow.id) == punkt_id)
                .values(moede_id=moede_id, position=position)
            )

    async def delete(self, punkt_id: int) -> None:
        await self.session.execute(delete(PunktRow).where(col(PunktRow.id) == punkt_id))


# --- bilag ------------------------------------------------------------------------------------


def _bilag(row: BilagRow, with_content: bool) -> Bilag:
    return Bilag(
        punkt_id=row.punkt_id,
        file_name=row.file_name,
        size=row.size,
        sha256=row.sha256,
        mime_type=row.mime_type,
        telegram_file_id=row.telegram_file_id,
        content=row.content if with_content else None,
        position=row.position,
        id=row.id,
        created_at=row.created_at,
    )


class SqlBilagRepository(_Repository):
    async def add(self, bilag: Bilag) -> Bilag:
        row = BilagRow(
            punkt_id=bilag.punkt_id,
            telegram_file_id=bilag.telegram_file_id,
            file_name=bilag.file_name,
            size=bilag.size,
            sha256=bilag.sha256,
            mime_type=bilag.mime_type,
            position=bilag.position,
            content=bilag.content,
            created_at=bilag.created_at or _now(),
        )
        self.session.add(row)
        await self.session.flush()
        result = _bilag(row, with_content=False)
        result.content = bilag.content
        return result

    async def get(self, bilag_id: int, with_content: bool = False) -> Bilag | None:
        """The bytes are read only when ``with_content`` is asked for (they can be 20 MB)."""
        query = select(BilagRow).where(col(BilagRow.id) == bilag_id)
        if not with_content:
            query = query.options(defer(_BILAG_CONTENT))
        row = await self.session.scalar(query.execution_options(populate_existing=True))
        return _bilag(row, with_content) if row else None

    async def for_punkt(self, punkt_id: int) -> list[Bilag]:
        rows: Sequence[BilagRow] = (
            await self.session.scalars(
                select(BilagRow)
                .where(col(BilagRow.punkt_id) == punkt_id)
                .options(defer(_BILAG_CONTENT))
                .order_by(col(BilagRow.position), col(BilagRow.id))
            )
        ).all()
        return [_bilag(r, with_content=False) for r in rows]

    async def delete(self, bilag_id: int) -> None:
        await self.session.execute(delete(BilagRow).where(col(BilagRow.id) == bilag_id))


# --- audit ------------------------------------------------------------------------------------


def _json_safe(details: dict[str, object]) -> dict[str, Any]:
    """Details as JSON values; anything else (dates, enums) is kept as its text."""
    return cast(dict[str, Any], json.loads(json.dumps(details, default=str)))


def _audit(row: AuditEventRow) -> AuditEvent:
    return AuditEvent(
        actor_id=row.actor_id,
        action=row.action,
        entity=row.entity,
        entity_id=row.entity_id,
        details=dict(row.details or {}),
        udvalg_id=row.udvalg_id,
        at=row.at,
        id=row.id,
    )


class SqlAuditRepository(_Repository):
    async def add(self, event: AuditEvent) -> None:
        self.session.add(
            AuditEventRow(
                actor_id=event.actor_id,
                action=event.action,
                entity=event.entity,
                entity_id=event.entity_id,
                udvalg_id=event.udvalg_id,
                details=_json_safe(event.details),
                at=event.at or _now(),
            )
        )
        await self.session.flush()

    async def list_recent(self, limit: int = 50) -> list[AuditEvent]:
        rows = await self.session.scalars(
            select(AuditEventRow)
            .order_by(col(AuditEventRow.at).desc(), col(AuditEventRow.id).desc())
            .limit(limit)
        )
        return [_audit(r) for r in rows]


# --- meeting mode: attendance, decisions, protocol state, approvals ----------------------------


def _attendance(row: AttendanceRow) -> AttendanceRecord:
    return AttendanceRecord(
        moede_id=row.moede_id,
        person_id=row.person_id,
        status=AttendanceStatus(row.status),
        substitute_for=row.substitute_for,
        absent_for=tuple(SagRange(int(a), int(b)) for a, b in row.absent_for or []),
        updated_at=row.updated_at,
        id=row.id,
    )


class SqlAttendanceRepository(_Repository):
    async def for_moede(self, moede_id: int) -> list[AttendanceRecord]:
        rows = await self.session.scalars(
            select(AttendanceRow)
            .where(col(AttendanceRow.moede_id) == moede_id)
            .order_by(col(AttendanceRow.id))
            .execution_options(populate_existing=True)
        )
        return [_attendance(r) for r in rows]

    async def put(self, record: AttendanceRecord) -> None:
        values: dict[str, Any] = {
            "status": record.status.value,
            "substitute_for": record.substitute_for,
            "absent_for": [[r.first, r.last] for r in record.absent_for],
            "updated_at": record.updated_at or _now(),
        }
        result = await self.session.execute(
            update(AttendanceRow)
            .where(
                col(AttendanceRow.moede_id) == record.moede_id,
                col(AttendanceRow.person_id) == record.person_id,
            )
            .values(**values)
        )
        if _rowcount(result) == 0:
            self.session.add(
                AttendanceRow(moede_id=record.moede_id, person_id=record.person_id, **values)
            )
            await self.session.flush()


def _votes_json(votes: Votes) -> dict[str, Any]:
    return {
        "for": [votes.for_count, list(votes.for_parties)],
        "imod": [votes.imod_count, list(votes.imod_parties)],
        "undlader": [votes.undlader_count, list(votes.undlader_parties)],
    }


def _votes(data: dict[str, Any]) -> Votes:
    def side(name: str) -> tuple[int, tuple[str, ...]]:
        count, parties = data.get(name) or [0, []]
        return int(count), tuple(str(p) for p in parties)

    for_count, for_parties = side("for")
    imod_count, imod_parties = side("imod")
    undlader_count, undlader_parties = side("undlader")
    return Votes(for_count, for_parties, imod_count, imod_parties, undlader_count, undlader_parties)


def _decision(row: PunktDecisionRow) -> DecisionRecord:
    return DecisionRecord(
        punkt_id=row.punkt_id,
        beslutning=row.beslutning,
        votes=_votes(row.votes or {}),
        inhabile=[int(p) for p in row.inhabile or []],
        remarks=[
            StoredRemark(person_id=int(r["person_id"]), text=str(r["text"]))
            for r in row.remarks or []
        ],
        public_beslutning=row.public_beslutning,
        updated_at=row.updated_at,
        updated_by=row.updated_by,
    )


class SqlDecisionRepository(_Repository):
    async def get(self, punkt_id: int) -> DecisionRecord | None:
        row = await self.session.get(PunktDecisionRow, punkt_id, populate_existing=True)
        return _decision(row) if row else None

    async def for_punkter(self, punkt_ids: list[int]) -> dict[int, DecisionRecord]:
        if not punkt_ids:
            return {}
        rows = await self.session.scalars(
            select(PunktDecisionRow)
            .where(col(PunktDecisionRow.punkt_id).in_(punkt_ids))
            .execution_options(populate_existing=True)
        )
        return {r.punkt_id: _decision(r) for r in rows}

    async def put(self, record: DecisionRecord) -> None:
        values: dict[str, Any] = {
            "beslutning": record.beslutning,
            "votes": _votes_json(record.votes),
            "inhabile": list(record.inhabile),
            "remarks": [{"person_id": r.person_id, "text": r.text} for r in record.remarks],
            "public_beslutning": record.public_beslutning,
            "updated_at": record.updated_at or _now(),
            "updated_by": record.updated_by,
        }
        result = await self.session.execute(
            update(PunktDecisionRow)
            .where(col(PunktDecisionRow.punkt_id) == record.punkt_id)
            .values(**values)
        )
        if _rowcount(result) == 0:
            self.session.add(PunktDecisionRow(punkt_id=record.punkt_id, **values))
            await self.session.flush()


def _protokol(row: ProtokolRow) -> ProtokolState:
    return ProtokolState(
        moede_id=row.moede_id,
        rev=row.rev,
        sent_at=row.sent_at,
        locked_at=row.locked_at,
        reopen_count=row.reopen_count,
    )


class SqlProtokolRepository(_Repository):
    async def get(self, moede_id: int) -> ProtokolState:
        row = await self.session.get(ProtokolRow, moede_id, populate_existing=True)
        return _protokol(row) if row else ProtokolState(moede_id=moede_id)

    async def save(self, state: ProtokolState, expected_rev: int) -> ProtokolState:
        """Compare-and-swap on ``rev``; the first save of a meeting inserts the row."""
        values: dict[str, Any] = {
            "sent_at": state.sent_at,
            "locked_at": state.locked_at,
            "reopen_count": state.reopen_count,
        }
        result = await self.session.execute(
            update(ProtokolRow)
            .where(
                col(ProtokolRow.moede_id) == state.moede_id,
                col(ProtokolRow.rev) == expected_rev,
            )
            .values(**values, rev=expected_rev + 1)
        )
        if _rowcount(result) != 1:
            exists = await self.session.scalar(
                select(col(ProtokolRow.moede_id)).where(col(ProtokolRow.moede_id) == state.moede_id)
            )
            if exists is not None or expected_rev != 0:
                raise StaleView()
            self.session.add(ProtokolRow(moede_id=state.moede_id, rev=1, **values))
            await self.session.flush()
        return dataclasses.replace(state, rev=expected_rev + 1)


def _approval(row: ProtokolApprovalRow) -> Approval:
    return Approval(moede_id=row.moede_id, person_id=row.person_id, approved_at=row.approved_at)


class SqlApprovalRepository(_Repository):
    async def for_moede(self, moede_id: int) -> list[Approval]:
        rows = await self.session.scalars(
            select(ProtokolApprovalRow)
            .where(col(ProtokolApprovalRow.moede_id) == moede_id)
            .order_by(col(ProtokolApprovalRow.approved_at), col(ProtokolApprovalRow.id))
        )
        return [_approval(r) for r in rows]

    async def add(self, approval: Approval) -> bool:
        exists = await self.session.scalar(
            select(col(ProtokolApprovalRow.id)).where(
                col(ProtokolApprovalRow.moede_id) == approval.moede_id,
                col(ProtokolApprovalRow.person_id) == approval.person_id,
            )
        )
        if exists is not None:
            return False
        self.session.add(
            ProtokolApprovalRow(
                moede_id=approval.moede_id,
                person_id=approval.person_id,
                approved_at=approval.approved_at,
            )
        )
        await self.session.flush()
        return True

    async def clear(self, moede_id: int) -> int:
        result = await self.session.execute(
            delete(ProtokolApprovalRow).where(col(ProtokolApprovalRow.moede_id) == moede_id)
        )
        return _rowcount(result)
