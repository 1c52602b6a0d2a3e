"""Every update against a bare aiogram bot: CPU, latency, burst rate, memory and start-up.

Run: .venv/bin/python benchmarks/bench_updates.py [--quick] [--sqlite | --postgres] [--runs 3]
         [--seconds 10] [--rate 20] [--burst 2000] [--startup] [--profile dagsorden]

Starts the project's Telegram Bot API emulator in this process, seeds an udvalg (BEU) with 200
members and a coming meeting of 15 punkter through the services, and runs two bots against it,
each a fresh process per run:

- **ours**: the real ``udvalgsbot run`` (long polling, the production defaults; the scheduler is
  switched off so its every-minute watch job stays out of the measured window; the outbox worker
  polls as in production and its cost is counted: see "idle CPU");
- **bare**: ``benchmarks/bare_bot.py``, a bare aiogram 3 bot (same aiogram, same emulator) that
  answers each update with exactly the messages ours sent for it (the HTML text and the inline
  keyboard, captured from the emulator on our first run: for ``/dagsorden`` the overview with a
  button per punkt);
- **floor**: ``benchmarks/floor_bot.py``, the bare bot plus the storage stack the product is built
  on and nothing of Udvalgsbot (SQLModel, SQLAlchemy's asyncio layer, the same driver, one table
  mapped onto the seeded ``person`` table, one ``SELECT`` of the sender per update). It has no
  bursts. Its lines (``ratio floor/bare``, ``ratio ours/floor``) show what of ours over the bare
  bot is the stack and what is Udvalgsbot's own.

For ``/dagsorden``, ``/start`` and a button press (a member opens a punkt from the overview) it
prints each bot's CPU per update at a steady 20 updates/s (the CPU time of all the bot
process's threads, in nanoseconds from /proc/<pid>/task/*/schedstat, before and after, less its
idle CPU over the same time, divided by the updates), the
latency p50/p95/p99 at that rate (from injecting the update to the bot's sendMessage arriving,
both on the emulator's clock), and the sustained updates/s of a burst (all updates injected at
once, until the last reply); per process its idle RSS after start (VmRSS 2 s after it answered
its first /start) and the time from launch to its first answered /start. Runs are
interleaved (ours, bare, floor; bare, floor, ours; ...) and each figure is the median of the
runs. Each figure has a line ``ratio ours/bare: N.NN``, and the checks of issue 17's "Done
when" are printed as PASS/FAIL lines; the process never fails for them.

``--startup`` prints what ``udvalgsbot run`` imports before its first update (``-X importtime``,
the packages by import time) and how much memory that takes (``tracemalloc``, RSS), against
aiogram alone. ``--profile KIND`` runs only our bot on SQLite, profiles it (cProfile) over a
steady run of KIND and prints where the time goes.

Updates come from the 200 members in turn, so at 20/s a member sends one every 10 s; PostgreSQL
is 127.0.0.1:5432 (``TEST_POSTGRES_URL``), a fresh database per run of the script.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import signal
import statistics
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the project's packages

from updates_support import (
    BotUnderTest,
    bare_bot,
    cpu_seconds,
    database,
    floor_bot,
    latencies,
    memory_mib,
    now,
    our_bot,
    percentile,
    postgres_reachable,
    seed,
    wait_replies,
)

from bot_api_emulator import EmulatorConfig, running_emulator
from bot_api_emulator.actions import press_button, send_text
from bot_api_emulator.core import Emulator
from bot_api_emulator.state import User

KINDS = ("dagsorden", "start", "button")
LABELS = {"dagsorden": "/dagsorden", "start": "/start", "button": "button (open a punkt)"}
#: The punkt the button press opens: the fourth of the overview (a sag).
PRESSED_ROW = 3


@dataclass
class Options:
    runs: int = 3
    seconds: float = 10.0
    rate: float = 20.0
    burst: int = 2000
    members: int = 200
    punkter: int = 15
    warmup: int = 10
    idle: float = 3.0


@dataclass
class Figures:
    """One bot's figures of one run; lists hold one value per kind of update."""

    launch: float = 0.0
    rss: float = 0.0
    idle_cpu: float = 0.0
    cpu: dict[str, float] = field(default_factory=dict)
    p50: dict[str, float] = field(default_factory=dict)
    p95: dict[str, float] = field(default_factory=dict)
    p99: dict[str, float] = field(default_factory=dict)
    burst_rate: dict[str, float] = field(default_factory=dict)
    burst_cpu: dict[str, float] = field(default_factory=dict)
    #: Updates of the burst that got no reply (the bot failed on them).
    burst_lost: dict[str, float] = field(default_factory=dict)


