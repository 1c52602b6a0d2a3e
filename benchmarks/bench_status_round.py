"""Open a status round for 500 indsatser, and build its report; each against a named baseline.

Run: .venv/bin/python benchmarks/bench_status_round.py [--indsatser 500] [--repeat 5]

1. Enqueue: ``agendas.status.rounds.open_round_now`` on a migrated SQLite file (the round row
   and one outbox prompt per tovholder, here one per indsats, in one transaction, through the
   repositories).
   Baseline "ORM, tovholdere in one query": what a SQLAlchemy user writes for the same work
   without our domain code: the plan's indsatser with their tovholdere (person id and chat id)
   read in one joined query, one outbox row per tovholder (a payload of the same size)
   and the round row added with ``session.add_all``, one commit. Target: ours < 1.3x (we also
   read the plan, earlier rounds, early answers, goals and absences, and build each prompt, but
   write the outbox in one bulk INSERT where the ORM's flush sends one per row on SQLite: about
   0.8-0.9x; with the ORM flush our ``add_many`` had, 1.04x; a read per tovholder, 500 more
   statements, would cross it). The two run in turns, best of ``--repeat`` each, so a burst of
   load on a shared machine hits both.
2. Report: ``agendas.status.report_document.render_status_report`` for the round (every indsats
   answered). Baseline "python-docx table, rows iterated once": a 500 x 5 table built with
   python-docx's own API (``add_table``, each row's cells once, ``cell.text``), no styling; the
   former baseline indexed ``table.rows[r + 1]`` in its loop, which rebuilds the row list each
   time and made it 2.3 times slower. Target: ours < 1.2x (ours also styles, adds the goals,
   the trend and the chart, and is about 0.8x: a renderer half again as slow crosses it).

Prints the best time of ``--repeat`` runs of each, the ratio to its named baseline and whether
the target is met. No assertions.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from docx import Document
from sqlmodel import col, select

from agendas.model import Actor, Membership, Person, Role, Udvalg
from agendas.plans import Handleplan, StatusColour
from agendas.status import answers as answer_service
from agendas.status import plans as plan_service
from agendas.status import report as report_service
from agendas.status import rounds as round_service
from agendas.status.plan_file import ImportedIndsats, PlanImport
from agendas.status.report_document import render_status_report
from storage import migrate
from storage.engine import make_engine, make_session_factory
from storage.tables import IndsatsOwnerRow, IndsatsRow, OutboxRow, PersonRow, StatusRoundRow
from storage.uow import SqlUnitOfWork

ZONE = "Europe/Copenhagen"
NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
ENQUEUE_BASELINE = "ORM, tovholdere in one query"
ENQUEUE_TARGET = 1.3
REPORT_BASELINE = "python-docx table, rows iterated once"
REPORT_TARGET = 1.2


def texts(language: str | None) -> Callable[..., str]:
    def t(key: str, /, **params: object) -> str:
        return key + " " + " ".join(f"{k}={v}" for k, v in params.items())

    return t


async def setup(url: str, count: int) -> tuple[SqlUnitOfWork, Actor, int, object]:
    await migrate.upgrade_async(url)
    engine = make_engine(url)
    uow = SqlUnitOfWork(make_session_factory(engine))
    async with uow:
        udvalg = await uow.udvalg.add(Udvalg("BEU", "Beskæftigelsesudvalget", "SSF"))
        uid = udvalg.id or 0
        secretary = await uow.persons.add(Person(1, "Sofie Sekretær"))
        await uow.memberships.add(Membership(secretary.id or 0, uid, Role.SEKRETAER))
        for n in range(count):
            person = await uow.persons.add(Person(10_000 + n, f"Tovholder {n:03d}"))
            await uow.memberships.add(Membership(person.id or 0, uid, Role.TOVHOLDER))
        await uow.commit()
    actor = Actor(secretary.id or 0, roles={uid: frozenset({Role.SEKRETAER})})
    return uow, actor, uid, engine


def plan_file(count: int) -> PlanImport:
    return PlanImport(
        tuple(
            ImportedIndsats(
                row=n + 2,
                title=f"Indsats {n:03d}",
                formaal="Flere ældre i fællesskaber. Mål: 12 arrangementer om året." * 2,
                tovholder=f"Tovholder {n:03d}",
                owners=(f"Tovholder {n:03d}",),
            )
            for n in range(count)
        )
    )


async def main(count: int, repeat: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.sqlite3'}"
        uow, actor, _, engine = await setup(url, count)
        plans: list[int] = []
        baseline_plans: list[int] = []
        async with uow:
            for n in range(repeat):
                plan = await uow.plans.add(Handleplan(1, f"Baseline {n}", created_at=NOW))
                baseline_plans.append(plan.id or 0)
            await uow.commit()
        for n in range(repeat):
            imported = await plan_service.import_plan(
                uow, actor, "BEU", f"Handleplan {n}", plan_file(count), NOW
            )
            plans.append(imported.plan.id or 0)

        async def enqueue(n: int) -> float:
            started = time.perf_counter()
            opened = await round_service.open_round_now(uow, actor, plans[n], NOW, ZONE, texts)
            elapsed = time.perf_counter() - started
            assert opened.prompts == count
            return elapsed

        enqueue_times = [await enqueue(0)]
        sample = None
        async with uow:
            sample = (await uow.outbox.by_key_prefix("status:"))[0].payload

        async def bare(n: int) -> float:
            started = time.perf_counter()
            async with uow:
                session = uow.session
                owners = (
                    await session.execute(
                        select(col(PersonRow.id), col(PersonRow.telegram_id))
                        .join(IndsatsOwnerRow, col(IndsatsOwnerRow.person_id) == PersonRow.id)
                        .join(IndsatsRow, col(IndsatsRow.id) == IndsatsOwnerRow.indsats_id)
                        .where(col(IndsatsRow.plan_id) == plans[n], col(IndsatsRow.active))
                        .distinct()
                    )
                ).all()
                session.add(
                    StatusRoundRow(
                        plan_id=baseline_plans[n],
                        number=1,
                        opens_at=NOW,
                        deadline=NOW + timedelta(days=7),
                        reminders=[],
                        reminders_sent=0,
                        state="closed",
                    )
                )
                session.add_all(
                    [
                        OutboxRow(
                            idempotency_key=f"bare:{n}:{person_id}",
                            chat_id=chat_id or 0,
                            person_id=person_id,
                            kind="reminder",
                            payload=sample,
                            not_before=NOW,
                            created_at=NOW,
                        )
                        for person_id, chat_id in owners
                    ]
                )
                await uow.commit()
            assert len(owners) == count
            return time.perf_counter() - started

        # In turns (baseline, ours, baseline, …), so a burst of load hits both.
        bare_times = [await bare(0)]
        for n in range(1, repeat):
            enqueue_times.append(await enqueue(n))
            bare_times.append(await bare(n))
        enqueue_time, bare_time = min(enqueue_times), min(bare_times)

        # Every indsats of the first plan answers, then the report.
        async with uow:
            rounds = await uow.status_rounds.for_plan(plans[0])
            indsatser = await uow.indsatser.for_plan(plans[0])
        round_id = rounds[0].id or 0
        for indsats in indsatser:
            tovholder = Actor(indsats.tovholder_person_id or 0)
            await answer_service.record_answer(
                uow, tovholder, round_id, indsats.id or 0, StatusColour.GUL, "Status " * 20, NOW,
                texts,
            )  # fmt: skip
        async with uow:
            report, _, _ = await report_service.build_report(uow, plans[0], None, ZONE)
        await engine.dispose()  # type: ignore[attr-defined]

    async def render(_: int) -> float:
        started = time.perf_counter()
        data = render_status_report(report)
        elapsed = time.perf_counter() - started
        assert len(Document(io.BytesIO(data)).tables[-1].rows) == count + 1
        return elapsed

    async def bare_docx(_: int) -> float:
        started = time.perf_counter()
        document = Document()
        table = document.add_table(rows=count + 1, cols=5)
        for table_row, row in zip(list(table.rows)[1:], report.rows, strict=True):
            values = (row.indsats, row.tovholder, "Gul", row.text, "02-03-2026")
            for cell, value in zip(table_row.cells, values, strict=True):
                cell.text = value
        document.save(io.BytesIO())
        return time.perf_counter() - started

    render_times, bare_docx_times = [], []
    for n in range(repeat):
        render_times.append(await render(n))
        bare_docx_times.append(await bare_docx(n))
    render_time, bare_docx_time = min(render_times), min(bare_docx_times)
    print(f"indsatser: {count}, best of {repeat}")
    for name, ours, base_name, base, target in (
        ("enqueue prompts (open_round_now)", enqueue_time, ENQUEUE_BASELINE, bare_time,
         ENQUEUE_TARGET),
        ("build report (render_status_report)", render_time, REPORT_BASELINE, bare_docx_time,
         REPORT_TARGET),
    ):  # fmt: skip
        ratio = ours / base
        print(
            f"{name}: {ours * 1000:8.1f} ms   baseline '{base_name}': {base * 1000:8.1f} ms   "
            f"ratio {ratio:5.2f}x (target < {target}x: {'met' if ratio < target else 'MISSED'})"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--indsatser", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    asyncio.run(main(args.indsatser, args.repeat))
