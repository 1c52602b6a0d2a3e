"""The message catalogue: gettext ``.po`` files per language, one file per feature.

aiogram's ``I18n`` reads compiled ``.mo`` files; we compile the ``.po`` sources in memory at
start (Babel), so the repository holds only the readable catalogue and nothing can go stale.
Message ids are stable keys (``start-welcome``); Danish is the first language, English is kept
in step (a test compares them).
"""

from __future__ import annotations

import gettext
import io
from collections.abc import Generator
from contextlib import contextmanager
from pathlib import Path

from aiogram.utils.i18n import I18n
from babel.messages.mofile import write_mo

from agendas.chatviews import Texts, Translate
from bot.catalogue import DOMAIN, LANGUAGES, LOCALES_DIR, load_catalog

__all__ = ["DOMAIN", "LANGUAGES", "LOCALES_DIR", "CatalogI18n", "load_catalog", "make_i18n"]


class CatalogI18n(I18n):
    """aiogram's I18n fed from ``.po`` sources compiled in memory."""

    def find_locales(self) -> dict[str, gettext.GNUTranslations]:
        translations: dict[str, gettext.GNUTranslations] = {}
        for entry in sorted(self.path.iterdir()):
            if not entry.is_dir():
                continue
            buffer = io.BytesIO()
            write_mo(buffer, load_catalog(entry.name, self.path))
            buffer.seek(0)
            translations[entry.name] = gettext.GNUTranslations(buffer)
        return translations

    @contextmanager
    def context(self) -> Generator[I18n, None, None]:
        """Make this the current ``I18n``.

        aiogram gives every subclass its own context variable, but ``gettext()`` looks up
        ``I18n``'s; without this override no text could be found during an update.
        """
        token = I18n.set_current(self)
        try:
            yield self
        finally:
            I18n.reset_current(token)


def make_i18n(default_locale: str = "da", path: Path = LOCALES_DIR) -> CatalogI18n:
    return CatalogI18n(path=path, default_locale=default_locale, domain=DOMAIN)


def texts_for(i18n: I18n) -> Texts:
    """The catalogue per recipient language, as plain text (the views escape)."""

    def texts(language: str | None) -> Translate:
        locale = language if language in LANGUAGES else i18n.default_locale

        def translate(key: str, /, **params: object) -> str:
            text = i18n.gettext(key, locale=locale)
            return text.format(**params) if params else text

        return translate

    return texts
