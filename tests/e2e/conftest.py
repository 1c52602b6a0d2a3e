"""Fixtures: one emulator and one bot process per mode (polling, webhook) for the whole run.

Starting the bot process is the slow part (importing aiogram takes seconds), so every e2e module
shares the process of its mode; pytest runs all tests of one mode, then all of the other. A test
that needs one mode says so with ``@pytest.mark.parametrize("mode", ["webhook"], indirect=True)``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from tests.e2e.world import MODES, World, running_world


@pytest.fixture(scope="session", params=MODES)
def mode(request: pytest.FixtureRequest) -> str:
    """How the bot receives updates: long polling or a webhook with a secret."""
    return str(request.param)


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def world(mode: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[World]:
    async with running_world(mode, tmp_path_factory.mktemp(f"e2e-{mode}")) as running:
        yield running
