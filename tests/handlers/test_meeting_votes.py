"""Votes per member in meeting mode, by the rules of kommunestyrelsesloven: buttons per member
who may vote and the party shorthand, shown for confirmation before anything is stored; absent
and inhabil members refused; a tie not adopted; the quorum warning, noted in the protocol and
the audit; afvigende mening only for the minority; the Danish wording read back from the DOCX.

Through the real dispatcher on a real database, as ``tests/handlers/test_meeting.py``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from agendas.documents import parse_docx
from agendas.model import Role
from agendas.protocol import QuorumNote, Votes
from agendas.records import Ballot
from agendas.services import committees, invites
from handlers.callbacks import MmCb
from tests.handlers.agenda_world import World, alerts, all_text, last_message, make_world
from tests.handlers.conftest import ADMIN, SECRETARY
from tests.handlers.test_meeting import FORMAND, btn, docx_text, open_punkt, view
from tests.support.clock import FrozenClock
from tests.support.recording import ChatHarness, Sent, TgUser

ANNE = TgUser(id=3101, first_name="Anne", last_name="Lund")
ALI = TgUser(id=3102, first_name="Ali", last_name="Ahmed")
ASTA = TgUser(id=3103, first_name="Asta", last_name="Berg")
CARL = TgUser(id=3104, first_name="Carl", last_name="Dahl")
SARA = TgUser(id=3105, first_name="Sara", last_name="Skov")


async def join(world: World, user: TgUser, role: Role, party: str | None) -> int:
    """``user`` joins BEU through an invite link; their person id."""
    uow, now = world.uow(), world.clock()
    name = user.as_user().full_name
    person, _ = await committees.identify(uow, user.id, name, None, "da", frozenset({ADMIN.id}))
    issued = await invites.create_invite(uow, world.actors[ADMIN.id], "BEU", role, now, party=party)
    await invites.accept_invite(uow, person, issued.token, now)
    return person.id or 0


@pytest.fixture
async def world(chat: ChatHarness, database_url: str, clock: FrozenClock) -> AsyncIterator[World]:
    """BEU: Lene Holm (V, formand), Mads Medlem (no party), Anne Lund (Ø), Ali Ahmed and Asta
    Berg (both A), Carl Dahl (C): six seats; Sara Skov is a stedfortræder. The meeting day."""
    world = await make_world(database_url, clock)
    world.ids = {}  # type: ignore[attr-defined]
    for user, role, party in (
        (FORMAND, Role.FORMAND, "V"),
        (ANNE, Role.MEDLEM, "Ø"),
        (ALI, Role.MEDLEM, "A"),
        (ASTA, Role.MEDLEM, "A"),
        (CARL, Role.MEDLEM, "C"),
        (SARA, Role.STEDFORTRAEDER, None),
    ):
        world.ids[user.id] = await join(world, user, role, party)  # type: ignore[attr-defined]
    clock.current = clock.current.replace(month=12, day=10, hour=13, minute=5)
    yield world
    await world.close()


def pid(world: World, user: TgUser) -> int:
    return world.ids[user.id]  # type: ignore[attr-defined,no-any-return]


def row(sent: Sent, name: str) -> str:
    """The callback data of the button whose label contains ``name``."""
    return sent.button(name)


async def attendance_row(chat: ChatHarness, attendance: Sent, name: str) -> Sent:
    calls = await chat.press(SECRETARY, attendance, row(attendance, name))
    return [c for c in calls if c.method in ("sendMessage", "editMessageText")][-1]


async def left_early(chat: ChatHarness, attendance: Sent, name: str, ranges: str) -> Sent:
    """ "🕒 Sag …" on the member's row, then the punkter they missed."""
    buttons = attendance.buttons()
    index = next(i for i, (text, _) in enumerate(buttons) if name in text)
    await chat.press(SECRETARY, attendance, buttons[index + 1][1])
    return last_message(await chat.send(SECRETARY, ranges))


async def forged(world: World, action: str, punkt_id: int, value: int) -> str:
    """A button for a member the board does not offer (an older board, a crafted update)."""
    current = await view(world)
    return MmCb(
        action=action, moede_id=world.moede_id, rev=current.rev, item=punkt_id, value=value
    ).pack()


