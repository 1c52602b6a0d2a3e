"""A committee of any size for the chat's hot paths: the statement-count test and
benchmarks/bench_dispatch.py seed it the same way.

BEU with a sekretær, ``members`` medlemmer on Telegram (the first is ``MEMBER_TG``), one coming
meeting with the three standard punkter and ``sager`` sager, each with a bilag; the first sag has
a question from the first member. Everything through the services or the repositories, on the
database the bot under test uses.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time

from agendas.model import Bilag, Membership, Person, Role
from agendas.ports import UnitOfWork
from agendas.services import committees, meetings, punkter, questions
from agendas.services.punkter import SagDraft

ADMIN_TG = 1001
SECRETARY_TG = 2002
MEMBER_TG = 3_000_000
MOEDE_DAY = date(2026, 12, 10)
FORVALTNING = "Social- og Sundhedsforvaltningen"
BILAG = b"%PDF-1.4\n" + b"x" * 2000 + b"\n%%EOF"


@dataclass
class Seeded:
    moede_id: int = 0
    sag_ids: list[int] = field(default_factory=list)
    member_ids: list[int] = field(default_factory=list)


def _texts(_language: str | None) -> Callable[..., str]:
    return lambda key, /, **params: key


async def _person(uow: UnitOfWork, telegram_id: int, name: str) -> Person:
    person, _ = await committees.identify(uow, telegram_id, name, None, "da", frozenset({ADMIN_TG}))
    return person


async def seed(uow: UnitOfWork, now: datetime, *, sager: int, members: int) -> Seeded:
    seeded = Seeded()
    admin = await _person(uow, ADMIN_TG, "Ada Admin")
    secretary = await _person(uow, SECRETARY_TG, "Sofie Sekretær")
    _, admin_actor = await committees.identify(
        uow, ADMIN_TG, admin.name, None, "da", frozenset({ADMIN_TG})
    )
    udvalg = await committees.create_udvalg(
        uow, admin_actor, "BEU", "Beskæftigelsesudvalget", FORVALTNING, now
    )
    udvalg_id = udvalg.id or 0
    async with uow:
        await uow.memberships.add(Membership(secretary.id or 0, udvalg_id, Role.SEKRETAER))
        for n in range(members):
            person = await uow.persons.add(
                Person(telegram_id=MEMBER_TG + n, name=f"Medlem {n:03d}", username=f"m{n}")
            )
            await uow.memberships.add(
                Membership(person.id or 0, udvalg_id, Role.MEDLEM, party="ABC"[n % 3])
            )
            seeded.member_ids.append(person.id or 0)
        await uow.commit()
    _, sec_actor = await committees.identify(
        uow, SECRETARY_TG, secretary.name, None, "da", frozenset({ADMIN_TG})
    )
    moede, _ = await meetings.create_moede(
        uow, sec_actor, "BEU", MOEDE_DAY, time(14), "Rådhuset", now, "Europe/Copenhagen"
    )
    seeded.moede_id = moede.id or 0
    for n in range(sager):
        sag = await punkter.add_sag(
            uow,
            sec_actor,
            seeded.moede_id,
            SagDraft(
                title=f"Sag nummer {n + 1} om budgetopfølgning",
                closed=n % 5 == 4,
                beslutningskompetence="BEU",
                sections={
                    "sagens_kerne": "Forbruget ligger 2 mio. kr. under budgettet. " * 5,
                    "indstilling": f"{FORVALTNING} indstiller, at orienteringen noteres.",
                    "sagsfremstilling": "Baggrund. " * 200,
                },
            ),
            now,
        )
        seeded.sag_ids.append(sag.id or 0)
        async with uow:
            await uow.bilag.add(
                Bilag(
                    punkt_id=sag.id or 0,
                    file_name=f"bilag-{n + 1}.pdf",
                    size=len(BILAG),
                    sha256=hashlib.sha256(BILAG).hexdigest(),
                    mime_type="application/pdf",
                    telegram_file_id=f"tg-{n}",
                    content=BILAG,
                )
            )
            await uow.commit()
    if seeded.member_ids and seeded.sag_ids:
        _, member_actor = await committees.identify(
            uow, MEMBER_TG, "Medlem 000", "m0", "da", frozenset({ADMIN_TG})
        )
        await questions.ask_question(
            uow, member_actor, seeded.sag_ids[0], "Hvad koster det?", now, _texts
        )
    return seeded
