"""Run a piece of Python in a fresh interpreter and read what it printed last, as JSON.

For tests of what importing or starting the bot does to the process (which modules load, which
types get built): in the test process these are imported already.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any


def run_fresh(
    code: str, *, cwd: Path, env: dict[str, str] | None = None, timeout: int = 300
) -> Any:
    """``python -c code`` in ``cwd``; it must succeed, and its last line of output is JSON."""
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])
