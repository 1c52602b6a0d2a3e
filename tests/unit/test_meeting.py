"""Meeting mode (``agendas.meeting``): attendance, decisions, end time, approval and the lock,
with the fake storage."""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import UTC, datetime, time, timedelta

import pytest

from agendas.chatviews import Translate
from agendas.errors import DomainError, InvalidInput, NotAllowed
from agendas.meeting import approval, attendance, decisions, documents
from agendas.meeting.documents import ProtokolRequest
from agendas.meeting.loading import load_view
from agendas.meeting_view import (
    MissingItem,
    MissingKind,
    ProtokolIncomplete,
    file_name,
    missing_for_approval,
)
from agendas.model import Actor, Membership, Person, Role
from agendas.outbox import OutboxKind
from agendas.protocol import AttendanceStatus, SagRange
from agendas.protocol_input import MAX_BESLUTNING
from agendas.records import Ballot, ProtokolFrozen, ProtokolLocked, ProtokolStage, StaleView
from agendas.services.committees import actor_for
from agendas.services.punkter import SagDraft, add_sag, edit_field
from tests.support.fakes import FakeState, FakeUnitOfWork
from tests.unit.conftest import NOW, ZONE, World, seed

#: On the meeting's day (12-01-2027, 14:00 local): meeting mode is open.
DURING = datetime(2027, 1, 12, 13, 30, tzinfo=UTC)
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


async def decide_others(world: World, moede_id: int, *skip: int) -> None:
    """A decision on every punkt of the meeting except ``skip`` (the fixed punkter too)."""
    view = await load_view(world.uow, world.secretary, moede_id)
    for punkt in view.punkter:
        if punkt.id not in skip:
            await decisions.set_beslutning(
                world.uow, world.secretary, punkt.id or 0, "Godkendt", None, DURING
            )


def unchanged(world: World, before: object) -> None:
    assert world.uow.snapshot() == before


async def test_attendance_defaults_and_changes_are_audited(world: World) -> None:
    moede_id, _, _, formand = await meeting(world)
    view = await load_view(world.uow, world.secretary, moede_id)
    assert [(m.person.name, m.status) for m in view.members] == [
        ("Lene Holm", AttendanceStatus.TIL_STEDE),
        ("Member", AttendanceStatus.TIL_STEDE),
    ]
    rev = await attendance.set_attendance(
        world.uow,
        world.secretary,
        moede_id,
        world.member.person_id,
        AttendanceStatus.FRAVAERENDE,
        view.rev,
        DURING,
    )
    assert rev == view.rev + 1
    rev = await attendance.set_absent_for(
        world.uow, world.secretary, moede_id, formand.person_id, "sag 3-4", rev, DURING
    )
    view = await load_view(world.uow, world.secretary, moede_id)
    assert view.member(world.member.person_id).status is AttendanceStatus.FRAVAERENDE  # type: ignore[union-attr]
    assert view.member(formand.person_id).absent_for == (SagRange(3, 4),)  # type: ignore[union-attr]
    assert [e.action for e in world.uow.events[-2:]] == ["moede.attendance", "moede.absent_for"]
    # An old button (older revision) changes nothing.
    before = world.uow.snapshot()
    with pytest.raises(StaleView):
        await attendance.set_attendance(
            world.uow,
            world.secretary,
            moede_id,
            formand.person_id,
            AttendanceStatus.AFBUD,
            rev - 1,
            DURING,
        )
    # Ranges for someone absent, or a member who is not in the udvalg, are refused.
    with pytest.raises(InvalidInput) as info:
        await attendance.set_absent_for(
            world.uow, world.secretary, moede_id, world.member.person_id, "sag 3", None, DURING
        )
    assert info.value.key == "err-ranges-not-present"
    with pytest.raises(DomainError) as err:
        await attendance.set_attendance(
            world.uow,
            world.secretary,
            moede_id,
            world.tovholder.person_id,
            AttendanceStatus.TIL_STEDE,
            None,
            DURING,
        )
    assert err.value.key == "err-meeting-not-member"
    with pytest.raises(NotAllowed):
        await attendance.set_attendance(
            world.uow,
            world.member,
            moede_id,
            formand.person_id,
            AttendanceStatus.AFBUD,
            None,
            DURING,
        )
    unchanged(world, before)


