"""Meeting mode in chat: attendance, decisions, end time, protocol DOCX, approval, lock, re-open.

Through the real dispatcher on a real SQLite file; the world is built through the services.
What goes to other people (approval requests, the "all approved" notice, the decisions) is
written to the outbox; ``deliver_outbox`` runs the real delivery worker over it into the
recording session, so a test sees what arrived and can press its buttons.
"""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Any

import docx
import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramForbiddenError
from aiogram.methods import SendMessage, TelegramMethod
from aiogram.methods.base import TelegramType
from sqlalchemy import text

from agendas.meeting.decisions import set_beslutning, set_end_time, set_public_beslutning
from agendas.meeting.loading import load_view
from agendas.meeting_view import MeetingView
from agendas.model import Role
from agendas.services import committees, invites, punkter
from bot.i18n import make_i18n, texts_for
from bot.workers.delivery import DeliveryConfig, DeliveryWorker
from handlers.callbacks import MoedeCb, pack_button
from storage.engine import make_session_factory
from storage.outbox_queue import OutboxQueue
from tests.handlers.agenda_world import (
    SECRETARY2,
    World,
    alerts,
    all_text,
    last_message,
    make_world,
    messages,
)
from tests.handlers.conftest import ADMIN, MEMBER, OUTSIDER, SECRETARY, TOVHOLDER
from tests.support.clock import FrozenClock
from tests.support.recording import ChatHarness, Sent, TgUser
from tests.support.word import (
    INTERNAL,
    PUBLIC,
    assert_a4_with_danish_margins,
    body_lines,
    header_text,
    open_word,
)

FORMAND = TgUser(id=3004, first_name="Lene", last_name="Holm", username="lene")
ZONE = "Europe/Copenhagen"


@pytest.fixture
async def world(chat: ChatHarness, database_url: str, clock: FrozenClock) -> AsyncIterator[World]:
    world = await make_world(database_url, clock)
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
    yield world
    await world.close()


#: The worker without its spacing, so a test does not wait on Telegram's limits.
FAST = DeliveryConfig(
    rate=1000, private_interval=0.0, group_interval=0.0, backoff_base=0.01, poll_interval=0.01
)


async def outbox_rows(world: World) -> list[tuple[str, int, str, dict[str, Any]]]:
    """(idempotency key, chat id, kind, payload) of every outbox row, oldest first."""
    async with world.uow() as uow:
        rows = await uow.session.execute(
            text("SELECT idempotency_key, chat_id, kind, payload FROM outbox ORDER BY id")
        )
        return [(k, c, kind, json.loads(p) if isinstance(p, str) else p) for k, c, kind, p in rows]


async def deliver_outbox(chat: ChatHarness, world: World) -> list[Sent]:
    """Run the delivery worker over the outbox until nothing is left to send; what it sent."""
    world.uow()  # opens the world's engine
    assert world.engine is not None
    queue = OutboxQueue(make_session_factory(world.engine))
    before = len(chat.session.calls)
    worker = DeliveryWorker(
        chat.bot, queue, FAST, texts_for(make_i18n("da")), pack_button, clock=world.clock
    )
    worker.start()
    try:
        for _ in range(2000):  # a safety net; the loop ends as soon as the outbox is drained
            counts = await queue.counts()
            if not counts.get("pending") and not counts.get("sending"):
                break
            await asyncio.sleep(0.01)
        else:
            raise AssertionError(f"the outbox did not drain: {counts}")
    finally:
        await worker.stop()
    return chat.session.calls[before:]


def kinds(rows: list[tuple[str, int, str, dict[str, Any]]]) -> list[tuple[int, str]]:
    return [(chat_id, kind) for _key, chat_id, kind, _payload in rows]


def btn(sent: Sent, label: str) -> str:
    """The callback data of the button labelled exactly ``label`` (else the one containing it)."""
    exact = [data for text, data in sent.buttons() if text == label]
    if len(exact) == 1:
        return exact[0]
    return sent.button(label)


def docx_text(content: bytes) -> str:
    document = docx.Document(io.BytesIO(content))
    return "\n".join(p.text for p in document.paragraphs)


async def view(world: World) -> MeetingView:
    return await load_view(world.uow(), world.actors[SECRETARY.id], world.moede_id)


