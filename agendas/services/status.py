"""Status rounds: plans and their indsatser, rounds that ask the tovholdere, answers, the report.

Every message a round causes (prompts, reminders, the secretary's list of missing answers, the
report) is written to the outbox in the same transaction as the change that caused it, with a
stable key (``agendas.status_prompts``), so a job that fires twice sends nothing twice.

``run_due`` is what the scheduler calls: it opens the rounds that are due, sends the reminders
that are due and closes the rounds whose deadline has passed. It is driven by the data alone (the
plans' schedules and the rounds stored), so it may run as often as wanted.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from agendas import rules
from agendas.chatviews import Texts, Translate, esc
from agendas.dates import format_date, format_time, to_local
from agendas.errors import ConcurrentEdit, InvalidInput, NotAllowed, NotFound
from agendas.mailings import OutMessage
from agendas.model import Actor, Bilag, Moede, Person, Punkt, PunktKind, Role, Udvalg
from agendas.outbox import OutboxKind, OutboxMessage
from agendas.plan_import import PlanImport, normalise_name, unknown_tovholdere
from agendas.plans import (
    COLOUR_LABELS,
    MAX_INDSATS_TITLE,
    AttachmentRef,
    Handleplan,
    Indsats,
    PlanKind,
    PreviousStatus,
    RoundOverview,
    RoundState,
    StatusAnswer,
    StatusColour,
    StatusRound,
    StatusSchedule,
    clean_plan_title,
    clean_status_text,
    overview,
    unchanged_answer,
)
from agendas.ports import UnitOfWork
from agendas.schedules import RoundTimes, next_round, round_times, validate_schedule
from agendas.services._common import audit, require_editor, udvalg_by_code
from agendas.services.punkter import clean_section, clean_title
from agendas.status_prompts import Recipient, missing_notices, round_prompts, round_reminders
from agendas.status_report import (
    ReportRow,
    StatusReport,
    render_status_report,
    report_file_name,
    status_sag,
)

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
#: Fields of an indsats the secretary may edit in chat.
INDSATS_FIELDS = (
    "title",
    "maalgruppe",
    "formaal",
    "tovholder",
    "kontaktperson",
    "periode",
    "samarbejdspartnere",
    "aktiviteter",
)
MAX_INDSATS_FIELD = 4000


def escaping(t: Translate) -> Translate:
    """The catalogue with its parameters HTML-escaped: outbox texts are sent as HTML."""

    def translate(key: str, /, **params: object) -> str:
        return t(key, **{k: esc(str(v)) for k, v in params.items()})

    return translate


def _html_texts(texts: Texts) -> Callable[[str], Translate]:
    return lambda language: escaping(texts(language or None))


# --- loading ---------------------------------------------------------------------------------


async def load_plan(uow: UnitOfWork, plan_id: int) -> Handleplan:
    plan = await uow.plans.get(plan_id)
    if plan is None or plan.id is None:
        raise NotFound("err-plan-unknown", plan_id=plan_id)
    return plan


async def load_round(uow: UnitOfWork, round_id: int) -> tuple[StatusRound, Handleplan]:
    status_round = await uow.status_rounds.get(round_id)
    if status_round is None or status_round.id is None:
        raise NotFound("err-status-round-unknown")
    return status_round, await load_plan(uow, status_round.plan_id)


async def _udvalg(uow: UnitOfWork, udvalg_id: int) -> Udvalg:
    udvalg = await uow.udvalg.get(udvalg_id)
    if udvalg is None:
        raise NotFound("err-udvalg-unknown", code=str(udvalg_id))
    return udvalg


async def _people(uow: UnitOfWork, udvalg_id: int) -> dict[int, tuple[Person, set[Role]]]:
    """Everyone with a role in the udvalg, with their roles."""
    result: dict[int, tuple[Person, set[Role]]] = {}
    memberships = await uow.memberships.for_udvalg(udvalg_id)
    persons = await uow.persons.many([m.person_id for m in memberships])
    for membership in memberships:
        person = persons.get(membership.person_id)
        if person is None:
            continue
        result.setdefault(membership.person_id, (person, set()))[1].add(membership.role)
    return result


def _recipient(person: Person) -> Recipient:
    return Recipient(person.id or 0, person.telegram_id, person.language or "")


async def _secretaries(uow: UnitOfWork, udvalg_id: int) -> list[Recipient]:
    people = await _people(uow, udvalg_id)
    return [
        _recipient(person)
        for person_id, (person, held) in sorted(people.items())
        if Role.SEKRETAER in held
    ]


def _match_person(indsats: Indsats, by_name: dict[str, int]) -> int | None:
    """The contact person of a unit first, then the tovholder's own name."""
    for name in (indsats.kontaktperson, indsats.tovholder):
        if name and (found := by_name.get(normalise_name(name))) is not None:
            return found
    return None


