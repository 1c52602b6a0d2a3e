"""Who owns an indsats, and who answers for it: persons, units and their contact persons.

An owner name from a plan is a person of the udvalg (by name), or a unit (``StatusUnit``). Units
are matched tolerantly: the same letters without regard to case, spacing, hyphens or
punctuation ("Center for Hjælpe midler" is "Center for Hjælpemidler"). A match that is only
tolerant is used at once and shown to the secretary to confirm: "samme enhed" keeps it (and
remembers the spelling), "en anden enhed" makes the spelling a unit of its own. A unit's
contact person answers for every indsats the unit owns; the secretary sets it with /enheder,
or the plan's Kontaktperson column names it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from agendas import rules
from agendas.errors import InvalidInput, NotFound
from agendas.model import Actor, Person, Role
from agendas.plans import Indsats, IndsatsOwner, StatusUnit, unit_key
from agendas.ports import UnitOfWork
from agendas.services.common import audit, require_editor
from agendas.status.plan_rows import normalise_name


@dataclass(slots=True)
class Directory:
    """What an udvalg knows of names: its people (folded name -> person id) and its units."""

    udvalg_id: int
    people: dict[str, int]
    units: list[StatusUnit] = field(default_factory=list)

    def person(self, name: str) -> int | None:
        return self.people.get(normalise_name(name)) if name else None

    def unit(self, name: str) -> tuple[StatusUnit | None, bool]:
        """The unit ``name`` names, and whether the match is exact (same name or a confirmed
        spelling) rather than tolerant."""
        folded = normalise_name(name)
        for unit in self.units:
            if normalise_name(unit.name) == folded or folded in unit.aliases:
                return unit, True
        key = unit_key(name)
        for unit in self.units:
            if unit_key(unit.name) == key:
                return unit, False
        return None, False


async def directory(uow: UnitOfWork, udvalg_id: int) -> Directory:
    """Inside a transaction: the udvalg's people and units."""
    memberships = await uow.memberships.for_udvalg(udvalg_id)
    persons = await uow.persons.many([m.person_id for m in memberships])
    people = {normalise_name(p.name): pid for pid, p in persons.items()}
    return Directory(udvalg_id, people, await uow.indsatser.units(udvalg_id))


async def resolve(
    uow: UnitOfWork, known: Directory, names: Sequence[str], kontaktperson: str = ""
) -> list[IndsatsOwner]:
    """Inside a transaction: one owner per name, a new unit for a name nobody knows (the
    contact person, when the plan gives one, goes with the first new unit)."""
    owners: list[IndsatsOwner] = []
    contact = kontaktperson.strip()
    for name in names:
        person = known.person(name)
        if person is not None:
            owners.append(IndsatsOwner(name, person))
            continue
        unit, exact = known.unit(name)
        if unit is None:
            unit = await uow.indsatser.add_unit(
                StatusUnit(known.udvalg_id, name, known.person(contact), contact_name=contact)
            )
            known.units.append(unit)
            contact, exact = "", True
        elif contact and unit.person_id is None and known.person(contact) is not None:
            unit.person_id, unit.contact_name = known.person(contact), contact
            await uow.indsatser.update_unit(unit)
        owners.append(IndsatsOwner(name, unit.person_id, unit.id, confirmed=exact))
    return owners


async def link_owners(uow: UnitOfWork, indsatser: Sequence[Indsats], known: Directory) -> int:
    """Inside a transaction: owners nobody answers for get the person their name (or their
    unit's contact name) gives, once that person has joined. Returns how many indsatser
    changed; the caller commits."""
    units = {u.id: u for u in known.units}
    changed = 0
    for indsats in indsatser:
        touched = False
        for owner in indsats.owners:
            if owner.person_id is not None:
                continue
            unit = units.get(owner.unit_id)
            person = known.person(owner.name)
            if unit is not None:
                person = unit.person_id or known.person(unit.contact_name) or person
                if person is not None and unit.person_id is None:
                    unit.person_id = person
                    await uow.indsatser.update_unit(unit)
            if person is not None:
                owner.person_id, touched = person, True
        if touched:
            await uow.indsatser.update(indsats)
            changed += 1
    return changed


@dataclass(frozen=True, slots=True)
class PendingMatch:
    """A spelling matched to a unit only tolerantly, for the secretary to confirm."""

    indsats_id: int
    position: int
    name: str
    unit: StatusUnit


async def pending_matches(uow: UnitOfWork, plan_id: int) -> list[PendingMatch]:
    """Inside a transaction: one per spelling of the plan awaiting confirmation."""
    plan = await uow.plans.get(plan_id)
    if plan is None:
        return []
    units = {u.id: u for u in await uow.indsatser.units(plan.udvalg_id)}
    found: dict[str, PendingMatch] = {}
    for indsats in await uow.indsatser.for_plan(plan_id):
        for position, owner in enumerate(indsats.owners):
            unit = units.get(owner.unit_id)
            if owner.confirmed or unit is None:
                continue
            found.setdefault(
                normalise_name(owner.name),
                PendingMatch(indsats.id or 0, position, owner.name, unit),
            )
    return list(found.values())