class Bench:
    """The emulator, its people and the replies ours sends, shared by every run."""

    def __init__(self, emu: Emulator, members: list[User], options: Options) -> None:
        self.emu = emu
        self.members = members
        self.options = options
        self.chats = {str(m.id) for m in members}
        self.replies: dict[str, list[dict[str, Any]]] = {}
        self.button_data = ""
        self.offset = 0  # the next member to write, so phases spread over everyone

    # -- acting as the members ------------------------------------------------------------------

    def press_target(self, user: User) -> int | None:
        """The newest overview in the member's chat that has the button."""
        for message in reversed(self.emu.state.chat_messages(user.id)):
            rows = (message.reply_markup or {}).get("inline_keyboard") or []
            if message.from_bot and any(
                b.get("callback_data") == self.button_data for row in rows for b in row
            ):
                return message.message_id
        return None

    def writers(self, kind: str, count: int) -> list[tuple[User, int | None]]:
        """``count`` (member, message to press) pairs, the members in turn."""
        targets = {}
        if kind == "button":
            targets = {m.id: self.press_target(m) for m in self.members}
        pool = [m for m in self.members if kind != "button" or targets[m.id] is not None]
        if not pool:
            raise SystemExit("no member has an overview to press a button on")
        chosen = [pool[(self.offset + i) % len(pool)] for i in range(count)]
        self.offset += count
        return [(m, targets.get(m.id)) for m in chosen]

    async def inject(self, kind: str, user: User, message_id: int | None) -> tuple[float, str]:
        sent_at = now(self.emu)
        if kind == "button":
            assert message_id is not None
            await press_button(self.emu.state, user.id, user.id, message_id, data=self.button_data)
        else:
            await send_text(self.emu.state, user.id, f"/{kind}")
        return sent_at, str(user.id)

    def expected(self, kind: str, updates: int) -> int:
        return updates * len(self.replies[kind])

    # -- capturing what ours sends --------------------------------------------------------------

    async def capture(self, kind: str, bot: BotUnderTest) -> list[dict[str, Any]]:
        """The messages the bot sends a member for one update of ``kind``."""
        user = self.members[0]
        message_id = self.press_target(user) if kind == "button" else None
        before = {m.message_id for m in self.emu.state.chat_messages(user.id)}
        start = len(self.emu.calls)
        await self.inject(kind, user, message_id)
        await wait_replies(self.emu, start, {str(user.id)}, 1, bot)
        await asyncio.sleep(0.5)  # the rest of a reply of several messages
        return [
            {"text": m.source, "reply_markup": m.reply_markup}
            for m in self.emu.state.chat_messages(user.id)
            if m.from_bot and m.message_id not in before
        ]

    # -- one run of one bot ---------------------------------------------------------------------

    async def launch(self, bot: BotUnderTest, figures: Figures) -> None:
        """Start the process with a /start waiting; the time until it is answered."""
        self.emu.state.updates.clear()  # nothing left from the previous process
        user = self.members[0]
        start = len(self.emu.calls)
        launched = now(self.emu)
        bot.start()
        await send_text(self.emu.state, user.id, "/start")
        replies = await wait_replies(self.emu, start, {str(user.id)}, 1, bot, stall=120)
        figures.launch = replies[0][0] - launched
        await asyncio.sleep(2.0)
        figures.rss = memory_mib(bot.pid)

    async def steady(self, bot: BotUnderTest, kind: str, figures: Figures, count: int) -> None:
        rate = self.options.rate
        writers = self.writers(kind, count)
        quiet_collector()
        loop = asyncio.get_running_loop()
        start = len(self.emu.calls)
        cpu_before = cpu_seconds(bot.pid)
        began = loop.time()
        sent = []
        for i, (user, message_id) in enumerate(writers):
            delay = began + i / rate - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            sent.append(await self.inject(kind, user, message_id))
        replies = await wait_replies(self.emu, start, self.chats, self.expected(kind, count), bot)
        cpu = cpu_seconds(bot.pid) - cpu_before - figures.idle_cpu * (loop.time() - began)
        waits = latencies(sent, replies)
        figures.cpu[kind] = cpu / count
        figures.p50[kind] = percentile(waits, 50)
        figures.p95[kind] = percentile(waits, 95)
        figures.p99[kind] = percentile(waits, 99)

    async def burst(self, bot: BotUnderTest, kind: str, figures: Figures) -> None:
        count = self.options.burst
        writers = self.writers(kind, count)
        quiet_collector()
        loop = asyncio.get_running_loop()
        start = len(self.emu.calls)
        cpu_before = cpu_seconds(bot.pid)
        began, first = loop.time(), now(self.emu)
        for user, message_id in writers:
            await self.inject(kind, user, message_id)
        expected = self.expected(kind, count)
        replies = await wait_replies(self.emu, start, self.chats, expected, bot)
        figures.burst_lost[kind] = (expected - len(replies)) / len(self.replies[kind])
        cpu = cpu_seconds(bot.pid) - cpu_before - figures.idle_cpu * (loop.time() - began)
        figures.burst_rate[kind] = count / (max(t for t, _ in replies) - first)
        figures.burst_cpu[kind] = cpu / count

    async def run(self, bot: BotUnderTest, capture: str, bursts: bool = True) -> Figures:
        """One fresh process of ``bot`` through every phase (``bursts``: the bursts too).
        ``capture``: "ours" on the very first run (record the replies for the other bots),
        "check" on another bot's first run."""
        figures = Figures()
        try:
            await self.launch(bot, figures)
            if capture:
                await self.capture_all(bot, capture)
            cpu_before = cpu_seconds(bot.pid)
            await asyncio.sleep(self.options.idle)
            figures.idle_cpu = (cpu_seconds(bot.pid) - cpu_before) / self.options.idle
            for kind in KINDS:  # warm-up: the first of each kind loads and caches
                await self.steady(bot, kind, Figures(), self.options.warmup)
            count = int(self.options.rate * self.options.seconds)
            for kind in KINDS:
                await self.steady(bot, kind, figures, count)
            for kind in KINDS if bursts else ():
                await self.burst(bot, kind, figures)
        finally:
            await bot.stop()
        return figures

    async def capture_all(self, bot: BotUnderTest, mode: str) -> None:
        for kind in ("start", "dagsorden", "button"):
            if kind == "dagsorden" and mode == "ours":
                got = await self.capture(kind, bot)
                rows = (got[-1]["reply_markup"] or {}).get("inline_keyboard") or []
                self.button_data = rows[PRESSED_ROW][0]["callback_data"]
                buttons = sum(len(row) for row in rows)
                print(f"  /dagsorden: {len(got)} message(s), {buttons} buttons, "
                      f"{len(got[-1]['text'])} characters of HTML")  # fmt: skip
            else:
                got = await self.capture(kind, bot)
            if mode == "ours":
                self.replies[kind] = got
            elif got != self.replies[kind]:
                print(f"  WARNING: the bare bot's {kind} reply differs from ours")
        if mode == "check":
            print("  the bare bot's replies are the same messages as ours (text and keyboard)")


