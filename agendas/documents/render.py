"""Rendering of a meeting as DOCX: dagsorden and beslutningsprotokol, internal and public.

Pure functions ``MeetingDocument -> bytes``. The layout follows the municipal example: a header
block (udvalg, date, time and place, members with party letters and titles, fraværende, afbud,
stedfortrædere), a table of contents (a Word TOC field whose shown result is the numbered list of
punkter), then each punkt as a "Heading 1" with Sag nr., Beslutningskompetence, its sections as
"Heading 2" in the order of ``agendas.model.SECTIONS`` and its bilag. Header and footer carry the
udvalg, the date and the page numbers; the styles are marked Danish (da-DK); every page is A4.

The edition ("Intern udgave – indeholder lukkede punkter" / "Offentlig udgave") is in the page
header and the document properties. The public version shows a closed punkt's title and public
decision text only, and no punkt's "Spørgsmål og svar" (members' questions are internal). A
protocol is marked "Udkast" until it is approved; once sent for approval it ends with the
"Godkendelse" section (the underskriftsblad): each member present, when they approved or that
they have not, and the revision.
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

from agendas.dates import format_date, format_time
from agendas.documents import layout
from agendas.documents.page import page_setup
from agendas.documents.safety import open_docx_safely
from agendas.model import SAGSTYPE_LABELS, SECTIONS
from agendas.protocol import (
    LABEL_QUESTIONS,
    TITLE_LABELS,
    AttendanceStatus,
    Attendee,
    DocumentPunkt,
    DocumentStage,
    MeetingDocument,
    Signature,
    answer_line,
    format_ranges,
    inhabil_line,
    question_line,
    quorum_line,
    remark_line,
)

LANGUAGE = "da-DK"


def render_dagsorden(doc: MeetingDocument, public: bool, template: bytes | None = None) -> bytes:
    """The agenda before the meeting: no Beslutning, no end time."""
    return _render(doc, protokol=False, public=public, template=template)


def render_protokol(doc: MeetingDocument, public: bool, template: bytes | None = None) -> bytes:
    """The beslutningsprotokol: decisions, inhabilitet, afvigende meninger, the end time."""
    return _render(doc, protokol=True, public=public, template=template)


def document_title(doc: MeetingDocument, protokol: bool) -> str:
    kind = layout.KIND_PROTOKOL if protokol else layout.KIND_DAGSORDEN
    return f"{kind} – {doc.udvalg.name} {format_date(doc.moede.date)}"


def edition(public: bool) -> str:
    return layout.EDITION_PUBLIC if public else layout.EDITION_INTERNAL


def approval_mark(doc: MeetingDocument, protokol: bool) -> str:
    """ "Udkast" for a protocol not yet approved, "Godkendt" once it is; none for the agenda."""
    if not protokol:
        return ""
    return layout.MARK_APPROVED if doc.approval.approved else layout.MARK_DRAFT


def signature_line(signature: Signature) -> tuple[str, str]:
    """``("Lene Holm (V), formand", "godkendt digitalt 10-12-2026 kl. 16.05")``."""
    name = signature.member.label()
    if signature.title in TITLE_LABELS:
        name = f"{name}, {TITLE_LABELS[signature.title]}"
    at = signature.approved_at
    if at is None:
        return name, layout.NOT_APPROVED
    when = {"date": format_date(at.date()), "time": format_time(at.time())}
    if signature.recorded_by:
        return name, layout.APPROVED_RECORDED_AT.format(name=signature.recorded_by, **when)
    return name, layout.APPROVED_AT.format(**when)


def punkt_heading(item: DocumentPunkt) -> str:
    prefix = layout.CLOSED_PREFIX if item.punkt.closed else ""
    return f"{item.punkt.number}. {prefix}{item.punkt.title}"


def attendee_line(attendee: Attendee, with_ranges: bool = False) -> str:
    parts = [attendee.label()]
    if attendee.title in TITLE_LABELS:
        parts.append(TITLE_LABELS[attendee.title])
    if attendee.status is AttendanceStatus.STEDFORTRAEDER and attendee.substitute_for:
        parts.append(f"stedfortræder for {attendee.substitute_for}")
    if with_ranges and attendee.absent_for:
        parts.append(format_ranges(attendee.absent_for))
    return ", ".join(parts)


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
        for raw in text.splitlines():
            line = raw.strip()
            if not line:
                continue
            is_bullet, content = layout.split_bullet(line)
            if is_bullet:
                self.para(content, self.styles.bullet)
            else:
                self.para(line)

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


def xml_run(text: str, bold: bool = False) -> str:
    props = "<w:rPr><w:b/></w:rPr>" if bold else ""
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


def _field_run(paragraph: Any, instruction: str, shown: str) -> None:
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


def _free_paragraph(part: Any) -> Any:
    """The header's/footer's empty paragraph, or a new one after the template's letterhead."""
    paragraphs = part.paragraphs
    if paragraphs and not part.tables and not any(p.text.strip() for p in paragraphs):
        return paragraphs[0]
    return part.add_paragraph()


