"""What the readers of each format hand the one reader (``recognise.AgendaReader``): the lines
of a document with their heading level, and what the import returns.

``front_headings`` settles one thing every format shares: the large type or headings of a front
page (the udvalg, "Referat", the date) are not punkter.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from agendas.protocol import MeetingDocument


@dataclass(slots=True)
class ImportResult:
    document: MeetingDocument
    #: Lines the importer could not place, in document order, with their line numbers.
    unplaced: list[Unplaced] = field(default_factory=list)
    #: Page furniture of a PDF left out on purpose (repeated headers and footers, page numbers,
    #: table-of-contents leaders).
    stripped: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Line:
    text: str
    level: int = 0  # 1: heading 1 (punkt), 2: heading 2 (section), -1: title, 0: body
    bullet: bool = False
    #: Where the line stands in the document as read, from 1: the line of a text file, the
    #: paragraph of a Word file (empty ones not counted), the line of a PDF's text layer or
    #: the block of a web page. 0: not known.
    number: int = 0


@dataclass(frozen=True, slots=True)
class Unplaced:
    """A line the importer could not place, and where it stands (``Line.number``)."""

    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.line}: {self.text}" if self.line else self.text


def front_headings(lines: list[Line]) -> list[Line]:
    """The large lines of a front page (udvalg, "Referat", the date, in a PDF's big type or a
    web page's headings) are no punkter: before the first heading that reads as a punkt (a
    number, "Punkt 3:", "Lukket punkt", "Sag nr." under it, or its number in the cell before
    it), the first heading is the document's title and the others body text."""

    from agendas.documents.patterns import (
        BARE_NUMBER,
        CLOSED,
        NUMBERED,
        prefixed_title,
        sag_nr,
    )

    def punkt_like(i: int) -> bool:
        text = lines[i].text
        return bool(
            NUMBERED.match(text)
            or prefixed_title(text)
            or CLOSED.match(text)
            or (i + 1 < len(lines) and sag_nr(lines[i + 1].text))
            or (i > 0 and BARE_NUMBER.match(lines[i - 1].text))
        )

    first = next((i for i, line in enumerate(lines) if line.level == 1 and punkt_like(i)), None)
    if first is None:
        return lines
    titled = any(line.level == -1 for line in lines[:first])
    result: list[Line] = []
    for index, line in enumerate(lines):
        if index < first and line.level == 1:
            result.append(replace(line, level=0 if titled else -1, bullet=False))
            titled = True
        else:
            result.append(line)
    return result
