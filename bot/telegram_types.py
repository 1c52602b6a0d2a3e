"""aiogram's Telegram types, each built when it is first used instead of all at import.

aiogram declares its Telegram types with pydantic's ``defer_build``, but ``aiogram.types`` then
calls ``model_rebuild`` on every one of them (444 in aiogram 3.31) to resolve their forward
references, and that builds each type's validator and serialiser, every nested type inlined
again: about 100 MiB and 2 s of every start, in a process that meets a few dozen of those types
(aiogram issue #1513, "High memory consumption due to importing any object from aiogram").

``import_aiogram`` imports aiogram with those calls held back. What they were for, resolving the
names the type modules only import for type checkers (``Message`` inside ``chat.py``), is done by
putting the same names, the ones aiogram passes to ``model_rebuild``, into each type's module.
Pydantic then builds a type, with its forward references resolved from its module as usual, the
first time it validates or serialises one (an update, a reply from Telegram, a method sent).
Nothing else changes: the same types, the same validation. ``tests/test_telegram_types.py``
builds every type after such an import, so a type that could not be built fails there, not at
its first use in production.

If a release of aiogram stops making those calls, nothing is held back and aiogram imports as
it always did; the same test then fails, because the types are already built.
"""

from __future__ import annotations

import sys
from typing import Any


def import_aiogram() -> int:
    """Import aiogram with its types left for first use; how many types were left (0 when
    aiogram was already imported: it cannot be undone, and the types work either way)."""
    if "aiogram" in sys.modules:
        return 0
    from pydantic import BaseModel

    rebuild = BaseModel.__dict__["model_rebuild"]
    held: list[tuple[type[BaseModel], dict[str, Any]]] = []

    def hold(cls: type[BaseModel], /, **options: Any) -> bool | None:
        names = options.get("_types_namespace")
        if names is None:  # not aiogram's loop over its types
            return rebuild.__func__(cls, **options)  # type: ignore[no-any-return]
        held.append((cls, names))
        return None

    BaseModel.model_rebuild = classmethod(hold)  # type: ignore[method-assign,assignment]
    try:
        import aiogram
        import aiogram.types  # noqa: F401
    finally:
        BaseModel.model_rebuild = rebuild  # type: ignore[method-assign]
    for cls, names in held:
        module = vars(sys.modules[cls.__module__])
        for name, value in names.items():
            module.setdefault(name, value)
    return len(held)
