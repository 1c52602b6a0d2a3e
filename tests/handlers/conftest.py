"""Handler tests: the real dispatcher and routers on a real SQLite database, a fake HTTP session."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import SQLModel

import storage.tables  # noqa: F401  (registers the tables on the metadata)
from bot.app import build_dispatcher
from bot.i18n import make_i18n
from handlers.context import ChatConfig
from storage.engine import make_engine, make_session_factory
from storage.fsm import SqlStorage
from storage.uow import SqlUnitOfWork
from tests.support.clock import FrozenClock
from tests.support.recording import ChatHarness, RecordingSession, TgUser, make_bot

ADMIN = TgUser(id=1001, first_name="Ada", last_name="Admin", username="ada")
SECRETARY = TgUser(id=2002, first_name="Sofie", last_name="Sekretær", username="sofie")
MEMBER = TgUser(id=3003, first_name="Mads", last_name="Medlem", username="mads")
OUTSIDER = TgUser(id=4004, first_name="Otto", last_name="Udenfor")
TOVHOLDER = TgUser(id=5005, first_name="Tove", last_name="Holder")


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
async def database_url(tmp_path: Path) -> AsyncIterator[str]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}"
    engine = make_engine(url)
    async with engine.begin() as conn:
        await conn.run_sync(SQLModel.metadata.create_all)
    await engine.dispose()
    yield url


@pytest.fixture
async def chat(database_url: str, clock: FrozenClock) -> AsyncIterator[ChatHarness]:
    """A fresh bot with ADMIN as its admin, talking to a fresh database."""
    engine = make_engine(database_url)
    session_factory = make_session_factory(engine)
    session = RecordingSession()
    bot = make_bot(session)
    dp = build_dispatcher(
        storage=SqlStorage(session_factory),
        uow_factory=lambda: SqlUnitOfWork(session_factory),
        i18n=make_i18n("da"),
        config=ChatConfig(clock=clock, invite_ttl=timedelta(days=7)),
        admin_ids=frozenset({ADMIN.id}),
    )
    yield ChatHarness(dispatcher=dp, bot=bot, session=session)
    await engine.dispose()


# --- Added by handlers-A: database checks, a second bot process, a populated committee. ---

INVITE_LINK = re.compile(r"https://t\.me/udvalgsbot_test_bot\?start=([A-Za-z0-9_-]+)")


def invite_token(text: str) -> str:
    """The token of the one invite link in a bot message."""
    found = INVITE_LINK.findall(text)
    assert len(found) == 1, text
    return str(found[0])


@pytest.fixture
async def uow_factory(database_url: str) -> AsyncIterator[Callable[[], SqlUnitOfWork]]:
    """Units of work on the chat's database, to check what was (not) stored."""
    engine = make_engine(database_url)
    session_factory = make_session_factory(engine)
    yield lambda: SqlUnitOfWork(session_factory)
    await engine.dispose()


@pytest.fixture
async def restart(
    database_url: str, clock: FrozenClock
) -> AsyncIterator[Callable[[], ChatHarness]]:
    """Starts another bot process on the same database: new engine, dispatcher and FSM storage."""
    engines: list[AsyncEngine] = []

    def start_again() -> ChatHarness:
        engine = make_engine(database_url)
        engines.append(engine)
        session_factory = make_session_factory(engine)
        session = RecordingSession()
        dp = build_dispatcher(
            storage=SqlStorage(session_factory),
            uow_factory=lambda: SqlUnitOfWork(session_factory),
            i18n=make_i18n("da"),
            config=ChatConfig(clock=clock, invite_ttl=timedelta(days=7)),
            admin_ids=frozenset({ADMIN.id}),
        )
        return ChatHarness(dispatcher=dp, bot=make_bot(session), session=session)

    yield start_again
    for engine in engines:
        await engine.dispose()


@pytest.fixture
async def beu_committee(chat: ChatHarness) -> ChatHarness:
    """BEU created by ADMIN; SECRETARY is its sekretær, MEMBER a medlem (A), TOVHOLDER tovholder.

    Everyone joined through invite links, as in real use.
    """
    await chat.send(
        ADMIN, "/nytudvalg BEU Beskæftigelsesudvalget; Social- og Sundhedsforvaltningen"
    )
    for inviter, user, role in (
        (ADMIN, SECRETARY, "sekretaer"),
        (SECRETARY, MEMBER, "medlem A"),
        (SECRETARY, TOVHOLDER, "tovholder"),
    ):
        [link] = await chat.send(inviter, f"/inviter BEU {role}")
        [welcome] = await chat.send(user, f"/start {invite_token(link.text or '')}")
        assert "Velkommen" in (welcome.text or ""), welcome.text
    return chat
