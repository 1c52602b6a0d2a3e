"""Set-up for the tests of members acting for themselves: the agenda world with a formand
(Lene Holm (V)) beside Mads Medlem, another udvalg the members are not in, and a snapshot of
every table a refused action must leave alone."""

from __future__ import annotations

from datetime import time
from typing import Any

from sqlalchemy import text

from agendas.model import Role
from agendas.services import committees, invites, meetings, punkter
from agendas.services.punkter import SagDraft
from tests.handlers.agenda_world import MOEDE_DAY, World, make_world
from tests.handlers.conftest import ADMIN, MEMBER
from tests.support.clock import FrozenClock
from tests.support.recording import Sent, TgUser

FORMAND = TgUser(id=3004, first_name="Lene", last_name="Holm", username="lene")
ZONE = "Europe/Copenhagen"
#: What a refused action must not change.
TABLES = (
    "inhabil_declaration",
    "punkt_question",
    "punkt_proposal",
    "attendance",
    "punkt",
    "punkt_decision",
    "protokol",
    "outbox",
    "audit_event",
)


async def members_world(url: str, clock: FrozenClock) -> World:
    """``make_world`` plus Lene Holm (V), formand, on Telegram."""
    world = await make_world(url, clock)
    uow = world.uow()
    person, _ = await committees.identify(
        uow, FORMAND.id, "Lene Holm", FORMAND.username, "da", frozenset({ADMIN.id})
    )
    issued = await invites.create_invite(
        uow, world.actors[ADMIN.id], "BEU", Role.FORMAND, clock(), party="V"
    )
    await invites.accept_invite(uow, person, issued.token, clock())
    _, world.actors[FORMAND.id] = await committees.identify(
        uow, FORMAND.id, "Lene Holm", FORMAND.username, "da", frozenset({ADMIN.id})
    )
    return world


async def other_udvalg(world: World) -> tuple[int, int]:
    """SOU, where none of the BEU people are: (its meeting, a sag on it)."""
    admin, now = world.actors[ADMIN.id], world.clock()
    uow = world.uow()
    await committees.create_udvalg(uow, admin, "SOU", "Socialudvalget", "Socialforvaltningen", now)
    moede, _ = await meetings.create_moede(
        uow, admin, "SOU", MOEDE_DAY, time(16), "Rådhuset", now, ZONE
    )
    sag = await punkter.add_sag(uow, admin, moede.id or 0, SagDraft(title="Botilbud"), now)
    return moede.id or 0, sag.id or 0


async def snapshot(world: World) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of ``TABLES``, to compare before and after a refusal."""
    async with world.uow() as uow:
        return {
            table: [
                tuple(row)
                for row in (await uow.session.execute(text(f"SELECT * FROM {table} ORDER BY 1")))
            ]
            for table in TABLES
        }


def person_id(world: World, user: TgUser = MEMBER) -> int:
    return world.actors[user.id].person_id


def refusals(calls: list[Sent]) -> str:
    """What the user was told: alerts and messages."""
    return "\n".join(
        c.text or "" for c in calls if c.method in ("answerCallbackQuery", "sendMessage")
    )
