"""Fixtures of the document tests: the shared examples beside the checkout."""

from __future__ import annotations

from pathlib import Path

import pytest

#: The shared folder beside the checkout (examples, seeds).
SHARED = Path(__file__).resolve().parents[2].parent / "shared"


@pytest.fixture(scope="session")
def shared() -> Path:
    assert SHARED.is_dir(), f"missing shared folder beside the checkout: {SHARED}"
    return SHARED


@pytest.fixture(scope="session")
def example_text(shared: Path) -> str:
    path = shared / "examples" / "referat_sundhed_2025-03-04.txt"
    assert path.is_file(), f"missing example protocol: {path}"
    return path.read_text(encoding="utf-8")
