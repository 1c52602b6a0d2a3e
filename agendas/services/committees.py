"""Committees and the people in them."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import datetime

from agendas import rules
from agendas.errors import InvalidInput, NotAllowed
from agendas.model import (
    MAX_MEETING_MINUTES,
    MIN_MEETING_MINUTES,
    Actor,
    Membership,
    Person,
    Role,
    Udvalg,
)
from agendas.ports import UnitOfWork
from agendas.services.common import audit, require_editor, require_reader, udvalg_by_code

_CODE = re.compile(r"^[A-ZÆØÅ][A-ZÆØÅ0-9]{1,9}$")


def normalise_code(code: str) -> str:
    value = code.strip().upper()
    if not _CODE.match(value):
        raise InvalidInput("err-udvalg-code", code=code)
    return value


def require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise NotAllowed("err-not-admin")


def _clean_name(name: str) -> str:
    value = " ".join(name.split())
    if not value or len(value) > rules.MAX_NAME:
        raise InvalidInput("err-udvalg-name", limit=rules.MAX_NAME)
    return value


async def _require_free_code(uow: UnitOfWork, code: str) -> None:
    if await uow.udvalg.by_code(code) is not None:
        raise InvalidInput("err-udvalg-exists", code=code)


async def check_new_udvalg(uow: UnitOfWork, actor: Actor, code: str, name: str) -> tuple[str, str]:
    """What /nytudvalg can check before it asks for the forvaltning: the clean code and name."""
    require_admin(actor)
    value, clean = normalise_code(code), _clean_name(name)
    async with uow:
        await _require_free_code(uow, value)
    return value, clean


async def create_udvalg(
    uow: UnitOfWork, actor: Actor, code: str, name: str, forvaltning: str, now: datetime
) -> Udvalg:
    """Create a committee; admins only. The code is its short name (BEU, SOU, ØU)."""
    require_admin(actor)
    value, name = normalise_code(code), _clean_name(name)
    forvaltning = " ".join(forvaltning.split())
    if not forvaltning or len(forvaltning) > rules.MAX_NAME:
        raise InvalidInput("err-forvaltning", limit=rules.MAX_NAME)
    async with uow:
        await _require_free_code(uow, value)
        udvalg = await uow.udvalg.add(
            Udvalg(code=value, name=name, forvaltning=forvaltning, created_at=now)
        )
        await audit(
            uow, actor, "udvalg.create", "udvalg", udvalg.id, now, udvalg.id, code=value, name=name
        )
        await uow.commit()
    return udvalg


async def identify(
    uow: UnitOfWork,
    telegram_id: int,
    name: str,
    username: str | None,
    language: str | None,
    admin_ids: frozenset[int],
    private_chat: bool = False,
) -> tuple[Person, Actor]:
    """Find or register the person behind a Telegram user and resolve their roles.

    Called once per update: one read (the person, their roles and the reachability mark);
    writes only when something about the person changed.
    ``private_chat``: the update is a message the person wrote to the bot in private, so the
    bot may write to them again even if they had blocked it (see ``_reachable_again``).
    """
    is_admin = telegram_id in admin_ids
    async with uow:
        known = await uow.persons.identity(telegram_id)
        if known is None:
            # get_or_add: a second update of the same new person may be registering them now.
            person = await uow.persons.get_or_add(
                Person(telegram_id=telegram_id, name=name, username=username, is_admin=is_admin)
            )
            if private_chat:
                await _reachable_again(uow, telegram_id)
            await uow.commit()
            return person, actor_for(person, await uow.memberships.for_person(person.id or 0))
        person, changed = known.person, False
        if (
            (person.name != name and not person.name_fixed)
            or person.username != username
            or (is_admin and not person.is_admin)
        ):
            # A name given on the roster stays: it is the name the protocol prints.
            person.name = person.name if person.name_fixed else name
            person.username = username
            person.is_admin = person.is_admin or is_admin
            await uow.persons.update(person)
            changed = True
        if private_chat and known.unreachable:
            # Telegram delivers to them again once they write to the bot in private.
            await uow.reachability.mark(telegram_id, None)
            changed = True
        if changed:
            await uow.commit()
    return person, Actor(person_id=person.id or 0, is_admin=person.is_admin, roles=known.roles)


async def _reachable_again(uow: UnitOfWork, chat_id: int) -> bool:
    """Clear the "blocked the bot" mark of a person who writes to the bot in private again
    (for a person seen for the first time; ``identify`` reads the mark with the person)."""
    if not await uow.reachability.unreachable([chat_id]):
        return False
    await uow.reachability.mark(chat_id, None)
    return True


def actor_for(person: Person, memberships: list[Membership]) -> Actor:
    roles: dict[int, set[Role]] = defaultdict(set)
    for m in memberships:
        roles[m.udvalg_id].add(m.role)
    return Actor(
        person_id=person.id or 0,
        is_admin=person.is_admin,
        roles={k: frozenset(v) for k, v in roles.items()},
    )


async def set_language(uow: UnitOfWork, person_id: int, language: str) -> None:
    if language not in {"da", "en"}:
        raise InvalidInput("err-language")
    async with uow:
        person = await uow.persons.get(person_id)
        if person is None:
            return
        person.language = language
        await uow.persons.update(person)
        await uow.commit()


async def my_udvalg(uow: UnitOfWork, actor: Actor) -> list[tuple[Udvalg, frozenset[Role]]]:
    """The committees this person has a role in (admins see all), with their roles."""
    async with uow:
        everything = await uow.udvalg.list_all()
    return [
        (u, actor.roles_in(u.id or 0))
        for u in everything
        if actor.is_admin or actor.roles_in(u.id or 0)
    ]


async def members(uow: UnitOfWork, udvalg_id: int) -> list[tuple[Membership, Person]]:
    async with uow:
        memberships = await uow.memberships.for_udvalg(udvalg_id)
        persons = await uow.persons.many([m.person_id for m in memberships])
    return [(m, persons[m.person_id]) for m in memberships if m.person_id in persons]


async def udvalg_for_editor(uow: UnitOfWork, actor: Actor, code: str) -> Udvalg:
    """The udvalg ``code`` if this person is its sekretær (or an admin); else a clear refusal."""
    async with uow:
        udvalg = await udvalg_by_code(uow, code)
    require_editor(actor, udvalg.id or 0)
    return udvalg


async def readable_udvalg(uow: UnitOfWork, actor: Actor, code: str) -> Udvalg:
    """The udvalg ``code`` if this person has any role in it (or is an admin); else a refusal."""
    async with uow:
        udvalg = await udvalg_by_code(uow, code)
    require_reader(actor, udvalg.id or 0)
    return udvalg


#: "90", "90 min", "90 minutter".
_MINUTES = re.compile(r"(\d{1,5})\s*(?:min(?:utter)?\.?)?", re.IGNORECASE)


def parse_meeting_minutes(text: str, code: str) -> int:
    """The usual meeting length typed by the secretary, in whole minutes within the limits."""
    found = _MINUTES.fullmatch(text.strip())
    minutes = int(found[1]) if found else 0
    if not MIN_MEETING_MINUTES <= minutes <= MAX_MEETING_MINUTES:
        raise InvalidInput(
            "err-udvalg-length", low=MIN_MEETING_MINUTES, high=MAX_MEETING_MINUTES, code=code
        )
    return minutes


async def set_meeting_length(
    uow: UnitOfWork, actor: Actor, code: str, text: str, now: datetime
) -> Udvalg:
    """/moedelaengde KODE minutter: how long the udvalg's meetings usually last; the calendar
    invitations sent from now on have that length. Only its sekretær (or an admin)."""
    async with uow:
        udvalg = await udvalg_by_code(uow, code)
        require_editor(actor, udvalg.id or 0)
        minutes = parse_meeting_minutes(text, udvalg.code)
        await uow.udvalg.set_meeting_minutes(udvalg.id or 0, minutes)
        await audit(
            uow,
            actor,
            "udvalg.meeting_length",
            "udvalg",
            udvalg.id,
            now,
            udvalg.id,
            minutes=minutes,
        )
        await uow.commit()
    udvalg.meeting_minutes = minutes
    return udvalg
