"""The page furniture every Word document the bot writes shares: a header with the document's
title lines and a footer that ends "Side X af Y" (Word's PAGE and NUMPAGES fields, with a cached
result a reader without fields shows as "1").

A municipal template's letterhead stays: the lines go in the header's empty paragraph when it
has one, else after the letterhead.
"""

from __future__ import annotations

from typing import Any

from docx.oxml import OxmlElement
from docx.oxml.ns import qn

PAGE_LABEL = "Side"
OF_LABEL = "af"


def field_run(paragraph: Any, instruction: str, shown: str) -> None:
    """A complex field (PAGE, NUMPAGES) with a cached result."""
    for kind, text in (("begin", None), ("instr", instruction), ("separate", None)):
        run = paragraph.add_run()
        if kind == "instr":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
        else:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
    paragraph.add_run(shown)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    paragraph.add_run()._r.append(end)


def free_paragraph(part: Any) -> Any:
    """The header's/footer's empty paragraph, or a new one after the template's letterhead."""
    paragraphs = part.paragraphs
    if paragraphs and not part.tables and not any(p.text.strip() for p in paragraphs):
        return paragraphs[0]
    return part.add_paragraph()


def page_furniture(document: Any, header: str, marks: str, footer: str) -> None:
    """Every section: ``header`` and, in bold below it, ``marks`` (if any) at the top;
    ``footer`` followed by "· Side X af Y" at the bottom."""
    for section in document.sections:
        top = section.header
        top.is_linked_to_previous = False
        free_paragraph(top).add_run(header)
        if marks:
            top.add_paragraph().add_run(marks).bold = True
        bottom = section.footer
        bottom.is_linked_to_previous = False
        paragraph = free_paragraph(bottom)
        paragraph.add_run(f"{footer} · {PAGE_LABEL} ")
        field_run(paragraph, " PAGE ", "1")
        paragraph.add_run(f" {OF_LABEL} ")
        field_run(paragraph, " NUMPAGES ", "1")


__all__ = ["field_run", "free_paragraph", "page_furniture"]