def quiet_collector() -> None:
    """Keep this process's garbage collector out of the measured window.

    The emulator answers both bots from this process, whose heap (the emulator's state and call
    log, the seeding's imports) is large: a full collection here took 80-110 ms and, landing
    inside a window, showed up as one slow reply of whichever bot was being measured (the p99
    of 80 updates is their slowest). Collecting now and freezing what survives keeps such
    pauses out of every window alike, for both bots."""
    gc.collect()
    gc.freeze()


# --- the report -----------------------------------------------------------------------------------


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def line(label: str, ours: float, bare: float, unit: str, scale: float = 1.0) -> float:
    ratio = ours / bare if bare else float("nan")
    width = 8 if unit != "/s" else 7
    print(
        f"  {label:<34} ours {ours * scale:{width}.2f} {unit:<3} | bare {bare * scale:{width}.2f} "
        f"{unit:<3} | ratio ours/bare: {ratio:.2f}"
    )
    return ratio


def report(title: str, ours: list[Figures], bare: list[Figures], options: Options) -> None:
    def pick(runs: list[Figures], name: str, kind: str | None = None) -> float:
        values = [getattr(f, name) if kind is None else getattr(f, name)[kind] for f in runs]
        return median(values)

    print(f"\n== {title}: median of {len(ours)} interleaved run(s) ==")
    ratios: dict[str, float] = {}
    for kind in KINDS:
        print(LABELS[kind])
        ratios[f"cpu {kind}"] = line(
            f"bot CPU per update, {options.rate:g}/s",
            pick(ours, "cpu", kind), pick(bare, "cpu", kind), "ms", 1000,
        )  # fmt: skip
        for name in ("p50", "p95", "p99"):
            ratios[f"{name} {kind}"] = line(
                f"latency {name} at {options.rate:g}/s",
                pick(ours, name, kind), pick(bare, name, kind), "ms", 1000,
            )  # fmt: skip
        line(
            f"burst of {options.burst}: updates/s",
            pick(ours, "burst_rate", kind), pick(bare, "burst_rate", kind), "/s",
        )  # fmt: skip
        line(
            "bot CPU per update in the burst",
            pick(ours, "burst_cpu", kind), pick(bare, "burst_cpu", kind), "ms", 1000,
        )  # fmt: skip
        lost = [f.burst_lost[kind] for f in ours], [f.burst_lost[kind] for f in bare]
        if any(lost[0]) or any(lost[1]):
            print(f"  {'updates of the burst unanswered':<34} ours {lost[0]} | bare {lost[1]}")
    print("process")
    ratios["rss"] = line("idle RSS after start", pick(ours, "rss"), pick(bare, "rss"), "MiB")
    line("launch to first answered /start", pick(ours, "launch"), pick(bare, "launch"), "s")
    line(
        "idle CPU (polling, outbox worker)",
        pick(ours, "idle_cpu"), pick(bare, "idle_cpu"), "ms", 1000,
    )  # fmt: skip
    print(f"issue 17 targets ({title}):")
    for kind in ("dagsorden", "start"):
        check(
            f"{LABELS[kind]} bot CPU per update at most 2x the bare bot's", ratios[f"cpu {kind}"], 2
        )
        check(
            f"{LABELS[kind]} p99 latency at {options.rate:g}/s at most 2x", ratios[f"p99 {kind}"], 2
        )
    check("idle RSS at most 1.2x the bare bot's", ratios["rss"], 1.2)


