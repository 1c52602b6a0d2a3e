"""Set-up for the agenda and /nysag handler tests: a committee, its people and a meeting.

Everything is created through the services on the same SQLite file the bot under test uses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time, timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from agendas.model import Actor, Role
from agendas.services import committees, invites, meetings, punkter
from agendas.services.punkter import SagDraft
from storage.engine import make_engine, make_session_factory
from storage.uow import SqlUnitOfWork
from tests.handlers.conftest import ADMIN, MEMBER, SECRETARY, TOVHOLDER
from tests.support.clock import FrozenClock
from tests.support.recording import ChatHarness, RecordingSession, Sent, TgUser, make_bot

SECRETARY2 = TgUser(id=2003, first_name="Sune", last_name="Sekretær", username="sune")
FORVALTNING = "Social- og Sundhedsforvaltningen"
MOEDE_DAY = date(2026, 12, 10)
LATER_DAY = date(2027, 1, 14)
BILAG_BYTES = b"%PDF-1.4\n" + bytes(range(256)) * 40 + b"\n%%EOF"


@dataclass
class World:
    url: str
    clock: FrozenClock
    actors: dict[int, Actor] = field(default_factory=dict)
    moede_id: int = 0
    later_moede_id: int = 0
    open_id: int = 0  # "Budgetopfølgning 2026", open
    second_id: int = 0  # "Ny ungeindsats", open
    closed_id: int = 0  # "Personalesag", closed, with a bilag

    engine: AsyncEngine | None = None

    def uow(self) -> SqlUnitOfWork:
        if self.engine is None:
            self.engine = make_engine(self.url)
        return SqlUnitOfWork(make_session_factory(self.engine))

    async def close(self) -> None:
        if self.engine is not None:
            await self.engine.dispose()

    async def agenda(self, moede_id: int | None = None) -> meetings.Agenda:
        """The agenda with every punkt in full (the overview itself carries no section texts)."""
        secretary = self.actors[SECRETARY.id]
        agenda = await meetings.load_agenda(self.uow(), secretary, moede_id or self.moede_id)
        agenda.punkter = [
            (await punkter.open_punkt(self.uow(), secretary, p.id or 0)).punkt
            for p in agenda.punkter
        ]
        return agenda

    async def punkt(self, punkt_id: int) -> punkter.PunktDetail:
        return await punkter.open_punkt(self.uow(), self.actors[SECRETARY.id], punkt_id)


async def make_world(url: str, clock: FrozenClock, *, with_moede: bool = True) -> World:
    world = World(url=url, clock=clock)
    uow = world.uow()
    now = clock()
    people = {}
    for user in (ADMIN, SECRETARY, SECRETARY2, MEMBER, TOVHOLDER):
        person, actor = await committees.identify(
            uow,
            user.id,
            user.as_user().full_name,
            user.username,
            "da",
            frozenset({ADMIN.id}),
        )
        people[user.id] = person
        world.actors[user.id] = actor
    admin = world.actors[ADMIN.id]
    await committees.create_udvalg(uow, admin, "BEU", "Beskæftigelsesudvalget", FORVALTNING, now)
    for user, role in (
        (SECRETARY, Role.SEKRETAER),
        (SECRETARY2, Role.SEKRETAER),
        (MEMBER, Role.MEDLEM),
        (TOVHOLDER, Role.TOVHOLDER),
    ):
        issued = await invites.create_invite(uow, admin, "BEU", role, now)
        await invites.accept_invite(uow, people[user.id], issued.token, now)
        _, world.actors[user.id] = await committees.identify(
            uow, user.id, user.as_user().full_name, user.username, "da", frozenset({ADMIN.id})
        )
    if not with_moede:
        return world
    secretary = world.actors[SECRETARY.id]
    moede, _ = await meetings.create_moede(
        uow, secretary, "BEU", MOEDE_DAY, time(14), "Rådhuset", now, "Europe/Copenhagen"
    )
    world.moede_id = moede.id or 0
    sag = await punkter.add_sag(
        uow,
        secretary,
        world.moede_id,
        SagDraft(
            title="Budgetopfølgning 2026",
            sections={
                "sagens_kerne": "Forbruget ligger 2 mio. kr. under budgettet.",
                "indstilling": f"{FORVALTNING} indstiller, at orienteringen noteres.",
            },
        ),
        now,
    )
    world.open_id = sag.id or 0
    second = await punkter.add_sag(
        uow,
        secretary,
        world.moede_id,
        SagDraft(title="Ny ungeindsats", sections={"sagens_kerne": "Unge under 25 år."}),
        now,
    )
    world.second_id = second.id or 0
    closed = await punkter.add_sag(
        uow,
        secretary,
        world.moede_id,
        SagDraft(
            title="Personalesag",
            closed=True,
            sections={"sagens_kerne": "Fortroligt: en medarbejders forhold."},
        ),
        now,
    )
    world.closed_id = closed.id or 0
    await punkter.attach_bilag(
        uow,
        secretary,
        world.closed_id,
        "notat.pdf",
        "application/pdf",
        BILAG_BYTES,
        "tg-file-1",
        now,
    )
    later, _ = await meetings.create_moede(
        uow,
        secretary,
        "BEU",
        LATER_DAY,
        time(15),
        "Rådhuset",
        now + timedelta(seconds=1),
        "Europe/Copenhagen",
    )
    world.later_moede_id = later.id or 0
    return world


def messages(calls: list[Sent]) -> list[Sent]:
    return [c for c in calls if c.method == "sendMessage"]


def last_message(calls: list[Sent]) -> Sent:
    found = messages(calls)
    assert found, f"the bot sent no message: {calls}"
    return found[-1]


def alerts(calls: list[Sent]) -> list[str]:
    return [c.text or "" for c in calls if c.method == "answerCallbackQuery" and c.show_alert]


def all_text(calls: list[Sent]) -> str:
    return "\n".join(c.text or "" for c in calls)


async def restarted(url: str, clock: FrozenClock) -> tuple[ChatHarness, AsyncEngine]:
    """A second bot process on the same database file (a restart)."""
    from bot.app import build_dispatcher
    from bot.i18n import make_i18n
    from handlers.context import ChatConfig
    from storage.fsm import SqlStorage

    engine = make_engine(url)
    session_factory = make_session_factory(engine)
    session = RecordingSession()
    dp = build_dispatcher(
        storage=SqlStorage(session_factory),
        uow_factory=lambda: SqlUnitOfWork(session_factory),
        i18n=make_i18n("da"),
        config=ChatConfig(clock=clock, invite_ttl=timedelta(days=7)),
        admin_ids=frozenset({ADMIN.id}),
    )
    return ChatHarness(dispatcher=dp, bot=make_bot(session), session=session), engine
