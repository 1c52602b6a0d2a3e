"""Schedules: APScheduler 3 computes and fires them; the database holds what they are about.

- ``delivery-sync`` (cron, every ``sync_minutes``): for every coming meeting, (re)registers two
  one-shot jobs with fixed ids, ``warn:<moede id>`` (the secretary's deadline warning, counted in
  hverdage) and ``remind:<moede id>`` (members, the day before), ``replace_existing=True`` so
  a restart or a moved meeting never adds a second one.
- ``delivery-watch`` (cron, every ``watch_seconds``): "ændret" notices for released meetings.
  (The decisions summary is not polled for: the approval that locks the protocol queues it.)

Jobs are module-level functions that take ids; the live objects they need (unit of work, texts,
worker) are handed to ``start_scheduler`` and kept in this module while the bot runs.

The job store is APScheduler's ``SQLAlchemyJobStore`` in the bot's own database on PostgreSQL;
on SQLite in a file next to it (see ``jobstore_url``). Triggers run in
Europe/Copenhagen (the settings' zone), so a 09:00 reminder stays 09:00 across DST changes.
``misfire_grace_time`` is 6 hours for warnings and reminders (a bot that was down at 09:00 and
is back by 15:00 still sends them; later they are no use) and 60 s for the periodic jobs;
``coalesce=True`` runs a job missed several times once. Each message also has an idempotency
key in the outbox, so even a job fired twice sends nothing twice.

With PostgreSQL several bot processes may run; only the one holding the advisory lock
(``pg_try_advisory_lock``) runs the scheduler; the others try again every minute.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from sqlalchemy import Connection, Engine, text

from agendas.chatviews import Texts
from agendas.meeting import approval
from agendas.ports import UnitOfWork
from agendas.services import release_watch
from storage.engine import is_sqlite, make_sync_engine, sync_url

log = logging.getLogger(__name__)

#: Any 64-bit number; the same in every process of one deployment.
ADVISORY_LOCK_ID = 0x55445642  # "UDVB"
#: How far ahead the sync job registers meeting jobs.
HORIZON = timedelta(days=400)
REMINDER_GRACE = 6 * 3600
PERIODIC_GRACE = 60


@dataclass(slots=True)
class SchedulerContext:
    uow_factory: Callable[[], UnitOfWork]
    texts: Texts
    zone: str
    clock: Callable[[], datetime]
    wake: Callable[[], None]
    scheduler: AsyncIOScheduler | None = None
    #: Members who have not approved a protocol are reminded after this many hverdage.
    approval_hverdage: int = 2
    #: Called with the scheduler just before it starts (the status-round jobs register here).
    on_start: Callable[[AsyncIOScheduler], None] | None = None


_context: SchedulerContext | None = None
#: Jobs running now, so a stop can let them finish instead of cutting a transaction short.
_running: set[asyncio.Task[Any]] = set()

_Job = TypeVar("_Job", bound=Callable[..., Awaitable[None]])


def _tracked(func: _Job) -> _Job:
    @functools.wraps(func)
    async def run(*args: Any) -> None:
        task = asyncio.current_task()
        if task is not None:
            _running.add(task)
        try:
            await func(*args)
        finally:
            if task is not None:
                _running.discard(task)

    return run  # type: ignore[return-value]


def _ctx() -> SchedulerContext:
    if _context is None:
        raise RuntimeError("the scheduler's jobs run only while the bot runs")
    return _context


# --- the jobs (module level, ids only) -----------------------------------------------------------


@_tracked
async def warn_job(moede_id: int) -> None:
    ctx = _ctx()
    queued = await release_watch.warn_deadline(
        ctx.uow_factory(), moede_id, ctx.clock(), ctx.zone, ctx.texts
    )
    log.info("Deadline warning for meeting %s: %s message(s) queued", moede_id, queued)
    ctx.wake()


@_tracked
async def remind_job(moede_id: int) -> None:
    ctx = _ctx()
    queued = await release_watch.remind_members(ctx.uow_factory(), moede_id, ctx.clock(), ctx.texts)
    log.info("Reminder for meeting %s: %s message(s) queued", moede_id, queued)
    ctx.wake()


@_tracked
async def watch_job() -> None:
    """ "Ændret" and "ny sag" notices for the coming meetings (released and not begun), and the
    reminders of protocols waiting for approval."""
    ctx = _ctx()
    now = ctx.clock()
    today = now.astimezone(ZoneInfo(ctx.zone)).date()
    queued = await approval.remind_approvals(
        ctx.uow_factory(), now, ctx.zone, ctx.texts, ctx.approval_hverdage
    )
    changed = await release_watch.moeder_to_watch(ctx.uow_factory(), today, today + HORIZON, now)
    for moede_id in changed:
        queued += await release_watch.announce_changes(
            ctx.uow_factory(), moede_id, now, ctx.zone, ctx.texts
        )
    if queued:
        ctx.wake()


@_tracked
async def sync_job() -> None:
    """Register the warning and reminder of every coming meeting under fixed ids."""
    ctx = _ctx()
    scheduler = ctx.scheduler
    if scheduler is None:
        return
    now = ctx.clock()
    today = now.astimezone(ZoneInfo(ctx.zone)).date()
    schedules = await release_watch.coming_schedules(
        ctx.uow_factory(), today, today + HORIZON, ctx.zone
    )
    # The job store is read once (not once per meeting): only what changed is written.
    registered = {job.id: job for job in scheduler.get_jobs()}
    for item in schedules:
        # A meeting created after its warning time (but before the deadline) is warned now.
        warn_at = max(item.warn_at, now) if item.frist_at > now else item.warn_at
        for job_id, func, at, wanted in (
            (f"warn:{item.moede_id}", warn_job, warn_at, not item.released),
            (f"remind:{item.moede_id}", remind_job, item.reminder_at, True),
        ):
            existing = registered.get(job_id)
            if not wanted or at <= now - timedelta(seconds=REMINDER_GRACE):
                if existing is not None:
                    with contextlib.suppress(LookupError):
                        scheduler.remove_job(job_id)
                continue
            if existing is not None and existing.next_run_time in (at, now):
                continue  # already there (a catch-up warning is re-added only once it ran)
            scheduler.add_job(
                func,
                DateTrigger(run_date=at.astimezone(ZoneInfo(ctx.zone))),
                args=[item.moede_id],
                id=job_id,
                replace_existing=True,
                misfire_grace_time=REMINDER_GRACE,
                coalesce=True,
            )


# --- starting and stopping ---------------------------------------------------------------------


def _every(seconds: int) -> CronTrigger:
    if seconds < 60:
        return CronTrigger(second=f"*/{max(1, seconds)}")
    return CronTrigger(minute=f"*/{max(1, seconds // 60)}")


@dataclass(slots=True)
class RunningScheduler:
    scheduler: AsyncIOScheduler | None
    engine: Engine
    lock_connection: Connection | None = None
    retry_task: asyncio.Task[None] | None = None

    def _stop_firing(self) -> None:
        """Once only: AsyncIOScheduler shuts down in a later loop callback, so ``running`` stays
        true for a moment and a second ``shutdown`` would raise inside the event loop."""
        scheduler, self.scheduler = self.scheduler, None
        if scheduler is not None and scheduler.running:
            scheduler.shutdown(wait=False)

    async def stop(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Stop firing, let running jobs finish (or cancel them after ``timeout``), close."""
        self._stop_firing()
        running = [t for t in _running if not t.done()]
        if running:
            _done, pending = await asyncio.wait(running, timeout=timeout)
            for task in pending:
                task.cancel()
            if pending:
                await asyncio.wait(pending, timeout=1.0)
        self.shutdown()

    def shutdown(self) -> None:
        global _context
        if self.retry_task is not None:
            self.retry_task.cancel()
        self._stop_firing()
        if self.lock_connection is not None:
            with contextlib.suppress(Exception):
                self.lock_connection.execute(
                    text("SELECT pg_advisory_unlock(:id)"), {"id": ADVISORY_LOCK_ID}
                )
                self.lock_connection.close()
        self.engine.dispose()
        _context = None


