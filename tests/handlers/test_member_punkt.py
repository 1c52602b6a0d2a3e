"""A member acts for themselves before the meeting: "Jeg er inhabil" on a sag (the secretary
confirms it in meeting mode, the protocol says so), "kommer fra punkt 3 / går efter punkt 5"
(meeting mode's attendance and the protocol show it), and with /afbud "Indkald min
stedfortræder" (the stedfortræder gets the agenda through the outbox, the secretary is told).

Through the real dispatcher on a real SQLite file; what goes to other people is delivered by
the real outbox worker (``deliver_outbox``). Every refusal is checked to store nothing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from agendas.records import ProtokolStage
from agendas.services import release, roster
from bot.i18n import make_i18n, texts_for
from handlers.callbacks import MemberCb, MmCb
from tests.handlers.agenda_world import SECRETARY2, World, all_text, last_message
from tests.handlers.conftest import MEMBER, SECRETARY, TOVHOLDER
from tests.handlers.members_world import (
    FORMAND,
    ZONE,
    members_world,
    other_udvalg,
    person_id,
    refusals,
    snapshot,
)
from tests.handlers.test_meeting import btn, deliver_outbox, open_punkt, outbox_rows, view
from tests.support.clock import FrozenClock
from tests.support.recording import ChatHarness, Sent, TgUser
from tests.support.word import body_lines

REASON = "Min ægtefælle er ansat i økonomiafdelingen"
LISE = TgUser(id=3005, first_name="Lise", last_name="Holm", username="lise")


@pytest.fixture
async def world(chat: ChatHarness, database_url: str, clock: FrozenClock) -> AsyncIterator[World]:
    world = await members_world(database_url, clock)
    yield world
    await world.close()


async def member_punkt(chat: ChatHarness, title: str, user: TgUser = MEMBER) -> Sent:
    """The member's /dagsorden, then the punkt opened from it."""
    overview = last_message(await chat.send(user, "/dagsorden"))
    return last_message(await chat.press(user, overview, overview.button(title)))


async def set_stage(world: World, stage: ProtokolStage) -> None:
    async with world.uow() as uow:
        state = await uow.protokoller.get(world.moede_id)
        state.stage = stage
        await uow.protokoller.save(state, state.rev)
        await uow.commit()


def meeting_day(clock: FrozenClock) -> None:
    """10-12-2026 at 14.05 local time: the meeting (14.00) has begun."""
    clock.current = clock.current.replace(month=12, day=10, hour=13, minute=5)


async def test_a_member_declares_inhabilitet_and_the_protocol_says_so_once_confirmed(
    chat: ChatHarness, world: World, clock: FrozenClock
) -> None:
    punkt = await member_punkt(chat, "Budgetopfølgning")
    ask = last_message(await chat.press(MEMBER, punkt, punkt.button("Jeg er inhabil")))
    assert "skriv kort, hvorfor du er inhabil" in (ask.text or "")
    [again] = await chat.send(MEMBER, "x" * 301)  # too long: asked again, nothing stored
    assert "for lang (301 tegn, højst 300)" in (again.text or "")
    calls = await chat.send(MEMBER, REASON)
    assert "du har meldt dig inhabil i punkt 3 »Budgetopfølgning 2026«" in all_text(calls)

    # Both secretaries are told through the outbox, with the reason; nobody else.
    delivered = await deliver_outbox(chat, world)
    told = [c for c in delivered if "har meldt sig inhabil i punkt 3" in (c.text or "")]
    assert {c.chat_id for c in told} == {SECRETARY.id, SECRETARY2.id}
    assert REASON in (told[0].text or "") and "/moede" in (told[0].text or "")

    # Meeting mode shows it, already filled in; the secretary confirms on the punkt.
    meeting_day(clock)
    [attendance] = await chat.send(SECRETARY, "/moede")
    assert "Mads Medlem – til stede\n    meldt inhabil i punkt 3" in (attendance.text or "")
    punkt = last_message(
        await chat.press(SECRETARY, attendance, btn(attendance, "Videre til punkterne ▶️"))
    )
    punkt = await open_punkt(chat, punkt, "Budgetopfølgning 2026")
    assert f"Meldt inhabil af Mads Medlem: »{REASON}« (ikke bekræftet)" in (punkt.text or "")
    calls = await chat.press(SECRETARY, punkt, btn(punkt, "✅ Bekræft inhabilitet: Mads Medlem"))
    punkt = [c for c in calls if c.method == "editMessageText"][-1]
    assert "Inhabil: Mads Medlem" in (punkt.text or "") and "(bekræftet)" in (punkt.text or "")
    assert not any("Bekræft" in label for label, _ in punkt.buttons())
    async with world.uow() as uow:
        [event] = [e for e in await uow.audit.list_recent(3) if e.action == "punkt.inhabil"]
    assert event.details["declared"] is True and event.details["reason"] == REASON

    # The protocol carries the usual wording.
    calls = await chat.send(SECRETARY, "/protokol")
    [document] = [c for c in calls if c.method == "sendDocument"]
    lines = body_lines(document.document_bytes or b"")
    assert "Mads Medlem deltog ikke i behandlingen af punktet på grund af inhabilitet." in lines


