"""The scheduler's status-round jobs: module-level functions that take ids, never live objects.

- ``tick:status`` (every ``tick_seconds``, fixed id): ``agendas.status.rounds.run_due``:
  closes rounds past their deadline, sends due reminders, opens due rounds. Everything it does
  follows from the data (plans' schedules, rounds stored) and every message has a stable outbox
  key, so a tick that runs twice, or late after a restart, sends nothing twice.
- ``open_round_job(plan_id)``, ``reminder_job(round_id)`` and ``deadline_job(round_id)`` do one
  step for one plan or round (for one-shot jobs and for tools).

The live objects (unit of work factory, texts, clock, the worker's wake-up) are handed to
``register_status_jobs`` and kept in this module while the bot runs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.cron import CronTrigger

from agendas.chatviews import Texts
from agendas.ports import UnitOfWork
from agendas.status import rounds

log = logging.getLogger(__name__)

TICK_JOB_ID = "tick:status"
TICK_GRACE = 60


@dataclass(slots=True)
class StatusJobContext:
    uow_factory: Callable[[], UnitOfWork]
    texts: Texts
    zone: str
    clock: Callable[[], datetime]
    wake: Callable[[], None]
    template: bytes | None = None


_context: StatusJobContext | None = None


def _ctx() -> StatusJobContext:
    if _context is None:
        raise RuntimeError("the status jobs run only while the bot runs")
    return _context


async def tick_job() -> None:
    ctx = _ctx()
    result = await rounds.run_due(ctx.uow_factory, ctx.clock(), ctx.zone, ctx.texts, ctx.template)
    if result.queued:
        log.info(
            "Status rounds: opened %s, reminders %s, closed %s",
            result.opened,
            result.reminded,
            result.closed,
        )
        ctx.wake()


async def open_round_job(plan_id: int) -> None:
    ctx = _ctx()
    opened = await rounds.open_due_round(
        ctx.uow_factory(), plan_id, ctx.clock(), ctx.zone, ctx.texts
    )
    if opened is not None:
        log.info("Status round %s opened for plan %s", opened.status_round.number, plan_id)
        ctx.wake()


async def reminder_job(round_id: int) -> None:
    ctx = _ctx()
    if await rounds.send_reminders(ctx.uow_factory(), round_id, ctx.clock(), ctx.texts):
        ctx.wake()


async def deadline_job(round_id: int) -> None:
    ctx = _ctx()
    closed = await rounds.close_round(
        ctx.uow_factory(), round_id, ctx.clock(), ctx.zone, ctx.texts, ctx.template
    )
    if closed is not None:
        log.info("Status round %s closed, %s missing", round_id, len(closed.missing))
        ctx.wake()


def _every(seconds: int) -> CronTrigger:
    if seconds < 60:
        return CronTrigger(second=f"*/{max(1, seconds)}")
    return CronTrigger(minute=f"*/{max(1, seconds // 60)}")


def register_status_jobs(
    scheduler: BaseScheduler, context: StatusJobContext, *, tick_seconds: int = 60
) -> None:
    """Add the status tick under its fixed id (a restart replaces it, never duplicates it)."""
    global _context
    _context = context
    scheduler.add_job(
        tick_job,
        _every(tick_seconds),
        id=TICK_JOB_ID,
        replace_existing=True,
        misfire_grace_time=TICK_GRACE,
        coalesce=True,
    )


def unregister() -> None:
    global _context
    _context = None
