"""PDF with a text layer (how most municipalities publish): the lines of the document with the
heading level their type gives them, for the one reader (``recognise.AgendaReader``).

pdfplumber (on pdfminer.six) gives each character with its font and size; a line's size and
weight tell a heading from body text:

- the body size is the size most characters have;
- a line clearly larger than the body (``HEADING_RATIO``) is a heading 1 (a punkt title, or the
  document's title on its front page); a short bold line at about body size is a heading 2 (a
  section such as "Indstilling");
- page furniture is not content: a line repeated at the top or bottom of most pages (the
  municipality's header, "Side 3 af 12", the udvalg and date in the footer) and bare page numbers
  are stripped, and so are the dot leaders of a table of contents. What is stripped is returned
  too, so the import can account for every line of the document.

A PDF without any text (a scan) is refused with a message that says so; an encrypted one too.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from dataclasses import dataclass

from agendas.documents.lines import Line
from agendas.errors import InvalidInput

#: At most this many pages are read (a committee meeting's agenda is tens of pages).
MAX_PAGES = 400
#: A line this much larger than the body text is a heading 1.
HEADING_RATIO = 1.18
#: A bold line at body size is a section heading when it is this short.
SECTION_MAX_WORDS = 8
#: The top and bottom share of a page where headers and footers live.
MARGIN_SHARE = 0.09

_BOLD = re.compile(r"bold|black|heavy|semibold|demi", re.IGNORECASE)
_PAGE_NUMBER = re.compile(r"^(?:side\s*)?\d{1,4}(?:\s*(?:af|/|of)\s*\d{1,4})?$", re.IGNORECASE)
_TOC_LEADER = re.compile(r"(?:\.\s*){4,}\s*\d{1,4}$|\s\.{2,}\s*\d{1,4}$")
_DIGITS = re.compile(r"\d+")


@dataclass(frozen=True, slots=True)
class PdfLine:
    text: str
    page: int
    top: float  # share of the page height, 0 at the top
    size: float
    bold: bool


@dataclass(slots=True)
class PdfText:
    lines: list[Line]
    #: Page furniture taken out (headers, footers, page numbers, table-of-contents leaders).
    stripped: list[str]


def pdf_text(data: bytes) -> PdfText:
    """The lines of a PDF with their heading levels; refused when it has no text layer."""
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfplumber.utils.exceptions import PdfminerException

    raw: list[PdfLine] = []
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            pages = pdf.pages
            if len(pages) > MAX_PAGES:
                raise InvalidInput("err-pdf-too-many-pages", limit=MAX_PAGES)
            for number, page in enumerate(pages):
                height = float(page.height) or 1.0
                for item in page.extract_text_lines(return_chars=True):
                    text = " ".join(str(item["text"]).split())
                    chars = [c for c in item["chars"] if str(c.get("text", "")).strip()]
                    if not text or not chars:
                        continue
                    sizes = Counter(round(float(c["size"]), 1) for c in chars)
                    bold = sum(1 for c in chars if _BOLD.search(str(c.get("fontname", ""))))
                    raw.append(
                        PdfLine(
                            text=text,
                            page=number,
                            top=float(item["top"]) / height,
                            size=sizes.most_common(1)[0][0],
                            bold=bold * 2 > len(chars),
                        )
                    )
            page_count = len(pages)
    except (PDFEncryptionError, PDFPasswordIncorrect) as exc:
        raise InvalidInput("err-pdf-encrypted") from exc
    except (PdfminerException, PDFSyntaxError, ValueError, KeyError, TypeError) as exc:
        raise InvalidInput("err-pdf-unreadable") from exc
    if not raw:
        raise InvalidInput("err-pdf-scanned")
    return _levels(raw, page_count)


def _furniture_key(text: str) -> str:
    return _DIGITS.sub("#", text.casefold())


def _levels(raw: list[PdfLine], page_count: int) -> PdfText:
    body = _body_size(raw)
    repeated = _repeated_margins(raw, page_count)
    lines: list[Line] = []
    stripped: list[str] = []
    for number, line in enumerate(raw, 1):
        in_margin = line.top < MARGIN_SHARE or line.top > 1 - MARGIN_SHARE
        if _PAGE_NUMBER.match(line.text) or (in_margin and _furniture_key(line.text) in repeated):
            stripped.append(line.text)
            continue
        text = line.text
        if _TOC_LEADER.search(text):
            stripped.append(text)
            continue
        lines.append(Line(text, level=_level(line, body), number=number))
    return PdfText(lines=lines, stripped=stripped)


def _body_size(raw: list[PdfLine]) -> float:
    weights: Counter[float] = Counter()
    for line in raw:
        weights[line.size] += len(line.text)
    return weights.most_common(1)[0][0]


def _repeated_margins(raw: list[PdfLine], page_count: int) -> set[str]:
    """Texts (digits as #) in the top or bottom margin of at least half the pages (2 or more)."""
    if page_count < 2:
        return set()
    pages_with: dict[str, set[int]] = {}
    for line in raw:
        if MARGIN_SHARE <= line.top <= 1 - MARGIN_SHARE:
            continue
        pages_with.setdefault(_furniture_key(line.text), set()).add(line.page)
    needed = max(2, (page_count + 1) // 2)
    return {key for key, pages in pages_with.items() if len(pages) >= needed}


def _level(line: PdfLine, body: float) -> int:
    words = len(line.text.split())
    if line.size >= body * HEADING_RATIO and words <= 30:
        return 1
    if line.bold and words <= SECTION_MAX_WORDS and not line.text.endswith((".", ",", ";")):
        return 2
    return 0