def jobstore_url(database_url: str) -> str:
    """Where the job store lives: the bot's database on PostgreSQL; next to it on SQLite.

    APScheduler 3 calls its job store synchronously inside the event loop. On SQLite a write
    there waits (blocking the loop) for the write lock an async transaction holds, and that
    transaction needs the loop to commit: a stall until the busy timeout. A file of its own
    (``<name>-scheduler.sqlite3``) has no other writer. PostgreSQL locks rows, not the database.
    """
    if not is_sqlite(database_url):
        return database_url
    url = sync_url(database_url)
    database = url.database or ""
    if not database or database == ":memory:" or database.startswith("file:"):
        return "sqlite://"
    path = Path(database)
    return url.set(
        database=str(path.with_name(f"{path.stem}-scheduler{path.suffix}"))
    ).render_as_string(hide_password=False)


def _try_lock(engine: Engine) -> Connection | None:
    """PostgreSQL: hold the advisory lock on a connection of its own, or None if taken."""
    connection = engine.connect()
    got = connection.execute(
        text("SELECT pg_try_advisory_lock(:id)"), {"id": ADVISORY_LOCK_ID}
    ).scalar()
    connection.commit()
    if got:
        return connection
    connection.close()
    return None


def start_scheduler(
    database_url: str,
    context: SchedulerContext,
    *,
    sync_minutes: int = 10,
    watch_seconds: int = 60,
) -> RunningScheduler:
    """Start the scheduler in this process, unless another process holds the PostgreSQL lock."""
    global _context
    _context = context
    engine = make_sync_engine(jobstore_url(database_url))
    running = RunningScheduler(scheduler=None, engine=engine)

    def launch(lock: Connection | None) -> None:
        scheduler = AsyncIOScheduler(
            jobstores={"default": SQLAlchemyJobStore(engine=engine)},
            timezone=ZoneInfo(context.zone),
            job_defaults={"coalesce": True, "max_instances": 1},
        )
        context.scheduler = scheduler
        running.scheduler = scheduler
        running.lock_connection = lock
        scheduler.add_job(
            sync_job,
            _every(sync_minutes * 60),
            id="delivery-sync",
            replace_existing=True,
            misfire_grace_time=PERIODIC_GRACE,
            next_run_time=datetime.now(UTC),
        )
        scheduler.add_job(
            watch_job,
            _every(watch_seconds),
            id="delivery-watch",
            replace_existing=True,
            misfire_grace_time=PERIODIC_GRACE,
        )
        if context.on_start is not None:
            context.on_start(scheduler)
        scheduler.start()
        log.info("Scheduler started")

    if is_sqlite(database_url):
        launch(None)
        return running

    lock = _try_lock(engine)
    if lock is not None:
        launch(lock)
        return running

    async def retry() -> None:
        while True:
            await asyncio.sleep(60)
            taken = _try_lock(engine)
            if taken is not None:
                launch(taken)
                return

    log.info("Another process runs the scheduler; this one waits for the lock")
    running.retry_task = asyncio.create_task(retry(), name="scheduler-lock")
    return running
