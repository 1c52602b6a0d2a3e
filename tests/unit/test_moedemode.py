"""Meeting mode: attendance, decisions, end time, approval and the lock, with the fake storage."""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, datetime, time, timedelta

import pytest

from agendas.chatviews import Translate
from agendas.errors import DomainError, InvalidInput, NotAllowed
from agendas.model import Actor, Membership, Person, Role
from agendas.outbox import OutboxKind
from agendas.protocol import AttendanceStatus, SagRange, Votes
from agendas.records import ProtokolLocked, StaleView
from agendas.services import moedemode as mm
from agendas.services.committees import actor_for
from agendas.services.punkter import SagDraft, add_sag
from tests.support.fakes import FakeState, FakeUnitOfWork
from tests.unit.conftest import NOW, ZONE, World, seed

AFTER = datetime(2027, 1, 12, 15, 30, tzinfo=UTC)  # after the meeting (14:00 local)


@pytest.fixture
async def world() -> World:
    """The seeded world on a unit of work with an outbox (approval writes to it)."""
    seeded = await seed()
    state = seeded.uow.committed_state
    seeded.uow = FakeUnitOfWork(
        FakeState(**{f.name: getattr(state, f.name) for f in fields(FakeState)})
    )
    return seeded


def texts(language: str | None) -> Translate:
    """The key and its parameters, so a test sees what was asked for."""

    def translate(key: str, /, **params: object) -> str:
        return f"{key} {sorted(params.items())}" if params else key

    return translate


def outbox_uow(world: World) -> FakeUnitOfWork:
    assert isinstance(world.uow, FakeUnitOfWork)
    return world.uow


def outbox(world: World) -> dict[str, tuple[int, OutboxKind, dict]]:  # type: ignore[type-arg]
    """Committed outbox rows: key -> (chat id, kind, payload)."""
    return {
        k: (m.chat_id, m.kind, m.payload) for k, m in outbox_uow(world).committed_outbox.items()
    }


async def add_member(world: World, name: str, role: Role, party: str) -> Actor:
    async with world.uow:
        person = await world.uow.persons.add(Person(telegram_id=hash(name) % 10**9, name=name))
        membership = await world.uow.memberships.add(
            Membership(
                person_id=person.id or 0, udvalg_id=world.beu.id or 0, role=role, party=party
            )
        )
        await world.uow.commit()
    return actor_for(person, [membership])


async def meeting(world: World) -> tuple[int, int, int, Actor]:
    """A meeting with one open and one closed sag, and a second member (formand, V)."""
    moede_id = await world.new_moede()
    sag = await add_sag(world.uow, world.secretary, moede_id, SagDraft(title="Budget"), NOW)
    closed = await add_sag(
        world.uow, world.secretary, moede_id, SagDraft(title="Personale", closed=True), NOW
    )
    formand = await add_member(world, "Lene Holm", Role.FORMAND, "V")
    return moede_id, sag.id or 0, closed.id or 0, formand


def unchanged(world: World, before: object) -> None:
    assert world.uow.snapshot() == before


@pytest.mark.parametrize(
    ("text", "votes"),
    [
        ("for A V F; imod Ø", Votes(3, ("A", "V", "F"), 1, ("Ø",))),
        ("3 for (A, V, F), 1 imod (Ø)", Votes(3, ("A", "V", "F"), 1, ("Ø",))),
        ("5 stemmer for (A, V), 1 undlod at stemme (C)", Votes(5, ("A", "V"), 0, (), 1, ("C",))),
        ("for a sf; undlader 2", Votes(2, ("A", "SF"), 0, (), 2, ())),
    ],
)
def test_votes_are_read_in_both_styles(text: str, votes: Votes) -> None:
    assert mm.parse_votes(text) == votes


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("A V F", "err-votes-word"),
        ("for A; for V", "err-votes-twice"),
        ("1 for (A, V)", "err-votes-count"),
        ("for Venstre", "err-votes-word"),
        ("3", "err-votes-format"),
        ("for <b>", "err-votes-format"),
        ("", "err-votes-format"),
    ],
)
def test_malformed_votes_say_why(text: str, key: str) -> None:
    with pytest.raises(InvalidInput) as info:
        mm.parse_votes(text)
    assert info.value.key == key


