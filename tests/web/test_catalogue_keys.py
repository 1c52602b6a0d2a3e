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
