"""Fault injection over HTTP and the flood limiter on a controlled clock."""

from __future__ import annotations

import time

import aiohttp
import pytest

from bot_api_emulator import EmulatorClient
from bot_api_emulator.errors import ApiError
from bot_api_emulator.faults import FloodLimiter, FloodLimits
from tests.emulator.conftest import RawApi


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def refused(limiter: FloodLimiter, chat_id: int, is_group: bool = False) -> int | None:
    """The retry_after of a refusal, or None when the send is accepted."""
    try:
        limiter.check(chat_id, is_group)
    except ApiError as exc:
        assert exc.code == 429
        assert exc.description == f"Too Many Requests: retry after {exc.retry_after}"
        return exc.retry_after
    return None


def test_private_chat_gets_one_message_per_second() -> None:
    clock = FakeClock()
    limiter = FloodLimiter(enabled=True, clock=clock)
    assert refused(limiter, 1) is None
    clock.now += 0.5
    assert refused(limiter, 1) == 1
    assert refused(limiter, 2) is None  # another chat is not affected
    clock.now += 0.5
    assert refused(limiter, 1) is None
    assert (limiter.sent, limiter.refused, dict(limiter.refused_by_rule)) == (3, 1, {"private": 1})


def test_thirty_messages_per_second_overall() -> None:
    clock = FakeClock()
    limiter = FloodLimiter(enabled=True, clock=clock)
    for chat_id in range(30):
        assert refused(limiter, chat_id) is None
        clock.now += 0.01
    assert refused(limiter, 99) == 1
    assert limiter.refused_by_rule["global"] == 1
    clock.now = 1001.0  # the first send leaves the one-second window
    assert refused(limiter, 99) is None


def test_group_gets_twenty_messages_per_minute() -> None:
    clock = FakeClock()
    limiter = FloodLimiter(enabled=True, clock=clock)
    for _ in range(20):
        assert refused(limiter, -5, is_group=True) is None
        clock.now += 1.0
    assert refused(limiter, -5, is_group=True) == 40  # the first send expires at 1060
    clock.now = 1060.0
    assert refused(limiter, -5, is_group=True) is None


def test_disabled_limiter_counts_but_never_refuses() -> None:
    limiter = FloodLimiter(enabled=False, clock=FakeClock(), limits=FloodLimits())
    for _ in range(100):
        assert refused(limiter, 1) is None
    assert (limiter.sent, limiter.refused) == (100, 0)


async def test_retry_after_fault_answers_429_then_passes(
    api: RawApi, client: EmulatorClient
) -> None:
    user = await client.create_user("Mads", started=True)
    await client.inject_fault("sendmessage", "retry_after", count=2, retry_after=3)
    for _ in range(2):
        status, body = await api.call("sendMessage", chat_id=user.id, text="x")
        assert (status, body) == (
            429,
            {
                "ok": False,
                "error_code": 429,
                "description": "Too Many Requests: retry after 3",
                "parameters": {"retry_after": 3},
            },
        )
    await api.ok("sendMessage", chat_id=user.id, text="x")
    assert len(await client.bot_messages(user)) == 1
    assert (await client.stats())["faults_injected"] == {"retry_after": 2}


async def test_server_error_fault_and_chat_filter(api: RawApi, client: EmulatorClient) -> None:
    ann = await client.create_user("Ann", started=True)
    bo = await client.create_user("Bo", started=True)
    await client.inject_fault("sendMessage", "server_error", status=502, chat=bo)
    await api.ok("sendMessage", chat_id=ann.id, text="til Ann")
    assert await api.error("sendMessage", chat_id=bo.id, text="til Bo") == (502, "Bad Gateway")
    await api.ok("sendMessage", chat_id=bo.id, text="til Bo")


async def test_delay_fault_slows_the_answer(api: RawApi, client: EmulatorClient) -> None:
    await client.inject_fault("getMe", "delay", delay=0.3)
    started = time.monotonic()
    await api.ok("getMe")
    assert time.monotonic() - started >= 0.3


async def test_drop_and_drop_after(api: RawApi, client: EmulatorClient) -> None:
    user = await client.create_user("Mads", started=True)
    await client.inject_fault("sendMessage", "drop")
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await api.call("sendMessage", chat_id=user.id, text="tabt")
    assert await client.bot_messages(user) == []

    await client.inject_fault("sendMessage", "drop_after")
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await api.call("sendMessage", chat_id=user.id, text="sendt, svar tabt")
    assert [m.text for m in await client.bot_messages(user)] == ["sendt, svar tabt"]
    calls = await client.calls("sendMessage")
    assert [(c["status"], c["fault"]) for c in calls] == [(0, "drop"), (200, "drop_after")]


async def test_limits_over_the_control_api(api: RawApi, client: EmulatorClient) -> None:
    group_members = [await client.create_user(f"M{i}", started=True) for i in range(2)]
    group = await client.create_group("BEU", group_members)
    await client.set_limits(enabled=True, group_per_minute=2)
    await api.ok("sendMessage", chat_id=group.id, text="1")
    await api.ok("sendMessage", chat_id=group.id, text="2")
    status, body = await api.call("sendMessage", chat_id=group.id, text="3")
    assert status == 429 and 55 <= body["parameters"]["retry_after"] <= 60
    limits = await client.limits()
    assert (limits["sent"], limits["refused"], limits["refused_by_rule"]) == (2, 1, {"group": 1})
    limits = await client.set_limits(enabled=False, reset=True)
    assert (limits["enabled"], limits["sent"], limits["refused"]) == (False, 0, 0)
    await api.ok("sendMessage", chat_id=group.id, text="3")


async def test_unknown_fault_kind_is_refused(client: EmulatorClient) -> None:
    with pytest.raises(Exception, match="unknown fault kind"):
        await client.inject_fault("sendMessage", "explode")
