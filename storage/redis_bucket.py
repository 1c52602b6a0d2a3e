"""The send rate every bot process shares, in Redis: a token bucket in one hash, taken by a script.

The Lua script runs atomically in Redis: it refills the bucket by the time elapsed on Redis's own
clock (``TIME``) since the last refill, capped at ``burst``, then books the next turn when it is
due within ``ahead`` turns and returns the seconds until it (0 when now), or returns the seconds
until one can be booked, as a negative number (the same bucket as storage/send_bucket.py, which
says why booking one turn ahead keeps every guarantee). At most ``ahead`` turns are booked at a
time, so a process that stops or is killed leaves at most that much unused. The key expires once
the bucket would be full again anyway, so an idle bot leaves nothing behind and a missing key is
a full bucket.
"""

from __future__ import annotations

from typing import Any

_TAKE = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local ahead = tonumber(ARGV[3])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1])
local at = tonumber(state[2])
if tokens == nil or at == nil then
  tokens = burst
  at = now
end
if now > at then
  tokens = math.min(burst, tokens + (now - at) * rate)
  at = now
end
local wait
if tokens >= 1 - ahead then
  tokens = tokens - 1
  wait = math.max(0, -tokens / rate)
else
  wait = -math.max(0.001, (1 - ahead - tokens) / rate)
end
local fmt = '%.6f'
redis.call('HSET', KEYS[1], 'tokens', string.format(fmt, tokens), 'at', string.format(fmt, at))
redis.call('PEXPIRE', KEYS[1], math.ceil((burst + ahead) / rate * 1000) + 1000)
return string.format(fmt, wait)
"""


class RedisSendBucket:
    """``rate`` tokens per second, at most ``burst`` banked and ``ahead`` booked, shared
    through Redis."""

    def __init__(self, redis: Any, key: str, rate: float, burst: float, ahead: float = 1.0) -> None:
        """``redis``: a ``redis.asyncio.Redis`` client (owned and closed by the caller)."""
        self._script = redis.register_script(_TAKE)
        self._key = key
        self._args = [repr(float(rate)), repr(float(burst)), repr(float(ahead))]

    async def take(self) -> tuple[bool, float]:
        """Book the next turn: ``(True, seconds until it)`` (0.0: now), or ``(False, seconds
        until one can be booked)`` when it is further ahead than ``ahead`` turns."""
        answer = await self._script(keys=[self._key], args=self._args)
        wait = float(answer.decode() if isinstance(answer, bytes) else answer)
        return (True, wait) if wait >= 0 else (False, -wait)
