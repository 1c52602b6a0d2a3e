"""With ARCHIVE_BASE_URL, the chat links the public archive: the released agenda ends with a
link to the meeting's public page, and /soeg links each result whose meeting is public."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from bot.app import build_dispatcher
from bot.i18n import make_i18n
from handlers.context import ChatConfig
from storage.engine import make_engine, make_session_factory
from storage.fsm import SqlStorage
from storage.uow import SqlUnitOfWork
from tests.handlers.agenda_world import World, last_message, make_world
from tests.handlers.conftest import ADMIN, MEMBER, SECRETARY
from tests.handlers.test_release import outbox_rows
from tests.support.clock import FrozenClock
from tests.support.recording import ChatHarness, RecordingSession, make_bot

BASE = "https://dagsordener.egeby.dk/arkiv"
PAGE = f"{BASE}/udvalg/beu/2026-12-10"


@pytest.fixture
async def linked_chat(database_url: str, clock: FrozenClock) -> AsyncIterator[ChatHarness]:
    """The bot with ARCHIVE_BASE_URL set."""
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    dispatcher = build_dispatcher(
        storage=SqlStorage(factory),
        uow_factory=lambda: SqlUnitOfWork(factory),
        i18n=make_i18n("da"),
        config=ChatConfig(clock=clock, invite_ttl=timedelta(days=7), archive_base_url=BASE),
        admin_ids=frozenset({ADMIN.id}),
    )
    session = RecordingSession()
    yield ChatHarness(dispatcher=dispatcher, bot=make_bot(session), session=session)
    await engine.dispose()


@pytest.fixture
async def world(database_url: str, clock: FrozenClock) -> AsyncIterator[World]:
    w = await make_world(database_url, clock)
    yield w
    await w.close()


async def udsend(chat: ChatHarness) -> None:
    """/udsend, and the meeting of 10 December from the list (the later one stays unreleased)."""
    [picker] = await chat.send(SECRETARY, "/udsend")
    sent = await chat.press(SECRETARY, picker, picker.button("10-12-2026"))
    [warning] = [c for c in sent if "obligatoriske afsnit er tomme" in (c.text or "")]
    sent = await chat.press(SECRETARY, warning, warning.button("alligevel"))
    assert any("sendes nu til" in (c.text or "") for c in sent), [c.text for c in sent]


def _texts(rows: list[tuple[int, str, dict]]) -> list[str]:  # type: ignore[type-arg]
    return [str(p.get("text") or p.get("caption") or "") for _, _, p in rows]


async def test_the_released_agenda_links_the_public_page(
    linked_chat: ChatHarness, world: World
) -> None:
    await udsend(linked_chat)
    rows = await outbox_rows(world.uow)
    assert rows
    link = f'🌐 <a href="{PAGE}">Mødet i webarkivet</a>'
    for chat_id in {c for c, _, _ in rows}:
        last = [t for (c, _, _), t in zip(rows, _texts(rows), strict=True) if c == chat_id][-1]
        assert link in last, last  # the end of the summary, on its last page


async def test_soeg_links_results_of_public_meetings_only(
    linked_chat: ChatHarness, world: World
) -> None:
    await udsend(linked_chat)
    reply = last_message(await linked_chat.send(MEMBER, "/soeg budgettet"))
    assert f'🌐 <a href="{PAGE}#punkt-3">Offentlig side i webarkivet</a>' in (reply.text or "")

    from agendas.services import punkter
    from agendas.services.punkter import SagDraft

    await punkter.add_sag(
        world.uow(),
        world.actors[SECRETARY.id],
        world.later_moede_id,
        SagDraft(title="Budgettet for 2028", sections={"sagens_kerne": "Budgettet."}),
        world.clock(),
    )
    both = last_message(await linked_chat.send(MEMBER, "/soeg budgettet")).text or ""
    assert "2 resultater" in both and both.count("🌐") == 1  # the unreleased meeting: no link


async def test_without_an_archive_address_there_are_no_links(
    chat: ChatHarness, world: World
) -> None:
    await udsend(chat)
    assert not any("webarkivet" in t for t in _texts(await outbox_rows(world.uow)))
    reply = last_message(await chat.send(MEMBER, "/soeg budgettet"))
    assert "1 resultat" in (reply.text or "") and "webarkivet" not in (reply.text or "")
