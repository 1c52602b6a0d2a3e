"""Every catalogue key the archive's templates name exists in Danish and English (the Python
side is checked by tests/unit/test_catalogue.py)."""

from __future__ import annotations

import re
from pathlib import Path

from tests.unit.test_catalogue import CATALOGUES

TEMPLATES = Path(__file__).resolve().parents[2] / "web" / "templates"
KEY = re.compile(r"""["'](web-[a-z0-9-]+)["']""")


def test_every_key_in_the_templates_exists() -> None:
    used = {
        key for path in TEMPLATES.glob("*.html") for key in KEY.findall(path.read_text("utf-8"))
    }
    assert len(used) > 30
    for language, messages in CATALOGUES.items():
        assert sorted(used - set(messages)) == [], language


def test_the_archive_reads_the_catalogue_as_the_chat_does() -> None:
    """``catalogue_texts`` (no aiogram) gives the texts ``bot.i18n.texts_for`` gives."""
    from bot.catalogue import catalogue_texts
    from bot.i18n import make_i18n, texts_for

    for language in ("da", "en"):
        plain, chat = catalogue_texts(language), texts_for(make_i18n("da"))(language)
        assert plain("web-year", year=2026) == chat("web-year", year=2026)
        assert plain("release-footer") == chat("release-footer")
    assert catalogue_texts("da")("web-year", year=2026) == "Møder i 2026"
    assert catalogue_texts("da")("no-such-key") == "no-such-key"
