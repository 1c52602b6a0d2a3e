"""Mail an agenda to 1,000 members through the real bot process and the emulator in limits mode.

Run: .venv/bin/python benchmarks/bench_mailing.py [--members 1000] [--rate 25] [--sager 0]

The emulator enforces Telegram's flood limits (30 messages/s overall, 1/s per private chat) and
answers 429 when they are broken. The bot runs with its default delivery settings (``--rate``
sets DELIVERY_RATE). The agenda is the meeting as /nytmoede creates it (godkendelse af
dagsorden, eventuelt): its summary fits a caption, so each member gets one message, the .ics
with the summary as its caption. The baseline is the floor Telegram's 30 messages/s allow for
the messages sent (members / 30 s here). ``--sager N`` adds N sager with a realistic sagens kerne
and indstilling: from two on, the summary outgrows a caption and each member gets the summary and
then the .ics, two messages; the ratio to the floor of the messages sent is printed for both.

Prints the wall time from /udsend to the last accepted message, the number of 429 answers, the
ratios to both floors, and the bot process's peak memory (VmHWM). No assertions.

The baseline, "Telegram's floor", is not a program but the least time Telegram's limits allow, so
it cannot be made slow to flatter us; the target is a ratio under 1.3 to the floor of the messages
sent (at the default 25/s the bot keeps a margin under 30/s: 30/25 = 1.2 is the ideal), with no
429. A worker that stalls, retries or is throttled crosses it.
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

from tests.e2e.world import World, running_world

TELEGRAM_RATE = 30.0
BASELINE = "Telegram's floor (30 messages/s)"
TARGET = 1.3


def memory_kib(pid: int, field: str = "VmHWM") -> int:
    """The process's resident memory (VmRSS) or its high-water mark (VmHWM), from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    return 0


KERNE = (
    "Forvaltningen foreslår, at den jobrettede indsats for unge under 30 år samles i ét "
    "ungeteam i Jobcenteret, så den enkelte unge har én kontaktperson på tværs af ydelser. "
) * 4
INDSTILLING = (
    "Social- og Sundhedsforvaltningen indstiller, at udvalget godkender modellen fra 1. april, "
    "og at der afsættes 0,5 mio. kr. til opkvalificering af medarbejderne."
)


def add_sager(world: World, count: int) -> None:
    """``count`` sager on the meeting, stored as /nysag would leave them."""
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    with contextlib.closing(sqlite3.connect(world.db_path, timeout=10)) as db:
        moede_id, top = db.execute("SELECT moede_id, max(position) FROM punkt").fetchone()
        for n in range(count):
            db.execute(
                "INSERT INTO punkt (moede_id, kind, position, number, title, closed, "
                "beslutningskompetence, journal_number, sagens_kerne, indstilling, version, "
                "updated_at) VALUES (?, 'sag', ?, 0, ?, 0, 'BEU', '', ?, ?, 1, ?)",
                (moede_id, top + 1 + n, f"Sag {n + 1}: ny model for ungeindsatsen", KERNE,
                 INDSTILLING, now),
            )  # fmt: skip
        db.commit()


async def main(members: int, rate: float, sager: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        async with running_world("polling", workdir, {"DELIVERY_RATE": str(rate)}) as world:
            emu, bot = world.emu, world.bot  # stopped when the world closes
            committee = await world.setup_committee()
            await world.setup_meeting()
            add_sager(world, sager)
            users = [
                await emu.client.create_user(f"Medlem {i:04d}", started=True)
                for i in range(members)
            ]
            world.add_members(users)
            everyone = {u.id for u in users} | {committee.secretary.id, committee.member.id}

            await emu.client.set_limits(enabled=True, reset=True)
            pid = bot.process.pid if bot.process else 0
            before = memory_kib(pid, "VmHWM") if pid else 0

            # Times on the emulator's clock (in this process): the calls it logs carry them.
            def emu_now() -> float:
                return time.monotonic() - emu.emulator.started_at

            started = emu_now()
            await emu.client.send_text(committee.secretary, "/udsend")
            # The release commits the whole mailing at once.
            while not (expected := world.count("SELECT count(*) FROM outbox")):  # noqa: ASYNC110
                await asyncio.sleep(0.02)
            queued = emu_now() - started
            while True:
                calls = [
                    c
                    for c in await emu.client.calls()
                    if c["method"] in ("sendmessage", "senddocument")
                    and c["status"] == 200
                    and int(str(c["chat_id"])) in everyone
                    and float(c["t"]) >= started
                ]
                if len(calls) >= expected:
                    break
                if emu_now() - started > 20 * expected / TELEGRAM_RATE:
                    raise SystemExit(f"only {len(calls)} of {expected} messages arrived")
                await asyncio.sleep(1.0)  # the call log is long: look now and then
            first = min(float(c["t"]) for c in calls) - started
            wall = max(float(c["t"]) for c in calls) - started
            limits = await emu.client.limits()
            refused = int(limits.get("refused", 0))
            peak = memory_kib(pid) if pid else 0

    floor_messages = expected / TELEGRAM_RATE
    floor_issue = members / TELEGRAM_RATE
    print(f"members:                 {members} (+ secretary and one member from the invite flow)")
    print(f"agenda:                  the meeting's own punkter and {sager} sag(er)")
    print(f"messages:                {expected} ({expected / len(everyone):.2f} per person)")
    print(f"delivery rate setting:   {rate}/s")
    print(f"wall time:               {wall:.1f} s")
    print(f"  mailing queued after:  {queued:.2f} s (the release's one transaction)")
    print(f"  first message after:   {first:.2f} s")
    print(f"429 answers:             {refused} {dict(limits.get('refused_by_rule') or {})}")
    ratio = wall / floor_messages
    verdict = "met" if ratio < TARGET and refused == 0 else "MISSED"
    print(
        f"floor, these messages:   {floor_messages:.1f} s -> ratio {ratio:.2f}"
        f" (baseline: {BASELINE}; target < {TARGET} and no 429: {verdict})"
    )
    print(f"floor, members / 30 s:   {floor_issue:.1f} s -> ratio {wall / floor_issue:.2f}")
    print(
        f"bot peak memory (VmHWM): {peak / 1024:.1f} MiB (before /udsend {before / 1024:.1f} MiB)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=25.0)
    parser.add_argument("--sager", type=int, default=0)
    args = parser.parse_args()
    asyncio.run(main(args.members, args.rate, args.sager))