async def decide_all(world: World, clock: FrozenClock) -> None:
    """What sending for approval needs: the end time, a decision on every punkt and the public
    text of every closed one (through the services, as the secretary would in meeting mode)."""
    sec = world.actors[SECRETARY.id]
    await set_end_time(world.uow(), sec, world.moede_id, "15.10", ZONE, None, clock())
    for punkt in (await view(world)).punkter:
        await set_beslutning(world.uow(), sec, punkt.id or 0, "Godkendt", None, clock())
        if punkt.closed:
            text = "Udvalget behandlede en personalesag."
            await set_public_beslutning(world.uow(), sec, punkt.id or 0, text, None, clock())


async def press_send(chat: ChatHarness, menu: Sent) -> list[Sent]:
    """ "📨 Send til godkendelse", confirming the empty Indstilling of the world's two sager."""
    calls = await chat.press(SECRETARY, menu, btn(menu, "📨 Send til godkendelse"))
    asked = last_message(calls)
    if "📨 Send alligevel" in [text for text, _ in asked.buttons()]:
        calls = await chat.press(SECRETARY, asked, btn(asked, "📨 Send alligevel"))
    return calls


async def open_punkt(chat: ChatHarness, on: Sent, title: str) -> Sent:
    """Press "Næste punkt" until the punkt with ``title`` is shown."""
    current = on
    for _ in range(10):
        if title in (current.text or ""):
            return current
        calls = await chat.press(SECRETARY, current, btn(current, "Næste punkt ▶️"))
        current = [c for c in calls if c.method in ("sendMessage", "editMessageText")][-1]
    raise AssertionError(f"punkt {title!r} not reached")


async def test_a_long_beslutning_pasted_in_parts_is_one_text(
    chat: ChatHarness, world: World, clock: FrozenClock
) -> None:
    """Issue 16, item 1: a beslutning pasted in two parts was stored as its first part, and the
    second part went to the fallback."""
    clock.current = clock.current.replace(month=12, day=10, hour=13, minute=5)
    [attendance] = await chat.send(SECRETARY, "/moede")
    punkt = last_message(
        await chat.press(SECRETARY, attendance, btn(attendance, "Videre til punkterne ▶️"))
    )
    await chat.press(SECRETARY, punkt, btn(punkt, "✍️ Skriv selv"))
    assert "Teksten er lang (4000 tegn)" in all_text(await chat.send(SECRETARY, "a" * 4000))
    calls = await chat.send(SECRETARY, "b" * 600)
    assert "Teksten er 4601 tegn; højst 4000 tegn" in all_text(calls)
    assert not any(d.beslutning for d in (await view(world)).decisions.values())
    punkt = last_message(await chat.send(SECRETARY, "Godkendt med en bemærkning."))
    assert "Beslutning:</b> Godkendt med en bemærkning." in (punkt.text or "")