async def _names(uow: UnitOfWork, udvalg_id: int) -> dict[str, int]:
    return {normalise_name(p.name): pid for pid, (p, _) in (await _people(uow, udvalg_id)).items()}


async def link_tovholdere(uow: UnitOfWork, plan: Handleplan) -> int:
    """Link indsatser without a person to the person whose name they give (someone invited
    after the import). Returns how many were linked; the caller commits."""
    unlinked = [
        i
        for i in await uow.indsatser.for_plan(plan.id or 0)
        if i.tovholder_person_id is None and (i.tovholder or i.kontaktperson)
    ]
    if not unlinked:
        return 0
    by_name = await _names(uow, plan.udvalg_id)
    linked = 0
    for indsats in unlinked:
        if indsats.tovholder_person_id is None:
            person_id = _match_person(indsats, by_name)
            if person_id is not None:
                indsats.tovholder_person_id = person_id
                await uow.indsatser.update(indsats)
                linked += 1
    return linked


# --- plans -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ImportedPlan:
    plan: Handleplan
    udvalg: Udvalg
    indsatser: list[Indsats]
    #: Tovholder names that match nobody in the udvalg (to invite them).
    unknown_tovholdere: tuple[str, ...]
    unknown_columns: tuple[str, ...]
    without_tovholder: tuple[int, ...]


def _clean_field(name: str, value: str) -> str:
    if name == "title":
        title = " ".join(value.split())
        if not title:
            raise InvalidInput("err-indsats-title-empty")
        if len(title) > MAX_INDSATS_TITLE:
            raise InvalidInput("err-indsats-title-too-long", limit=MAX_INDSATS_TITLE)
        return title
    if name not in INDSATS_FIELDS:
        raise InvalidInput("err-field-unknown", field=name)
    text = value.strip()
    if len(text) > MAX_INDSATS_FIELD:
        raise InvalidInput("err-field-too-long", limit=MAX_INDSATS_FIELD, length=len(text))
    return text


async def _check_title_free(uow: UnitOfWork, udvalg_id: int, title: str) -> None:
    for other in await uow.plans.for_udvalg(udvalg_id):
        if other.active and normalise_name(other.title) == normalise_name(title):
            raise InvalidInput("err-plan-exists", title=title, plan_id=other.id)


async def create_plan(
    uow: UnitOfWork,
    actor: Actor,
    code: str,
    title: str,
    now: datetime,
    kind: PlanKind = PlanKind.HANDLEPLAN,
    period: str = "",
) -> Handleplan:
    clean = clean_plan_title(title)
    async with uow:
        udvalg = await udvalg_by_code(uow, code)
        require_editor(actor, udvalg.id or 0)
        await _check_title_free(uow, udvalg.id or 0, clean)
        plan = await uow.plans.add(
            Handleplan(
                udvalg_id=udvalg.id or 0,
                title=clean,
                kind=kind,
                period=period.strip()[:100],
                created_at=now,
                created_by=actor.person_id or None,
            )
        )
        await audit(uow, actor, "plan.create", "plan", plan.id, now, udvalg.id, title=clean)
        await uow.commit()
    return plan


