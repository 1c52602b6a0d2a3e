"""Suite-wide: which tests share a worker when the suite runs in parallel (``pytest -n``).

The e2e tests share one emulator and bot process per mode, and the web tests one seeded
archive, both session fixtures: each group stays on one xdist worker so those are built once.
Without xdist the marks change nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import bot  # noqa: F401 (first: aiogram imported as the bot imports it, bot/telegram_types.py)

_HERE = Path(__file__).parent
#: Folders whose tests share session fixtures, by group name.
_GROUPS = {"e2e": _HERE / "e2e", "web": _HERE / "web"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        for group, folder in _GROUPS.items():
            if item.path.is_relative_to(folder):
                item.add_marker(pytest.mark.xdist_group(group))