def test_ranges_and_end_times_are_parsed_and_checked() -> None:
    assert mm.parse_ranges("sag 3-5", 8) == (SagRange(3, 5),)
    assert mm.parse_ranges("punkt 7, 2 - 3 og 5", 8) == (
        SagRange(2, 3),
        SagRange(5, 5),
        SagRange(7, 7),
    )
    assert mm.parse_ranges("ingen", 8) == ()
    for bad, key in (("sag 5-3", "err-ranges-format"), ("sag x", "err-ranges-format")):
        with pytest.raises(InvalidInput) as info:
            mm.parse_ranges(bad, 8)
        assert info.value.key == key
    with pytest.raises(InvalidInput) as info:
        mm.parse_ranges("sag 9", 8)
    assert info.value.key == "err-ranges-number"
    assert mm.parse_end_time("kl. 15:10") == time(15, 10)
    assert mm.parse_end_time("15.10") == time(15, 10)
    with pytest.raises(InvalidInput) as info:
        mm.parse_end_time("kvart over tre")
    assert info.value.key == "err-end-time-format"


async def test_attendance_defaults_and_changes_are_audited(world: World) -> None:
    moede_id, _, _, formand = await meeting(world)
    view = await mm.load_view(world.uow, world.secretary, moede_id)
    assert [(m.person.name, m.status) for m in view.members] == [
        ("Lene Holm", AttendanceStatus.TIL_STEDE),
        ("Member", AttendanceStatus.TIL_STEDE),
    ]
    rev = await mm.set_attendance(
        world.uow,
        world.secretary,
        moede_id,
        world.member.person_id,
        AttendanceStatus.FRAVAERENDE,
        view.rev,
        NOW,
    )
    assert rev == view.rev + 1
    rev = await mm.set_absent_for(
        world.uow, world.secretary, moede_id, formand.person_id, "sag 3-4", rev, NOW
    )
    view = await mm.load_view(world.uow, world.secretary, moede_id)
    assert view.member(world.member.person_id).status is AttendanceStatus.FRAVAERENDE  # type: ignore[union-attr]
    assert view.member(formand.person_id).absent_for == (SagRange(3, 4),)  # type: ignore[union-attr]
    assert [e.action for e in world.uow.events[-2:]] == ["moede.attendance", "moede.absent_for"]
    # An old button (older revision) changes nothing.
    before = world.uow.snapshot()
    with pytest.raises(StaleView):
        await mm.set_attendance(
            world.uow,
            world.secretary,
            moede_id,
            formand.person_id,
            AttendanceStatus.AFBUD,
            rev - 1,
            NOW,
        )
    # Ranges for someone absent, or a member who is not in the udvalg, are refused.
    with pytest.raises(InvalidInput) as info:
        await mm.set_absent_for(
            world.uow, world.secretary, moede_id, world.member.person_id, "sag 3", None, NOW
        )
    assert info.value.key == "err-ranges-not-present"
    with pytest.raises(DomainError) as err:
        await mm.set_attendance(
            world.uow,
            world.secretary,
            moede_id,
            world.tovholder.person_id,
            AttendanceStatus.TIL_STEDE,
            None,
            NOW,
        )
    assert err.value.key == "err-meeting-not-member"
    with pytest.raises(NotAllowed):
        await mm.set_attendance(
            world.uow, world.member, moede_id, formand.person_id, AttendanceStatus.AFBUD, None, NOW
        )
    unchanged(world, before)


async def test_afbud_only_from_members_for_coming_meetings(world: World) -> None:
    moede_id, _, _, _ = await meeting(world)
    coming = await mm.afbud_moeder(world.uow, world.member, NOW)
    assert [x.moede.id for x in coming] == [moede_id]
    assert await mm.afbud_moeder(world.uow, world.tovholder, NOW) == []
    await mm.report_afbud(world.uow, world.member, moede_id, NOW)
    view = await mm.load_view(world.uow, world.secretary, moede_id)
    assert view.member(world.member.person_id).status is AttendanceStatus.AFBUD  # type: ignore[union-attr]
    before = world.uow.snapshot()
    with pytest.raises(NotAllowed) as info:
        await mm.report_afbud(world.uow, world.tovholder, moede_id, NOW)
    assert info.value.key == "err-afbud-not-member"
    with pytest.raises(InvalidInput) as bad:
        await mm.report_afbud(world.uow, world.member, moede_id, AFTER)
    assert bad.value.key == "err-afbud-past"
    unchanged(world, before)


