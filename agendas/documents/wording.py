"""What a dagsorden or beslutningsprotokol says, in which order: one place for the Word
rendering (``render``) and the HTML/PDF rendering (``html_render``), so the two editions of the
same meeting cannot drift apart.

Pure functions from ``MeetingDocument`` to plain strings and small records; the renderers only
lay them out. Which parts of a closed punkt the public edition shows is decided here
(``punkt_facts``, ``punkt_sections``): its title, Sag nr., Beslutningskompetence and the public
decision text, never its content or bilag; and no public edition shows a punkt's "Spørgsmål og
svar" (members' questions are internal).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from agendas.dates import format_date, format_time
from agendas.documents import layout
from agendas.model import SAGSTYPE_LABELS, SECTIONS, Moede
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


def kind_label(protokol: bool) -> str:
    return layout.KIND_PROTOKOL if protokol else layout.KIND_DAGSORDEN


def document_title(doc: MeetingDocument, protokol: bool) -> str:
    return f"{kind_label(protokol)} – {doc.udvalg.name} {format_date(doc.moede.date)}"


def edition(public: bool) -> str:
    return layout.EDITION_PUBLIC if public else layout.EDITION_INTERNAL


def approval_mark(doc: MeetingDocument, protokol: bool) -> str:
    """ "Udkast" for a protocol not yet approved, "Godkendt" once it is; none for the agenda."""
    if not protokol:
        return ""
    return layout.MARK_APPROVED if doc.approval.approved else layout.MARK_DRAFT


def is_draft(doc: MeetingDocument, protokol: bool) -> bool:
    """A protocol before its approval carries "Udkast" under its title."""
    return protokol and not doc.approval.approved


def header_line(doc: MeetingDocument, protokol: bool) -> str:
    """The page header: ``Beskæftigelsesudvalget · Dagsorden · 10-12-2026``."""
    return f"{doc.udvalg.name} · {kind_label(protokol)} · {format_date(doc.moede.date)}"


def header_marks(doc: MeetingDocument, protokol: bool, public: bool) -> str:
    """The header's second line: the edition and, for a protocol, Udkast/Godkendt."""
    marks = [edition(public), approval_mark(doc, protokol)]
    return " · ".join(m for m in marks if m)


def when_line(moede: Moede) -> str:
    """``Kl. 15.00, Mødelokale 2``; no "Kl." at all when the time is not known (an imported
    referat that gave none), and empty when neither is known."""
    when = f"Kl. {format_time(moede.start_time)}" if moede.start_time else ""
    return ", ".join(part for part in (when, moede.place) if part)


def closing_line(doc: MeetingDocument, protokol: bool) -> str:
    """``Mødet afsluttet kl. 16.05`` at the end of a protocol (empty without an end time)."""
    if not protokol or doc.end_time is None:
        return ""
    return f"Mødet afsluttet kl. {format_time(doc.end_time)}"


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


def front_lists(doc: MeetingDocument) -> list[tuple[str, list[str]]]:
    """The attendance on the front page, each list under its label: Medlemmer, Stedfortrædere,
    Fraværende (also those present who missed some punkter: "Mikkel Storm (C), sag 3-4"),
    Afbud; lists without anyone are left out."""
    absent = [
        a
        for a in doc.attendance
        if a.status is AttendanceStatus.FRAVAERENDE
        or (a.absent_for and a.status is not AttendanceStatus.AFBUD)
    ]
    absent_lines = []
    for attendee in absent:
        line = attendee.label()
        if attendee.status is not AttendanceStatus.FRAVAERENDE:
            line = f"{line}, {format_ranges(attendee.absent_for)}"
        absent_lines.append(line)
    lists = [
        (layout.LABEL_MEMBERS, [attendee_line(a) for a in doc.members()]),
        (layout.LABEL_SUBSTITUTES, [attendee_line(a) for a in doc.substitutes()]),
        (layout.LABEL_ABSENT, absent_lines),
        (layout.LABEL_AFBUD, [a.label() for a in doc.with_status(AttendanceStatus.AFBUD)]),
    ]
    return [(label, lines) for label, lines in lists if lines]


def is_hidden(item: DocumentPunkt, public: bool) -> bool:
    """The public edition hides a closed punkt's content and bilag."""
    return public and item.punkt.closed


