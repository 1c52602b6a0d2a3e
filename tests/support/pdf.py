"""A minimal PDF writer for tests: pages of text lines in Helvetica (bold or not) at given sizes,
with a real text layer (the standard fonts, WinAnsi encoding, so æ, ø and å come through).

It writes what a municipality's PDF export has that the importer reads: lines top-down with
their font size and weight, a header and footer repeated on every page, page numbers. ``scan``
makes a page with no text at all (an image-only scan).
"""

from __future__ import annotations

from dataclasses import dataclass

PAGE_WIDTH, PAGE_HEIGHT = 595, 842  # A4 in points


@dataclass(frozen=True, slots=True)
class PdfLine:
    text: str
    size: float = 11.0
    bold: bool = False


def _escape(text: str) -> bytes:
    raw = text.encode("cp1252")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def _content(lines: list[PdfLine], header: str, footer: str) -> bytes:
    out = [b"BT"]
    if header:
        out.append(b"/F1 9 Tf 1 0 0 1 56 810 Tm (" + _escape(header) + b") Tj")
    y = 770.0
    for line in lines:
        font = b"/F2" if line.bold else b"/F1"
        out.append(
            font
            + f" {line.size:g} Tf 1 0 0 1 56 {y:.1f} Tm (".encode()
            + _escape(line.text)
            + b") Tj"
        )
        y -= line.size * 1.5
    if footer:
        out.append(b"/F1 9 Tf 1 0 0 1 56 30 Tm (" + _escape(footer) + b") Tj")
    out.append(b"ET")
    return b"\n".join(out)


def make_pdf(
    pages: list[list[PdfLine]], header: str = "", footer: str = "Side {page} af {pages}"
) -> bytes:
    """A PDF of ``pages``; ``header``/``footer`` on every page ({page}/{pages} filled in; empty:
    none). An empty page list item is a page without text (a scan)."""
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    bold = add(
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>"
    )
    pages_id = len(objects) + 1 + 2 * len(pages)
    kids = []
    for number, lines in enumerate(pages, 1):
        if lines:
            text = _content(
                lines,
                header.format(page=number, pages=len(pages)),
                footer.format(page=number, pages=len(pages)),
            )
        else:
            text = b"q 0.5 g 56 56 480 700 re f Q"  # an image-like grey box, no text
        stream = add(b"<< /Length %d >>\nstream\n" % len(text) + text + b"\nendstream")
        kids.append(
            add(
                b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %d %d] /Contents %d 0 R"
                b" /Resources << /Font << /F1 %d 0 R /F2 %d 0 R >> >> >>"
                % (pages_id, PAGE_WIDTH, PAGE_HEIGHT, stream, font, bold)
            )
        )
    assert (
        add(
            b"<< /Type /Pages /Kids [%s] /Count %d >>"
            % (b" ".join(b"%d 0 R" % k for k in kids), len(kids))
        )
        == pages_id
    )
    catalog = add(b"<< /Type /Catalog /Pages %d 0 R >>" % pages_id)
    body = b"%PDF-1.4\n"
    offsets = []
    for number, obj in enumerate(objects, 1):
        offsets.append(len(body))
        body += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    xref = len(body)
    body += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    body += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    body += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        catalog,
        xref,
    )
    return body