async def test_inhabilitet_is_refused_after_the_start_elsewhere_and_on_a_standard_punkt(
    chat: ChatHarness, world: World, clock: FrozenClock
) -> None:
    _, sou_sag = await other_udvalg(world)
    punkt = await member_punkt(chat, "Budgetopfølgning")
    button = punkt.button("Jeg er inhabil")
    before = await snapshot(world)

    # A member of another udvalg (a forged button), a standard punkt, a tovholder.
    forged = MemberCb(action="inhab", target=sou_sag).pack()
    assert "Kun udvalgets medlemmer" in refusals(await chat.press(MEMBER, punkt, forged))
    godkendelse = (await view(world)).punkter[0].id or 0
    standard = MemberCb(action="inhab", target=godkendelse).pack()
    assert "meldes på en sag" in refusals(await chat.press(MEMBER, punkt, standard))
    assert "Kun udvalgets medlemmer" in refusals(await chat.press(TOVHOLDER, punkt, button))
    assert await snapshot(world) == before

    # A protocol sent for approval (a meeting held early) changes no more from here either.
    await set_stage(world, ProtokolStage.SENDT)
    before = await snapshot(world)
    for data in (button, MemberCb(action="range", target=world.moede_id).pack()):
        assert "sendt til godkendelse" in refusals(await chat.press(MEMBER, punkt, data))
    assert await snapshot(world) == before
    await set_stage(world, ProtokolStage.KLADDE)
    before = await snapshot(world)

    # The reason typed after the meeting began: refused, the dialog ends, nothing stored.
    await chat.press(MEMBER, punkt, button)
    meeting_day(clock)
    calls = await chat.send(MEMBER, REASON)
    assert "Mødet 10-12-2026 er begyndt eller holdt" in refusals(calls)
    assert "/hjaelp" in all_text(await chat.send(MEMBER, "Hej"))  # no dialog left
    # The old button after the start; and the secretary cannot confirm what was not declared.
    assert "er begyndt" in refusals(await chat.press(MEMBER, punkt, button))
    current = await view(world)
    confirm = MmCb(
        action="inhconf",
        moede_id=world.moede_id,
        rev=current.rev,
        item=world.open_id,
        value=person_id(world),
    ).pack()
    assert "ikke meldt sig inhabil" in refusals(await chat.press(SECRETARY, punkt, confirm))
    assert await snapshot(world) == before


async def test_kommer_and_gaar_show_in_meeting_mode_and_the_protocol(
    chat: ChatHarness, world: World, clock: FrozenClock
) -> None:
    overview = last_message(await chat.send(FORMAND, "/dagsorden"))
    ask = last_message(await chat.press(FORMAND, overview, overview.button("kommer/går")))
    assert "Dagsordenen har 6 punkter" in (ask.text or "")
    before = await snapshot(world)
    for typed, expected in (
        ("kommer fra punkt 9", "Punkt 9 findes ikke; dagsordenen har punkt 1-6."),
        ("går efter punkt 2 og kommer fra punkt 4", "du kan ikke gå, før du kommer"),
        ("om lidt", "»om lidt« forstod jeg ikke"),
    ):
        [refused] = await chat.send(FORMAND, typed)
        assert expected in (refused.text or "") and "/annuller" in (refused.text or "")
    assert await snapshot(world) == before
    calls = await chat.send(FORMAND, "kommer fra punkt 3 og går efter punkt 5")
    assert "Noteret: du er ikke med i sag 1-2, 6." in all_text(calls)

    meeting_day(clock)
    [attendance] = await chat.send(SECRETARY, "/moede")
    assert "Lene Holm (V), formand – til stede\n    deltog ikke i sag 1-2, 6" in (
        attendance.text or ""
    )
    calls = await chat.send(SECRETARY, "/protokol")
    [document] = [c for c in calls if c.method == "sendDocument"]
    lines = body_lines(document.document_bytes or b"")
    assert lines[lines.index("Fraværende") + 1] == "Lene Holm (V), sag 1-2, 6"
    # After the start the button is refused and nothing changes.
    before = await snapshot(world)
    assert "er begyndt" in refusals(
        await chat.press(FORMAND, overview, overview.button("kommer/går"))
    )
    assert await snapshot(world) == before