async def import_plan(
    uow: UnitOfWork,
    actor: Actor,
    code: str,
    title: str,
    result: PlanImport,
    now: datetime,
    kind: PlanKind = PlanKind.HANDLEPLAN,
) -> ImportedPlan:
    """Store a parsed plan file as a new plan in one transaction; tovholdere are linked to the
    people of the udvalg whose names they give, the others are listed for invitation."""
    clean = clean_plan_title(title)
    if not result.indsatser:
        raise InvalidInput("err-plan-empty")
    async with uow:
        udvalg = await udvalg_by_code(uow, code)
        require_editor(actor, udvalg.id or 0)
        await _check_title_free(uow, udvalg.id or 0, clean)
        plan = await uow.plans.add(
            Handleplan(
                udvalg_id=udvalg.id or 0,
                title=clean,
                kind=kind,
                created_at=now,
                created_by=actor.person_id or None,
            )
        )
        by_name = await _names(uow, udvalg.id or 0)
        stored: list[Indsats] = []
        for position, item in enumerate(result.indsatser):
            indsats = Indsats(
                plan_id=plan.id or 0,
                title=item.title,
                position=position,
                maalgruppe=item.maalgruppe,
                formaal=item.formaal,
                tovholder=item.tovholder,
                kontaktperson=item.kontaktperson,
                periode=item.periode,
                samarbejdspartnere=item.samarbejdspartnere,
                aktiviteter=item.aktiviteter,
            )
            indsats.tovholder_person_id = _match_person(indsats, by_name)
            stored.append(await uow.indsatser.add(indsats))
        linked_names = {
            normalise_name(name)
            for i in stored
            if i.tovholder_person_id is not None
            for name in (i.tovholder, i.kontaktperson)
            if name
        }
        unknown = unknown_tovholdere(result, list(by_name) + list(linked_names))
        await audit(
            uow,
            actor,
            "plan.import",
            "plan",
            plan.id,
            now,
            udvalg.id,
            title=clean,
            indsatser=len(stored),
        )
        await uow.commit()
    return ImportedPlan(
        plan=plan,
        udvalg=udvalg,
        indsatser=stored,
        unknown_tovholdere=unknown,
        unknown_columns=result.unknown_columns,
        without_tovholder=result.without_tovholder,
    )


async def add_indsats(
    uow: UnitOfWork, actor: Actor, plan_id: int, title: str, tovholder: str, now: datetime
) -> Indsats:
    clean = _clean_field("title", title)
    async with uow:
        plan = await load_plan(uow, plan_id)
        require_editor(actor, plan.udvalg_id)
        existing = await uow.indsatser.for_plan(plan_id)
        if any(normalise_name(i.title) == normalise_name(clean) for i in existing if i.active):
            raise InvalidInput("err-indsats-exists", title=clean)
        indsats = Indsats(
            plan_id=plan_id,
            title=clean,
            position=max((i.position for i in existing), default=-1) + 1,
            tovholder=_clean_field("tovholder", tovholder),
        )
        indsats.tovholder_person_id = _match_person(indsats, await _names(uow, plan.udvalg_id))
        indsats = await uow.indsatser.add(indsats)
        await audit(uow, actor, "indsats.create", "indsats", indsats.id, now, plan.udvalg_id)
        await uow.commit()
    return indsats


async def edit_indsats(
    uow: UnitOfWork, actor: Actor, indsats_id: int, name: str, value: str, now: datetime
) -> Indsats:
    """Change one field; a changed tovholder or kontaktperson is linked again by name."""
    clean = _clean_field(name, value)
    async with uow:
        indsats = await uow.indsatser.get(indsats_id)
        if indsats is None:
            raise NotFound("err-indsats-unknown")
        plan = await load_plan(uow, indsats.plan_id)
        require_editor(actor, plan.udvalg_id)
        setattr(indsats, name, clean)
        if name in ("tovholder", "kontaktperson"):
            indsats.tovholder_person_id = _match_person(indsats, await _names(uow, plan.udvalg_id))
        await uow.indsatser.update(indsats)
        await audit(
            uow, actor, "indsats.edit", "indsats", indsats_id, now, plan.udvalg_id, field=name
        )
        await uow.commit()
    return indsats


@dataclass(frozen=True, slots=True)
class PlanDetail:
    plan: Handleplan
    indsatser: list[Indsats]
    #: The people with the tovholder role in the plan's udvalg (to choose from in chat).
    tovholdere: list[Person]