def report_floor(
    title: str, ours: list[Figures], bare: list[Figures], floor: list[Figures], options: Options
) -> None:
    """Where the storage stack ends and Udvalgsbot begins: the floor bot against both."""
    print(f"\n== {title}: the floor (the bare bot with SQLModel, SQLAlchemy's asyncio layer, the "
          "driver and one SELECT per update) ==")  # fmt: skip

    def both(label: str, name: str, kind: str | None, unit: str, scale: float = 1.0) -> None:
        def pick(runs: list[Figures]) -> float:
            values = [getattr(f, name) if kind is None else getattr(f, name)[kind] for f in runs]
            return median(values)

        o, b, f = pick(ours), pick(bare), pick(floor)
        print(
            f"  {label:<38} floor {f * scale:8.2f} {unit:<3} | ratio floor/bare: {f / b:.2f}"
            f" | ratio ours/floor: {o / f:.2f}"
        )

    for kind in KINDS:
        both(f"{LABELS[kind]}: CPU per update", "cpu", kind, "ms", 1000)
        both(f"{LABELS[kind]}: p99 at {options.rate:g}/s", "p99", kind, "ms", 1000)
    both("idle RSS after start", "rss", None, "MiB")
    both("launch to first answered /start", "launch", None, "s")


def check(what: str, ratio: float, limit: float) -> None:
    print(f"  {'PASS' if ratio <= limit else 'FAIL'} {what} ({ratio:.2f}x)")


