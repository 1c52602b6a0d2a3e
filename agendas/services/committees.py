"""Committees and the people in them."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import datetime

from agendas import rules
from agendas.errors import InvalidInput, NotAllowed
from agendas.model import Actor, Membership, Person, Role, Udvalg
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

    Called once per update; writes only when something about the person changed.
    ``private_chat``: the update is a message the person wrote to the bot in private, so the
    bot may write to them again even if they had blocked it (see ``_reachable_again``).
    """
    async with uow:
        person = await uow.persons.by_telegram_id(telegram_id)
        is_admin = telegram_id in admin_ids
        changed = False
        if person is None:
            # get_or_add: a second update of the same new person may be registering them now.
            person = await uow.persons.get_or_add(
                Person(telegram_id=telegram_id, name=name, username=username, is_admin=is_admin)
            )
            changed = True
        elif (
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
        if private_chat and await _reachable_again(uow, telegram_id):
            changed = True
        if changed:
            await uow.commit()
        memberships = await uow.memberships.for_person(person.id or 0)
    return person, actor_for(person, memberships)


async def _reachable_again(uow: UnitOfWork, chat_id: int) -> bool:
    """Clear the "blocked the bot" mark of a person who writes to the bot in private again.

    Telegram delivers to them again once they do, so later mailings reach them. One indexed
    lookup per private message; a write only when there was a mark.
    """
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