async def plan_detail(uow: UnitOfWork, actor: Actor, plan_id: int) -> PlanDetail:
    """A plan with its active indsatser, for the secretary who edits it in chat."""
    async with uow:
        plan = await load_plan(uow, plan_id)
        require_editor(actor, plan.udvalg_id)
        indsatser = [i for i in await uow.indsatser.for_plan(plan_id) if i.active]
        people = await _people(uow, plan.udvalg_id)
    tovholdere = [person for _, (person, held) in sorted(people.items()) if Role.TOVHOLDER in held]
    return PlanDetail(plan, indsatser, tovholdere)


@dataclass(frozen=True, slots=True)
class PlanListing:
    plan: Handleplan
    udvalg: Udvalg
    indsatser: int


async def list_plans(uow: UnitOfWork, actor: Actor) -> list[PlanListing]:
    """The plans of every udvalg where the actor is secretary (all for an admin)."""
    result: list[PlanListing] = []
    async with uow:
        for udvalg in await uow.udvalg.list_all():
            if not rules.can_edit_udvalg(actor, udvalg.id or 0):
                continue
            for plan in await uow.plans.for_udvalg(udvalg.id or 0):
                if plan.active:
                    count = len(await uow.indsatser.for_plan(plan.id or 0))
                    result.append(PlanListing(plan, udvalg, count))
    return result


async def _meeting_days(uow: UnitOfWork, udvalg_id: int, today: date) -> list[Moede]:
    end = date(today.year + 2, 12, 31)
    return sorted(
        await uow.moeder.for_udvalg_between([udvalg_id], today, end), key=lambda m: m.date
    )


async def set_schedule(
    uow: UnitOfWork,
    actor: Actor,
    plan_id: int,
    schedule: StatusSchedule,
    now: datetime,
    zone: str,
) -> tuple[Handleplan, RoundTimes | None]:
    """Store the plan's schedule; returns the first round it will open (None: a meeting rule
    with no meeting planned yet)."""
    validate_schedule(schedule, now, zone)
    async with uow:
        plan = await load_plan(uow, plan_id)
        require_editor(actor, plan.udvalg_id)
        plan.schedule = schedule
        plan.schedule_set_at = now
        await uow.plans.update(plan)
        meetings = await _meeting_days(uow, plan.udvalg_id, to_local(now, zone).date())
        first = next_round(schedule, now, [m.date for m in meetings], zone)
        await audit(
            uow, actor, "plan.schedule", "plan", plan_id, now, plan.udvalg_id, rule=schedule.rule
        )
        await uow.commit()
    return plan, first


# --- opening a round -------------------------------------------------------------------------


async def _previous(
    uow: UnitOfWork, rounds: Sequence[StatusRound], before: int
) -> dict[int, PreviousStatus]:
    """The last answer per indsats in the rounds numbered below ``before``."""
    earlier = {r.id or 0: r for r in rounds if r.number < before}
    result: dict[int, PreviousStatus] = {}
    for answer in await uow.status_answers.for_rounds(list(earlier)):
        number = earlier[answer.round_id].number
        known = result.get(answer.indsats_id)
        if known is None or known.round_number < number:
            result[answer.indsats_id] = PreviousStatus(
                answer.colour, answer.text, answer.answered_at, number
            )
    return result


async def _recipients(uow: UnitOfWork, indsatser: Sequence[Indsats]) -> dict[int, Recipient]:
    wanted = [i.tovholder_person_id for i in indsatser if i.tovholder_person_id]
    return {pid: _recipient(p) for pid, p in (await uow.persons.many(wanted)).items()}


async def _put_all(uow: UnitOfWork, messages: Sequence[OutboxMessage]) -> int:
    return await uow.outbox.add_many(messages)


def _notice(
    key: str, recipient: Recipient, text: str, now: datetime, udvalg_id: int
) -> OutboxMessage:
    return OutboxMessage(
        key=key,
        chat_id=recipient.chat_id,
        kind=OutboxKind.NOTICE,
        payload=OutMessage(text).to_payload(),
        not_before=now,
        person_id=recipient.person_id,
        udvalg_id=udvalg_id,
    )


