"""The order and numbering of punkter, and who may see what."""

from __future__ import annotations

import itertools
import random

from hypothesis import given
from hypothesis import strategies as st

from agendas import rules
from agendas.model import Actor, Punkt, PunktKind, Role

GROUP_ORDER = ["godkendelse", "meddelelser", "open", "closed", "eventuelt"]


def group_name(punkt: Punkt) -> str:
    if punkt.kind is PunktKind.SAG:
        return "closed" if punkt.closed else "open"
    return punkt.kind.value


def punkt(kind: PunktKind, position: int, pid: int, closed: bool = False) -> Punkt:
    return Punkt(
        moede_id=1, kind=kind, title=f"{kind} {pid}", position=position, closed=closed, id=pid
    )


def test_standard_punkter_and_sager_come_in_municipal_order() -> None:
    items = [
        punkt(PunktKind.EVENTUELT, 2, 3),
        punkt(PunktKind.SAG, 5, 6, closed=True),
        punkt(PunktKind.SAG, 4, 5),
        punkt(PunktKind.MEDDELELSER, 1, 2),
        punkt(PunktKind.SAG, 3, 4),
        punkt(PunktKind.GODKENDELSE, 0, 1),
    ]
    random.Random(4).shuffle(items)

    result = rules.ordered(items)

    assert [p.id for p in result] == [1, 2, 4, 5, 6, 3]
    assert [p.number for p in result] == [1, 2, 3, 4, 5, 6]


def test_closing_a_sag_moves_it_after_the_open_ones_and_renumbers() -> None:
    first = punkt(PunktKind.SAG, 3, 10)
    second = punkt(PunktKind.SAG, 4, 11)
    items = [punkt(PunktKind.GODKENDELSE, 0, 1), first, second, punkt(PunktKind.EVENTUELT, 2, 3)]
    assert [p.number for p in rules.ordered(items)] == [1, 2, 3, 4]
    assert (first.number, second.number) == (2, 3)

    first.closed = True
    rules.ordered(items)

    assert (second.number, first.number) == (2, 3)


kinds = st.sampled_from(list(PunktKind))


@st.composite
def punkt_lists(draw: st.DrawFn) -> list[Punkt]:
    n = draw(st.integers(0, 25))
    return [
        Punkt(
            moede_id=1,
            kind=draw(kinds),
            title="x",
            position=draw(st.integers(-3, 30)),
            closed=draw(st.booleans()),
            id=i + 1,
            number=draw(st.integers(-5, 50)),
        )
        for i in range(n)
    ]


@given(punkt_lists(), st.randoms())
def test_ordered_numbers_one_to_n_and_keeps_the_group_order(
    items: list[Punkt], rnd: random.Random
) -> None:
    rnd.shuffle(items)
    result = rules.ordered(items)

    assert sorted(p.id or 0 for p in result) == sorted(p.id or 0 for p in items)
    assert [p.number for p in result] == list(range(1, len(items) + 1))
    groups = [GROUP_ORDER.index(group_name(p)) for p in result]
    assert groups == sorted(groups)
    # Within a group, the position decides.
    for a, b in itertools.pairwise(result):
        if group_name(a) == group_name(b):
            assert (a.position, a.id or 0) < (b.position, b.id or 0)


@given(punkt_lists())
def test_ordered_does_not_depend_on_the_input_order(items: list[Punkt]) -> None:
    forward = [p.id for p in rules.ordered(items)]
    backward = [p.id for p in rules.ordered(list(reversed(items)))]
    assert forward == backward


def test_renumber_positions_removes_gaps() -> None:
    items = [punkt(PunktKind.SAG, 7, 1), punkt(PunktKind.SAG, 3, 2), punkt(PunktKind.SAG, 9, 3)]
    rules.renumber_positions(items)
    assert [p.position for p in items] == [0, 1, 2]


UDVALG = 7
OTHER = 8


def actor_with(*roles: Role, admin: bool = False) -> Actor:
    return Actor(person_id=1, is_admin=admin, roles={UDVALG: frozenset(roles)} if roles else {})


OPEN = punkt(PunktKind.SAG, 3, 1)
CLOSED = punkt(PunktKind.SAG, 4, 2, closed=True)


def test_every_member_role_and_the_secretary_may_open_a_closed_punkt() -> None:
    for role in (Role.SEKRETAER, Role.FORMAND, Role.NAESTFORMAND, Role.MEDLEM, Role.STEDFORTRAEDER):
        actor = actor_with(role)
        assert rules.can_read_closed(actor, UDVALG), role
        assert rules.may_open(actor, UDVALG, CLOSED), role
        assert rules.may_open(actor, UDVALG, OPEN), role


def test_tovholder_reads_open_punkter_but_not_closed_ones() -> None:
    actor = actor_with(Role.TOVHOLDER)
    assert rules.may_open(actor, UDVALG, OPEN)
    assert not rules.can_read_closed(actor, UDVALG)
    assert not rules.may_open(actor, UDVALG, CLOSED)


def test_membership_of_another_udvalg_gives_no_access() -> None:
    actor = actor_with(Role.MEDLEM)
    assert not rules.may_open(actor, OTHER, OPEN)
    assert not rules.may_open(actor, OTHER, CLOSED)
    assert not rules.can_edit_udvalg(actor_with(Role.SEKRETAER), OTHER)


def test_outsider_sees_nothing_and_admin_reads_open_but_not_closed() -> None:
    outsider = actor_with()
    assert not rules.may_open(outsider, UDVALG, OPEN)
    assert not rules.can_read_udvalg(outsider, UDVALG)
    admin = actor_with(admin=True)
    assert rules.may_open(admin, UDVALG, OPEN)
    assert not rules.may_open(admin, UDVALG, CLOSED)


def test_only_admin_and_secretary_edit_and_invite() -> None:
    assert rules.can_edit_udvalg(actor_with(admin=True), UDVALG)
    assert rules.can_invite(actor_with(Role.SEKRETAER), UDVALG)
    for role in (Role.FORMAND, Role.MEDLEM, Role.TOVHOLDER, Role.STEDFORTRAEDER):
        assert not rules.can_edit_udvalg(actor_with(role), UDVALG)
        assert not rules.can_invite(actor_with(role), UDVALG)
