"""Reading a PDF/A of ours back: its structure with pikepdf, its text with poppler's pdftotext
(Debian poppler-utils; .ci/run installs it, so a missing one fails the test)."""

from __future__ import annotations

import io
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pikepdf

#: A4 in PostScript points.
A4_POINTS = (595.0, 842.0)
PDFAID = "{http://www.aiim.org/pdfa/ns/id/}"


def pdf_text(data: bytes) -> str:
    """The text layer, whitespace folded to single spaces (lines wrap where the page ends)."""
    pdftotext = shutil.which("pdftotext")
    assert pdftotext, "pdftotext is missing (apt-get install poppler-utils)"
    out = subprocess.run(
        [pdftotext, "-enc", "UTF-8", "-", "-"],
        input=data,
        capture_output=True,
        check=True,
        timeout=60,
    ).stdout.decode("utf-8")
    return " ".join(out.split())


@dataclass(frozen=True, slots=True)
class PdfFacts:
    part: str
    conformance: str
    lang: str
    title: str
    author: str
    subject: str
    keywords: str
    #: (width, height) of every page's MediaBox, in points.
    pages: list[tuple[float, float]]
    #: Every font used on a page (also in its form XObjects): (name, embedded).
    fonts: list[tuple[str, bool]]
    #: The outline's top-level titles, in order.
    bookmarks: list[str]
    tagged: bool


def _descriptor(font: Any) -> Any:
    if "/FontDescriptor" in font:
        return font.FontDescriptor
    if "/DescendantFonts" in font:  # a Type0 (CID) font: the descriptor is its descendant's
        return font.DescendantFonts[0].FontDescriptor
    return None


def _fonts(resources: Any, seen: set[tuple[int, int]]) -> Iterator[tuple[str, bool]]:
    for _key, font in (resources.get("/Font") or {}).items():
        descriptor = _descriptor(font)
        embedded = descriptor is not None and any(
            f in descriptor for f in ("/FontFile", "/FontFile2", "/FontFile3")
        )
        yield str(font.get("/BaseFont", "?")), embedded
    for _key, xobject in (resources.get("/XObject") or {}).items():
        if xobject.get("/Subtype") != "/Form" or "/Resources" not in xobject:
            continue
        ident = xobject.objgen
        if ident in seen:
            continue
        seen.add(ident)
        yield from _fonts(xobject.Resources, seen)


def read_pdf(data: bytes) -> PdfFacts:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        meta = pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False)
        info = pdf.docinfo
        seen: set[tuple[int, int]] = set()
        fonts = [f for page in pdf.pages for f in _fonts(page.Resources, seen)]
        with pdf.open_outline() as outline:
            bookmarks = [item.title for item in outline.root]
        mark_info = pdf.Root.get("/MarkInfo") or {}
        return PdfFacts(
            part=str(meta.get(f"{PDFAID}part", "")),
            conformance=str(meta.get(f"{PDFAID}conformance", "")),
            lang=str(pdf.Root.get("/Lang", "")),
            title=str(info.get("/Title", "")),
            author=str(info.get("/Author", "")),
            subject=str(info.get("/Subject", "")),
            keywords=str(info.get("/Keywords", "")),
            pages=[
                (float(p.MediaBox[2] - p.MediaBox[0]), float(p.MediaBox[3] - p.MediaBox[1]))
                for p in pdf.pages
            ],
            fonts=fonts,
            bookmarks=bookmarks,
            tagged=bool(mark_info.get("/Marked", False)) and "/StructTreeRoot" in pdf.Root,
        )


def assert_pdfa(data: bytes, bookmarks: list[str]) -> PdfFacts:
    """PDF/A-2u, every page A4, every font embedded, Danish, tagged, ``bookmarks`` in order."""
    assert data.startswith(b"%PDF-")
    facts = read_pdf(data)
    assert (facts.part, facts.conformance) == ("2", "U"), facts
    assert facts.lang == "da"
    assert facts.pages, "no page"
    for width, height in facts.pages:
        assert abs(width - A4_POINTS[0]) <= 1 and abs(height - A4_POINTS[1]) <= 1, facts.pages
    assert facts.fonts, "no font"
    assert all(embedded for _name, embedded in facts.fonts), facts.fonts
    assert facts.tagged
    assert facts.bookmarks == bookmarks
    return facts
