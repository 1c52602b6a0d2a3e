"""A meeting's dagsorden or beslutningsprotokol as PDF/A, printed from the HTML layout
(``html_render``) with WeasyPrint.

PDF/A-2u (ISO 19005-2, conformance level U). Part 2 rather than part 3: they differ only in
that PDF/A-3 may carry embedded files of any kind; we embed none, and a PDF/A-2 tells an archive
there is nothing inside it cannot validate (part 1 is older, on PDF 1.4, without level U). Level
U rather than B: B promises the pages look the same in fifty years, U adds that every glyph maps
to Unicode, so the text can be searched, copied and read aloud, which the archive's search and
screen readers need. The file is also tagged (a structure tree from the HTML: headings, lists,
paragraphs, the table of contents' links) with ``/Lang da``; level A is not claimed, since no
validator here proves it.

Every font is embedded (subset): the bundled DejaVu Sans (``fonts/``), so the output does not
depend on the fonts a server has. A character those fonts lack (an emoji, Chinese) is printed as
U+FFFD "�" (``printable``): PDF/A forbids showing the .notdef glyph a missing character becomes,
and a fallback font would be whatever the server happens to have. Title, author (the
forvaltning), subject (the edition) and keywords are set in the document information and the XMP
metadata; each punkt is a bookmark.

WeasyPrint needs Pango at run time (Debian: libpango-1.0-0, libpangoft2-1.0-0); without it
``render_pdf`` raises ``PdfUnavailable`` and the Word files still work. Renders run one at a
time (``_LOCK``): Pango and fontconfig are not made for concurrent layouts in threads.
"""

from __future__ import annotations

import functools
import threading
import unicodedata
from pathlib import Path
from typing import Any

from agendas.documents.html_render import PRINT_STYLESHEET, render_html, stylesheet
from agendas.errors import DomainError
from agendas.protocol import MeetingDocument

PDF_VARIANT = "pdf/a-2u"
FONTS_DIR = Path(__file__).resolve().parent / "fonts"
FONT_FILES = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")
REPLACEMENT = "\ufffd"
#: Characters that only modify the one before (joiners, variation selectors, combining marks,
#: an emoji's skin tone): dropped rather than printed as a second "�" when the fonts lack them.
_MODIFIERS = frozenset({"Cf", "Mn", "Me", "Sk"})

_LOCK = threading.Lock()


class PdfUnavailable(DomainError):
    """WeasyPrint or its system libraries (Pango) are missing on this server."""

    key = "err-pdf-unavailable"


def render_pdf(doc: MeetingDocument, protokol: bool, public: bool) -> bytes:
    """The dagsorden (``protokol=False``) or beslutningsprotokol as PDF/A-2u bytes."""
    return html_to_pdf(printable(render_html(doc, protokol, public)))


@functools.lru_cache(maxsize=1)
def _covered() -> frozenset[int]:
    """The code points both bundled fonts have a glyph for."""
    from fontTools.ttLib import TTFont

    maps = [set(TTFont(FONTS_DIR / name).getBestCmap()) for name in FONT_FILES]
    return frozenset(set.intersection(*maps))


def printable(text: str) -> str:
    """``text`` with every character the bundled fonts cannot show replaced by "�" (modifiers
    dropped); line breaks and tabs kept."""
    covered = _covered()
    table: dict[int, str | None] = {}
    for char in set(text):
        code = ord(char)
        if code in covered or char in "\n\r\t":
            continue
        table[code] = None if unicodedata.category(char) in _MODIFIERS else REPLACEMENT
    return text.translate(table) if table else text


def load_weasyprint() -> Any:
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: Pango's shared libraries are missing
        raise PdfUnavailable() from exc
    return weasyprint


def fonts_only_fetcher(weasyprint: Any) -> Any:
    """A URL fetcher that serves the bundled fonts and nothing else: no network, no other local
    file (the HTML is escaped, but a document never reaches beyond its own assets)."""

    class FontsOnly(weasyprint.URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("file:"):
                from urllib.parse import unquote, urlsplit

                path = Path(unquote(urlsplit(url).path)).resolve()
                if path.parent == FONTS_DIR and path.suffix == ".ttf":
                    return super().fetch(url, headers)
            raise ValueError(f"not a bundled font: {url}")

    return FontsOnly(allowed_protocols=("file",))


def html_to_pdf(html: str) -> bytes:
    """An HTML page of ours (``render_html``) printed as PDF/A-2u, tagged, with ``print.css``."""
    weasyprint = load_weasyprint()
    from weasyprint.text.fonts import FontConfiguration

    with _LOCK:
        fonts = FontConfiguration()
        fetcher = fonts_only_fetcher(weasyprint)
        page_css = weasyprint.CSS(
            string=stylesheet(PRINT_STYLESHEET),
            base_url=FONTS_DIR.as_uri() + "/",
            font_config=fonts,
            url_fetcher=fetcher,
        )
        document = weasyprint.HTML(
            string=html, base_url=FONTS_DIR.as_uri() + "/", url_fetcher=fetcher
        )
        pdf: bytes = document.write_pdf(
            stylesheets=[page_css],
            font_config=fonts,
            pdf_variant=PDF_VARIANT,
            pdf_tags=True,
        )
    return pdf
