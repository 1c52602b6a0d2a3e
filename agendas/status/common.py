"""What the status use cases share: loading plans and rounds, the people of an udvalg, the
last answers, and the outbox helpers."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime

from agendas.chatviews import Texts, Translate, esc
from agendas.errors import NotFound
from agendas.mailings import OutMessage
from agendas.model import Moede, Person, Role, Udvalg
from agendas.outbox import OutboxKind, OutboxMessage
from agendas.plans import Handleplan, Indsats, PreviousStatus, StatusRound
from agendas.ports import UnitOfWork
from agendas.status.owners import directory, link_owners, resolve
from agendas.status.plan_rows import split_owners
from agendas.status.prompts import Recipient


def escaping(t: Translate) -> Translate:
    """The catalogue with its parameters HTML-escaped: outbox texts are sent as HTML."""

    def translate(key: str, /, **params: object) -> str:
        return t(key, **{k: esc(str(v)) for k, v in params.items()})

    return translate


def html_texts(texts: Texts) -> Callable[[str], Translate]:
    return lambda language: escaping(texts(language or None))


async def load_plan(uow: UnitOfWork, plan_id: int) -> Handleplan:
    plan = await uow.plans.get(plan_id)
    if plan is None or plan.id is None:
        raise NotFound("err-plan-unknown", plan_id=plan_id)
    return plan


async def load_round(uow: UnitOfWork, round_id: int) -> tuple[StatusRound, Handleplan]:
    status_round = await uow.status_rounds.get(round_id)
    if status_round is None or status_round.id is None:
        raise NotFound("err-status-round-unknown")
    return status_round, await load_plan(uow, status_round.plan_id)


async def load_udvalg(uow: UnitOfWork, udvalg_id: int) -> Udvalg:
    udvalg = await uow.udvalg.get(udvalg_id)
    if udvalg is None:
        raise NotFound("err-udvalg-unknown", code=str(udvalg_id))
    return udvalg


async def people_of(uow: UnitOfWork, udvalg_id: int) -> dict[int, tuple[Person, set[Role]]]:
    """Everyone with a role in the udvalg, with their roles."""
    result: dict[int, tuple[Person, set[Role]]] = {}
    memberships = await uow.memberships.for_udvalg(udvalg_id)
    persons = await uow.persons.many([m.person_id for m in memberships])
    for membership in memberships:
        person = persons.get(membership.person_id)
        if person is None:
            continue
        result.setdefault(membership.person_id, (person, set()))[1].add(membership.role)
    return result


def recipient_of(person: Person) -> Recipient | None:
    """Where the bot writes to the person; None for a roster member without Telegram."""
    if person.telegram_id is None:
        return None
    return Recipient(person.id or 0, person.telegram_id, person.language or "")


async def secretaries_of(uow: UnitOfWork, udvalg_id: int) -> list[Recipient]:
    people = await people_of(uow, udvalg_id)
    return [
        recipient
        for person_id, (person, held) in sorted(people.items())
        if Role.SEKRETAER in held and (recipient := recipient_of(person)) is not None
    ]


async def link_tovholdere(uow: UnitOfWork, plan: Handleplan) -> int:
    """Owners without a person get the one their name (or their unit's contact) gives, when
    that person has joined since the import. Returns how many indsatser changed; the caller
    commits."""
    indsatser = [
        i
        for i in await uow.indsatser.for_plan(plan.id or 0)
        if any(o.person_id is None for o in i.owners) or (i.tovholder and not i.owners)
    ]
    if not indsatser:
        return 0
    known = await directory(uow, plan.udvalg_id)
    for indsats in indsatser:
        if not indsats.owners:  # a tovholder written but never split into owners
            names, _ = split_owners(indsats.tovholder)
            indsats.owners = await resolve(uow, known, names, indsats.kontaktperson)
            await uow.indsatser.update(indsats)
    return await link_owners(uow, indsatser, known)


async def meeting_days(uow: UnitOfWork, udvalg_id: int, today: date) -> list[Moede]:
    end = date(today.year + 2, 12, 31)
    return sorted(
        await uow.moeder.for_udvalg_between([udvalg_id], today, end), key=lambda m: m.date
    )


async def previous_answers(
    uow: UnitOfWork, rounds: Sequence[StatusRound], before: int
) -> dict[int, PreviousStatus]:
    """The last answer per indsats in the rounds numbered below ``before``."""
    earlier = {r.id or 0: r for r in rounds if r.number < before}
    result: dict[int, PreviousStatus] = {}
    for answer in await uow.status_answers.for_rounds(list(earlier)):
        number = earlier[answer.round_id].number
        known = result.get(answer.indsats_id)
        if known is None or known.round_number < number:
            result[answer.indsats_id] = PreviousStatus(
                answer.colour, answer.text, answer.answered_at, number
            )
    return result


async def recipients_of(uow: UnitOfWork, indsatser: Sequence[Indsats]) -> dict[int, Recipient]:
    """Where each owner of ``indsatser`` is written to, by person id (those on Telegram)."""
    wanted = sorted({pid for i in indsatser for pid in i.person_ids})
    found = {pid: recipient_of(p) for pid, p in (await uow.persons.many(wanted)).items()}
    return {pid: r for pid, r in found.items() if r is not None}


async def put_all(uow: UnitOfWork, messages: Sequence[OutboxMessage]) -> int:
    return await uow.outbox.add_many(messages)


def notice(
    key: str, recipient: Recipient, text: str, now: datetime, udvalg_id: int
) -> OutboxMessage:
    return OutboxMessage(
        key=key,
        chat_id=recipient.chat_id,
        kind=OutboxKind.NOTICE,
        payload=OutMessage(text).to_payload(),
        not_before=now,
        person_id=recipient.person_id,
        udvalg_id=udvalg_id,
    )
