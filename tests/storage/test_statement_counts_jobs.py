"""The number of SQL statements of /protokol (through the real dispatcher), of the export and of
the scheduler's watch and sync jobs does not grow with the number of members, punkter or
meetings: each reads what it shows in a fixed number of queries, not one per row.

Counted with SQLAlchemy's ``before_cursor_execute`` event on the engine the bot uses, on
SQLite and PostgreSQL, once small and once large; the counts must be equal.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from agendas.dates import local_to_utc
from agendas.meeting.documents import ProtokolRequest, protokol_document
from agendas.model import Actor, Bilag, Membership, Moede, Person, Punkt, PunktKind, Role, Udvalg
from agendas.outbox import Release
from agendas.ports import UnitOfWork
from agendas.protocol import AttendanceStatus
from agendas.records import AttendanceRecord, ProtokolStage, ProtokolState
from agendas.services import archive
from bot.app import build_dispatcher
from bot.i18n import make_i18n, texts_for
from bot.workers import scheduler as sched
from handlers.context import ChatConfig
from storage.fsm import SqlStorage
from storage.uow import SqlUnitOfWork
from tests.support.clock import FrozenClock
from tests.support.recording import ChatHarness, RecordingSession, TgUser, make_bot

ZONE = "Europe/Copenhagen"
#: Monday 7 December 2026, 13:00 in Copenhagen: the meeting below was held at 10:00.
NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
SECRETARY = TgUser(id=2002, first_name="Sofie", last_name="Sekretær", username="sofie")


@contextmanager
def counting(engine: AsyncEngine) -> Iterator[list[str]]:
    """The statements sent to the database while the block runs."""
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(str(args[2]))

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)


@dataclass
class Seeded:
    udvalg_id: int
    secretary: Actor
    moede_ids: list[int]


async def seed(uow: UnitOfWork, members: int, punkter: int, meetings: int = 1) -> Seeded:
    """One udvalg with its secretary (SECRETARY), ``members`` members (present at the first
    meeting) and ``meetings`` meetings of ``punkter`` sager each, with a bilag each."""
    async with uow:
        udvalg = await uow.udvalg.add(Udvalg("BEU", "Beskæftigelsesudvalget", "SSF"))
        uid = udvalg.id or 0
        secretary = await uow.persons.add(Person(SECRETARY.id, "Sofie Sekretær"))
        await uow.memberships.add(Membership(secretary.id or 0, uid, Role.SEKRETAER))
        people = []
        for n in range(members):
            person = await uow.persons.add(Person(10_000 + n, f"Medlem {n:03d}"))
            role = Role.FORMAND if n == 0 else Role.MEDLEM
            await uow.memberships.add(Membership(person.id or 0, uid, role, party="A"))
            people.append(person)
        moede_ids = []
        for m in range(meetings):
            day = date(2026, 12, 7) + timedelta(days=7 * m)
            moede = await uow.moeder.add(
                Moede(uid, day, time(10), "Rådhuset", starts_at=local_to_utc(day, time(10), ZONE))
            )
            mid = moede.id or 0
            moede_ids.append(mid)
            for n in range(punkter):
                punkt = await uow.punkter.add(
                    Punkt(
                        mid,
                        PunktKind.SAG,
                        f"Sag {n + 1}",
                        position=n,
                        closed=n == 0,
                        sections={"sagens_kerne": "Kerne.", "indstilling": "Godkendes."},
                    )
                )
                await uow.bilag.add(
                    Bilag(punkt.id or 0, f"bilag {n}.pdf", 10, "0" * 64, "application/pdf")
                )
        for person in people:
            await uow.attendance.put(
                AttendanceRecord(moede_ids[0], person.id or 0, AttendanceStatus.TIL_STEDE)
            )
        await uow.commit()
    actor = Actor(secretary.id or 0, roles={uid: frozenset({Role.SEKRETAER})})
    return Seeded(uid, actor, moede_ids)


def _chat(factory: async_sessionmaker[AsyncSession]) -> ChatHarness:
    dp = build_dispatcher(
        storage=SqlStorage(factory),
        uow_factory=lambda: SqlUnitOfWork(factory),
        i18n=make_i18n("da"),
        config=ChatConfig(clock=FrozenClock(NOW), invite_ttl=timedelta(days=7)),
        admin_ids=frozenset(),
    )
    session = RecordingSession()
    return ChatHarness(dispatcher=dp, bot=make_bot(session), session=session)


async def _protokol_statements(
    session_factory: async_sessionmaker[AsyncSession], engine: AsyncEngine
) -> list[str]:
    chat = _chat(session_factory)
    await chat.send(SECRETARY, "/start")  # the first update of a person may register them
    with counting(engine) as seen:
        calls = await chat.send(SECRETARY, "/protokol")
    assert [c.document_name for c in calls if c.method == "sendDocument"] == [
        "Beslutningsprotokol BEU 2026-12-07.docx"
    ]
    return seen


async def test_protokol_reads_the_same_number_of_statements_however_large(
    uow: SqlUnitOfWork,
    engine: AsyncEngine,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    """5 members and 3 punkter, then 200 members and 15 punkter (each with a bilag)."""
    counts = []
    for members, punkter in ((5, 3), (200, 15)):
        await seed(uow, members, punkter)
        seen = await _protokol_statements(session_factory, engine)
        counts.append(len(seen))
        await _empty(uow)
    assert counts[0] == counts[1], counts


async def test_the_export_reads_the_same_number_of_statements_however_large(
    uow: SqlUnitOfWork, engine: AsyncEngine
) -> None:
    counts = []
    for members, punkter in ((5, 3), (200, 15)):
        seeded = await seed(uow, members, punkter)
        with counting(engine) as seen:
            found = await protokol_document(
                uow,
                seeded.secretary,
                ProtokolRequest(moede_id=seeded.moede_ids[0], operator=True),
                NOW,
                ZONE,
            )
        assert found is not None and found.content.startswith(b"PK")
        counts.append(len(seen))
        await _empty(uow)
    assert counts[0] == counts[1], counts


async def _empty(uow: SqlUnitOfWork) -> None:
    from sqlmodel import SQLModel

    async with uow:
        for table in reversed(SQLModel.metadata.sorted_tables):
            await uow.session.execute(table.delete())
        await uow.commit()


# --- the scheduler's jobs -------------------------------------------------------------------


async def _jobs_statements(
    uow: SqlUnitOfWork,
    engine: AsyncEngine,
    session_factory: async_sessionmaker[AsyncSession],
    meetings: int,
) -> list[int]:
    """The statements of the watch job and of the sync job over ``meetings`` released coming
    meetings of 20 members and 5 punkter each, one of them changed since its release."""
    seeded = await seed(uow, 20, 5, meetings)
    async with uow:
        for mid in seeded.moede_ids:
            moede = await uow.moeder.get(mid)
            assert moede is not None
            versions = {p.id or 0: p.version for p in await uow.punkter.for_moede(mid)}
            await uow.releases.add(
                Release(mid, NOW, None, moede.date, moede.start_time, moede.place, 0, versions)
            )
        changed = (await uow.punkter.for_moede(seeded.moede_ids[-1]))[0]
        changed.title = "Sag 1 (ændret)"
        await uow.punkter.save(changed, changed.version)
        await uow.commit()
    woken: list[int] = []
    context = sched.SchedulerContext(
        uow_factory=lambda: SqlUnitOfWork(session_factory),
        texts=texts_for(make_i18n("da")),
        zone=ZONE,
        clock=FrozenClock(NOW - timedelta(days=1)),
        wake=lambda: woken.append(1),
        scheduler=AsyncIOScheduler(timezone=ZONE),
    )
    sched._context = context
    try:
        with counting(engine) as watched:
            await sched.watch_job()
        assert woken, "the changed meeting's notices were queued"
        with counting(engine) as synced:
            await sched.sync_job()
        assert context.scheduler is not None
        assert len(context.scheduler.get_jobs()) == meetings  # a reminder each, no warning
        with counting(engine) as quiet:
            await sched.watch_job()  # nothing changed since the last run
    finally:
        sched._context = None
    return [len(watched), len(synced), len(quiet)]


async def test_the_watch_and_sync_jobs_read_the_same_number_of_statements_however_many_meetings(
    uow: SqlUnitOfWork, engine: AsyncEngine, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    few = await _jobs_statements(uow, engine, session_factory, 2)
    await _empty(uow)
    many = await _jobs_statements(uow, engine, session_factory, 50)
    assert few == many, (few, many)
    # With nothing changed, the watch job only looks: a handful of reads, no meeting loaded.
    assert many[2] <= 6, many


async def _approval_reminder_statements(
    uow: SqlUnitOfWork, engine: AsyncEngine, factory: async_sessionmaker[AsyncSession], held: int
) -> int:
    """``held`` meetings whose protocols wait for approval and were reminded already: the
    statements of the next watch run."""
    seeded = await seed(uow, 5, 2, held)
    async with uow:
        for mid in seeded.moede_ids:
            state = ProtokolState(mid, stage=ProtokolStage.SENDT, sent_at=NOW - timedelta(days=9))
            await uow.protokoller.save(state, 0)
        await uow.commit()
    context = sched.SchedulerContext(
        uow_factory=lambda: SqlUnitOfWork(factory),
        texts=texts_for(make_i18n("da")),
        zone=ZONE,
        clock=FrozenClock(NOW),
        wake=lambda: None,
    )
    sched._context = context
    try:
        await sched.watch_job()  # the reminders are queued: this loads each meeting once
        async with uow:
            reminded = await uow.outbox.by_key_prefix("approval-auto:")
        assert len({m.key.split(":")[1] for m in reminded}) == held
        with counting(engine) as seen:
            await sched.watch_job()
    finally:
        sched._context = None
    return len(seen)


async def test_the_watch_job_does_not_load_protocols_it_has_reminded_already(
    uow: SqlUnitOfWork, engine: AsyncEngine, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    few = await _approval_reminder_statements(uow, engine, session_factory, 2)
    await _empty(uow)
    many = await _approval_reminder_statements(uow, engine, session_factory, 50)
    assert few == many <= 6, (few, many)


# --- the archive's links ----------------------------------------------------------------------


async def _public_paths(
    uow: SqlUnitOfWork, engine: AsyncEngine, meetings: int
) -> tuple[dict[int, str], list[int], int]:
    """``meetings`` weekly meetings of BEU, all released but the last, plus a second released
    BEU meeting on the first day and a released meeting of another udvalg that day: the paths
    ``public_paths`` gives them all, and its statements."""
    seeded = await seed(uow, 2, 1, meetings)
    async with uow:
        first = await uow.moeder.get(seeded.moede_ids[0])
        assert first is not None
        other = await uow.udvalg.add(Udvalg("KFU", "Kultur- og fritidsudvalget", "KFF"))
        extra = []
        for udvalg_id, clock in ((seeded.udvalg_id, time(14)), (other.id or 0, time(9))):
            moede = await uow.moeder.add(
                Moede(
                    udvalg_id,
                    first.date,
                    clock,
                    "Rådhuset",
                    starts_at=local_to_utc(first.date, clock, ZONE),
                )
            )
            extra.append(moede.id or 0)
        ids = [*seeded.moede_ids, *extra]
        for mid in [*seeded.moede_ids[:-1], *extra]:
            moede = await uow.moeder.get(mid)
            assert moede is not None
            await uow.releases.add(
                Release(mid, NOW, None, moede.date, moede.start_time, moede.place, 0, {})
            )
        await uow.commit()
    async with uow:
        with counting(engine) as seen:
            paths = await archive.public_paths(uow, ids)
    return paths, ids, len(seen)


async def test_the_archive_links_of_search_results_take_the_same_statements_however_many(
    uow: SqlUnitOfWork, engine: AsyncEngine
) -> None:
    """A search page links each result's public meeting page: one query per kind of thing
    (releases, protocols, meetings, committees, the meetings of those days), not per result."""
    few_paths, few_ids, few = await _public_paths(uow, engine, 2)
    await _empty(uow)
    paths, ids, many = await _public_paths(uow, engine, 30)

    assert few == many, (few, many)
    first_day = date(2026, 12, 7).isoformat()
    *weekly, unreleased, second, elsewhere = ids
    assert unreleased not in paths  # neither released nor approved: not public
    assert paths[weekly[0]] == f"/udvalg/beu/{first_day}"
    assert paths[second] == f"/udvalg/beu/{first_day}-2"  # BEU's second meeting that day
    assert paths[elsewhere] == f"/udvalg/kfu/{first_day}"  # another udvalg counts on its own
    assert paths[weekly[-1]] == f"/udvalg/beu/{date(2026, 12, 7) + timedelta(weeks=28):%Y-%m-%d}"
    assert len(paths) == len(ids) - 1
    assert len(few_paths) == len(few_ids) - 1
