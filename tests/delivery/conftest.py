"""Delivery tests: a real SQLite database with a committee, a meeting and its people."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlmodel import SQLModel

import storage.tables  # noqa: F401  (registers the tables on the metadata)
from agendas.chatviews import Translate
from agendas.dates import local_to_utc
from agendas.model import Actor, Membership, Moede, Person, Punkt, PunktKind, Role, Udvalg
from bot.i18n import make_i18n, texts_for
from storage.engine import make_engine, make_session_factory
from storage.uow import SqlUnitOfWork

ZONE = "Europe/Copenhagen"
#: Monday 22 March 2027, 10:00 in Copenhagen; the meeting is Thursday 1 April 2027 at 14:00.
NOW = datetime(2027, 3, 22, 9, 0, tzinfo=UTC)
MEETING_DAY = date(2027, 4, 1)


@dataclass
class Db:
    url: str
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]

    def uow(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.sessions)


@dataclass
class Committee:
    udvalg: Udvalg
    moede: Moede
    secretary: Person
    members: list[Person]
    tovholder: Person
    sag: Punkt
    closed: Punkt

    @property
    def editor(self) -> Actor:
        return Actor(
            self.secretary.id or 0, roles={self.udvalg.id or 0: frozenset({Role.SEKRETAER})}
        )

    @property
    def everyone(self) -> list[Person]:
        return [self.secretary, *self.members, self.tovholder]


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Db]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}"
    engine = make_engine(url)
    async with engine.begin() as conn:
        await conn.run_sync(SQLModel.metadata.create_all)
    yield Db(url, engine, make_session_factory(engine))
    await engine.dispose()


@pytest.fixture
def texts() -> Callable[[str | None], Translate]:
    return texts_for(make_i18n("da"))


async def make_committee(db: Db, members: int = 3, first_telegram_id: int = 7000) -> Committee:
    async with db.uow() as uow:
        udvalg = await uow.udvalg.add(
            Udvalg("BEU", "Beskæftigelsesudvalget", "Social- og Sundhedsforvaltningen")
        )
        uid = udvalg.id or 0

        async def person(n: int, name: str, role: Role) -> Person:
            p = await uow.persons.add(Person(first_telegram_id + n, name))
            await uow.memberships.add(Membership(p.id or 0, uid, role))
            return p

        secretary = await person(0, "Sofie Sekretær", Role.SEKRETAER)
        people = [await person(i + 1, f"Medlem {i + 1}", Role.MEDLEM) for i in range(members)]
        tovholder = await person(members + 1, "Tove Tovholder", Role.TOVHOLDER)
        moede = await uow.moeder.add(
            Moede(
                uid,
                MEETING_DAY,
                time(14, 0),
                "Rådhuset",
                starts_at=local_to_utc(MEETING_DAY, time(14, 0), ZONE),
            )
        )
        mid = moede.id or 0
        for position, kind in enumerate((PunktKind.GODKENDELSE, PunktKind.EVENTUELT)):
            await uow.punkter.add(Punkt(mid, kind, kind.value.title(), position=position * 9))
        sag = await uow.punkter.add(
            Punkt(
                mid,
                PunktKind.SAG,
                "Jobcentrets resultater",
                position=1,
                beslutningskompetence="BEU",
                sections={
                    "sagens_kerne": "Resultaterne for 3. kvartal.",
                    "indstilling": "Forvaltningen indstiller, at orienteringen tages til "
                    "efterretning.",
                },
            )
        )
        closed = await uow.punkter.add(
            Punkt(
                mid,
                PunktKind.SAG,
                "Personsag",
                position=2,
                closed=True,
                sections={"sagens_kerne": "Fortroligt indhold", "indstilling": "Godkendes."},
            )
        )
        await uow.commit()
    return Committee(udvalg, moede, secretary, people, tovholder, sag, closed)


async def add_long_sager(db: Db, committee: Committee, count: int) -> None:
    """Sager with long texts after the committee's own punkter, so a summary needs pages."""
    async with db.uow() as uow:
        for n in range(count):
            await uow.punkter.add(
                Punkt(
                    committee.moede.id or 0,
                    PunktKind.SAG,
                    f"Lang sag {n}",
                    position=3 + n,
                    sections={
                        "sagens_kerne": "Baggrund og vurdering. " * 40,
                        "indstilling": "Forvaltningen indstiller, at sagen godkendes. " * 20,
                    },
                )
            )
        await uow.commit()
