"""Three bot processes on one PostgreSQL database mail an agenda to 1,000 members through the
emulator in limits mode (Telegram's 30 messages/s overall, 1/s per chat, 429 beyond), and one of
them is killed (SIGKILL) in the middle of the mailing.

The processes share one send rate (bot/workers/rate.py, the ``send_bucket`` row in PostgreSQL)
at the default ``DELIVERY_RATE`` of 25/s: Telegram never answers 429, every member is served
exactly once (outside the accept-then-crash gap documented in bot/workers/delivery.py and the
README: a message in flight at the kill may arrive twice), and the mailing takes at most 1.3
times the floor Telegram's 30 messages/s allow (issue 17, item 5). A take of the shared rate
books the next turn, so the three keep the whole 25/s between them (1.2 times the floor); each
holds only about two seconds of its share, and a short lease lets the survivors send the killed
process's few claims within seconds.

The processes run in webhook mode, each on its own port (three pollers would end each other's
getUpdates with 409): the last one to register its webhook gets the updates; all three run
their outbox workers. Wall time is taken on the emulator's clock, from /udsend to the last
accepted message, as in benchmarks/bench_mailing.py.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from bot_api_emulator import EmuUser, running_emulator
from storage import migrate
from storage.engine import sync_url
from tests.e2e.world import (
    E2E_CONFIG,
    LISTENING,
    READY,
    SETTINGS_VARS,
    WEBHOOK_PATH,
    WEBHOOK_SECRET,
    World,
    free_port,
)
from tests.support.botprocess import BotProcess
from tests.support.databases import pg_database

pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.serial]

PROCESSES = 3
MEMBERS = 1000
TELEGRAM_RATE = 30.0  # the emulator's (Telegram's) overall limit, messages per second
SENDS = ("sendmessage", "senddocument")
#: Starting is not what is measured: three processes importing at once on a busy machine.
STARTUP = 240.0


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh database, migrated before the processes start (so they do not race to)."""
    with pg_database("udvalgsbot_e2e_") as url:
        migrate.upgrade(url)
        yield url


def _connect(url: str) -> psycopg.Connection[tuple[Any, ...]]:
    plain = sync_url(url).set(drivername="postgresql")
    return psycopg.connect(plain.render_as_string(hide_password=False), autocommit=True)


def _add_members(url: str, users: list[EmuUser]) -> None:
    """Members of BEU stored as the invite flow would leave them (as World.add_members)."""
    with _connect(url) as db:
        udvalg = db.execute("SELECT id FROM udvalg WHERE code = 'BEU'").fetchone()
        assert udvalg is not None
        db.execute(
            "WITH p AS (INSERT INTO person (telegram_id, name, is_admin, name_fixed, created_at) "
            "SELECT t, n, false, false, now() FROM unnest(%s::bigint[], %s::text[]) AS x(t, n) "
            "RETURNING id) "
            "INSERT INTO membership (person_id, udvalg_id, role, created_at) "
            "SELECT id, %s, 'medlem', now() FROM p",
            ([u.id for u in users], [u.first_name for u in users], udvalg[0]),
        )


def _sent(url: str) -> int:
    with _connect(url) as db:
        row = db.execute("SELECT count(*) FROM outbox WHERE status = 'sent'").fetchone()
        return int(row[0]) if row else 0


def _outbox(url: str) -> list[tuple[int, int, str]]:
    """(row id, chat id, status) of every outbox row."""
    with _connect(url) as db:
        return [
            (int(i), int(c), str(s))
            for i, c, s in db.execute("SELECT id, chat_id, status FROM outbox ORDER BY id")
        ]


async def test_three_processes_one_rate_through_a_kill(tmp_path: Path, pg_url: str) -> None:
    async with running_emulator(config=E2E_CONFIG) as emu:
        admin = await emu.client.create_user("Anna", last_name="Admin", username="annaadmin")
        bots: list[BotProcess] = []
        for n in range(PROCESSES):
            port = free_port()
            env = {
                "BOT_TOKEN": emu.token,
                "TELEGRAM_API_BASE": emu.base_url,
                "DATABASE_URL": pg_url,
                "ADMIN_IDS": str(admin.id),
                "LOG_LEVEL": "INFO",
                "WEBHOOK_BASE_URL": f"http://127.0.0.1:{port}",
                "WEBHOOK_SECRET": WEBHOOK_SECRET,
                "WEBHOOK_PORT": str(port),
                "WEBHOOK_PATH": WEBHOOK_PATH,
                # The default DELIVERY_RATE (25/s) for all three; a short lease, so the
                # killed process's claims are sent again within seconds.
                "DELIVERY_LEASE_SECONDS": "6",
                "DELIVERY_POLL_SECONDS": "0.2",
            }
            bots.append(
                BotProcess(
                    env=env,
                    log_path=tmp_path / f"bot{n}.log",
                    args=["run", "--webhook"],
                    cwd=tmp_path,
                    unset=SETTINGS_VARS,
                )
            )
        try:
            for bot in bots:
                bot.start()
            for bot in bots:
                await bot.wait_for_log(READY, timeout=STARTUP)
                await bot.wait_for_log(LISTENING, timeout=STARTUP)
            await _mail_and_kill(emu, bots, admin, tmp_path, pg_url)
        finally:
            await asyncio.gather(*(_stop(bot) for bot in bots))


