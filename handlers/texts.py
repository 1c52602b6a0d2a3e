"""Looking up catalogue texts for the current user's language, HTML-safe."""

from __future__ import annotations

import html

from aiogram.utils.i18n import gettext

from agendas.errors import DomainError


class Html(str):
    """A parameter that is already HTML and must not be escaped again."""


def t(key: str, /, **params: object) -> str:
    """The catalogue text ``key`` in the user's language, with ``params`` escaped and filled in."""
    text = gettext(key)
    if not params:
        return text
    safe = {
        name: value if isinstance(value, Html) else html.escape(str(value), quote=False)
        for name, value in params.items()
    }
    return text.format(**safe)


def plain(key: str, /, **params: object) -> str:
    """The catalogue text unescaped: for the pure views in ``agendas.chatviews`` (which escape
    what they are given) and for callback answers (which Telegram shows as plain text)."""
    text = gettext(key)
    return text.format(**params) if params else text


def error_text(error: DomainError) -> str:
    return t(error.key, **error.params)


def error_plain(error: DomainError) -> str:
    """An error for a button's alert, which Telegram shows as plain text."""
    return plain(error.key, **error.params)
