"""Handleplaner, their goals and indsatser, and the status rounds that ask the tovholdere.

Plain dataclasses, no I/O. A plan (handleplan, virksomhedsplan or genopretningsplan) belongs to
one udvalg and holds goals (mål, indsatsområder) with indsatser under them. An indsats has one
or more owners (``IndsatsOwner``): a person, or a unit (a center, an afdeling: ``StatusUnit``)
answered for by its contact person; any owner may answer, and the others see who did. A plan's
schedule is data: the rule text the secretary typed (``agendas.status.schedules``) and the answer
window in hverdage. A status round has an opening time, a deadline and reminder times, all UTC;
an answer holds a traffic-light colour and a text, and may have been given before the round
opened (``early``). A tovholder away (``Absence``, "Ferie til 3/8") gets no prompts or
reminders until the day after.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime

from agendas.errors import InvalidInput

#: Longest status text (a Telegram message is 4096 characters; the prompt also shows the goal).
MAX_STATUS_TEXT = 2000
#: Longest indsats title; the title is a row heading in the report and a button label in chat.
MAX_INDSATS_TITLE = 300
#: Longest plan title.
MAX_PLAN_TITLE = 200
#: Default answer window: the deadline is this many hverdage after the round opens.
DEFAULT_SVARFRIST_HVERDAGE = 5
#: Default reminders: this many hverdage before the deadline, and on the deadline morning.
DEFAULT_REMINDER_HVERDAGE = 2


class PlanKind(enum.StrEnum):
    HANDLEPLAN = "handleplan"
    VIRKSOMHEDSPLAN = "virksomhedsplan"
    GENOPRETNINGSPLAN = "genopretningsplan"


PLAN_KIND_LABELS: dict[PlanKind, str] = {
    PlanKind.HANDLEPLAN: "Handleplan",
    PlanKind.VIRKSOMHEDSPLAN: "Virksomhedsplan",
    PlanKind.GENOPRETNINGSPLAN: "Genopretningsplan",
}


class StatusColour(enum.StrEnum):
    """The traffic light: on track, at risk, off track."""

    GROEN = "groen"
    GUL = "gul"
    ROED = "roed"


COLOUR_LABELS: dict[StatusColour, str] = {
    StatusColour.GROEN: "Grøn",
    StatusColour.GUL: "Gul",
    StatusColour.ROED: "Rød",
}

#: Words a user (or a file) may use for a colour.
COLOUR_ALIASES: dict[str, StatusColour] = {
    "groen": StatusColour.GROEN,
    "grøn": StatusColour.GROEN,
    "green": StatusColour.GROEN,
    "gul": StatusColour.GUL,
    "yellow": StatusColour.GUL,
    "roed": StatusColour.ROED,
    "rød": StatusColour.ROED,
    "red": StatusColour.ROED,
}


class RoundState(enum.StrEnum):
    OPEN = "open"  # prompts sent; answers accepted until the deadline
    CLOSED = "closed"  # report built, the sag added


@dataclass(slots=True)
class StatusSchedule:
    """When a plan's rounds open (``rule``: ``agendas.status.schedules.parse_rule``) and how long.

    The deadline is ``svarfrist_hverdage`` hverdage after the opening (at ``DEADLINE_TIME``);
    reminders go out ``reminder_hverdage`` hverdage before the deadline and on its morning.
    """

    rule: str
    svarfrist_hverdage: int = DEFAULT_SVARFRIST_HVERDAGE
    reminder_hverdage: int = DEFAULT_REMINDER_HVERDAGE


@dataclass(slots=True)
class Handleplan:
    udvalg_id: int
    title: str
    kind: PlanKind = PlanKind.HANDLEPLAN
    period: str = ""
    schedule: StatusSchedule | None = None
    #: When the schedule was set: the first round opens after this instant.
    schedule_set_at: datetime | None = None
    active: bool = True
    id: int | None = None
    created_at: datetime | None = None
    created_by: int | None = None

    @property
    def label(self) -> str:
        return f"{PLAN_KIND_LABELS[self.kind]}: {self.title}"

    @property
    def named(self) -> str:
        """The plan as chat and documents name it, with its kind unless the title says it:
        "Handleplan for ensomhed 2025", "Ældre 2026 (virksomhedsplan)"."""
        if self.kind.value in fold(self.title):
            return self.title
        return f"{self.title} ({self.kind.value})"


class GoalKind(enum.StrEnum):
    MAAL = "maal"
    INDSATSOMRAADE = "indsatsomraade"
    TEMA = "tema"


GOAL_KIND_LABELS: dict[GoalKind, str] = {
    GoalKind.MAAL: "Mål",
    GoalKind.INDSATSOMRAADE: "Indsatsområde",
    GoalKind.TEMA: "Tema",
}


@dataclass(slots=True)
class PlanGoal:
    """A goal of a plan (a mål, an indsatsområde) with the indsatser under it."""

    plan_id: int
    title: str
    number: str = ""  # as printed: "1", "2a"
    kind: GoalKind = GoalKind.MAAL
    position: int = 0
    description: str = ""
    id: int | None = None

    @property
    def label(self) -> str:
        """``Mål 1: Mestring af eget liv``."""
        word = GOAL_KIND_LABELS[self.kind]
        head = f"{word} {self.number}" if self.number else word
        return f"{head}: {self.title}"


@dataclass(slots=True)
class IndsatsOwner:
    """One of an indsats' tovholdere: ``name`` as the plan writes it (a unit or a person);
    ``person_id`` is who is asked for it (the person, or the unit's contact person)."""

    name: str
    person_id: int | None = None
    unit_id: int | None = None
    #: False: the name matched a known unit only tolerantly; the secretary is asked to confirm.
    confirmed: bool = True
    id: int | None = None


@dataclass(slots=True)
class StatusUnit:
    """A unit of the forvaltning that owns indsatser (a center, an afdeling, "Stabene"), with the
    person who answers for it. ``aliases`` are spellings the secretary confirmed as this unit."""

    udvalg_id: int
    name: str
    person_id: int | None = None
    #: The contact person's name as a plan wrote it (linked when that person joins).
    contact_name: str = ""
    aliases: tuple[str, ...] = ()
    id: int | None = None


def fold(text: str) -> str:
    """Lower case with Danish letters folded (æ->ae, ø->oe, å/aa->a) and diacritics dropped."""
    value = text.lower().replace("æ", "ae").replace("ø", "oe").replace("å", "a")
    value = value.replace("aa", "a")
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def unit_key(name: str) -> str:
    """What two spellings of one unit share: no case, spacing, hyphens or punctuation
    ("Center for Hjælpe midler" and "Center for Hjælpe-midler" are "centerforhjaelpemidler")."""
    return re.sub(r"[^0-9a-z]+", "", fold(name))


@dataclass(slots=True)
class Indsats:
    """One initiative of a plan. ``tovholder`` is the owner cell as written in the plan (one or
    more units or persons); ``kontaktperson`` a unit's contact person as written; ``owners`` the
    owners it was split into, each with the person who gets the prompts (None until someone is
    invited or assigned). ``tvaergaaende``: the plan marks it as across the units."""

    plan_id: int
    title: str
    position: int = 0
    maalgruppe: str = ""
    formaal: str = ""  # formål, mål og succeskriterier
    tovholder: str = ""
    kontaktperson: str = ""
    periode: str = ""
    samarbejdspartnere: str = ""
    aktiviteter: str = ""
    active: bool = True
    goal_id: int | None = None
    tvaergaaende: bool = False
    owners: list[IndsatsOwner] = field(default_factory=list)
    id: int | None = None

    @property
    def tovholder_person_id(self) -> int | None:
        """The first owner who can be asked (None: nobody yet)."""
        return next((o.person_id for o in self.owners if o.person_id is not None), None)

    @property
    def person_ids(self) -> tuple[int, ...]:
        """Everyone asked for this indsats, once each, in the plan's order."""
        seen: dict[int, None] = {}
        for owner in self.owners:
            if owner.person_id is not None:
                seen.setdefault(owner.person_id, None)
        return tuple(seen)

    def owned_by(self, person_id: int) -> bool:
        return person_id in self.person_ids


@dataclass(slots=True)
class StatusRound:
    plan_id: int
    number: int  # 1, 2, … per plan
    opens_at: datetime
    deadline: datetime
    reminders: tuple[datetime, ...] = ()
    state: RoundState = RoundState.OPEN
    #: The meeting whose agenda gets the "Status på <plan>" sag (None: the next one at closing).
    moede_id: int | None = None
    closed_at: datetime | None = None
    #: How many of ``reminders`` went out (the scheduler sends each one once).
    reminders_sent: int = 0
    #: The "Status på <plan>" sag added when the round closed (None: no coming meeting).
    sag_punkt_id: int | None = None
    id: int | None = None

    def accepts_answers(self, now: datetime) -> bool:
        return self.state is RoundState.OPEN and self.opens_at <= now < self.deadline


@dataclass(frozen=True, slots=True)
class AttachmentRef:
    """A file a tovholder attached to an answer: Telegram's file id and the shown name."""

    telegram_file_id: str
    file_name: str
    size: int = 0


@dataclass(slots=True)
class StatusAnswer:
    round_id: int
    indsats_id: int
    colour: StatusColour
    text: str
    answered_at: datetime
    answered_by: int | None = None
    #: "Ingen ændring": colour and text were copied from the previous answer.
    unchanged: bool = False
    attachment: AttachmentRef | None = None
    #: Given before the round opened (kept with ``round_id`` 0 until then).
    early: bool = False
    id: int | None = None


@dataclass(slots=True)
class Absence:
    """A person away ("Ferie til 3/8"): no prompts or reminders from ``since`` to ``until``,
    both days included."""

    person_id: int
    since: date
    until: date
    created_at: datetime | None = None
    id: int | None = None

    def covers(self, day: date) -> bool:
        return self.since <= day <= self.until


@dataclass(slots=True)
class StatusSettings:
    """An udvalg's choices for status rounds: whether the formand is told of a red answer too."""

    udvalg_id: int
    red_to_formand: bool = False


@dataclass(frozen=True, slots=True)
class PreviousStatus:
    """The last answer given for an indsats in an earlier round (shown in the prompt)."""

    colour: StatusColour
    text: str
    answered_at: datetime
    round_number: int


def parse_colour(value: str) -> StatusColour:
    colour = COLOUR_ALIASES.get(value.strip().lower())
    if colour is None:
        raise InvalidInput("err-status-colour", value=value)
    return colour


def clean_status_text(text: str) -> str:
    value = text.strip()
    if not value:
        raise InvalidInput("err-status-text-empty")
    if len(value) > MAX_STATUS_TEXT:
        raise InvalidInput("err-status-text-too-long", limit=MAX_STATUS_TEXT, length=len(value))
    return value


def clean_plan_title(title: str) -> str:
    value = " ".join(title.split())
    if not value:
        raise InvalidInput("err-plan-title-empty")
    if len(value) > MAX_PLAN_TITLE:
        raise InvalidInput("err-plan-title-too-long", limit=MAX_PLAN_TITLE, length=len(value))
    return value


def unchanged_answer(
    previous: PreviousStatus, round_id: int, indsats_id: int, now: datetime, person_id: int | None
) -> StatusAnswer:
    """ "Ingen ændring": the previous colour and text with a new date."""
    return StatusAnswer(
        round_id=round_id,
        indsats_id=indsats_id,
        colour=previous.colour,
        text=previous.text,
        answered_at=now,
        answered_by=person_id,
        unchanged=True,
    )


@dataclass(slots=True)
class RoundOverview:
    """A round at a glance: counts per colour, who is missing, what changed since last round."""

    counts: dict[StatusColour, int] = field(default_factory=dict)
    missing: list[Indsats] = field(default_factory=list)
    changed: list[tuple[Indsats, StatusColour | None, StatusColour]] = field(default_factory=list)


def overview(
    indsatser: list[Indsats],
    answers: dict[int, StatusAnswer],
    previous: dict[int, PreviousStatus],
) -> RoundOverview:
    """``answers`` and ``previous`` are keyed by indsats id."""
    result = RoundOverview(counts={colour: 0 for colour in StatusColour})
    for indsats in indsatser:
        if indsats.id is None:
            continue
        answer = answers.get(indsats.id)
        if answer is None:
            result.missing.append(indsats)
            continue
        result.counts[answer.colour] += 1
        before = previous.get(indsats.id)
        before_colour = before.colour if before else None
        if before_colour is not answer.colour:
            result.changed.append((indsats, before_colour, answer.colour))
    return result
