"""Plans and their indsatser: created, imported from a file, edited in chat, scheduled."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from agendas import rules
from agendas.dates import to_local
from agendas.errors import InvalidInput, NotFound
from agendas.model import Actor, Person, Role, Udvalg
from agendas.plans import (
    MAX_INDSATS_TITLE,
    Handleplan,
    Indsats,
    PlanGoal,
    PlanKind,
    StatusSchedule,
    StatusSettings,
    clean_plan_title,
    fold,
)
from agendas.ports import UnitOfWork
from agendas.services.common import audit, require_editor, udvalg_by_code
from agendas.status.common import load_plan, meeting_days, people_of
from agendas.status.owners import PendingMatch, directory, pending_matches, resolve
from agendas.status.plan_rows import PlanImport, normalise_name, split_owners
from agendas.status.schedules import RoundTimes, next_round, validate_schedule

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


@dataclass(frozen=True, slots=True)
class ImportedPlan:
    plan: Handleplan
    udvalg: Udvalg
    indsatser: list[Indsats]
    #: Owner names nobody answers for yet (to invite them, or to give the unit a contact).
    unknown_tovholdere: tuple[str, ...]
    unknown_columns: tuple[str, ...]
    without_tovholder: tuple[int, ...]
    goals: list[PlanGoal] = field(default_factory=list)
    #: Spellings matched to a known unit only tolerantly, for the secretary to confirm.
    matches: list[PendingMatch] = field(default_factory=list)
    #: The follow-up the document names, set as the plan's schedule ("månedlig"), if any.
    schedule: str = ""


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


async def _add_plan(
    uow: UnitOfWork,
    actor: Actor,
    code: str,
    clean_title: str,
    now: datetime,
    kind: PlanKind,
    period: str = "",
) -> tuple[Udvalg, Handleplan]:
    """A new plan of the udvalg ``code`` in the caller's transaction: the secretary's, and its
    title not taken by another plan of the udvalg."""
    udvalg = await udvalg_by_code(uow, code)
    require_editor(actor, udvalg.id or 0)
    await _check_title_free(uow, udvalg.id or 0, clean_title)
    plan = await uow.plans.add(
        Handleplan(
            udvalg_id=udvalg.id or 0,
            title=clean_title,
            kind=kind,
            period=period.strip()[:100],
            created_at=now,
            created_by=actor.person_id or None,
        )
    )
    return udvalg, plan


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
        udvalg, plan = await _add_plan(uow, actor, code, clean, now, kind, period)
        await audit(uow, actor, "plan.create", "plan", plan.id, now, udvalg.id, title=clean)
        await uow.commit()
    return plan


def kind_of(title: str, named: str = "") -> PlanKind:
    """The plan's kind as the file or its title names it (a handleplan when neither does)."""
    if named in {k.value for k in PlanKind}:
        return PlanKind(named)
    folded = fold(title)
    return next((k for k in PlanKind if k.value in folded), PlanKind.HANDLEPLAN)


