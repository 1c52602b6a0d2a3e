"""Status rounds through the real dispatcher: a plan by upload, one prompt per tovholder (never
twice), the answer flow across a restart with the prompt edited in place, the secretary's
overview with its chart and the report, and bad input."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import timedelta

from docx import Document

from agendas.status import rounds
from bot.i18n import make_i18n, texts_for
from storage.engine import make_engine, make_session_factory
from storage.uow import SqlUnitOfWork
from tests.handlers.conftest import SECRETARY, TOVHOLDER
from tests.handlers.status_world import deliver, edits, import_plan, only, prompts, rows, to
from tests.support.clock import FrozenClock
from tests.support.recording import ChatHarness

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CSV = (
    "Indsats;Formål;Tovholder\n"
    "Fællesspisning;12 arrangementer om året;Tove Holder\n"
    "Besøgsvenner;40 besøgsvenner;Tove Holder\n"
    "Digital café;200 besøg;Birgit Borgerservice\n"
).encode()


async def test_a_tovholder_gets_one_prompt_and_status_points_to_it_instead_of_a_second(
    beu_committee: ChatHarness, database_url: str, clock: FrozenClock
) -> None:
    """The demo sent each tovholder the same prompt twice: once from the outbox, once more in
    reply to /status (with "Giv videre"). Now /status points to the one prompt."""
    chat = beu_committee
    plan_id = await import_plan(chat, CSV)
    only(await chat.send(SECRETARY, f"/statusrunde {plan_id}"))
    delivered = await deliver(chat, database_url, clock)
    [prompt] = prompts(delivered, TOVHOLDER)
    body = prompt.text or ""
    assert "Fællesspisning" in body and "Besøgsvenner" in body and "0 af 2 besvaret" in body
    assert [label for label, _ in prompt.buttons()] == [
        "⬜ Fællesspisning",
        "⬜ Besøgsvenner",
        "🏖 Jeg er på ferie",
    ]

    calls = await chat.send(TOVHOLDER, "/status")
    calls += await chat.send(TOVHOLDER, "/status")
    calls += await deliver(chat, database_url, clock)
    assert prompts(calls, TOVHOLDER) == []  # no second prompt, however often /status is typed
    for reply in to(calls, TOVHOLDER):
        assert "er her (0 af 2 besvaret)" in (reply.text or "")
        assert reply.request.reply_parameters.message_id == prompt.message_id
        assert [label for label, _ in reply.buttons()] == ["📋 Vis listen igen"]


async def test_round_answer_flow_edits_the_prompt_survives_a_restart_and_shows_in_the_overview(
    beu_committee: ChatHarness,
    restart: Callable[[], ChatHarness],
    uow_factory: Callable[[], SqlUnitOfWork],
    database_url: str,
    clock: FrozenClock,
) -> None:
    chat = beu_committee
    plan_id = await import_plan(chat, CSV)
    [opened] = only(await chat.send(SECRETARY, f"/statusrunde {plan_id}"))
    assert "Runde 1" in (opened.text or "")
    assert "Statuslister sendt ud, én pr. tovholder: 1." in (opened.text or "")
    [prompt] = prompts(await deliver(chat, database_url, clock), TOVHOLDER)

    [detail] = only(await chat.press(TOVHOLDER, prompt, prompt.button("Fællesspisning")))
    assert "første statusrunde" in (detail.text or "")
    assert "Ingen ændring" not in str(detail.buttons())  # nothing to reuse in the first round
    [ask] = only(await chat.press(TOVHOLDER, detail, detail.button("Gul")))
    assert "Skriv nu status" in (ask.text or "")
    [too_long] = only(await chat.send(TOVHOLDER, "x" * 2001))
    assert "2000" in (too_long.text or "")
    [attach] = only(await chat.send(TOVHOLDER, "Færre deltagere end ventet"))

    chat = restart()  # the bot restarts in the middle of the answer
    [confirm] = only(await chat.press(TOVHOLDER, attach, attach.button("Spring over")))
    assert "Færre deltagere end ventet" in (confirm.text or "")
    assert await rows(uow_factory, "SELECT COUNT(*) FROM status_answer") == [(0,)]
    calls = await chat.press(TOVHOLDER, confirm, confirm.button("Indberet"))
    [edited] = edits(calls, prompt.message_id)  # the prompt, edited in place
    assert "1 af 2 besvaret" in (edited.text or "") and "🟡 Fællesspisning" in (edited.text or "")
    texts = ChatHarness.texts(only(calls))
    assert any("er registreret" in t for t in texts)
    nxt = only(calls)[-1]
    assert "Besøgsvenner" in (nxt.text or "")  # the next indsats follows at once
    only(await chat.press(TOVHOLDER, nxt, nxt.button("Grøn")))
    [attach] = only(await chat.send(TOVHOLDER, "Alt kører"))
    [confirm] = only(await chat.press(TOVHOLDER, attach, attach.button("Spring over")))
    calls = await chat.press(TOVHOLDER, confirm, confirm.button("Indberet"))
    assert "2 af 2 besvaret" in (edits(calls, prompt.message_id)[0].text or "")
    assert "ikke flere indsatser" in (only(calls)[-1].text or "")

    calls = await chat.send(SECRETARY, "/statusoverblik")
    [chart] = only(calls, "sendPhoto")
    assert (chart.document_bytes or b"").startswith(b"\x89PNG")
    assert "Runde 1: 🟢 1 🟡 1 🔴 0 ⬜ 1" in (chart.text or "")
    [overview] = only(calls)
    assert "Grøn 1 · Gul 1 · Rød 0 · Mangler 1" in (overview.text or "")
    assert "Digital café" in (overview.text or "")
    calls = await chat.press(SECRETARY, overview, overview.button("Rapport"))
    [document] = only(calls, "sendDocument")
    word = Document(io.BytesIO(document.document_bytes or b""))
    table = word.tables[-1]
    found = {r.cells[0].text: r.cells[2].text for r in table.rows[1:]}
    assert found == {
        "Fællesspisning": "Gul",
        "Besøgsvenner": "Grøn",
        "Digital café": "Mangler svar",
    }
    assert len(word.inline_shapes) == 1  # the chart


async def test_a_long_status_text_pasted_in_parts_is_one_answer(
    beu_committee: ChatHarness,
    uow_factory: Callable[[], SqlUnitOfWork],
    database_url: str,
    clock: FrozenClock,
) -> None:
    """Issue 16, item 1: the app splits a long text; the first part was refused as too long and
    the second, a tail of the text, was taken as the whole status."""
    chat = beu_committee
    plan_id = await import_plan(chat, CSV)
    only(await chat.send(SECRETARY, f"/statusrunde {plan_id}"))
    [prompt] = prompts(await deliver(chat, database_url, clock), TOVHOLDER)
    [detail] = only(await chat.press(TOVHOLDER, prompt, prompt.button("Fællesspisning")))
    [ask] = only(await chat.press(TOVHOLDER, detail, detail.button("Gul")))
    assert "Skriv nu status" in (ask.text or "")
    [held] = only(await chat.send(TOVHOLDER, "x" * 4000))
    assert "Teksten er lang (4000 tegn)" in (held.text or "")
    [refused] = only(await chat.send(TOVHOLDER, "y" * 500))
    assert "Statusteksten er for lang (4501 tegn, højst 2000)" in (refused.text or "")
    assert refused.buttons() == []  # still asked for the text, no "Spring over" yet
    [attach] = only(await chat.send(TOVHOLDER, "Færre deltagere end ventet"))
    [confirm] = only(await chat.press(TOVHOLDER, attach, attach.button("Spring over")))
    assert "Færre deltagere end ventet" in (confirm.text or "")
    assert "yyy" not in (confirm.text or "")
    await chat.press(TOVHOLDER, confirm, confirm.button("Indberet"))
    assert await rows(uow_factory, "SELECT text FROM status_answer") == [
        ("Færre deltagere end ventet",)
    ]


async def test_round_two_does_not_call_an_unanswered_indsats_new(
    beu_committee: ChatHarness, database_url: str, clock: FrozenClock
) -> None:
    chat = beu_committee
    plan_id = await import_plan(chat, CSV)
    only(await chat.send(SECRETARY, f"/statusrunde {plan_id}"))
    clock.advance(timedelta(days=10))  # round 1 closes unanswered
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    await rounds.run_due(
        lambda: SqlUnitOfWork(factory), clock(), "Europe/Copenhagen", texts_for(make_i18n("da"))
    )
    await engine.dispose()
    [opened] = only(await chat.send(SECRETARY, f"/statusrunde {plan_id}"))
    assert "Runde 2" in (opened.text or "")
    delivered = await deliver(chat, database_url, clock)
    prompt = prompts(delivered, TOVHOLDER)[-1]
    assert "runde 2" in (prompt.text or "")
    [detail] = only(await chat.press(TOVHOLDER, prompt, prompt.button("Besøgsvenner")))
    assert "første statusrunde" not in (detail.text or "")
    assert "ikke givet status på denne indsats i de tidligere runder" in (detail.text or "")


async def test_a_plan_file_without_an_indsats_column_is_refused_and_nothing_stored(
    beu_committee: ChatHarness, uow_factory: Callable[[], SqlUnitOfWork]
) -> None:
    chat = beu_committee
    bad = b"Tovholder;Periode\nTove Holder;2025\n"
    [refused] = only(await chat.send_document(SECRETARY, "plan.csv", bad, "text/csv"))
    assert "indsats" in (refused.text or "").lower() and refused.buttons() == []
    assert await rows(uow_factory, "SELECT COUNT(*) FROM plan") == [(0,)]


async def test_a_tovholder_gets_a_clear_answer_when_nothing_is_open(
    beu_committee: ChatHarness,
) -> None:
    [reply] = only(await beu_committee.send(TOVHOLDER, "/status"))
    assert "ingen åbne statusrunder" in (reply.text or "")


async def test_bad_schedules_are_refused_with_a_clear_message(beu_committee: ChatHarness) -> None:
    chat = beu_committee
    plan_id = await import_plan(chat, CSV)
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
    assert await rows(uow_factory, "SELECT COUNT(*) FROM indsats") == [(2,)]