def punkt_facts(item: DocumentPunkt, public: bool) -> list[tuple[str, str]]:
    """The lines under a punkt's title, as (label, value); an empty label is a plain line:
    Sag nr., why it came late, Beslutningskompetence, and (not for a hidden punkt) the
    journal number and the sagstype."""
    punkt = item.punkt
    facts = [("", f"{layout.LABEL_SAG_NR} {punkt.printed_number}")]
    if punkt.late_reason:
        facts.append((layout.LABEL_LATE, punkt.late_reason))
    if punkt.beslutningskompetence:
        facts.append((layout.LABEL_KOMPETENCE, punkt.beslutningskompetence))
    if not is_hidden(item, public):
        if punkt.journal_number:
            facts.append((layout.LABEL_JOURNAL, punkt.journal_number))
        if punkt.sagstype:
            facts.append(("", SAGSTYPE_LABELS[punkt.sagstype]))
    return facts


@dataclass(frozen=True, slots=True)
class SectionText:
    """One section of a punkt as printed: its heading, its text (lines; "-", "•" and "*" lines
    are bullets, blank lines are dropped), then whole lines after it (votes' notes, inhabilitet,
    afvigende meninger, members' questions and answers, the bilag list). ``key`` names it for
    styling: a section key of ``agendas.model.SECTIONS``, ``public``, ``extra``, ``questions``
    or ``bilag``."""

    key: str
    title: str
    text: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)


def text_lines(text: str) -> list[tuple[bool, str]]:
    """A section's text as (is_bullet, line) pairs, blank lines dropped."""
    lines = []
    for raw in text.splitlines():
        line = raw.strip()
        if line:
            lines.append(layout.split_bullet(line))
    return lines


def punkt_sections(item: DocumentPunkt, protokol: bool, public: bool) -> list[SectionText]:
    """The sections of a punkt in document order. A hidden punkt (closed, public edition) has
    only the public decision text, in a protocol; the agenda shows nothing of it."""
    punkt, record = item.punkt, item.record
    if is_hidden(item, public):
        if protokol and record.public_beslutning.strip():
            return [SectionText("beslutning", layout.LABEL_BESLUTNING, record.public_beslutning)]
        return []
    sections: list[SectionText] = []
    for section in SECTIONS:
        if section.key == "beslutning":
            if protokol:
                sections.extend(_beslutning(item, public))
            continue
        text = punkt.section(section.key)
        if text.strip():
            sections.append(SectionText(section.key, section.title, text))
    for title, text in punkt.extra_sections:  # the document's own headings, under their names
        sections.append(SectionText("extra", title, text))
    if item.questions and not public:  # members' questions are internal (README, "Før mødet")
        asked = tuple(line for q in item.questions for line in (question_line(q), answer_line(q)))
        sections.append(SectionText("questions", LABEL_QUESTIONS, notes=asked))
    if item.bilag:
        names = tuple(
            f"{layout.LABEL_BILAG} {number}: {name}" for number, name in enumerate(item.bilag, 1)
        )
        sections.append(SectionText("bilag", layout.LABEL_BILAG, notes=names))
    return sections


def _beslutning(item: DocumentPunkt, public: bool) -> list[SectionText]:
    record = item.record
    decision = item.beslutning_text()
    sections = []
    if decision or record.inhabile or record.remarks or record.quorum:
        notes = [quorum_line(record.quorum)] if record.quorum is not None else []
        notes.extend(inhabil_line(member) for member in record.inhabile)
        notes.extend(remark_line(remark) for remark in record.remarks)
        sections.append(SectionText("beslutning", layout.LABEL_BESLUTNING, decision, tuple(notes)))
    if item.punkt.closed and not public and record.public_beslutning.strip():
        sections.append(SectionText("public", layout.LABEL_PUBLIC, record.public_beslutning))
    return sections


@dataclass(frozen=True, slots=True)
class ApprovalSheet:
    """The underskriftsblad of a protocol that has been sent: the intro, one (name, status) line
    per member present, the revision."""

    intro: str
    signatures: list[tuple[str, str]]
    revision: tuple[str, str]


def approval_sheet(doc: MeetingDocument, protokol: bool) -> ApprovalSheet | None:
    """None for the agenda and for a protocol still in kladde."""
    record = doc.approval
    if not protokol or record.stage is DocumentStage.KLADDE:
        return None
    intro = layout.APPROVAL_INTRO_APPROVED if record.approved else layout.APPROVAL_INTRO_SENT
    return ApprovalSheet(
        intro=intro,
        signatures=[signature_line(s) for s in record.signatures],
        revision=(layout.LABEL_REVISION, str(record.revision)),
    )
