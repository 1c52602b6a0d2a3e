"""The agenda mailing and the outbox: who receives it, the pages and .ics each kind of recipient
gets, and writing one message to the outbox (used by the release, ``release_watch`` and
``agendas.meeting.approval``, each in the transaction of the change that causes the message).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from agendas import rules
from agendas.calendar import MeetingEvent, ics_file_name, meeting_ics
from agendas.chatviews import Texts, Translate, esc
from agendas.mailings import (
    OutDocument,
    OutMessage,
    member_summary,
    with_calendar,
)
from agendas.model import Moede, Person, Role
from agendas.outbox import (
    OutboxKind,
    OutboxMessage,
)
from agendas.ports import UnitOfWork
from agendas.services.meetings import Agenda


@dataclass(frozen=True, slots=True)
class Recipient:
    person: Person
    may_read_closed: bool

    @property
    def chat_id(self) -> int:
        """Recipients are on Telegram (``recipients`` leaves the others out)."""
        assert self.person.telegram_id is not None
        return self.person.telegram_id


async def mailing_agenda(uow: UnitOfWork, moede: Moede) -> Agenda:
    """The whole agenda, unchecked: the mailing decides what each recipient may see."""
    udvalg = await uow.udvalg.get(moede.udvalg_id)
    assert udvalg is not None
    punkter = rules.ordered(await uow.punkter.for_moede(moede.id or 0))
    bilag = await uow.bilag.for_punkter([p.id or 0 for p in punkter])
    return Agenda(moede=moede, udvalg=udvalg, punkter=punkter, bilag=bilag)


async def recipients(uow: UnitOfWork, udvalg_id: int) -> list[Recipient]:
    """Everyone with a role in the udvalg who is on Telegram, once each, in a stable order.

    A roster member without Telegram gets no messages: they are simply not a recipient."""
    roles: dict[int, set[Role]] = {}
    for membership in await uow.memberships.for_udvalg(udvalg_id):
        roles.setdefault(membership.person_id, set()).add(membership.role)
    result: list[Recipient] = []
    persons = await uow.persons.many(list(roles))
    for person_id in sorted(roles):
        person = persons.get(person_id)
        if person is None or person.telegram_id is None:
            continue
        held = roles[person_id]
        closed = Role.SEKRETAER in held or any(r.is_member for r in held)
        result.append(Recipient(person, closed))
    return result


def event_description(agenda: Agenda, t: Translate) -> str:
    """The calendar entry's text: the agenda's punkter by number and title (titles are public,
    a closed punkt's too), and the forvaltning behind it."""
    lines = [t("ics-description-head", udvalg=agenda.udvalg.name)]
    lines += [f"{p.number}. {p.title}" for p in agenda.punkter]
    if agenda.udvalg.forvaltning:
        lines += ["", agenda.udvalg.forvaltning]
    return "\n".join(lines)


def meeting_event(
    agenda: Agenda, zone: str, sequence: int, now: datetime, description: str = ""
) -> MeetingEvent:
    moede, udvalg = agenda.moede, agenda.udvalg
    return MeetingEvent(
        moede_id=moede.id or 0,
        udvalg_name=udvalg.name,
        udvalg_code=udvalg.code,
        day=moede.date,
        start=moede.start_time,
        place=moede.place,
        zone=zone,
        sequence=sequence,
        stamp=now,
        description=description,
        duration=timedelta(minutes=udvalg.meeting_minutes),
    )


def calendar_document(
    agenda: Agenda, zone: str, sequence: int, now: datetime, t: Translate
) -> OutDocument:
    event = meeting_event(agenda, zone, sequence, now, event_description(agenda, t))
    ics = meeting_ics(event).decode("utf-8")
    return OutDocument(
        ics_file_name(agenda.udvalg.code, agenda.moede.date), ics, esc(t("release-ics-caption"))
    )


async def queue_message(
    uow: UnitOfWork,
    key: str,
    chat_id: int | None,
    kind: OutboxKind,
    item: OutMessage | OutDocument,
    now: datetime,
    person_id: int | None,
    udvalg_id: int,
) -> bool:
    """One message to the outbox, due now; False when its key is already there, or when there
    is no chat to send to (a roster member without Telegram gets no messages)."""
    message = outbox_message(key, chat_id, kind, item, now, person_id, udvalg_id)
    return message is not None and await uow.outbox.add(message)


def outbox_message(
    key: str,
    chat_id: int | None,
    kind: OutboxKind,
    item: OutMessage | OutDocument,
    now: datetime,
    person_id: int | None,
    udvalg_id: int,
) -> OutboxMessage | None:
    """``queue_message``'s message, for ``uow.outbox.add_many`` (a mailing in one statement or
    two, not two per recipient); None when there is no chat to send to."""
    if chat_id is None:
        return None
    return OutboxMessage(
        key=key,
        chat_id=chat_id,
        kind=kind,
        payload=item.to_payload(),
        not_before=now,
        person_id=person_id,
        udvalg_id=udvalg_id,
    )


#: One person's mailing depends on their language and on whether they may read closed punkter.
MailingKind = tuple[str | None, bool]


def agenda_mailing(
    agenda: Agenda,
    recipient: Recipient,
    zone: str,
    now: datetime,
    not_before: datetime,
    texts: Texts,
    prefix: str,
    rendered: dict[MailingKind, list[OutMessage | OutDocument]],
    public_url: str | None = None,
) -> list[OutboxMessage]:
    """One person's summary pages and .ics (stamped ``now``, sent from ``not_before``); the
    .ics carries the last page when it fits a caption (``with_calendar``). ``rendered`` keeps
    the mailing per kind of recipient, so a thousand members cost a handful of renderings.
    ``public_url``: the meeting's page in the web archive, linked at the end of the summary."""
    person = recipient.person
    kind = (person.language, recipient.may_read_closed)
    if kind not in rendered:
        t = texts(person.language)
        pages = member_summary(agenda, t, recipient.may_read_closed, public_url)
        rendered[kind] = with_calendar(pages, calendar_document(agenda, zone, 0, now, t))
    return [
        OutboxMessage(
            key=f"{prefix}:p{person.id}:{'ics' if isinstance(item, OutDocument) else index}",
            chat_id=recipient.chat_id,
            kind=OutboxKind.CALENDAR if isinstance(item, OutDocument) else OutboxKind.AGENDA,
            payload=item.to_payload(),
            not_before=not_before,
            person_id=person.id,
            udvalg_id=agenda.udvalg.id or 0,
        )
        for index, item in enumerate(rendered[kind])
    ]
