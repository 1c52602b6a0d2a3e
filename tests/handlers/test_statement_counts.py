"""The chat's hot paths run a small, fixed number of SQL statements per update, whatever the
size of the agenda or of the committee (issue 17, item 2).

Every statement the engine sends is counted (SQLAlchemy's ``before_cursor_execute``) while one
update goes through the real dispatcher: /dagsorden, /start and opening a punkt from the agenda's
button, by a member and by the secretary, on a meeting with 3 and with 15 sager and a committee of
5 and of 200 members.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from sqlmodel import SQLModel

import storage.tables  # noqa: F401  (registers the tables on the metadata)
from bot.app import build_dispatcher
from bot.i18n import make_i18n
from handlers.callbacks import PunktCb
from handlers.context import ChatConfig
from storage.engine import make_engine, make_session_factory
from storage.fsm import SqlStorage
from storage.uow import SqlUnitOfWork
from tests.support.clock import FrozenClock
from tests.support.hotpath_world import ADMIN_TG, MEMBER_TG, SECRETARY_TG, Seeded, seed
from tests.support.recording import ChatHarness, RecordingSession, Sent, TgUser, make_bot

MEMBER = TgUser(id=MEMBER_TG, first_name="Medlem", last_name="000", username="m0")
SECRETARY = TgUser(id=SECRETARY_TG, first_name="Sofie", last_name="Sekretær")

#: At most this many statements for one update of each kind: who the user is and their dialog
#: state (one statement), then the view: /dagsorden the next meeting chosen and its agenda read
#: in one; a punkt itself, the order of the agenda (its number), its bilag and its questions.
LIMITS = {"start": 1, "dagsorden": 2, "open": 5}


class Counted:
    """The statements a dispatcher's engine ran, and a way to count those of one update."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, _conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        self.statements.append(statement)

    @contextmanager
    def update(self) -> Iterator[list[str]]:
        before = len(self.statements)
        seen: list[str] = []
        yield seen
        seen.extend(self.statements[before:])


async def _bot(
    tmp_path: Path, sager: int, members: int
) -> AsyncIterator[tuple[ChatHarness, Counted, Seeded]]:
    url = f"sqlite+aiosqlite:///{tmp_path / f'bot-{sager}-{members}.sqlite3'}"
    engine = make_engine(url)
    async with engine.begin() as conn:
        await conn.run_sync(SQLModel.metadata.create_all)
    factory = make_session_factory(engine)
    clock = FrozenClock()
    seeded = await seed(SqlUnitOfWork(factory), clock(), sager=sager, members=members)
    counted = Counted()
    event.listen(engine.sync_engine, "before_cursor_execute", counted)
    session = RecordingSession()
    dp = build_dispatcher(
        storage=SqlStorage(factory),
        uow_factory=lambda: SqlUnitOfWork(factory),
        i18n=make_i18n("da"),
        config=ChatConfig(clock=clock, invite_ttl=timedelta(days=7)),
        admin_ids=frozenset({ADMIN_TG}),
    )
    try:
        yield ChatHarness(dispatcher=dp, bot=make_bot(session), session=session), counted, seeded
    finally:
        await engine.dispose()


def _last_message(calls: list[Sent]) -> Sent:
    return [c for c in calls if c.method == "sendMessage"][-1]


async def _counts(tmp_path: Path, sager: int, members: int) -> dict[str, int]:
    """Statements per update, after one warm-up of each (the first contact registers)."""
    counts: dict[str, int] = {}
    bots = _bot(tmp_path, sager, members)
    chat, counted, seeded = await anext(bots)
    try:
        for user, who in ((MEMBER, "member"), (SECRETARY, "secretary")):
            await chat.send(user, "/start")
            overview = _last_message(await chat.send(user, "/dagsorden"))
            with counted.update() as seen:
                await chat.send(user, "/start")
            counts[f"start/{who}"] = len(seen)
            with counted.update() as seen:
                overview = _last_message(await chat.send(user, "/dagsorden"))
            assert f"Sag nummer {sager} om" in (overview.text or "")
            counts[f"dagsorden/{who}"] = len(seen)
            data = PunktCb(action="open", punkt_id=seeded.sag_ids[0], version=1).pack()
            with counted.update() as seen:
                opened = await chat.press(user, overview, data)
            assert "Hvad koster det?" in "\n".join(chat.texts(opened))
            counts[f"open/{who}"] = len(seen)
    finally:
        await bots.aclose()
    return counts


@pytest.mark.parametrize("sager,members", [(15, 5), (3, 200), (15, 200)])
async def test_statements_do_not_grow_with_punkter_or_members(
    tmp_path: Path, sager: int, members: int
) -> None:
    small = await _counts(tmp_path, 3, 5)
    large = await _counts(tmp_path, sager, members)
    assert large == small
    for key, count in small.items():
        assert count <= LIMITS[key.split("/")[0]], (key, count)
