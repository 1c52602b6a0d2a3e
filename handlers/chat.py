"""What the feature routers share in chat: the message a button sits on, buttons, labels and
the choice of a meeting."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from agendas.dates import moede_when
from agendas.errors import NotFound
from agendas.services.meetings import MoedeListing
from handlers.texts import t

#: Telegram shows about this many characters of a button on a phone.
LABEL_LIMIT = 48
#: Telegram's limit on a button's callback data, in bytes.
CALLBACK_LIMIT = 64

Built = TypeVar("Built", InlineKeyboardButton, InlineKeyboardMarkup)


def _defaults(cls: type[Any]) -> dict[str, Any]:
    """Every field in pydantic's order (JSON keeps it), required ones as placeholders."""
    return {
        name: None if field.is_required() else field.get_default(call_default_factory=True)
        for name, field in cls.model_fields.items()
    }


_DEFAULTS: dict[type[Any], dict[str, Any]] = {
    cls: _defaults(cls) for cls in (InlineKeyboardButton, InlineKeyboardMarkup)
}


def _built(cls: type[Built], **values: Any) -> Built:
    """A button or keyboard from values of the right types (the type checker sees to that):
    the object pydantic's validation would make, without the validation, which costs about
    40 µs a button (a 15-punkt agenda's keyboard: most of a millisecond per update)."""
    obj = cls.__new__(cls)
    fields = dict(_DEFAULTS[cls])
    fields.update(values)
    object.__setattr__(obj, "__dict__", fields)
    object.__setattr__(obj, "__pydantic_fields_set__", set(values))
    object.__setattr__(obj, "__pydantic_extra__", {})
    object.__setattr__(obj, "__pydantic_private__", {"_bot": None})
    return obj


def pack(data: CallbackData) -> str:
    """``data.pack()`` for the usual case of text and whole-number fields, without dumping the
    model; anything else (and any error) goes through aiogram's own ``pack``."""
    sep = data.__separator__
    parts = [data.__prefix__]
    for value in data.__dict__.values():
        if type(value) is int:
            parts.append(str(value))
        elif type(value) is str and sep not in value:
            parts.append(value)
        else:
            return data.pack()
    packed = sep.join(parts)
    return packed if len(packed.encode()) <= CALLBACK_LIMIT else data.pack()


async def chat_message(query: CallbackQuery) -> Message:
    """The message a button sits on (to answer in the same chat or edit it in place)."""
    if not isinstance(query.message, Message):
        raise NotFound("err-stale-button")
    return query.message


def button(text: str, data: CallbackData) -> InlineKeyboardButton:
    return _built(InlineKeyboardButton, text=text, callback_data=pack(data))


def clip(text: str, limit: int = LABEL_LIMIT) -> str:
    """Shorten a label (or an alert) to ``limit`` characters, marking the cut with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def markup(rows: list[list[InlineKeyboardButton]]) -> InlineKeyboardMarkup:
    return _built(InlineKeyboardMarkup, inline_keyboard=rows)


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
