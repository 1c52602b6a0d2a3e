"""After the release: "ændret" notices for changed punkter (and a moved meeting), the secretary's
deadline warning, members' reminders the day before, and when the scheduler fires them.

Every message is written to the outbox in the same transaction as the change that caused it, with
an idempotency key, so a job that fires twice never sends anything twice.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from agendas.chatviews import Texts, esc
from agendas.dates import format_date, moede_when
from agendas.mailings import (
    OutMessage,
    changed_notice,
    moved_notice,
    reminder,
    with_calendar,
)
from agendas.model import Role
from agendas.outbox import (
    OutboxKind,
    OutboxMessage,
)
from agendas.ports import UnitOfWork
from agendas.services.release_mailing import (
    calendar_document,
    mailing_agenda,
    outbox_message,
    recipients,
)
from agendas.workdays import deadlines


async def announce_changes(
    uow: UnitOfWork, moede_id: int, now: datetime, zone: str, texts: Texts
) -> int:
    """Compare the released agenda with the stored one: a moved meeting gets a notice and a new
    .ics (SEQUENCE + 1); every punkt whose version grew (or is new) a short "ændret" notice, a sag
    not on the released agenda a "ny sag" notice (with why it came late). Returns how many
    notices were queued."""
    messages: list[OutboxMessage | None] = []
    async with uow:
        release = await uow.releases.get(moede_id)
        moede = await uow.moeder.get(moede_id)
        if release is None or moede is None or (moede.starts_at and moede.starts_at <= now):
            return 0
        agenda = await mailing_agenda(uow, moede)
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
                calendar = calendar_document(agenda, zone, release.sequence, now, t)
                # The notice is the file's caption; it already says what the file is for.
                (document,) = with_calendar([notice], replace(calendar, caption=""))
                messages.append(outbox_message(
                    key, r.person.telegram_id, OutboxKind.CALENDAR, document, now, r.person.id,
                    moede.udvalg_id,
                ))  # fmt: skip
        changed = moved
        for punkt in agenda.punkter:
            pid = punkt.id or 0
            if release.versions.get(pid) == punkt.version:
                continue
            changed = True
            new = pid not in release.versions
            release.versions[pid] = punkt.version
            for r in people:
                t = texts(r.person.language)
                notice = changed_notice(agenda.udvalg, moede, punkt, t, r.may_read_closed, new)
                key = f"changed:{moede_id}:{pid}:v{punkt.version}:p{r.person.id}"
                messages.append(outbox_message(
                    key, r.person.telegram_id, OutboxKind.CHANGED, notice, now, r.person.id,
                    moede.udvalg_id,
                ))  # fmt: skip
        queued = await uow.outbox.add_many([m for m in messages if m is not None])
        if changed:  # also with no one to tell, so the watch job does not look again
            await uow.releases.update(release)
            await uow.commit()
    return queued


async def warn_deadline(
    uow: UnitOfWork, moede_id: int, now: datetime, zone: str, texts: Texts
) -> int:
    """The secretary's warning while the agenda is unreleased (once per secretary and meeting)."""
    messages: list[OutboxMessage | None] = []
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
            moede.date, moede.clock, zone, settings.frist_hverdage, settings.warn_hverdage
        )
        secretaries = [
            m.person_id
            for m in await uow.memberships.for_udvalg(moede.udvalg_id)
            if m.role is Role.SEKRETAER
        ]
        persons = await uow.persons.many(secretaries)
        for person_id in secretaries:
            person = persons.get(person_id)
            if person is None:
                continue
            t = texts(person.language)
            text = t(
                "release-deadline-warning",
                udvalg=udvalg.name,
                date=format_date(moede.date),
                frist=moede_when(t, frist.frist_date, moede.start_time),
            )
            messages.append(outbox_message(
                f"deadline:{moede_id}:p{person.id}", person.telegram_id, OutboxKind.DEADLINE,
                OutMessage(esc(text)), now, person.id, moede.udvalg_id,
            ))  # fmt: skip
        queued = await uow.outbox.add_many([m for m in messages if m is not None])
        await uow.commit()
    return queued


async def remind_members(uow: UnitOfWork, moede_id: int, now: datetime, texts: Texts) -> int:
    """The day before the meeting: everyone in the udvalg, once each."""
    messages: list[OutboxMessage | None] = []
    async with uow:
        moede = await uow.moeder.get(moede_id)
        if moede is None or (moede.starts_at is not None and moede.starts_at <= now):
            return 0
        udvalg = await uow.udvalg.get(moede.udvalg_id)
        assert udvalg is not None
        for r in await recipients(uow, moede.udvalg_id):
            notice = reminder(udvalg, moede, texts(r.person.language))
            messages.append(outbox_message(
                f"reminder:{moede_id}:p{r.person.id}", r.person.telegram_id,
                OutboxKind.REMINDER, notice, now, r.person.id, moede.udvalg_id,
            ))  # fmt: skip
        queued = await uow.outbox.add_many([m for m in messages if m is not None])
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
    """The warning and reminder instants of every meeting from ``today`` to ``until``: three
    queries, however many meetings and committees."""
    async with uow:
        moeder = await uow.moeder.between(today, until)
        settings = await uow.delivery.many(sorted({m.udvalg_id for m in moeder}))
        releases = await uow.releases.for_moeder([m.id or 0 for m in moeder])
    result: list[Schedule] = []
    for moede in moeder:
        chosen = settings[moede.udvalg_id]
        frist = deadlines(
            moede.date, moede.clock, zone, chosen.frist_hverdage, chosen.warn_hverdage
        )
        released = (moede.id or 0) in releases
        result.append(
            Schedule(moede.id or 0, frist.warn_at, frist.frist_at, frist.reminder_at, released)
        )
    return result


async def moeder_to_watch(uow: UnitOfWork, today: date, until: date, now: datetime) -> list[int]:
    """The meetings from ``today`` to ``until``, released and not yet begun, whose agenda
    differs from the one released (moved, or a punkt new or with a higher version): those
    ``announce_changes`` has something to say about. Three queries, however many meetings."""
    async with uow:
        moeder = [
            m
            for m in await uow.moeder.between(today, until)
            if not (m.starts_at and m.starts_at <= now)
        ]
        releases = await uow.releases.for_moeder([m.id or 0 for m in moeder])
        versions = await uow.punkter.versions(sorted(releases))
    changed: list[int] = []
    for moede in moeder:
        release = releases.get(moede.id or 0)
        if release is None:
            continue
        moved = (moede.date, moede.start_time, moede.place) != (
            release.day,
            release.start,
            release.place,
        )
        stored = versions.get(moede.id or 0, {})
        if moved or any(release.versions.get(pid) != v for pid, v in stored.items()):
            changed.append(moede.id or 0)
    return changed
