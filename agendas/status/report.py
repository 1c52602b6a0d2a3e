"""The report of a round: its data, its Word file, and the "Status på <plan>" sag it becomes.

``build_report`` reads the round inside a transaction; ``render_report`` is the one place the
report becomes a Word file, off the event loop and after the transaction has closed.
``file_report`` (inside the closing transaction) puts the rendered report on the next meeting
as a sag with the report as bilag, and in the outbox for the secretaries.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from agendas.chatviews import Texts
from agendas.dates import format_date, to_local
from agendas.documents.offload import off_loop
from agendas.errors import InvalidInput
from agendas.model import Actor, Bilag, Moede, Punkt, PunktKind
from agendas.outbox import OutboxKind, OutboxMessage
from agendas.plans import Handleplan, Indsats, PlanGoal, StatusAnswer, StatusColour, StatusRound
from agendas.ports import UnitOfWork
from agendas.services.common import require_editor
from agendas.services.punkter import clean_section, clean_title
from agendas.status.chart import RoundCounts
from agendas.status.common import escaping, load_plan, load_udvalg, meeting_days
from agendas.status.prompts import Recipient
from agendas.status.report_document import (
    TREND_ROUNDS,
    ReportRow,
    StatusReport,
    render_status_report,
    report_file_name,
    status_sag,
)

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


async def build_report(
    uow: UnitOfWork, plan_id: int, round_number: int | None, zone: str
) -> tuple[StatusReport, StatusRound, Handleplan]:
    """Inside a transaction: the report of a round (the latest when ``round_number`` is None),
    with the colours of the rounds before it and the counts of every round up to it."""
    plan = await load_plan(uow, plan_id)
    rounds = await uow.status_rounds.for_plan(plan_id)
    if not rounds:
        raise InvalidInput("err-status-no-rounds", plan=plan.title)
    if round_number is None:
        status_round = rounds[-1]
    else:
        found = [r for r in rounds if r.number == round_number]
        if not found:
            raise InvalidInput("err-status-round-number", plan=plan.title, number=round_number)
        status_round = found[0]
    udvalg = await load_udvalg(uow, plan.udvalg_id)
    upto = [r for r in rounds if r.number <= status_round.number]
    shown = upto[-TREND_ROUNDS:]
    by_round: dict[int, dict[int, StatusAnswer]] = {r.id or 0: {} for r in upto}
    for given in await uow.status_answers.for_rounds(list(by_round)):
        by_round[given.round_id][given.indsats_id] = given
    indsatser = [i for i in await uow.indsatser.for_plan(plan_id) if i.active]
    goals = {g.id: g for g in await uow.plans.goals(plan_id)}
    answers = by_round[status_round.id or 0]
    names = await uow.persons.many(
        sorted({a.answered_by for a in answers.values() if a.answered_by})
    )
    rows = []
    for indsats in _by_goal(indsatser, goals):
        answer = answers.get(indsats.id or 0)
        goal = goals.get(indsats.goal_id)
        by = ""
        if answer is not None and len(indsats.owners) > 1 and answer.answered_by in names:
            by = names[answer.answered_by or 0].name
        rows.append(
            ReportRow(
                indsats=indsats.title,
                tovholder=_tovholder(indsats),
                colour=answer.colour if answer else None,
                text=answer.text if answer else "",
                answered_at=answer.answered_at if answer else None,
                unchanged=answer.unchanged if answer else False,
                attachment=answer.attachment.file_name if answer and answer.attachment else "",
                goal=goal.label if goal else "",
                trend=tuple(_colour(by_round[r.id or 0].get(indsats.id or 0)) for r in shown),
                early=answer.early if answer else False,
                answered_by=by,
            )
        )
    active = [i.id or 0 for i in indsatser]
    history = tuple(
        RoundCounts.tally(r.number, {k: a.colour for k, a in by_round[r.id or 0].items()}, active)
        for r in upto
    )
    report = StatusReport(
        plan_title=plan.title,
        plan_kind=plan.kind,
        udvalg_name=udvalg.name,
        forvaltning=udvalg.forvaltning,
        round_number=status_round.number,
        opens_at=status_round.opens_at,
        deadline=status_round.deadline,
        rows=tuple(rows),
        zone=zone,
        trend_rounds=tuple(r.number for r in shown),
        history=history,
    )
    return report, status_round, plan


def _by_goal(indsatser: list[Indsats], goals: dict[int | None, PlanGoal]) -> list[Indsats]:
    """Under their goals in the plan's order, those without a goal last."""
    order = {goal_id: goal.position for goal_id, goal in goals.items()}
    return sorted(
        indsatser,
        key=lambda i: (i.goal_id not in order, order.get(i.goal_id, 0), i.position, i.id or 0),
    )


def _tovholder(indsats: Indsats) -> str:
    tovholder = indsats.tovholder
    if indsats.kontaktperson:
        tovholder = f"{tovholder} ({indsats.kontaktperson})" if tovholder else indsats.kontaktperson
    return tovholder


def _colour(answer: StatusAnswer | None) -> StatusColour | None:
    return answer.colour if answer is not None else None


@dataclass(frozen=True, slots=True)
class ReportFile:
    file_name: str
    content: bytes
    report: StatusReport


async def render_report(report: StatusReport, template: bytes | None = None) -> ReportFile:
    """The report as a Word file, rendered off the event loop (never inside a transaction)."""
    content = await off_loop(render_status_report, report, template)
    return ReportFile(report_file_name(report), content, report)


