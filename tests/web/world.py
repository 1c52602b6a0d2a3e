"""A committee's year in the archive, made through the services as the chat makes it.

BEU (Beskæftigelsesudvalget) has three meetings:

- 4 March 2026: released, held and its protocol approved (an open sag with a contact person's
  e-mail and phone number, a closed sag with secret content and a bilag, decisions, a public
  decision text for the closed one);
- 8 April 2026: released, not held yet (the agenda only);
- 6 May 2026: created, not released: not public at all.

SOU (Socialudvalget) has no meetings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from agendas.chatviews import Translate
from agendas.meeting import approval, decisions
from agendas.model import SYSTEM_ACTOR, Actor, Role, Sagstype
from agendas.ports import UnitOfWork
from agendas.services import committees, invites, meetings, punkter, release
from agendas.services.punkter import SagDraft
from bot.catalogue import catalogue_texts

ZONE = "Europe/Copenhagen"
BEFORE = datetime(2026, 2, 20, 9, 0, tzinfo=UTC)
MEETING_DAY = datetime(2026, 3, 4, 15, 30, tzinfo=UTC)
APPROVED_AT = datetime(2026, 3, 5, 8, 30, tzinfo=UTC)

FIRST = date(2026, 3, 4)
SECOND = date(2026, 4, 8)
UNRELEASED = date(2026, 5, 6)

OPEN_TITLE = "Ny model for jobrettet indsats for unge"
OPEN_KERNE = (
    "Forvaltningen foreslår et samlet ungeteam. Spørgsmål til teamleder Mette Juhl, "
    "mette.juhl@kommune.dk eller tlf. 12 34 56 78."
)
OPEN_INDSTILLING = "Forvaltningen indstiller,\nat udvalget godkender modellen."
OPEN_DECISION = "Anbefales"
CLOSED_TITLE = "Køb af ejendom til værkstedspladser"
#: Words of the closed punkt that must never reach a page, a feed or a download.
CLOSED_SECRET = "Forhandlingsmandat på 4,2 mio. kr. for Havnevej 3"
CLOSED_BILAG = "Vurderingsrapport Havnevej.pdf"
CLOSED_INTERNAL_DECISION = "Godkendt. Mandat til borgmesteren som forhandlet"
PUBLIC_DECISION = "Udvalget anbefaler købet. Sagen offentliggøres, når handlen er gennemført."
OPEN_BILAG = "Notat om ungeindsatsen.pdf"
SECOND_TITLE = "Budgetopfølgning for beskæftigelsesområdet"
UNRELEASED_TITLE = "Hemmelig fremtidig sag om lukning af jobcentret"

PDF_BYTES = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@dataclass(frozen=True)
class World:
    first_id: int
    second_id: int
    unreleased_id: int


async def _person(uow: UnitOfWork, telegram_id: int, name: str) -> tuple[int, Actor]:
    person, actor = await committees.identify(
        uow, telegram_id, name, None, "da", frozenset(), private_chat=True
    )
    return person.id or 0, actor


async def _join(
    uow: UnitOfWork, telegram_id: int, name: str, role: Role, party: str | None
) -> Actor:
    issued = await invites.create_invite(uow, SYSTEM_ACTOR, "BEU", role, BEFORE, party=party)
    person, _ = await committees.identify(uow, telegram_id, name, None, "da", frozenset())
    await invites.accept_invite(uow, person, issued.token, BEFORE)
    return (await committees.identify(uow, telegram_id, name, None, "da", frozenset()))[1]


async def _meeting(uow: UnitOfWork, secretary: Actor, day: date) -> int:
    moede, _ = await meetings.create_moede(
        uow, secretary, "BEU", day, time(15), "Rådhuset, mødesal 2", BEFORE, ZONE
    )
    return moede.id or 0


async def build(new: Callable[[], UnitOfWork]) -> World:
    """Everything above, through the services; ``new()`` gives a fresh unit of work."""

    def texts(language: str | None) -> Translate:
        return catalogue_texts(language or "da")

    await committees.create_udvalg(
        new(),
        SYSTEM_ACTOR,
        "BEU",
        "Beskæftigelsesudvalget",
        "Social- og Sundhedsforvaltningen",
        BEFORE,
    )
    await committees.create_udvalg(
        new(), SYSTEM_ACTOR, "SOU", "Socialudvalget", "Social- og Sundhedsforvaltningen", BEFORE
    )
    secretary = await _join(new(), 2001, "Sofie Svendsen", Role.SEKRETAER, None)
    member = await _join(new(), 3001, "Lene Holm", Role.FORMAND, "A")

    first = await _meeting(new(), secretary, FIRST)
    open_sag = await punkter.add_sag(
        new(),
        secretary,
        first,
        SagDraft(
            OPEN_TITLE,
            Sagstype.BESLUTNING,
            sections={"sagens_kerne": OPEN_KERNE, "indstilling": OPEN_INDSTILLING},
        ),
        BEFORE,
    )
    closed_sag = await punkter.add_sag(
        new(),
        secretary,
        first,
        SagDraft(
            CLOSED_TITLE,
            Sagstype.BESLUTNING,
            journal_number="82.02.00-G01-1-26",
            closed=True,
            sections={"sagens_kerne": CLOSED_SECRET, "indstilling": CLOSED_SECRET},
        ),
        BEFORE,
    )
    for punkt, name in ((open_sag, OPEN_BILAG), (closed_sag, CLOSED_BILAG)):
        await punkter.attach_bilag(
            new(), secretary, punkt.id or 0, name, "application/pdf", PDF_BYTES, "", BEFORE
        )
    await release.release_agenda(new(), secretary, first, BEFORE, ZONE, texts, confirmed=True)

    second = await _meeting(new(), secretary, SECOND)
    await punkter.add_sag(
        new(),
        secretary,
        second,
        SagDraft(SECOND_TITLE, Sagstype.ORIENTERING, sections={"sagens_kerne": "Status."}),
        BEFORE,
    )
    await release.release_agenda(new(), secretary, second, BEFORE, ZONE, texts, confirmed=True)

    unreleased = await _meeting(new(), secretary, UNRELEASED)
    await punkter.add_sag(
        new(),
        secretary,
        unreleased,
        SagDraft(UNRELEASED_TITLE, sections={"sagens_kerne": "Intern."}),
        BEFORE,
    )

    # The meeting on 4 March: decisions, the public text of the closed sag, the end, approval.
    agenda = await meetings.load_agenda(new(), secretary, first)
    for punkt in agenda.punkter:
        text = {
            open_sag.id: OPEN_DECISION,
            closed_sag.id: CLOSED_INTERNAL_DECISION,
        }.get(punkt.id, "Taget til efterretning")
        await decisions.set_beslutning(new(), secretary, punkt.id or 0, text, None, MEETING_DAY)
    await decisions.set_public_beslutning(
        new(), secretary, closed_sag.id or 0, PUBLIC_DECISION, None, MEETING_DAY
    )
    await decisions.set_end_time(new(), secretary, first, "16.10", ZONE, None, MEETING_DAY)
    sent = await approval.send_for_approval(
        new(), secretary, first, None, MEETING_DAY, texts, confirmed=True
    )
    await approval.approve(new(), member, first, sent.view.rev, APPROVED_AT, texts)
    return World(first, second, unreleased)
