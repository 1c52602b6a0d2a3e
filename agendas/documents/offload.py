"""The one way the event loop runs a document renderer or parser: in a worker thread.

Rendering a 60-punkt protocol or reading an uploaded plan takes a fraction of a second, which is
still too long to block the event loop (every other chat would wait). Services read what they need
in their transaction, leave it, and only then render through ``off_loop``: a Word file is never
built while a database transaction is open.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")


async def off_loop(work: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
    """``work(*args, **kwargs)`` in a worker thread; the loop serves other updates meanwhile."""
    return await asyncio.to_thread(work, *args, **kwargs)
