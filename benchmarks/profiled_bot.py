"""``udvalgsbot run`` under cProfile, for ``bench_updates.py --profile``: SIGUSR1 switches the
profiler on, SIGUSR2 switches it off and writes the statistics to the file named first.

Run: python benchmarks/profiled_bot.py <out.prof>   (the bot's settings from the environment)

Only the event loop's thread is profiled (worker threads are not); the profiler roughly doubles
the cost of each Python call, so read the shares, not the milliseconds.
"""

from __future__ import annotations

import cProfile
import runpy
import signal
import sys
from types import FrameType

PROFILE = cProfile.Profile()
OUTPUT = sys.argv[1]


def _on(_signal: int, _frame: FrameType | None) -> None:
    PROFILE.enable()


def _off(_signal: int, _frame: FrameType | None) -> None:
    PROFILE.disable()
    PROFILE.dump_stats(OUTPUT)


if __name__ == "__main__":
    signal.signal(signal.SIGUSR1, _on)
    signal.signal(signal.SIGUSR2, _off)
    sys.argv = ["udvalgsbot", "run"]
    runpy.run_module("bot", run_name="__main__", alter_sys=True)
