"""Helpers shared by the services: loading with access checks and audit records."""

from __future__ import annotations

from datetime import datetime

from agendas import rules
from agendas.errors import NotAllowed, NotFound
from agendas.model import Actor, AuditEvent, Moede, Punkt, Udvalg
from agendas.ports import UnitOfWork
from agendas.records import ProtokolState


async def audit(
    uow: UnitOfWork,
    actor: Actor | None,
    action: str,
    entity: str,
    entity_id: int | None,
    now: datetime,
    udvalg_id: int | None = None,
    **details: object,
) -> None:
    """Record who did what, when; written in the same transaction as the change."""
    await uow.audit.add(
        AuditEvent(
            actor_id=actor.person_id if actor else None,
            action=action,
            entity=entity,
            entity_id=entity_id,
            details=dict(details),
            udvalg_id=udvalg_id,
            at=now,
        )
    )


async def udvalg_by_code(uow: UnitOfWork, code: str) -> Udvalg:
    udvalg = await uow.udvalg.by_code(code.strip().upper())
    if udvalg is None:
        raise NotFound("err-udvalg-unknown", code=code.strip().upper())
    return udvalg


async def load_moede(uow: UnitOfWork, moede_id: int) -> Moede:
    moede = await uow.moeder.get(moede_id)
    if moede is None or moede.id is None:
        raise NotFound("err-moede-gone")
    return moede


async def load_punkt(uow: UnitOfWork, punkt_id: int) -> tuple[Punkt, Moede]:
    punkt = await uow.punkter.get(punkt_id)
    if punkt is None:
        raise NotFound("err-punkt-gone")
    return punkt, await load_moede(uow, punkt.moede_id)


def require_editor(actor: Actor, udvalg_id: int) -> None:
    if not rules.can_edit_udvalg(actor, udvalg_id):
        raise NotAllowed("err-not-secretary")


def require_reader(actor: Actor, udvalg_id: int) -> None:
    if not rules.can_read_udvalg(actor, udvalg_id):
        raise NotAllowed("err-not-in-udvalg")


async def require_record_open(uow: UnitOfWork, moede_id: int) -> ProtokolState:
    """Refuse any change to a meeting's record (punkter, sections, bilag, decisions, attendance)
    while its protocol is sent for approval or approved; the secretary re-opens it first."""
    state = await uow.protokoller.get(moede_id)
    state.require_open()
    return state