async def test_votes_are_recorded_per_member_after_confirmation(
    chat: ChatHarness, world: World
) -> None:
    # Attendance: Mads fraværende, Carl afbud with Sara as his stedfortræder, Ali missed sag 3.
    attendance = last_message(await chat.send(SECRETARY, "/moede"))
    attendance = await attendance_row(chat, attendance, "Mads Medlem")
    attendance = await attendance_row(chat, attendance, "Mads Medlem")
    attendance = await attendance_row(chat, attendance, "Carl Dahl")
    choose = last_message(await chat.press(SECRETARY, attendance, row(attendance, "Sara Skov")))
    attendance = await attendance_row(chat, choose, "Carl Dahl")
    attendance = await left_early(chat, attendance, "Ali Ahmed", "sag 3")
    assert "Mads Medlem – fraværende" in (attendance.text or "")
    assert "stedfortræder for Carl Dahl" in (attendance.text or "")

    punkt = last_message(
        await chat.press(SECRETARY, attendance, btn(attendance, "Videre til punkterne ▶️"))
    )
    punkt = await open_punkt(chat, punkt, "Budgetopfølgning 2026")
    members = last_message(await chat.press(SECRETARY, punkt, btn(punkt, "🚫 Inhabil")))
    punkt = last_message(await chat.press(SECRETARY, members, btn(members, "Asta Berg")))

    # The board: a button per member who may vote; who cannot, and why.
    board = last_message(await chat.press(SECRETARY, punkt, btn(punkt, "🗳 Stemmer")))
    text = board.text or ""
    assert [label for label, _ in board.buttons()][:3] == [
        "➖ Lene Holm",
        "➖ Anne Lund",
        "➖ Sara Skov",
    ]
    for why in ("Mads Medlem: fraværende", "Ali Ahmed (A): deltog ikke i punktet"):
        assert why in text, why
    assert "Asta Berg (A): inhabil" in text and "Carl Dahl (C): afbud" in text
    # A member who cannot vote is refused, with why (a button from an older board, say).
    for user, why in ((ASTA, "inhabil"), (CARL, "afbud")):
        calls = await chat.press(
            SECRETARY, board, await forged(world, "vmark", world.open_id, pid(world, user))
        )
        assert any(f"kan ikke stemme på dette punkt ({why})" in a for a in alerts(calls)), why

    # The shorthand: an unknown party, and a party with nobody who may vote, are refused.
    [unknown] = await chat.send(SECRETARY, "for X; imod Ø")
    assert "Parti X er ikke i udvalget (udvalgets partier: A, C, V, Ø)" in (unknown.text or "")
    [absent] = await chat.send(SECRETARY, "for A V; imod Ø")
    assert "Ingen fra A kan stemme på dette punkt" in (absent.text or "")
    assert "Ali Ahmed (A): deltog ikke i punktet; Asta Berg (A): inhabil" in (absent.text or "")

    # Understood: shown for confirmation; Sara votes in Carl's place, with his letter.
    before = await view(world)
    board = last_message(await chat.send(SECRETARY, "for V C; imod Ø"))
    text = board.text or ""
    for line in ("👍 Lene Holm (V) – for", "👍 Sara Skov (C) – for", "👎 Anne Lund (Ø) – imod"):
        assert line in text, line
    assert "2 stemmer for (C, V) og 1 stemme imod (Ø). Vedtaget" in text
    assert "Intet er gemt endnu" in text
    assert (await view(world)).decisions == before.decisions  # nothing stored before ✅
    calls = await chat.press(SECRETARY, board, btn(board, "✏️ Ret"))
    assert "Skriv stemmerne igen" in all_text(calls)
    assert (await view(world)).decisions == before.decisions
    # A tap corrects one member: Sara for -> imod -> undlader.
    for _ in range(2):
        calls = await chat.press(SECRETARY, board, btn(board, "Sara Skov"))
        board = [c for c in calls if c.method == "editMessageText"][-1]
    assert "➖ Sara Skov (C) – undlader" in (board.text or "")
    assert (await view(world)).decisions == before.decisions

    calls = await chat.press(SECRETARY, board, btn(board, "✅ Gem"))
    punkt = last_message(calls)
    stored = (await view(world)).decision(world.open_id)
    assert stored.ballots == {
        pid(world, FORMAND): Ballot.FOR,
        pid(world, ANNE): Ballot.IMOD,
        pid(world, SARA): Ballot.UNDLADER,
    }
    assert stored.votes == Votes(1, ("V",), 1, ("Ø",), 1, ("C",))
    assert "Ikke vedtaget: stemmerne stod lige." in (punkt.text or "")
    assert "💡 Forslag til beslutning: Indstillingen faldt ved stemmelighed med" in (
        punkt.text or ""
    )
    calls = await chat.press(SECRETARY, punkt, btn(punkt, "💡 Brug forslaget"))
    punkt = [c for c in calls if c.method == "editMessageText"][-1]
    line = (
        "Indstillingen faldt ved stemmelighed med 1 stemme for (V) og 1 stemme imod (Ø). "
        "C undlod at stemme."
    )
    assert f"Beslutning:</b> {line}" in (punkt.text or "")
    assert "💡" not in (punkt.text or "")

    # Afvigende mening: only Lene, who voted for the proposal that fell, is offered.
    members = last_message(await chat.press(SECRETARY, punkt, btn(punkt, "💬 Afvigende mening")))
    assert [label for label, _ in members.buttons()] == ["Lene Holm"]
    calls = await chat.press(
        SECRETARY, members, await forged(world, "remarkp", world.open_id, pid(world, ANNE))
    )
    assert any("Anne Lund stemte med flertallet" in a and "§ 13" in a for a in alerts(calls))
    await chat.press(SECRETARY, members, btn(members, "Lene Holm"))
    punkt = last_message(await chat.send(SECRETARY, "V ønsker budgettet fastholdt."))
    assert "Afvigende mening fra Lene Holm (V)" in (punkt.text or "")

    # Sag 4: both A members take part, so "for A" is two votes.
    punkt = await open_punkt(chat, punkt, "Ny ungeindsats")
    await chat.press(SECRETARY, punkt, btn(punkt, "🗳 Stemmer"))
    # "1 imod" without a letter would be Anne or Sara: counts must match the members.
    [mismatch] = await chat.send(SECRETARY, "3 for (A, V), 1 imod")
    assert "Der står 1 imod, men det passer med 2 medlemmer," in (mismatch.text or "")
    board = last_message(await chat.send(SECRETARY, "3 for (A, V), 1 imod (Ø)"))
    assert "👍 Ali Ahmed (A) – for" in (board.text or "")
    assert "👍 Asta Berg (A) – for" in (board.text or "")
    assert "👎 Anne Lund (Ø) – imod" in (board.text or "")
    assert "➖ Sara Skov (C) – undlader" in (board.text or "")  # not named: undlod
    punkt = last_message(await chat.press(SECRETARY, board, btn(board, "✅ Gem")))
    assert "💡 Forslag til beslutning: Godkendt med 3 stemmer for (A, V)" in (punkt.text or "")
    calls = await chat.press(SECRETARY, punkt, btn(punkt, "Anbefales"))
    punkt = [c for c in calls if c.method == "editMessageText"][-1]
    expected = "Anbefales med 3 stemmer for (A, V) og 1 stemme imod (Ø). C undlod at stemme."
    assert expected in (punkt.text or "")
    members = last_message(await chat.press(SECRETARY, punkt, btn(punkt, "💬 Afvigende mening")))
    assert [label for label, _ in members.buttons()] == ["Anne Lund"]

    # The protocol says it the Danish way, and the importer reads the votes back.
    await chat.press(SECRETARY, punkt, btn(punkt, "Næste punkt ▶️"))
    calls = await chat.send(SECRETARY, "/protokol")
    [document] = [c for c in calls if c.method == "sendDocument"]
    content = document.document_bytes or b""
    text = docx_text(content)
    assert line in text and expected in text
    assert 'Lene Holm (V) ønsker følgende tilført protokollen: "V ønsker budgettet fastholdt."' in (
        text
    )
    records = {p.punkt.title: p.record for p in parse_docx(content).document.punkter}
    assert records["Ny ungeindsats"].votes == Votes(3, ("A", "V"), 1, ("Ø",), 1, ("C",))
    assert records["Ny ungeindsats"].beslutning == "Anbefales"
    assert records["Budgetopfølgning 2026"].beslutning == "Indstillingen faldt ved stemmelighed"


