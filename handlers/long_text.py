"""Long pasted texts: a Telegram client splits a text over 4,096 characters into several
messages sent one after the other. In a dialog they belong to one answer.

A part of ``LIKELY_SPLIT`` characters or more is held, and the person is told that more may
come; the following parts are joined to it, and the first shorter part (the last of a split)
completes the answer. A text that happened to be that long on its own is completed by ".".

Every dialog where a person types free text gathers through here (a sag's sections, a punkt's
fields, the decisions typed in meeting mode, status answers, members' questions and proposals).
Held parts belong to the question they were typed for: once the dialog moved on (another state,
another punkt, a skipped section), they are dropped instead of being joined to the next answer.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from aiogram.fsm.context import FSMContext
from aiogram.types import Message

from handlers.texts import t

#: Clients split at 4,096 characters, at a line break or a space before it when there is one, so
#: a part is rarely much shorter than the limit (a paragraph of up to 1,000 characters).
LIKELY_SPLIT = 3000
#: Telegram's limit for one message: a longer one did not come from a client, so it is whole.
MESSAGE_LIMIT = 4096
#: The dialog data key of the parts held so far.
HELD = "long_text_parts"
#: The question the held parts answer: a digest of the dialog state and its other data.
HELD_FOR = "long_text_for"
END_MARK = "."


def _question(state_name: str | None, data: dict[str, Any]) -> str:
    rest = {k: v for k, v in data.items() if k not in (HELD, HELD_FOR)}
    seen = json.dumps([state_name, rest], sort_keys=True, default=str)
    return hashlib.sha256(seen.encode("utf-8")).hexdigest()[:16]


async def gather(message: Message, state: FSMContext) -> str | None:
    """The whole answer once it is complete; None while parts are held (the person was told)."""
    text = message.text or ""
    data = await state.get_data()
    question = _question(await state.get_state(), data)
    held: list[str] = list(data.get(HELD) or []) if data.get(HELD_FOR) == question else []
    if held and text.strip() == END_MARK:
        await state.update_data({HELD: []})
        return "\n".join(held)
    if LIKELY_SPLIT <= len(text) <= MESSAGE_LIMIT:
        held.append(text)
        await state.update_data({HELD: held, HELD_FOR: question})
        total = sum(len(part) for part in held)
        key = "long-text-held-one" if len(held) == 1 else "long-text-held-other"
        await message.answer(t(key, count=len(held), length=total, end=END_MARK))
        return None
    if held:
        await state.update_data({HELD: []})
        return "\n".join([*held, text])
    if data.get(HELD):
        await state.update_data({HELD: []})  # held for a question the dialog has left
    return text
