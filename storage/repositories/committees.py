"""Committee repositories: udvalg, persons, memberships, invites and the audit trail."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import bindparam, delete, update
from sqlalchemy import select as core_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from agendas.model import AuditEvent, Identity, Invite, Membership, Person, Role, Udvalg
from storage.mapping import row_values, to_entity
from storage.repositories.base import SqlRepository, rowcount, utcnow
from storage.tables import (
    AuditEventRow,
    FsmStateRow,
    InviteRow,
    MembershipRow,
    PersonRow,
    RecipientStatusRow,
    UdvalgRow,
)

#: Who a Telegram user is, in one statement: the person's columns, one row per membership (or
#: one with NULLs), and the "blocked the bot" mark of their private chat. Built once, so
#: SQLAlchemy compiles it once.
_IDENTITY = (
    core_select(
        col(PersonRow.id),
        col(PersonRow.telegram_id),
        col(PersonRow.name),
        col(PersonRow.username),
        col(PersonRow.language),
        col(PersonRow.is_admin),
        col(PersonRow.name_fixed),
        col(MembershipRow.udvalg_id),
        col(MembershipRow.role),
        col(RecipientStatusRow.unreachable_since),
    )
    .select_from(PersonRow)
    .outerjoin(MembershipRow, col(MembershipRow.person_id) == col(PersonRow.id))
    .outerjoin(RecipientStatusRow, col(RecipientStatusRow.chat_id) == col(PersonRow.telegram_id))
    .where(col(PersonRow.telegram_id) == bindparam("telegram_id"))
)
#: The same, with the update's dialog state and data (``SqlUnitOfWork.expect_state``): every
#: update needs both, so they come in one statement.
_IDENTITY_AND_STATE = _IDENTITY.add_columns(
    core_select(col(FsmStateRow.state))
    .where(col(FsmStateRow.key) == bindparam("fsm_key"))
    .scalar_subquery()
    .label("fsm_state"),
    core_select(col(FsmStateRow.data))
    .where(col(FsmStateRow.key) == bindparam("fsm_key"))
    .scalar_subquery()
    .label("fsm_data"),
)

# --- udvalg -----------------------------------------------------------------------------------


class SqlUdvalgRepository(SqlRepository):
    async def add(self, udvalg: Udvalg) -> Udvalg:
        row = UdvalgRow(
            **row_values(udvalg, exclude=("id",), created_at=udvalg.created_at or utcnow())
        )
        self.session.add(row)
        await self.session.flush()
        return to_entity(row, Udvalg)

    async def get(self, udvalg_id: int) -> Udvalg | None:
        row = await self.session.get(UdvalgRow, udvalg_id)
        return to_entity(row, Udvalg) if row else None

    async def by_code(self, code: str) -> Udvalg | None:
        row = await self.session.scalar(select(UdvalgRow).where(col(UdvalgRow.code) == code))
        return to_entity(row, Udvalg) if row else None

    async def list_all(self) -> list[Udvalg]:
        rows = await self.session.scalars(select(UdvalgRow).order_by(col(UdvalgRow.code)))
        return [to_entity(r, Udvalg) for r in rows]

    async def set_meeting_minutes(self, udvalg_id: int, minutes: int) -> None:
        await self.session.execute(
            update(UdvalgRow).where(col(UdvalgRow.id) == udvalg_id).values(meeting_minutes=minutes)
        )


# --- person -----------------------------------------------------------------------------------


class SqlPersonRepository(SqlRepository):
    async def add(self, person: Person) -> Person:
        row = PersonRow(**row_values(person, exclude=("id",), created_at=utcnow()))
        self.session.add(row)
        await self.session.flush()
        return to_entity(row, Person)

    async def get(self, person_id: int) -> Person | None:
        row = await self.session.get(PersonRow, person_id)
        return to_entity(row, Person) if row else None

    async def many(self, person_ids: Sequence[int]) -> dict[int, Person]:
        ids = sorted(set(person_ids))
        found: dict[int, Person] = {}
        for start in range(0, len(ids), 500):  # under the bound-parameter limits
            rows = await self.session.scalars(
                select(PersonRow).where(col(PersonRow.id).in_(ids[start : start + 500]))
            )
            found.update((row.id or 0, to_entity(row, Person)) for row in rows)
        return found

    async def by_telegram_id(self, telegram_id: int) -> Person | None:
        row = await self.session.scalar(
            select(PersonRow).where(col(PersonRow.telegram_id) == telegram_id)
        )
        return to_entity(row, Person) if row else None

    async def identity(self, telegram_id: int) -> Identity | None:
        key = self.session.info.get("fsm_key")
        if key is None:
            rows = (await self.rows(_IDENTITY, {"telegram_id": telegram_id})).all()
        else:
            rows = (
                await self.rows(_IDENTITY_AND_STATE, {"telegram_id": telegram_id, "fsm_key": key})
            ).all()
        if not rows:
            return None
        first = rows[0]
        if key is not None:
            self.session.info["fsm_state"] = {key: (first.fsm_state, dict(first.fsm_data or {}))}
        person = Person(
            telegram_id=first.telegram_id,
            name=first.name,
            username=first.username,
            language=first.language,
            is_admin=first.is_admin,
            id=first.id,
            name_fixed=first.name_fixed,
        )
        roles: dict[int, set[Role]] = {}
        for row in rows:
            if row.udvalg_id is not None:
                roles.setdefault(row.udvalg_id, set()).add(Role(row.role))
        return Identity(
            person=person,
            roles={udvalg_id: frozenset(found) for udvalg_id, found in roles.items()},
            unreachable=first.unreachable_since is not None,
        )

    async def get_or_add(self, person: Person) -> Person:
        telegram_id = person.telegram_id
        if telegram_id is None:
            return await self.add(person)
        found = await self.by_telegram_id(telegram_id)
        if found is not None:
            return found
        try:
            # A savepoint: losing the race must not end the caller's transaction.
            async with self.session.begin_nested():
                added = await self.add(person)
        except IntegrityError:
            found = await self.by_telegram_id(telegram_id)
            if found is None:
                raise
            return found
        return added

    async def update(self, person: Person) -> None:
        await self.session.execute(
            update(PersonRow)
            .where(col(PersonRow.id) == person.id)
            .values(**row_values(person, exclude=("id", "telegram_id")))
        )

    async def set_telegram(self, person_id: int, telegram_id: int | None) -> None:
        await self.session.execute(
            update(PersonRow).where(col(PersonRow.id) == person_id).values(telegram_id=telegram_id)
        )

    async def delete(self, person_id: int) -> None:
        await self.session.execute(delete(PersonRow).where(col(PersonRow.id) == person_id))


# --- membership -------------------------------------------------------------------------------


def _membership(row: MembershipRow) -> Membership:
    return to_entity(row, Membership, role=Role(row.role))


class SqlMembershipRepository(SqlRepository):
    async def add(self, membership: Membership) -> Membership:
        created_at = membership.created_at or utcnow()
        row = MembershipRow(**row_values(membership, exclude=("id",), created_at=created_at))
        self.session.add(row)
        await self.session.flush()
        return _membership(row)

    async def update(self, membership: Membership) -> None:
        await self.session.execute(
            update(MembershipRow)
            .where(col(MembershipRow.id) == membership.id)
            .values(
                role=membership.role.value,
                party=membership.party,
                substitute_for=membership.substitute_for,
                since=membership.since,
            )
        )

    async def delete(self, membership_id: int) -> None:
        await self.session.execute(
            delete(MembershipRow).where(col(MembershipRow.id) == membership_id)
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
    return to_entity(row, Invite, role=Role(row.role))


class SqlInviteRepository(SqlRepository):
    async def add(self, invite: Invite) -> Invite:
        row = InviteRow(
            **row_values(invite, exclude=("id",), created_at=invite.created_at or utcnow())
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
    return to_entity(row, AuditEvent, details=dict(row.details or {}))


class SqlAuditRepository(SqlRepository):
    async def add(self, event: AuditEvent) -> None:
        self.session.add(
            AuditEventRow(
                **row_values(
                    event,
                    exclude=("id",),
                    details=_json_safe(event.details),
                    at=event.at or utcnow(),
                )
            )
        )
        await self.session.flush()

    async def since(self, udvalg_id: int, since: datetime) -> list[AuditEvent]:
        rows = await self.session.scalars(
            select(AuditEventRow)
            .where(col(AuditEventRow.udvalg_id) == udvalg_id, col(AuditEventRow.at) >= since)
            .order_by(col(AuditEventRow.at), col(AuditEventRow.id))
        )
        return [_audit(r) for r in rows]

    async def list_recent(self, limit: int = 50) -> list[AuditEvent]:
        rows = await self.session.scalars(
            select(AuditEventRow)
            .order_by(col(AuditEventRow.at).desc(), col(AuditEventRow.id).desc())
            .limit(limit)
        )
        return [_audit(r) for r in rows]