# --- the whole measurement ------------------------------------------------------------------------


async def measure(kind: str, options: Options, folder: Path) -> None:
    title = "SQLite" if kind == "sqlite" else "PostgreSQL"
    print(
        f"\n{title}: seeding {options.members} members and a meeting of {options.punkter} punkter"
    )
    async with running_emulator(config=EmulatorConfig()) as emu:
        state = emu.emulator.state
        secretary = state.add_user("Sofie", last_name="Holm", started=True)
        members = [
            state.add_user(f"Medlem {i:03d}", last_name="Bench", started=True)
            for i in range(options.members)
        ]
        with database(kind, folder) as url:
            await seed(url, secretary, members, options.punkter)
            env = {"BOT_TOKEN": emu.token, "TELEGRAM_API_BASE": emu.base_url}
            replies_path = folder / "replies.json"
            ours_bot = our_bot({**env, "DATABASE_URL": url}, folder)
            bare = bare_bot(env, folder, replies_path)
            floor = floor_bot({**env, "DATABASE_URL": url}, folder, replies_path)
            bench = Bench(emu.emulator, members, options)
            results: dict[str, list[Figures]] = defaultdict(list)
            for n in range(options.runs):
                # Each bot first, middle and last in turn; ours first on the first run, where
                # its replies are captured for the others.
                order = [ours_bot, bare, floor][n % 3 :] + [ours_bot, bare, floor][: n % 3]
                for bot in order:
                    capture = ""
                    if n == 0:
                        capture = "ours" if bot is ours_bot else "check"
                    figures = await bench.run(bot, capture, bursts=bot is not floor)
                    if bot is ours_bot and n == 0:
                        replies_path.write_text(json.dumps(bench.replies), encoding="utf-8")
                    results[bot.name].append(figures)
                    print(f"  run {n + 1} {bot.name}: done (launch {figures.launch:.1f} s)")
    report(title, results["ours"], results["bare"], options)
    report_floor(title, results["ours"], results["bare"], results["floor"], options)


async def profile(kind: str, options: Options, folder: Path) -> tuple[int, Figures, Path]:
    """Our bot alone on SQLite under cProfile, over a steady run of ``kind``."""
    async with running_emulator(config=EmulatorConfig()) as emu:
        state = emu.emulator.state
        secretary = state.add_user("Sofie", last_name="Holm", started=True)
        members = [state.add_user(f"Medlem {i:03d}", started=True) for i in range(options.members)]
        with database("sqlite", folder) as url:
            await seed(url, secretary, members, options.punkter)
            env = {"BOT_TOKEN": emu.token, "TELEGRAM_API_BASE": emu.base_url}
            stats_path = folder / "ours.prof"
            bot = our_bot({**env, "DATABASE_URL": url}, folder, profile=stats_path)
            bench = Bench(emu.emulator, members, options)
            figures = Figures()
            try:
                await bench.launch(bot, figures)
                await bench.capture_all(bot, "ours")
                for warm in KINDS:
                    await bench.steady(bot, warm, Figures(), options.warmup)
                bot.signal(signal.SIGUSR1)
                count = int(options.rate * options.seconds)
                await bench.steady(bot, kind, figures, count)
                bot.signal(signal.SIGUSR2)
                for _ in range(600):  # writing the statistics takes a moment
                    if stats_path.exists() and stats_path.stat().st_size:
                        break
                    await asyncio.sleep(0.1)
                await asyncio.sleep(1.0)
            finally:
                await bot.stop()
    return count, figures, stats_path