async def test_afbud_only_from_members_for_coming_meetings(world: World) -> None:
    moede_id, _, _, _ = await meeting(world)
    coming = await attendance.afbud_moeder(world.uow, world.member, NOW)
    assert [x.moede.id for x in coming] == [moede_id]
    assert await attendance.afbud_moeder(world.uow, world.tovholder, NOW) == []
    await attendance.report_afbud(world.uow, world.member, moede_id, NOW)
    view = await load_view(world.uow, world.secretary, moede_id)
    assert view.member(world.member.person_id).status is AttendanceStatus.AFBUD  # type: ignore[union-attr]
    before = world.uow.snapshot()
    with pytest.raises(NotAllowed) as info:
        await attendance.report_afbud(world.uow, world.tovholder, moede_id, NOW)
    assert info.value.key == "err-afbud-not-member"
    with pytest.raises(InvalidInput) as bad:
        await attendance.report_afbud(world.uow, world.member, moede_id, AFTER)
    assert bad.value.key == "err-afbud-past"
    unchanged(world, before)


async def test_decisions_are_recorded_and_shown_with_names(world: World) -> None:
    moede_id, sag_id, closed_id, formand = await meeting(world)
    sec = world.secretary
    await decisions.set_beslutning(world.uow, sec, sag_id, "Anbefales", None, DURING)
    # Lene (V) for, the other member (no party) against: a tie, per member.
    await decisions.set_votes(world.uow, sec, sag_id, "1 for (V), 1 imod", None, DURING)
    await decisions.set_remark(
        world.uow, sec, sag_id, formand.person_id, "Ønsker forslaget vedtaget.", None, DURING
    )
    await decisions.set_beslutning(world.uow, sec, closed_id, "Godkendt", None, DURING)
    await decisions.set_public_beslutning(
        world.uow, sec, closed_id, "Sagen blev behandlet.", None, DURING
    )
    view = await load_view(world.uow, sec, moede_id)
    record = view.record(sag_id)
    assert record.decision_text() == "Anbefales med 1 stemme for (V) og 1 stemme imod."
    assert view.decision(sag_id).ballots == {
        formand.person_id: Ballot.FOR,
        world.member.person_id: Ballot.IMOD,
    }
    assert [(r.member.name, r.text) for r in record.remarks] == [
        ("Lene Holm", "Ønsker forslaget vedtaget.")
    ]
    assert view.record(closed_id).public_beslutning == "Sagen blev behandlet."
    # The member against was in the majority (a tie is not adopted): no afvigende mening.
    before = world.uow.snapshot()
    with pytest.raises(InvalidInput) as majority:
        await decisions.set_remark(
            world.uow, sec, sag_id, world.member.person_id, "Imod.", None, DURING
        )
    assert majority.value.key == "err-remark-majority"
    unchanged(world, before)
    # Marked inhabil, the member's vote goes and the count follows; toggled back, the mark goes.
    await decisions.toggle_inhabil(world.uow, sec, sag_id, world.member.person_id, None, DURING)
    record = (await load_view(world.uow, sec, moede_id)).record(sag_id)
    assert [m.label() for m in record.inhabile] == ["Member"]
    assert record.decision_text() == "Anbefales med 1 stemme for (V)."
    await decisions.toggle_inhabil(world.uow, sec, sag_id, world.member.person_id, None, DURING)
    assert (await load_view(world.uow, sec, moede_id)).record(sag_id).inhabile == []
    before = world.uow.snapshot()
    for call, key in (
        (
            decisions.set_beslutning(world.uow, sec, sag_id, "  ", None, DURING),
            "err-beslutning-empty",
        ),
        (
            decisions.set_beslutning(
                world.uow, sec, sag_id, "x" * (MAX_BESLUTNING + 1), None, DURING
            ),
            "err-beslutning-too-long",
        ),
        (
            decisions.set_public_beslutning(world.uow, sec, sag_id, "Tekst", None, DURING),
            "err-public-not-closed",
        ),
        (decisions.set_votes(world.uow, sec, sag_id, "for", None, DURING), "err-votes-format"),
    ):
        with pytest.raises(InvalidInput) as info:
            await call
        assert info.value.key == key
    unchanged(world, before)