@dataclass(frozen=True, slots=True)
class OpenedRound:
    status_round: StatusRound
    plan: Handleplan
    prompts: int
    unreachable: list[Indsats]


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
    previous = await _previous(uow, rounds, number)
    recipients = await _recipients(uow, indsatser)
    messages, unreachable = round_prompts(
        plan, status_round, indsatser, previous, recipients, _html_texts(texts)
    )
    await _put_all(uow, messages)
    if unreachable:
        for secretary in await _secretaries(uow, plan.udvalg_id):
            t = escaping(texts(secretary.language or None))
            lines = [t("status-unreachable-head", plan=plan.title, count=len(unreachable))]
            lines.extend(
                f"• {esc(i.title)} ({esc(i.tovholder or t('status-no-tovholder'))})"
                for i in unreachable
            )
            await uow.outbox.add(
                _notice(
                    f"status:r{status_round.id}:unreachable:p{secretary.person_id}",
                    secretary,
                    "\n".join(lines)[:4000],
                    max(now, times.opens_at),
                    plan.udvalg_id,
                )
            )
    return OpenedRound(status_round, plan, len(messages), unreachable)


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
        meetings = await _meeting_days(uow, plan.udvalg_id, to_local(min(after, now), zone).date())
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


# --- answering -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PendingIndsats:
    """One indsats a tovholder is asked about in a running round."""

    plan: Handleplan
    status_round: StatusRound
    indsats: Indsats
    previous: PreviousStatus | None
    answer: StatusAnswer | None


async def _check_answerable(
    uow: UnitOfWork, actor: Actor, round_id: int, indsats_id: int, now: datetime
) -> tuple[StatusRound, Handleplan, Indsats]:
    status_round, plan = await load_round(uow, round_id)
    rounds = await uow.status_rounds.for_plan(plan.id or 0)
    if rounds and rounds[-1].id != status_round.id:
        raise InvalidInput("err-status-round-old")
    if not status_round.accepts_answers(now):
        if now < status_round.opens_at:
            raise InvalidInput("err-status-round-not-open")
        deadline = to_local(status_round.deadline, "Europe/Copenhagen")
        raise InvalidInput(
            "err-status-after-deadline",
            date=format_date(deadline.date()),
            time=format_time(deadline.time()),
        )
    indsats = await uow.indsatser.get(indsats_id)
    if indsats is None or indsats.plan_id != plan.id or not indsats.active:
        raise NotFound("err-indsats-unknown")
    if indsats.tovholder_person_id != actor.person_id and not rules.can_edit_udvalg(
        actor, plan.udvalg_id
    ):
        raise NotAllowed("err-status-not-tovholder")
    return status_round, plan, indsats


async def pending_item(
    uow: UnitOfWork, actor: Actor, round_id: int, indsats_id: int, now: datetime
) -> PendingIndsats:
    """One indsats as a tovholder answers it; refused like an answer would be."""
    async with uow:
        status_round, plan, indsats = await _check_answerable(uow, actor, round_id, indsats_id, now)
        rounds = await uow.status_rounds.for_plan(plan.id or 0)
        previous = (await _previous(uow, rounds, status_round.number)).get(indsats_id)
        answers = await uow.status_answers.for_rounds([round_id])
        answer = next((a for a in answers if a.indsats_id == indsats_id), None)
    return PendingIndsats(plan, status_round, indsats, previous, answer)


async def pending_for(uow: UnitOfWork, actor: Actor, now: datetime) -> list[PendingIndsats]:
    """Every indsats of the actor in a round that accepts answers, unanswered ones first."""
    result: list[PendingIndsats] = []
    async with uow:
        mine = [i for i in await uow.indsatser.for_person(actor.person_id) if i.active]
        plan_ids = sorted({i.plan_id for i in mine})
        for plan_id in plan_ids:
            plan = await uow.plans.get(plan_id)
            if plan is None or not plan.active:
                continue
            rounds = await uow.status_rounds.for_plan(plan_id)
            if not rounds or not rounds[-1].accepts_answers(now):
                continue
            current = rounds[-1]
            previous = await _previous(uow, rounds, current.number)
            answers = {
                a.indsats_id: a for a in await uow.status_answers.for_rounds([current.id or 0])
            }
            for indsats in sorted(
                (i for i in mine if i.plan_id == plan_id), key=lambda i: i.position
            ):
                result.append(
                    PendingIndsats(
                        plan,
                        current,
                        indsats,
                        previous.get(indsats.id or 0),
                        answers.get(indsats.id or 0),
                    )
                )
    return sorted(result, key=lambda p: p.answer is not None)