async def test_a_meeting_from_attendance_to_an_approved_protocol(
    chat: ChatHarness,
    world: World,
    clock: FrozenClock,
    restart: Callable[[], ChatHarness],
) -> None:
    # A member sends afbud before the meeting; the secretary sees it in the attendance.
    [choose] = await chat.send(MEMBER, "/afbud")
    calls = await chat.press(MEMBER, choose, btn(choose, "BEU 10-12-2026 kl. 14.00"))
    answer = last_message(calls)
    assert "afbud" in (answer.text or "").lower() and "registreret" in (answer.text or "")

    clock.current = clock.current.replace(month=12, day=10, hour=13, minute=5)
    [attendance] = await chat.send(SECRETARY, "/moede")
    assert "Mads Medlem – afbud" in (attendance.text or "")
    assert "Lene Holm (V), formand – til stede" in (attendance.text or "")

    # Lene left early: "sag 4-5". A number past the agenda is refused and nothing is stored.
    ranges = [d for text, d in attendance.buttons() if "Sag" in text]
    assert len(ranges) == 1  # only those present get the button
    await chat.press(SECRETARY, attendance, ranges[0])
    [refused] = await chat.send(SECRETARY, "sag 9")
    assert "findes ikke" in (refused.text or "")
    assert (await view(world)).member(world.actors[FORMAND.id].person_id).absent_for == ()  # type: ignore[union-attr]
    calls = await chat.send(SECRETARY, "sag 4-5")
    attendance = last_message(calls)
    assert "deltog ikke i sag 4-5" in (attendance.text or "")

    # The punkter one by one.
    calls = await chat.press(SECRETARY, attendance, btn(attendance, "Videre til punkterne ▶️"))
    punkt = last_message(calls)
    assert "Godkendelse af dagsorden" in (punkt.text or "")
    first_punkt_message = punkt
    calls = await chat.press(SECRETARY, punkt, btn(punkt, "Godkendt"))
    punkt = [c for c in calls if c.method == "editMessageText"][-1]
    assert "Beslutning:</b> Godkendt" in (punkt.text or "")

    punkt = await open_punkt(chat, punkt, "Meddelelser")
    calls = await chat.press(SECRETARY, punkt, btn(punkt, "Taget til efterretning"))
    punkt = [c for c in calls if c.method == "editMessageText"][-1]
    punkt = await open_punkt(chat, punkt, "Budgetopfølgning 2026")
    board = last_message(await chat.press(SECRETARY, punkt, btn(punkt, "🗳 Stemmer")))
    assert "Kan ikke stemme: Mads Medlem: afbud" in (board.text or "")
    [refused] = await chat.send(SECRETARY, "for A; for V")
    assert "to gange" in (refused.text or "")
    board = last_message(await chat.send(SECRETARY, "for V"))
    assert "👍 Lene Holm (V) – for" in (board.text or "")
    calls = await chat.press(SECRETARY, board, btn(board, "✅ Gem"))
    punkt = last_message(calls)
    assert "Vedtaget: flertal af de afgivne stemmer." in (punkt.text or "")
    calls = await chat.press(SECRETARY, punkt, btn(punkt, "Anbefales"))
    punkt = [c for c in calls if c.method == "editMessageText"][-1]
    assert "Anbefales med 1 stemme for (V)." in (punkt.text or "")
    # Lene voted with the majority: no afvigende mening (kommunestyrelsesloven § 13, stk. 2).
    calls = await chat.press(SECRETARY, punkt, btn(punkt, "💬 Afvigende mening"))
    assert "ingen stemte i mindretal" in all_text(calls) and "§ 13, stk. 2" in all_text(calls)

    # A button from an older view: told so, shown the fresh one, nothing stored.
    before = (await view(world)).decisions
    calls = await chat.press(SECRETARY, first_punkt_message, btn(first_punkt_message, "Udsat"))
    assert any("ældre visning" in a for a in alerts(calls))
    assert "Godkendelse af dagsorden" in (last_message(calls).text or "")
    assert (await view(world)).decisions == before

    # "Skriv selv", then the bot restarts before the secretary has typed the text.
    punkt = await open_punkt(chat, punkt, "Ny ungeindsats")
    await chat.press(SECRETARY, punkt, btn(punkt, "✍️ Skriv selv"))
    chat = restart()
    punkt = last_message(await chat.send(SECRETARY, "Udsat til næste møde."))
    assert "Beslutning:</b> Udsat til næste møde." in (punkt.text or "")
    # Lene left before sag 4: the udvalg is not beslutningsdygtig for it (0 of 2 members).
    assert "ikke beslutningsdygtigt ved dette punkt: 0 af 2 medlemmer" in (punkt.text or "")
    members = last_message(await chat.press(SECRETARY, punkt, btn(punkt, "🚫 Inhabil")))
    calls = await chat.press(SECRETARY, members, btn(members, "Lene Holm"))
    punkt = last_message(calls)
    assert "Inhabil: Lene Holm (V)" in (punkt.text or "")

    punkt = await open_punkt(chat, punkt, "Personalesag")
    await chat.press(SECRETARY, punkt, btn(punkt, "🌐 Offentlig beslutning"))
    punkt = last_message(await chat.send(SECRETARY, "Udvalget behandlede en personalesag."))
    calls = await chat.press(SECRETARY, punkt, btn(punkt, "Godkendt"))
    punkt = [c for c in calls if c.method == "editMessageText"][-1]
    punkt = await open_punkt(chat, punkt, "Eventuelt")
    calls = await chat.press(SECRETARY, punkt, btn(punkt, "Taget til efterretning"))
    punkt = [c for c in calls if c.method == "editMessageText"][-1]
    await chat.press(SECRETARY, punkt, btn(punkt, "🏁 Afslut møde"))
    [refused] = await chat.send(SECRETARY, "kvart over tre")
    assert "forstod jeg ikke" in (refused.text or "")
    calls = await chat.send(SECRETARY, "kl. 15:10")
    assert "Mødet afsluttet kl. 15.10" in all_text(calls)
    menu = last_message(calls)

    # The protocol as Word: internal with the closed punkt, public without its content.
    calls = await chat.press(SECRETARY, menu, btn(menu, "📄 Protokol (Word)"))
    [internal] = [c for c in calls if c.method == "sendDocument"]
    assert internal.document_name == "Beslutningsprotokol BEU 2026-12-10.docx"
    text = docx_text(internal.document_bytes or b"")
    for expected in (
        "Godkendelse af dagsorden",
        "Anbefales med 1 stemme for (V).",
        "Lene Holm (V) deltog ikke i behandlingen af punktet på grund af inhabilitet.",
        "Udsat til næste møde.",
        "Udvalget var ikke beslutningsdygtigt ved behandlingen af punktet "
        "(0 af 2 medlemmer til stede).",
        "Fortroligt: en medarbejders forhold.",
        "Lene Holm (V), formand",
        "Mads Medlem",
        "Mødet afsluttet kl. 15.10",
    ):
        assert expected in text, expected
    # A4, the internal edition in header and properties, a draft until approved.
    draft = internal.document_bytes or b""
    assert_a4_with_danish_margins(draft)
    assert f"{INTERNAL} · Udkast" in header_text(draft)
    props = open_word(draft).core_properties
    assert (props.subject, props.content_status, props.language) == (INTERNAL, "Udkast", "da-DK")
    assert props.title == "Beslutningsprotokol – Beskæftigelsesudvalget 10-12-2026"
    assert "Udkast" in body_lines(draft)[:3] and "Godkendelse" not in body_lines(draft)
    calls = await chat.press(SECRETARY, menu, btn(menu, "📄 Offentlig udgave"))
    [public] = [c for c in calls if c.method == "sendDocument"]
    assert public.document_name == "Beslutningsprotokol BEU 2026-12-10 offentlig.docx"
    public_text = docx_text(public.document_bytes or b"")
    assert "Personalesag" in public_text
    assert "Udvalget behandlede en personalesag." in public_text
    assert "Fortroligt" not in public_text and "notat.pdf" not in public_text
    published = public.document_bytes or b""
    assert_a4_with_danish_margins(published)
    assert PUBLIC in header_text(published) and "Intern" not in header_text(published)
    assert open_word(published).core_properties.subject == PUBLIC

    # Send for approval: only Lene was present (Mads sent afbud). The request is written to the
    # outbox with the round; nothing goes to Lene straight from the handler.
    # Two sager have no Indstilling: the secretary sees which and confirms; nothing is sent
    # or stored before that.
    asked = last_message(await chat.press(SECRETARY, menu, btn(menu, "📨 Send til godkendelse")))
    assert "obligatoriske afsnit er tomme: punkt 4 Ny ungeindsats (Indstilling)" in (
        asked.text or ""
    )
    assert await outbox_rows(world) == [] and (await view(world)).state.stage == "kladde"
    calls = await chat.press(SECRETARY, asked, btn(asked, "📨 Send alligevel"))
    assert "Sendt til godkendelse hos 1 medlem." in all_text(calls)
    assert [c for c in calls if c.chat_id == FORMAND.id] == []
    rows = await outbox_rows(world)
    assert kinds(rows) == [(FORMAND.id, "approval")]
    # A second press on the same menu (a double click, a retried update) queues nothing.
    again = await chat.press(SECRETARY, asked, btn(asked, "📨 Send alligevel"))
    assert any("ældre visning" in a for a in alerts(again))
    assert "⏳ Lene Holm mangler at godkende" in (last_message(again).text or "")
    assert await outbox_rows(world) == rows
    # Sent: /nysag no longer offers this meeting (a whole dialog would be refused at its end);
    # the next one is taken instead.
    started = all_text(await chat.send(SECRETARY, "/nysag Ny sag om busser"))
    assert "14-01-2027" in started and "10-12-2026" not in started
    await chat.send(SECRETARY, "/annuller")
    old_button = MoedeCb(action="nysag", moede_id=world.moede_id).pack()  # from an old agenda
    calls = await chat.press(SECRETARY, asked, old_button)
    refused = " ".join(alerts(calls)) + all_text(calls)
    assert "sendt til godkendelse" in refused and "Skriv sagens titel" not in refused
    # Sent: the record is frozen. A decision is refused (nothing stored) until re-opened.
    attendance = last_message(await chat.send(SECRETARY, "/moede"))
    punkt = last_message(
        await chat.press(SECRETARY, attendance, btn(attendance, "Videre til punkterne ▶️"))
    )
    calls = await chat.press(SECRETARY, punkt, btn(punkt, "Udsat"))
    assert any("sendt til godkendelse" in a for a in alerts(calls))
    assert (await view(world)).record((await view(world)).punkter[0].id or 0).beslutning == (
        "Godkendt"
    )

    delivered = await deliver_outbox(chat, world)
    [request] = [c for c in messages(delivered) if c.chat_id == FORMAND.id]
    assert "Anbefales med 1 stemme for (V)." in (request.text or "")
    approve = btn(request, "✅ Godkend protokol")
    calls = await chat.press(FORMAND, request, btn(request, "📄 Protokol (Word)"))
    [document] = [c for c in calls if c.method == "sendDocument"]
    assert document.chat_id == FORMAND.id
    assert document.document_name == "Beslutningsprotokol BEU 2026-12-10.docx"
    # Sent, not yet approved: still "Udkast", and the Godkendelse section names who is missing.
    sent = body_lines(document.document_bytes or b"")
    assert "Udkast" in sent[:3]
    assert sent[sent.index("Godkendelse") :][2:] == [
        "Lene Holm (V), formand: ikke godkendt",
        f"Protokolrevision: {(await view(world)).rev}",
    ]

    # Someone who was not present cannot approve; nothing is stored.
    calls = await chat.press(MEMBER, request, approve)
    assert any("til stede" in a for a in alerts(calls))
    assert (await view(world)).approvals == []
    assert await outbox_rows(world) == rows

    # Lene's approval is the last one: the lock, the secretaries' notice and the decisions for
    # everyone in BEU are stored in the one commit of her press.
    clock.advance(timedelta(hours=2))
    calls = await chat.press(FORMAND, request, approve)
    assert "Du godkendte protokollen 10-12-2026 kl. 16.05" in all_text(calls)
    state = await view(world)
    assert state.state.locked and [a.approved_at for a in state.approvals] == [clock()]
    queued = (await outbox_rows(world))[len(rows) :]
    assert kinds(queued) == [(SECRETARY.id, "notice"), (SECRETARY2.id, "notice")] + [
        (person, "decisions")
        for person in sorted(
            [SECRETARY.id, SECRETARY2.id, MEMBER.id, TOVHOLDER.id, FORMAND.id],
            key=lambda tg: world.actors[tg].person_id,
        )
    ]
    assert all(f":r{state.rev}:p" in key for key, *_ in queued)  # keyed by the locked rev
    # A double tap is answered once, without touching the message again (Telegram would
    # refuse the edit: "message is not modified").
    again = await chat.press(FORMAND, request, approve)
    assert [(c.method, "allerede godkendt" in (c.text or "")) for c in again] == [
        ("answerCallbackQuery", True)
    ]
    assert len(await outbox_rows(world)) == len(rows) + len(queued)

    delivered = await deliver_outbox(chat, world)
    locked = [
        c for c in messages(delivered) if c.chat_id == SECRETARY.id and "låst" in (c.text or "")
    ]
    assert len(locked) == 1 and "BEU 10-12-2026" in (locked[0].text or "")
    to_tovholder = all_text([c for c in delivered if c.chat_id == TOVHOLDER.id])
    assert "Protokollen for Beskæftigelsesudvalget 10-12-2026 er godkendt" in to_tovholder
    assert "Udvalget behandlede en personalesag." in to_tovholder  # the public text only
    assert "Fortroligt" not in to_tovholder
    assert "Anbefales med 1 stemme for (V)." in to_tovholder

    # Locked: a decision is refused until the secretary re-opens.
    attendance = last_message(await chat.send(SECRETARY, "/moede"))
    punkt = last_message(
        await chat.press(SECRETARY, attendance, btn(attendance, "Videre til punkterne ▶️"))
    )
    calls = await chat.press(SECRETARY, punkt, btn(punkt, "Udsat"))
    assert any("låst" in a for a in alerts(calls))
    assert (await view(world)).record(world.open_id).beslutning == "Anbefales"  # type: ignore[attr-defined]

    calls = await chat.send(SECRETARY, "/protokol")
    menu = last_message(calls)
    assert "Lene Holm godkendte 10-12-2026 kl. 16.05" in (menu.text or "")
    # The approved protocol says so: every present member's approval, the revision, "Godkendt".
    [approved] = [c for c in calls if c.method == "sendDocument"]
    approved_bytes = approved.document_bytes or b""
    assert body_lines(approved_bytes)[-4:] == [
        "Godkendelse",
        "Protokollen er godkendt digitalt af de medlemmer, der var til stede ved mødet.",
        "Lene Holm (V), formand: godkendt digitalt 10-12-2026 kl. 16.05",
        f"Protokolrevision: {state.rev}",
    ]
    assert "Udkast" not in body_lines(approved_bytes)
    assert f"{INTERNAL} · Godkendt" in header_text(approved_bytes)
    assert open_word(approved_bytes).core_properties.content_status == "Godkendt"
    assert_a4_with_danish_margins(approved_bytes)
    # Re-open: the reason is asked for and required; the approval is void, Lene is told why.
    ask = last_message(await chat.press(SECRETARY, menu, btn(menu, "🔓 Genåbn protokol")))
    assert "Hvorfor genåbnes protokollen?" in (ask.text or "")
    assert (await view(world)).state.locked  # nothing changes before the reason is given
    reason = "Beslutningen på punkt 3 var skrevet forkert"
    calls = await chat.send(SECRETARY, reason)
    assert "1 medlem, der havde godkendt, har fået besked" in all_text(calls)
    state = await view(world)
    assert state.state.stage == "kladde" and state.approvals == []
    async with world.uow() as uow:
        events = await uow.audit.list_recent(5)
    assert events[0].action == "protokol.reopen"
    assert events[0].actor_id == world.actors[SECRETARY.id].person_id
    assert events[0].details["reason"] == reason
    assert events[0].details["approvals_cleared"] == [world.actors[FORMAND.id].person_id]
    [told] = [c for c in messages(await deliver_outbox(chat, world)) if c.chat_id == FORMAND.id]
    assert reason in (told.text or "") and "annulleret" in (told.text or "")

    # Corrected, then sent and approved again: the request says why and what changed; a new
    # revision, so the decisions go out again.
    third = state.punkter[2]
    await set_beslutning(
        world.uow(), world.actors[SECRETARY.id], third.id or 0, "Udsat", None, clock()
    )
    menu = last_message(await chat.send(SECRETARY, "/protokol"))
    asked = last_message(await chat.press(SECRETARY, menu, btn(menu, "📨 Send til godkendelse")))
    await chat.press(SECRETARY, asked, btn(asked, "📨 Send alligevel"))
    [request] = [c for c in messages(await deliver_outbox(chat, world)) if c.chat_id == FORMAND.id]
    assert f"genåbnet: »{reason}«. Ændret siden: punkt 3: beslutning." in (request.text or "")
    await chat.press(FORMAND, request, btn(request, "✅ Godkend protokol"))
    decisions = [row for row in await outbox_rows(world) if row[2] == "decisions"]
    assert len(decisions) == 10 and len({key for key, *_ in decisions}) == 10