async def test_decisions_are_recorded_and_shown_with_names(world: World) -> None:
    moede_id, sag_id, closed_id, formand = await meeting(world)
    sec = world.secretary
    await mm.set_beslutning(world.uow, sec, sag_id, "Anbefales", None, NOW)
    await mm.set_votes(world.uow, sec, sag_id, "3 for (A, V, F), 1 imod (Ø)", None, NOW)
    await mm.toggle_inhabil(world.uow, sec, sag_id, formand.person_id, None, NOW)
    await mm.set_remark(
        world.uow, sec, sag_id, world.member.person_id, "Imod forslaget.", None, NOW
    )
    await mm.set_beslutning(world.uow, sec, closed_id, "Godkendt", None, NOW)
    await mm.set_public_beslutning(world.uow, sec, closed_id, "Sagen blev behandlet.", None, NOW)
    view = await mm.load_view(world.uow, sec, moede_id)
    record = view.record(sag_id)
    assert record.decision_text() == ("Anbefales med 3 stemmer for (A, V, F) og 1 stemme imod (Ø).")
    assert [m.label() for m in record.inhabile] == ["Lene Holm (V)"]
    assert [(r.member.name, r.text) for r in record.remarks] == [("Member", "Imod forslaget.")]
    assert view.record(closed_id).public_beslutning == "Sagen blev behandlet."
    # Toggling inhabil again takes the mark away.
    await mm.toggle_inhabil(world.uow, sec, sag_id, formand.person_id, None, NOW)
    assert (await mm.load_view(world.uow, sec, moede_id)).record(sag_id).inhabile == []
    before = world.uow.snapshot()
    for call, key in (
        (mm.set_beslutning(world.uow, sec, sag_id, "  ", None, NOW), "err-beslutning-empty"),
        (
            mm.set_beslutning(world.uow, sec, sag_id, "x" * (mm.MAX_BESLUTNING + 1), None, NOW),
            "err-beslutning-too-long",
        ),
        (
            mm.set_public_beslutning(world.uow, sec, sag_id, "Tekst", None, NOW),
            "err-public-not-closed",
        ),
        (mm.set_votes(world.uow, sec, sag_id, "for", None, NOW), "err-votes-format"),
    ):
        with pytest.raises(InvalidInput) as info:
            await call
        assert info.value.key == key
    unchanged(world, before)


async def test_approval_by_those_present_locks_and_reopen_is_audited(world: World) -> None:
    moede_id, sag_id, _, formand = await meeting(world)
    sec = world.secretary
    await mm.set_beslutning(world.uow, sec, sag_id, "Godkendt", None, NOW)
    with pytest.raises(InvalidInput) as info:
        await mm.send_for_approval(outbox_uow(world), sec, moede_id, None, NOW, texts)
    assert info.value.key == "err-protokol-no-end"
    with pytest.raises(InvalidInput) as info:
        await mm.set_end_time(world.uow, sec, moede_id, "13.00", ZONE, None, NOW)
    assert info.value.key == "err-end-before-start"
    assert await mm.set_end_time(world.uow, sec, moede_id, "kl. 15:10", ZONE, None, NOW) == time(
        15, 10
    )
    await mm.set_attendance(
        world.uow, sec, moede_id, world.member.person_id, AttendanceStatus.AFBUD, None, NOW
    )
    round_ = await mm.send_for_approval(outbox_uow(world), sec, moede_id, None, NOW, texts)
    assert [m.person.name for m in round_.recipients] == ["Lene Holm"]
    rev = round_.view.rev
    # The request is in the outbox, committed with the round: to Lene only, with the buttons.
    lene = world.uow.committed_state.persons[formand.person_id]
    [(chat_id, kind, payload)] = outbox(world).values()
    assert (chat_id, kind) == (lene.telegram_id, OutboxKind.APPROVAL)
    assert "Budget" in payload["text"]
    assert [[b["target"], b["id"], b["version"]] for [b] in payload["buttons"]] == [
        ["meeting:approve", moede_id, rev],
        ["meeting:doc", moede_id, 0],
    ]

    before = world.uow.snapshot()
    with pytest.raises(NotAllowed) as refused:
        await mm.approve(
            outbox_uow(world), world.member, moede_id, rev, AFTER, texts
        )  # afbud: not present
    assert refused.value.key == "err-approve-not-present"
    with pytest.raises(StaleView):
        await mm.approve(outbox_uow(world), formand, moede_id, rev - 1, AFTER, texts)
    unchanged(world, before)

    result = await mm.approve(outbox_uow(world), formand, moede_id, rev, AFTER, texts)
    assert (result.new, result.locked_now, result.approved_at) == (True, True, AFTER)
    # Locked in the same commit: the secretary is told, everyone in BEU gets the decisions.
    queued = outbox(world)
    notices = [(c, p["text"]) for c, k, p in queued.values() if k is OutboxKind.NOTICE]
    assert notices == [(world.persons["secretary"].telegram_id, notices[0][1])]
    assert "meeting-all-approved" in notices[0][1]
    decisions = {c: p["text"] for c, k, p in queued.values() if k is OutboxKind.DECISIONS}
    beu = ("secretary", "member", "tovholder")
    assert set(decisions) == {world.persons[n].telegram_id for n in beu} | {lene.telegram_id}
    assert all("Budget" in text for text in decisions.values())
    again = await mm.approve(
        outbox_uow(world), formand, moede_id, rev, AFTER + timedelta(hours=1), texts
    )
    assert (again.new, again.approved_at) == (False, AFTER)
    assert outbox(world) == queued
    assert [e.action for e in world.uow.events[-2:]] == ["protokol.approve", "protokol.lock"]

    before = world.uow.snapshot()
    with pytest.raises(ProtokolLocked) as locked:
        await mm.set_beslutning(world.uow, sec, sag_id, "Udsat", None, AFTER)
    assert locked.value.key == "err-protokol-locked"
    with pytest.raises(ProtokolLocked):
        await mm.set_attendance(
            world.uow, sec, moede_id, formand.person_id, AttendanceStatus.AFBUD, None, AFTER
        )
    with pytest.raises(NotAllowed):
        await mm.reopen(world.uow, world.member, moede_id, None, AFTER)
    unchanged(world, before)

    await mm.reopen(world.uow, sec, moede_id, None, AFTER)
    event = world.uow.events[-1]
    assert (event.action, event.actor_id) == ("protokol.reopen", sec.person_id)
    assert event.details["approvals_cleared"] == [formand.person_id]
    view = await mm.load_view(world.uow, sec, moede_id)
    assert not view.state.locked and view.approvals == []
    await mm.set_beslutning(world.uow, sec, sag_id, "Udsat", None, AFTER)
    assert (await mm.load_view(world.uow, sec, moede_id)).decision(sag_id).beslutning == "Udsat"


