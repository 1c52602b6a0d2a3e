"""Status rounds through the real dispatcher: a plan by upload, a round, the answer flow across a
restart, the secretary's overview and report, and bad input."""

from __future__ import annotations

import io
from collections.abc import Callable

from docx import Document
from sqlalchemy import text

from storage.uow import SqlUnitOfWork
from tests.handlers.conftest import SECRETARY, TOVHOLDER
from tests.support.recording import ChatHarness, Sent

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CSV = (
    "Indsats;Formål;Tovholder\n"
    "Fællesspisning;12 arrangementer om året;Tove Holder\n"
    "Besøgsvenner;40 besøgsvenner;Tove Holder\n"
    "Digital café;200 besøg;Birgit Borgerservice\n"
).encode()


def only(calls: list[Sent], method: str = "sendMessage") -> list[Sent]:
    return [c for c in calls if c.method == method]


async def import_plan(chat: ChatHarness) -> int:
    [offer] = only(await chat.send_document(SECRETARY, "ensomhed.csv", CSV, "text/csv"))
    assert "handleplan" in (offer.text or "")
    asked = only(await chat.press(SECRETARY, offer, offer.button("BEU")))
    assert "Hvad skal planen hedde" in asked[-1].text  # type: ignore[operator]
    [done] = only(await chat.send(SECRETARY, "Handleplan for ensomhed"))
    body = done.text or ""
    assert "Planen »Handleplan for ensomhed« er oprettet" in body
    assert "Fællesspisning" in body and "Digital café" in body
    assert "Birgit Borgerservice" in body  # unknown tovholder, to invite
    plan_id = int(body.split("som plan ")[1].split()[0])
    return plan_id


async def count(uow_factory: Callable[[], SqlUnitOfWork], table: str, **params: str) -> int:
    async with uow_factory() as uow:
        query = text(f"SELECT COUNT(*) FROM {table}")
        return int((await uow.session.execute(query, params)).scalar_one())


async def test_round_answer_flow_survives_a_restart_and_shows_in_overview_and_report(
    beu_committee: ChatHarness,
    restart: Callable[[], ChatHarness],
    uow_factory: Callable[[], SqlUnitOfWork],
) -> None:
    chat = beu_committee
    plan_id = await import_plan(chat)
    [opened] = only(await chat.send(SECRETARY, f"/statusrunde {plan_id}"))
    assert "Runde 1" in (opened.text or "") and "2 spørgsmål" in (opened.text or "")
    assert (
        await count(uow_factory, "outbox WHERE idempotency_key LIKE :k", k="status:r%prompt") == 2
    )

    calls = only(await chat.send(TOVHOLDER, "/status"))
    prompt = calls[-1]
    assert "Fællesspisning" in (prompt.text or "")
    assert "Ingen ændring" not in str(prompt.buttons())  # nothing to reuse in the first round
    [ask] = only(await chat.press(TOVHOLDER, prompt, prompt.button("Gul")))
    assert "Skriv nu status" in (ask.text or "")
    [too_long] = only(await chat.send(TOVHOLDER, "x" * 2001))
    assert "2000" in (too_long.text or "")
    [attach] = only(await chat.send(TOVHOLDER, "Færre deltagere end ventet"))
    assert "Spring over" in str(attach.buttons())

    chat = restart()  # the bot restarts in the middle of the answer
    [confirm] = only(await chat.press(TOVHOLDER, attach, attach.button("Spring over")))
    assert "Gul" in (confirm.text or "") and "Færre deltagere end ventet" in (confirm.text or "")
    assert await count(uow_factory, "status_answer") == 0  # not before the confirmation
    calls = only(await chat.press(TOVHOLDER, confirm, confirm.button("Indberet")))
    texts = ChatHarness.texts(calls)
    assert any("er registreret" in t for t in texts)
    nxt = calls[-1]
    assert "Besøgsvenner" in (nxt.text or "")  # the next indsats in the same flow
    only(await chat.press(TOVHOLDER, nxt, nxt.button("Grøn")))
    [attach] = only(await chat.send(TOVHOLDER, "Alt kører"))
    [confirm] = only(await chat.press(TOVHOLDER, attach, attach.button("Spring over")))
    calls = only(await chat.press(TOVHOLDER, confirm, confirm.button("Indberet")))
    assert "ikke flere indsatser" in (calls[-1].text or "")
    assert await count(uow_factory, "status_answer") == 2

    [overview] = only(await chat.send(SECRETARY, "/statusoverblik"))
    body = overview.text or ""
    assert "Grøn 1 · Gul 1 · Rød 0 · Mangler 1" in body
    assert "Digital café" in body
    calls = await chat.press(SECRETARY, overview, overview.button("Rapport"))
    [document] = only(calls, "sendDocument")
    assert (document.document_name or "").endswith(".docx")
    table = Document(io.BytesIO(document.document_bytes or b"")).tables[0]
    rows = {r.cells[0].text: r.cells[2].text for r in table.rows[1:]}
    assert rows == {"Fællesspisning": "Gul", "Besøgsvenner": "Grøn", "Digital café": "Mangler svar"}


