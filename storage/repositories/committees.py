"""Committee repositories: udvalg, persons, memberships, invites and the audit trail."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from agendas.model import AuditEvent, Invite, Membership, Person, Role, Udvalg
from storage.repositories.base import SqlRepository, rowcount, utcnow
from storage.tables import AuditEventRow, InviteRow, MembershipRow, PersonRow, UdvalgRow

# --- udvalg -----------------------------------------------------------------------------------


def _udvalg(row: UdvalgRow) -> Udvalg:
    return Udvalg(
        code=row.code,
        name=row.name,
        forvaltning=row.forvaltning,
        id=row.id,
        created_at=row.created_at,
    )


class SqlUdvalgRepository(SqlRepository):
    async def add(self, udvalg: Udvalg) -> Udvalg:
        row = UdvalgRow(
            code=udvalg.code,
            name=udvalg.name,
            forvaltning=udvalg.forvaltning,
            created_at=udvalg.created_at or utcnow(),
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


class SqlPersonRepository(SqlRepository):
    async def add(self, person: Person) -> Person:
        row = PersonRow(
            telegram_id=person.telegram_id,
            name=person.name,
            username=person.username,
            language=person.language,
            is_admin=person.is_admin,
            created_at=utcnow(),
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


class SqlMembershipRepository(SqlRepository):
    async def add(self, membership: Membership) -> Membership:
        row = MembershipRow(
            person_id=membership.person_id,
            udvalg_id=membership.udvalg_id,
            role=membership.role.value,
            party=membership.party,
            created_at=membership.created_at or utcnow(),
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


class SqlInviteRepository(SqlRepository):
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
            created_at=invite.created_at or utcnow(),
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
        return rowcount(result) == 1


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


class SqlAuditRepository(SqlRepository):
    async def add(self, event: AuditEvent) -> None:
        self.session.add(
            AuditEventRow(
                actor_id=event.actor_id,
                action=event.action,
                entity=event.entity,
                entity_id=event.entity_id,
                udvalg_id=event.udvalg_id,
                details=_json_safe(event.details),
                at=event.at or utcnow(),
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
