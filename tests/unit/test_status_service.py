"""Status-round services on in-memory fakes: plans, rounds, answers, reminders, closing, a year."""

from __future__ import annotations

import base64
import io
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from docx import Document

from agendas.chatviews import Translate, render_punkt
from agendas.dates import local_to_utc, to_local
from agendas.errors import InvalidInput, NotAllowed
from agendas.model import Actor, Membership, Moede, Person, Role, Udvalg
from agendas.outbox import Release
from agendas.plans import StatusColour, StatusSchedule
from agendas.records import ProtokolStage
from agendas.services.punkter import open_punkt
from agendas.services.release_watch import announce_changes
from agendas.status import answers as answer_service
from agendas.status import plans as plan_service
from agendas.status import rounds as round_service
from agendas.status.plan_file import PlanImport, parse_plan_file
from agendas.status.schedules import rounds_between
from tests.support.fakes import FakeState, FakeUnitOfWork

ZONE = "Europe/Copenhagen"
EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "handleplan_ensomhed_2025.csv"
EXAMPLE_BYTES = EXAMPLE.read_bytes()
CSV = (
    "Indsats;Formål;Tovholder;Kontaktperson\n"
    "Fællesspisning;12 arrangementer;Lokalcenter Nord;Tove Holder\n"
    "Besøgsvenner;40 besøgsvenner;Ib Ingen;\n"
    "Telefonkæde;60 tilmeldte;Vera Visitation;\n"
    "Digital café;200 besøg;Borgerservice;\n"
).encode()
NOW = datetime(2025, 3, 3, 8, 0, tzinfo=UTC)  # Monday 09.00 in Copenhagen


def texts(language: str | None) -> Translate:
    def t(key: str, /, **params: object) -> str:
        return f"[{key}]" + " ".join(f"{k}={v}" for k, v in sorted(params.items()))

    return t


class World:
    def __init__(self) -> None:
        self.uow = FakeUnitOfWork(FakeState())
        self.secretary = Actor(0)
        self.tove = Actor(0)
        self.vera = Actor(0)

    async def build(self) -> World:
        uow = self.uow
        async with uow:
            udvalg = await uow.udvalg.add(Udvalg("SSU", "Social- og Sundhedsudvalget", "SSF"))
            uid = udvalg.id or 0
            ids = {}
            for tg, name, role in (
                (11, "Sofie Sekretær", Role.SEKRETAER),
                (22, "Tove Holder", Role.TOVHOLDER),
                (33, "Vera Visitation", Role.TOVHOLDER),
            ):
                person = await uow.persons.add(Person(tg, name))
                await uow.memberships.add(Membership(person.id or 0, uid, role))
                ids[name] = person.id or 0
            await uow.commit()
        self.udvalg_id = uid
        self.secretary = Actor(ids["Sofie Sekretær"], roles={uid: frozenset({Role.SEKRETAER})})
        self.tove = Actor(ids["Tove Holder"], roles={uid: frozenset({Role.TOVHOLDER})})
        self.vera = Actor(ids["Vera Visitation"], roles={uid: frozenset({Role.TOVHOLDER})})
        return self

    async def add_meeting(self, day: date, at: time = time(15, 0)) -> Moede:
        async with self.uow:
            moede = await self.uow.moeder.add(
                Moede(self.udvalg_id, day, at, "Rådhuset", local_to_utc(day, at, ZONE))
            )
            await self.uow.commit()
        return moede

    async def plan(self) -> plan_service.ImportedPlan:
        return await plan_service.import_plan(
            self.uow, self.secretary, "SSU", "Handleplan for ensomhed", parse(CSV), NOW
        )

    def outbox(self, prefix: str = "status:") -> dict[str, object]:
        return {k: v for k, v in self.uow.committed_outbox.items() if k.startswith(prefix)}


def parse(data: bytes) -> PlanImport:
    return parse_plan_file(data, "plan.csv")


