"""What people receive when the agenda is released, and when it changes afterwards.

Pure functions: the agenda in, messages (Telegram HTML under the 4096 limit, with abstract
buttons) out. The caller passes a ``Translate`` in the recipient's language for the interface
words; the Danish domain terms (Sagens kerne, Indstilling, Beslutningskompetence) stay Danish.

- A member (anyone allowed to read closed punkter) gets every punkt: number, title, sagens kerne,
  indstilling and beslutningskompetence, with a button per punkt to open it in full and one per
  bilag.
- Someone in the udvalg who may not read closed punkter (a tovholder) gets their titles only.
- The committee's group chat gets the open punkter only, without buttons (a button pressed in a
  group would answer everyone there).
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from agendas.chatviews import PAGE_LIMIT, Translate, esc, meeting_lines, section_blocks
from agendas.dates import format_date, moede_when
from agendas.model import SAGSTYPE_LABELS, Bilag, Moede, Punkt, PunktKind, Udvalg
from agendas.services.meetings import Agenda

#: Sagens kerne and Indstilling are cut to this many characters in the summary; the button opens
#: the full text.
SUMMARY_SECTION = 700
#: Telegram allows at most 100 buttons on a message; we keep well under.
MAX_BUTTONS = 60
#: A document's caption: at most 1,024 characters after the HTML is parsed (Bot API).
CAPTION_LIMIT = 1024
_TAG = re.compile(r"<[^>]*>")


@dataclass(frozen=True, slots=True)
class ButtonSpec:
    """A button that opens a punkt (``target`` "punkt", with its version) or sends a bilag."""

    label: str
    target: str
    id: int
    version: int = 0

    def to_json(self) -> dict[str, Any]:
        return {"label": self.label, "target": self.target, "id": self.id, "version": self.version}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ButtonSpec:
        return cls(str(data["label"]), str(data["target"]), int(data["id"]), int(data["version"]))


@dataclass(frozen=True, slots=True)
class OutMessage:
    """One chat message: HTML text and rows of buttons."""

    text: str
    buttons: tuple[tuple[ButtonSpec, ...], ...] = ()

    def to_payload(self) -> dict[str, Any]:
        return {
            "type": "message",
            "text": self.text,
            "buttons": [[b.to_json() for b in row] for row in self.buttons],
        }


@dataclass(frozen=True, slots=True)
class OutDocument:
    """A file (the .ics) sent as a document; the caption is HTML and may carry buttons."""

    file_name: str
    content: str
    caption: str = ""
    buttons: tuple[tuple[ButtonSpec, ...], ...] = ()

    def to_payload(self) -> dict[str, Any]:
        return {
            "type": "document",
            "file_name": self.file_name,
            "content": self.content,
            "caption": self.caption,
            "buttons": [[b.to_json() for b in row] for row in self.buttons],
        }


def visible_length(html_text: str) -> int:
    """What Telegram counts against a length limit: the text once the HTML is parsed, in
    UTF-16 code units (an emoji counts two)."""
    plain = html.unescape(_TAG.sub("", html_text))
    return len(plain.encode("utf-16-le")) // 2


def with_calendar(
    pages: Sequence[OutMessage], calendar: OutDocument
) -> list[OutMessage | OutDocument]:
    """The summary pages and the calendar file, as few messages as Telegram allows.

    When the last page fits a caption, the .ics carries it (with its buttons): one message
    instead of two, which halves a mailing of a one-page agenda under the overall rate limit.
    Otherwise the file follows the pages with its own short caption.
    """
    if pages and visible_length(pages[-1].text) <= CAPTION_LIMIT:
        last = pages[-1]
        caption = f"{last.text}\n\n{calendar.caption}" if calendar.caption else last.text
        if visible_length(caption) > CAPTION_LIMIT:
            caption = last.text
        merged = OutDocument(calendar.file_name, calendar.content, caption, last.buttons)
        return [*pages[:-1], merged]
    return [*pages, calendar]


@dataclass(slots=True)
class _Block:
    html: str
    buttons: list[tuple[ButtonSpec, ...]] = field(default_factory=list)


def _clip(text: str, limit: int) -> str:
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    cut = cut if cut > limit // 2 else limit
    return text[:cut].rstrip() + " …"


def _header(agenda: Agenda, t: Translate) -> str:
    udvalg = agenda.udvalg
    title = esc(t("release-header", udvalg=udvalg.name, code=udvalg.code))
    return "\n".join([f"📋 <b>{title}</b>", *meeting_lines(agenda, t)])


def _meta(punkt: Punkt) -> str:
    parts: list[str] = []
    if punkt.beslutningskompetence:
        parts.append(f"Beslutningskompetence: {esc(punkt.beslutningskompetence)}")
    if punkt.sagstype:
        parts.append(SAGSTYPE_LABELS[punkt.sagstype])
    return " · ".join(parts)


def _punkt_blocks(
    punkt: Punkt, bilag: Sequence[Bilag], t: Translate, full: bool, buttons: bool
) -> list[_Block]:
    """A punkt in the summary; ``full`` False shows a closed punkt's title only."""
    title = f"<b>{punkt.number}. {esc(punkt.title)}</b>"
    if punkt.closed:
        title = f"🔒 {title}"
    if not full:
        return [_Block(f"{title}\n<i>{esc(t('release-closed-hidden'))}</i>")]
    lines = [title]
    meta = _meta(punkt) if punkt.kind is PunktKind.SAG else ""
    if meta:
        lines.append(meta)
    head = "\n".join(lines)
    blocks: list[str] = [head]
    for key, heading in (("sagens_kerne", "Sagens kerne"), ("indstilling", "Indstilling")):
        text = punkt.section(key)
        if text.strip():
            blocks.extend(section_blocks(heading, _clip(text, SUMMARY_SECTION)))
    # Head and short sections belong together; each part fits a page on its own.
    joined: list[_Block] = []
    for block in blocks:
        if joined and len(joined[-1].html) + 1 + len(block) <= PAGE_LIMIT:
            joined[-1].html += "\n" + block
        else:
            joined.append(_Block(block))
    # Godkendelse and Eventuelt without text have nothing more to open.
    if buttons and punkt.id is not None and (punkt.kind is PunktKind.SAG or punkt.sections):
        row = [
            ButtonSpec(t("release-btn-open", number=punkt.number), "punkt", punkt.id, punkt.version)
        ]
        joined[-1].buttons.append(tuple(row))
        clips = [
            ButtonSpec(f"📎 {_clip(b.file_name, 40)}", "bilag", b.id)
            for b in bilag
            if b.attached
            if b.id is not None
        ]
        for start in range(0, len(clips), 2):
            joined[-1].buttons.append(tuple(clips[start : start + 2]))
    return joined


