"""The emulator object: configuration, state, faults, flood limits, webhook and call log."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from bot_api_emulator.bot_api import METHODS
from bot_api_emulator.errors import NOT_FOUND
from bot_api_emulator.faults import FaultInjector, FloodLimiter
from bot_api_emulator.params import Params
from bot_api_emulator.state import EmulatorState
from bot_api_emulator.webhook import WebhookDelivery

DEFAULT_BOT_ID = 7_000_000_001
DEFAULT_BOT_USERNAME = "udvalgsbot_demo_bot"
DEFAULT_TOKEN_SECRET = "AAEmulatorLocalOnly_0123456789abcdefXYZ"
#: The emulator's token: a well-formed fake that only this emulator accepts.
DEFAULT_TOKEN = f"{DEFAULT_BOT_ID}:{DEFAULT_TOKEN_SECRET}"


@dataclass(frozen=True)
class EmulatorConfig:
    bot_id: int = DEFAULT_BOT_ID
    bot_username: str = DEFAULT_BOT_USERNAME
    bot_first_name: str = "Udvalgsbot"
    token_secret: str = DEFAULT_TOKEN_SECRET
    #: Enforce Telegram's flood limits (429 with retry_after) from the start.
    limits: bool = False
    #: Webhook retries: the first pause, doubled after each failure up to the maximum.
    webhook_retry_base: float = 0.05
    webhook_retry_max: float = 2.0
    webhook_timeout: float = 10.0
    max_poll_timeout: float = 50.0

    @property
    def token(self) -> str:
        return f"{self.bot_id}:{self.token_secret}"


@dataclass(frozen=True)
class CallRecord:
    """One Bot API call as the emulator answered it (``t``: seconds since the emulator started)."""

    t: float
    method: str
    chat_id: str | None
    status: int
    fault: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "t": round(self.t, 6),
            "method": self.method,
            "chat_id": self.chat_id,
            "status": self.status,
            "fault": self.fault,
        }


@dataclass
class Emulator:
    config: EmulatorConfig = field(default_factory=EmulatorConfig)
    #: Monotonic seconds, used by the flood limits and the call log; replaceable in tests.
    clock: Callable[[], float] = time.monotonic
    wall_clock: Callable[[], float] = time.time

    def __post_init__(self) -> None:
        self.started_at = self.clock()
        self.state = self._new_state()
        self.faults = FaultInjector()
        self.limiter = FloodLimiter(enabled=self.config.limits, clock=self.clock)
        self.webhook = WebhookDelivery(self)
        self.calls: list[CallRecord] = []
        self.call_counts: Counter[str] = Counter()

    def _new_state(self) -> EmulatorState:
        return EmulatorState(
            bot_id=self.config.bot_id,
            bot_username=self.config.bot_username,
            bot_first_name=self.config.bot_first_name,
            wall_clock=self.wall_clock,
        )

    @property
    def token(self) -> str:
        return self.config.token

    async def execute(self, method: str, params: Params) -> Any:
        """Run one Bot API method (no faults, no logging): the result or an ApiError."""
        handler = METHODS.get(method.lower())
        if handler is None:
            raise NOT_FOUND
        return await handler(self, params)

    def log_call(self, method: str, chat_id: str | None, status: int, fault: str | None) -> None:
        self.call_counts[method] += 1
        self.calls.append(
            CallRecord(self.clock() - self.started_at, method, chat_id, status, fault)
        )

    async def reset(self) -> None:
        """Forget everything: people, chats, messages, updates, webhook, faults, counters."""
        await self.webhook.stop()
        self.state = self._new_state()
        self.faults.clear()
        self.faults.injected.clear()
        self.limiter.reset()
        self.calls.clear()
        self.call_counts.clear()

    async def close(self) -> None:
        await self.webhook.stop()

    def stats(self) -> dict[str, Any]:
        return {
            "calls": dict(self.call_counts),
            "faults_injected": dict(self.faults.injected),
            "limits": self.limiter.to_json(),
            "pending_updates": len(self.state.updates),
            "webhook_delivered": self.webhook.delivered,
            "webhook_failed": self.webhook.failed,
        }


#: Where the aiohttp application keeps its emulator; every handler takes it from ``request.app``.
EMULATOR_KEY = web.AppKey("emulator", Emulator)