@pytest.fixture
async def world() -> World:
    return await World().build()


async def test_import_links_known_tovholdere_and_lists_the_unknown(world: World) -> None:
    imported = await world.plan()
    linked = {i.title: i.tovholder_person_id for i in imported.indsatser}
    assert linked == {
        "Fællesspisning": world.tove.person_id,  # a unit, linked through its contact person
        "Besøgsvenner": None,
        "Telefonkæde": world.vera.person_id,
        "Digital café": None,
    }
    assert imported.unknown_tovholdere == ("Ib Ingen", "Borgerservice")


async def test_the_example_file_imports_with_every_indsats(world: World) -> None:
    result = parse_plan_file(EXAMPLE_BYTES, EXAMPLE.name)
    imported = await plan_service.import_plan(
        world.uow, world.secretary, "SSU", "Ensomhed", result, NOW
    )
    assert len(imported.indsatser) == len(result.indsatser) >= 4
    assert "Lokalcenter Nord" in imported.unknown_tovholdere


async def test_a_second_plan_with_the_same_name_is_refused_and_nothing_stored(
    world: World,
) -> None:
    await world.plan()
    before = world.uow.snapshot()
    with pytest.raises(InvalidInput) as caught:
        await world.plan()
    assert caught.value.key == "err-plan-exists"
    assert world.uow.snapshot() == before


async def test_a_tovholder_may_not_import_a_plan(world: World) -> None:
    with pytest.raises(NotAllowed):
        await plan_service.import_plan(world.uow, world.tove, "SSU", "X", parse(CSV), NOW)


async def test_opening_a_round_writes_the_round_and_one_prompt_per_reachable_indsats(
    world: World,
) -> None:
    await world.plan()
    plan_id = (await plan_service.list_plans(world.uow, world.secretary))[0].plan.id or 0
    opened = await round_service.open_round_now(
        world.uow, world.secretary, plan_id, NOW, ZONE, texts
    )
    rid = opened.status_round.id
    prompts = {k: m for k, m in world.outbox(f"status:r{rid}:p").items() if k.endswith(":prompt")}
    assert sorted(m.chat_id for m in prompts.values()) == [22, 33]  # type: ignore[attr-defined]
    assert opened.prompts == 2  # one per person, not per indsats
    notice = world.outbox(f"status:r{rid}:unreachable")
    assert len(notice) == 1
    text = next(iter(notice.values())).payload["text"]  # type: ignore[attr-defined]
    assert "Besøgsvenner" in text and "Digital café" in text
    with pytest.raises(InvalidInput) as caught:
        await round_service.open_round_now(world.uow, world.secretary, plan_id, NOW, ZONE, texts)
    assert caught.value.key == "err-status-round-running"


async def _open(world: World) -> tuple[int, int, dict[str, int]]:
    await world.plan()
    plan_id = (await plan_service.list_plans(world.uow, world.secretary))[0].plan.id or 0
    opened = await round_service.open_round_now(
        world.uow, world.secretary, plan_id, NOW, ZONE, texts
    )
    async with world.uow:
        ids = {i.title: i.id or 0 for i in await world.uow.indsatser.for_plan(plan_id)}
    return plan_id, opened.status_round.id or 0, ids


async def test_answer_then_change_until_the_deadline_then_refused(world: World) -> None:
    _, rid, ids = await _open(world)
    await answer_service.record_answer(
        world.uow,
        world.tove,
        rid,
        ids["Fællesspisning"],
        StatusColour.GUL,
        "Få deltagere",
        NOW,
        texts,
    )
    later = NOW + timedelta(hours=1)
    answer = (
        await answer_service.record_answer(
            world.uow,
            world.tove,
            rid,
            ids["Fællesspisning"],
            StatusColour.GROEN,
            "Nu godt",
            later,
            texts,
        )
    ).answer
    assert (answer.colour, answer.text) == (StatusColour.GROEN, "Nu godt")
    async with world.uow:
        [stored] = await world.uow.status_answers.for_rounds([rid])
        status_round = await world.uow.status_rounds.get(rid)
    assert stored.text == "Nu godt"
    assert status_round is not None
    before = world.uow.snapshot()
    with pytest.raises(InvalidInput) as caught:
        await answer_service.record_answer(
            world.uow,
            world.tove,
            rid,
            ids["Fællesspisning"],
            StatusColour.ROED,
            "For sent",
            status_round.deadline,
            texts,
        )
    assert caught.value.key == "err-status-after-deadline"
    assert world.uow.snapshot() == before


