"""The send rate every bot process shares, in Redis: a token bucket in one hash, taken by a script.

The Lua script runs atomically in Redis: it refills the bucket by the time elapsed on Redis's own
clock (``TIME``) since the last refill, capped at ``burst``, then takes a token or returns the
seconds until one is due. No token is taken ahead of time, so a process that stops or is killed
holds nothing. The key expires once the bucket would be full again anyway, so an idle bot leaves
nothing behind and a missing key is a full bucket.
"""

from __future__ import annotations

from typing import Any

_TAKE = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
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
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
else
  wait = (1 - tokens) / rate
end
local fmt = '%.6f'
redis.call('HSET', KEYS[1], 'tokens', string.format(fmt, tokens), 'at', string.format(fmt, at))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return string.format(fmt, wait)
"""


class RedisSendBucket:
    """``rate`` tokens per second, at most ``burst`` banked, shared through Redis."""

    def __init__(self, redis: Any, key: str, rate: float, burst: int) -> None:
        """``redis``: a ``redis.asyncio.Redis`` client (owned and closed by the caller)."""
        self._script = redis.register_script(_TAKE)
        self._key = key
        self._args = [repr(float(rate)), repr(float(burst))]

    async def take(self) -> float:
        """0.0 when a token was taken, else the seconds until the next one (none taken)."""
        wait = await self._script(keys=[self._key], args=self._args)
        return float(wait.decode() if isinstance(wait, bytes) else wait)
