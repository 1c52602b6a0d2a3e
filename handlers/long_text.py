"""Long pasted texts: a Telegram client splits a text over 4,096 characters into several
messages sent one after the other. In a dialog they belong to one answer.

A part of ``LIKELY_SPLIT`` characters or more is held, and the person is told that more may
come; the following parts are joined to it, and the first shorter part (the last of a split)
completes the answer. A text that happened to be that long on its own is completed by ".".
"""

from __future__ import annotations

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
END_MARK = "."


async def gather(message: Message, state: FSMContext) -> str | None:
    """The whole answer once it is complete; None while parts are held (the person was told)."""
    text = message.text or ""
    held: list[str] = list((await state.get_data()).get(HELD) or [])
    if held and text.strip() == END_MARK:
        await state.update_data({HELD: []})
        return "\n".join(held)
    if LIKELY_SPLIT <= len(text) <= MESSAGE_LIMIT:
        held.append(text)
        await state.update_data({HELD: held})
        total = sum(len(part) for part in held)
        key = "long-text-held-one" if len(held) == 1 else "long-text-held-other"
        await message.answer(t(key, count=len(held), length=total, end=END_MARK))
        return None
    if held:
        await state.update_data({HELD: []})
        return "\n".join([*held, text])
    return text
