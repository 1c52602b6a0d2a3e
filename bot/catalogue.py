"""The message catalogue's ``.po`` files, read with Babel alone (no aiogram).

``bot.i18n`` builds aiogram's I18n on top of this for the chat; the web archive, which is
Danish only and runs without the bot, translates straight from the catalogue
(``catalogue_texts``), so ``udvalgsbot web`` starts without importing aiogram.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from agendas.chatviews import Translate

LOCALES_DIR = Path(__file__).parent / "locales"
DOMAIN = "udvalgsbot"
LANGUAGES = ("da", "en")


def load_catalog(locale: str, path: Path = LOCALES_DIR) -> Catalog:
    """All ``.po`` files of one language merged into one catalogue."""
    merged = Catalog(locale=locale, domain=DOMAIN)
    for po_file in sorted((path / locale / "LC_MESSAGES").glob("*.po")):
        with po_file.open("rb") as handle:
            catalog = read_po(handle, locale=locale)
        for message in catalog:
            if message.id:
                merged.add(message.id, message.string, context=message.context)
    return merged


def catalogue_texts(language: str, path: Path = LOCALES_DIR) -> Translate:
    """Plain texts of one language (the caller escapes), as ``bot.i18n.texts_for`` gives them;
    an unknown key is returned as it is, as gettext does."""
    messages = {str(m.id): str(m.string) for m in load_catalog(language, path) if m.id and m.string}

    def translate(key: str, /, **params: object) -> str:
        text = messages.get(key, key)
        return text.format(**params) if params else text

    return translate