async def test_approval_by_those_present_locks_and_reopen_is_audited(world: World) -> None:
    moede_id, sag_id, closed_id, formand = await meeting(world)
    sec = world.secretary
    await decisions.set_beslutning(world.uow, sec, sag_id, "Godkendt", None, DURING)
    await decide_others(world, moede_id, sag_id, closed_id)
    closed = (await load_view(world.uow, sec, moede_id)).punkt_index(closed_id) + 1
    before = world.uow.snapshot()
    with pytest.raises(ProtokolIncomplete) as incomplete:
        await approval.send_for_approval(
            outbox_uow(world), sec, moede_id, None, DURING, texts, confirmed=True
        )
    assert incomplete.value.missing == [
        MissingItem(MissingKind.END_TIME),
        MissingItem(MissingKind.DECISION, closed, "Personale"),
        MissingItem(MissingKind.PUBLIC_TEXT, closed, "Personale"),
    ]
    unchanged(world, before)
    await decisions.set_beslutning(world.uow, sec, closed_id, "Godkendt", None, DURING)
    await decisions.set_public_beslutning(world.uow, sec, closed_id, "Behandlet.", None, DURING)
    with pytest.raises(InvalidInput) as info:
        await decisions.set_end_time(world.uow, sec, moede_id, "13.00", ZONE, None, DURING)
    assert info.value.key == "err-end-before-start"
    assert await decisions.set_end_time(
        world.uow, sec, moede_id, "kl. 15:10", ZONE, None, DURING
    ) == time(15, 10)
    await attendance.set_attendance(
        world.uow, sec, moede_id, world.member.person_id, AttendanceStatus.AFBUD, None, DURING
    )
    round_ = await approval.send_for_approval(
        outbox_uow(world), sec, moede_id, None, DURING, texts, confirmed=True
    )
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
        await approval.approve(
            outbox_uow(world), world.member, moede_id, rev, AFTER, texts
        )  # afbud: not present
    assert refused.value.key == "err-approve-not-present"
    with pytest.raises(StaleView):
        await approval.approve(outbox_uow(world), formand, moede_id, rev - 1, AFTER, texts)
    unchanged(world, before)

    result = await approval.approve(outbox_uow(world), formand, moede_id, rev, AFTER, texts)
    assert (result.new, result.locked_now, result.approved_at) == (True, True, AFTER)
    # Locked in the same commit: the secretary is told, everyone in BEU gets the decisions.
    queued = outbox(world)
    notices = [(c, p["text"]) for c, k, p in queued.values() if k is OutboxKind.NOTICE]
    assert notices == [(world.persons["secretary"].telegram_id, notices[0][1])]
    assert "meeting-all-approved" in notices[0][1]
    summaries = {c: p["text"] for c, k, p in queued.values() if k is OutboxKind.DECISIONS}
    beu = ("secretary", "member", "tovholder")
    assert set(summaries) == {world.persons[n].telegram_id for n in beu} | {lene.telegram_id}
    assert all("Budget" in text for text in summaries.values())
    again = await approval.approve(
        outbox_uow(world), formand, moede_id, rev, AFTER + timedelta(hours=1), texts
    )
    assert (again.new, again.approved_at) == (False, AFTER)
    assert outbox(world) == queued
    assert [e.action for e in world.uow.events[-2:]] == ["protokol.approve", "protokol.lock"]

    before = world.uow.snapshot()
    with pytest.raises(ProtokolLocked) as locked:
        await decisions.set_beslutning(world.uow, sec, sag_id, "Udsat", None, AFTER)
    assert locked.value.key == "err-protokol-locked"
    with pytest.raises(ProtokolLocked):
        await attendance.set_attendance(
            world.uow, sec, moede_id, formand.person_id, AttendanceStatus.AFBUD, None, AFTER
        )
    with pytest.raises(NotAllowed):
        await approval.reopen(world.uow, world.member, moede_id, None, "Rettelse", AFTER, texts)
    unchanged(world, before)

    await approval.reopen(world.uow, sec, moede_id, None, "Rettelse", AFTER, texts)
    event = world.uow.events[-1]
    assert (event.action, event.actor_id) == ("protokol.reopen", sec.person_id)
    assert event.details["approvals_cleared"] == [formand.person_id]
    view = await load_view(world.uow, sec, moede_id)
    assert not view.state.locked and view.approvals == []
    await decisions.set_beslutning(world.uow, sec, sag_id, "Udsat", None, AFTER)
    assert (await load_view(world.uow, sec, moede_id)).decision(sag_id).beslutning == "Udsat"


