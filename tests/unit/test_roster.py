"""The roster service: typed entries, add/edit/remove, invites that link an account, and the
members an import adds; each change audited, a refusal stores nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from agendas.errors import InvalidInput, InviteInvalid, NotAllowed, NotFound
from agendas.meeting.loading import load_view
from agendas.model import Person, Role
from agendas.protocol import AttendanceStatus, SagRange
from agendas.roster_entry import RosterEntry, parse_entry
from agendas.services import committees, invites, roster
from agendas.services.roster import ImportedMember
from tests.unit.conftest import MEETING_DAY, NOW, TODAY, World


@pytest.mark.parametrize(
    ("text", "entry"),
    [
        ("Jan Kongebro (A) formand", RosterEntry("Jan Kongebro", "A", Role.FORMAND)),
        ("  jan   Kongebro  ( a )  ", RosterEntry("jan Kongebro", "A", Role.MEDLEM)),
        ("Formand Jan Kongebro (A)", RosterEntry("Jan Kongebro", "A", Role.FORMAND)),
        ("Per Vinther (V) næstformand", RosterEntry("Per Vinther", "V", Role.NAESTFORMAND)),
        ("Per Vinther (V) naestformand", RosterEntry("Per Vinther", "V", Role.NAESTFORMAND)),
        ("Anne Lund (Ø) medlem", RosterEntry("Anne Lund", "Ø", Role.MEDLEM)),
        ("Anne Lund (Ø) member", RosterEntry("Anne Lund", "Ø", Role.MEDLEM)),
        ("Anne Lund chair", RosterEntry("Anne Lund", "", Role.FORMAND)),
        ("Hans-Henrik O'Neil", RosterEntry("Hans-Henrik O'Neil", "", Role.MEDLEM)),
        (
            "Lise Holm (V) stedfortræder for Jan Kongebro fra 01-02-2026",
            RosterEntry("Lise Holm", "V", Role.STEDFORTRAEDER, "Jan Kongebro", date(2026, 2, 1)),
        ),
        (
            "Lise Holm (V), suppleant for Jan Kongebro (A)",
            RosterEntry("Lise Holm", "V", Role.STEDFORTRAEDER, "Jan Kongebro"),
        ),
        (
            "Lise Holm (V) stedfortraeder",
            RosterEntry("Lise Holm", "V", Role.STEDFORTRAEDER),
        ),
        (
            "Bo Berg (F) fra 1. marts 2026",
            RosterEntry("Bo Berg", "F", Role.MEDLEM, since=date(2026, 3, 1)),
        ),
    ],
)
def test_a_typed_member_is_read(text: str, entry: RosterEntry) -> None:
    assert parse_entry(text, TODAY) == entry


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("", "err-roster-entry"),
        ("(A) formand", "err-roster-entry"),
        ("Jan 123", "err-roster-entry"),
        ("Jan Kongebro (Socialdemokratiet)", "err-roster-entry"),
        ("Jan Kongebro sekretær", "err-roster-role"),
        ("Jan Kongebro tovholder", "err-roster-role"),
        ("Lise Holm fra forleden", "err-roster-since"),
        ("X" * 130, "err-roster-entry"),
    ],
)
def test_a_bad_entry_says_what_to_write(text: str, key: str) -> None:
    with pytest.raises(InvalidInput) as info:
        parse_entry(text, TODAY)
    assert info.value.key == key


async def add(world: World, text: str) -> roster.RosterMember:
    return await roster.add_member(
        world.uow, world.secretary, "BEU", parse_entry(text, TODAY), NOW, TODAY
    )


async def test_the_secretary_adds_members_without_telegram(world: World) -> None:
    jan = await add(world, "Jan Kongebro (A) formand")
    lise = await add(world, "Lise Holm (V) stedfortræder for jan kongebro fra 01-02-2026")

    stored = world.uow.committed_state.persons[jan.person_id]
    assert (stored.telegram_id, stored.name, stored.name_fixed) == (None, "Jan Kongebro", True)
    assert lise.substitute_for is not None and lise.substitute_for.id == jan.person_id
    listing = await roster.list_roster(world.uow, world.secretary, "beu")
    assert [(m.label(), m.role, m.on_telegram) for m in listing.members] == [
        ("Jan Kongebro (A)", Role.FORMAND, False),
        ("Member", Role.MEDLEM, True),
        ("Lise Holm (V)", Role.STEDFORTRAEDER, False),
    ]
    assert listing.member(lise.person_id).since == date(2026, 2, 1)  # type: ignore[union-attr]
    assert listing.member(jan.person_id).since == TODAY  # type: ignore[union-attr]
    event = world.uow.events[-1]
    assert (event.action, event.actor_id, event.udvalg_id) == (
        "roster.add",
        world.secretary.person_id,
        world.beu.id,
    )
    assert event.details["substitute_for"] == jan.person_id


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("jan  kongebro (A)", "err-roster-exists"),  # the same name again
        ("Mette Bach (C) formand", "err-roster-taken-formand"),
        ("Lise Holm stedfortræder for Ukendt Person", "err-roster-substitute-unknown"),
        ("Lise Holm formand for Jan Kongebro", "err-roster-entry"),
    ],
)
async def test_a_refused_add_stores_nothing(world: World, text: str, key: str) -> None:
    await add(world, "Jan Kongebro (A) formand")
    before = world.uow.snapshot()
    with pytest.raises(InvalidInput) as info:
        await add(world, text)
    assert info.value.key == key
    assert world.uow.committed_state == before


async def test_only_the_secretary_keeps_the_roster(world: World) -> None:
    entry = parse_entry("Jan Kongebro", TODAY)
    for who in (world.member, world.tovholder, world.sou_secretary):
        with pytest.raises(NotAllowed):
            await roster.add_member(world.uow, who, "BEU", entry, NOW, TODAY)
        with pytest.raises(NotAllowed):
            await roster.list_roster(world.uow, who, "BEU")
    assert await roster.add_member(world.uow, world.admin, "BEU", entry, NOW, TODAY)


async def test_edit_changes_name_party_role_and_keeps_the_date(world: World) -> None:
    jan = await add(world, "Jan Kongebro (A) fra 01-01-2026")
    await add(world, "Lise Holm (V)")
    edited = await roster.edit_member(
        world.uow,
        world.secretary,
        "BEU",
        jan.person_id,
        parse_entry("Jan Kongebro-Hansen (B) næstformand", TODAY),
        NOW,
    )
    assert (edited.label(), edited.role, edited.since) == (
        "Jan Kongebro-Hansen (B)",
        Role.NAESTFORMAND,
        date(2026, 1, 1),
    )
    event = world.uow.events[-1]
    assert event.action == "roster.edit"
    assert event.details["before"] == {
        "name": "Jan Kongebro",
        "party": "A",
        "role": "medlem",
        "substitute_for": None,
        "since": "2026-01-01",
    }
    # A name another member has is refused; nothing changes.
    before = world.uow.snapshot()
    with pytest.raises(InvalidInput):
        await roster.edit_member(
            world.uow,
            world.secretary,
            "BEU",
            jan.person_id,
            parse_entry("Lise Holm", TODAY),
            NOW,
        )
    assert world.uow.committed_state == before


async def test_a_telegram_members_roster_name_stays_when_they_write_again(world: World) -> None:
    member_id = world.persons["member"].id or 0
    await roster.edit_member(
        world.uow,
        world.secretary,
        "BEU",
        member_id,
        parse_entry("Mads Mikkelsen (A)", TODAY),
        NOW,
    )
    person, _ = await committees.identify(world.uow, 1003, "Mads M.", "mads", None, frozenset())
    assert (person.id, person.name, person.username) == (member_id, "Mads Mikkelsen", "mads")


async def test_remove_keeps_the_person_and_clears_who_stood_in_for_them(world: World) -> None:
    jan = await add(world, "Jan Kongebro (A)")
    lise = await add(world, "Lise Holm (V) stedfortræder for Jan Kongebro")
    await roster.remove_member(world.uow, world.secretary, "BEU", jan.person_id, NOW)
    listing = await roster.list_roster(world.uow, world.secretary, "BEU")
    assert jan.person_id not in {m.person_id for m in listing.members}
    assert listing.member(lise.person_id).substitute_for is None  # type: ignore[union-attr]
    assert jan.person_id in world.uow.committed_state.persons
    assert world.uow.events[-1].action == "roster.remove"
    with pytest.raises(NotFound):
        await roster.remove_member(world.uow, world.secretary, "BEU", jan.person_id, NOW)


async def test_an_invite_links_the_openers_account_to_the_member(world: World) -> None:
    jan = await add(world, "Jan Kongebro (A) formand")
    issued, _ = await roster.invite_member(world.uow, world.secretary, "BEU", jan.person_id, NOW)
    assert issued.invite.person_id == jan.person_id and issued.invite.role is Role.FORMAND
    # Jan writes to the bot: /start made a person for his account; the invite merges it away.
    opener, _ = await committees.identify(world.uow, 7007, "Jan K", "jank", None, frozenset())
    accepted = await invites.accept_invite(world.uow, opener, issued.token, NOW)
    assert accepted.linked is not None and accepted.linked.id == jan.person_id
    state = world.uow.committed_state
    assert opener.id not in state.persons
    linked = state.persons[jan.person_id]
    assert (linked.telegram_id, linked.name, linked.username) == (7007, "Jan Kongebro", "jank")
    person, actor = await committees.identify(world.uow, 7007, "Jan K", "jank", None, frozenset())
    assert person.id == jan.person_id and actor.roles_in(world.beu.id or 0) == {Role.FORMAND}
    assert world.uow.events[-1].action == "roster.link"
    # Linked now: no second invite, and the used one is refused.
    with pytest.raises(InvalidInput) as info:
        await roster.invite_member(world.uow, world.secretary, "BEU", jan.person_id, NOW)
    assert info.value.key == "err-roster-already-linked"
    other, _ = await committees.identify(world.uow, 7008, "Eve", None, None, frozenset())
    with pytest.raises(InviteInvalid):
        await invites.accept_invite(world.uow, other, issued.token, NOW)


async def test_a_link_is_refused_for_someone_with_roles_or_a_member_gone(world: World) -> None:
    jan = await add(world, "Jan Kongebro (A)")
    issued, _ = await roster.invite_member(world.uow, world.secretary, "BEU", jan.person_id, NOW)
    before = world.uow.snapshot()
    with pytest.raises(InviteInvalid) as info:
        await invites.accept_invite(world.uow, world.persons["member"], issued.token, NOW)
    assert info.value.key == "err-invite-has-roles"
    assert world.uow.committed_state == before

    await roster.remove_member(world.uow, world.secretary, "BEU", jan.person_id, NOW)
    opener, _ = await committees.identify(world.uow, 7007, "Jan K", None, None, frozenset())
    with pytest.raises(InviteInvalid) as gone:
        await invites.accept_invite(world.uow, opener, issued.token, NOW)
    assert gone.value.key == "err-invite-member-gone"


async def test_a_member_is_not_at_meetings_before_their_seat(world: World) -> None:
    early = await world.new_moede(day=MEETING_DAY - timedelta(days=7))
    later = await world.new_moede()
    await add(world, f"Jan Kongebro (A) fra {MEETING_DAY:%d-%m-%Y}")
    names = [
        [m.person.name for m in (await load_view(world.uow, world.secretary, moede)).members]
        for moede in (early, later)
    ]
    assert names == [["Member"], ["Jan Kongebro", "Member"]]


async def test_members_from_an_import_are_added_with_their_attendance(world: World) -> None:
    moede_id = await world.new_moede()
    jan = await add(world, "Jan Kongebro (A) formand")
    added = await roster.add_imported(
        world.uow,
        world.secretary,
        moede_id,
        [
            ImportedMember("Britt Jensen", "A", Role.FORMAND, AttendanceStatus.AFBUD),
            ImportedMember(
                "Hans Hansen",
                "A",
                None,
                AttendanceStatus.STEDFORTRAEDER,
                substitute_for="Britt Jensen",
            ),
            ImportedMember("Bo Berg", "F", absent_for=(SagRange(3, 4),)),
            ImportedMember("J. Kongebro", "A"),  # on the roster already: not added again
        ],
        NOW,
    )
    assert [(m.label(), m.role) for m in added] == [
        ("Britt Jensen (A)", Role.MEDLEM),  # Jan is formand already
        ("Hans Hansen (A)", Role.STEDFORTRAEDER),
        ("Bo Berg (F)", Role.MEDLEM),
    ]
    view = await load_view(world.uow, world.secretary, moede_id)
    lines = {m.person.name: m for m in view.members}
    assert lines["Britt Jensen"].status is AttendanceStatus.AFBUD
    assert lines["Hans Hansen"].status is AttendanceStatus.STEDFORTRAEDER
    assert lines["Hans Hansen"].record.substitute_for == added[0].person_id  # type: ignore[union-attr]
    assert lines["Bo Berg"].absent_for == (SagRange(3, 4),)
    assert lines["Jan Kongebro"].status is AttendanceStatus.TIL_STEDE
    assert lines["Jan Kongebro"].person_id == jan.person_id
    assert all(p.telegram_id is None for p in (m.person for m in added))
    assert isinstance(added[0].person, Person)
