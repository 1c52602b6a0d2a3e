"""A municipality's published web page of an agenda or referat (saved or uploaded as HTML): the
lines of its text with heading levels from the markup, for the one reader
(``recognise.AgendaReader``).

Headings come from ``<h1>``–``<h6>``: of the heading tags the page uses, one that occurs only
once before the others is the page's title, the next is a punkt and the one after a section
(a page that puts the meeting in ``<h1>``, each punkt in ``<h2>`` and "Indstilling" in ``<h3>``
reads as the Word export does). ``<li>`` becomes a bullet. Scripts, styles, navigation, headers
and footers of the site are not content and are left out. Only the standard library's parser is
used; nothing on the page is fetched or run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

from agendas.documents.lines import Line

#: Elements whose text is the site around the document, not the document.
_SKIPPED = frozenset({"script", "style", "nav", "header", "footer", "noscript", "template", "svg"})
#: Elements that end a line of text.
_BLOCKS = frozenset(
    {"p", "div", "li", "tr", "td", "th", "br", "section", "article", "dd", "dt", "table", "ul",
     "ol", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6"}
)  # fmt: skip
_HEADING = re.compile(r"^h([1-6])$")
#: The site's own buttons and links around the document (FirstAgenda's publication pages).
SITE_CHROME = frozenset(
    {"hent som pdf", "kopier link", "tilbage til forsiden", "print", "udskriv", "del", "luk"}
)


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[str, str]] = []  # (kind: "h1".."h6" | "li" | "p", text)
        self._skip = 0
        self._kind = "p"
        self._parts: list[str] = []

    def _flush(self) -> None:
        text = " ".join("".join(self._parts).split())
        if text:
            self.blocks.append((self._kind, text))
        self._parts = []
        self._kind = "p"

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self._skip += 1
            return
        if tag in _BLOCKS:
            self._flush()
            if _HEADING.match(tag) or tag == "li":
                self._kind = tag

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self._skip = max(0, self._skip - 1)
            return
        if tag in _BLOCKS:
            self._flush()

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self._parts.append(data)

    def close(self) -> None:
        super().close()
        self._flush()


@dataclass(slots=True)
class HtmlText:
    lines: list[Line]
    #: The site's buttons and links left out ("Hent som PDF", "Kopier link").
    stripped: list[str]


def html_text(text: str) -> HtmlText:
    reader = _Reader()
    reader.feed(text)
    reader.close()
    stripped = [block for _, block in reader.blocks if block.casefold() in SITE_CHROME]
    reader.blocks = [(k, b) for k, b in reader.blocks if b.casefold() not in SITE_CHROME]
    return HtmlText(lines=_leveled(reader), stripped=stripped)


def _leveled(reader: _Reader) -> list[Line]:
    used = sorted({int(kind[1]) for kind, _ in reader.blocks if _HEADING.match(kind)})
    levels: dict[int, int] = {}
    ranks = list(used)
    if (
        ranks
        and sum(1 for kind, _ in reader.blocks if kind == f"h{ranks[0]}") == 1
        and len(ranks) > 1
    ):
        levels[ranks.pop(0)] = -1
    for rank, level in zip(ranks, (1, 2), strict=False):
        levels[rank] = level
    for rank in ranks[2:]:
        levels[rank] = 2
    lines: list[Line] = []
    for number, (kind, block) in enumerate(reader.blocks, 1):
        heading = _HEADING.match(kind)
        if heading:
            lines.append(Line(block, level=levels.get(int(heading[1]), 0), number=number))
        else:
            lines.append(Line(block, bullet=kind == "li", number=number))
    return lines


def looks_like_html(data: bytes) -> bool:
    head = data[:2048].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html")) or b"<html" in head[:512]