async def test_a_sent_protocol_is_frozen_until_reopened_with_a_reason(world: World) -> None:
    moede_id, sag_id, closed_id, formand = await meeting(world)
    sec = world.secretary
    await decisions.set_end_time(world.uow, sec, moede_id, "15.00", ZONE, None, DURING)
    await decide_others(world, moede_id)
    await decisions.set_public_beslutning(world.uow, sec, closed_id, "Behandlet.", None, DURING)
    round_ = await approval.send_for_approval(
        outbox_uow(world), sec, moede_id, None, AFTER, texts, confirmed=True
    )
    result = await approval.approve(
        outbox_uow(world), formand, moede_id, round_.view.rev, AFTER, texts
    )
    assert not result.locked_now  # the member (present by default) has not approved yet
    # Sent: every change to the record is refused and nothing is stored.
    before = await load_view(world.uow, sec, moede_id)
    with pytest.raises(ProtokolFrozen) as refused:
        await decisions.set_beslutning(world.uow, sec, sag_id, "Udsat", None, AFTER)
    assert refused.value.key == "err-protokol-sent"
    with pytest.raises(ProtokolFrozen):
        await attendance.set_attendance(
            world.uow, sec, moede_id, formand.person_id, AttendanceStatus.AFBUD, None, AFTER
        )
    with pytest.raises(ProtokolFrozen):
        await edit_field(world.uow, sec, sag_id, "indstilling", "Ny tekst", 1, AFTER)
    after = await load_view(world.uow, sec, moede_id)
    assert (after.rev, after.decisions, after.approvals) == (
        before.rev,
        before.decisions,
        before.approvals,
    )
    # A reason is required; then the approval is void and the approver is told why.
    with pytest.raises(InvalidInput):
        await approval.reopen(outbox_uow(world), sec, moede_id, None, "  ", AFTER, texts)
    reopened = await approval.reopen(
        outbox_uow(world), sec, moede_id, None, "Forkert beslutning på punkt 3", AFTER, texts
    )
    assert reopened.told == [formand.person_id]
    view = await load_view(world.uow, sec, moede_id)
    assert view.approvals == [] and view.state.stage is ProtokolStage.KLADDE
    assert view.state.reopen_reason == "Forkert beslutning på punkt 3"
    told = [p for k, (_, _, p) in outbox(world).items() if k.startswith("reopened:")]
    assert len(told) == 1 and "Forkert beslutning på punkt 3" in told[0]["text"]
    event = world.uow.events[-1]
    assert (event.action, event.details["approvals_cleared"]) == (
        "protokol.reopen",
        [formand.person_id],
    )
    # Now the correction is stored.
    await decisions.set_beslutning(world.uow, sec, sag_id, "Udsat", None, AFTER)
    assert (await load_view(world.uow, sec, moede_id)).record(sag_id).beslutning == "Udsat"


async def test_document_has_attendance_decisions_and_end_time(world: World) -> None:
    moede_id, sag_id, closed_id, _ = await meeting(world)
    sec = world.secretary
    await attendance.set_attendance(
        world.uow, sec, moede_id, world.member.person_id, AttendanceStatus.AFBUD, None, DURING
    )
    await decisions.set_beslutning(world.uow, sec, sag_id, "Godkendt", None, DURING)
    await decisions.set_end_time(world.uow, sec, moede_id, "15.10", ZONE, None, DURING)
    doc, view = await documents.build_document(world.uow, world.member, moede_id, ZONE)
    assert doc.end_time == time(15, 10)
    assert [(a.name, a.title, a.status) for a in doc.attendance] == [
        ("Lene Holm", Role.FORMAND, AttendanceStatus.TIL_STEDE),
        ("Member", None, AttendanceStatus.AFBUD),
    ]
    by_id = {d.punkt.id: d for d in doc.punkter}
    assert by_id[sag_id].beslutning_text() == "Godkendt"
    assert by_id[closed_id].punkt.closed
    assert [d.punkt.number for d in doc.punkter] == list(range(1, len(doc.punkter) + 1))
    assert file_name(view.udvalg, view.moede, True, False) == (
        "Beslutningsprotokol BEU 2027-01-12.docx"
    )
    assert documents.public_only(world.tovholder, world.beu.id or 0)
    assert not documents.public_only(world.member, world.beu.id or 0)


