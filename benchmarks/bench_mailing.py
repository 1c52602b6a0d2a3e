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
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the tests' helpers

from tests.e2e.world import running_world

TELEGRAM_RATE = 30.0


def peak_memory_kib(pid: int) -> int:
    """The process's high-water mark of resident memory (Linux /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


async def main(members: int, rate: float) -> None:
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        async with running_world("polling", workdir, {"DELIVERY_RATE": str(rate)}) as world:
            emu, bot = world.emu, world.bot  # stopped when the world closes
            committee = await world.setup_committee()
            await world.setup_meeting()
            users = [
                await emu.client.create_user(f"Medlem {i:04d}", started=True)
                for i in range(members)
            ]
            world.add_members(users)
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
