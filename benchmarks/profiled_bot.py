"""``udvalgsbot run`` under cProfile, for ``bench_updates.py --profile``: SIGUSR1 switches the
profiler on, SIGUSR2 switches it off and writes the statistics to the file named first (and the
SQL statements and connection checkouts in between to that name + ``.json``).

Run: python benchmarks/profiled_bot.py <out.prof>   (the bot's settings from the environment)

Only the event loop's thread is profiled (worker threads are not); the profiler roughly doubles
the cost of each Python call, so read the shares, not the milliseconds.
"""

from __future__ import annotations

import cProfile
import json
import runpy
import signal
import sys
from pathlib import Path
from types import FrameType
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import Pool

PROFILE = cProfile.Profile()
OUTPUT = sys.argv[1]
COUNTS = {"statements": 0, "checkouts": 0}


def _statement(*_args: Any) -> None:
    COUNTS["statements"] += 1


def _checkout(*_args: Any) -> None:
    COUNTS["checkouts"] += 1


def _on(_signal: int, _frame: FrameType | None) -> None:
    COUNTS.update(statements=0, checkouts=0)
    PROFILE.enable()


def _off(_signal: int, _frame: FrameType | None) -> None:
    PROFILE.disable()
    Path(OUTPUT + ".json").write_text(json.dumps(COUNTS))
    PROFILE.dump_stats(OUTPUT)


if __name__ == "__main__":
    event.listen(Engine, "before_cursor_execute", _statement)
    event.listen(Pool, "checkout", _checkout)
    signal.signal(signal.SIGUSR1, _on)
    signal.signal(signal.SIGUSR2, _off)
    sys.argv = ["udvalgsbot", "run"]
    runpy.run_module("bot", run_name="__main__", alter_sys=True)
