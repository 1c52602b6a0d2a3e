"""Section recognition for the import: walks the lines of an agenda or protocol (read from DOCX
or text by ``agendas.documents.parse``) and recognises what they are. What it recognises:

- the front: udvalg name (first line or "Title" style), the date ("04-03-2025", "4. marts
  2025", with or without weekday or "Dato:"), "Kl. 15.00, <place>", the lists "Medlemmer",
  "Fraværende" (with "sag 3-5" ranges), "Afbud", "Stedfortrædere", a table of contents;
- a punkt: a heading-1 paragraph, or a line followed by "Sag nr. N"; "N. " and "Lukket punkt:"
  in front of the title; "Sag nr.", "Beslutningskompetence:", "Journalnr.:", the sagstype;
- sections by their titles and the variants in ``layout.SECTION_ALIASES``; bullets ("-", "•",
  "*" or a Word list paragraph) become "- " lines;
- Beslutning: vote counts, inhabilitet and protokolbemærkninger are read into a ``PunktRecord``;
- "Bilag N: name" lines; "Mødet afsluttet kl. 16.05".

Every line it cannot place goes to ``ImportResult.unplaced``; nothing is dropped silently, with
two exceptions the bot's own export writes: the edition and "Udkast" lines of the front, and the
"Godkendelse" section (the underskriftsblad) at the end, whose approvals belong to the meeting
they were given in, not to the imported one.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, time

from agendas.documents import layout
from agendas.documents.decisions import read_record
from agendas.documents.front import attendance_item, date_line
from agendas.documents.lines import ImportResult, Line, Unplaced, front_headings
from agendas.documents.patterns import (
    BARE_NUMBER,
    BODY_DECISION,
    CLOSED,
    FRONT_LABELS,
    INDSTILLER,
    JOURNAL,
    JOURNAL_BARE,
    KOMPETENCE,
    LATE,
    LONE_PUNCTUATION,
    NUMBERED,
    OPEN_KLE,
    PLACE,
    SAGER_RANGE,
    SAGSTYPES,
    TIME,
    TITLE_KIND,
    TITLE_KINDS,
    bilag_name,
    is_caps_heading,
    join_wrapped,
    opens_punkt_body,
    prefixed_title,
    sag_nr,
    same_body,
)
from agendas.errors import InvalidInput
from agendas.model import SECTION_BY_KEY, Moede, Punkt, PunktKind, Udvalg
from agendas.protocol import (
    Attendee,
    DocumentPunkt,
    MeetingDocument,
)

#: Keys of the sections under headings the bot has no place for.
EXTRA_PREFIX = "extra:"


@dataclass(slots=True)
class _PunktDraft:
    title: str
    closed: bool
    number: int | None
    start_index: int
    beslutningskompetence: str = ""
    journal_number: str = ""
    sagstype: str = ""
    late_reason: str = ""
    sections: dict[str, list[str]] = field(default_factory=dict)
    headings: dict[str, str] = field(default_factory=dict)  # key -> first heading text used
    current: str | None = None
    seen_section: bool = False
    #: Opened as "Punkt N: …" (FirstAgenda's publications).
    first_agenda: bool = False
    #: "Beslutningskompetence" stood alone: its value is the next line (Ishøj).
    pending_kompetence: bool = False
    #: The number printed as "Sag nr." (the sag's own, beside its position on the agenda).
    sag_number: int | None = None


class AgendaReader:
    def __init__(self, lines: list[Line]) -> None:
        self.lines = front_headings([line for line in lines if line.text])
        self.unplaced: list[Unplaced] = []
        #: The number of the line being read, for ``unplaced``.
        self.number = 0
        self.name = ""
        self.day: date | None = None
        self.start: time | None = None
        self.place = ""
        self.end: time | None = None
        self.attendance: list[Attendee] = []
        self.header_list: str | None = None
        self.drafts: list[_PunktDraft] = []
        self.after_end = False
        self.in_approval = False
        #: The punkter open with a number ("3. Titel", "Punkt 3: Titel"): then a large heading
        #: without one is a section of the punkt, not a punkt of its own.
        self.numbered_punkter = False
        #: A front label in a cell of its own ("Mødedato:") whose value is the next line.
        self.pending_label: str | None = None
        #: A punkt number printed in a cell of its own before the punkt's title.
        self.pending_number: int | None = None

    # -- walking --------------------------------------------------------------------------

    def read(self) -> ImportResult:
        for index, line in enumerate(self.lines):
            self._line(index, line)
        punkter = [self._finish(d, i) for i, d in enumerate(self.drafts, 1)]
        if not punkter:
            raise InvalidInput("err-import-no-punkter")
        if self.day is None:
            raise InvalidInput("err-import-no-date")
        forvaltning = ""
        for item in punkter:
            match = INDSTILLER.match(item.punkt.section("indstilling"))
            if match:
                forvaltning = match[1].strip()
                break
        document = MeetingDocument(
            udvalg=Udvalg(code="", name=self.name, forvaltning=forvaltning),
            moede=Moede(udvalg_id=0, date=self.day, start_time=self.start, place=self.place),
            punkter=punkter,
            attendance=self.attendance,
            end_time=self.end,
        )
        return ImportResult(document=document, unplaced=self.unplaced)

    def _next_text(self, index: int) -> str:
        return self.lines[index + 1].text if index + 1 < len(self.lines) else ""

    def _line(self, index: int, line: Line) -> None:
        self.number = line.number
        text = line.text
        if self.in_approval or self._approval_heading(index, line):
            self.in_approval = True
            return
        end = layout.END_RE.search(text)
        if end:
            self.end = time(int(end[1]), int(end[2]))
            # At the end it closes the protocol (what follows is not the meeting's); an SBSYS
            # export (Odense) prints it at the top, before the punkter.
            self.after_end = bool(self.drafts)
            return
        if self.after_end:
            self.unplaced.append(Unplaced(self.number, text))
            return
        draft = self.drafts[-1] if self.drafts else None
        if draft is not None and line.level == 1 and self._title_continues(index, line):
            draft.title = join_wrapped(draft.title, line.text)
            draft.start_index = index
            return
        if draft is not None and is_caps_heading(line) and draft.seen_section:
            line = replace(line, level=2)  # "BESLUTNINGSFORSLAG FRA DD": a heading of its own
        if draft is not None and line.level >= 0 and self._section_heading(draft, line):
            return
        if BARE_NUMBER.match(text) and self._next_level(index) == 1:
            self.pending_number = int(text)  # "1" in the cell before the punkt's title
            return
        if self._starts_punkt(index, line):
            self._open_punkt(index, line)
            return
        if draft is None:
            self._front(line)
        else:
            self._punkt_line(draft, line)

    def _approval_heading(self, index: int, line: Line) -> bool:
        """The "Godkendelse" heading of the underskriftsblad (not a punkt "Godkendelse")."""
        if line.text.casefold() != layout.LABEL_GODKENDELSE.casefold():
            return False
        return (line.level == 1 or self.after_end) and not sag_nr(self._next_text(index))

    def _starts_punkt(self, index: int, line: Line) -> bool:
        if sag_nr(line.text):
            return False
        if line.level == 1:
            if self.numbered_punkter and not self._punkt_like(line.text):
                return False
            return not self._title_continues(index, line)
        if line.level == 2 or line.bullet:
            return False
        if sag_nr(self._next_text(index)) is not None:
            return True
        # Plain text has no heading levels: "Punkt 3: Titel", or "3. Titel" whose next line is
        # what only follows a punkt's title (a section heading, a journal number, "Åbent - …").
        if prefixed_title(line.text):
            return True
        return bool(NUMBERED.match(line.text)) and opens_punkt_body(self._next_text(index))

    @staticmethod
    def _punkt_like(text: str) -> bool:
        return bool(NUMBERED.match(text) or prefixed_title(text) or CLOSED.match(text))

    def _title_continues(self, index: int, line: Line) -> bool:
        """A long punkt title wraps onto a second heading line (in a PDF, each printed line is
        a line): the previous line opened the punkt and this one does not start another."""
        draft = self.drafts[-1] if self.drafts else None
        if draft is None or draft.start_index != index - 1 or draft.seen_section:
            return False
        text = line.text
        return not (
            NUMBERED.match(text)
            or prefixed_title(text)
            or CLOSED.match(text)
            or text.lower().rstrip(":") in layout.SECTION_ALIASES
        )

    def _next_level(self, index: int) -> int | None:
        return self.lines[index + 1].level if index + 1 < len(self.lines) else None

    def _open_punkt(self, index: int, line: Line) -> None:
        text = line.text
        following = sag_nr(self._next_text(index))
        number: int | None = int(following[1]) if following else self.pending_number
        self.pending_number = None
        prefixed = prefixed_title(text)
        numbered = NUMBERED.match(text) or prefixed
        if numbered and (number is None or int(numbered[1]) == number):
            number = int(numbered[1])
            text = numbered[2].strip()
            self.numbered_punkter = True
        closed_match = CLOSED.match(text)
        closed = closed_match is not None
        if closed_match:
            text = text[closed_match.end() :].strip()
        sagstype = ""
        if kind := TITLE_KIND.search(text):
            sagstype = TITLE_KINDS[kind[1].upper()]
            text = text[: kind.start()].strip()
        self.header_list = None
        self.drafts.append(
            _PunktDraft(
                title=text,
                closed=closed,
                number=number,
                start_index=index,
                first_agenda=prefixed is not None,
                sagstype=sagstype,
            )
        )

    # -- the front --------------------------------------------------------------------------

    def _front(self, line: Line) -> None:
        text = line.text
        if self.pending_label is not None:
            # "Mødedato:" in one table cell, "onsdag den 1. oktober 2025 kl. 15.45" in the next.
            label, self.pending_label = self.pending_label, None
            if label == "udvalg":
                self.name = text
                return
            line = replace(line, text=f"{label}: {text}")
            text = line.text
        lowered = text.lower().rstrip(":")
        if text.endswith(":") and lowered in FRONT_LABELS:
            self.pending_label = lowered
            return
        if lowered in layout.KIND_WORDS or lowered in layout.FRONT_MARKS:
            return
        if line.level == -1 and not self.name:
            self.name = text
            return
        if lowered in layout.HEADER_LISTS:
            self.header_list = layout.HEADER_LISTS[lowered]
            return
        label, _, rest = text.partition(":")
        if rest.strip() and label.strip().lower() in layout.HEADER_LISTS:
            self.header_list = layout.HEADER_LISTS[label.strip().lower()]
            attendance_item(self.attendance, self.header_list, rest.strip())
            return
        if self.day is None and (dated := date_line(text)) is not None:
            self.day, start, place = dated
            if start is not None:
                self.start, self.place = start, place or self.place
            return
        time_match = TIME.match(text)
        if time_match and self.start is None:
            self.start = time(int(time_match[1]), int(time_match[2]))
            if time_match[3]:
                self.place = time_match[3].strip()
            return
        place_match = PLACE.match(text)
        if place_match and not self.place:
            self.place = place_match[1].strip()
            return
        if SAGER_RANGE.match(text):
            return
        if self.header_list == "toc":
            if NUMBERED.match(text) or CLOSED.match(text):
                return
            self.header_list = None
        elif self.header_list is not None and attendance_item(
            self.attendance, self.header_list, text
        ):
            return
        if not self.name and self.day is None and not self.attendance:
            self.name = text
            return
        self.unplaced.append(Unplaced(self.number, text))

    # -- inside a punkt ------------------------------------------------------------------------

    def _body_decision(self, draft: _PunktDraft, text: str) -> bool:
        """ "Beslutning i Økonomiudvalget den 04-06-2020: Godkendt." is the decision of that
        body: the meeting's own udvalg's goes to Beslutning, another's to Tidligere
        beslutninger (with the line as its lead-in, so whose it was is kept)."""
        match = BODY_DECISION.match(text)
        if match is None:
            return False
        body, rest = match["body"].strip(), (match["rest"] or "").strip()
        own = same_body(body, self.name)
        key = "beslutning" if own else "tidligere_beslutninger"
        draft.current, draft.seen_section = key, True
        lines = draft.sections.setdefault(key, [])
        if not own:
            lines.append(f"Beslutning i {body} den {match['date']}:")
        if rest:
            lines.append(rest)
        return True

    def _section_heading(self, draft: _PunktDraft, line: Line) -> bool:
        text = line.text
        if self._body_decision(draft, text):
            return True
        key = layout.SECTION_ALIASES.get(text.lower())
        if key is None and line.level == 2 and text.endswith(":"):
            key = layout.SECTION_ALIASES.get(text[:-1].strip().lower())
        unknown_heading = line.level == 2 or (
            line.level == 1 and self.numbered_punkter and not self._punkt_like(text)
        )
        if key is None:
            if unknown_heading:
                # A heading we have no place for starts a section of its own, kept under its own
                # name ("Borgmesterens Afdelings påtegning"), never merged into the one before.
                key = f"{EXTRA_PREFIX}{len(draft.sections)}"
                draft.headings[key] = text.rstrip(":")
                draft.sections[key] = []
                draft.current = key
                draft.seen_section = True
                return True
            return False
        if line.level == 1 and key != "beslutning" and self._punkt_like(line.text):
            return False
        draft.current = key
        draft.seen_section = True
        lines = draft.sections.setdefault(key, [])
        canonical = SECTION_BY_KEY[key].title if key in SECTION_BY_KEY else None
        first = draft.headings.setdefault(key, text)
        if lines and canonical is not None and first.lower() != text.lower():
            lines.append(f"{text.rstrip(':')}:")
        return True

    def _punkt_line(self, draft: _PunktDraft, line: Line) -> None:
        text = line.text
        if not draft.seen_section:
            sag_number = sag_nr(text)
            if sag_number:
                draft.sag_number = int(sag_number[1])
                if draft.number is None:
                    draft.number = int(sag_number[1])
                return
            if draft.pending_kompetence:
                draft.pending_kompetence = False
                draft.beslutningskompetence = text.rstrip(".").strip()
                return
            if m := KOMPETENCE.match(text):
                draft.beslutningskompetence = m[1].strip().rstrip(".")
                draft.pending_kompetence = not draft.beslutningskompetence
                return
            if m := OPEN_KLE.match(text):
                # SBSYS (Odense): "Åbent - 00.01.00-A00-17-15" under the title.
                draft.closed = m[1].lower().startswith("lukket")
                draft.journal_number = draft.journal_number or m[2].strip()
                return
            if m := LATE.match(text):
                draft.late_reason = m[1].strip()
                return
            if m := JOURNAL.match(text):
                draft.journal_number = m[1].strip()
                return
            if not draft.journal_number and JOURNAL_BARE.match(text):
                draft.journal_number = text
                return
            if text.lower() in SAGSTYPES:
                draft.sagstype = text.lower()
                return
        if draft.current is None and draft.closed and draft.first_agenda and not draft.seen_section:
            # A closed punkt in a FirstAgenda publication ("Punkt 21: Lukket: …"): the text
            # under its title is what may be published of the decision.
            draft.current = "public"
            draft.sections.setdefault("public", [])
        if draft.current is None:
            self.unplaced.append(Unplaced(self.number, text))
            return
        is_bullet, content = layout.split_bullet(text)
        if line.bullet or is_bullet:
            text = f"- {content}"
        lines = draft.sections[draft.current]
        if lines and LONE_PUNCTUATION.match(text):
            # A full stop the PDF put on a line of its own belongs to the line before.
            if not lines[-1].endswith(text):
                lines[-1] += text
            return
        lines.append(text)

    def _finish(self, draft: _PunktDraft, sequence: int) -> DocumentPunkt:
        number = draft.number if draft.number is not None else sequence
        sections: dict[str, str] = {}
        for key, lines in draft.sections.items():
            if key in SECTION_BY_KEY and key != "beslutning" and lines:
                sections[key] = "\n".join(lines)
        extra = [
            (draft.headings[key], "\n".join(lines))
            for key, lines in draft.sections.items()
            if key.startswith(EXTRA_PREFIX)
        ]
        bilag = [bilag_name(text) for text in draft.sections.get("bilag", [])]
        record = read_record(draft.sections.get("beslutning", []))
        record.public_beslutning = "\n".join(draft.sections.get("public", []))
        punkt = Punkt(
            moede_id=0,
            kind=layout.STANDARD_KINDS.get(draft.title.lower(), PunktKind.SAG),
            title=draft.title,
            position=sequence - 1,
            number=number,
            closed=draft.closed,
            sagstype=SAGSTYPES.get(draft.sagstype),
            beslutningskompetence=draft.beslutningskompetence,
            journal_number=draft.journal_number,
            sections=sections,
            late_reason=draft.late_reason,
            sag_number=draft.sag_number,
            extra_sections=extra,
        )
        return DocumentPunkt(punkt=punkt, bilag=bilag, record=record)