async def import_plan(
    uow: UnitOfWork,
    actor: Actor,
    code: str,
    title: str,
    result: PlanImport,
    now: datetime,
    kind: PlanKind | None = None,
    zone: str = "Europe/Copenhagen",
) -> ImportedPlan:
    """Store a parsed plan file as a new plan in one transaction: its goals, its indsatser under
    them, each owner linked to the person or unit it names (units matched tolerantly, new
    units created); the follow-up the document names becomes the schedule."""
    clean = clean_plan_title(title or result.title)
    if not result.indsatser:
        raise InvalidInput("err-plan-empty")
    schedule = StatusSchedule(rule=result.follow_up) if result.follow_up else None
    if schedule is not None:
        validate_schedule(schedule, now, zone)
    async with uow:
        plan_kind = kind or kind_of(clean, result.kind)
        udvalg, plan = await _add_plan(uow, actor, code, clean, now, plan_kind)
        if schedule is not None:
            plan.schedule, plan.schedule_set_at = schedule, now
            await uow.plans.update(plan)
        goals = [
            await uow.plans.add_goal(
                PlanGoal(plan.id or 0, g.title, g.number, g.kind, position, g.description)
            )
            for position, g in enumerate(result.goals)
        ]
        known = await directory(uow, udvalg.id or 0)
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
                goal_id=goals[item.goal].id if item.goal is not None else None,
                tvaergaaende=item.tvaergaaende,
                owners=await resolve(uow, known, item.owners, item.kontaktperson),
            )
            stored.append(await uow.indsatser.add(indsats))
        unknown: dict[str, str] = {}
        for indsats in stored:
            for owner in indsats.owners:
                if owner.person_id is None:
                    unknown.setdefault(normalise_name(owner.name), owner.name)
        matches = await pending_matches(uow, plan.id or 0)
        await audit(
            uow, actor, "plan.import", "plan", plan.id, now, udvalg.id, title=clean,
            indsatser=len(stored), goals=len(goals),
        )  # fmt: skip
        await uow.commit()
    return ImportedPlan(
        plan=plan,
        udvalg=udvalg,
        indsatser=stored,
        unknown_tovholdere=tuple(unknown.values()),
        unknown_columns=result.unknown_columns,
        without_tovholder=result.without_tovholder,
        goals=goals,
        matches=matches,
        schedule=schedule.rule if schedule else "",
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
        owners, _ = split_owners(_clean_field("tovholder", tovholder))
        known = await directory(uow, plan.udvalg_id)
        indsats = Indsats(
            plan_id=plan_id,
            title=clean,
            position=max((i.position for i in existing), default=-1) + 1,
            tovholder=", ".join(owners),
            owners=await resolve(uow, known, owners),
        )
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
            owners, across = split_owners(indsats.tovholder)
            indsats.tovholder = ", ".join(owners) if owners else indsats.tovholder
            indsats.tvaergaaende = indsats.tvaergaaende or across
            known = await directory(uow, plan.udvalg_id)
            indsats.owners = await resolve(uow, known, owners, indsats.kontaktperson)
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
    goals: list[PlanGoal] = field(default_factory=list)


async def plan_detail(uow: UnitOfWork, actor: Actor, plan_id: int) -> PlanDetail:
    """A plan with its active indsatser, for the secretary who edits it in chat."""
    async with uow:
        plan = await load_plan(uow, plan_id)
        require_editor(actor, plan.udvalg_id)
        indsatser = [i for i in await uow.indsatser.for_plan(plan_id) if i.active]
        people = await people_of(uow, plan.udvalg_id)
        goals = await uow.plans.goals(plan_id)
    tovholdere = [person for _, (person, held) in sorted(people.items()) if Role.TOVHOLDER in held]
    return PlanDetail(plan, indsatser, tovholdere, goals)


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
        meetings = await meeting_days(uow, plan.udvalg_id, to_local(now, zone).date())
        first = next_round(schedule, now, [m.date for m in meetings], zone)
        await audit(
            uow, actor, "plan.schedule", "plan", plan_id, now, plan.udvalg_id, rule=schedule.rule
        )
        await uow.commit()
    return plan, first


async def red_setting(uow: UnitOfWork, actor: Actor, code: str) -> tuple[Udvalg, StatusSettings]:
    """Whether the formand hears of a red answer too, for the udvalg ``code``."""
    async with uow:
        udvalg = await udvalg_by_code(uow, code)
        require_editor(actor, udvalg.id or 0)
        return udvalg, await uow.plans.settings(udvalg.id or 0)


async def set_red_to_formand(
    uow: UnitOfWork, actor: Actor, code: str, value: bool, now: datetime
) -> tuple[Udvalg, StatusSettings]:
    """The secretary's choice: a red answer goes to the formand as well as the secretaries."""
    async with uow:
        udvalg = await udvalg_by_code(uow, code)
        require_editor(actor, udvalg.id or 0)
        settings = StatusSettings(udvalg.id or 0, red_to_formand=value)
        await uow.plans.put_settings(settings)
        await audit(
            uow, actor, "status.settings", "udvalg", udvalg.id, now, udvalg.id,
            red_to_formand=value,
        )  # fmt: skip
        await uow.commit()
    return udvalg, settings


async def udvalg_code(uow: UnitOfWork, udvalg_id: int) -> str:
    async with uow:
        udvalg = await uow.udvalg.get(udvalg_id)
    if udvalg is None:
        raise NotFound("err-udvalg-unknown", code=str(udvalg_id))
    return udvalg.code


async def udvalg_id_of(uow: UnitOfWork, code: str) -> int:
    async with uow:
        return (await udvalg_by_code(uow, code)).id or 0