async def test_protocol_versions_by_role_and_refusals(
    chat: ChatHarness, world: World, clock: FrozenClock
) -> None:
    clock.current = clock.current.replace(month=12, day=10, hour=16)
    calls = await chat.send(TOVHOLDER, "/protokol")
    assert "offentlige udgave" in all_text(calls)
    [doc] = [c for c in calls if c.method == "sendDocument"]
    assert doc.document_name == "Beslutningsprotokol BEU 2026-12-10 offentlig.docx"
    assert "Fortroligt" not in docx_text(doc.document_bytes or b"")

    calls = await chat.send(MEMBER, "/protokol dagsorden")
    [agenda] = [c for c in calls if c.method == "sendDocument"]
    assert agenda.document_name == "Dagsorden BEU 2026-12-10.docx"
    assert "Fortroligt: en medarbejders forhold." in docx_text(agenda.document_bytes or b"")

    [usage] = await chat.send(MEMBER, "/protokol hemmelig")
    assert "/protokol offentlig" in (usage.text or "")
    [nothing] = await chat.send(OUTSIDER, "/protokol")
    assert "ingen møder" in (nothing.text or "")
    [refused] = await chat.send(MEMBER, "/moede")
    assert "sekretær" in (refused.text or "").lower()
    # The meeting has started: afbud is too late now.
    [choose] = await chat.send(MEMBER, "/afbud")
    assert [text for text, _ in choose.buttons()] == ["BEU 14-01-2027 kl. 15.00"]
    # Sending for approval before the end time is set is refused with what to do.
    calls = await chat.send(SECRETARY, "/protokol")
    menu = last_message(calls)
    calls = await chat.press(SECRETARY, menu, btn(menu, "📨 Send til godkendelse"))
    assert "mangler sluttidspunkt" in all_text(calls)
    assert not [c for c in messages(calls) if c.chat_id == FORMAND.id]


