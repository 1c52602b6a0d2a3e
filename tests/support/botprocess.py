"""The real ``udvalgsbot run`` process, started against a Bot API emulator for end-to-end tests.

The emulator usually runs in the test's own event loop, so every wait here is async: a blocking
sleep would stop the emulator from answering the bot it is waiting for.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class BotProcess:
    """Starts, stops and kills the bot process; its log goes to a file the test can read.

    The log file is appended to, so it holds every run of the process (restarts included).
    """

    env: dict[str, str]
    log_path: Path
    args: list[str] = field(default_factory=lambda: ["run"])
    #: The working directory: a test's own folder keeps a developer's ``.env`` out of the run.
    cwd: Path = ROOT
    #: Variables of the test's own environment the bot must not see (e.g. a developer's REDIS_URL).
    unset: frozenset[str] = frozenset()
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> int:
        """Start the process; returns the log offset where this run's output begins."""
        offset = len(self.log())
        inherited = {k: v for k, v in os.environ.items() if k.upper() not in self.unset}
        environment = {**inherited, **self.env, "PYTHONUNBUFFERED": "1"}
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bot", *self.args],
                cwd=self.cwd,
                env=environment,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        return offset

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log(self) -> str:
        if not self.log_path.exists():
            return ""
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    async def wait_for_log(self, needle: str, timeout: float = 30.0, after: int = 0) -> None:  # noqa: ASYNC109
        """Wait until ``needle`` appears in the log (past offset ``after``) or the process dies."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            if needle in self.log()[after:]:
                return
            if self.process is not None and self.process.poll() is not None:
                raise AssertionError(f"bot exited with {self.process.returncode}:\n{self.log()}")
            await asyncio.sleep(0.05)
        raise AssertionError(f"{needle!r} not in the bot's log after {timeout} s:\n{self.log()}")

    async def _wait_exit(self, timeout: float) -> int | None:  # noqa: ASYNC109
        assert self.process is not None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            code = self.process.poll()
            if code is not None:
                return code
            await asyncio.sleep(0.05)
        return None

    async def stop(self, timeout: float = 15.0) -> int:  # noqa: ASYNC109
        """A graceful stop (SIGINT, as Ctrl-C); returns the exit code (killed if it hangs)."""
        if self.process is None:
            return 0
        if self.process.poll() is not None:
            return self.process.returncode
        self.process.send_signal(signal.SIGINT)
        code = await self._wait_exit(timeout)
        if code is None:
            self.process.kill()
            code = await self._wait_exit(10)
            raise AssertionError(f"the bot ignored SIGINT for {timeout} s and was killed")
        return code

    async def kill(self) -> None:
        """SIGKILL: the crash a restart must survive."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            await self._wait_exit(10)
