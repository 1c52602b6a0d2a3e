"""Domain entities: plain dataclasses, no I/O.

The storage layer maps its tables to and from these; handlers and services only see these.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime, time


class Role(enum.StrEnum):
    """A person's role in one udvalg. Admin is global and lives on the person instead."""

    SEKRETAER = "sekretaer"
    FORMAND = "formand"
    NAESTFORMAND = "naestformand"
    MEDLEM = "medlem"
    STEDFORTRAEDER = "stedfortraeder"
    TOVHOLDER = "tovholder"

    @property
    def is_member(self) -> bool:
        """Members (with or without a title) may read closed punkter and approve protocols."""
        return self in MEMBER_ROLES

    @property
    def is_editor(self) -> bool:
        return self is Role.SEKRETAER


MEMBER_ROLES = frozenset({Role.FORMAND, Role.NAESTFORMAND, Role.MEDLEM, Role.STEDFORTRAEDER})

#: Words a user may type for a role (Danish with and without æøå, and English).
ROLE_ALIASES: dict[str, Role] = {
    "sekretaer": Role.SEKRETAER,
    "sekretær": Role.SEKRETAER,
    "secretary": Role.SEKRETAER,
    "formand": Role.FORMAND,
    "chair": Role.FORMAND,
    "naestformand": Role.NAESTFORMAND,
    "næstformand": Role.NAESTFORMAND,
    "vicechair": Role.NAESTFORMAND,
    "medlem": Role.MEDLEM,
    "member": Role.MEDLEM,
    "stedfortraeder": Role.STEDFORTRAEDER,
    "stedfortræder": Role.STEDFORTRAEDER,
    "substitute": Role.STEDFORTRAEDER,
    "tovholder": Role.TOVHOLDER,
    "owner": Role.TOVHOLDER,
}


class PunktKind(enum.StrEnum):
    """What kind of agenda item; the standard ones have fixed places in the order."""

    GODKENDELSE = "godkendelse"
    MEDDELELSER = "meddelelser"
    SAG = "sag"
    EVENTUELT = "eventuelt"


class Sagstype(enum.StrEnum):
    ORIENTERING = "orientering"
    DROEFTELSE = "droeftelse"
    BESLUTNING = "beslutning"


SAGSTYPE_LABELS: dict[Sagstype, str] = {
    Sagstype.ORIENTERING: "Til orientering",
    Sagstype.DROEFTELSE: "Til drøftelse",
    Sagstype.BESLUTNING: "Til beslutning",
}


@dataclass(frozen=True, slots=True)
class Section:
    """One text section of a sag, in the municipal order."""

    key: str
    title: str
    required: bool = False


#: The sections of a sag in the order of DESIGN.md. Titles are Danish domain terms.
SECTIONS: tuple[Section, ...] = (
    Section("sagens_kerne", "Sagens kerne", required=True),
    Section("indstilling", "Indstilling", required=True),
    Section("beslutning", "Beslutning"),
    Section("tidligere_beslutninger", "Tidligere beslutninger"),
    Section("sagsfremstilling", "Sagsfremstilling"),
    Section("lov_og_plangrundlag", "Lov- og plangrundlag"),
    Section("oekonomiske_konsekvenser", "Økonomiske konsekvenser"),
    Section("tidsplan", "Tidsplan"),
)
SECTION_KEYS: tuple[str, ...] = tuple(s.key for s in SECTIONS)
SECTION_BY_KEY: dict[str, Section] = {s.key: s for s in SECTIONS}

#: Sections the secretary fills in the /nysag dialog (Beslutning is filled at the meeting).
DIALOG_SECTIONS: tuple[Section, ...] = tuple(s for s in SECTIONS if s.key != "beslutning")

STANDARD_TITLES: dict[PunktKind, str] = {
    PunktKind.GODKENDELSE: "Godkendelse af dagsorden",
    PunktKind.MEDDELELSER: "Meddelelser",
    PunktKind.EVENTUELT: "Eventuelt",
}


#: How long an udvalg's meetings usually last, in minutes, unless its secretary set another
#: length (/moedelaengde): the length of the meeting in the calendar invitation.
DEFAULT_MEETING_MINUTES = 120
MIN_MEETING_MINUTES = 15
MAX_MEETING_MINUTES = 480


@dataclass(slots=True)
class Udvalg:
    code: str
    name: str
    forvaltning: str
    id: int | None = None
    created_at: datetime | None = None
    #: The usual length of its meetings in minutes (the calendar invitation's DTEND).
    meeting_minutes: int = DEFAULT_MEETING_MINUTES


