"""Open a status round for 500 indsatser, and build its report; each against a named baseline.

Run: .venv/bin/python benchmarks/bench_status_round.py [--indsatser 500] [--repeat 3]

1. Enqueue: ``agendas.status.rounds.open_round_now`` on a migrated SQLite file (the round row
   and one outbox prompt per tovholder, here one per indsats, in one transaction, through the
   repositories).
   Baseline "bare inserts": the same number of outbox rows (same payload size) plus one round
   row, written with one ``executemany`` in one transaction, no domain code.
2. Report: ``agendas.status.report_document.render_status_report`` for the round (every indsats
   answered). Baseline "bare python-docx": a 500 x 5 table built cell by cell with python-docx's
   own API (``add_table`` / ``cell.text``), no styling.

Prints the best time of ``--repeat`` runs of each and the ratio to its baseline. No assertions.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from docx import Document
from sqlalchemy import insert

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
from storage.tables import OutboxRow, StatusRoundRow
from storage.uow import SqlUnitOfWork

ZONE = "Europe/Copenhagen"
NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def texts(language: str | None) -> Callable[..., str]:
    def t(key: str, /, **params: object) -> str:
        return key + " " + " ".join(f"{k}={v}" for k, v in params.items())

    return t


async def best(repeat: int, run: Callable[[int], Awaitable[float]]) -> float:
    return min([await run(i) for i in range(repeat)])


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

        enqueue_time = await best(repeat, enqueue)
        sample = None
        async with uow:
            sample = (await uow.outbox.by_key_prefix("status:"))[0].payload

        async def bare(n: int) -> float:
            rows = [
                {
                    "idempotency_key": f"bare:{n}:{i}",
                    "chat_id": 10_000 + i,
                    "kind": "reminder",
                    "payload": sample,
                    "status": "pending",
                    "attempts": 0,
                    "not_before": NOW,
                    "created_at": NOW,
                }
                for i in range(count)
            ]
            started = time.perf_counter()
            async with uow:
                await uow.session.execute(
                    insert(StatusRoundRow).values(
                        plan_id=baseline_plans[n],
                        number=1,
                        opens_at=NOW,
                        deadline=NOW + timedelta(days=7),
                        reminders=[],
                        reminders_sent=0,
                        state="closed",
                    )
                )
                await uow.session.execute(insert(OutboxRow), rows)
                await uow.commit()
            return time.perf_counter() - started

        bare_time = await best(repeat, bare)

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
        for r, row in enumerate(report.rows):
            cells = table.rows[r + 1].cells
            values = (row.indsats, row.tovholder, "Gul", row.text, "02-03-2026")
            for cell, value in zip(cells, values, strict=True):
                cell.text = value
        document.save(io.BytesIO())
        return time.perf_counter() - started

    render_time = await best(repeat, render)
    bare_docx_time = await best(repeat, bare_docx)
    print(f"indsatser: {count}, best of {repeat}")
    print(
        f"enqueue prompts (open_round_now): {enqueue_time * 1000:8.1f} ms   "
        f"baseline 'bare inserts': {bare_time * 1000:8.1f} ms   "
        f"ratio {enqueue_time / bare_time:5.1f}x"
    )
    print(
        f"build report (render_status_report): {render_time * 1000:8.1f} ms   "
        f"baseline 'bare python-docx table': {bare_docx_time * 1000:8.1f} ms   "
        f"ratio {render_time / bare_docx_time:5.2f}x"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--indsatser", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(main(args.indsatser, args.repeat))