async def test_a_committee_not_beslutningsdygtig_is_warned_and_it_is_recorded(
    chat: ChatHarness, world: World
) -> None:
    # Only Anne and Sara (for Carl) take part in sag 3: 2 of 6 members.
    attendance = last_message(await chat.send(SECRETARY, "/moede"))
    for name in ("Mads Medlem", "Ali Ahmed", "Asta Berg", "Carl Dahl"):
        attendance = await attendance_row(chat, attendance, name)
    choose = last_message(await chat.press(SECRETARY, attendance, row(attendance, "Sara Skov")))
    attendance = await attendance_row(chat, choose, "Carl Dahl")
    attendance = await left_early(chat, attendance, "Lene Holm", "sag 3")
    punkt = last_message(
        await chat.press(SECRETARY, attendance, btn(attendance, "Videre til punkterne ▶️"))
    )
    punkt = await open_punkt(chat, punkt, "Budgetopfølgning 2026")
    warning = "Udvalget er ikke beslutningsdygtigt ved dette punkt: 2 af 6 medlemmer deltager"
    assert warning in (punkt.text or "")
    board = last_message(await chat.press(SECRETARY, punkt, btn(punkt, "🗳 Stemmer")))
    assert warning in (board.text or "")
    calls = await chat.press(SECRETARY, board, btn(board, "👍 Alle for"))
    board = [c for c in calls if c.method == "editMessageText"][-1]
    punkt = last_message(await chat.press(SECRETARY, board, btn(board, "✅ Gem")))
    assert warning in (punkt.text or "") and "Det noteres i protokollen" in (punkt.text or "")

    # Recorded: the audit event of the vote, and a note on the punkt in the protocol.
    async with world.uow() as uow:
        [event] = [e for e in await uow.audit.list_recent(10) if e.action == "punkt.votes"]
    assert (event.details["beslutningsdygtig"], event.details["present"]) == (False, 2)
    assert event.details["seats"] == 6
    calls = await chat.send(SECRETARY, "/protokol")
    [document] = [c for c in calls if c.method == "sendDocument"]
    note = (
        "Udvalget var ikke beslutningsdygtigt ved behandlingen af punktet "
        "(2 af 6 medlemmer til stede)."
    )
    assert note in docx_text(document.document_bytes or b"")
    imported = parse_docx(document.document_bytes or b"").document
    [sag] = [p for p in imported.punkter if p.punkt.title == "Budgetopfølgning 2026"]
    assert sag.record.quorum == QuorumNote(2, 6)
    assert sag.record.votes == Votes(2, ("C", "Ø"))


async def test_without_a_vote_by_member_no_afvigende_mening(
    chat: ChatHarness, world: World
) -> None:
    attendance = last_message(await chat.send(SECRETARY, "/moede"))
    punkt = last_message(
        await chat.press(SECRETARY, attendance, btn(attendance, "Videre til punkterne ▶️"))
    )
    punkt = await open_punkt(chat, punkt, "Budgetopfølgning 2026")
    calls = await chat.press(SECRETARY, punkt, btn(punkt, "💬 Afvigende mening"))
    said = last_message(calls).text or ""
    assert "der er ikke stemt medlem for medlem" in said and "§ 13, stk. 2" in said
    # A typed remark for someone (an older picker's button) is refused too; nothing stored.
    before = await view(world)
    calls = await chat.press(
        SECRETARY, punkt, await forged(world, "remarkp", world.open_id, pid(world, ANNE))
    )
    assert any("ikke stemt medlem for medlem" in a for a in alerts(calls))
    assert (await view(world)).decisions == before.decisions
