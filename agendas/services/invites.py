"""One-time invite links: created by an admin or secretary, accepted through /start <token>."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from agendas import rules
from agendas.errors import InvalidInput, InviteInvalid, NotAllowed
from agendas.model import ROLE_ALIASES, Actor, Invite, Membership, Person, Role, Udvalg
from agendas.ports import UnitOfWork
from agendas.services.common import audit, udvalg_by_code

DEFAULT_TTL = timedelta(days=7)
#: Telegram deep-link payloads allow A-Z, a-z, 0-9, _ and - up to 64 characters.
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
_PARTY = re.compile(r"^[A-ZÆØÅ]{1,3}$")


def hash_token(token: str) -> str:
    """Only this hash is stored: a leaked database does not leak usable links."""
    return hashlib.sha256(token.encode()).hexdigest()


def parse_role(text: str) -> Role:
    role = ROLE_ALIASES.get(text.strip().lower())
    if role is None:
        raise InvalidInput("err-role-unknown", role=text)
    return role


@dataclass(frozen=True, slots=True)
class IssuedInvite:
    invite: Invite
    udvalg: Udvalg
    token: str


async def create_invite(
    uow: UnitOfWork,
    actor: Actor,
    udvalg_code: str,
    role: Role,
    now: datetime,
    party: str | None = None,
    ttl: timedelta = DEFAULT_TTL,
    person_id: int | None = None,
) -> IssuedInvite:
    """Issue a single-use token; the caller turns it into a t.me deep link. With
    ``person_id`` (a roster member without Telegram) opening it links the opener's account to
    that member (``agendas.services.roster.invite_member``)."""
    if party is not None:
        party = party.strip().strip("()").upper()
        if not _PARTY.match(party):
            raise InvalidInput("err-party", party=party)
    async with uow:
        udvalg = await udvalg_by_code(uow, udvalg_code)
        if not rules.can_invite(actor, udvalg.id or 0):
            raise NotAllowed("err-not-secretary")
        if person_id is not None:
            await _roster_target(uow, person_id, udvalg.id or 0)
        token = secrets.token_urlsafe(24)
        invite = await uow.invites.add(
            Invite(
                udvalg_id=udvalg.id or 0,
                role=role,
                party=party,
                token_hash=hash_token(token),
                created_by=actor.person_id,
                expires_at=now + ttl,
                created_at=now,
                person_id=person_id,
            )
        )
        await audit(
            uow,
            actor,
            "invite.create",
            "invite",
            invite.id,
            now,
            udvalg.id,
            role=role.value,
            person_id=person_id,
        )
        await uow.commit()
    return IssuedInvite(invite=invite, udvalg=udvalg, token=token)


async def _roster_target(uow: UnitOfWork, person_id: int, udvalg_id: int) -> Person:
    """The roster member an invite is for: still a member of the udvalg, still without an
    account (else the invite is of no use any more)."""
    target = await uow.persons.get(person_id)
    seats = [m for m in await uow.memberships.find(person_id, udvalg_id) if m.role.is_member]
    if target is None or not seats:
        raise InviteInvalid("err-invite-member-gone")
    if target.telegram_id is not None:
        raise InviteInvalid("err-invite-member-linked", name=target.name)
    return target


@dataclass(frozen=True, slots=True)
class AcceptedInvite:
    udvalg: Udvalg
    role: Role
    already_member: bool
    #: The roster member the opener's account was linked to (an invite for a member).
    linked: Person | None = None


async def accept_invite(
    uow: UnitOfWork, person: Person, token: str, now: datetime
) -> AcceptedInvite:
    """Turn a valid token into a membership, or (an invite for a roster member) link the
    opener's Telegram account to that member. Forged, used and expired tokens are refused."""
    if not _TOKEN.match(token):
        raise InviteInvalid("err-invite-unknown")
    async with uow:
        invite = await uow.invites.by_hash(hash_token(token))
        if invite is None or invite.id is None:
            raise InviteInvalid("err-invite-unknown")
        if invite.used_at is not None:
            raise InviteInvalid("err-invite-used")
        if invite.expires_at <= now:
            raise InviteInvalid("err-invite-expired")
        udvalg = await uow.udvalg.get(invite.udvalg_id)
        if udvalg is None:
            raise InviteInvalid("err-invite-unknown")
        if invite.person_id is not None:
            linked = await _link(uow, person, invite, udvalg, now)
            await uow.commit()
            return AcceptedInvite(
                udvalg=udvalg, role=invite.role, already_member=False, linked=linked
            )
        if not await uow.invites.mark_used(invite.id, person.id or 0, now):
            raise InviteInvalid("err-invite-used")
        existing = await uow.memberships.find(person.id or 0, udvalg.id or 0)
        same = [m for m in existing if m.role is invite.role]
        if same:
            if invite.party and same[0].party != invite.party:
                old_party = same[0].party
                same[0].party = invite.party
                await uow.memberships.update(same[0])
                await audit(
                    uow,
                    Actor(person_id=person.id or 0),
                    "membership.update",
                    "membership",
                    same[0].id,
                    now,
                    udvalg.id,
                    person_id=person.id,
                    old_party=old_party,
                    party=invite.party,
                    via_invite=invite.id,
                )
        else:
            membership = await uow.memberships.add(
                Membership(
                    person_id=person.id or 0,
                    udvalg_id=udvalg.id or 0,
                    role=invite.role,
                    party=invite.party,
                    created_at=now,
                )
            )
            await audit(
                uow,
                Actor(person_id=person.id or 0),
                "membership.create",
                "membership",
                membership.id,
                now,
                udvalg.id,
                person_id=person.id,
                role=invite.role.value,
                via_invite=invite.id,
            )
        await uow.commit()
    return AcceptedInvite(udvalg=udvalg, role=invite.role, already_member=bool(same))


async def _link(
    uow: UnitOfWork, opener: Person, invite: Invite, udvalg: Udvalg, now: datetime
) -> Person:
    """Link the opener's Telegram account to the roster member the invite is for.

    The opener's own person record (made when they wrote to the bot) is merged away: it is
    deleted and the member gets its Telegram id, username and language (the roster's name
    stays: it is the name the protocol prints). An opener who already has a role anywhere is
    refused: their records would be split between two persons.
    """
    target_id = invite.person_id or 0
    if opener.id == target_id:
        raise InviteInvalid("err-invite-used")
    target = await _roster_target(uow, target_id, udvalg.id or 0)
    if await uow.memberships.for_person(opener.id or 0):
        raise InviteInvalid("err-invite-has-roles", name=target.name, code=udvalg.code)
    if not await uow.invites.mark_used(invite.id or 0, target_id, now):
        raise InviteInvalid("err-invite-used")
    telegram_id = opener.telegram_id
    await uow.persons.delete(opener.id or 0)
    await uow.persons.set_telegram(target_id, telegram_id)
    target.telegram_id = telegram_id
    target.username = opener.username
    target.language = opener.language or target.language
    target.is_admin = target.is_admin or opener.is_admin
    await uow.persons.update(target)
    await audit(
        uow,
        Actor(person_id=target_id),
        "roster.link",
        "person",
        target_id,
        now,
        udvalg.id,
        name=target.name,
        merged_person=opener.id,
        via_invite=invite.id,
    )
    return target
