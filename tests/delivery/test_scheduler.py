"""The scheduler: fixed job ids in the database's job store, DST-correct run times, and the
warning and reminder jobs each queue their messages once, however often they fire."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from agendas.chatviews import Translate
from bot.workers import scheduler as sched
from tests.delivery.conftest import NOW, ZONE, Db, make_committee
from tests.support.clock import FrozenClock


def _start(
    db: Db, texts: Callable[[str | None], Translate], clock: FrozenClock
) -> sched.RunningScheduler:
    woken: list[int] = []
    return sched.start_scheduler(
        db.url,
        sched.SchedulerContext(
            uow_factory=db.uow,
            texts=texts,
            zone=ZONE,
            clock=clock,
            wake=lambda: woken.append(1),
        ),
    )


async def _count(db: Db, kind: str) -> int:
    async with db.engine.connect() as conn:
        value = await conn.scalar(text("SELECT count(*) FROM outbox WHERE kind = :k"), {"k": kind})
    return int(value or 0)


async def test_jobs_have_fixed_ids_and_survive_a_restart_without_duplicates(
    db: Db, texts: Callable[[str | None], Translate]
) -> None:
    c = await make_committee(db)
    mid = c.moede.id or 0
    clock = FrozenClock(datetime(2027, 3, 15, 12, 0, tzinfo=UTC))
    running = _start(db, texts, clock)
    try:
        await sched.sync_job()
        await sched.sync_job()  # a second sync changes nothing
        assert running.scheduler is not None
        ids = sorted(j.id for j in running.scheduler.get_jobs())
        assert ids == ["delivery-sync", "delivery-watch", f"remind:{mid}", f"warn:{mid}"]
        warn = running.scheduler.get_job(f"warn:{mid}")
        remind = running.scheduler.get_job(f"remind:{mid}")
        # Deadline Tue 23/3 (4 hverdage before Thu 1/4 across Easter); warning 2 hverdage
        # earlier, Fri 19/3 09:00 winter time; reminder Wed 31/3 09:00 summer time.
        assert warn.next_run_time.astimezone(UTC) == datetime(2027, 3, 19, 8, 0, tzinfo=UTC)
        assert remind.next_run_time.astimezone(UTC) == datetime(2027, 3, 31, 7, 0, tzinfo=UTC)
    finally:
        await running.stop()

    # A restart: the jobs are in the database, registered again under the same ids.
    running = _start(db, texts, clock)
    try:
        await sched.sync_job()
        assert running.scheduler is not None
        ids = sorted(j.id for j in running.scheduler.get_jobs())
        assert ids == ["delivery-sync", "delivery-watch", f"remind:{mid}", f"warn:{mid}"]
        with running.engine.connect() as conn:
            stored = conn.scalar(text("SELECT count(*) FROM apscheduler_jobs"))
        assert stored == 4
        assert str(running.engine.url).endswith("bot-scheduler.sqlite3")
    finally:
        await running.stop()


async def test_warning_and_reminder_fire_once_each(
    db: Db, texts: Callable[[str | None], Translate]
) -> None:
    c = await make_committee(db, members=2)
    mid = c.moede.id or 0
    clock = FrozenClock(datetime(2027, 3, 19, 8, 0, tzinfo=UTC))
    running = _start(db, texts, clock)
    try:
        await sched.warn_job(mid)
        await sched.warn_job(mid)  # a misfire run after a restart, or a second process
        assert await _count(db, "deadline") == 1
        clock.advance(timedelta(days=12))  # Wednesday 31 March, 09:00 summer time
        await sched.remind_job(mid)
        await sched.remind_job(mid)
        assert await _count(db, "reminder") == 4  # secretary, two members, tovholder
    finally:
        await running.stop()


async def test_a_released_meeting_gets_no_warning_job(
    db: Db, texts: Callable[[str | None], Translate]
) -> None:
    from agendas.services import release

    c = await make_committee(db)
    mid = c.moede.id or 0
    await release.release_agenda(db.uow(), c.editor, mid, NOW, ZONE, texts)
    running = _start(db, texts, FrozenClock(NOW))
    try:
        await sched.sync_job()
        assert running.scheduler is not None
        ids = {j.id for j in running.scheduler.get_jobs()}
        assert f"warn:{mid}" not in ids and f"remind:{mid}" in ids
    finally:
        await running.stop()


async def test_a_meeting_created_after_its_warning_time_is_warned_at_once(
    db: Db, texts: Callable[[str | None], Translate]
) -> None:
    c = await make_committee(db)
    mid = c.moede.id or 0
    running = _start(db, texts, FrozenClock(NOW))  # Mon 22/3: past the warning, before Tue 23/3
    try:
        await sched.sync_job()
        assert running.scheduler is not None
        warn = running.scheduler.get_job(f"warn:{mid}")
        assert warn is not None
        assert warn.next_run_time.astimezone(UTC) == NOW
    finally:
        await running.stop()


async def test_the_watch_job_announces_changes_once(
    db: Db, texts: Callable[[str | None], Translate]
) -> None:
    """A punkt edited after the release: one "ændret" notice per person, however often the
    watch fires. (The decisions are not polled for: the approval that locks queues them.)"""
    from agendas.services import release

    c = await make_committee(db, members=2)
    mid = c.moede.id or 0
    await release.release_agenda(db.uow(), c.editor, mid, NOW, ZONE, texts)
    async with db.uow() as uow:
        punkt = await uow.punkter.get(c.sag.id or 0)
        assert punkt is not None
        punkt.sections["indstilling"] = "Forvaltningen indstiller, at sagen udsættes."
        await uow.punkter.save(punkt, punkt.version)
        await uow.commit()
    running = _start(db, texts, FrozenClock(NOW + timedelta(minutes=5)))
    try:
        await sched.watch_job()
        await sched.watch_job()
        assert await _count(db, "changed") == 4  # secretary, two members, tovholder
    finally:
        await running.stop()


async def test_members_who_have_not_approved_are_reminded_after_two_hverdage_once(
    db: Db, texts: Callable[[str | None], Translate]
) -> None:
    """Sent Thursday 1 April 16.00 (after the meeting): Friday and Monday are the two hverdage,
    so the watch job reminds on Monday from 16.00, once however often it fires, and only those
    who have not approved; a member who approves in between is left alone."""
    from agendas.meeting import approval, decisions
    from agendas.model import Actor, Role

    c = await make_committee(db, members=2)
    mid, editor = c.moede.id or 0, c.editor
    sent_at = datetime(2027, 4, 1, 14, 0, tzinfo=UTC)  # 16.00 summer time
    await decisions.set_end_time(db.uow(), editor, mid, "15.30", ZONE, None, sent_at)
    async with db.uow() as uow:
        punkter = await uow.punkter.for_moede(mid)
    for punkt in punkter:
        await decisions.set_beslutning(db.uow(), editor, punkt.id or 0, "Godkendt", None, sent_at)
        if punkt.closed:
            await decisions.set_public_beslutning(
                db.uow(), editor, punkt.id or 0, "Behandlet.", None, sent_at
            )
    round_ = await approval.send_for_approval(
        db.uow(), editor, mid, None, sent_at, texts, confirmed=True
    )
    first = c.members[0]
    member = Actor(first.id or 0, roles={c.udvalg.id or 0: frozenset({Role.MEDLEM})})
    await approval.approve(db.uow(), member, mid, round_.view.rev, sent_at, texts)
    assert await _count(db, "approval") == 2

    clock = FrozenClock(datetime(2027, 4, 5, 13, 59, tzinfo=UTC))  # Monday 15.59
    running = _start(db, texts, clock)
    try:
        await sched.watch_job()
        assert await _count(db, "approval") == 2  # not yet
        clock.current = datetime(2027, 4, 5, 14, 1, tzinfo=UTC)
        await sched.watch_job()
        await sched.watch_job()
        async with db.engine.connect() as conn:
            rows = (
                await conn.execute(
                    text(
                        "SELECT chat_id, payload FROM outbox WHERE kind = 'approval'"
                        " AND idempotency_key LIKE 'approval-auto:%'"
                    )
                )
            ).all()
        assert [chat for chat, _ in rows] == [c.members[1].telegram_id]
        payload = rows[0][1] if isinstance(rows[0][1], dict) else json.loads(rows[0][1])
        assert payload["text"].startswith("⏰ Påmindelse: protokollen venter stadig")
        assert payload["buttons"][0][0]["version"] == round_.view.rev  # the button still works
    finally:
        await running.stop()
