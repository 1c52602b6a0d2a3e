"""Handleplaner, their indsatser and the status rounds that ask the tovholdere for status.

Plain dataclasses, no I/O. A plan (handleplan, virksomhedsplan or genopretningsplan) belongs to
one udvalg and holds indsatser; each indsats has a tovholder: a person, or a unit (a center, an
afdeling) with a contact person. The person who answers is ``Indsats.tovholder_person_id`` in both
cases. A plan's schedule is data: the rule text the secretary typed
(``agendas.status.schedules``) and the answer window in hverdage. A status round has an opening
time, a deadline and reminder times, all UTC; an answer holds a traffic-light colour and a text.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime

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


@dataclass(slots=True)
class Indsats:
    """One initiative of a plan. ``tovholder`` is the name as written in the plan (a person or a
    unit); ``kontaktperson`` the unit's contact person as written; ``tovholder_person_id`` the
    person who gets the prompts (None until someone is invited or assigned)."""

    plan_id: int
    title: str
    position: int = 0
    maalgruppe: str = ""
    formaal: str = ""  # formål, mål og succeskriterier
    tovholder: str = ""
    kontaktperson: str = ""
    tovholder_person_id: int | None = None
    periode: str = ""
    samarbejdspartnere: str = ""
    aktiviteter: str = ""
    active: bool = True
    id: int | None = None


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
    id: int | None = None


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