async def test_a_plan_file_without_an_indsats_column_is_refused_and_nothing_stored(
    beu_committee: ChatHarness, uow_factory: Callable[[], SqlUnitOfWork]
) -> None:
    chat = beu_committee
    bad = b"Tovholder;Periode\nTove Holder;2025\n"
    [refused] = only(await chat.send_document(SECRETARY, "plan.csv", bad, "text/csv"))
    assert "indsats" in (refused.text or "").lower() and refused.buttons() == []
    assert await count(uow_factory, "plan") == 0


async def test_a_tovholder_gets_a_clear_answer_when_nothing_is_open(
    beu_committee: ChatHarness,
) -> None:
    [reply] = only(await beu_committee.send(TOVHOLDER, "/status"))
    assert "ingen åbne statusrunder" in (reply.text or "")


async def test_bad_schedules_are_refused_with_a_clear_message(beu_committee: ChatHarness) -> None:
    chat = beu_committee
    plan_id = await import_plan(chat)
    [reply] = only(await chat.send(SECRETARY, f"/planskema {plan_id} * * * * *"))
    assert "oftere end én gang om ugen" in (reply.text or "")
    [reply] = only(
        await chat.send(SECRETARY, f"/planskema {plan_id} første mandag i måneden kl. 9")
    )
    assert "Første runde åbner" in (reply.text or "")
    [reply] = only(await chat.send(TOVHOLDER, f"/planskema {plan_id} månedlig"))
    assert "Kun udvalgets sekretær" in (reply.text or "")
    [reply] = only(await chat.send(SECRETARY, f"/planskema {plan_id} hver tirsdag og torsdag"))
    assert "Jeg forstod ikke tidsplanen" in (reply.text or "")


async def test_a_docx_plan_table_is_offered_as_plan_and_as_meeting(
    beu_committee: ChatHarness, uow_factory: Callable[[], SqlUnitOfWork]
) -> None:
    document = Document()
    table = document.add_table(rows=3, cols=2)
    for row, (indsats, tovholder) in enumerate(
        (("Indsats", "Tovholder"), ("Fællesspisning", "Tove Holder"), ("Besøgsvenner", "Ib"))
    ):
        table.rows[row].cells[0].text = indsats
        table.rows[row].cells[1].text = tovholder
    data = io.BytesIO()
    document.save(data)
    chat = beu_committee
    offers = only(await chat.send_document(SECRETARY, "plan.docx", data.getvalue(), DOCX))
    assert len(offers) == 2
    assert "møde" in str(offers[0].buttons()).lower()
    plan_offer = offers[1]
    only(await chat.press(SECRETARY, plan_offer, plan_offer.button("plan i BEU")))
    [done] = only(await chat.send(SECRETARY, "Handleplan fra Word"))
    assert "2 indsatser" in (done.text or "")
    assert await count(uow_factory, "indsats") == 2
