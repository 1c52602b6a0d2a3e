"""Punkter and bilag: add, edit, reorder, close, move, delete, and who may see what."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

import pytest

from agendas import rules
from agendas.errors import ConcurrentEdit, InvalidInput, NotAllowed, NotFound
from agendas.model import SECTION_KEYS, Actor, Punkt, PunktKind, Sagstype
from agendas.services import meetings, punkter
from agendas.services.punkter import SagDraft
from tests.unit.conftest import NOW, World

LATER = NOW + timedelta(minutes=5)


async def titles(world: World, moede_id: int) -> list[str]:
    agenda = await meetings.load_agenda(world.uow, world.secretary, moede_id)
    assert [p.number for p in agenda.punkter] == list(range(1, len(agenda.punkter) + 1))
    return [p.title for p in agenda.punkter]


async def add(
    world: World,
    moede_id: int,
    title: str,
    *,
    closed: bool = False,
    sagstype: Sagstype | None = None,
    journal_number: str = "",
    sections: dict[str, str] | None = None,
) -> Punkt:
    draft = SagDraft(
        title=title,
        closed=closed,
        sagstype=sagstype,
        journal_number=journal_number,
        sections=sections or {},
    )
    return await punkter.add_sag(world.uow, world.secretary, moede_id, draft, NOW)


def stored(world: World, punkt_id: int | None) -> Punkt:
    return world.uow.committed_state.punkter[punkt_id or 0]


@pytest.fixture
async def moede_id(world: World) -> int:
    return await world.new_moede()


async def test_add_sag_goes_after_other_open_sager_and_before_eventuelt(
    world: World, moede_id: int
) -> None:
    first = await add(
        world,
        moede_id,
        "  Budgetopfølgning\n 2027 ",
        sagstype=Sagstype.BESLUTNING,
        journal_number=" 00.07.01-A00-1-17 ",
        sections={"sagens_kerne": "  Kort resumé.  ", "indstilling": "", "ukendt": "x"},
    )
    await add(world, moede_id, "Ledighed")

    assert await titles(world, moede_id) == [
        "Godkendelse af dagsorden",
        "Meddelelser",
        "Budgetopfølgning 2027",
        "Ledighed",
        "Eventuelt",
    ]
    saved = stored(world, first.id)
    assert saved.kind is PunktKind.SAG and saved.version == 1
    assert saved.sections == {"sagens_kerne": "Kort resumé."}
    assert saved.beslutningskompetence == "BEU"  # defaults to the committee
    assert saved.journal_number == "00.07.01-A00-1-17"
    assert saved.sagstype is Sagstype.BESLUTNING
    assert (saved.updated_by, saved.updated_at) == (world.secretary.person_id, NOW)
    event = world.uow.events[-2]
    assert (event.action, event.entity, event.entity_id, event.actor_id, event.udvalg_id) == (
        "punkt.create",
        "punkt",
        first.id,
        world.secretary.person_id,
        world.beu.id,
    )


async def test_closed_sag_sorts_after_open_ones(world: World, moede_id: int) -> None:
    await add(world, moede_id, "Lukket A", closed=True)
    await add(world, moede_id, "Åben B")
    await add(world, moede_id, "Lukket C", closed=True)
    await add(world, moede_id, "Åben D")

    assert await titles(world, moede_id) == [
        "Godkendelse af dagsorden",
        "Meddelelser",
        "Åben B",
        "Åben D",
        "Lukket A",
        "Lukket C",
        "Eventuelt",
    ]


@pytest.mark.parametrize(
    ("draft", "key"),
    [
        (SagDraft(title="   "), "err-title-empty"),
        (SagDraft(title="x" * 201), "err-title-too-long"),
        (SagDraft(title="ok", sections={"sagsfremstilling": "y" * 20_001}), "err-section-too-long"),
        (SagDraft(title="ok", beslutningskompetence="z" * 41), "err-field-too-long"),
        (SagDraft(title="ok", journal_number="9" * 61), "err-field-too-long"),
    ],
)
async def test_bad_sag_is_refused_and_changes_nothing(
    world: World, moede_id: int, draft: SagDraft, key: str
) -> None:
    before = world.uow.snapshot()
    with pytest.raises(InvalidInput) as info:
        await punkter.add_sag(world.uow, world.secretary, moede_id, draft, NOW)
    assert info.value.key == key
    assert world.uow.snapshot() == before


@pytest.mark.parametrize("who", ["member", "tovholder", "outsider", "sou_secretary"])
async def test_only_the_secretary_adds_sager(world: World, moede_id: int, who: str) -> None:
    before = world.uow.snapshot()
    with pytest.raises(NotAllowed):
        await punkter.add_sag(world.uow, getattr(world, who), moede_id, SagDraft("Sag"), NOW)
    assert world.uow.snapshot() == before


async def test_add_sag_to_a_missing_moede(world: World) -> None:
    with pytest.raises(NotFound) as info:
        await punkter.add_sag(world.uow, world.secretary, 9999, SagDraft("Sag"), NOW)
    assert info.value.key == "err-moede-gone"


@pytest.mark.parametrize(
    ("name", "value", "check"),
    [
        ("title", "  Ny   titel ", lambda p: p.title == "Ny titel"),
        ("sagstype", "droeftelse", lambda p: p.sagstype is Sagstype.DROEFTELSE),
        ("sagstype", "", lambda p: p.sagstype is None),
        ("beslutningskompetence", " ØU ", lambda p: p.beslutningskompetence == "ØU"),
        ("beslutningskompetence", "", lambda p: p.beslutningskompetence == ""),
        ("journal_number", "27.00.00-A00-3-25", lambda p: p.journal_number == "27.00.00-A00-3-25"),
        ("indstilling", " at A ", lambda p: p.sections["indstilling"] == "at A"),
        ("sagens_kerne", " Ny kerne ", lambda p: p.sections["sagens_kerne"] == "Ny kerne"),
        ("beslutning", "Godkendt", lambda p: p.sections["beslutning"] == "Godkendt"),
    ],
)
async def test_edit_field_changes_one_field_bumps_version_and_audits(
    world: World, moede_id: int, name: str, value: str, check: object
) -> None:
    punkt = await add(
        world, moede_id, "Sag", sagstype=Sagstype.BESLUTNING, sections={"sagens_kerne": "Kerne"}
    )

    saved = await punkter.edit_field(
        world.uow, world.secretary, punkt.id or 0, name, value, 1, LATER
    )

    assert callable(check)
    assert check(saved)
    assert check(stored(world, punkt.id))
    assert stored(world, punkt.id).version == saved.version == 2
    assert stored(world, punkt.id).updated_at == LATER
    event = world.uow.events[-1]
    assert (event.action, event.entity_id, event.actor_id, event.at) == (
        "punkt.edit",
        punkt.id,
        world.secretary.person_id,
        LATER,
    )
    assert event.details["field"] == name


@pytest.mark.parametrize("name", ["sagens_kerne", "indstilling"])
async def test_a_required_section_cannot_be_emptied(world: World, moede_id: int, name: str) -> None:
    sections = {"sagens_kerne": "Kerne", "indstilling": "At sagen godkendes."}
    punkt = await add(world, moede_id, "Sag", sections=sections)
    before = world.uow.snapshot()
    with pytest.raises(InvalidInput) as refused:
        await punkter.edit_field(world.uow, world.secretary, punkt.id or 0, name, "  ", 1, LATER)
    assert refused.value.key == "err-section-required"
    assert world.uow.snapshot() == before


def test_every_section_is_editable() -> None:
    assert set(SECTION_KEYS) <= set(punkter.EDITABLE_FIELDS)


@pytest.mark.parametrize(
    ("name", "value", "key"),
    [
        ("title", "", "err-title-empty"),
        ("title", "t" * 201, "err-title-too-long"),
        ("sagstype", "vigtig", "err-sagstype"),
        ("beslutningskompetence", "b" * 41, "err-field-too-long"),
        ("journal_number", "j" * 61, "err-field-too-long"),
        ("sagsfremstilling", "s" * 20_001, "err-section-too-long"),
        ("version", "7", "err-field-unknown"),
        ("closed", "true", "err-field-unknown"),
    ],
)
async def test_bad_edits_are_refused_and_change_nothing(
    world: World, moede_id: int, name: str, value: str, key: str
) -> None:
    punkt = await add(world, moede_id, "Sag")
    before = world.uow.snapshot()
    with pytest.raises(InvalidInput) as info:
        await punkter.edit_field(world.uow, world.secretary, punkt.id or 0, name, value, 1, NOW)
    assert info.value.key == key
    assert world.uow.snapshot() == before


async def test_limits_are_inclusive(world: World, moede_id: int) -> None:
    punkt = await add(world, moede_id, "t" * rules.MAX_TITLE)
    saved = await punkter.edit_field(
        world.uow, world.secretary, punkt.id or 0, "tidsplan", "s" * rules.MAX_SECTION, 1, NOW
    )
    assert len(saved.sections["tidsplan"]) == rules.MAX_SECTION


async def test_stale_edit_is_refused_and_the_first_save_is_kept(
    world: World, moede_id: int
) -> None:
    punkt = await add(world, moede_id, "Sag")
    # Two secretaries opened version 1; the first saves.
    await punkter.edit_field(
        world.uow, world.secretary, punkt.id or 0, "indstilling", "at A", 1, NOW
    )
    before = world.uow.snapshot()

    with pytest.raises(ConcurrentEdit) as info:
        await punkter.edit_field(
            world.uow, world.admin, punkt.id or 0, "indstilling", "at B", 1, LATER
        )

    assert info.value.key == "err-concurrent-edit"
    assert world.uow.snapshot() == before
    assert stored(world, punkt.id).sections["indstilling"] == "at A"
    assert stored(world, punkt.id).version == 2


async def test_only_the_secretary_edits(world: World, moede_id: int) -> None:
    punkt = await add(world, moede_id, "Sag")
    before = world.uow.snapshot()
    for actor in (world.member, world.sou_secretary):
        with pytest.raises(NotAllowed):
            await punkter.edit_field(world.uow, actor, punkt.id or 0, "title", "X", 1, NOW)
    with pytest.raises(NotFound) as gone:
        await punkter.edit_field(world.uow, world.secretary, 9999, "title", "X", 1, NOW)
    assert gone.value.key == "err-punkt-gone"
    assert world.uow.snapshot() == before


async def three_sager(world: World, moede_id: int) -> list[Punkt]:
    return [await add(world, moede_id, name) for name in ("A", "B", "C")]


async def test_move_up_and_down_within_the_open_sager(world: World, moede_id: int) -> None:
    a, b, c = await three_sager(world, moede_id)

    await punkter.move(world.uow, world.secretary, c.id or 0, -1, NOW)
    assert (await titles(world, moede_id))[2:5] == ["A", "C", "B"]
    await punkter.move(world.uow, world.secretary, a.id or 0, +1, NOW)
    assert (await titles(world, moede_id))[2:5] == ["C", "A", "B"]
    event = world.uow.events[-1]
    assert (event.action, event.entity_id, event.details) == ("punkt.move", a.id, {"step": 1})
    # The version is untouched: an edit begun before the move still saves.
    await punkter.edit_field(world.uow, world.secretary, b.id or 0, "title", "B2", 1, NOW)


async def test_move_beyond_the_ends_is_refused(world: World, moede_id: int) -> None:
    a, _, c = await three_sager(world, moede_id)
    await add(world, moede_id, "Lukket", closed=True)
    before = world.uow.snapshot()
    for punkt_id, step in ((a.id, -1), (c.id, +1)):
        with pytest.raises(InvalidInput) as info:
            await punkter.move(world.uow, world.secretary, punkt_id or 0, step, NOW)
        assert info.value.key == "err-cannot-move"
    assert world.uow.snapshot() == before


async def test_standard_punkter_do_not_move_or_close(world: World, moede_id: int) -> None:
    agenda = await meetings.load_agenda(world.uow, world.secretary, moede_id)
    godkendelse = agenda.punkter[0]
    before = world.uow.snapshot()
    with pytest.raises(InvalidInput) as info:
        await punkter.move(world.uow, world.secretary, godkendelse.id or 0, 1, NOW)
    assert info.value.key == "err-standard-punkt"
    with pytest.raises(InvalidInput):
        await punkter.set_closed(world.uow, world.secretary, godkendelse.id or 0, True, NOW)
    assert world.uow.snapshot() == before


async def test_closing_moves_a_sag_last_among_closed_and_opening_back(
    world: World, moede_id: int
) -> None:
    a, _, _ = await three_sager(world, moede_id)
    await add(world, moede_id, "Lukket", closed=True)

    closed = await punkter.set_closed(world.uow, world.secretary, a.id or 0, True, NOW)
    assert closed.closed and closed.version == 2
    assert (await titles(world, moede_id))[2:6] == ["B", "C", "Lukket", "A"]
    assert world.uow.events[-1].action == "punkt.close"

    await punkter.set_closed(world.uow, world.secretary, a.id or 0, False, NOW)
    assert (await titles(world, moede_id))[2:6] == ["B", "C", "A", "Lukket"]
    assert world.uow.events[-1].action == "punkt.open"

    commits = world.uow.committed
    await punkter.set_closed(world.uow, world.secretary, a.id or 0, False, NOW)
    assert world.uow.committed == commits  # no change, nothing written


async def test_move_to_another_moede_of_the_same_committee(world: World, moede_id: int) -> None:
    a, b, _ = await three_sager(world, moede_id)
    await punkter.attach_bilag(
        world.uow, world.secretary, a.id or 0, "notat.pdf", "application/pdf", b"%PDF", "f1", NOW
    )
    other = await world.new_moede(date(2027, 2, 9))
    await add(world, other, "Der i forvejen")

    target = await punkter.move_to_moede(world.uow, world.secretary, a.id or 0, other, NOW)

    assert target.id == other
    assert (await titles(world, moede_id))[2:4] == ["B", "C"]
    assert (await titles(world, other))[2:4] == ["Der i forvejen", "A"]
    detail = await punkter.open_punkt(world.uow, world.member, a.id or 0)
    assert detail.moede.id == other and detail.number == 4
    assert [x.file_name for x in detail.bilag] == ["notat.pdf"]
    event = world.uow.events[-1]
    assert (event.action, event.details) == (
        "punkt.move_moede",
        {"from_moede": moede_id, "to_moede": other},
    )
    assert b.id is not None


async def test_move_to_another_committees_moede_is_refused(world: World, moede_id: int) -> None:
    a = await add(world, moede_id, "A")
    sou_moede = await world.new_moede(udvalg="SOU")
    before = world.uow.snapshot()
    for actor in (world.secretary, world.admin):
        with pytest.raises(NotAllowed) as info:
            await punkter.move_to_moede(world.uow, actor, a.id or 0, sou_moede, NOW)
        assert info.value.key == "err-other-udvalg"
    with pytest.raises(NotFound):
        await punkter.move_to_moede(world.uow, world.secretary, a.id or 0, 9999, NOW)
    assert world.uow.snapshot() == before


async def test_delete_removes_the_punkt_and_its_bilag(world: World, moede_id: int) -> None:
    a, _, _ = await three_sager(world, moede_id)
    bilag = await punkter.attach_bilag(
        world.uow, world.secretary, a.id or 0, "x.pdf", "application/pdf", b"1", "f", NOW
    )

    deleted = await punkter.delete_punkt(world.uow, world.secretary, a.id or 0, 1, NOW)

    assert deleted.title == "A"
    assert a.id not in world.uow.committed_state.punkter
    assert bilag.id not in world.uow.committed_state.bilag
    assert await titles(world, moede_id) == [
        "Godkendelse af dagsorden",
        "Meddelelser",
        "B",
        "C",
        "Eventuelt",
    ]
    event = world.uow.events[-1]
    assert (event.action, event.entity_id, event.details) == ("punkt.delete", a.id, {"title": "A"})


async def test_delete_with_a_stale_version_is_refused(world: World, moede_id: int) -> None:
    a = await add(world, moede_id, "A")
    await punkter.edit_field(world.uow, world.secretary, a.id or 0, "title", "A2", 1, NOW)
    before = world.uow.snapshot()
    with pytest.raises(NotFound) as info:
        await punkter.delete_punkt(world.uow, world.secretary, a.id or 0, 1, NOW)
    assert info.value.key == "err-punkt-changed"
    with pytest.raises(NotAllowed):
        await punkter.delete_punkt(world.uow, world.member, a.id or 0, 2, NOW)
    assert world.uow.snapshot() == before


@pytest.mark.parametrize(
    ("name", "size", "key"),
    [
        ("virus.exe", 10, "err-bilag-type"),
        ("billede.png", 10, "err-bilag-type"),
        ("uden_endelse", 10, "err-bilag-type"),
        ("stor.pdf", rules.MAX_BILAG_BYTES + 1, "err-bilag-too-large"),
        ("tom.pdf", 0, "err-bilag-empty"),
    ],
)
def test_check_bilag_refuses_type_size_and_empty(name: str, size: int, key: str) -> None:
    with pytest.raises(InvalidInput) as info:
        punkter.check_bilag(name, size)
    assert info.value.key == key


def test_check_bilag_cleans_the_name() -> None:
    assert punkter.check_bilag("C:\\Users\\x\\Bilag 1.PDF", 5) == "Bilag 1.PDF"
    assert punkter.check_bilag("../../etc/notat.docx", 5) == "notat.docx"
    assert punkter.check_bilag("fuld.pdf", rules.MAX_BILAG_BYTES) == "fuld.pdf"
    assert len(punkter.check_bilag("n" * 300 + ".pdf", 5)) <= 200


async def test_attach_keeps_the_bytes_and_lists_in_order(world: World, moede_id: int) -> None:
    a = await add(world, moede_id, "A")
    content = b"%PDF-1.7 indhold"
    first = await punkter.attach_bilag(
        world.uow, world.secretary, a.id or 0, "notat.pdf", "", content, "tg-1", NOW
    )
    await punkter.attach_bilag(
        world.uow, world.secretary, a.id or 0, "budget.xlsx", "application/x", b"x", "tg-2", NOW
    )

    saved = world.uow.committed_state.bilag[first.id or 0]
    assert saved.content == content
    assert saved.sha256 == hashlib.sha256(content).hexdigest()
    assert (saved.size, saved.mime_type, saved.position) == (
        len(content),
        "application/octet-stream",
        0,
    )
    event = world.uow.events[-2]
    assert (event.action, event.entity_id, event.details["punkt_id"]) == (
        "bilag.add",
        first.id,
        a.id,
    )
    detail = await punkter.open_punkt(world.uow, world.member, a.id or 0)
    assert [b.file_name for b in detail.bilag] == ["notat.pdf", "budget.xlsx"]
    fetched = await punkter.get_bilag(world.uow, world.tovholder, first.id or 0)
    assert fetched.content == content


async def test_attach_refusals_change_nothing(world: World, moede_id: int) -> None:
    a = await add(world, moede_id, "A")
    before = world.uow.snapshot()
    with pytest.raises(InvalidInput):
        await punkter.attach_bilag(
            world.uow, world.secretary, a.id or 0, "x.exe", "", b"MZ", "f", NOW
        )
    with pytest.raises(NotAllowed):
        await punkter.attach_bilag(world.uow, world.member, a.id or 0, "x.pdf", "", b"1", "f", NOW)
    with pytest.raises(NotFound):
        await punkter.attach_bilag(world.uow, world.secretary, 9999, "x.pdf", "", b"1", "f", NOW)
    assert world.uow.snapshot() == before


async def test_remove_bilag(world: World, moede_id: int) -> None:
    a = await add(world, moede_id, "A")
    bilag = await punkter.attach_bilag(
        world.uow, world.secretary, a.id or 0, "x.pdf", "", b"1", "f", NOW
    )
    before = world.uow.snapshot()
    with pytest.raises(NotAllowed):
        await punkter.remove_bilag(world.uow, world.member, bilag.id or 0, NOW)
    assert world.uow.snapshot() == before

    removed = await punkter.remove_bilag(world.uow, world.secretary, bilag.id or 0, NOW)

    assert removed.file_name == "x.pdf"
    assert world.uow.committed_state.bilag == {}
    assert world.uow.events[-1].action == "bilag.remove"
    with pytest.raises(NotFound) as info:
        await punkter.remove_bilag(world.uow, world.secretary, bilag.id or 0, NOW)
    assert info.value.key == "err-bilag-gone"
    with pytest.raises(NotFound):
        await punkter.get_bilag(world.uow, world.secretary, bilag.id or 0)


async def test_closed_punkt_and_its_bilag_are_for_members_only(world: World, moede_id: int) -> None:
    closed = await add(world, moede_id, "Personsag", closed=True, sections={"indstilling": "at"})
    bilag = await punkter.attach_bilag(
        world.uow, world.secretary, closed.id or 0, "fortroligt.pdf", "", b"1", "f", NOW
    )

    for reader in (world.member, world.secretary):
        detail = await punkter.open_punkt(world.uow, reader, closed.id or 0)
        assert detail.punkt.sections == {"indstilling": "at"}
        assert detail.number == 3
        assert (await punkter.get_bilag(world.uow, reader, bilag.id or 0)).content == b"1"
    for stranger, key in (
        (world.tovholder, "err-closed-punkt"),
        (world.admin, "err-closed-punkt"),
        (world.outsider, "err-not-in-udvalg"),
        (world.sou_secretary, "err-not-in-udvalg"),
    ):
        with pytest.raises(NotAllowed) as info:
            await punkter.open_punkt(world.uow, stranger, closed.id or 0)
        assert info.value.key == key
        # Outside the udvalg a bilag is "gone", whether it exists or not (issue 16).
        with pytest.raises(NotAllowed if key == "err-closed-punkt" else NotFound):
            await punkter.get_bilag(world.uow, stranger, bilag.id or 0)


async def test_open_punkt_is_readable_by_anyone_in_the_committee_only(
    world: World, moede_id: int
) -> None:
    a = await add(world, moede_id, "A")
    bilag = await punkter.attach_bilag(
        world.uow, world.secretary, a.id or 0, "x.pdf", "", b"1", "f", NOW
    )
    for reader in (world.tovholder, world.admin):
        assert (await punkter.open_punkt(world.uow, reader, a.id or 0)).number == 3
    for stranger in (world.outsider, world.sou_secretary):
        with pytest.raises(NotAllowed):
            await punkter.open_punkt(world.uow, stranger, a.id or 0)
        with pytest.raises(NotFound):
            await punkter.get_bilag(world.uow, stranger, bilag.id or 0)


async def test_every_change_is_audited_with_actor_and_action(world: World, moede_id: int) -> None:
    start = len(world.uow.events)
    a = await add(world, moede_id, "A")
    b = await add(world, moede_id, "B")
    await punkter.edit_field(world.uow, world.secretary, a.id or 0, "title", "A1", 1, NOW)
    await punkter.move(world.uow, world.secretary, b.id or 0, -1, NOW)
    await punkter.set_closed(world.uow, world.secretary, b.id or 0, True, NOW)
    bilag = await punkter.attach_bilag(
        world.uow, world.secretary, a.id or 0, "x.pdf", "", b"1", "f", NOW
    )
    await punkter.remove_bilag(world.uow, world.secretary, bilag.id or 0, NOW)
    other = await world.new_moede(date(2027, 2, 9))
    await punkter.move_to_moede(world.uow, world.secretary, a.id or 0, other, NOW)
    await punkter.delete_punkt(world.uow, world.secretary, a.id or 0, 2, NOW)

    events = world.uow.events[start:]
    assert [e.action for e in events] == [
        "punkt.create",
        "punkt.create",
        "punkt.edit",
        "punkt.move",
        "punkt.close",
        "bilag.add",
        "bilag.remove",
        "moede.create",
        "punkt.move_moede",
        "punkt.delete",
    ]
    assert {e.actor_id for e in events} == {world.secretary.person_id}
    assert {e.udvalg_id for e in events} == {world.beu.id}
    assert all(e.at == NOW for e in events)


async def test_admin_without_a_role_edits_like_a_secretary(world: World, moede_id: int) -> None:
    admin = Actor(person_id=world.admin.person_id, is_admin=True)
    punkt = await punkter.add_sag(world.uow, admin, moede_id, SagDraft("Fra admin"), NOW)
    assert stored(world, punkt.id).updated_by == admin.person_id
