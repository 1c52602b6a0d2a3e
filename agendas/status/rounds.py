"""A status round's life: opened (by the secretary or by the schedule), reminded, closed.

Every message a round causes (prompts, reminders, the secretary's list of missing answers, the
report) is written to the outbox in the same transaction as the change that caused it, with a
stable key (``agendas.status.prompts``), so a job that fires twice sends nothing twice.

``run_due`` is what the scheduler calls: it opens the rounds that are due, sends the reminders
that are due and closes the rounds whose deadline has passed. It is driven by the data alone (the
plans' schedules and the rounds stored), so it may run as often as wanted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from agendas.chatviews import Texts, esc
from agendas.dates import to_local
from agendas.errors import ConcurrentEdit, InvalidInput
from agendas.model import Actor, Moede, Punkt
from agendas.plans import Handleplan, Indsats, RoundState, StatusRound, StatusSchedule
from agendas.ports import UnitOfWork
from agendas.services.common import audit, require_editor
from agendas.status.common import (
    escaping,
    html_texts,
    link_tovholdere,
    load_plan,
    meeting_days,
    notice,
    put_all,
    recipients_of,
    secretaries_of,
)
from agendas.status.lists import queue_prompts, round_view
from agendas.status.prompts import missing_notices, person_reminder
from agendas.status.report import ReportFile, build_report, file_report, render_report
from agendas.status.report_document import StatusReport
from agendas.status.schedules import RoundTimes, next_round, round_times


@dataclass(frozen=True, slots=True)
class OpenedRound:
    status_round: StatusRound
    plan: Handleplan
    #: Prompts queued: one per person asked.
    prompts: int
    unreachable: list[Indsats]
    #: Answers given before the round that became its answers.
    early: int = 0
    #: People away for the whole round (no prompt).
    away: int = 0


async def _take_early(uow: UnitOfWork, plan: Handleplan, status_round: StatusRound) -> int:
    """Answers given before the round become its answers (marked as given early)."""
    active = {i.id for i in await uow.indsatser.for_plan(plan.id or 0) if i.active}
    taken = 0
    for early in await uow.status_answers.early_for_plan(plan.id or 0):
        if early.indsats_id in active:
            early.id, early.round_id, early.early = None, status_round.id or 0, True
            await uow.status_answers.put(early)
            taken += 1
    await uow.status_answers.drop_early(plan.id or 0)
    return taken


async def _open(
    uow: UnitOfWork,
    plan: Handleplan,
    times: RoundTimes,
    moede_id: int | None,
    now: datetime,
    texts: Texts,
) -> OpenedRound:
    """Inside a transaction: the round row, one prompt per indsats, the secretaries told about
    indsatser nobody can be asked for."""
    rounds = await uow.status_rounds.for_plan(plan.id or 0)
    if any(r.state is RoundState.OPEN for r in rounds):
        raise InvalidInput("err-status-round-running", plan=plan.title)
    await link_tovholdere(uow, plan)
    indsatser = [i for i in await uow.indsatser.for_plan(plan.id or 0) if i.active]
    if not indsatser:
        raise InvalidInput("err-status-no-indsatser", plan=plan.title)
    number = max((r.number for r in rounds), default=0) + 1
    status_round = await uow.status_rounds.add(
        StatusRound(
            plan_id=plan.id or 0,
            number=number,
            opens_at=times.opens_at,
            deadline=times.deadline,
            reminders=times.reminders,
            moede_id=moede_id,
        )
    )
    early = await _take_early(uow, plan, status_round)
    recipients = await recipients_of(uow, indsatser)
    view = await round_view(uow, plan, status_round)
    queued = await queue_prompts(uow, view, recipients, html_texts(texts), now)
    unreachable = [i for i in indsatser if not any(p in recipients for p in i.person_ids)]
    if unreachable:
        for secretary in await secretaries_of(uow, plan.udvalg_id):
            t = escaping(texts(secretary.language or None))
            lines = [t("status-unreachable-head", plan=plan.title, count=len(unreachable))]
            lines.extend(
                f"• {esc(i.title)} ({esc(i.tovholder or t('status-no-tovholder'))})"
                for i in unreachable
            )
            await uow.outbox.add(
                notice(
                    f"status:r{status_round.id}:unreachable:p{secretary.person_id}",
                    secretary,
                    "\n".join(lines)[:4000],
                    max(now, times.opens_at),
                    plan.udvalg_id,
                )
            )
    return OpenedRound(status_round, plan, queued.prompts, unreachable, early, len(queued.away))


async def open_round_now(
    uow: UnitOfWork,
    actor: Actor,
    plan_id: int,
    now: datetime,
    zone: str,
    texts: Texts,
    svarfrist_hverdage: int | None = None,
) -> OpenedRound:
    """The secretary starts a round at once (outside the schedule)."""
    async with uow:
        plan = await load_plan(uow, plan_id)
        require_editor(actor, plan.udvalg_id)
        schedule = plan.schedule or StatusSchedule(rule="månedlig")
        if svarfrist_hverdage is not None:
            schedule = StatusSchedule(
                schedule.rule, svarfrist_hverdage, min(schedule.reminder_hverdage, 1)
            )
        times = round_times(now, schedule, None, zone)
        try:
            opened = await _open(uow, plan, times, None, now, texts)
        except ConcurrentEdit as exc:
            raise InvalidInput("err-status-round-running", plan=plan.title) from exc
        await audit(
            uow,
            actor,
            "status.open",
            "status_round",
            opened.status_round.id,
            now,
            plan.udvalg_id,
            number=opened.status_round.number,
        )
        await uow.commit()
    return opened


async def open_due_round(
    uow: UnitOfWork, plan_id: int, now: datetime, zone: str, texts: Texts
) -> OpenedRound | None:
    """The scheduler: open the plan's next round if its opening has come (and its deadline has
    not passed). None when nothing is due, a round is running, or another process opened it."""
    async with uow:
        plan = await uow.plans.get(plan_id)
        if plan is None or not plan.active or plan.schedule is None:
            return None
        rounds = await uow.status_rounds.for_plan(plan_id)
        if any(r.state is RoundState.OPEN for r in rounds):
            return None
        after = max([r.deadline for r in rounds] + [plan.schedule_set_at or plan.created_at or now])
        meetings = await meeting_days(uow, plan.udvalg_id, to_local(min(after, now), zone).date())
        days = [m.date for m in meetings]
        times = next_round(plan.schedule, after, days, zone)
        # Rounds missed while the bot was down are skipped; the one still running is opened.
        while times is not None and times.deadline <= now:
            times = next_round(plan.schedule, times.deadline, days, zone)
        if times is None or times.opens_at > now:
            return None
        moede_id = next(
            (m.id for m in meetings if times.moede_day is not None and m.date == times.moede_day),
            None,
        )
        try:
            opened = await _open(uow, plan, times, moede_id, now, texts)
        except (ConcurrentEdit, InvalidInput):
            return None
        await audit(
            uow,
            None,
            "status.open",
            "status_round",
            opened.status_round.id,
            now,
            plan.udvalg_id,
            number=opened.status_round.number,
        )
        await uow.commit()
    return opened


async def missing_indsatser(uow: UnitOfWork, status_round: StatusRound) -> list[Indsats]:
    answered = {a.indsats_id for a in await uow.status_answers.for_rounds([status_round.id or 0])}
    return [
        i
        for i in await uow.indsatser.for_plan(status_round.plan_id)
        if i.active and i.id not in answered
    ]


async def away_until(
    uow: UnitOfWork, indsatser: list[Indsats], day: date
) -> tuple[dict[int, date], set[int]]:
    """Indsatser whose every owner is away on ``day`` (with the day the last one is back),
    and the persons away that day."""
    absences = await uow.absences.for_persons(sorted({p for i in indsatser for p in i.person_ids}))
    away = {pid for pid, absence in absences.items() if absence.covers(day)}
    result: dict[int, date] = {}
    for indsats in indsatser:
        owners = indsats.person_ids
        if owners and all(p in away for p in owners):
            result[indsats.id or 0] = max(absences[p].until for p in owners)
    return result, away


async def send_reminders(uow: UnitOfWork, round_id: int, now: datetime, texts: Texts) -> int:
    """Send every reminder of the round that is due and not yet sent: one per person still
    missing an answer, naming only what is missing; nobody away is reminded."""
    queued = 0
    async with uow:
        status_round = await uow.status_rounds.get(round_id)
        if status_round is None or status_round.state is not RoundState.OPEN:
            return 0
        plan = await load_plan(uow, status_round.plan_id)
        due = [r for r in status_round.reminders if r <= now and now < status_round.deadline]
        if len(due) <= status_round.reminders_sent:
            return 0
        missing = await missing_indsatser(uow, status_round)
        recipients = await recipients_of(uow, missing)
        _, away = await away_until(uow, missing, to_local(now, "Europe/Copenhagen").date())
        translate = html_texts(texts)
        number = len(due)  # reminders missed while the bot was down are sent as one
        for person_id, recipient in recipients.items():
            mine = [i for i in missing if i.owned_by(person_id)]
            if mine and person_id not in away:
                message = person_reminder(
                    plan, status_round, number, recipient, mine,
                    translate(recipient.language), now,
                )  # fmt: skip
                queued += await put_all(uow, [message])
        status_round.reminders_sent = len(due)
        await uow.status_rounds.update(status_round)
        await uow.commit()
    return queued


@dataclass(frozen=True, slots=True)
class ClosedRound:
    status_round: StatusRound
    plan: Handleplan
    report: ReportFile
    punkt: Punkt | None
    moede: Moede | None
    missing: list[Indsats] = field(default_factory=list)


async def due_report(
    uow: UnitOfWork, round_id: int, now: datetime, zone: str
) -> StatusReport | None:
    """Inside a transaction: the report of an open round whose deadline has passed (None when
    the round is not due, or already closed)."""
    status_round = await uow.status_rounds.get(round_id)
    if status_round is None or status_round.state is not RoundState.OPEN:
        return None
    if now < status_round.deadline:
        return None
    report, _, _ = await build_report(uow, status_round.plan_id, status_round.number, zone)
    return report


async def close_round(
    uow: UnitOfWork,
    round_id: int,
    now: datetime,
    zone: str,
    texts: Texts,
    template: bytes | None = None,
) -> ClosedRound | None:
    """After the deadline: the report is read, then rendered off the event loop with no
    transaction open; then, in one transaction, the secretaries get the list of missing answers
    and the report, the "Status på <plan>" sag with the report as bilag goes on the udvalg's
    next meeting, and the round is closed. Should the report have changed in between (an
    indsats renamed), it is rendered again. None when it is not due (or already closed)."""
    async with uow:
        report = await due_report(uow, round_id, now, zone)
    while report is not None:
        file = await render_report(report, template)
        async with uow:
            closed = await _close(uow, round_id, file, now, zone, texts)
        if not isinstance(closed, StatusReport):
            return closed
        report = closed
    return None


async def _close(
    uow: UnitOfWork, round_id: int, file: ReportFile, now: datetime, zone: str, texts: Texts
) -> ClosedRound | StatusReport | None:
    """Inside a transaction: close the round with the rendered report. Returns the report as
    it now stands, writing nothing, when it differs from the rendered one."""
    report = await due_report(uow, round_id, now, zone)
    if report is None or report != file.report:
        return report
    status_round = await uow.status_rounds.get(round_id)
    assert status_round is not None  # due_report found it
    plan = await load_plan(uow, status_round.plan_id)
    missing = await missing_indsatser(uow, status_round)
    secretaries = await secretaries_of(uow, plan.udvalg_id)
    away, _ = await away_until(uow, missing, to_local(now, zone).date())
    await put_all(
        uow,
        missing_notices(plan, status_round, missing, secretaries, html_texts(texts), now, away),
    )
    punkt, moede = await file_report(uow, status_round, plan, secretaries, file, now, zone, texts)
    status_round.state = RoundState.CLOSED
    status_round.closed_at = now
    await uow.status_rounds.update(status_round)
    await audit(
        uow,
        None,
        "status.close",
        "status_round",
        round_id,
        now,
        plan.udvalg_id,
        missing=len(missing),
        punkt=punkt.id if punkt else None,
    )
    await uow.commit()
    return ClosedRound(status_round, plan, file, punkt, moede, missing)


@dataclass(slots=True)
class DueResult:
    opened: list[int] = field(default_factory=list)
    reminded: int = 0
    closed: list[int] = field(default_factory=list)

    @property
    def queued(self) -> bool:
        return bool(self.opened or self.reminded or self.closed)


async def due_work(uow: UnitOfWork) -> tuple[list[int], list[int]]:
    """Ids of the scheduled plans and of the open rounds (what ``run_due`` looks at)."""
    async with uow:
        plans = [p.id or 0 for p in await uow.plans.scheduled()]
        rounds = [r.id or 0 for r in await uow.status_rounds.open_rounds()]
    return plans, rounds


async def run_due(
    uow_factory: Callable[[], UnitOfWork],
    now: datetime,
    zone: str,
    texts: Texts,
    template: bytes | None = None,
) -> DueResult:
    """Close rounds past their deadline, send due reminders, open due rounds (in that order,
    so a plan whose round just closed may open its next one in the same run)."""
    result = DueResult()
    _, round_ids = await due_work(uow_factory())
    for round_id in round_ids:
        closed = await close_round(uow_factory(), round_id, now, zone, texts, template)
        if closed is not None:
            result.closed.append(round_id)
            continue
        result.reminded += await send_reminders(uow_factory(), round_id, now, texts)
    plan_ids, _ = await due_work(uow_factory())
    for plan_id in plan_ids:
        opened = await open_due_round(uow_factory(), plan_id, now, zone, texts)
        if opened is not None:
            result.opened.append(opened.status_round.id or 0)
    return result
