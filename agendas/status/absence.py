"""A tovholder away: "Ferie til 3/8" pauses prompts and reminders until then.

``parse_absence`` reads what a person types in the private chat ("Ferie til 3/8", "ferie fra
1/7 til 3/8", "Jeg er på ferie til og med 3. august", "Fravær til 03-08-2027"); the day named is
the last day away, and prompts and reminders resume the morning after. A date without a year is
this year's, or next year's when this year's has passed and next year's is within half a year
("Ferie til 3/1" typed in December). A date in the past is refused, and so is an absence of more
than a year; nothing is stored then. "Ferie slut" (or "tilbage") ends it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from agendas.dates import parse_date, to_local
from agendas.errors import InvalidInput
from agendas.model import Actor, Role
from agendas.plans import Absence
from agendas.ports import UnitOfWork
from agendas.services.common import audit

#: The longest absence taken (a longer one is probably a mistyped year).
MAX_ABSENCE_DAYS = 366
#: A year-less date past this year is next year's only when that is this close.
NEXT_YEAR_WITHIN = timedelta(days=183)

_WORDS = r"(?:ferie|fravær|fravaer|orlov|væk|vaek|bortrejst|barsel)"
ABSENCE = re.compile(
    rf"^(?:jeg\s+(?:er|holder)\s+)?(?:på\s+|pa\s+)?{_WORDS}\b\s*"
    r"(?:fra\s+(?:og\s+med\s+)?(?P<since>.+?)\s+)?"
    r"(?:til\s+og\s+med|til|tom\.?|t\.o\.m\.?|indtil)\s+(?P<until>.+?)[.!]?$",
    re.IGNORECASE,
)
#: "Ferie" with no date: the person is asked for one.
ABSENCE_WORD = re.compile(rf"^(?:jeg\s+(?:er|holder)\s+)?(?:på\s+|pa\s+)?{_WORDS}[.!]?$", re.I)
BACK = re.compile(
    rf"^(?:{_WORDS}\s+(?:slut|er\s+slut|forbi|stop)|(?:jeg\s+er\s+)?tilbage(?:\s+igen)?)[.!]?$",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class AbsenceText:
    """What an absence message says: the first and last day away (None: no date given)."""

    since: date
    until: date | None


def looks_like_absence(text: str) -> bool:
    value = " ".join(text.split())
    return bool(ABSENCE.match(value) or ABSENCE_WORD.match(value) or BACK.match(value))


def is_back(text: str) -> bool:
    return bool(BACK.match(" ".join(text.split())))


def day_of(text: str, today: date) -> date:
    """A day as typed; a year-less one as this year's (next year's only when near)."""
    value = text.strip().rstrip(".")
    value = re.sub(r"^(?:den|d\.)\s+", "", value, flags=re.IGNORECASE)
    parsed = parse_date(value, date(today.year, 1, 1))
    if re.search(r"\d{4}$|\d{1,2}\s*[-./]\s*\d{1,2}\s*[-./]\s*\d{2}$", value):
        return parsed  # the year was given
    if parsed < today:
        later = _next_year(parsed)
        if later is not None and later - today <= NEXT_YEAR_WITHIN:
            return later
    return parsed


def _next_year(day: date) -> date | None:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return None


def parse_absence(text: str, today: date) -> AbsenceText:
    """The absence a message describes; refused (``InvalidInput``) when it names no date, a
    date that does not exist, one in the past, or an end before its start."""
    value = " ".join(text.split())
    found = ABSENCE.match(value)
    if found is None:
        if ABSENCE_WORD.match(value):
            return AbsenceText(today, None)
        raise InvalidInput("err-absence-format", value=text)
    until = _day(found["until"], today)
    since = _day(found["since"], today) if found["since"] else today
    if until < today:
        raise InvalidInput("err-absence-past", date=until.strftime("%d-%m-%Y"))
    if since > until:
        raise InvalidInput("err-absence-order")
    if (until - max(since, today)).days > MAX_ABSENCE_DAYS:
        raise InvalidInput("err-absence-too-long", limit=MAX_ABSENCE_DAYS)
    return AbsenceText(max(since, today), until)


def _day(text: str, today: date) -> date:
    try:
        return day_of(text, today)
    except InvalidInput as exc:
        raise InvalidInput("err-absence-date", value=text.strip()) from exc


async def record_absence(
    uow: UnitOfWork, actor: Actor, since: date, until: date, now: datetime, zone: str
) -> Absence:
    """Store the actor's absence (replacing an earlier one). Only someone who may be asked for
    status (a tovholder, or an owner of an indsats) has one; a past end date is refused."""
    today = to_local(now, zone).date()
    if until < today:
        raise InvalidInput("err-absence-past", date=until.strftime("%d-%m-%Y"))
    async with uow:
        await _require_tovholder(uow, actor)
        absence = await uow.absences.put(
            Absence(actor.person_id, max(since, today), until, created_at=now)
        )
        await audit(
            uow, actor, "absence.set", "person", actor.person_id, now, None,
            since=absence.since.isoformat(), until=until.isoformat(),
        )  # fmt: skip
        await uow.commit()
    return absence


async def end_absence(uow: UnitOfWork, actor: Actor, now: datetime) -> bool:
    async with uow:
        ended = await uow.absences.end(actor.person_id)
        if ended:
            await audit(uow, actor, "absence.end", "person", actor.person_id, now, None)
            await uow.commit()
    return ended


async def current_absence(
    uow: UnitOfWork, actor: Actor, now: datetime, zone: str
) -> Absence | None:
    async with uow:
        found = (await uow.absences.for_persons([actor.person_id])).get(actor.person_id)
    if found is None or found.until < to_local(now, zone).date():
        return None
    return found


async def _require_tovholder(uow: UnitOfWork, actor: Actor) -> None:
    if any(Role.TOVHOLDER in roles for roles in actor.roles.values()):
        return
    if await uow.indsatser.for_person(actor.person_id):
        return
    raise InvalidInput("err-absence-not-tovholder")