async def add_lise(chat: ChatHarness, world: World) -> int:
    """Lise Holm (V), Mads's stedfortræder on the roster, linked to Telegram by her invite."""
    calls = await chat.send(
        SECRETARY, "/medlemmer BEU tilføj Lise Holm (V) stedfortræder for Mads Medlem"
    )
    assert "Lise Holm (V) er tilføjet" in all_text(calls)
    sec = world.actors[SECRETARY.id]
    members = (await roster.list_roster(world.uow(), sec, "BEU")).members
    lise = next(m.person_id for m in members if m.person.name == "Lise Holm")
    issued, _ = await roster.invite_member(world.uow(), sec, "BEU", lise, world.clock())
    assert "Velkommen" in all_text(await chat.send(LISE, f"/start {issued.token}"))
    return lise


async def test_a_member_calls_their_stedfortraeder_who_gets_the_agenda(
    chat: ChatHarness, world: World, clock: FrozenClock
) -> None:
    lise = await add_lise(chat, world)
    sec = world.actors[SECRETARY.id]
    texts = texts_for(make_i18n("da"))
    await release.release_agenda(
        world.uow(), sec, world.moede_id, clock(), ZONE, texts, confirmed=True
    )
    clock.advance(release.OWN_COPY_DELAY)  # the secretary's own copy waits a moment
    await deliver_outbox(chat, world)  # the release itself

    [choose] = await chat.send(MEMBER, "/afbud")
    afbud = last_message(await chat.press(MEMBER, choose, btn(choose, "BEU 10-12-2026")))
    assert "Dit afbud til BEU" in (afbud.text or "")
    call = btn(afbud, "🔁 Indkald min stedfortræder: Lise Holm")

    # A forged button naming someone who is not Mads's stedfortræder: refused, nothing stored.
    before = await snapshot(world)
    forged = MemberCb(action="subst", target=world.moede_id, value=person_id(world, FORMAND))
    assert "nævner ikke vedkommende" in refusals(await chat.press(MEMBER, afbud, forged.pack()))
    assert await snapshot(world) == before

    calls = await chat.press(MEMBER, afbud, call)
    assert "Lise Holm er indkaldt som din stedfortræder" in all_text(calls)
    keys = [key for key, *_ in await outbox_rows(world) if key.startswith("substitute:")]
    assert f"substitute:{world.moede_id}:p{lise}:called" in keys
    assert any(key.endswith(":ics") for key in keys)  # the agenda with its calendar file
    delivered = await deliver_outbox(chat, world)
    to_lise = [c for c in delivered if c.chat_id == LISE.id]
    assert "Du er indkaldt som stedfortræder for Mads Medlem" in (to_lise[0].text or "")
    assert any(c.method == "sendDocument" for c in to_lise)
    agenda = all_text(to_lise)
    assert "Budgetopfølgning 2026" in agenda and "Fortroligt: en medarbejders" in agenda
    told = [c for c in delivered if "indkaldt sin stedfortræder Lise Holm (V)" in (c.text or "")]
    assert {c.chat_id for c in told} == {SECRETARY.id, SECRETARY2.id}
    # Pressed again: already called, nothing new.
    before = await snapshot(world)
    assert "allerede indkaldt for dig" in refusals(await chat.press(MEMBER, afbud, call))
    assert await snapshot(world) == before

    # Meeting mode: Mads with afbud, Lise as his stedfortræder, already filled in.
    meeting_day(clock)
    [attendance] = await chat.send(SECRETARY, "/moede")
    assert "Mads Medlem – afbud" in (attendance.text or "")
    assert "🔁 Lise Holm (V) – stedfortræder" in (attendance.text or "")
    assert "for Mads Medlem" in (attendance.text or "")