async def confirm_match(
    uow: UnitOfWork,
    actor: Actor,
    indsats_id: int,
    position: int,
    same: bool,
    now: datetime,
) -> tuple[str, StatusUnit]:
    """The secretary's answer to "is »X« the unit »Y«?": every owner of the plan with that
    spelling keeps the unit (``same``, remembered as the unit's spelling) or gets a unit of its
    own. Returns the spelling and the unit it now belongs to."""
    async with uow:
        indsats = await uow.indsatser.get(indsats_id)
        if indsats is None or not 0 <= position < len(indsats.owners):
            raise NotFound("err-indsats-unknown")
        plan = await uow.plans.get(indsats.plan_id)
        if plan is None:
            raise NotFound("err-indsats-unknown")
        require_editor(actor, plan.udvalg_id)
        owner = indsats.owners[position]
        units = {u.id: u for u in await uow.indsatser.units(plan.udvalg_id)}
        unit = units.get(owner.unit_id)
        if owner.confirmed or unit is None:
            raise InvalidInput("err-unit-match-done", name=owner.name)
        spelling = normalise_name(owner.name)
        if same:
            unit.aliases = (*unit.aliases, spelling)
            await uow.indsatser.update_unit(unit)
        else:
            unit = await uow.indsatser.add_unit(StatusUnit(plan.udvalg_id, owner.name))
        for other in await uow.indsatser.for_plan(plan.id or 0):
            hits = [o for o in other.owners if normalise_name(o.name) == spelling]
            for hit in hits:
                hit.unit_id, hit.confirmed = unit.id, True
                hit.person_id = unit.person_id
            if hits:
                await uow.indsatser.update(other)
        await audit(
            uow, actor, "unit.match", "status_unit", unit.id, now, plan.udvalg_id,
            name=owner.name, same=same,
        )  # fmt: skip
        await uow.commit()
    return owner.name, unit


@dataclass(frozen=True, slots=True)
class UnitListing:
    unit: StatusUnit
    contact: Person | None
    indsatser: int


async def list_units(uow: UnitOfWork, actor: Actor, udvalg_id: int) -> list[UnitListing]:
    """The udvalg's units with their contact person and how many indsatser each owns."""
    async with uow:
        require_editor(actor, udvalg_id)
        units = await uow.indsatser.units(udvalg_id)
        persons = await uow.persons.many([u.person_id for u in units if u.person_id])
        owned: dict[int, int] = {}
        for plan in await uow.plans.for_udvalg(udvalg_id):
            for indsats in await uow.indsatser.for_plan(plan.id or 0):
                if indsats.active:
                    for unit_id in {o.unit_id for o in indsats.owners if o.unit_id}:
                        owned[unit_id] = owned.get(unit_id, 0) + 1
    return [UnitListing(u, persons.get(u.person_id or 0), owned.get(u.id or 0, 0)) for u in units]


async def _load_unit(uow: UnitOfWork, actor: Actor, unit_id: int) -> StatusUnit:
    """Inside a transaction: a unit of an udvalg the actor is secretary of."""
    for udvalg in await uow.udvalg.list_all():
        if rules.can_edit_udvalg(actor, udvalg.id or 0):
            for unit in await uow.indsatser.units(udvalg.id or 0):
                if unit.id == unit_id:
                    return unit
    raise NotFound("err-unit-unknown")


async def _candidates(uow: UnitOfWork, udvalg_id: int) -> dict[int, Person]:
    """Who may answer for a unit: the udvalg's tovholdere and secretaries."""
    memberships = await uow.memberships.for_udvalg(udvalg_id)
    wanted = sorted(
        {m.person_id for m in memberships if m.role in (Role.TOVHOLDER, Role.SEKRETAER)}
    )
    return await uow.persons.many(wanted)


@dataclass(frozen=True, slots=True)
class ContactChoice:
    unit: StatusUnit
    code: str
    people: list[Person]


async def contact_choice(uow: UnitOfWork, actor: Actor, unit_id: int) -> ContactChoice:
    async with uow:
        unit = await _load_unit(uow, actor, unit_id)
        udvalg = await uow.udvalg.get(unit.udvalg_id)
        people = await _candidates(uow, unit.udvalg_id)
    return ContactChoice(unit, udvalg.code if udvalg else "", [people[k] for k in sorted(people)])


async def set_contact(
    uow: UnitOfWork, actor: Actor, unit_id: int, person_id: int, now: datetime
) -> tuple[StatusUnit, Person]:
    """The person who answers for a unit: one with the tovholder (or secretary) role in the
    unit's udvalg. Every indsats the unit owns is asked through them from now on."""
    async with uow:
        unit = await _load_unit(uow, actor, unit_id)
        person = (await _candidates(uow, unit.udvalg_id)).get(person_id)
        if person is None:
            raise InvalidInput("err-unit-contact-person")
        unit.person_id, unit.contact_name = person_id, person.name
        await uow.indsatser.update_unit(unit)
        await audit(
            uow, actor, "unit.contact", "status_unit", unit_id, now, unit.udvalg_id,
            person=person_id,
        )  # fmt: skip
        await uow.commit()
    return unit, person
