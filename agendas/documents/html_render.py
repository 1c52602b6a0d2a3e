"""A meeting's dagsorden or beslutningsprotokol as HTML: one layout for the PDF/A (rendered from
it by ``pdf_render``) and the public web archive's meeting pages.

Pure functions ``MeetingDocument -> str``. The content and its order come from
``agendas.documents.wording``, as in the Word files: the front page (udvalg, kind, Udkast,
edition, date, time and place, attendance), the table of contents, each punkt (its number and
title as an ``h2``, Sag nr., Beslutningskompetence, journal number, sagstype, its sections as
``h3``, the decision with votes, inhabilitet and afvigende meninger, members' questions and
answers, the bilag by name), the closing line and the Godkendelse section. The public edition
shows a closed punkt's title and public decision text only, and no questions and answers.

Templates (Jinja2, autoescaped) and styles are package data in ``templates/``:

- ``meeting_body.html.j2``: the document itself, an ``<article>``; it takes ``document``, a
  ``DocumentView``. A web page includes it in its own layout (``template_loader`` gives the
  loader; ``render_body`` the finished fragment) with ``meeting.css`` (``stylesheet``).
- ``meeting_page.html.j2``: a standalone page around the body (``<html lang="da">``, title,
  author, subject, keywords, the styles inline): what ``pdf_render`` prints.
- ``print.css``: the page for print only (A4, margins, running header, page numbers, the
  embedded DejaVu Sans, TOC page numbers, bookmarks per punkt); used by ``pdf_render``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from importlib import resources

import jinja2
from markupsafe import Markup

from agendas.dates import format_date
from agendas.documents import layout
from agendas.documents.wording import (
    ApprovalSheet,
    approval_mark,
    approval_sheet,
    closing_line,
    document_title,
    edition,
    front_lists,
    header_line,
    header_marks,
    is_draft,
    is_hidden,
    kind_label,
    punkt_facts,
    punkt_heading,
    punkt_sections,
    text_lines,
    when_line,
)
from agendas.protocol import DocumentPunkt, MeetingDocument

LANGUAGE = "da"
BODY_TEMPLATE = "meeting_body.html.j2"
PAGE_TEMPLATE = "meeting_page.html.j2"
STYLESHEET = "meeting.css"
PRINT_STYLESHEET = "print.css"


@dataclass(frozen=True, slots=True)
class Block:
    """A paragraph (``text``) or a bullet list (``bullets``) of a section."""

    text: str = ""
    bullets: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SectionView:
    key: str
    title: str
    blocks: list[Block] = field(default_factory=list)
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PunktView:
    #: The element id of the punkt's heading ("punkt-3"); the table of contents links to it.
    anchor: str
    number: int
    heading: str
    closed: bool
    #: A closed punkt in the public edition: title, facts and public decision only.
    hidden: bool
    #: (label, value); an empty label is a plain line ("Sag nr. 3", "Til beslutning").
    facts: list[tuple[str, str]]
    sections: list[SectionView]


@dataclass(frozen=True, slots=True)
class DocumentView:
    """Everything the templates show, as plain strings in order."""

    title: str
    udvalg: str
    kind: str
    protokol: bool
    public: bool
    edition: str
    #: "Udkast" or "Godkendt" for a protocol, empty for the agenda.
    mark: str
    draft: bool
    date: str
    when: str
    header: str
    header_marks: str
    footer: str
    author: str
    keywords: str
    #: The meeting's day (W3C date): the document's created and modified date, as in Word.
    created: str
    front: list[tuple[str, list[str]]]
    toc_label: str
    punkter: list[PunktView]
    closing: str
    approval_label: str
    approval: ApprovalSheet | None
    lang: str = LANGUAGE
    #: Put before every element id ("protokol-punkt-3"), so two documents can share a web page.
    id_prefix: str = ""


def blocks(text: str) -> list[Block]:
    """Lines as paragraphs; consecutive bullet lines as one list."""
    result: list[Block] = []
    bullets: list[str] = []
    for is_bullet, line in text_lines(text):
        if is_bullet:
            bullets.append(line)
            continue
        if bullets:
            result.append(Block(bullets=tuple(bullets)))
            bullets = []
        result.append(Block(text=line))
    if bullets:
        result.append(Block(bullets=tuple(bullets)))
    return result


def punkt_view(item: DocumentPunkt, protokol: bool, public: bool, id_prefix: str = "") -> PunktView:
    return PunktView(
        anchor=f"{id_prefix}punkt-{item.punkt.number}",
        number=item.punkt.number,
        heading=punkt_heading(item),
        closed=item.punkt.closed,
        hidden=is_hidden(item, public),
        facts=punkt_facts(item, public),
        sections=[
            SectionView(s.key, s.title, blocks(s.text), s.notes)
            for s in punkt_sections(item, protokol, public)
        ],
    )


def document_view(
    doc: MeetingDocument, protokol: bool, public: bool, id_prefix: str = ""
) -> DocumentView:
    date = format_date(doc.moede.date)
    return DocumentView(
        title=document_title(doc, protokol),
        udvalg=doc.udvalg.name,
        kind=kind_label(protokol),
        protokol=protokol,
        public=public,
        edition=edition(public),
        mark=approval_mark(doc, protokol),
        draft=is_draft(doc, protokol),
        date=date,
        when=when_line(doc.moede),
        header=header_line(doc, protokol),
        header_marks=header_marks(doc, protokol, public),
        footer=f"{doc.udvalg.name} {date}",
        author=doc.udvalg.forvaltning or doc.udvalg.name,
        keywords="beslutningsprotokol" if protokol else "dagsorden",
        created=doc.moede.date.isoformat(),
        front=front_lists(doc),
        toc_label=layout.LABEL_TOC,
        punkter=[punkt_view(item, protokol, public, id_prefix) for item in doc.punkter],
        closing=closing_line(doc, protokol),
        approval_label=layout.LABEL_GODKENDELSE,
        approval=approval_sheet(doc, protokol),
        id_prefix=id_prefix,
    )


def template_loader() -> jinja2.BaseLoader:
    """The loader of these templates, for a web layout that includes ``BODY_TEMPLATE``."""
    return jinja2.PackageLoader("agendas.documents", "templates")


@functools.lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """Autoescaped, strict: a missing value is an error, not an empty string."""
    return jinja2.Environment(
        loader=template_loader(),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _asset(name: str) -> str:
    return resources.files("agendas.documents").joinpath("templates", name).read_text("utf-8")


@functools.lru_cache(maxsize=4)
def stylesheet(name: str = STYLESHEET) -> str:
    """The document's styles (``meeting.css``, screen and print) or ``print.css``."""
    return _asset(name)


def render_body(doc: MeetingDocument, protokol: bool, public: bool, id_prefix: str = "") -> str:
    """The ``<article>`` alone, to put into a web page's layout; ``id_prefix`` keeps its element
    ids apart from the page's own (and another document's)."""
    view = document_view(doc, protokol, public, id_prefix)
    return environment().get_template(BODY_TEMPLATE).render(document=view)


def render_html(doc: MeetingDocument, protokol: bool, public: bool) -> str:
    """A standalone HTML page of the document, its styles inline."""
    view = document_view(doc, protokol, public)
    return (
        environment()
        .get_template(PAGE_TEMPLATE)
        .render(document=view, stylesheet=Markup(stylesheet()))
    )
