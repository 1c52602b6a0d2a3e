"""Documents of a meeting: rendering (dagsorden, beslutningsprotokol) as Word, as HTML
(``html_render``) and as PDF/A (``pdf_render``), and import.

Pure functions from bytes to the domain and back; no I/O, no framework. Callers in the event loop
run them in a worker thread (``offload.off_loop``): a 60-punkt protocol takes a fraction of a
second, which is still too long to block the loop.
"""

from agendas.documents.lines import ImportResult, Unplaced
from agendas.documents.parse import parse_document, parse_docx, parse_text
from agendas.documents.render import render_dagsorden, render_protokol
from agendas.documents.safety import open_docx_safely

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