async def record_answer(
    uow: UnitOfWork,
    actor: Actor,
    round_id: int,
    indsats_id: int,
    colour: StatusColour | None,
    text: str,
    now: datetime,
    attachment: AttachmentRef | None = None,
) -> StatusAnswer:
    """Store (or replace, until the deadline) the answer. ``colour`` None is "ingen ændring":
    the last answer's colour and text with a new date."""
    async with uow:
        status_round, plan, _ = await _check_answerable(uow, actor, round_id, indsats_id, now)
        if colour is None:
            rounds = await uow.status_rounds.for_plan(plan.id or 0)
            previous = (await _previous(uow, rounds, status_round.number)).get(indsats_id)
            if previous is None:
                raise InvalidInput("err-status-no-previous")
            answer = unchanged_answer(previous, round_id, indsats_id, now, actor.person_id or None)
            answer.attachment = attachment
        else:
            answer = StatusAnswer(
                round_id=round_id,
                indsats_id=indsats_id,
                colour=colour,
                text=clean_status_text(text),
                answered_at=now,
                answered_by=actor.person_id or None,
                attachment=attachment,
            )
        stored = await uow.status_answers.put(answer)
        await audit(
            uow,
            actor,
            "status.answer",
            "indsats",
            indsats_id,
            now,
            plan.udvalg_id,
            round=status_round.number,
            colour=answer.colour.value,
            unchanged=answer.unchanged,
        )
        await uow.commit()
    return stored


async def colleagues(uow: UnitOfWork, actor: Actor, indsats_id: int) -> list[Person]:
    """Who an indsats may be handed over to: the others with a role in the udvalg."""
    async with uow:
        indsats = await uow.indsatser.get(indsats_id)
        if indsats is None:
            raise NotFound("err-indsats-unknown")
        plan = await load_plan(uow, indsats.plan_id)
        if indsats.tovholder_person_id != actor.person_id and not rules.can_edit_udvalg(
            actor, plan.udvalg_id
        ):
            raise NotAllowed("err-status-not-tovholder")
        people = await _people(uow, plan.udvalg_id)
    return [
        person
        for pid, (person, held) in sorted(people.items())
        if pid != actor.person_id and (Role.TOVHOLDER in held or Role.SEKRETAER in held)
    ]


async def hand_over(
    uow: UnitOfWork,
    actor: Actor,
    indsats_id: int,
    to_person_id: int,
    now: datetime,
    texts: Texts,
) -> tuple[Indsats, Person]:
    """The tovholder passes an indsats to a colleague in the udvalg: the colleague gets the
    running round's prompt (if unanswered), the secretaries are told."""
    async with uow:
        indsats = await uow.indsatser.get(indsats_id)
        if indsats is None or not indsats.active:
            raise NotFound("err-indsats-unknown")
        plan = await load_plan(uow, indsats.plan_id)
        if indsats.tovholder_person_id != actor.person_id and not rules.can_edit_udvalg(
            actor, plan.udvalg_id
        ):
            raise NotAllowed("err-status-not-tovholder")
        people = await _people(uow, plan.udvalg_id)
        if to_person_id not in people or to_person_id == indsats.tovholder_person_id:
            raise InvalidInput("err-status-handover-person")
        target = people[to_person_id][0]
        giver = await uow.persons.get(actor.person_id)
        indsats.tovholder_person_id = to_person_id
        indsats.kontaktperson = target.name if indsats.kontaktperson else indsats.kontaktperson
        if not indsats.kontaktperson:
            indsats.tovholder = target.name
        await uow.indsatser.update(indsats)
        rounds = await uow.status_rounds.for_plan(plan.id or 0)
        if rounds and rounds[-1].accepts_answers(now):
            current = rounds[-1]
            answered = {
                a.indsats_id for a in await uow.status_answers.for_rounds([current.id or 0])
            }
            if indsats_id not in answered:
                previous = await _previous(uow, rounds, current.number)
                messages, _ = round_prompts(
                    plan,
                    current,
                    [indsats],
                    previous,
                    {to_person_id: _recipient(target)},
                    _html_texts(texts),
                )
                for message in messages:
                    message.key = f"{message.key}:p{to_person_id}"
                    message.not_before = now
                await _put_all(uow, messages)
        for secretary in await _secretaries(uow, plan.udvalg_id):
            t = escaping(texts(secretary.language or None))
            text = t(
                "status-handover-notice",
                indsats=indsats.title,
                plan=plan.title,
                giver=giver.name if giver else "?",
                taker=target.name,
            )
            await uow.outbox.add(
                _notice(
                    f"status:handover:i{indsats_id}:p{to_person_id}:{int(now.timestamp())}"
                    f":s{secretary.person_id}",
                    secretary,
                    text,
                    now,
                    plan.udvalg_id,
                )
            )
        await audit(
            uow, actor, "indsats.handover", "indsats", indsats_id, now, plan.udvalg_id,
            to=to_person_id,
        )  # fmt: skip
        await uow.commit()
    return indsats, target