async def _stop(bot: BotProcess) -> None:
    with contextlib.suppress(AssertionError):
        await bot.stop()


async def _mail_and_kill(
    emu: Any, bots: list[BotProcess], admin: EmuUser, workdir: Path, pg_url: str
) -> None:
    world = World("webhook", emu, bots[-1], admin, workdir / "unused.sqlite3", None)
    committee = await world.setup_committee()
    await world.setup_meeting()
    users: list[EmuUser] = []
    for chunk in range(0, MEMBERS, 50):
        users += await asyncio.gather(
            *(
                emu.client.create_user(f"Medlem {i:04d}", started=True)
                for i in range(chunk, min(MEMBERS, chunk + 50))
            )
        )
    await asyncio.to_thread(_add_members, pg_url, users)
    everyone = {u.id for u in users} | {committee.secretary.id, committee.member.id}

    def emu_now() -> float:
        return time.monotonic() - emu.emulator.started_at

    async def accepted() -> list[dict[str, Any]]:
        return [
            c
            for c in await emu.client.calls()
            if c["method"] in SENDS and c["status"] == 200 and int(str(c["chat_id"])) in everyone
        ]

    await emu.client.set_limits(enabled=True, reset=True)
    started = emu_now()
    await emu.client.send_text(committee.secretary, "/udsend")
    while not (rows := await asyncio.to_thread(_outbox, pg_url)):  # noqa: ASYNC110
        await asyncio.sleep(0.05)
    expected = len(rows)
    assert expected >= len(everyone)

    # Midway: SIGKILL one process (not the one that takes the updates) while all three send.
    # Progress is read from the outbox, not from the emulator's call log: serving that long
    # log runs in the emulator's own loop and would hold up the bots' requests meanwhile.
    while await asyncio.to_thread(_sent, pg_url) < expected // 2:  # noqa: ASYNC110
        await asyncio.sleep(0.25)
    await bots[1].kill()
    killed_after = await asyncio.to_thread(_sent, pg_url)
    at_kill = await asyncio.to_thread(_outbox, pg_url)
    in_flight = {row_id for row_id, _, status in at_kill if status == "sending"}
    assert any(status != "sent" for _, _, status in at_kill), "the kill came after the mailing"

    loop = asyncio.get_running_loop()
    deadline = loop.time() + 3 * expected / TELEGRAM_RATE
    while True:
        rows = await asyncio.to_thread(_outbox, pg_url)
        if all(status == "sent" for _, _, status in rows):
            break
        statuses = Counter(status for _, _, status in rows)
        assert loop.time() < deadline, f"not all sent: {statuses}"
        await asyncio.sleep(0.25)
    await asyncio.sleep(1.0)  # a late duplicate would show up now
    calls = [c for c in await accepted() if float(c["t"]) >= started]
    wall = max(float(c["t"]) for c in calls) - started

    # Zero 429s: the three together kept under Telegram's limits.
    limits = await emu.client.limits()
    log = await emu.client.calls()
    refused = {str(c["chat_id"]) for c in log if c["status"] == 429}
    context = [c for c in log if str(c["chat_id"]) in refused]
    assert int(limits.get("refused", 0)) == 0, (limits, context)
    assert not refused

    # Everyone served exactly once; a second copy only of a row that was in flight at the kill.
    # (The secretary also has the reply to /udsend, which is no outbox row.)
    per_chat = Counter(int(str(c["chat_id"])) for c in calls)
    per_chat[committee.secretary.id] -= 1
    rows_per_chat = Counter(chat for _, chat, _ in rows)
    assert set(rows_per_chat) == everyone
    missing = [chat for chat in everyone if per_chat[chat] < rows_per_chat[chat]]
    assert missing == [], f"{len(missing)} people not served"
    twice = [chat for chat in everyone if per_chat[chat] > rows_per_chat[chat]]
    in_flight_chats = Counter(chat for row_id, chat, _ in rows if row_id in in_flight)
    for chat in twice:
        assert per_chat[chat] - rows_per_chat[chat] <= in_flight_chats[chat], (
            f"chat {chat} got a message twice, but none of its rows was in flight at the kill"
        )

    # Issue 17: at most 1.3 times the floor Telegram's 30 messages/s allow (25/s takes 1.2 times
    # it). The busiest second is the margin under Telegram's 30.
    floor = expected / TELEGRAM_RATE
    times = sorted(float(c["t"]) for c in calls)
    busiest = max(bisect.bisect_left(times, t + 1.0) - i for i, t in enumerate(times))
    print(
        f"\n{PROCESSES} processes, {expected} messages, one killed after {killed_after}: "
        f"wall {wall:.1f} s, floor {floor:.1f} s, ratio {wall / floor:.2f}, "
        f"429s {limits.get('refused', 0)}, busiest second {busiest}, sent twice {len(twice)}, "
        f"in flight at the kill {len(in_flight)}"
    )
    assert wall <= 1.3 * floor, f"{expected} messages in {wall:.1f} s, floor {floor:.1f} s"
    for bot in (bots[0], bots[2]):
        assert "Traceback" not in bot.log(), bot.log()[-3000:]