def _header_footer(writer: BodyWriter, doc: MeetingDocument, protokol: bool, public: bool) -> None:
    kind = layout.KIND_PROTOKOL if protokol else layout.KIND_DAGSORDEN
    marks = [edition(public), approval_mark(doc, protokol)]
    for section in writer.document.sections:
        header = section.header
        header.is_linked_to_previous = False
        _free_paragraph(header).add_run(
            f"{doc.udvalg.name} · {kind} · {format_date(doc.moede.date)}"
        )
        header.add_paragraph().add_run(" · ".join(m for m in marks if m)).bold = True
        footer = section.footer
        footer.is_linked_to_previous = False
        paragraph = _free_paragraph(footer)
        paragraph.add_run(f"{doc.udvalg.name} {format_date(doc.moede.date)} · Side ")
        _field_run(paragraph, " PAGE ", "1")
        paragraph.add_run(" af ")
        _field_run(paragraph, " NUMPAGES ", "1")


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
    moede = doc.moede
    writer.para(doc.udvalg.name, writer.styles.title)
    writer.para(layout.KIND_PROTOKOL if protokol else layout.KIND_DAGSORDEN, writer.styles.subtitle)
    if protokol and not doc.approval.approved:
        writer.para(layout.MARK_DRAFT, bold=True)
    writer.para(format_date(moede.date))
    # No "Kl." line at all when the time is not known (an imported referat that gave none).
    when = f"Kl. {format_time(moede.start_time)}" if moede.start_time else ""
    line = ", ".join(part for part in (when, moede.place) if part)
    if line:
        writer.para(line)

    members = doc.members()
    if members:
        writer.para(layout.LABEL_MEMBERS, bold=True)
        for attendee in members:
            writer.para(attendee_line(attendee))
    substitutes = doc.substitutes()
    if substitutes:
        writer.para(layout.LABEL_SUBSTITUTES, bold=True)
        for attendee in substitutes:
            writer.para(attendee_line(attendee))
    absent = [
        a
        for a in doc.attendance
        if a.status is AttendanceStatus.FRAVAERENDE
        or (a.absent_for and a.status is not AttendanceStatus.AFBUD)
    ]
    if absent:
        writer.para(layout.LABEL_ABSENT, bold=True)
        for attendee in absent:
            ranges = attendee.status is not AttendanceStatus.FRAVAERENDE
            line = attendee.label()
            if ranges:
                line = f"{line}, {format_ranges(attendee.absent_for)}"
            writer.para(line)
    afbud = doc.with_status(AttendanceStatus.AFBUD)
    if afbud:
        writer.para(layout.LABEL_AFBUD, bold=True)
        for attendee in afbud:
            writer.para(attendee.label())


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
    punkt = item.punkt
    hidden = public and punkt.closed
    writer.para(punkt_heading(item), writer.styles.heading1)
    writer.para(f"{layout.LABEL_SAG_NR} {punkt.printed_number}")
    if punkt.late_reason:
        writer.labelled(layout.LABEL_LATE, punkt.late_reason)
    if punkt.beslutningskompetence:
        writer.labelled(layout.LABEL_KOMPETENCE, punkt.beslutningskompetence)
    if not hidden:
        if punkt.journal_number:
            writer.labelled(layout.LABEL_JOURNAL, punkt.journal_number)
        if punkt.sagstype:
            writer.para(SAGSTYPE_LABELS[punkt.sagstype])
    if hidden:
        if protokol and item.record.public_beslutning.strip():
            writer.para(layout.LABEL_BESLUTNING, writer.styles.heading2)
            writer.text_block(item.record.public_beslutning)
        return
    for section in SECTIONS:
        if section.key == "beslutning":
            if protokol:
                _beslutning(writer, item, public)
            continue
        text = punkt.section(section.key)
        if text.strip():
            writer.para(section.title, writer.styles.heading2)
            writer.text_block(text)
    for title, text in punkt.extra_sections:  # the document's own headings, under their names
        writer.para(title, writer.styles.heading2)
        writer.text_block(text)
    if item.questions and not public:  # a member's question is internal (README, "Spørgsmål")
        writer.para(LABEL_QUESTIONS, writer.styles.heading2)
        for question in item.questions:
            writer.para(question_line(question))
            writer.para(answer_line(question))
    if item.bilag:
        writer.para(layout.LABEL_BILAG, writer.styles.heading2)
        for number, name in enumerate(item.bilag, 1):
            writer.para(f"{layout.LABEL_BILAG} {number}: {name}")


def _beslutning(writer: BodyWriter, item: DocumentPunkt, public: bool) -> None:
    record = item.record
    decision = item.beslutning_text()
    if decision or record.inhabile or record.remarks or record.quorum:
        writer.para(layout.LABEL_BESLUTNING, writer.styles.heading2)
        writer.text_block(decision)
        if record.quorum is not None:
            writer.para(quorum_line(record.quorum))
        for member in record.inhabile:
            writer.para(inhabil_line(member))
        for remark in record.remarks:
            writer.para(remark_line(remark))
    if item.punkt.closed and not public and record.public_beslutning.strip():
        writer.para(layout.LABEL_PUBLIC, writer.styles.heading2)
        writer.text_block(record.public_beslutning)


def _approval(writer: BodyWriter, doc: MeetingDocument) -> None:
    """The underskriftsblad on a page of its own, once the protocol has been sent."""
    record = doc.approval
    if record.stage is DocumentStage.KLADDE:
        return
    writer.new_page(layout.LABEL_GODKENDELSE, writer.styles.heading1)
    writer.para(layout.APPROVAL_INTRO_APPROVED if record.approved else layout.APPROVAL_INTRO_SENT)
    for signature in record.signatures:
        writer.labelled(*signature_line(signature))
    writer.labelled(layout.LABEL_REVISION, str(record.revision))


def _render(doc: MeetingDocument, protokol: bool, public: bool, template: bytes | None) -> bytes:
    writer = BodyWriter(template)
    _core_properties(writer, doc, protokol, public)
    _header_footer(writer, doc, protokol, public)
    _front(writer, doc, protokol)
    _toc(writer, doc)
    for item in doc.punkter:
        _punkt(writer, item, protokol, public)
    if protokol and doc.end_time is not None:
        writer.para(f"Mødet afsluttet kl. {format_time(doc.end_time)}")
    if protokol:
        _approval(writer, doc)
    return writer.finish()
