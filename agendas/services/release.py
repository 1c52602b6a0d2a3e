"""Releasing the agenda, and what follows from it: "ændret" notices, deadline warnings,
reminders the day before. (The approval requests and the decisions summary after the protocol
is approved are queued by ``agendas.meeting.approval``, with the change that causes them.)

Every message is written to the outbox in the same transaction as the change that caused it, with
an idempotency key, so a job that fires twice or a retried command never sends anything twice.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from agendas import rules
from agendas.calendar import MeetingEvent, ics_file_name, meeting_ics
from agendas.chatviews import Texts, Translate, esc
from agendas.dates import format_date, format_time, to_local
from agendas.errors import InvalidInput, NotAllowed
from agendas.mailings import (
    OutDocument,
    OutMessage,
    changed_notice,
    group_summary,
    member_summary,
    moved_notice,
    reminder,
    with_calendar,
)
from agendas.model import Actor, Moede, Person, Role, Udvalg
from agendas.outbox import (
    DeliverySettings,
    OutboxKind,
    OutboxMessage,
    Release,
)
from agendas.ports import UnitOfWork
from agendas.services._common import audit, load_moede, require_editor, udvalg_by_code
from agendas.services.meetings import Agenda
from agendas.workdays import MAX_FRIST_HVERDAGE, MAX_WARN_HVERDAGE, Deadlines, deadlines

#: How long the secretary's own copy of the agenda waits after the /udsend confirmation.
OWN_COPY_DELAY = timedelta(seconds=2)


class AlreadyReleased(InvalidInput):
    key = "release-again"


@dataclass(frozen=True, slots=True)
class Recipient:
    person: Person
    may_read_closed: bool


@dataclass(frozen=True, slots=True)
class ReleaseResult:
    udvalg: Udvalg
    moede: Moede
    recipients: int
    group: bool
    deadlines: Deadlines


async def _agenda(uow: UnitOfWork, moede: Moede) -> Agenda:
    udvalg = await uow.udvalg.get(moede.udvalg_id)
    assert udvalg is not None
    punkter = rules.ordered(await uow.punkter.for_moede(moede.id or 0))
    bilag = {p.id or 0: await uow.bilag.for_punkt(p.id or 0) for p in punkter}
    return Agenda(moede=moede, udvalg=udvalg, punkter=punkter, bilag=bilag)


async def recipients(uow: UnitOfWork, udvalg_id: int) -> list[Recipient]:
    """Everyone with a role in the udvalg, once each, in a stable order."""
    roles: dict[int, set[Role]] = {}
    for membership in await uow.memberships.for_udvalg(udvalg_id):
        roles.setdefault(membership.person_id, set()).add(membership.role)
    result: list[Recipient] = []
    persons = await uow.persons.many(list(roles))
    for person_id in sorted(roles):
        person = persons.get(person_id)
        if person is None:
            continue
        held = roles[person_id]
        closed = Role.SEKRETAER in held or any(r.is_member for r in held)
        result.append(Recipient(person, closed))
    return result


def _event(agenda: Agenda, zone: str, sequence: int, now: datetime) -> MeetingEvent:
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
    )


def _calendar(agenda: Agenda, zone: str, sequence: int, now: datetime, t: Translate) -> OutDocument:
    ics = meeting_ics(_event(agenda, zone, sequence, now)).decode("utf-8")
    return OutDocument(
        ics_file_name(agenda.udvalg.code, agenda.moede.date), ics, esc(t("release-ics-caption"))
    )


async def queue_message(
    uow: UnitOfWork,
    key: str,
    chat_id: int,
    kind: OutboxKind,
    item: OutMessage | OutDocument,
    now: datetime,
    person_id: int | None,
    udvalg_id: int,
) -> bool:
    """One message to the outbox, due now; False when its key is already there."""
    return await uow.outbox.add(
        OutboxMessage(
            key=key,
            chat_id=chat_id,
            kind=kind,
            payload=item.to_payload(),
            not_before=now,
            person_id=person_id,
            udvalg_id=udvalg_id,
        )
    )


async def release_agenda(
    uow: UnitOfWork,
    actor: Actor,
    moede_id: int,
    now: datetime,
    zone: str,
    texts: Texts,
) -> ReleaseResult:
    """Send the agenda: one summary (and its pages) plus an .ics per person, the open punkter to
    the linked group; the release record and every outbox row in one transaction."""
    async with uow:
        moede = await load_moede(uow, moede_id)
        require_editor(actor, moede.udvalg_id)
        agenda = await _agenda(uow, moede)
        udvalg = agenda.udvalg
        settings = await uow.delivery.get(udvalg.id or 0)
        frist = deadlines(
            moede.date, moede.start_time, zone, settings.frist_hverdage, settings.warn_hverdage
        )
        if moede.starts_at is not None and moede.starts_at <= now:
            raise InvalidInput("err-date-past")
        previous = await uow.releases.get(moede_id)
        if previous is not None:
            raise AlreadyReleased(
                udvalg=udvalg.code,
                date=format_date(moede.date),
                at=format_date(previous.released_at.date()),
            )
        people = await recipients(uow, udvalg.id or 0)
        if not people:
            raise InvalidInput("release-no-recipients")
        release = Release(
            moede_id=moede_id,
            released_at=now,
            released_by=actor.person_id,
            day=moede.date,
            start=moede.start_time,
            place=moede.place,
            versions={p.id or 0: p.version for p in agenda.punkter},
        )
        if not await uow.releases.add(release):
            raise AlreadyReleased(udvalg=udvalg.code, date=format_date(moede.date), at="-")
        rendered: dict[_MailingKind, list[OutMessage | OutDocument]] = {}
        mailing: list[OutboxMessage] = []
        for person in people:
            # The secretary's own copy waits for the confirmation of /udsend (Telegram allows
            # about one message a second in a private chat).
            at = now + OWN_COPY_DELAY if person.person.id == actor.person_id else now
            mailing += _agenda_mailing(
                agenda, person, zone, now, at, texts, f"release:{moede_id}", rendered
            )
        await uow.outbox.add_many(mailing)
        if settings.group_chat_id is not None:
            t = texts(None)
            for index, page in enumerate(group_summary(agenda, t)):
                await queue_message(
                    uow,
                    f"release:{moede_id}:g{settings.group_chat_id}:{index}",
                    settings.group_chat_id,
                    OutboxKind.GROUP,
                    page,
                    now,
                    None,
                    udvalg.id or 0,
                )
        await audit(
            uow,
            actor,
            "moede.release",
            "moede",
            moede_id,
            now,
            udvalg.id,
            recipients=len(people),
            group=settings.group_chat_id is not None,
        )
        await uow.commit()
    return ReleaseResult(udvalg, moede, len(people), settings.group_chat_id is not None, frist)


#: One person's mailing depends on their language and on whether they may read closed punkter.
_MailingKind = tuple[str | None, bool]


def _agenda_mailing(
    agenda: Agenda,
    recipient: Recipient,
    zone: str,
    now: datetime,
    not_before: datetime,
    texts: Texts,
    prefix: str,
    rendered: dict[_MailingKind, list[OutMessage | OutDocument]],
) -> list[OutboxMessage]:
    """One person's summary pages and .ics (stamped ``now``, sent from ``not_before``); the
    .ics carries the last page when it fits a caption (``with_calendar``). ``rendered`` keeps
    the mailing per kind of recipient, so a thousand members cost a handful of renderings."""
    person = recipient.person
    kind = (person.language, recipient.may_read_closed)
    if kind not in rendered:
        t = texts(person.language)
        pages = member_summary(agenda, t, recipient.may_read_closed)
        rendered[kind] = with_calendar(pages, _calendar(agenda, zone, 0, now, t))
    return [
        OutboxMessage(
            key=f"{prefix}:p{person.id}:{'ics' if isinstance(item, OutDocument) else index}",
            chat_id=person.telegram_id,
            kind=OutboxKind.CALENDAR if isinstance(item, OutDocument) else OutboxKind.AGENDA,
            payload=item.to_payload(),
            not_before=not_before,
            person_id=person.id,
            udvalg_id=agenda.udvalg.id or 0,
        )
        for index, item in enumerate(rendered[kind])
    ]


async def link_group(
    uow: UnitOfWork, actor: Actor, code: str, chat_id: int, now: datetime
) -> Udvalg:
    """/tilknyt in a group: the secretary links it to the udvalg (a later link replaces it)."""
    if chat_id > 0:
        raise InvalidInput("link-private")
    async with uow:
        udvalg = await udvalg_by_code(uow, code)
        require_editor(actor, udvalg.id or 0)
        settings = await uow.delivery.get(udvalg.id or 0)
        settings.group_chat_id = chat_id
        await uow.delivery.put(settings)
        await audit(uow, actor, "udvalg.link_group", "udvalg", udvalg.id, now, udvalg.id)
        await uow.commit()
    return udvalg


async def set_frist(
    uow: UnitOfWork, actor: Actor, code: str, frist: int, warn: int, now: datetime
) -> DeliverySettings:
    if not 0 <= frist <= MAX_FRIST_HVERDAGE or not 0 <= warn <= MAX_WARN_HVERDAGE:
        raise InvalidInput("err-invalid-input")
    async with uow:
        udvalg = await udvalg_by_code(uow, code)
        require_editor(actor, udvalg.id or 0)
        settings = DeliverySettings(
            udvalg.id or 0,
            (await uow.delivery.get(udvalg.id or 0)).group_chat_id,
            frist,
            warn,
        )
        await uow.delivery.put(settings)
        await audit(uow, actor, "udvalg.frist", "udvalg", udvalg.id, now, udvalg.id, frist=frist)
        await uow.commit()
    return settings


@dataclass(frozen=True, slots=True)
class FristOverview:
    """One udvalg's udsendelsesfrist, and the next coming meeting still to be released (if any)
    with its deadlines under that frist."""

    udvalg: Udvalg
    settings: DeliverySettings
    moede: Moede | None
    deadlines: Deadlines | None


async def frist_overview(
    uow: UnitOfWork, actor: Actor, now: datetime, zone: str, code: str | None = None
) -> list[FristOverview]:
    """/frist: the settings of ``code``, or of every udvalg this person is sekretær for."""
    async with uow:
        if code is not None:
            udvalg = await udvalg_by_code(uow, code)
            require_editor(actor, udvalg.id or 0)
            chosen = [udvalg]
        else:
            chosen = [
                u for u in await uow.udvalg.list_all() if rules.can_edit_udvalg(actor, u.id or 0)
            ]
        today = to_local(now, zone).date()
        result: list[FristOverview] = []
        for udvalg in sorted(chosen, key=lambda u: u.code):
            settings = await uow.delivery.get(udvalg.id or 0)
            coming = sorted(
                (
                    m
                    for m in await uow.moeder.for_udvalg(udvalg.id or 0)
                    if (m.starts_at > now if m.starts_at is not None else m.date >= today)
                ),
                key=lambda m: (m.date, m.start_time),
            )
            moede = None
            for candidate in coming:
                if await uow.releases.get(candidate.id or 0) is None:
                    moede = candidate
                    break
            frist = (
                deadlines(
                    moede.date,
                    moede.start_time,
                    zone,
                    settings.frist_hverdage,
                    settings.warn_hverdage,
                )
                if moede is not None
                else None
            )
            result.append(FristOverview(udvalg, settings, moede, frist))
    return result


# --- after the release: changes, reminders, warnings ---------------------------------------------


async def announce_changes(
    uow: UnitOfWork, moede_id: int, now: datetime, zone: str, texts: Texts
) -> int:
    """Compare the released agenda with the stored one: a moved meeting gets a notice and a new
    .ics (SEQUENCE + 1); every punkt whose version grew (or is new) a short "ændret" notice.
    Returns how many notices were queued."""
    queued = 0
    async with uow:
        release = await uow.releases.get(moede_id)
        moede = await uow.moeder.get(moede_id)
        if release is None or moede is None or (moede.starts_at and moede.starts_at <= now):
            return 0
        agenda = await _agenda(uow, moede)
        people = await recipients(uow, moede.udvalg_id)
        moved = (moede.date, moede.start_time, moede.place) != (
            release.day,
            release.start,
            release.place,
        )
        if moved:
            release.sequence += 1
            release.day, release.start, release.place = moede.date, moede.start_time, moede.place
            for r in people:
                t = texts(r.person.language)
                key = f"moved:{moede_id}:s{release.sequence}:p{r.person.id}"
                notice = moved_notice(agenda.udvalg, moede, t)
                calendar = _calendar(agenda, zone, release.sequence, now, t)
                # The notice is the file's caption; it already says what the file is for.
                (document,) = with_calendar([notice], replace(calendar, caption=""))
                queued += await queue_message(
                    uow, key, r.person.telegram_id, OutboxKind.CALENDAR, document, now,
                    r.person.id, moede.udvalg_id,
                )  # fmt: skip
        for punkt in agenda.punkter:
            pid = punkt.id or 0
            if release.versions.get(pid) == punkt.version:
                continue
            release.versions[pid] = punkt.version
            for r in people:
                t = texts(r.person.language)
                notice = changed_notice(agenda.udvalg, moede, punkt, t, r.may_read_closed)
                key = f"changed:{moede_id}:{pid}:v{punkt.version}:p{r.person.id}"
                queued += await queue_message(
                    uow, key, r.person.telegram_id, OutboxKind.CHANGED, notice, now, r.person.id,
                    moede.udvalg_id,
                )  # fmt: skip
        if queued or moved:
            await uow.releases.update(release)
            await uow.commit()
    return queued


async def warn_deadline(
    uow: UnitOfWork, moede_id: int, now: datetime, zone: str, texts: Texts
) -> int:
    """The secretary's warning while the agenda is unreleased (once per secretary and meeting)."""
    queued = 0
    async with uow:
        moede = await uow.moeder.get(moede_id)
        if moede is None or await uow.releases.get(moede_id) is not None:
            return 0
        if moede.starts_at is not None and moede.starts_at <= now:
            return 0
        udvalg = await uow.udvalg.get(moede.udvalg_id)
        assert udvalg is not None
        settings = await uow.delivery.get(moede.udvalg_id)
        frist = deadlines(
            moede.date, moede.start_time, zone, settings.frist_hverdage, settings.warn_hverdage
        )
        for membership in await uow.memberships.for_udvalg(moede.udvalg_id):
            if membership.role is not Role.SEKRETAER:
                continue
            person = await uow.persons.get(membership.person_id)
            if person is None:
                continue
            t = texts(person.language)
            text = t(
                "release-deadline-warning",
                udvalg=udvalg.name,
                date=format_date(moede.date),
                frist=f"{format_date(frist.frist_date)} kl. {format_time(moede.start_time)}",
            )
            queued += await queue_message(
                uow, f"deadline:{moede_id}:p{person.id}", person.telegram_id,
                OutboxKind.DEADLINE, OutMessage(esc(text)), now, person.id, moede.udvalg_id,
            )  # fmt: skip
        await uow.commit()
    return queued


