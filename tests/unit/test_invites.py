"""One-time invite links: who may issue them, and how they are accepted exactly once."""

from __future__ import annotations

from datetime import timedelta

import pytest

from agendas.errors import InvalidInput, InviteInvalid, NotAllowed, NotFound
from agendas.model import Role
from agendas.services import invites
from tests.unit.conftest import NOW, World


async def test_secretary_creates_an_invite_whose_token_is_not_stored(world: World) -> None:
    issued = await invites.create_invite(world.uow, world.secretary, "beu", Role.MEDLEM, NOW)

    assert issued.udvalg.code == "BEU"
    assert 20 <= len(issued.token) <= 64
    stored = world.uow.committed_state.invites[issued.invite.id or 0]
    assert stored.token_hash == invites.hash_token(issued.token)
    assert issued.token not in repr(world.uow.committed_state)
    assert stored.expires_at == NOW + invites.DEFAULT_TTL
    assert (stored.role, stored.created_by, stored.used_at) == (
        Role.MEDLEM,
        world.secretary.person_id,
        None,
    )
    event = world.uow.events[-1]
    assert (event.action, event.actor_id, event.entity_id, event.udvalg_id) == (
        "invite.create",
        world.secretary.person_id,
        issued.invite.id,
        world.beu.id,
    )
    assert issued.token not in repr(event)


async def test_admin_may_invite_to_any_committee_and_tokens_differ(world: World) -> None:
    a = await invites.create_invite(world.uow, world.admin, "SOU", Role.SEKRETAER, NOW)
    b = await invites.create_invite(world.uow, world.admin, "SOU", Role.SEKRETAER, NOW)
    assert a.token != b.token
    assert len(world.uow.committed_state.invites) == 2


@pytest.mark.parametrize("who", ["member", "tovholder", "outsider", "sou_secretary"])
async def test_others_may_not_invite(world: World, who: str) -> None:
    before = world.uow.snapshot()
    with pytest.raises(NotAllowed) as info:
        await invites.create_invite(world.uow, getattr(world, who), "BEU", Role.MEDLEM, NOW)
    assert info.value.key == "err-not-secretary"
    assert world.uow.committed_state == before


async def test_unknown_committee_and_bad_party_are_refused(world: World) -> None:
    before = world.uow.snapshot()
    with pytest.raises(NotFound) as unknown:
        await invites.create_invite(world.uow, world.admin, "XYZ", Role.MEDLEM, NOW)
    assert unknown.value.key == "err-udvalg-unknown"
    assert unknown.value.params == {"code": "XYZ"}
    with pytest.raises(InvalidInput) as party:
        await invites.create_invite(world.uow, world.admin, "BEU", Role.MEDLEM, NOW, party="A1")
    assert party.value.key == "err-party"
    assert world.uow.committed_state == before


def test_parse_role_accepts_danish_and_english_words() -> None:
    assert invites.parse_role("Sekretær") == Role.SEKRETAER
    assert invites.parse_role(" medlem ") == Role.MEDLEM
    assert invites.parse_role("substitute") == Role.STEDFORTRAEDER
    with pytest.raises(InvalidInput) as info:
        invites.parse_role("konge")
    assert info.value.key == "err-role-unknown"


async def test_accepting_makes_the_person_a_member_once(world: World) -> None:
    issued = await invites.create_invite(
        world.uow, world.secretary, "BEU", Role.FORMAND, NOW, party="(a)"
    )
    outsider = world.persons["outsider"]

    accepted = await invites.accept_invite(world.uow, outsider, issued.token, NOW)

    assert (accepted.udvalg.code, accepted.role, accepted.already_member) == (
        "BEU",
        Role.FORMAND,
        False,
    )
    memberships = [
        m for m in world.uow.committed_state.memberships.values() if m.person_id == outsider.id
    ]
    assert [(m.udvalg_id, m.role, m.party) for m in memberships] == [
        (world.beu.id, Role.FORMAND, "A")
    ]
    stored = world.uow.committed_state.invites[issued.invite.id or 0]
    assert (stored.used_by, stored.used_at) == (outsider.id, NOW)
    event = world.uow.events[-1]
    assert (event.action, event.actor_id, event.udvalg_id) == (
        "membership.create",
        outsider.id,
        world.beu.id,
    )
    actor = await world.refresh("outsider")
    assert actor.roles_in(world.beu.id or 0) == frozenset({Role.FORMAND})

    before = world.uow.snapshot()
    with pytest.raises(InviteInvalid) as again:
        await invites.accept_invite(world.uow, world.persons["member"], issued.token, NOW)
    assert again.value.key == "err-invite-used"
    assert world.uow.committed_state == before


async def test_expired_invite_is_refused_and_stays_unused(world: World) -> None:
    issued = await invites.create_invite(
        world.uow, world.secretary, "BEU", Role.MEDLEM, NOW, ttl=timedelta(days=1)
    )
    before = world.uow.snapshot()
    with pytest.raises(InviteInvalid) as info:
        await invites.accept_invite(
            world.uow, world.persons["outsider"], issued.token, NOW + timedelta(days=1)
        )
    assert info.value.key == "err-invite-expired"
    assert world.uow.committed_state == before
    # A second earlier still works (the refusal did not burn the link).
    await invites.accept_invite(
        world.uow, world.persons["outsider"], issued.token, NOW + timedelta(hours=23)
    )


@pytest.mark.parametrize(
    "token",
    ["", "short", "a" * 65, "has spaces in it and is long enough", "x" * 32, "<script>" * 4],
)
async def test_forged_tokens_are_refused(world: World, token: str) -> None:
    await invites.create_invite(world.uow, world.secretary, "BEU", Role.MEDLEM, NOW)
    before = world.uow.snapshot()
    with pytest.raises(InviteInvalid) as info:
        await invites.accept_invite(world.uow, world.persons["outsider"], token, NOW)
    assert info.value.key == "err-invite-unknown"
    assert world.uow.committed_state == before


async def test_existing_member_gets_no_duplicate_but_party_is_updated(world: World) -> None:
    issued = await invites.create_invite(
        world.uow, world.secretary, "BEU", Role.MEDLEM, NOW, party="V"
    )
    member = world.persons["member"]
    accepted = await invites.accept_invite(world.uow, member, issued.token, NOW)

    assert accepted.already_member
    memberships = [
        m for m in world.uow.committed_state.memberships.values() if m.person_id == member.id
    ]
    assert [(m.role, m.party) for m in memberships] == [(Role.MEDLEM, "V")]
    event = world.uow.events[-1]
    assert (event.action, event.entity, event.actor_id) == (
        "membership.update",
        "membership",
        member.id,
    )


async def test_second_role_in_the_same_committee_is_added(world: World) -> None:
    issued = await invites.create_invite(world.uow, world.admin, "BEU", Role.TOVHOLDER, NOW)
    accepted = await invites.accept_invite(world.uow, world.persons["member"], issued.token, NOW)
    assert not accepted.already_member
    actor = await world.refresh("member")
    assert actor.roles_in(world.beu.id or 0) == frozenset({Role.MEDLEM, Role.TOVHOLDER})