# --- reminders, deadline, report -------------------------------------------------------------


async def _missing(uow: UnitOfWork, status_round: StatusRound) -> list[Indsats]:
    answered = {a.indsats_id for a in await uow.status_answers.for_rounds([status_round.id or 0])}
    return [
        i
        for i in await uow.indsatser.for_plan(status_round.plan_id)
        if i.active and i.id not in answered
    ]


async def send_reminders(uow: UnitOfWork, round_id: int, now: datetime, texts: Texts) -> int:
    """Send every reminder of the round that is due and not yet sent (to the missing only)."""
    queued = 0
    async with uow:
        status_round = await uow.status_rounds.get(round_id)
        if status_round is None or status_round.state is not RoundState.OPEN:
            return 0
        plan = await load_plan(uow, status_round.plan_id)
        due = [r for r in status_round.reminders if r <= now and now < status_round.deadline]
        if len(due) <= status_round.reminders_sent:
            return 0
        missing = await _missing(uow, status_round)
        recipients = await _recipients(uow, missing)
        for number in range(status_round.reminders_sent + 1, len(due) + 1):
            queued += await _put_all(
                uow,
                round_reminders(
                    plan, status_round, number, missing, recipients, _html_texts(texts), now
                ),
            )
        status_round.reminders_sent = len(due)
        await uow.status_rounds.update(status_round)
        await uow.commit()
    return queued


async def build_report(
    uow: UnitOfWork, plan_id: int, round_number: int | None, zone: str
) -> tuple[StatusReport, StatusRound, Handleplan]:
    """Inside a transaction: the report of a round (the latest when ``round_number`` is None)."""
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
    udvalg = await _udvalg(uow, plan.udvalg_id)
    answers = {a.indsats_id: a for a in await uow.status_answers.for_rounds([status_round.id or 0])}
    rows = []
    for indsats in await uow.indsatser.for_plan(plan_id):
        if not indsats.active:
            continue
        answer = answers.get(indsats.id or 0)
        tovholder = indsats.tovholder
        if indsats.kontaktperson:
            tovholder = (
                f"{tovholder} ({indsats.kontaktperson})" if tovholder else indsats.kontaktperson
            )
        rows.append(
            ReportRow(
                indsats=indsats.title,
                tovholder=tovholder,
                colour=answer.colour if answer else None,
                text=answer.text if answer else "",
                answered_at=answer.answered_at if answer else None,
                unchanged=answer.unchanged if answer else False,
                attachment=answer.attachment.file_name if answer and answer.attachment else "",
            )
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
    )
    return report, status_round, plan


@dataclass(frozen=True, slots=True)
class ReportFile:
    file_name: str
    content: bytes
    report: StatusReport


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
    return ReportFile(report_file_name(report), render_status_report(report, template), report)


@dataclass(frozen=True, slots=True)
class ClosedRound:
    status_round: StatusRound
    plan: Handleplan
    report: ReportFile
    punkt: Punkt | None
    moede: Moede | None
    missing: list[Indsats] = field(default_factory=list)


async def _target_moede(
    uow: UnitOfWork, status_round: StatusRound, udvalg_id: int, now: datetime, zone: str
) -> Moede | None:
    if status_round.moede_id is not None:
        moede = await uow.moeder.get(status_round.moede_id)
        if moede is not None and (moede.starts_at is None or moede.starts_at > now):
            return moede
    for moede in await _meeting_days(uow, udvalg_id, to_local(now, zone).date()):
        if moede.starts_at is None or moede.starts_at > now:
            return moede
    return None


