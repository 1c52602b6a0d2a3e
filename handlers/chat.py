"""What the feature routers share in chat: the message a button sits on, buttons, labels and
the choice of a meeting."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from agendas.dates import moede_when
from agendas.errors import NotFound
from agendas.services.meetings import MoedeListing
from handlers.texts import t

#: Telegram shows about this many characters of a button on a phone.
LABEL_LIMIT = 48


async def chat_message(query: CallbackQuery) -> Message:
    """The message a button sits on (to answer in the same chat or edit it in place)."""
    if not isinstance(query.message, Message):
        raise NotFound("err-stale-button")
    return query.message


def button(text: str, data: CallbackData) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=data.pack())


def clip(text: str, limit: int = LABEL_LIMIT) -> str:
    """Shorten a label (or an alert) to ``limit`` characters, marking the cut with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def markup(rows: list[list[InlineKeyboardButton]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=rows)


def moede_choice(
    listing: Sequence[MoedeListing], make_data: Callable[[int], CallbackData]
) -> InlineKeyboardMarkup:
    """One button per meeting ("BEU 15-12-2026 kl. 15.00"), for every "which meeting?"."""
    return markup(
        [
            [
                button(
                    t(
                        "btn-moede",
                        code=x.udvalg.code,
                        when=moede_when(t, x.moede.date, x.moede.start_time),
                    ),
                    make_data(x.moede.id or 0),
                )
            ]
            for x in listing
        ]
    )
