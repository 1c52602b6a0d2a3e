"""Reading a rendered Word file back with python-docx: its page setup, header and properties."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import docx
from docx.shared import Cm, Length

#: What ``agendas.documents.page`` promises: A4, 2.5 cm top/bottom/left, 2.0 cm right.
A4 = (Cm(21.0), Cm(29.7))
DANISH_MARGINS = (Cm(2.5), Cm(2.5), Cm(2.5), Cm(2.0))
INTERNAL = "Intern udgave – indeholder lukkede punkter"
PUBLIC = "Offentlig udgave"


@dataclass(frozen=True, slots=True)
class Page:
    width: Length
    height: Length
    #: top, bottom, left, right
    margins: tuple[Length, Length, Length, Length]


def open_word(data: bytes) -> Any:
    return docx.Document(io.BytesIO(data))


def pages(data: bytes) -> list[Page]:
    """The page setup of every section, as Word reads it from the section properties."""
    return [
        Page(
            s.page_width,
            s.page_height,
            (s.top_margin, s.bottom_margin, s.left_margin, s.right_margin),
        )
        for s in open_word(data).sections
    ]


def near(a: Length | None, b: Length) -> bool:
    """Equal to a hundredth of a millimetre (Word stores twentieths of a point)."""
    return a is not None and abs(a - b) < Cm(0.01)


def assert_a4_with_danish_margins(data: bytes) -> None:
    found = pages(data)
    assert found, "no section"
    for page in found:
        assert near(page.width, A4[0]) and near(page.height, A4[1]), page
        assert all(near(m, e) for m, e in zip(page.margins, DANISH_MARGINS, strict=True)), page


def header_text(data: bytes) -> str:
    """The page header of every section, one line per paragraph."""
    return "\n".join(
        p.text for s in open_word(data).sections for p in s.header.paragraphs if p.text.strip()
    )


def body_lines(data: bytes) -> list[str]:
    return [p.text for p in open_word(data).paragraphs if p.text.strip()]