async def test_one_service_reads_and_renders_the_word_file_for_whoever_asks(world: World) -> None:
    moede_id, _, _, _ = await meeting(world)
    asked = ProtokolRequest(moede_id=moede_id)
    internal = await documents.protokol_document(world.uow, world.member, asked, NOW, ZONE)
    assert internal is not None and internal.content.startswith(b"PK")
    assert (internal.file_name, internal.public, internal.public_only, internal.may_edit) == (
        "Beslutningsprotokol BEU 2027-01-12.docx",
        False,
        False,
        False,
    )
    public = await documents.protokol_document(world.uow, world.tovholder, asked, NOW, ZONE)
    assert public is not None and (public.public, public.public_only) == (True, True)
    assert public.file_name == "Beslutningsprotokol BEU 2027-01-12 offentlig.docx"
    operator = Actor(person_id=0, is_admin=True)
    agenda = replace(asked, protokol=False, operator=True)
    exported = await documents.protokol_document(world.uow, operator, agenda, NOW, ZONE)
    assert exported is not None and (exported.public, exported.may_edit) == (False, True)
    assert exported.file_name == "Dagsorden BEU 2027-01-12.docx"


async def test_what_is_missing_before_approval(world: World) -> None:
    """The pure rule: the end time, a decision on every punkt (a phrase or votes), and the
    public text of every closed punkt."""
    moede_id, sag_id, closed_id, _ = await meeting(world)
    sec = world.secretary
    await decide_others(world, moede_id, sag_id, closed_id)
    view = await load_view(world.uow, sec, moede_id)
    sag, closed = view.punkt_index(sag_id) + 1, view.punkt_index(closed_id) + 1
    assert missing_for_approval(view) == [
        MissingItem(MissingKind.END_TIME),
        MissingItem(MissingKind.DECISION, sag, "Budget"),
        MissingItem(MissingKind.DECISION, closed, "Personale"),
        MissingItem(MissingKind.PUBLIC_TEXT, closed, "Personale"),
    ]
    await decisions.set_votes(world.uow, sec, sag_id, "2 for", None, DURING)
    await decisions.set_public_beslutning(world.uow, sec, closed_id, "Behandlet.", None, DURING)
    view = await load_view(world.uow, sec, moede_id)
    assert missing_for_approval(view) == [
        MissingItem(MissingKind.END_TIME),
        MissingItem(MissingKind.DECISION, closed, "Personale"),
    ]
    await decisions.set_beslutning(world.uow, sec, closed_id, "Godkendt", None, DURING)
    await decisions.set_end_time(world.uow, sec, moede_id, "15.00", ZONE, None, DURING)
    assert missing_for_approval(await load_view(world.uow, sec, moede_id)) == []


async def test_a_second_round_only_reminds_those_missing(world: World) -> None:
    moede_id, _, closed_id, formand = await meeting(world)
    sec = world.secretary
    await decisions.set_end_time(world.uow, sec, moede_id, "15.00", ZONE, None, DURING)
    await decide_others(world, moede_id)
    await decisions.set_public_beslutning(world.uow, sec, closed_id, "Behandlet.", None, DURING)
    first = await approval.send_for_approval(
        outbox_uow(world), sec, moede_id, None, DURING, texts, confirmed=True
    )
    assert not first.reminder and len(first.recipients) == 2
    await approval.approve(outbox_uow(world), formand, moede_id, first.view.rev, AFTER, texts)
    queued = dict(outbox(world))
    second = await approval.send_for_approval(outbox_uow(world), sec, moede_id, None, AFTER, texts)
    assert second.reminder and [m.person.name for m in second.recipients] == ["Member"]
    assert world.uow.events[-1].action == "protokol.remind"
    assert len(outbox(world)) == len(queued) + 1
    await approval.approve(outbox_uow(world), world.member, moede_id, second.view.rev, AFTER, texts)
    before = world.uow.snapshot()
    done = await approval.send_for_approval(outbox_uow(world), sec, moede_id, None, AFTER, texts)
    assert done.reminder and done.recipients == []
    unchanged(world, before)
