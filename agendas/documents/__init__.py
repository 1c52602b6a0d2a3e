"""Documents of a meeting: rendering (dagsorden, beslutningsprotokol) as Word, as HTML
(``html_render``) and as PDF/A (``pdf_render``), and import.

Pure functions from bytes to the domain and back; no I/O, no framework. Callers in the event loop
run them in a worker thread (``offload.off_loop``): a 60-punkt protocol takes a fraction of a
second, which is still too long to block the loop.

The names below load their modules (and python-docx) on first use, not when the package is
imported: ``agendas.documents.offload`` and the light modules cost the bot's start nothing.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from agendas.documents.lines import ImportResult, Unplaced
    from agendas.documents.parse import parse_document, parse_docx, parse_text
    from agendas.documents.render import render_dagsorden, render_protokol
    from agendas.documents.safety import open_docx_safely

#: Each public name and the module that holds it.
_HOMES = {
    "ImportResult": "lines",
    "Unplaced": "lines",
    "open_docx_safely": "safety",
    "parse_document": "parse",
    "parse_docx": "parse",
    "parse_text": "parse",
    "render_dagsorden": "render",
    "render_protokol": "render",
}

__all__ = [
    "ImportResult",
    "Unplaced",
    "open_docx_safely",
    "parse_document",
    "parse_docx",
    "parse_text",
    "render_dagsorden",
    "render_protokol",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{home}"), name)
