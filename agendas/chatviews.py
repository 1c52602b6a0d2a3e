"""Chat views of an agenda and a punkt, as Telegram HTML, paged under the message limit.

Pure functions: the caller passes a ``Translate`` for the interface words (the Danish domain
terms such as section titles are part of the domain and stay Danish in every language).
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from typing import Protocol

from agendas.dates import format_date, format_time, moede_when
from agendas.model import SAGSTYPE_LABELS, SECTIONS, Bilag, Punkt, PunktKind
from agendas.protocol import LABEL_QUESTIONS, QuestionAnswer
from agendas.services.meetings import Agenda
from agendas.services.punkter import PunktDetail

#: Telegram allows 4096 characters; keep room for the page marker.
TELEGRAM_LIMIT = 4096
PAGE_LIMIT = 3900


class Translate(Protocol):
    def __call__(self, key: str, /, **params: object) -> str: ...


#: The recipient's language -> the catalogue in that language (plain text; views escape).
Texts = Callable[[str | None], Translate]


def esc(text: str) -> str:
    return html.escape(text, quote=False)


def split_plain(text: str, limit: int) -> list[str]:
    """Split plain text at paragraph, then line, then word boundaries into chunks <= limit."""
    if len(text) <= limit:
        return [text]
    chunks: list[str] = []
    current = ""
    for piece in _pieces(text, limit):
        candidate = f"{current}\n{piece}" if current else piece
        if len(candidate) <= limit:
            current = candidate
        else:
            if current:
                chunks.append(current)
            current = piece
    if current:
        chunks.append(current)
    return chunks


def _pieces(text: str, limit: int) -> list[str]:
    """Lines no longer than ``limit``; an overlong line is cut at spaces (or hard)."""
    out: list[str] = []
    for line in text.split("\n"):
        while len(line) > limit:
            cut = line.rfind(" ", 0, limit)
            cut = cut if cut > limit // 2 else limit
            out.append(line[:cut].rstrip())
            line = line[cut:].lstrip()
        out.append(line)
    return out


def paginate(blocks: Sequence[str], limit: int = PAGE_LIMIT) -> list[str]:
    """Join HTML blocks into pages; each block must be valid HTML on its own and <= limit."""
    pages: list[str] = []
    current = ""
    for block in blocks:
        candidate = f"{current}\n\n{block}" if current else block
        if len(candidate) <= limit:
            current = candidate
        else:
            if current:
                pages.append(current)
            current = block
    if current:
        pages.append(current)
    if len(pages) > 1:
        pages = [f"{page}\n\n<i>({i}/{len(pages)})</i>" for i, page in enumerate(pages, 1)]
    return pages or [""]


def section_blocks(
    title: str, text: str, continued: str = "", limit: int = PAGE_LIMIT
) -> list[str]:
    """A bold heading followed by the text; long texts become several self-contained blocks."""
    head = f"<b>{esc(title)}</b>"
    later = f"<b>{esc(title)} {esc(continued)}</b>".replace(" </b>", "</b>")
    room = limit - max(len(head), len(later)) - 1
    # Escaping can lengthen the text (& becomes &amp;): shrink until every chunk fits.
    size = room
    while True:
        chunks = [esc(chunk) for chunk in split_plain(text, size)]
        if all(len(chunk) <= room for chunk in chunks):
            break
        size = size * 3 // 4
    return [f"{head if i == 0 else later}\n{chunk}" for i, chunk in enumerate(chunks)]


def punkt_line(punkt: Punkt, t: Translate, bilag_count: int = 0) -> str:
    """One line of the overview: number, title, and what kind of sag it is."""
    title = esc(punkt.title)
    if punkt.closed:
        title = f"🔒 {esc(t('view-closed-prefix'))} {title}"
    extras: list[str] = []
    if punkt.kind is PunktKind.SAG:
        if punkt.sagstype:
            extras.append(SAGSTYPE_LABELS[punkt.sagstype])
        if punkt.beslutningskompetence:
            extras.append(punkt.beslutningskompetence)
    suffix = f" <i>({esc(' · '.join(extras))})</i>" if extras else ""
    clip = f" 📎{bilag_count}" if bilag_count else ""
    return f"<b>{punkt.number}.</b> {title}{suffix}{clip}"


def meeting_lines(agenda: Agenda, t: Translate) -> list[str]:
    """When and where the meeting is, and the forvaltning behind the agenda (HTML lines)."""
    moede = agenda.moede
    when = t("view-agenda-when", when=moede_when(t, moede.date, moede.start_time))
    lines = [esc(when)]
    if moede.place:
        lines.append(esc(t("view-agenda-place", place=moede.place)))
    lines.append(f"<i>{esc(agenda.udvalg.forvaltning)}</i>")
    return lines


def render_agenda(agenda: Agenda, t: Translate) -> list[str]:
    """The agenda overview: header and one line per punkt, numbered in agenda order."""
    udvalg = agenda.udvalg
    header = [f"<b>{esc(udvalg.name)}</b> ({esc(udvalg.code)})", *meeting_lines(agenda, t)]
    blocks = ["\n".join(header), f"<b>{esc(t('view-agenda-title'))}</b>"]
    lines = [punkt_line(p, t, agenda.bilag_count(p.id or 0)) for p in agenda.punkter]
    if not lines:
        lines = [esc(t("view-agenda-empty"))]
    blocks.extend(_group_lines(lines))
    return paginate(blocks)


def _group_lines(lines: list[str], limit: int = PAGE_LIMIT) -> list[str]:
    """Keep runs of overview lines together as blocks that fit a page."""
    blocks: list[str] = []
    current: list[str] = []
    for line in lines:
        if current and len("\n".join([*current, line])) > limit:
            blocks.append("\n".join(current))
            current = []
        current.append(line[:limit])
    if current:
        blocks.append("\n".join(current))
    return blocks


def render_punkt(detail: PunktDetail, t: Translate) -> list[str]:
    """One punkt in full: the sections in the municipal order, empty ones left out, the bilag."""
    punkt = detail.punkt
    head = [f"<b>{detail.number}. {esc(punkt.title)}</b>"]
    if punkt.closed:
        head.append(f"🔒 <i>{esc(t('view-closed-note'))}</i>")
    meta = [f"Sag nr. {punkt.sag_number if punkt.sag_number is not None else detail.number}"]
    if punkt.beslutningskompetence:
        meta.append(f"Beslutningskompetence: {esc(punkt.beslutningskompetence)}")
    if punkt.sagstype:
        meta.append(SAGSTYPE_LABELS[punkt.sagstype])
    head.append(" · ".join(meta))
    if punkt.journal_number:
        head.append(f"Journalnr.: {esc(punkt.journal_number)}")
    if punkt.late_reason:
        head.append(f"🆕 <i>{esc(t('view-punkt-late', reason=punkt.late_reason))}</i>")
    head.append(
        esc(
            t(
                "view-punkt-meeting",
                udvalg=detail.udvalg.name,
                date=format_date(detail.moede.date),
            )
        )
    )
    blocks = ["\n".join(head)]
    for section in SECTIONS:
        text = punkt.section(section.key)
        if text.strip():
            blocks.extend(section_blocks(section.title, text, t("view-continued")))
    for title, text in punkt.extra_sections:
        blocks.extend(section_blocks(title, text, t("view-continued")))
    blocks.extend(question_blocks(detail.questions, t))
    if detail.bilag:
        # Many bilag with long names can outgrow one message: spread the lines over blocks.
        blocks.extend(_group_lines(bilag_block(detail.bilag).split("\n")))
    elif len(blocks) == 1 and punkt.kind is PunktKind.SAG:
        blocks.append(f"<i>{esc(t('view-punkt-empty'))}</i>")
    return paginate(blocks)


def question_blocks(questions: Sequence[QuestionAnswer], t: Translate) -> list[str]:
    """ "Spørgsmål og svar": each question with who asked and when, then the answer (or that
    none was given yet); one block per question, each under the page limit."""
    blocks: list[str] = []
    for index, item in enumerate(questions):
        when = f"{format_date(item.asked_at.date())} {format_time(item.asked_at.time())}"
        text = t("members-view-question", name=item.asker.label(), when=when, text=item.question)
        if item.answered_at is not None:
            when = f"{format_date(item.answered_at.date())} {format_time(item.answered_at.time())}"
            text += "\n" + t(
                "members-view-answer", name=item.answered_by, when=when, text=item.answer
            )
        else:
            text += "\n" + t("members-view-unanswered")
        title = LABEL_QUESTIONS if index == 0 else ""
        blocks.extend(section_blocks(title, text, t("view-continued")) if title else [esc(text)])
    return blocks


def bilag_block(bilag: Sequence[Bilag]) -> str:
    lines = ["<b>Bilag</b>"]
    for index, item in enumerate(bilag, 1):
        size = human_size(item.size) if item.attached else NOT_ATTACHED
        lines.append(f"Bilag {index}: {esc(item.file_name)} ({size})")
    return "\n".join(lines)


#: A bilag an imported document names without its file (Danish domain wording, as printed).
NOT_ATTACHED = "ikke vedhæftet"


def human_size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} kB".replace(".", ",")
    return f"{size / (1024 * 1024):.1f} MB".replace(".", ",")
