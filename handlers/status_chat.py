"""What the status routers share in chat: status buttons, the domain's buttons as a keyboard,
and editing the tovholdere's prompts in place after a change."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from agendas.mailings import OutMessage
from agendas.status.lists import PromptEdit
from handlers.callbacks import StatusCb, pack_button

log = logging.getLogger(__name__)


def status_button(
    text: str, action: str, indsats_id: int, round_id: int, value: int = 0
) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        text=text,
        callback_data=StatusCb(
            action=action, indsats_id=indsats_id, round_id=round_id, value=value
        ).pack(),
    )


def keyboard(
    message: OutMessage, extra: Sequence[list[InlineKeyboardButton]] = ()
) -> InlineKeyboardMarkup | None:
    """The message's buttons (``ButtonSpec``) as an inline keyboard, then ``extra`` rows."""
    rows: list[list[InlineKeyboardButton]] = []
    for row in message.buttons:
        buttons = []
        for spec in row:
            data = pack_button(spec)
            if data is not None:
                buttons.append(InlineKeyboardButton(text=spec.label, callback_data=data))
        if buttons:
            rows.append(buttons)
    rows.extend(extra)
    return InlineKeyboardMarkup(inline_keyboard=rows) if rows else None


async def apply_edits(bot: Bot, edits: Sequence[PromptEdit]) -> None:
    """Edit each prompt in place; one the person deleted, or that did not change, is left."""
    for edit in edits:
        try:
            await bot.edit_message_text(
                chat_id=edit.chat_id,
                message_id=edit.message_id,
                text=edit.message.text,
                reply_markup=keyboard(edit.message),
            )
        except (TelegramBadRequest, TelegramForbiddenError) as exc:
            log.debug("Prompt %s not edited: %s", edit.message_id, exc.message)


async def drop_buttons(bot: Bot, where: tuple[int, int] | None) -> Any:
    """Take the buttons off an older copy of a prompt (best effort)."""
    if where is None:
        return None
    try:
        return await bot.edit_message_reply_markup(
            chat_id=where[0], message_id=where[1], reply_markup=None
        )
    except (TelegramBadRequest, TelegramForbiddenError) as exc:
        log.debug("Old prompt %s kept its buttons: %s", where[1], exc.message)
        return None
