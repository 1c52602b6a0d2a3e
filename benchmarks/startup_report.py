"""The ``--startup`` section of ``bench_updates.py``: what ``udvalgsbot run`` imports before its
first update, in time (``python -X importtime``) and memory (``tracemalloc`` and RSS), against
what the bare aiogram bot imports. Each measurement is a fresh interpreter.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: The run path up to the first update: the command line and the runner (which imports the
#: composition root, every router, the workers and storage).
OURS = "import bot.cli, bot.runner"
#: What benchmarks/bare_bot.py imports.
BARE = (
    "import aiogram, aiogram.client.session.aiohttp, aiogram.client.default, aiogram.filters, "
    "aiogram.types"
)
#: Libraries that load on first use (tests/test_startup_imports.py keeps them out of the start).
ON_FIRST_USE = (
    "docx", "lxml", "weasyprint", "pdfplumber", "pdfminer", "openpyxl", "icalendar", "holidays",
    "PIL", "jinja2", "alembic", "snowballstemmer",
)  # fmt: skip

MEMORY = """
import json, sys, tracemalloc
tracemalloc.start()
{statement}
snapshot = tracemalloc.take_snapshot()
sizes = {{}}
for stat in snapshot.statistics("filename"):
    name = stat.traceback[0].filename
    parts = name.split("/")
    if "site-packages" in parts:
        top = parts[parts.index("site-packages") + 1].removesuffix(".py")
    elif name.startswith({root!r}):
        top = "(ours) " + name[len({root!r}) + 1 :].split("/")[0]
    else:
        top = "(stdlib and other)"
    sizes[top] = sizes.get(top, 0) + stat.size
loaded = sorted({{m.split(".")[0] for m in sys.modules}})
print(json.dumps({{"sizes": sizes, "modules": len(sys.modules), "loaded": loaded}}))
"""


def _python(code: str, *flags: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    done = subprocess.run(
        [sys.executable, *flags, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"{code!r} failed:\n{done.stderr[-2000:]}")
    return done


def import_cost(statement: str) -> tuple[float, float]:
    """Seconds to import, and the process's RSS in MiB afterwards (no tracemalloc running)."""
    code = (
        f"import time\nt = time.perf_counter()\n{statement}\nt = time.perf_counter() - t\n"
        "rss = next(l.split()[1] for l in open('/proc/self/status') if l.startswith('VmRSS:'))\n"
        "print(t, int(rss) / 1024)"
    )
    seconds, rss = _python(code).stdout.split()
    return float(seconds), float(rss)


def importtime(statement: str) -> list[tuple[int, int, int, str]]:
    """(self µs, cumulative µs, depth, module) per module, as ``-X importtime`` prints them."""
    rows = []
    for text in _python(statement, "-X", "importtime").stderr.splitlines():
        if not text.startswith("import time:") or "|" not in text:
            continue
        self_us, cumulative, name = text.removeprefix("import time:").split("|")
        if not self_us.strip().isdigit():
            continue  # the header line
        depth = (len(name) - len(name.lstrip())) // 2
        rows.append((int(self_us), int(cumulative), depth, name.strip()))
    return rows


def memory(statement: str) -> dict[str, object]:
    return dict(json.loads(_python(MEMORY.format(statement=statement, root=str(ROOT))).stdout))


def startup(runs: int = 3) -> None:
    print(f"\n== start-up: what `udvalgsbot run` imports before its first update ({OURS}) ==")
    ours_runs, bare_runs = [], []
    for _ in range(runs):  # interleaved
        ours_runs.append(import_cost(OURS))
        bare_runs.append(import_cost(BARE))
    ours = statistics.median(t for t, _ in ours_runs)
    bare = statistics.median(t for t, _ in bare_runs)
    print(f"import time, median of {runs}: ours {ours:.2f} s | bare aiogram bot {bare:.2f} s | "
          f"ratio ours/bare: {ours / bare:.2f}")  # fmt: skip
    ours_rss = statistics.median(r for _, r in ours_runs)
    bare_rss = statistics.median(r for _, r in bare_runs)
    print(f"RSS after the imports:   ours {ours_rss:.1f} MiB | bare aiogram bot {bare_rss:.1f} MiB"
          f" | ratio ours/bare: {ours_rss / bare_rss:.2f}")  # fmt: skip

    rows = importtime(OURS)
    first: dict[str, int] = {}
    own: dict[str, int] = defaultdict(int)
    for self_us, cumulative, _depth, name in rows:
        top = name.split(".")[0]
        own[top] += self_us
        if "." not in name:
            first.setdefault(name, cumulative)
    total = sum(own.values())
    print(f"\n-X importtime: {len(rows)} modules, {total / 1e6:.2f} s in all (one run)")
    print("top-level packages by cumulative import time (the package with what it imports):")
    for name, cumulative in sorted(first.items(), key=lambda kv: -kv[1])[:15]:
        print(f"  {cumulative / 1000:8.1f} ms  {name}")
    print("packages by own import time (self, summed over their modules):")
    for name, self_us in sorted(own.items(), key=lambda kv: -kv[1])[:12]:
        print(f"  {self_us / 1000:8.1f} ms  {self_us / total:5.1%}  {name}")

    ours_memory, bare_memory = memory(OURS), memory(BARE)
    print("\nmemory after the imports, traced by tracemalloc (Python objects; code objects of the")
    print("modules count under (stdlib and other), where the import machinery made them):")
    for label, result in (("ours", ours_memory), ("bare", bare_memory)):
        sizes = dict(result["sizes"])  # type: ignore[call-overload]
        traced = sum(sizes.values()) / 2**20
        print(f"  {label}: {traced:6.1f} MiB traced, {result['modules']} modules")
    ours_sizes = dict(ours_memory["sizes"])  # type: ignore[call-overload]
    bare_sizes = dict(bare_memory["sizes"])  # type: ignore[call-overload]
    print("  traced MiB by package, ours (bare):")
    for name, size in sorted(ours_sizes.items(), key=lambda kv: -kv[1])[:12]:
        print(f"    {size / 2**20:6.1f} ({bare_sizes.get(name, 0) / 2**20:5.1f})  {name}")
    loaded = set(ours_memory["loaded"])  # type: ignore[call-overload]
    early = sorted(loaded & set(ON_FIRST_USE))
    print(f"  libraries left for first use that the start loads: {', '.join(early) or 'none'}")
