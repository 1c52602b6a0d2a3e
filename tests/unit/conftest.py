"""Unit-test fixtures: a fake unit of work seeded with two committees and their people."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

import pytest

from agendas.model import Actor, Membership, Person, Role, Udvalg
from agendas.services.committees import actor_for
from agendas.services.meetings import create_moede
from tests.support.fakes import FakeUnitOfWork

#: "Now" in every unit test: a Monday morning in late November 2026.
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
TODAY = NOW.date()
ZONE = "Europe/Copenhagen"
#: The meeting day used throughout (a Tuesday).
MEETING_DAY = date(2027, 1, 12)
MEETING_TIME = time(14, 0)


@dataclass
class World:
    """Who is who in the seeded fake database."""

    uow: FakeUnitOfWork
    beu: Udvalg
    sou: Udvalg
    admin: Actor
    secretary: Actor
    member: Actor
    tovholder: Actor
    outsider: Actor
    sou_secretary: Actor
    persons: dict[str, Person]

    async def refresh(self, name: str) -> Actor:
        """The actor as ``identify`` would resolve them now (after new memberships)."""
        person = self.persons[name]
        async with self.uow:
            memberships = await self.uow.memberships.for_person(person.id or 0)
        return actor_for(person, memberships)

    async def new_moede(self, day: date = MEETING_DAY, udvalg: str = "BEU") -> int:
        actor = self.secretary if udvalg == "BEU" else self.sou_secretary
        moede, _ = await create_moede(
            self.uow, actor, udvalg, day, MEETING_TIME, "Rådhuset", NOW, ZONE
        )
        assert moede.id is not None
        return moede.id


async def seed() -> World:
    uow = FakeUnitOfWork()
    async with uow:
        beu = await uow.udvalg.add(
            Udvalg(code="BEU", name="Beskæftigelsesudvalget", forvaltning="Jobforvaltningen")
        )
        sou = await uow.udvalg.add(
            Udvalg(code="SOU", name="Socialudvalget", forvaltning="Socialforvaltningen")
        )
        persons: dict[str, Person] = {}
        for telegram_id, name in enumerate(
            ("admin", "secretary", "member", "tovholder", "outsider", "sou_secretary"), 1001
        ):
            persons[name] = await uow.persons.add(
                Person(telegram_id=telegram_id, name=name.title(), is_admin=name == "admin")
            )
        roles = {
            "secretary": (beu, Role.SEKRETAER),
            "member": (beu, Role.MEDLEM),
            "tovholder": (beu, Role.TOVHOLDER),
            "sou_secretary": (sou, Role.SEKRETAER),
        }
        memberships: dict[str, list[Membership]] = {name: [] for name in persons}
        for name, (udvalg, role) in roles.items():
            memberships[name].append(
                await uow.memberships.add(
                    Membership(person_id=persons[name].id or 0, udvalg_id=udvalg.id or 0, role=role)
                )
            )
        await uow.commit()
    actors = {name: actor_for(persons[name], memberships[name]) for name in persons}
    return World(uow=uow, beu=beu, sou=sou, persons=persons, **actors)


@pytest.fixture
async def world() -> World:
    return await seed()