def print_profile(kind: str, options: Options, count: int, figures: Figures, path: Path) -> None:
    import pstats

    stats_path = path
    print(f"\ncProfile of our bot over {count} {LABELS[kind]} updates at {options.rate:g}/s")
    print(f"(profiled: {figures.cpu[kind] * 1000:.1f} ms CPU per update, p50 "
          f"{figures.p50[kind] * 1000:.1f} ms; the profiler adds its own overhead)")  # fmt: skip
    counts = json.loads(Path(f"{stats_path}.json").read_text())
    print(f"SQL statements per update: {counts['statements'] / count:.1f}, connection checkouts "
          f"(sessions) per update: {counts['checkouts'] / count:.2f} (the outbox worker's polls "
          f"every 0.5 s, about 1 statement each, included)")  # fmt: skip
    stats = pstats.Stats(str(stats_path))
    per_package: dict[str, float] = defaultdict(float)
    total = 0.0
    for (filename, _line, _name), (_cc, _nc, tottime, _ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        per_package[package_of(filename)] += tottime
        total += tottime
    print("\nown time (tottime) by package, per update:")
    for name, seconds in sorted(per_package.items(), key=lambda kv: -kv[1])[:15]:
        print(f"  {seconds / count * 1000:7.2f} ms  {seconds / total:5.1%}  {name}")
    print("\nfunctions by cumulative time:")
    stats.sort_stats("cumulative").print_stats(35)
    print("functions by own time:")
    stats.sort_stats("tottime").print_stats(25)


def package_of(filename: str) -> str:
    """The top-level package a profiled function's file belongs to."""
    if filename.startswith("<") or filename == "~":
        return "builtins / C"
    path = Path(filename)
    parts = path.parts
    if "site-packages" in parts:
        return parts[parts.index("site-packages") + 1].removesuffix(".py")
    root = Path(__file__).resolve().parents[1]
    if path.is_relative_to(root):
        return f"(ours) {path.relative_to(root).parts[0]}"
    stdlib = Path(os.__file__).parent
    if path.is_relative_to(stdlib):
        return "stdlib " + path.relative_to(stdlib).parts[0].removesuffix(".py")
    return path.name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one run, 4 s steady, burst 200")
    parser.add_argument("--runs", type=int, default=None, help="interleaved runs (default 3)")
    parser.add_argument("--seconds", type=float, default=None, help="steady phase length")
    parser.add_argument("--rate", type=float, default=20.0, help="steady updates per second")
    parser.add_argument("--burst", type=int, default=None, help="updates in a burst (2000)")
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--sqlite", action="store_true", help="SQLite only")
    which.add_argument("--postgres", action="store_true", help="PostgreSQL only")
    parser.add_argument("--startup", action="store_true", help="only the start-up section")
    parser.add_argument("--profile", choices=KINDS, help="profile our bot over a steady run")
    parser.add_argument("--workdir", type=Path, help="keep the logs and databases here")
    args = parser.parse_args()
    options = Options(rate=args.rate)
    if args.quick:
        options = Options(runs=1, seconds=4.0, rate=args.rate, burst=200, warmup=5, idle=2.0)
    options.runs = args.runs or options.runs
    options.seconds = args.seconds or options.seconds
    options.burst = args.burst or options.burst
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the start")
    if args.startup:
        from startup_report import startup

        startup(runs=1 if args.quick else 3)
        return
    with tempfile.TemporaryDirectory() as temporary:
        name = str(args.workdir or temporary)
        if args.profile:
            done = asyncio.run(profile(args.profile, options, Path(name)))
            print_profile(args.profile, options, *done)
            return
        kinds = ["sqlite", "postgres"]
        if args.sqlite:
            kinds = ["sqlite"]
        elif args.postgres:
            kinds = ["postgres"]
        for kind in kinds:
            if kind == "postgres" and not postgres_reachable():
                print("\nPostgreSQL: not reachable (TEST_POSTGRES_URL), skipped")
                continue
            folder = Path(name) / kind
            folder.mkdir(parents=True, exist_ok=True)
            asyncio.run(measure(kind, options, folder))
    print(f"\nload average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
