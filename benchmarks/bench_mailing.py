"""Mail an agenda to 1,000 members through the real bot process and the emulator in limits mode.

Run: .venv/bin/python benchmarks/bench_mailing.py [--members 1000] [--rate 25]

The emulator enforces Telegram's flood limits (30 messages/s overall, 1/s per private chat) and
answers 429 when they are broken. The bot runs with its default delivery settings (``--rate``
sets DELIVERY_RATE). Each member gets the summary and the .ics: two messages, so the floor the
limits allow is (2 x members) / 30 s; the issue's "members / 30 s" floor is printed too.

Prints the wall time from /udsend to the last accepted message, the number of 429 answers, the
ratios to both floors, and the bot process's peak memory (VmHWM). No assertions.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the tests' helpers

from bot.emulator import EmuUser, running_emulator
from tests.e2e.world import E2E_CONFIG, SETTINGS_VARS, World
from tests.support.botprocess import BotProcess

TELEGRAM_RATE = 30.0


def peak_memory_kib(pid: int) -> int:
    """The process's high-water mark of resident memory (Linux /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def add_members(world: World, users: list[EmuUser]) -> None:
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    with contextlib.closing(sqlite3.connect(world.db_path, timeout=10)) as db:
        udvalg_id = db.execute("SELECT id FROM udvalg WHERE code = 'BEU'").fetchone()[0]
        for user in users:
            cursor = db.execute(
                "INSERT INTO person (telegram_id, name, is_admin, created_at) VALUES (?, ?, 0, ?)",
                (user.id, user.first_name, now),
            )
            db.execute(
                "INSERT INTO membership (person_id, udvalg_id, role, created_at) "
                "VALUES (?, ?, 'medlem', ?)",
                (cursor.lastrowid, udvalg_id, now),
            )
        db.commit()


async def main(members: int, rate: float) -> None:
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        async with running_emulator(config=E2E_CONFIG) as emu:
            admin = await emu.client.create_user("Anna", username="annaadmin")
            db_path = workdir / "bot.sqlite3"
            bot = BotProcess(
                env={
                    "BOT_TOKEN": emu.token,
                    "TELEGRAM_API_BASE": emu.base_url,
                    "DATABASE_URL": f"sqlite+aiosqlite:///{db_path}",
                    "ADMIN_IDS": str(admin.id),
                    "LOG_LEVEL": "WARNING",
                    "DELIVERY_RATE": str(rate),
                },
                log_path=workdir / "bot.log",
                cwd=workdir,
                unset=SETTINGS_VARS,
            )
            world = World("polling", emu, bot, admin, db_path, None)
            bot.env["LOG_LEVEL"] = "INFO"  # the start is detected from the log
            await world.start_bot()
            try:
                committee = await world.setup_committee()
                await world.setup_meeting()
                users = [
                    await emu.client.create_user(f"Medlem {i:04d}", started=True)
                    for i in range(members)
                ]
                add_members(world, users)
                everyone = {u.id for u in users} | {committee.secretary.id, committee.member.id}
                expected = 2 * len(everyone)

                await emu.client.set_limits(enabled=True, reset=True)
                await emu.client.send_text(committee.secretary, "/udsend")
                started = time.perf_counter()
                last = started
                while True:
                    calls = [
                        c
                        for c in await emu.client.calls()
                        if c["method"] in ("sendmessage", "senddocument")
                        and c["status"] == 200
                        and int(str(c["chat_id"])) in everyone
                    ]
                    if len(calls) >= expected:
                        last = time.perf_counter()
                        break
                    if time.perf_counter() - started > 20 * expected / TELEGRAM_RATE:
                        raise SystemExit(f"only {len(calls)} of {expected} messages arrived")
                    await asyncio.sleep(0.25)
                wall = last - started
                limits = await emu.client.limits()
                refused = int(limits.get("refused", 0))
                peak = peak_memory_kib(bot.process.pid) if bot.process else 0
            finally:
                await bot.stop()

    floor_messages = expected / TELEGRAM_RATE
    floor_issue = members / TELEGRAM_RATE
    print(f"members:                 {members} (+ secretary and one member from the invite flow)")
    print(f"messages:                {expected} (summary + .ics each)")
    print(f"delivery rate setting:   {rate}/s")
    print(f"wall time:               {wall:.1f} s")
    print(f"429 answers:             {refused} {dict(limits.get('refused_by_rule') or {})}")
    print(f"floor, these messages:   {floor_messages:.1f} s -> ratio {wall / floor_messages:.2f}")
    print(f"floor, members / 30 s:   {floor_issue:.1f} s -> ratio {wall / floor_issue:.2f}")
    print(f"bot peak memory (VmHWM): {peak / 1024:.1f} MiB")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=25.0)
    args = parser.parse_args()
    asyncio.run(main(args.members, args.rate))
