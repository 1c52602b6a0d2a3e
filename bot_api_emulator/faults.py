"""Fault injection (the next K calls of a method fail) and Telegram's flood limits (limits mode)."""

from __future__ import annotations

import itertools
import math
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from bot_api_emulator.errors import ApiError, too_many_requests

FaultKind = Literal["retry_after", "server_error", "delay", "drop", "drop_after"]
FAULT_KINDS: tuple[FaultKind, ...] = ("retry_after", "server_error", "delay", "drop", "drop_after")

#: Methods that send a message and therefore count against the flood limits.
SENDING_METHODS = frozenset(
    {
        "sendmessage",
        "senddocument",
        "sendphoto",
        "sendaudio",
        "sendvideo",
        "sendvoice",
        "sendanimation",
        "sendsticker",
        "sendlocation",
        "sendcontact",
        "sendpoll",
        "senddice",
        "sendmediagroup",
        "copymessage",
        "forwardmessage",
    }
)


@dataclass
class FaultRule:
    """The next ``remaining`` calls of ``method`` (lower case, ``*`` for any) fail this way.

    - ``retry_after``: 429 with ``parameters.retry_after`` (nothing is done);
    - ``server_error``: ``status`` (default 500) with Telegram's description (nothing is done);
    - ``delay``: wait ``delay`` seconds, then handle the call normally;
    - ``drop``: close the connection without an answer (nothing is done);
    - ``drop_after``: handle the call (the message IS sent), then close without an answer.
    """

    id: int
    method: str
    kind: FaultKind
    remaining: int
    retry_after: int = 1
    status: int = 500
    delay: float = 0.0
    chat_id: int | None = None

    def matches(self, method: str, chat_id: int | None) -> bool:
        if self.method not in ("*", method):
            return False
        return self.chat_id is None or self.chat_id == chat_id

    def error(self) -> ApiError:
        if self.kind == "retry_after":
            return too_many_requests(self.retry_after)
        descriptions = {
            500: "Internal Server Error",
            502: "Bad Gateway",
            503: "Service Unavailable",
        }
        return ApiError(self.status, descriptions.get(self.status, "Internal Server Error"))

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "method": self.method,
            "kind": self.kind,
            "remaining": self.remaining,
            "retry_after": self.retry_after,
            "status": self.status,
            "delay": self.delay,
            "chat_id": self.chat_id,
        }


class FaultInjector:
    def __init__(self) -> None:
        self.rules: list[FaultRule] = []
        self.injected: Counter[str] = Counter()
        self._ids = itertools.count(1)

    def add(
        self,
        method: str,
        kind: FaultKind,
        count: int = 1,
        *,
        retry_after: int = 1,
        status: int = 500,
        delay: float = 0.0,
        chat_id: int | None = None,
    ) -> FaultRule:
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; one of {', '.join(FAULT_KINDS)}")
        if count < 1 or retry_after < 1 or delay < 0 or not 500 <= status <= 599:
            raise ValueError("count and retry_after must be >= 1, delay >= 0, status 5xx")
        rule = FaultRule(
            next(self._ids), method.lower(), kind, count, retry_after, status, delay, chat_id
        )
        self.rules.append(rule)
        return rule

    def clear(self) -> None:
        self.rules.clear()

    def take(self, method: str, chat_id: int | None) -> FaultRule | None:
        """The rule that applies to this call (used up by one), or None."""
        for rule in self.rules:
            if rule.matches(method, chat_id):
                rule.remaining -= 1
                if rule.remaining <= 0:
                    self.rules.remove(rule)
                self.injected[rule.kind] += 1
                return rule
        return None


@dataclass
class FloodLimits:
    """Telegram's documented broadcast limits (Bots FAQ)."""

    global_per_second: int = 30
    private_per_second: int = 1
    group_per_minute: int = 20


@dataclass
class FloodLimiter:
    """Sliding windows over accepted sends; a send over a limit is refused with 429.

    ``clock`` is monotonic seconds and may be replaced by a test clock. Counters are kept whether
    or not limits are enforced, so a benchmark can read how much it sent.
    """

    enabled: bool = False
    limits: FloodLimits = field(default_factory=FloodLimits)
    clock: Callable[[], float] = time.monotonic
    sent: int = 0
    refused: int = 0
    refused_by_rule: Counter[str] = field(default_factory=Counter)
    _global: deque[float] = field(default_factory=deque)
    _per_chat: dict[int, deque[float]] = field(default_factory=dict)

    def reset(self) -> None:
        self.sent = self.refused = 0
        self.refused_by_rule.clear()
        self._global.clear()
        self._per_chat.clear()

    @staticmethod
    def _wait(window: deque[float], now: float, span: float, limit: int) -> float:
        """Seconds until ``window`` has room for one more event, 0 if it has room now."""
        while window and window[0] <= now - span:
            window.popleft()
        if len(window) < limit:
            return 0.0
        return window[len(window) - limit] + span - now

    def check(self, chat_id: int, is_group: bool) -> None:
        """Count one send to ``chat_id``; raise 429 (and count a refusal) if it is over a limit."""
        now = self.clock()
        chat_window = self._per_chat.setdefault(chat_id, deque())
        if self.enabled:
            waits = {
                "global": self._wait(self._global, now, 1.0, self.limits.global_per_second),
                "group" if is_group else "private": (
                    self._wait(chat_window, now, 60.0, self.limits.group_per_minute)
                    if is_group
                    else self._wait(chat_window, now, 1.0, self.limits.private_per_second)
                ),
            }
            rule, wait = max(waits.items(), key=lambda item: item[1])
            if wait > 0:
                self.refused += 1
                self.refused_by_rule[rule] += 1
                raise too_many_requests(max(1, math.ceil(wait)))
        self._global.append(now)
        chat_window.append(now)
        if not self.enabled and len(chat_window) > 1000:
            chat_window.popleft()
        if not self.enabled and len(self._global) > 1000:
            self._global.popleft()
        self.sent += 1

    def to_json(self) -> dict[str, Any]:
        return {
            "enabled": self.enabled,
            "sent": self.sent,
            "refused": self.refused,
            "refused_by_rule": dict(self.refused_by_rule),
            "global_per_second": self.limits.global_per_second,
            "private_per_second": self.limits.private_per_second,
            "group_per_minute": self.limits.group_per_minute,
        }
