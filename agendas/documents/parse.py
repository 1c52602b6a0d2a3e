"""Import of an agenda or protocol in the municipal layout (DOCX or plain text): reading.

Both inputs become a list of lines (a DOCX paragraph's heading level comes from its style:
"Heading 1"/"Overskrift 1" is a punkt, "Heading 2"/"Overskrift 2" a section); one reader
(``agendas.documents.recognise.AgendaReader``) then walks the lines and recognises the front,
the punkter, their sections and decisions. Every line it cannot place goes to
``ImportResult.unplaced``; nothing is dropped silently.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from docx.oxml.ns import qn

from agendas.documents.html import html_text, looks_like_html
from agendas.documents.lines import ImportResult, Line
from agendas.documents.pdf import pdf_text
from agendas.documents.recognise import AgendaReader
from agendas.documents.safety import MAX_DOCX_BYTES, OLE_SIGNATURE, ZIP_SIGNATURE, open_docx_safely
from agendas.errors import InvalidInput


def parse_document(data: bytes, max_bytes: int = MAX_DOCX_BYTES) -> ImportResult:
    """DOCX, PDF (with a text layer), a saved web page (HTML) or plain text (UTF-8, or
    Windows-1252 as a fallback), told apart by their bytes."""
    if len(data) > max_bytes:
        raise InvalidInput("err-docx-too-large", limit=max_bytes // (1024 * 1024))
    if data.startswith(ZIP_SIGNATURE) or data.startswith(OLE_SIGNATURE[:4]):
        return parse_docx(data, max_bytes=max_bytes)
    if data.lstrip()[:5] == b"%PDF-":
        return parse_pdf(data)
    if b"\x00" in data[:4096]:
        raise InvalidInput("err-import-unsupported")
    text = _decode(data)
    if looks_like_html(data):
        return parse_html(text)
    return parse_text(text)


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def parse_pdf(data: bytes) -> ImportResult:
    """A PDF's text layer: headings from font size and weight, page furniture stripped (and
    returned as ``stripped``, so every line is accounted for)."""
    text = pdf_text(data)
    result = AgendaReader(text.lines).read()
    result.stripped = text.stripped
    return result


def parse_html(text: str) -> ImportResult:
    """A saved web page: headings from the markup, the site's own buttons left out."""
    page = html_text(text)
    result = AgendaReader(page.lines).read()
    result.stripped = page.stripped
    return result


def parse_text(text: str) -> ImportResult:
    lines = [Line(raw.strip(), number=n) for n, raw in enumerate(text.splitlines(), 1)]
    return AgendaReader(lines).read()


def parse_docx(data: bytes, max_bytes: int = MAX_DOCX_BYTES) -> ImportResult:
    document = open_docx_safely(data, max_bytes=max_bytes)
    return AgendaReader(docx_lines(document)).read()


def docx_lines(document: Any) -> list[Line]:
    """Body paragraphs (tables included, in order) with their heading level from the style."""
    names: dict[str, str] = {}
    for style in document.styles.element.findall(qn("w:style")):
        name_el = style.find(qn("w:name"))
        style_id = style.get(qn("w:styleId"))
        if style_id and name_el is not None:
            names[style_id] = (name_el.get(qn("w:val")) or "").lower()
    lines: list[Line] = []
    for p in document.element.body.iter(qn("w:p")):
        text = (p.text or "").strip()
        if not text:
            continue
        p_pr = p.find(qn("w:pPr"))
        style_name = ""
        numbered = False
        if p_pr is not None:
            p_style = p_pr.find(qn("w:pStyle"))
            if p_style is not None:
                style_id = p_style.get(qn("w:val")) or ""
                style_name = names.get(style_id, style_id.lower())
            numbered = p_pr.find(qn("w:numPr")) is not None
        lines.append(replace(_classify(text, style_name, numbered), number=len(lines) + 1))
    return lines


_HEADING_STYLE = re.compile(r"^(?:heading|overskrift)\s*(\d)$")


def _classify(text: str, style_name: str, numbered: bool) -> Line:
    match = _HEADING_STYLE.match(style_name)
    if match:
        level = int(match[1])
        return Line(text, level=1 if level == 1 else 2)
    if style_name in ("title", "titel"):
        return Line(text, level=-1)
    bullet = numbered or "bullet" in style_name or "punkttegn" in style_name
    return Line(text, bullet=bullet)