async def test_bad_answers_are_refused_and_store_nothing(world: World) -> None:
    _, rid, ids = await _open(world)
    before = world.uow.snapshot()
    cases = [
        (world.vera, ids["Fællesspisning"], StatusColour.GUL, "x", NotAllowed),
        (world.tove, ids["Fællesspisning"], StatusColour.GUL, "x" * 2001, InvalidInput),
        (world.tove, ids["Fællesspisning"], StatusColour.GUL, "   ", InvalidInput),
        (world.tove, ids["Fællesspisning"], None, "", InvalidInput),  # nothing to reuse yet
    ]
    for actor, indsats_id, colour, text, error in cases:
        with pytest.raises(error):
            await answer_service.record_answer(
                world.uow, actor, rid, indsats_id, colour, text, NOW, texts
            )
    assert world.uow.snapshot() == before


async def test_a_report_skips_a_meeting_whose_protocol_is_started_and_is_late_on_a_sent_agenda(
    world: World,
) -> None:
    """The "Status på" sag never enters a protocol that is sent for approval; on the next
    meeting, whose agenda is already sent out, it is flagged late with why and the members get a
    "ny sag" notice."""
    frozen = await world.add_meeting(date(2025, 3, 25))
    later = await world.add_meeting(date(2025, 4, 22))
    async with world.uow:
        state = await world.uow.protokoller.get(frozen.id or 0)
        state.stage = ProtokolStage.SENDT
        await world.uow.protokoller.save(state, state.rev)
        await world.uow.releases.add(
            Release(later.id or 0, NOW, None, later.date, later.start_time, later.place)
        )
        await world.uow.commit()
    _, rid, _ = await _open(world)
    async with world.uow:
        status_round = await world.uow.status_rounds.get(rid)
        frozen_before = await world.uow.punkter.for_moede(frozen.id or 0)
    assert status_round is not None
    closed = await round_service.close_round(world.uow, rid, status_round.deadline, ZONE, texts)
    assert closed is not None and closed.moede is not None and closed.punkt is not None
    assert closed.moede.id == later.id
    async with world.uow:
        assert await world.uow.punkter.for_moede(frozen.id or 0) == frozen_before
    assert closed.punkt.late_reason == (
        "Statusrapporten fra runde 1 af Handleplan for ensomhed blev færdig 10-03-2025, efter at"
        " dagsordenen var sendt ud."
    )
    detail = await open_punkt(world.uow, world.secretary, closed.punkt.id or 0)
    shown = "\n".join(render_punkt(detail, texts("da")))
    assert "[view-punkt-late]reason=Statusrapporten fra runde 1" in shown
    queued = await announce_changes(world.uow, later.id or 0, NOW, ZONE, texts)
    assert queued > 0
    prefix = f"changed:{later.id}:{closed.punkt.id}:"
    notices = [m for k, m in world.uow.committed_outbox.items() if k.startswith(prefix)]
    # (this test's texts are the keys with their parameters)
    assert notices and all("[release-new-sag]" in m.payload["text"] for m in notices)
    reason = "[release-new-sag-reason]reason=Statusrapporten fra runde 1"
    assert all(reason in m.payload["text"] for m in notices)


