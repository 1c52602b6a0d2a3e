"""The real use cases of agendas.services on the real unit of work, on both backends."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from agendas.errors import ConcurrentEdit, InvalidInput, InviteInvalid
from agendas.model import Actor, PunktKind, Role, Sagstype
from agendas.services import committees, invites, meetings, punkter
from storage.uow import SqlUnitOfWork

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
ZONE = "Europe/Copenhagen"
ADMIN_TG, SECRETARY_TG, MEMBER_TG = 8_000_000_000, 8_000_000_002, 3003


async def _secretary(uow: SqlUnitOfWork) -> Actor:
    """An admin creates BEU and invites a secretary, who accepts through the link."""
    _, admin = await committees.identify(
        uow, ADMIN_TG, "Ada Admin", "ada", "da", frozenset({ADMIN_TG})
    )
    await committees.create_udvalg(
        uow, admin, "beu", "Beskæftigelsesudvalget", "Social- og Sundhedsforvaltningen", NOW
    )
    issued = await invites.create_invite(uow, admin, "BEU", Role.SEKRETAER, NOW)
    person, _ = await committees.identify(
        uow, SECRETARY_TG, "Sofie Sekretær", None, "da", frozenset()
    )
    await invites.accept_invite(uow, person, issued.token, NOW + timedelta(minutes=5))
    _, actor = await committees.identify(
        uow, SECRETARY_TG, "Sofie Sekretær", None, "da", frozenset()
    )
    return actor


async def test_invite_is_accepted_once_and_gives_the_role(uow: SqlUnitOfWork) -> None:
    secretary = await _secretary(uow)
    udvalg = (await committees.my_udvalg(uow, secretary))[0][0]
    assert secretary.roles_in(udvalg.id or 0) == frozenset({Role.SEKRETAER})

    issued = await invites.create_invite(uow, secretary, "BEU", Role.MEDLEM, NOW, party="Ø")
    member, _ = await committees.identify(uow, MEMBER_TG, "Mads Medlem", None, None, frozenset())
    accepted = await invites.accept_invite(uow, member, issued.token, NOW)
    assert (accepted.role, accepted.already_member) == (Role.MEDLEM, False)
    with pytest.raises(InviteInvalid) as refused:
        await invites.accept_invite(uow, member, issued.token, NOW)
    assert refused.value.key == "err-invite-used"

    people = await committees.members(uow, udvalg.id or 0)
    assert {(p.name, m.role, m.party) for m, p in people} == {
        ("Sofie Sekretær", Role.SEKRETAER, None),
        ("Mads Medlem", Role.MEDLEM, "Ø"),
    }
    async with uow:
        actions = [e.action for e in await uow.audit.list_recent()]
    assert actions.count("membership.create") == 2
    assert "udvalg.create" in actions and "invite.create" in actions


async def test_expired_invite_is_refused_and_changes_nothing(uow: SqlUnitOfWork) -> None:
    secretary = await _secretary(uow)
    issued = await invites.create_invite(
        uow, secretary, "BEU", Role.TOVHOLDER, NOW, ttl=timedelta(days=1)
    )
    person, _ = await committees.identify(uow, MEMBER_TG, "Tove", None, None, frozenset())
    with pytest.raises(InviteInvalid):
        await invites.accept_invite(uow, person, issued.token, NOW + timedelta(days=2))
    async with uow:
        assert await uow.memberships.for_person(person.id or 0) == []
        stored = await uow.invites.by_hash(invites.hash_token(issued.token))
    assert stored is not None and stored.used_at is None


async def test_agenda_with_standard_punkter_a_sag_and_a_stale_edit(uow: SqlUnitOfWork) -> None:
    secretary = await _secretary(uow)
    moede, _ = await meetings.create_moede(
        uow, secretary, "BEU", date(2027, 1, 12), time(14, 0), "Rådhuset, mødelokale 2", NOW, ZONE
    )
    sag = await punkter.add_sag(
        uow,
        secretary,
        moede.id or 0,
        punkter.SagDraft(
            title="Status på genopretningsplan for Jobcentret",
            sagstype=Sagstype.ORIENTERING,
            sections={
                "sagens_kerne": "Kort resumé",
                "indstilling": "at orienteringen tages til efterretning",
            },
        ),
        NOW,
    )
    agenda = await meetings.load_agenda(uow, secretary, moede.id or 0)
    assert [(p.number, p.title) for p in agenda.punkter] == [
        (1, "Godkendelse af dagsorden"),
        (2, "Meddelelser"),
        (3, "Status på genopretningsplan for Jobcentret"),
        (4, "Eventuelt"),
    ]
    assert agenda.moede.starts_at == datetime(2027, 1, 12, 13, 0, tzinfo=UTC)

    # two secretaries opened version 1; the first save wins, the second is refused
    edited = await punkter.edit_field(
        uow, secretary, sag.id or 0, "indstilling", "at sagen godkendes", 1, NOW
    )
    assert edited.version == 2
    with pytest.raises(ConcurrentEdit):
        await punkter.edit_field(uow, secretary, sag.id or 0, "title", "Andet", 1, NOW)
    detail = await punkter.open_punkt(uow, secretary, sag.id or 0)
    assert detail.punkt.title == "Status på genopretningsplan for Jobcentret"
    assert detail.punkt.section("indstilling") == "at sagen godkendes"
    assert detail.number == 3


async def test_closing_moving_bilag_and_deleting(uow: SqlUnitOfWork) -> None:
    secretary = await _secretary(uow)
    moede, _ = await meetings.create_moede(
        uow, secretary, "BEU", date(2027, 1, 12), time(14), "", NOW, ZONE
    )
    later, _ = await meetings.create_moede(
        uow, secretary, "BEU", date(2027, 2, 9), time(14), "", NOW, ZONE
    )
    mid = moede.id or 0
    a = await punkter.add_sag(uow, secretary, mid, punkter.SagDraft(title="A"), NOW)
    b = await punkter.add_sag(uow, secretary, mid, punkter.SagDraft(title="B"), NOW)
    c = await punkter.add_sag(uow, secretary, mid, punkter.SagDraft(title="C"), NOW)

    await punkter.set_closed(uow, secretary, a.id or 0, True, NOW)
    await punkter.move(uow, secretary, c.id or 0, -1, NOW)
    titles = [p.title for p in (await meetings.load_agenda(uow, secretary, mid)).punkter]
    assert titles == ["Godkendelse af dagsorden", "Meddelelser", "C", "B", "A", "Eventuelt"]
    with pytest.raises(InvalidInput):
        await punkter.move(uow, secretary, c.id or 0, -1, NOW)

    content = b"%PDF-1.4 bilag"
    bilag = await punkter.attach_bilag(
        uow, secretary, b.id or 0, "Økonomi.pdf", "application/pdf", content, "FILE1", NOW
    )
    fetched = await punkter.get_bilag(uow, secretary, bilag.id or 0)
    assert fetched.content == content and fetched.file_name == "Økonomi.pdf"

    target = await punkter.move_to_moede(uow, secretary, b.id or 0, later.id or 0, NOW)
    assert target.id == later.id
    moved = await meetings.load_agenda(uow, secretary, later.id or 0)
    assert [p.title for p in moved.punkter if p.kind is PunktKind.SAG] == ["B"]
    assert moved.bilag_count(b.id or 0) == 1

    current = await punkter.open_punkt(uow, secretary, b.id or 0)
    assert [x.file_name for x in current.bilag] == ["Økonomi.pdf"]
    await punkter.delete_punkt(uow, secretary, b.id or 0, current.punkt.version, NOW)
    async with uow:
        assert await uow.punkter.get(b.id or 0) is None
        assert await uow.bilag.get(bilag.id or 0) is None
