"""A member proposes a punkt for a coming meeting; the secretary puts one on the agenda and
declines another with a reason; both decisions are recorded and the member is told.

Through the real dispatcher on a real SQLite file, as ``test_member_punkt``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from agendas.members import ProposalState
from handlers.callbacks import MemberCb, ProposalCb
from tests.handlers.agenda_world import SECRETARY2, World, all_text, last_message
from tests.handlers.conftest import MEMBER, SECRETARY
from tests.handlers.members_world import members_world, other_udvalg, refusals, snapshot
from tests.handlers.test_meeting import btn, deliver_outbox
from tests.handlers.test_member_punkt import meeting_day
from tests.support.clock import FrozenClock
from tests.support.recording import ChatHarness, Sent

CYKEL = "Sikre cykelstier ved skolerne"
CYKEL_TEXT = "Forældre i Vestbyen beder om en vurdering af skolevejene."
HAL = "Ny svømmehal"
REASON = "Der er ingen anlægsramme i år; sagen kommer med i budgetforslaget."


@pytest.fixture
async def world(chat: ChatHarness, database_url: str, clock: FrozenClock) -> AsyncIterator[World]:
    world = await members_world(database_url, clock)
    yield world
    await world.close()


async def propose(chat: ChatHarness, title: str, text: str) -> list[Sent]:
    overview = last_message(await chat.send(MEMBER, "/dagsorden"))
    ask = last_message(await chat.press(MEMBER, overview, overview.button("Foreslå et punkt")))
    assert "Forslag til dagsordenen for BEU 10-12-2026: skriv punktets titel" in (ask.text or "")
    await chat.send(MEMBER, title)
    return await chat.send(MEMBER, text)


async def secretary_notice(chat: ChatHarness, world: World, title: str) -> Sent:
    delivered = await deliver_outbox(chat, world)
    notices = [c for c in delivered if title in (c.text or "")]
    assert {c.chat_id for c in notices} == {SECRETARY.id, SECRETARY2.id}
    notice = next(c for c in notices if c.chat_id == SECRETARY.id)
    assert "Forslag til dagsordenen for BEU 10-12-2026 fra Mads Medlem" in (notice.text or "")
    return notice


async def actions(world: World) -> list[str]:
    async with world.uow() as uow:
        events = await uow.audit.list_recent(50)
    return [e.action for e in sorted(events, key=lambda e: e.id or 0)]


async def test_a_proposal_is_put_on_the_agenda_and_another_declined_with_a_reason(
    chat: ChatHarness, world: World
) -> None:
    calls = await propose(chat, CYKEL, CYKEL_TEXT)
    assert f"Dit forslag »{CYKEL}« til BEU 10-12-2026 er sendt til sekretæren" in all_text(calls)
    notice = await secretary_notice(chat, world, CYKEL)
    assert CYKEL_TEXT in (notice.text or "")
    # Optag is the secretary's: the member pressing it (a forwarded button) is refused.
    before = await snapshot(world)
    optag = btn(notice, "✅ Optag på dagsordenen")
    assert "sekretær" in refusals(await chat.press(MEMBER, notice, optag)).lower()
    assert await snapshot(world) == before

    calls = await chat.press(SECRETARY, notice, btn(notice, "✅ Optag på dagsordenen"))
    assert f"»{CYKEL}« er optaget som punkt 5 på dagsordenen" in all_text(calls)
    agenda = await world.agenda()
    sag = next(p for p in agenda.punkter if p.title == CYKEL)
    assert sag.number == 5 and sag.kind == "sag" and not sag.closed
    kerne = sag.section("sagens_kerne")
    assert kerne == f"Optaget på dagsordenen efter anmodning fra Mads Medlem.\n\n{CYKEL_TEXT}"
    recorded = await actions(world)
    assert recorded[-3:] == ["proposal.create", "punkt.create", "proposal.accept"]
    delivered = await deliver_outbox(chat, world)
    [told] = [c for c in delivered if c.chat_id == MEMBER.id]
    assert f"Dit forslag »{CYKEL}« er optaget på dagsordenen for BEU 10-12-2026 som punkt 5" in (
        told.text or ""
    )
    # The second secretary's button is refused now, and nothing is added twice.
    other = await _other_secretary_button(chat, world, CYKEL)
    before = await snapshot(world)
    assert "allerede optaget" in refusals(
        await chat.press(SECRETARY2, other, other.button("Optag"))
    )
    assert await snapshot(world) == before

    # The second proposal is declined: the reason is asked for, stored and sent to Mads.
    await propose(chat, HAL, "En ny svømmehal i bydelen.")
    notice = await secretary_notice(chat, world, HAL)
    ask = last_message(await chat.press(SECRETARY, notice, btn(notice, "❌ Afvis")))
    assert f"Hvorfor optages »{HAL}« fra Mads Medlem ikke?" in (ask.text or "")
    [again] = await chat.send(SECRETARY, " ")
    assert "Skriv kort, hvorfor forslaget ikke optages" in (again.text or "")
    calls = await chat.send(SECRETARY, REASON)
    assert f"Forslaget »{HAL}« er afvist, og Mads Medlem har fået begrundelsen." in all_text(calls)
    assert HAL not in [p.title for p in (await world.agenda()).punkter]
    assert (await actions(world))[-2:] == ["proposal.create", "proposal.decline"]
    async with world.uow() as uow:
        declined = await uow.proposals.get(2)
    assert declined is not None and declined.state is ProposalState.AFVIST
    assert declined.reason == REASON and declined.decided_by == world.actors[SECRETARY.id].person_id
    delivered = await deliver_outbox(chat, world)
    [told] = [c for c in delivered if c.chat_id == MEMBER.id]
    assert f"Dit forslag »{HAL}« til BEU 10-12-2026 er ikke optaget" in (told.text or "")
    assert REASON in (told.text or "")
    # Optag on the declined one: refused, nothing stored.
    before = await snapshot(world)
    accept = ProposalCb(action="accept", proposal_id=declined.id or 0).pack()
    assert "allerede afvist" in refusals(await chat.press(SECRETARY, notice, accept))
    assert await snapshot(world) == before


async def _other_secretary_button(chat: ChatHarness, world: World, title: str) -> Sent:
    return next(
        c
        for c in reversed(chat.session.calls)
        if c.chat_id == SECRETARY2.id and title in (c.text or "") and c.buttons()
    )


async def test_a_proposal_for_a_past_meeting_or_another_udvalg_is_refused(
    chat: ChatHarness, world: World, clock: FrozenClock
) -> None:
    sou_moede, _ = await other_udvalg(world)
    overview = last_message(await chat.send(MEMBER, "/dagsorden"))
    start = overview.button("Foreslå et punkt")
    before = await snapshot(world)
    forged = MemberCb(action="propose", target=sou_moede).pack()
    assert "Kun udvalgets medlemmer" in refusals(await chat.press(MEMBER, overview, forged))
    # A forged button for a proposal that is not there.
    decide = ProposalCb(action="accept", proposal_id=1).pack()
    assert "findes ikke længere" in refusals(await chat.press(SECRETARY, overview, decide))
    # The title typed, then the meeting began before the text: refused, nothing stored.
    await chat.press(MEMBER, overview, start)
    [again] = await chat.send(MEMBER, "x" * 201)
    assert "Titlen er for lang" in (again.text or "")
    await chat.send(MEMBER, CYKEL)
    meeting_day(clock)
    calls = await chat.send(MEMBER, CYKEL_TEXT)
    assert "Mødet 10-12-2026 er begyndt eller holdt" in refusals(calls)
    # The button of the past meeting.
    assert "er begyndt" in refusals(await chat.press(MEMBER, overview, start))
    assert await snapshot(world) == before
