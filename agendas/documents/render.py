"""Rendering of a meeting as DOCX: dagsorden and beslutningsprotokol, internal and public.

Pure functions ``MeetingDocument -> bytes``. The layout follows the municipal example: a header
block (udvalg, date, time and place, members with party letters and titles, fraværende, afbud,
stedfortrædere), a table of contents (a Word TOC field whose shown result is the numbered list of
punkter), then each punkt as a "Heading 1" with Sag nr., Beslutningskompetence, its sections as
"Heading 2" in the order of ``agendas.model.SECTIONS`` and its bilag. Header and footer carry the
udvalg, the date and the page numbers; the styles are marked Danish (da-DK); every page is A4.

The edition ("Intern udgave – indeholder lukkede punkter" / "Offentlig udgave") is in the page
header and the document properties. The public version shows a closed punkt's title and public
decision text only. A protocol is marked "Udkast" until it is approved; once sent for approval it
ends with the "Godkendelse" section (the underskriftsblad): each member present, when they approved
or that they have not, and the revision.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from xml.sax.saxutils import escape as xml_escape

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn

from agendas.dates import format_date
from agendas.documents import layout
from agendas.documents.furniture import page_furniture
from agendas.documents.page import page_setup
from agendas.documents.safety import open_docx_safely
from agendas.documents.wording import (
    approval_mark,
    approval_sheet,
    attendee_line,
    closing_line,
    document_title,
    edition,
    front_lists,
    header_line,
    header_marks,
    is_draft,
    kind_label,
    punkt_facts,
    punkt_heading,
    punkt_sections,
    signature_line,
    text_lines,
    when_line,
)
from agendas.protocol import DocumentPunkt, MeetingDocument

LANGUAGE = "da-DK"

__all__ = [
    "BodyWriter",
    "approval_mark",
    "attendee_line",
    "document_title",
    "edition",
    "punkt_heading",
    "render_dagsorden",
    "render_protokol",
    "signature_line",
    "xml_run",
]


def render_dagsorden(doc: MeetingDocument, public: bool, template: bytes | None = None) -> bytes:
    """The agenda before the meeting: no Beslutning, no end time."""
    return _render(doc, protokol=False, public=public, template=template)


def render_protokol(doc: MeetingDocument, public: bool, template: bytes | None = None) -> bytes:
    """The beslutningsprotokol: decisions, inhabilitet, afvigende meninger, the end time."""
    return _render(doc, protokol=True, public=public, template=template)


@dataclass(slots=True)
class _Styles:
    normal: str | None
    title: str | None
    subtitle: str | None
    heading1: str | None
    heading2: str | None
    bullet: str | None


class BodyWriter:
    """Collects the body as WordprocessingML text and inserts it in one parse at the end.

    python-docx resolves a paragraph's style by scanning all styles on every ``add_paragraph``;
    building the XML directly keeps a 60-punkt protocol well under a second.
    """

    def __init__(self, template: bytes | None) -> None:
        if template is None:
            self.document = docx.Document()
        else:
            self.document = open_docx_safely(template)
            body = self.document.element.body
            for child in list(body):
                if child.tag != qn("w:sectPr"):
                    body.remove(child)
        page_setup(self.document, keep_a4=template is not None)
        styles = self.document.styles
        self.styles = _Styles(
            normal=_style_id(styles, "Normal"),
            title=_style_id(styles, "Title", "Titel"),
            subtitle=_style_id(styles, "Subtitle", "Undertitel"),
            heading1=_style_id(styles, "Heading 1", "Overskrift 1", outline=0),
            heading2=_style_id(styles, "Heading 2", "Overskrift 2", outline=1),
            bullet=_style_id(styles, "List Bullet", "Opstilling med punkttegn"),
        )
        _set_language(self.document)
        self.parts: list[str] = []

    def para(self, text: str = "", style: str | None = None, bold: bool = False) -> None:
        self.parts.append(_p(style, xml_run(text, bold) if text else ""))

    def new_page(self, text: str, style: str | None) -> None:
        """A paragraph that starts a new page."""
        self.parts.append(_p(style, xml_run(text), page_break_before=True))

    def labelled(self, label: str, value: str) -> None:
        self.parts.append(_p(None, xml_run(f"{label}:", bold=True) + xml_run(f" {value}")))

    def raw(self, style: str | None, runs: str) -> None:
        self.parts.append(_p(style, runs))

    def text_block(self, text: str) -> None:
        """Lines of a section; "-", "•" and "*" lines become bullets, blank lines are dropped."""
        for is_bullet, line in text_lines(text):
            self.para(line, self.styles.bullet if is_bullet else None)

    def finish(self) -> bytes:
        body = self.document.element.body
        xml = f'<w:body xmlns:w="{_W_NS}">{"".join(self.parts)}</w:body>'
        built = parse_xml(xml.encode("utf-8"))
        sect_pr = body.find(qn("w:sectPr"))
        for child in list(built):
            if sect_pr is not None:
                sect_pr.addprevious(child)
            else:
                body.append(child)
        buffer = io.BytesIO()
        self.document.save(buffer)
        return buffer.getvalue()


_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_text(text: str) -> str:
    return xml_escape(_INVALID_XML.sub("", text))


def xml_run(text: str, bold: bool = False, size: int | None = None) -> str:
    """A run of ``text`` (tabs kept), bold or not, at ``size`` half-points (else the style's)."""
    props = ("<w:b/>" if bold else "") + (
        f'<w:sz w:val="{size}"/><w:szCs w:val="{size}"/>' if size else ""
    )
    props = f"<w:rPr>{props}</w:rPr>" if props else ""
    pieces = [f'<w:t xml:space="preserve">{_xml_text(piece)}</w:t>' for piece in text.split("\t")]
    return f"<w:r>{props}{'<w:tab/>'.join(pieces)}</w:r>"


def _field_char(kind: str) -> str:
    return f'<w:r><w:fldChar w:fldCharType="{kind}"/></w:r>'


def _instr(instruction: str) -> str:
    return f'<w:r><w:instrText xml:space="preserve">{_xml_text(instruction)}</w:instrText></w:r>'


def _p(style: str | None, runs: str, page_break_before: bool = False) -> str:
    props = f'<w:pStyle w:val="{style}"/>' if style else ""
    if page_break_before:
        props += "<w:pageBreakBefore/>"
    return f"<w:p><w:pPr>{props}</w:pPr>{runs}</w:p>" if props else f"<w:p>{runs}</w:p>"


def _style_id(styles: Any, *names: str, outline: int | None = None) -> str | None:
    """The id of the first style found by name; headings are created when a template lacks them."""
    for name in names:
        try:
            return str(styles[name].style_id)
        except KeyError:
            continue
    if outline is None:
        return None
    style = styles.add_style(names[0], WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = styles["Normal"]
    style.font.bold = True
    p_pr = style.element.get_or_add_pPr()
    level = OxmlElement("w:outlineLvl")
    level.set(qn("w:val"), str(outline))
    p_pr.append(level)
    return str(style.style_id)


def _set_lang(r_pr: Any) -> None:
    lang = r_pr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        r_pr.append(lang)
    lang.set(qn("w:val"), LANGUAGE)


def _set_language(document: Any) -> None:
    styles_el = document.styles.element
    defaults = styles_el.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = OxmlElement("w:docDefaults")
        styles_el.insert(0, defaults)
    r_pr_default = defaults.find(qn("w:rPrDefault"))
    if r_pr_default is None:
        r_pr_default = OxmlElement("w:rPrDefault")
        defaults.insert(0, r_pr_default)
    r_pr = r_pr_default.find(qn("w:rPr"))
    if r_pr is None:
        r_pr = OxmlElement("w:rPr")
        r_pr_default.append(r_pr)
    _set_lang(r_pr)
    for style in styles_el.findall(qn("w:style")):
        if style.get(qn("w:type")) in ("paragraph", "character"):
            _set_lang(style.get_or_add_rPr())


def _header_footer(writer: BodyWriter, doc: MeetingDocument, protokol: bool, public: bool) -> None:
    footer = f"{doc.udvalg.name} {format_date(doc.moede.date)}"
    marks = header_marks(doc, protokol, public)
    page_furniture(writer.document, header_line(doc, protokol), marks, footer)


def _core_properties(
    writer: BodyWriter, doc: MeetingDocument, protokol: bool, public: bool
) -> None:
    props = writer.document.core_properties
    props.title = document_title(doc, protokol)
    props.author = doc.udvalg.forvaltning or doc.udvalg.name
    props.last_modified_by = props.author
    props.subject = edition(public)
    props.category = doc.udvalg.name
    props.content_status = approval_mark(doc, protokol)
    props.language = LANGUAGE
    props.keywords = "dagsorden" if not protokol else "beslutningsprotokol"
    stamp = datetime.combine(doc.moede.date, doc.moede.clock)
    props.created = stamp
    props.modified = stamp
    props.revision = max(doc.approval.revision, 1) if protokol else 1


def _front(writer: BodyWriter, doc: MeetingDocument, protokol: bool) -> None:
    writer.para(doc.udvalg.name, writer.styles.title)
    writer.para(kind_label(protokol), writer.styles.subtitle)
    if is_draft(doc, protokol):
        writer.para(layout.MARK_DRAFT, bold=True)
    writer.para(format_date(doc.moede.date))
    writer.para(when_line(doc.moede))
    for label, lines in front_lists(doc):
        writer.para(label, bold=True)
        for line in lines:
            writer.para(line)


def _toc(writer: BodyWriter, doc: MeetingDocument) -> None:
    """A Word TOC field over Heading 1; its shown result is the numbered list of punkter."""
    if not doc.punkter:
        return
    writer.para(layout.LABEL_TOC, bold=True)
    last = len(doc.punkter) - 1
    for index, item in enumerate(doc.punkter):
        runs = xml_run(punkt_heading(item))
        if index == 0:
            begin = _instr(' TOC \\o "1-1" \\h \\z \\u ')
            runs = _field_char("begin") + begin + _field_char("separate") + runs
        if index == last:
            runs += _field_char("end")
        writer.raw(None, runs)


def _punkt(writer: BodyWriter, item: DocumentPunkt, protokol: bool, public: bool) -> None:
    writer.para(punkt_heading(item), writer.styles.heading1)
    for label, value in punkt_facts(item, public):
        if label:
            writer.labelled(label, value)
        else:
            writer.para(value)
    for section in punkt_sections(item, protokol, public):
        writer.para(section.title, writer.styles.heading2)
        writer.text_block(section.text)
        for note in section.notes:
            writer.para(note)


def _approval(writer: BodyWriter, doc: MeetingDocument) -> None:
    """The underskriftsblad on a page of its own, once the protocol has been sent."""
    sheet = approval_sheet(doc, protokol=True)
    if sheet is None:
        return
    writer.new_page(layout.LABEL_GODKENDELSE, writer.styles.heading1)
    writer.para(sheet.intro)
    for name, status in sheet.signatures:
        writer.labelled(name, status)
    writer.labelled(*sheet.revision)


def _render(doc: MeetingDocument, protokol: bool, public: bool, template: bytes | None) -> bytes:
    writer = BodyWriter(template)
    _core_properties(writer, doc, protokol, public)
    _header_footer(writer, doc, protokol, public)
    _front(writer, doc, protokol)
    _toc(writer, doc)
    for item in doc.punkter:
        _punkt(writer, item, protokol, public)
    closing = closing_line(doc, protokol)
    if closing:
        writer.para(closing)
    if protokol:
        _approval(writer, doc)
    return writer.finish()
