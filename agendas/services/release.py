"""Releasing the agenda (/udsend), linking the udvalg's group (/tilknyt) and its udsendelsesfrist
(/frist). What follows the release is in ``release_watch``; the mailing itself and the outbox in
``release_mailing``. (The approval requests and the decisions summary after the protocol is
approved are queued by ``agendas.meeting.approval``, with the change that causes them.)

Every message is written to the outbox in the same transaction as the change that caused it, with
an idempotency key, so a job that fires twice or a retried command never sends anything twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from agendas import rules
from agendas.chatviews import Texts
from agendas.dates import format_date, to_local
from agendas.errors import InvalidInput, NotAllowed
from agendas.mailings import (
    OutDocument,
    OutMessage,
    group_summary,
)
from agendas.meeting_view import NeedsConfirmation, empty_sections
from agendas.model import Actor, Moede, Udvalg
from agendas.outbox import (
    DeliverySettings,
    OutboxKind,
    OutboxMessage,
    Release,
)
from agendas.ports import UnitOfWork
from agendas.services.archive import meeting_url
from agendas.services.common import audit, load_moede, require_editor, udvalg_by_code
from agendas.services.release_mailing import (
    MailingKind,
    agenda_mailing,
    mailing_agenda,
    queue_message,
    recipients,
)
from agendas.workdays import MAX_FRIST_HVERDAGE, MAX_WARN_HVERDAGE, Deadlines, deadlines

#: How long the secretary's own copy of the agenda waits after ``now``, so the /udsend
#: confirmation reaches the chat first (Telegram allows about one message a second in a private
#: chat). The confirmation goes out only after this transaction commits, which for a thousand
#: members can take a couple of seconds on a busy machine, and another bot process may send the
#: copy the moment it is due: 2 s was seen too short there (tests/e2e/test_shared_rate.py).
OWN_COPY_DELAY = timedelta(seconds=5)


class AlreadyReleased(InvalidInput):
    key = "release-again"


@dataclass(frozen=True, slots=True)
class ReleaseResult:
    udvalg: Udvalg
    moede: Moede
    recipients: int
    group: bool
    deadlines: Deadlines


async def release_agenda(
    uow: UnitOfWork,
    actor: Actor,
    moede_id: int,
    now: datetime,
    zone: str,
    texts: Texts,
    confirmed: bool = False,
    archive_base_url: str | None = None,
) -> ReleaseResult:
    """Send the agenda: one summary (and its pages) plus an .ics per person, the open punkter to
    the linked group; the release record and every outbox row in one transaction. A sag with an
    empty required section (Sagens kerne, Indstilling) is listed (``NeedsConfirmation``,
    nothing stored) until the secretary confirms. With ``archive_base_url`` (ARCHIVE_BASE_URL)
    the summaries end with a link to the meeting's public page, which the release opens."""
    async with uow:
        moede = await load_moede(uow, moede_id)
        require_editor(actor, moede.udvalg_id)
        agenda = await mailing_agenda(uow, moede)
        udvalg = agenda.udvalg
        settings = await uow.delivery.get(udvalg.id or 0)
        frist = deadlines(
            moede.date, moede.clock, zone, settings.frist_hverdage, settings.warn_hverdage
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
        empty = empty_sections(agenda.punkter)
        if empty and not confirmed:
            raise NeedsConfirmation(empty)
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
        public_url = (
            await meeting_url(uow, moede, udvalg, archive_base_url) if archive_base_url else None
        )
        rendered: dict[MailingKind, list[OutMessage | OutDocument]] = {}
        mailing: list[OutboxMessage] = []
        for person in people:
            # The secretary's own copy waits for the confirmation of /udsend (Telegram allows
            # about one message a second in a private chat).
            at = now + OWN_COPY_DELAY if person.person.id == actor.person_id else now
            mailing += agenda_mailing(
                agenda, person, zone, now, at, texts, f"release:{moede_id}", rendered, public_url
            )
        await uow.outbox.add_many(mailing)
        if settings.group_chat_id is not None:
            t = texts(None)
            for index, page in enumerate(group_summary(agenda, t, public_url)):
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
            empty_sections_confirmed=[f"{e.number}: {e.section}" for e in empty],
        )
        await uow.commit()
    return ReleaseResult(udvalg, moede, len(people), settings.group_chat_id is not None, frist)


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
                key=lambda m: (m.date, m.clock),
            )
            moede = None
            for candidate in coming:
                if await uow.releases.get(candidate.id or 0) is None:
                    moede = candidate
                    break
            frist = (
                deadlines(
                    moede.date,
                    moede.clock,
                    zone,
                    settings.frist_hverdage,
                    settings.warn_hverdage,
                )
                if moede is not None
                else None
            )
            result.append(FristOverview(udvalg, settings, moede, frist))
    return result


def require_secretary(actor: Actor, udvalg_id: int) -> None:
    if not rules.can_edit_udvalg(actor, udvalg_id):
        raise NotAllowed("err-not-secretary")
