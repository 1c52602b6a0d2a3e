"""Documents are rendered in a worker thread, never on the event loop: while a protocol, its
PDF/A or a status report is built, every other chat is still answered.

Each renderer is wrapped so it records the thread it ran in; the thread must not be the one
running the event loop.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from agendas.documents import pdf_render, render
from agendas.meeting.documents import ProtokolRequest, protokol_document
from agendas.plans import PlanKind, StatusColour
from agendas.status import report as report_service
from agendas.status.report_document import ReportRow, StatusReport
from tests.storage.test_statement_counts_jobs import NOW, ZONE, seed
from tests.support.fakes import FakeUnitOfWork


def recording(work: Callable[..., bytes], threads: list[int]) -> Callable[..., bytes]:
    def run(*args: Any, **kwargs: Any) -> bytes:
        threads.append(threading.get_ident())
        return work(*args, **kwargs)

    return run


@pytest.mark.parametrize("pdf", [False, True], ids=["word", "pdf"])
async def test_a_protocol_is_rendered_off_the_event_loop(
    monkeypatch: pytest.MonkeyPatch, pdf: bool
) -> None:
    uow = FakeUnitOfWork()
    seeded = await seed(uow, 5, 3)
    threads: list[int] = []
    # The export imports its renderer on first use: patch it where it is imported from.
    monkeypatch.setattr(render, "render_protokol", recording(render.render_protokol, threads))
    monkeypatch.setattr(
        pdf_render, "render_pdf", recording(lambda *_args: b"%PDF-1.7 stand-in", threads)
    )
    found = await protokol_document(
        uow, seeded.secretary, ProtokolRequest(moede_id=seeded.moede_ids[0], pdf=pdf), NOW, ZONE
    )
    assert found is not None and found.content.startswith(b"%PDF" if pdf else b"PK")
    assert len(threads) == 1
    assert threads[0] != threading.get_ident()  # the test runs on the event loop's thread


async def test_a_status_report_is_rendered_off_the_event_loop(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    threads: list[int] = []
    monkeypatch.setattr(
        report_service,
        "render_status_report",
        recording(report_service.render_status_report, threads),
    )
    report = StatusReport(
        plan_title="Handleplan mod ensomhed",
        plan_kind=PlanKind.HANDLEPLAN,
        udvalg_name="Sundheds- og Omsorgsudvalget",
        forvaltning="SSF",
        round_number=1,
        opens_at=datetime(2026, 3, 2, 8, tzinfo=UTC),
        deadline=datetime(2026, 3, 9, 8, tzinfo=UTC),
        rows=(ReportRow("Besøgsvenner", "Tove Holder", StatusColour.GROEN, "Godt i gang."),),
    )
    file = await report_service.render_report(report)
    assert file.content.startswith(b"PK")
    assert len(threads) == 1 and threads[0] != threading.get_ident()