def _pages(blocks: Sequence[_Block]) -> list[OutMessage]:
    """Blocks joined into messages under the limit; a page never carries too many buttons."""
    pages: list[_Block] = []
    for block in blocks:
        if pages:
            last = pages[-1]
            fits = len(last.html) + 2 + len(block.html) <= PAGE_LIMIT
            room = sum(len(r) for r in last.buttons) + sum(len(r) for r in block.buttons)
            if fits and room <= MAX_BUTTONS:
                last.html += "\n\n" + block.html
                last.buttons.extend(block.buttons)
                continue
        pages.append(_Block(block.html, list(block.buttons)))
    total = len(pages)
    out: list[OutMessage] = []
    for index, page in enumerate(pages, 1):
        text = page.html if total == 1 else f"{page.html}\n\n<i>({index}/{total})</i>"
        out.append(OutMessage(text, tuple(page.buttons)))
    return out


def public_link(url: str, t: Translate) -> str:
    """``🌐 <a href="…">Mødet i webarkivet</a>``: the meeting's public page."""
    return f'🌐 <a href="{html.escape(url, quote=True)}">{esc(t("release-public-link"))}</a>'


def _footer(key: str, t: Translate, public_url: str | None) -> _Block:
    footer = f"<i>{esc(t(key))}</i>"
    return _Block(f"{footer}\n{public_link(public_url, t)}" if public_url else footer)


def member_summary(
    agenda: Agenda, t: Translate, may_read_closed: bool, public_url: str | None = None
) -> list[OutMessage]:
    """The released agenda for one person of the udvalg, in agenda order; with ``public_url``
    (the web archive's page of the meeting) a link to it at the end."""
    blocks = [_Block(_header(agenda, t))]
    for punkt in agenda.punkter:
        full = may_read_closed or not punkt.closed
        blocks.extend(
            _punkt_blocks(punkt, agenda.bilag.get(punkt.id or 0, []), t, full, buttons=full)
        )
    blocks.append(_footer("release-footer", t, public_url))
    return _pages(blocks)


def group_summary(agenda: Agenda, t: Translate, public_url: str | None = None) -> list[OutMessage]:
    """The committee's group chat: the open punkter only, no buttons."""
    blocks = [_Block(_header(agenda, t))]
    for punkt in agenda.punkter:
        if not punkt.closed:
            blocks.extend(_punkt_blocks(punkt, [], t, full=True, buttons=False))
    blocks.append(_footer("release-group-footer", t, public_url))
    return _pages(blocks)


def changed_notice(
    udvalg: Udvalg,
    moede: Moede,
    punkt: Punkt,
    t: Translate,
    may_read_closed: bool,
    new: bool = False,
) -> OutMessage:
    """A punkt changed after the agenda was released, or a sag new on it ("ny sag", with why it
    came late): a short notice with a button to open it."""
    text = t(
        "release-new-sag" if new else "release-changed",
        udvalg=udvalg.code,
        date=format_date(moede.date),
        number=punkt.number,
        title=punkt.title,
    )
    html = f"{'🆕' if new else '✏️'} {esc(text)}"
    if new and punkt.late_reason:
        html += "\n" + esc(t("release-new-sag-reason", reason=punkt.late_reason))
    if punkt.closed and not may_read_closed:
        return OutMessage(f"{html}\n<i>{esc(t('release-closed-hidden'))}</i>")
    button = ButtonSpec(
        t("release-btn-open", number=punkt.number), "punkt", punkt.id or 0, punkt.version
    )
    return OutMessage(html, ((button,),))


def moved_notice(udvalg: Udvalg, moede: Moede, t: Translate) -> OutMessage:
    """The meeting moved after release: the caption of the new calendar file."""
    text = t(
        "release-moved",
        udvalg=udvalg.name,
        when=moede_when(t, moede.date, moede.start_time),
        place=moede.place or "-",
    )
    return OutMessage(f"📅 {esc(text)}")


def reminder(udvalg: Udvalg, moede: Moede, t: Translate) -> OutMessage:
    """The day before the meeting."""
    text = t(
        "release-reminder",
        udvalg=udvalg.name,
        when=moede_when(t, moede.date, moede.start_time),
        place=moede.place or "-",
    )
    return OutMessage(f"⏰ {esc(text)}")