@dataclass(slots=True)
class Person:
    """Someone in the bot: a Telegram account, or a member on an udvalg's roster without one
    (``telegram_id`` None: they appear in meeting mode and the protocol, and get no messages)."""

    telegram_id: int | None
    name: str
    username: str | None = None
    language: str | None = None
    is_admin: bool = False
    id: int | None = None
    #: The name was given by the secretary (the roster): Telegram's name does not replace it.
    name_fixed: bool = False

    @property
    def on_telegram(self) -> bool:
        return self.telegram_id is not None


@dataclass(slots=True)
class Membership:
    person_id: int
    udvalg_id: int
    role: Role
    party: str | None = None
    id: int | None = None
    created_at: datetime | None = None
    #: A stedfortræder's member (person id): whom they stand in for.
    substitute_for: int | None = None
    #: From when the person holds this seat (the roster's "fra"), if known.
    since: date | None = None


@dataclass(slots=True)
class Invite:
    """A one-time invitation. Only the token's hash is kept; the token itself is shown once."""

    udvalg_id: int
    role: Role
    token_hash: str
    created_by: int
    expires_at: datetime
    party: str | None = None
    used_by: int | None = None
    used_at: datetime | None = None
    id: int | None = None
    created_at: datetime | None = None
    #: The roster member (person id) this invite links a Telegram account to; None for a plain
    #: invite that makes the opener a member with ``role``.
    person_id: int | None = None


@dataclass(slots=True)
class Moede:
    udvalg_id: int
    date: date
    #: None when an imported document gave no start time (nothing is invented).
    start_time: time | None
    place: str = ""
    starts_at: datetime | None = None  # UTC-aware, derived from date + time in the local zone
    ended_at: datetime | None = None
    id: int | None = None
    created_at: datetime | None = None

    @property
    def clock(self) -> time:
        """The start time for ordering and deadlines: midnight when none is known. Never shown."""
        return self.start_time or time(0)


@dataclass(slots=True)
class Punkt:
    """One agenda item. ``position`` orders items within their group; ``number`` is derived."""

    moede_id: int
    kind: PunktKind
    title: str
    position: int = 0
    number: int = 0
    closed: bool = False
    sagstype: Sagstype | None = None
    beslutningskompetence: str = ""
    journal_number: str = ""
    sections: dict[str, str] = field(default_factory=dict)
    version: int = 1
    id: int | None = None
    updated_at: datetime | None = None
    updated_by: int | None = None
    #: Why the sag was added after the agenda was sent out; empty for a punkt on time.
    late_reason: str = ""
    #: The sag number an imported document printed ("Sag nr. 170"), kept beside the position.
    sag_number: int | None = None
    #: Sections under the document's own headings (title, text), in order: an imported
    #: "Borgmesterens Afdelings påtegning" is kept under that name, never merged elsewhere.
    extra_sections: list[tuple[str, str]] = field(default_factory=list)

    def section(self, key: str) -> str:
        return self.sections.get(key, "")

    @property
    def printed_number(self) -> int:
        """The number printed as "Sag nr.": the document's own, else the position."""
        return self.sag_number if self.sag_number is not None else self.number


@dataclass(slots=True)
class Bilag:
    punkt_id: int
    file_name: str
    size: int
    sha256: str
    mime_type: str
    telegram_file_id: str = ""
    content: bytes | None = field(default=None, repr=False)
    position: int = 0
    id: int | None = None
    created_at: datetime | None = None

    @property
    def attached(self) -> bool:
        """False for a bilag an imported document names without its file (a reference); a
        later upload with the same name fills it."""
        return bool(self.sha256)


@dataclass(slots=True)
class AuditEvent:
    actor_id: int | None
    action: str
    entity: str
    entity_id: int | None
    details: dict[str, object] = field(default_factory=dict)
    udvalg_id: int | None = None
    at: datetime | None = None
    id: int | None = None


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is acting: the person and the udvalg roles they hold, resolved once per update."""

    person_id: int
    is_admin: bool = False
    roles: dict[int, frozenset[Role]] = field(default_factory=dict)

    def roles_in(self, udvalg_id: int) -> frozenset[Role]:
        return self.roles.get(udvalg_id, frozenset())


@dataclass(frozen=True, slots=True)
class Identity:
    """A Telegram user as an update needs them, read at once: the person, their roles per
    udvalg, and whether their private chat is marked as having blocked the bot."""

    person: Person
    roles: dict[int, frozenset[Role]]
    unreachable: bool = False


#: The system itself (the command line, scripted set-up): an admin with no person behind it,
#: audited as person 0.
SYSTEM_ACTOR = Actor(person_id=0, is_admin=True)
