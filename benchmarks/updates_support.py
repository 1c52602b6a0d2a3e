"""Helpers of ``bench_updates.py``: the database and its seeded udvalg, the two bot processes, what
``/proc`` says of them, and the emulator's record of what each bot sent.

The emulator runs in the benchmark's own event loop (as in the end-to-end tests); updates are
injected in-process with the emulator's own actions, so an update's time is taken on the clock the
emulator's call log uses.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import signal
import subprocess
import sys
from bisect import bisect_left
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg

from agendas.model import SYSTEM_ACTOR, Membership, Person, Role
from agendas.services import committees, meetings, punkter
from agendas.services.punkter import SagDraft
from bot.settings import Settings
from bot_api_emulator.core import Emulator
from bot_api_emulator.state import User
from storage.engine import make_engine, make_session_factory
from storage.migrate import upgrade_async
from storage.uow import SqlUnitOfWork

ROOT = Path(__file__).resolve().parents[1]
PG_ADMIN = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
ZONE = "Europe/Copenhagen"
CODE = "BEU"
#: Every setting the bot reads: none may leak in from the developer's environment.
SETTINGS_VARS = frozenset(name.upper() for name in Settings.model_fields)
READY = ") ready"  # both bots log "Bot @%s (id %s) ready" once started
CLOCK_TICK = os.sysconf("SC_CLK_TCK")

KERNE = (
    "Forvaltningen foreslår, at den jobrettede indsats for unge under 30 år samles i ét "
    "ungeteam i Jobcenteret, så den enkelte unge har én kontaktperson på tværs af ydelser. "
) * 3
INDSTILLING = (
    "Social- og Sundhedsforvaltningen indstiller, at udvalget godkender modellen fra 1. april, "
    "og at der afsættes 0,5 mio. kr. til opkvalificering af medarbejderne."
)


# --- the database ---------------------------------------------------------------------------------


def postgres_reachable() -> bool:
    try:
        psycopg.connect(PG_ADMIN, connect_timeout=3).close()
    except psycopg.OperationalError:
        return False
    return True


@contextlib.contextmanager
def database(kind: str, folder: Path) -> Iterator[str]:
    """An empty database: a SQLite file in ``folder``, or a fresh PostgreSQL database (as the
    tests make them, ``udvalgsbot_bench_<random>``) dropped afterwards."""
    if kind == "sqlite":
        yield f"sqlite+aiosqlite:///{folder / 'bot.sqlite3'}"
        return
    name = f"udvalgsbot_bench_{secrets.token_hex(4)}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    try:
        base = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


async def seed(url: str, secretary: User, members: Sequence[User], punkter_count: int) -> None:
    """Migrate, then the udvalg BEU with a secretary, ``members`` members and one coming meeting
    of ``punkter_count`` punkter (the three standard ones and sager), through the services."""
    await upgrade_async(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)

    def uow() -> SqlUnitOfWork:
        return SqlUnitOfWork(factory)

    now = datetime.now(UTC)
    try:
        name, forvaltning = "Beskæftigelsesudvalget", "Social- og Sundhedsforvaltningen"
        udvalg = await committees.create_udvalg(uow(), SYSTEM_ACTOR, CODE, name, forvaltning, now)
        async with uow() as work:
            for user, role in [(secretary, Role.SEKRETAER)] + [(m, Role.MEDLEM) for m in members]:
                # Known by the name Telegram sends (as after their first update), so the
                # measured updates are the steady state: a first contact's one-time write of
                # the person's Telegram name is not what every update costs.
                full_name = " ".join(filter(None, [user.first_name, user.last_name]))
                person = await work.persons.add(Person(user.id, full_name, user.username))
                await work.memberships.add(Membership(person.id or 0, udvalg.id or 0, role, "A"))
            await work.commit()
        day = datetime.now(ZoneInfo(ZONE)).date() + timedelta(days=30)
        moede, _ = await meetings.create_moede(
            uow(), SYSTEM_ACTOR, CODE, day, time(14, 0), "Rådhuset", now, ZONE
        )
        for n in range(punkter_count - 3):
            draft = SagDraft(
                title=f"Sag {n + 1}: ny model for ungeindsatsen",
                sections={"sagens_kerne": KERNE, "indstilling": INDSTILLING},
            )
            await punkter.add_sag(uow(), SYSTEM_ACTOR, moede.id or 0, draft, now)
    finally:
        await engine.dispose()


# --- the processes --------------------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    """CPU time the process's threads have run, in nanoseconds from the scheduler
    (``/proc/<pid>/task/*/schedstat``), summed; ``/proc/<pid>/stat`` counts in 10 ms ticks,
    too coarse to subtract a few seconds of idle time from a window of a few hundred updates.
    Falls back to the ticks where schedstat is missing."""
    total, found = 0, False
    with contextlib.suppress(FileNotFoundError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            with contextlib.suppress(FileNotFoundError, ProcessLookupError):
                total += int((task / "schedstat").read_text().split()[0])
                found = True
    if found:
        return total / 1e9
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICK


def memory_mib(pid: int, key: str = "VmRSS") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{key}:"):
            return int(line.split()[1]) / 1024
    return 0.0


@dataclass
class BotUnderTest:
    """One of the two bots: its command line and environment, started fresh for every run."""

    name: str
    argv: list[str]
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen[bytes] | None = None
    runs: int = field(default=0)

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def start(self) -> None:
        inherited = {k: v for k, v in os.environ.items() if k.upper() not in SETTINGS_VARS}
        environment = {
            **inherited,
            **self.env,
            "PYTHONUNBUFFERED": "1",
            # The checkout this script is in, also when another copy is installed.
            "PYTHONPATH": os.pathsep.join([str(ROOT), inherited.get("PYTHONPATH", "")]),
        }
        self.runs += 1
        with self.log_path.open("ab") as log:
            log.write(f"\n--- run {self.runs}\n".encode())
            log.flush()
            self.process = subprocess.Popen(
                self.argv, cwd=self.log_path.parent, env=environment, stdout=log, stderr=log
            )

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    async def stop(self) -> None:
        """SIGINT (Ctrl-C) and wait; killed if it does not stop within 20 s."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)
        for _ in range(400):
            if self.process.poll() is not None:
                return
            await asyncio.sleep(0.05)
        self.process.kill()
        self.process.wait(10)

    def signal(self, number: int) -> None:
        if self.process is not None:
            self.process.send_signal(number)


def our_bot(env: dict[str, str], folder: Path, profile: Path | None = None) -> BotUnderTest:
    """``udvalgsbot run`` with its production defaults except the scheduler (off: its watch job
    would run inside the measured window); the outbox worker polls as in production."""
    argv = [sys.executable, "-m", "bot", "run"]
    if profile is not None:
        argv = [sys.executable, str(ROOT / "benchmarks" / "profiled_bot.py"), str(profile)]
    return BotUnderTest(
        "ours", argv, {**env, "SCHEDULER_ENABLED": "false", "LOG_LEVEL": "INFO"},
        folder / "ours.log",
    )  # fmt: skip


def bare_bot(env: dict[str, str], folder: Path, replies: Path) -> BotUnderTest:
    argv = [sys.executable, str(ROOT / "benchmarks" / "bare_bot.py"), str(replies)]
    return BotUnderTest("bare", argv, env, folder / "bare.log")


def floor_bot(env: dict[str, str], folder: Path, replies: Path) -> BotUnderTest:
    """The bare bot plus the storage stack (``benchmarks/floor_bot.py``); ``env`` has the
    database."""
    argv = [sys.executable, str(ROOT / "benchmarks" / "floor_bot.py"), str(replies)]
    return BotUnderTest("floor", argv, env, folder / "floor.log")


# --- what the emulator saw ------------------------------------------------------------------------


def now(emu: Emulator) -> float:
    """Seconds on the clock of the emulator's call log."""
    return emu.clock() - emu.started_at


def replies_since(emu: Emulator, start: int, chats: set[str]) -> list[tuple[float, str]]:
    """(time, chat) of every sendMessage accepted since call number ``start`` to ``chats``."""
    return [
        (c.t, c.chat_id)
        for c in emu.calls[start:]
        if c.method == "sendmessage" and c.status == 200 and c.chat_id in chats
    ]


async def wait_replies(
    emu: Emulator,
    start: int,
    chats: set[str],
    expected: int,
    bot: BotUnderTest,
    stall: float = 45.0,
) -> list[tuple[float, str]]:
    """Wait until ``expected`` replies arrived, or none came for ``stall`` seconds (an update the
    bot failed on gets no reply: the caller counts what is missing); raises when the bot died."""
    loop = asyncio.get_running_loop()
    last_progress = loop.time()
    seen = start
    count = 0
    while count < expected:
        new = len(replies_since(emu, seen, chats))  # only the new part of the call log
        seen = len(emu.calls)
        if new:
            count += new
            last_progress = loop.time()
        elif not bot.alive():
            raise SystemExit(f"the {bot.name} bot exited:\n{bot.log()[-3000:]}")
        elif loop.time() - last_progress > stall:
            print(f"  {bot.name}: {expected - count} of {expected} replies missing "
                  f"(none for {stall:.0f} s; see {bot.log_path})")  # fmt: skip
            break
        await asyncio.sleep(0.01)
    return replies_since(emu, start, chats)


def latencies(sent: list[tuple[float, str]], replies: list[tuple[float, str]]) -> list[float]:
    """Per injected update (time, chat): seconds to the first reply in that chat after it."""
    by_chat: dict[str, list[float]] = {}
    for t, chat in replies:
        by_chat.setdefault(chat, []).append(t)
    result = []
    for t, chat in sent:
        times = by_chat.get(chat, [])
        i = bisect_left(times, t)
        if i < len(times):
            result.append(times[i] - t)
    return result


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))
    return ordered[int(rank) - 1]