async def report_docx(
    uow: UnitOfWork,
    actor: Actor | None,
    plan_id: int,
    round_number: int | None,
    zone: str,
    template: bytes | None = None,
) -> ReportFile:
    """The report of a round as DOCX (``actor`` None: the system, e.g. the CLI)."""
    async with uow:
        report, _, plan = await build_report(uow, plan_id, round_number, zone)
        if actor is not None:
            require_editor(actor, plan.udvalg_id)
    return await render_report(report, template)


async def target_moede(
    uow: UnitOfWork, status_round: StatusRound, udvalg_id: int, now: datetime, zone: str
) -> Moede | None:
    """The meeting the "Status på <plan>" sag goes to: the round's own meeting, else the
    udvalg's next one, as long as it has not been held and its protocol is not started (a
    meeting in meeting mode, sent for approval or approved never gets a sag from a job)."""
    candidates: list[Moede] = []
    if status_round.moede_id is not None:
        own = await uow.moeder.get(status_round.moede_id)
        if own is not None:
            candidates.append(own)
    candidates += await meeting_days(uow, udvalg_id, to_local(now, zone).date())
    for moede in candidates:
        if await open_for_additions(uow, moede, now):
            return moede
    return None


async def open_for_additions(uow: UnitOfWork, moede: Moede, now: datetime) -> bool:
    """Not held yet, and nothing of its protocol recorded (no decision, no end time, not
    confirmed held early, not sent)."""
    if moede.starts_at is not None and moede.starts_at <= now:
        return False
    if moede.ended_at is not None:
        return False
    state = await uow.protokoller.get(moede.id or 0)
    if state.frozen or state.held_confirmed_at is not None:
        return False
    punkter = await uow.punkter.for_moede(moede.id or 0)
    return not await uow.decisions.for_punkter([p.id or 0 for p in punkter])


#: Why a "Status på <plan>" sag came after the agenda was sent out (printed with the sag).
LATE_STATUS_REASON = (
    "Statusrapporten fra runde {number} af {plan} blev færdig {date}, efter at dagsordenen var"
    " sendt ud."
)


def document_payload(file_name: str, content: bytes, caption: str) -> dict[str, Any]:
    """An outbox document with binary content (base64; the worker decodes it)."""
    return {
        "type": "document",
        "file_name": file_name,
        "content": "",
        "content_b64": base64.b64encode(content).decode("ascii"),
        "caption": caption,
    }


async def add_status_sag(
    uow: UnitOfWork, moede: Moede, report: StatusReport, file: ReportFile, now: datetime, zone: str
) -> Punkt:
    """The sag with the report as bilag. On an agenda already sent out it is flagged as added
    late, with why; the release watch then tells the members about the new sag."""
    draft = status_sag(report)
    existing = await uow.punkter.for_moede(moede.id or 0)
    udvalg = await load_udvalg(uow, moede.udvalg_id)
    released = await uow.releases.get(moede.id or 0)
    late = ""
    if released is not None:
        late = LATE_STATUS_REASON.format(
            number=report.round_number,
            plan=report.plan_title,
            date=format_date(to_local(now, zone).date()),
        )
    punkt = await uow.punkter.add(
        Punkt(
            moede_id=moede.id or 0,
            kind=PunktKind.SAG,
            title=clean_title(draft.title),
            position=max((p.position for p in existing), default=-1) + 1,
            sagstype=draft.sagstype,
            beslutningskompetence=udvalg.code,
            sections={k: clean_section(v) for k, v in draft.sections.items() if v},
            updated_at=now,
            late_reason=late,
        )
    )
    await uow.bilag.add(
        Bilag(
            punkt_id=punkt.id or 0,
            file_name=file.file_name,
            size=len(file.content),
            sha256=hashlib.sha256(file.content).hexdigest(),
            mime_type=DOCX_MIME,
            content=file.content,
            position=0,
            created_at=now,
        )
    )
    return punkt


async def file_report(
    uow: UnitOfWork,
    status_round: StatusRound,
    plan: Handleplan,
    secretaries: Sequence[Recipient],
    file: ReportFile,
    now: datetime,
    zone: str,
    texts: Texts,
) -> tuple[Punkt | None, Moede | None]:
    """Inside the closing transaction: the "Status på <plan>" sag on the udvalg's next meeting
    (with the report as bilag), and the report in the outbox for each secretary."""
    moede = await target_moede(uow, status_round, plan.udvalg_id, now, zone)
    punkt: Punkt | None = None
    if moede is not None:
        punkt = await add_status_sag(uow, moede, file.report, file, now, zone)
        status_round.sag_punkt_id = punkt.id
        status_round.moede_id = moede.id
    for secretary in secretaries:
        t = escaping(texts(secretary.language or None))
        if moede is not None:
            caption = t(
                "status-report-caption",
                plan=plan.title,
                number=status_round.number,
                date=format_date(moede.date),
            )
        else:
            caption = t(
                "status-report-caption-no-moede", plan=plan.title, number=status_round.number
            )
        await uow.outbox.add(
            OutboxMessage(
                key=f"status:r{status_round.id}:report:p{secretary.person_id}",
                chat_id=secretary.chat_id,
                kind=OutboxKind.NOTICE,
                payload=document_payload(file.file_name, file.content, caption[:1000]),
                not_before=now,
                person_id=secretary.person_id,
                udvalg_id=plan.udvalg_id,
            )
        )
    return punkt, moede