def document_payload(file_name: str, content: bytes, caption: str) -> dict[str, Any]:
    """An outbox document with binary content (base64; the worker decodes it)."""
    return {
        "type": "document",
        "file_name": file_name,
        "content": "",
        "content_b64": base64.b64encode(content).decode("ascii"),
        "caption": caption,
    }


async def close_round(
    uow: UnitOfWork,
    round_id: int,
    now: datetime,
    zone: str,
    texts: Texts,
    template: bytes | None = None,
) -> ClosedRound | None:
    """After the deadline, in one transaction: the secretaries get the list of missing answers
    and the report; the "Status på <plan>" sag with the report as bilag goes on the udvalg's
    next meeting; the round is closed. None when it is not due (or already closed)."""
    async with uow:
        status_round = await uow.status_rounds.get(round_id)
        if (
            status_round is None
            or status_round.state is not RoundState.OPEN
            or now < status_round.deadline
        ):
            return None
        plan = await load_plan(uow, status_round.plan_id)
        missing = await _missing(uow, status_round)
        secretaries = await _secretaries(uow, plan.udvalg_id)
        await _put_all(
            uow,
            missing_notices(plan, status_round, missing, secretaries, _html_texts(texts), now),
        )
        report, _, _ = await build_report(uow, plan.id or 0, status_round.number, zone)
        content = render_status_report(report, template)
        file = ReportFile(report_file_name(report), content, report)
        moede = await _target_moede(uow, status_round, plan.udvalg_id, now, zone)
        punkt: Punkt | None = None
        if moede is not None:
            punkt = await _add_status_sag(uow, moede, report, file, now)
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
                    key=f"status:r{round_id}:report:p{secretary.person_id}",
                    chat_id=secretary.chat_id,
                    kind=OutboxKind.NOTICE,
                    payload=document_payload(file.file_name, content, caption[:1000]),
                    not_before=now,
                    person_id=secretary.person_id,
                    udvalg_id=plan.udvalg_id,
                )
            )
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


async def _add_status_sag(
    uow: UnitOfWork, moede: Moede, report: StatusReport, file: ReportFile, now: datetime
) -> Punkt:
    draft = status_sag(report)
    existing = await uow.punkter.for_moede(moede.id or 0)
    udvalg = await _udvalg(uow, moede.udvalg_id)
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


# --- the round at a glance -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RoundStatus:
    plan: Handleplan
    udvalg: Udvalg
    status_round: StatusRound
    overview: RoundOverview
    tovholder_names: dict[int, str]


async def round_overviews(
    uow: UnitOfWork, actor: Actor, plan_id: int | None = None
) -> list[RoundStatus]:
    """/statusoverblik: the latest round of each plan the actor is secretary of."""
    result: list[RoundStatus] = []
    async with uow:
        for udvalg in await uow.udvalg.list_all():
            if not rules.can_edit_udvalg(actor, udvalg.id or 0):
                continue
            for plan in await uow.plans.for_udvalg(udvalg.id or 0):
                if not plan.active or (plan_id is not None and plan.id != plan_id):
                    continue
                rounds = await uow.status_rounds.for_plan(plan.id or 0)
                if not rounds:
                    continue
                current = rounds[-1]
                indsatser = [i for i in await uow.indsatser.for_plan(plan.id or 0) if i.active]
                answers = {
                    a.indsats_id: a for a in await uow.status_answers.for_rounds([current.id or 0])
                }
                previous = await _previous(uow, rounds, current.number)
                names: dict[int, str] = {}
                for indsats in indsatser:
                    if indsats.tovholder_person_id is not None:
                        person = await uow.persons.get(indsats.tovholder_person_id)
                        if person is not None:
                            names[indsats.id or 0] = person.name
                result.append(
                    RoundStatus(
                        plan, udvalg, current, overview(indsatser, answers, previous), names
                    )
                )
    return result


def colour_word(colour: StatusColour | None) -> str:
    return COLOUR_LABELS[colour] if colour is not None else "–"


# --- the scheduler's entry ---------------------------------------------------------------------


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