async def test_a_change_after_an_approval_asks_for_it_again(world: World) -> None:
    moede_id, sag_id, _, formand = await meeting(world)
    sec = world.secretary
    await mm.set_end_time(world.uow, sec, moede_id, "15.00", ZONE, None, NOW)
    round_ = await mm.send_for_approval(outbox_uow(world), sec, moede_id, None, NOW, texts)
    result = await mm.approve(outbox_uow(world), formand, moede_id, round_.view.rev, AFTER, texts)
    assert not result.locked_now  # the member (present by default) has not approved yet
    await mm.set_beslutning(world.uow, sec, sag_id, "Udsat", None, AFTER)
    view = await mm.load_view(world.uow, sec, moede_id)
    assert view.approvals == []
    assert world.uow.events[-1].details["approvals_cleared"] == 1


async def test_document_has_attendance_decisions_and_end_time(world: World) -> None:
    moede_id, sag_id, closed_id, _ = await meeting(world)
    sec = world.secretary
    await mm.set_attendance(
        world.uow, sec, moede_id, world.member.person_id, AttendanceStatus.AFBUD, None, NOW
    )
    await mm.set_beslutning(world.uow, sec, sag_id, "Godkendt", None, NOW)
    await mm.set_end_time(world.uow, sec, moede_id, "15.10", ZONE, None, NOW)
    doc, view = await mm.build_document(world.uow, world.member, moede_id, ZONE)
    assert doc.end_time == time(15, 10)
    assert [(a.name, a.title, a.status) for a in doc.attendance] == [
        ("Lene Holm", Role.FORMAND, AttendanceStatus.TIL_STEDE),
        ("Member", None, AttendanceStatus.AFBUD),
    ]
    by_id = {d.punkt.id: d for d in doc.punkter}
    assert by_id[sag_id].beslutning_text() == "Godkendt"
    assert by_id[closed_id].punkt.closed
    assert [d.punkt.number for d in doc.punkter] == list(range(1, len(doc.punkter) + 1))
    assert mm.file_name(view.udvalg, view.moede, True, False) == (
        "Beslutningsprotokol BEU 2027-01-12.docx"
    )
    assert mm.public_only(world.tovholder, world.beu.id or 0)
    assert not mm.public_only(world.member, world.beu.id or 0)
