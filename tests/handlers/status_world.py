"""What the status handler tests share: a second tovholder and a formand, a plan by upload, the
real delivery worker over the outbox (only what is due on the test's clock), and queries."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import text

from bot.i18n import make_i18n, texts_for
from bot.workers.delivery import DeliveryConfig, DeliveryWorker
from handlers.callbacks import pack_button
from storage.engine import make_engine, make_session_factory
from storage.outbox_queue import OutboxQueue
from storage.uow import SqlUnitOfWork
from tests.handlers.conftest import SECRETARY, invite_token
from tests.support.clock import FrozenClock
from tests.support.recording import ChatHarness, Sent, TgUser

BO = TgUser(id=6006, first_name="Bo", last_name="Berg", username="bo")
FORMAND = TgUser(id=3004, first_name="Lene", last_name="Holm", username="lene")
FAST = DeliveryConfig(
    rate=1000, private_interval=0.0, group_interval=0.0, backoff_base=0.01, poll_interval=0.01
)


def only(calls: list[Sent], method: str = "sendMessage") -> list[Sent]:
    return [c for c in calls if c.method == method]


def to(calls: list[Sent], user: TgUser, method: str = "sendMessage") -> list[Sent]:
    return [c for c in calls if c.method == method and c.chat_id == user.id]


async def join(chat: ChatHarness, user: TgUser, role: str) -> None:
    [link] = await chat.send(SECRETARY, f"/inviter BEU {role}")
    [welcome] = await chat.send(user, f"/start {invite_token(link.text or '')}")
    assert "Velkommen" in (welcome.text or ""), welcome.text


async def import_plan(chat: ChatHarness, csv: bytes, name: str = "Handleplan for ensomhed") -> int:
    [offer] = only(await chat.send_document(SECRETARY, "plan.csv", csv, "text/csv"))
    only(await chat.press(SECRETARY, offer, offer.button("BEU")))
    [done] = only(await chat.send(SECRETARY, name))
    body = done.text or ""
    assert "er oprettet" in body, body
    return int(body.split("som plan ")[1].split()[0])


async def rows(
    uow_factory: Callable[[], SqlUnitOfWork], query: str, **params: object
) -> list[tuple[object, ...]]:
    async with uow_factory() as uow:
        return [tuple(r) for r in (await uow.session.execute(text(query), params)).all()]


async def deliver(chat: ChatHarness, database_url: str, clock: FrozenClock) -> list[Sent]:
    """Run the delivery worker until every row due on ``clock`` is sent; what it sent."""
    engine = make_engine(database_url)
    queue = OutboxQueue(make_session_factory(engine))
    factory = lambda: SqlUnitOfWork(make_session_factory(engine))  # noqa: E731
    before = len(chat.session.calls)
    worker = DeliveryWorker(
        chat.bot, queue, FAST, texts_for(make_i18n("da")), pack_button, clock=clock
    )
    worker.start()
    try:
        for _ in range(2000):
            due = await rows(
                factory,
                "SELECT COUNT(*) FROM outbox WHERE status IN ('pending', 'sending')"
                " AND not_before <= :now",
                now=clock().strftime("%Y-%m-%d %H:%M:%S.%f"),
            )
            if due == [(0,)]:
                break
            await asyncio.sleep(0.01)
        else:
            raise AssertionError("the outbox did not drain")
    finally:
        await worker.stop()
        await engine.dispose()
    return chat.session.calls[before:]


def prompts(calls: list[Sent], user: TgUser) -> list[Sent]:
    """The round prompts among ``calls`` to ``user``: a list of indsatser with their progress
    and the "🏖" button (whatever sent it: the outbox or a handler)."""
    return [
        c
        for c in to(calls, user)
        if "besvaret" in (c.text or "") and any("Jeg er på ferie" in b for b, _ in c.buttons())
    ]


def edits(calls: list[Sent], message_id: int | None) -> list[Sent]:
    return [c for c in calls if c.method == "editMessageText" and c.message_id == message_id]


#: The test clock's day plus ``days``, as "d/m" a tovholder types.
def day_month(clock: FrozenClock, days: int) -> str:
    day = (clock() + timedelta(days=days)).date()
    return f"{day.day}/{day.month}"
