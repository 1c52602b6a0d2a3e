"""Committees: created by admins only; people are registered and resolved per update."""

from __future__ import annotations

import pytest

from agendas.errors import InvalidInput, NotAllowed
from agendas.model import Membership, Role
from agendas.services import committees
from tests.support.fakes import FakeUnitOfWork
from tests.unit.conftest import NOW, World


async def test_admin_creates_a_committee_with_an_audit_record(world: World) -> None:
    udvalg = await committees.create_udvalg(
        world.uow, world.admin, " øu ", "  Økonomi-\n udvalget ", "Økonomiforvaltningen", NOW
    )

    assert (udvalg.code, udvalg.name, udvalg.forvaltning) == (
        "ØU",
        "Økonomi- udvalget",
        "Økonomiforvaltningen",
    )
    async with world.uow:
        stored = await world.uow.udvalg.by_code("ØU")
    assert stored is not None and stored.id == udvalg.id
    event = world.uow.events[-1]
    assert (event.action, event.entity, event.entity_id, event.actor_id, event.udvalg_id) == (
        "udvalg.create",
        "udvalg",
        udvalg.id,
        world.admin.person_id,
        udvalg.id,
    )
    assert event.at == NOW


@pytest.mark.parametrize("who", ["secretary", "member", "outsider", "sou_secretary"])
async def test_only_admins_create_committees(world: World, who: str) -> None:
    before = world.uow.snapshot()
    with pytest.raises(NotAllowed) as info:
        await committees.create_udvalg(
            world.uow, getattr(world, who), "KFU", "Kultur", "Kulturforvaltningen", NOW
        )
    assert info.value.key == "err-not-admin"
    assert world.uow.committed_state == before


@pytest.mark.parametrize(
    ("code", "name", "forvaltning", "key"),
    [
        ("B", "Navn", "Forv", "err-udvalg-code"),
        ("1BE", "Navn", "Forv", "err-udvalg-code"),
        ("BE-U", "Navn", "Forv", "err-udvalg-code"),
        ("ABCDEFGHIJK", "Navn", "Forv", "err-udvalg-code"),
        ("", "Navn", "Forv", "err-udvalg-code"),
        ("KFU", "   ", "Forv", "err-udvalg-name"),
        ("KFU", "x" * 121, "Forv", "err-udvalg-name"),
        ("KFU", "Navn", "", "err-forvaltning"),
        ("KFU", "Navn", "y" * 121, "err-forvaltning"),
        ("beu", "Andet navn", "Forv", "err-udvalg-exists"),
    ],
)
async def test_bad_committee_input_is_refused_and_changes_nothing(
    world: World, code: str, name: str, forvaltning: str, key: str
) -> None:
    before = world.uow.snapshot()
    commits = world.uow.committed
    with pytest.raises(InvalidInput) as info:
        await committees.create_udvalg(world.uow, world.admin, code, name, forvaltning, NOW)
    assert info.value.key == key
    assert world.uow.committed_state == before
    assert world.uow.committed == commits


def test_codes_are_normalised_to_upper_case() -> None:
    assert committees.normalise_code(" beu ") == "BEU"
    assert committees.normalise_code("øu") == "ØU"
    assert committees.normalise_code("KB2") == "KB2"


async def test_identify_registers_a_new_person_once() -> None:
    uow = FakeUnitOfWork()
    person, actor = await committees.identify(uow, 77, "Ida", "ida", "da", frozenset())
    again, _ = await committees.identify(uow, 77, "Ida", "ida", "da", frozenset())

    assert person.id is not None and again.id == person.id
    assert len(uow.committed_state.persons) == 1
    assert uow.committed == 1  # the second call found nothing to change
    assert actor.person_id == person.id
    assert not actor.is_admin
    assert actor.roles == {}


async def test_identify_updates_name_and_username_and_grants_admin() -> None:
    uow = FakeUnitOfWork()
    first, _ = await committees.identify(uow, 77, "Ida", None, None, frozenset())
    person, actor = await committees.identify(uow, 77, "Ida Holm", "idah", None, frozenset({77}))

    stored = uow.committed_state.persons[first.id or 0]
    assert (stored.name, stored.username, stored.is_admin) == ("Ida Holm", "idah", True)
    assert actor.is_admin and person.is_admin


async def test_identify_resolves_roles_per_udvalg(world: World) -> None:
    person = world.persons["member"]
    async with world.uow:
        await world.uow.memberships.add(
            Membership(person_id=person.id or 0, udvalg_id=world.sou.id or 0, role=Role.FORMAND)
        )
        await world.uow.commit()

    _, actor = await committees.identify(
        world.uow, person.telegram_id, person.name, None, None, frozenset()
    )

    assert actor.roles_in(world.beu.id or 0) == frozenset({Role.MEDLEM})
    assert actor.roles_in(world.sou.id or 0) == frozenset({Role.FORMAND})
    assert actor.roles_in(999) == frozenset()


async def test_my_udvalg_lists_own_committees_and_all_for_admins(world: World) -> None:
    mine = await committees.my_udvalg(world.uow, world.member)
    assert [(u.code, roles) for u, roles in mine] == [("BEU", frozenset({Role.MEDLEM}))]
    assert [u.code for u, _ in await committees.my_udvalg(world.uow, world.admin)] == [
        "BEU",
        "SOU",
    ]
    assert await committees.my_udvalg(world.uow, world.outsider) == []


async def test_members_lists_people_with_their_roles(world: World) -> None:
    result = await committees.members(world.uow, world.beu.id or 0)
    assert sorted((p.name, m.role) for m, p in result) == [
        ("Member", Role.MEDLEM),
        ("Secretary", Role.SEKRETAER),
        ("Tovholder", Role.TOVHOLDER),
    ]


async def test_set_language_stores_da_or_en_and_refuses_others(world: World) -> None:
    person_id = world.persons["member"].id or 0
    await committees.set_language(world.uow, person_id, "en")
    assert world.uow.committed_state.persons[person_id].language == "en"

    before = world.uow.snapshot()
    with pytest.raises(InvalidInput) as info:
        await committees.set_language(world.uow, person_id, "de")
    assert info.value.key == "err-language"
    assert world.uow.committed_state == before