async def test_reminders_go_to_the_missing_once_and_closing_builds_report_and_sag(
    world: World,
) -> None:
    moede = await world.add_meeting(date(2025, 3, 25))
    plan_id, rid, ids = await _open(world)
    await answer_service.record_answer(
        world.uow, world.tove, rid, ids["Fællesspisning"], StatusColour.ROED, "Aflyst", NOW, texts
    )
    async with world.uow:
        status_round = await world.uow.status_rounds.get(rid)
    assert status_round is not None and status_round.reminders
    at = status_round.reminders[0]
    assert await round_service.send_reminders(world.uow, rid, at, texts) == 1  # Vera only
    assert await round_service.send_reminders(world.uow, rid, at + timedelta(minutes=5), texts) == 0
    assert list(world.outbox(f"status:r{rid}:p{world.vera.person_id}:remind")) == [
        f"status:r{rid}:p{world.vera.person_id}:remind:1"
    ]
    assert not world.outbox(f"status:r{rid}:p{world.tove.person_id}:remind")
    assert await round_service.close_round(world.uow, rid, at, ZONE, texts) is None  # not yet
    closed = await round_service.close_round(world.uow, rid, status_round.deadline, ZONE, texts)
    assert closed is not None and closed.punkt is not None and closed.moede is not None
    assert closed.moede.id == moede.id
    assert closed.punkt.title == "Status på Handleplan for ensomhed"
    assert "Mangler svar: 3" in closed.punkt.sections["sagsfremstilling"]
    async with world.uow:
        [bilag] = await world.uow.bilag.for_punkt(closed.punkt.id or 0)
    assert bilag.file_name.endswith(".docx")
    missing = world.outbox(f"status:r{rid}:missing")
    assert len(missing) == 1
    [report] = world.outbox(f"status:r{rid}:report").values()
    content = base64.b64decode(report.payload["content_b64"])  # type: ignore[attr-defined]
    cells = [c.text for row in Document(io.BytesIO(content)).tables[-1].rows for c in row.cells]
    assert "Aflyst" in cells and "Rød" in cells and cells.count("Mangler svar") == 3
    assert (
        await round_service.close_round(world.uow, rid, status_round.deadline, ZONE, texts) is None
    )
    with pytest.raises(InvalidInput) as caught:
        await answer_service.record_answer(
            world.uow, world.vera, rid, ids["Telefonkæde"], StatusColour.GROEN, "x", NOW, texts
        )
    assert caught.value.key == "err-status-after-deadline"
    # The next round: "ingen ændring" reuses the last answer; the old round's button is refused.
    later = status_round.deadline + timedelta(days=1)
    second = await round_service.open_round_now(
        world.uow, world.secretary, plan_id, later, ZONE, texts
    )
    same = (
        await answer_service.record_answer(
            world.uow,
            world.tove,
            second.status_round.id or 0,
            ids["Fællesspisning"],
            None,
            "",
            later,
            texts,
        )
    ).answer
    assert (same.colour, same.text, same.unchanged) == (StatusColour.ROED, "Aflyst", True)
    assert same.answered_at == later
    with pytest.raises(InvalidInput) as caught:
        await answer_service.record_answer(
            world.uow, world.tove, rid, ids["Fællesspisning"], StatusColour.GUL, "x", later, texts
        )
    assert caught.value.key == "err-status-round-old"


async def test_hand_over_prompts_the_colleague_and_tells_the_secretary(world: World) -> None:
    _, rid, ids = await _open(world)
    done = await answer_service.hand_over(
        world.uow, world.tove, ids["Fællesspisning"], world.vera.person_id, NOW, texts
    )
    assert done.indsats.tovholder_person_id == done.person.id == world.vera.person_id
    # Vera's one prompt (still waiting in the outbox) now lists it; Tove's no longer does.
    [vera] = world.outbox(f"status:r{rid}:p{world.vera.person_id}:prompt").values()
    [tove] = world.outbox(f"status:r{rid}:p{world.tove.person_id}:prompt").values()
    assert "Fællesspisning" in vera.payload["text"]  # type: ignore[attr-defined]
    assert "Fællesspisning" not in tove.payload["text"]  # type: ignore[attr-defined]
    notices = world.outbox("status:handover")
    assert [m.chat_id for m in notices.values()] == [11]  # type: ignore[attr-defined]
    with pytest.raises(NotAllowed):  # Tove is no longer its tovholder
        await answer_service.record_answer(
            world.uow, world.tove, rid, ids["Fællesspisning"], StatusColour.GUL, "x", NOW, texts
        )