async def test_a_member_who_blocked_the_bot_is_reported_to_the_secretary(
    chat: ChatHarness, world: World, clock: FrozenClock
) -> None:
    clock.current = clock.current.replace(month=12, day=10, hour=16)
    await decide_all(world, clock)
    original = chat.session.make_request

    async def blocking(
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109 (BaseSession's signature)
    ) -> TelegramType:
        if isinstance(method, SendMessage) and method.chat_id == FORMAND.id:
            raise TelegramForbiddenError(
                method=method, message="Forbidden: bot was blocked by the user"
            )
        return await original(bot, method, timeout)

    chat.session.make_request = blocking  # type: ignore[method-assign]
    menu = last_message(await chat.send(SECRETARY, "/protokol"))
    calls = await press_send(chat, menu)
    assert "Sendt til godkendelse hos 2 medlemmer." in all_text(calls)  # queued for both
    delivered = messages(await deliver_outbox(chat, world))
    assert [c.chat_id for c in delivered if "Godkend" in str(c.buttons())] == [MEMBER.id]
    # The delivery worker tells the secretaries who could not be reached.
    blocked = [c.chat_id for c in delivered if "Lene Holm har blokeret botten" in (c.text or "")]
    assert len(blocked) == 2 and set(blocked) == {SECRETARY.id, SECRETARY2.id}


async def test_a_reminder_round_reaches_those_still_missing(
    chat: ChatHarness, world: World, clock: FrozenClock
) -> None:
    """Both members were present; Lene approves at once, Mads only after a second round."""
    clock.current = clock.current.replace(month=12, day=10, hour=16)
    await decide_all(world, clock)
    menu = last_message(await chat.send(SECRETARY, "/protokol"))
    calls = await press_send(chat, menu)
    assert "Sendt til godkendelse hos 2 medlemmer." in all_text(calls)
    fresh_menu = last_message(calls)
    requests = {c.chat_id: c for c in messages(await deliver_outbox(chat, world))}
    assert set(requests) == {FORMAND.id, MEMBER.id}
    first = requests[MEMBER.id]
    await chat.press(FORMAND, requests[FORMAND.id], btn(requests[FORMAND.id], "Godkend"))
    assert not (await view(world)).state.locked

    # The reminder: the same button on the fresh menu is a new round, for Mads only.
    rows = await outbox_rows(world)
    calls = await chat.press(SECRETARY, fresh_menu, btn(fresh_menu, "📨 Påmind dem, der mangler"))
    assert "Påmindelse sendt til 1 medlem, som mangler at godkende." in all_text(calls)
    reminder_menu = last_message(calls)
    added = (await outbox_rows(world))[len(rows) :]
    assert kinds(added) == [(MEMBER.id, "approval")]
    assert added[0][0] not in {key for key, *_ in rows}
    [reminder] = [c for c in messages(await deliver_outbox(chat, world)) if c.chat_id == MEMBER.id]

    # The first request's button is out of date now; the reminder's locks the protocol.
    calls = await chat.press(MEMBER, first, btn(first, "Godkend"))
    assert any("nyeste godkendelsesbesked" in a for a in alerts(calls))
    calls = await chat.press(MEMBER, reminder, btn(reminder, "Godkend"))
    assert "Du godkendte protokollen" in all_text(calls)
    assert (await view(world)).state.locked
    delivered = messages(await deliver_outbox(chat, world))
    assert any(c.chat_id == SECRETARY.id and "er nu låst" in (c.text or "") for c in delivered)
    assert {c.chat_id for c in delivered if "Beslutninger" in (c.text or "")} == {
        SECRETARY.id,
        SECRETARY2.id,
        MEMBER.id,
        TOVHOLDER.id,
        FORMAND.id,
    }

    # All have approved: another press reminds nobody, says so, and queues nothing.
    rows = await outbox_rows(world)
    calls = await chat.press(
        SECRETARY, reminder_menu, btn(reminder_menu, "📨 Påmind dem, der mangler")
    )
    assert "der er ingen at minde" in all_text(calls)
    assert await outbox_rows(world) == rows


async def test_protokol_with_a_date_fetches_an_older_meeting(
    chat: ChatHarness, world: World, clock: FrozenClock
) -> None:
    # Half a year on, the meeting of 10 December is far outside "recent".
    clock.current = clock.current.replace(year=2027, month=6, day=20, hour=10)
    # Without a date: the latest meeting there was (14 January), however long ago.
    [plain] = [c for c in await chat.send(MEMBER, "/protokol") if c.method == "sendDocument"]
    assert plain.document_name == "Beslutningsprotokol BEU 2027-01-14.docx"

    for asked in ("/protokol 10-12-2026", "/protokol 10. december", "/protokol 10/12"):
        calls = await chat.send(MEMBER, asked)
        [doc] = [c for c in calls if c.method == "sendDocument"]
        assert doc.document_name == "Beslutningsprotokol BEU 2026-12-10.docx", asked

    calls = await chat.send(TOVHOLDER, "/protokol offentlig 10-12-2026")
    [doc] = [c for c in calls if c.method == "sendDocument"]
    assert doc.document_name == "Beslutningsprotokol BEU 2026-12-10 offentlig.docx"

    [none] = await chat.send(MEMBER, "/protokol 11-12-2026")
    assert "intet møde i dine udvalg den 11-12-2026" in (none.text or "")
    [usage] = await chat.send(MEMBER, "/protokol 31-02-2026")
    assert "fx /protokol 12-01-2026" in (usage.text or "")
    [outsider] = await chat.send(OUTSIDER, "/protokol 10-12-2026")
    assert "intet møde" in (outsider.text or "")


async def test_sending_for_approval_lists_what_is_missing_and_stores_nothing(
    chat: ChatHarness, world: World, clock: FrozenClock
) -> None:
    clock.current = clock.current.replace(month=12, day=10, hour=16)
    sec = world.actors[SECRETARY.id]
    await set_beslutning(world.uow(), sec, world.open_id, "Anbefales", None, clock())
    await set_beslutning(world.uow(), sec, world.closed_id, "Godkendt", None, clock())
    before = await view(world)
    missing = (
        "Protokollen kan ikke sendes til godkendelse endnu: mangler sluttidspunkt; "
        "punkt 1 Godkendelse af dagsorden har ingen beslutning; "
        "punkt 2 Meddelelser har ingen beslutning; "
        "punkt 4 Ny ungeindsats har ingen beslutning; "
        "punkt 5 (lukket) mangler den offentlige beslutningstekst; "
        "punkt 6 Eventuelt har ingen beslutning."
    )
    # The protocol menu warns before the secretary presses.
    menu = last_message(await chat.send(SECRETARY, "/protokol"))
    assert f"⚠️ {missing}" in (menu.text or "")
    calls = await chat.press(SECRETARY, menu, btn(menu, "📨 Send til godkendelse"))
    assert alerts(calls) == ["Protokollen kan ikke sendes endnu – se hvad der mangler."]
    # What is missing is said once, in the fresh menu, with the button to try again.
    assert [missing in (c.text or "") for c in messages(calls)] == [True]
    assert "📨 Send til godkendelse" in [text for text, _ in last_message(calls).buttons()]
    after = await view(world)
    assert (after.state, after.approvals) == (before.state, before.approvals)
    assert await outbox_rows(world) == []

    # Filled in (decisions, and the Indstilling the two sager lacked): no warning, no
    # confirmation, the protocol goes out.
    await decide_all(world, clock)
    for punkt_id in (world.second_id, world.closed_id):
        detail = await punkter.open_punkt(world.uow(), sec, punkt_id)
        await punkter.edit_field(
            world.uow(),
            sec,
            punkt_id,
            "indstilling",
            "Forvaltningen indstiller, at sagen godkendes.",
            detail.punkt.version,
            clock(),
        )
    menu = last_message(await chat.send(SECRETARY, "/protokol"))
    assert "⚠️" not in (menu.text or "")
    calls = await chat.press(SECRETARY, menu, btn(menu, "📨 Send til godkendelse"))
    assert "Sendt til godkendelse hos 2 medlemmer." in all_text(calls)