async def remind_members(uow: UnitOfWork, moede_id: int, now: datetime, texts: Texts) -> int:
    """The day before the meeting: everyone in the udvalg, once each."""
    queued = 0
    async with uow:
        moede = await uow.moeder.get(moede_id)
        if moede is None or (moede.starts_at is not None and moede.starts_at <= now):
            return 0
        udvalg = await uow.udvalg.get(moede.udvalg_id)
        assert udvalg is not None
        for r in await recipients(uow, moede.udvalg_id):
            notice = reminder(udvalg, moede, texts(r.person.language))
            queued += await queue_message(
                uow, f"reminder:{moede_id}:p{r.person.id}", r.person.telegram_id,
                OutboxKind.REMINDER, notice, now, r.person.id, moede.udvalg_id,
            )  # fmt: skip
        await uow.commit()
    return queued


@dataclass(frozen=True, slots=True)
class Schedule:
    """When the jobs of one coming meeting fire."""

    moede_id: int
    warn_at: datetime
    frist_at: datetime
    reminder_at: datetime
    released: bool


async def coming_schedules(uow: UnitOfWork, today: date, until: date, zone: str) -> list[Schedule]:
    """The warning and reminder instants of every meeting from ``today`` to ``until``."""
    result: list[Schedule] = []
    async with uow:
        for udvalg in await uow.udvalg.list_all():
            settings = await uow.delivery.get(udvalg.id or 0)
            for moede in await uow.moeder.for_udvalg_between([udvalg.id or 0], today, until):
                frist = deadlines(
                    moede.date,
                    moede.start_time,
                    zone,
                    settings.frist_hverdage,
                    settings.warn_hverdage,
                )
                released = await uow.releases.get(moede.id or 0) is not None
                result.append(
                    Schedule(
                        moede.id or 0, frist.warn_at, frist.frist_at, frist.reminder_at, released
                    )
                )
    return result


async def moeder_to_watch(uow: UnitOfWork, today: date, until: date) -> list[int]:
    """The meetings from ``today`` to ``until``; the watch job looks for "ændret" in those
    released and not yet begun."""
    ids: list[int] = []
    async with uow:
        for udvalg in await uow.udvalg.list_all():
            for moede in await uow.moeder.for_udvalg_between([udvalg.id or 0], today, until):
                ids.append(moede.id or 0)
    return ids


def require_secretary(actor: Actor, udvalg_id: int) -> None:
    if not rules.can_edit_udvalg(actor, udvalg_id):
        raise NotAllowed("err-not-secretary")