# --- a year of schedules, through the service and the outbox ------------------------------------


async def _run_year(world: World, plan_id: int, meetings: list[date]) -> list[datetime]:
    """Tick every day through 2025 and at every instant a round names (twice there, as a
    second scheduler would)."""
    start = datetime(2025, 1, 1, tzinfo=UTC)
    end = datetime(2026, 1, 1, tzinfo=UTC)
    async with world.uow:
        plan = await world.uow.plans.get(plan_id)
    assert plan is not None and plan.schedule is not None
    expected = rounds_between(plan.schedule, start, end - timedelta(days=12), meetings, ZONE)
    exact: set[datetime] = set()
    for times in expected:
        exact |= {times.opens_at, times.deadline, *times.reminders}
    instants = exact | {start + timedelta(days=n, hours=5) for n in range(366)}
    for instant in sorted(i for i in instants if i < end):
        await round_service.run_due(lambda: world.uow, instant, ZONE, texts)
        if instant in exact:
            await round_service.run_due(lambda: world.uow, instant, ZONE, texts)
    return [t.opens_at for t in expected]


@pytest.mark.parametrize(
    ("rule", "meeting_rule"),
    [("første mandag i måneden kl. 9", False), ("5 hverdage før hvert møde", True)],
)
async def test_a_year_sends_every_prompt_and_reminder_exactly_once(
    world: World, rule: str, meeting_rule: bool
) -> None:
    meetings: list[date] = []
    if meeting_rule:
        for month in range(1, 13):
            first = date(2025, month, 1)
            tuesday = first + timedelta(days=(1 - first.weekday()) % 7 + 7)
            await world.add_meeting(tuesday)
            meetings.append(tuesday)
    imported = await world.plan()
    plan_id = imported.plan.id or 0
    schedule = StatusSchedule(rule=rule, svarfrist_hverdage=4, reminder_hverdage=2)
    set_at = datetime(2024, 12, 31, 12, tzinfo=UTC)
    await plan_service.set_schedule(world.uow, world.secretary, plan_id, schedule, set_at, ZONE)
    openings = await _run_year(world, plan_id, meetings)
    assert len(openings) == 12
    async with world.uow:
        rounds = await world.uow.status_rounds.for_plan(plan_id)
    closed = [r for r in rounds if r.state.value == "closed"]
    assert [r.opens_at for r in rounds][:12] == openings
    assert len(closed) == 12
    for opening in openings:  # 09.00 local, summer and winter
        assert to_local(opening, ZONE).time() == time(9, 0)
    reachable = 2  # Tove and Vera; nobody answers
    prompts = [k for k in world.outbox() if k.endswith(":prompt")]
    assert len(prompts) == 12 * reachable
    for status_round in closed:
        rid = status_round.id
        reminders = [k for k in world.outbox(f"status:r{rid}:") if ":remind:" in k]
        assert len(reminders) == reachable * len(status_round.reminders)
        for key in reminders:
            message = world.uow.committed_outbox[key]
            assert message.not_before in status_round.reminders
    if meeting_rule:
        async with world.uow:
            for moede_day in meetings:
                [moede] = [
                    m
                    for m in await world.uow.moeder.for_udvalg(world.udvalg_id)
                    if m.date == moede_day
                ]
                sager = [
                    p
                    for p in await world.uow.punkter.for_moede(moede.id or 0)
                    if p.title.startswith("Status på")
                ]
                assert len(sager) == 1, moede_day
