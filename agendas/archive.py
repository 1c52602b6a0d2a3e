"""The public web archive's rules, as pure functions: the stable address of a meeting's page,
what of a meeting the public may see, and the masking of contact details.

- **Address.** ``/udvalg/<kode>/<dato>`` (``/udvalg/beu/2026-03-04``); a second meeting of the
  same udvalg on the same day (created later) is ``…/2026-03-04-2``. The slug depends only on
  the udvalg, the day and the order the meetings were created in, so it never changes when a
  meeting is released or its protocol approved.
- **What is public.** The public version only: a closed punkt is its title and, once the
  protocol is approved, its public decision text; never its sections, decision, votes,
  inhabilitet, remarks or bilag. Before the protocol is approved, no decision and no attendance
  is shown (the agenda as it was released).
- **Personal data.** E-mail addresses, phone numbers and CPR numbers are masked in every text
  the archive shows or renders (``mask_contact_details``): names of the committee's members are
  public, the contact details of citizens and employees are not.
"""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from urllib.parse import quote

from agendas.model import SAGSTYPE_LABELS, SECTIONS, Moede, Punkt, PunktKind
from agendas.protocol import (
    ApprovalRecord,
    AttendanceStatus,
    Attendee,
    DocumentPunkt,
    MeetingDocument,
    PunktRecord,
    Remark,
    inhabil_line,
    quorum_line,
    remark_line,
)

MASK_EMAIL = "[e-mail fjernet]"
MASK_PHONE = "[telefonnummer fjernet]"
MASK_CPR = "[cpr-nr. fjernet]"

#: ``navn@kommune.dk``, and the spelled-out forms ``navn (at) kommune.dk``, ``navn[at]kommune.dk``.
_EMAIL = re.compile(
    r"[\w.+-]+(?:@|\s?[(\[]at[)\]]\s?|\s(?:snabel-a|at)\s)[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}",
    re.IGNORECASE,
)
#: A CPR number: ddmmyy, optionally a dash or space, four digits.
_CPR = re.compile(r"(?<![\d.,/-])(?:0[1-9]|[12]\d|3[01])(?:0[1-9]|1[0-2])\d{2}[- ]?\d{4}(?!\d)")
#: A Danish phone number: eight digits, as one group, 4+4 or 2+2+2+2 (spaces, dots or dashes;
#: the same between all four pairs, so "14.00-16.00" is a time), with or without +45 / 0045 /
#: (+45) in front.
_PHONE = re.compile(
    r"(?<![\d,/-])(?<!\d\.)"
    r"(?:(?:\+|00)\s?45[\s.-]?|\(\+?45\)\s?)?"
    r"(?P<body>\d{8}|\d{4}[\s.-]\d{4}|\d{2}(?P<sep>[\s.-])\d{2}(?P=sep)\d{2}(?P=sep)\d{2})"
    r"(?!\d|[.,/-]\d)"
)
#: A number right after these words is an identifier, not a phone number (CVR, EAN, sag …).
_IDENTIFIER_BEFORE = re.compile(
    r"(?:cvr|se|ean|p|konto|reg|sags?|j|journal|lb|bilag)[\s.-]*(?:nr|nummer)?[\s.:-]*$",
    re.IGNORECASE,
)
#: A number right before these is an amount or a share.
_AMOUNT_AFTER = re.compile(r"^\s*(?:kr\b|kr\.|dkk\b|mio|mia|%|,-)", re.IGNORECASE)
_YEAR = re.compile(r"(?:19|20)\d\d")


def _phone(match: re.Match[str]) -> str:
    text = match.string
    before = text[max(0, match.start() - 16) : match.start()]
    after = text[match.end() : match.end() + 6]
    if _IDENTIFIER_BEFORE.search(before) or _AMOUNT_AFTER.match(after):
        return match.group(0)
    halves = re.split(r"[\s.-]", match.group("body"))
    if len(halves) == 2 and all(_YEAR.fullmatch(h) for h in halves):
        return match.group(0)  # "2025-2028": a span of years
    return MASK_PHONE


def mask_contact_details(text: str) -> str:
    """``text`` with e-mail addresses, CPR numbers and phone numbers replaced by a short note
    (``[e-mail fjernet]``, ``[cpr-nr. fjernet]``, ``[telefonnummer fjernet]``). Amounts, years,
    dates, CVR and journal numbers stay."""
    if not text:
        return text
    text = _EMAIL.sub(MASK_EMAIL, text)
    text = _CPR.sub(MASK_CPR, text)
    return _PHONE.sub(_phone, text)


def without_contact_details(text: str) -> str:
    """``text`` with e-mail addresses, CPR and phone numbers left out (a public search for one
    is not run, so the archive cannot tell whether a document holds it)."""
    masked = mask_contact_details(text)
    for mask in (MASK_EMAIL, MASK_PHONE, MASK_CPR):
        masked = masked.replace(mask, " ")
    return " ".join(masked.split())


# --- addresses ---------------------------------------------------------------------------------


def meeting_slug(day: date, ordinal: int = 1) -> str:
    """``2026-03-04``, or ``2026-03-04-2`` for the udvalg's second meeting that day."""
    return day.isoformat() if ordinal <= 1 else f"{day.isoformat()}-{ordinal}"


def parse_slug(slug: str) -> tuple[date, int] | None:
    """The day and ordinal of a slug; None for anything else."""
    found = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})(?:-([2-9]|[1-9]\d))?", slug)
    if found is None:
        return None
    try:
        day = date(int(found[1]), int(found[2]), int(found[3]))
    except ValueError:
        return None
    return day, int(found[4] or 1)


def committee_path(code: str) -> str:
    return f"/udvalg/{quote(code.lower())}"


def meeting_path(code: str, day: date, ordinal: int = 1) -> str:
    """The path of a meeting's public page: ``/udvalg/beu/2026-03-04``."""
    return f"{committee_path(code)}/{meeting_slug(day, ordinal)}"


def public_meeting_url(base_url: str, code: str, day: date, ordinal: int = 1) -> str:
    """The address of a meeting's public page under the archive's base URL
    (``https://dagsordener.kommune.dk/arkiv`` + ``/udvalg/beu/2026-03-04``)."""
    return base_url.rstrip("/") + meeting_path(code, day, ordinal)


def slug_ordinals(moeder: Iterable[Moede]) -> dict[int, int]:
    """Per meeting id, its ordinal among the udvalg's meetings on the same day, in the order
    they were created (the first is 1). Pass all meetings of one udvalg (or all of that day)."""
    by_day: dict[date, list[Moede]] = defaultdict(list)
    for moede in moeder:
        by_day[moede.date].append(moede)
    ordinals: dict[int, int] = {}
    for same_day in by_day.values():
        for index, moede in enumerate(sorted(same_day, key=lambda m: m.id or 0), start=1):
            ordinals[moede.id or 0] = index
    return ordinals


# --- the public version ------------------------------------------------------------------------


def _mask_punkt(punkt: Punkt, approved: bool) -> Punkt:
    """The punkt as the public may read it: a closed one is its title (and place) only."""
    base = dataclasses.replace(
        punkt,
        title=mask_contact_details(punkt.title),
        late_reason=mask_contact_details(punkt.late_reason),
        sections={},
        extra_sections=[],
    )
    if punkt.closed:
        return dataclasses.replace(base, journal_number="", sagstype=None)
    sections = {
        key: mask_contact_details(text)
        for key, text in punkt.sections.items()
        if approved or key != "beslutning"
    }
    extra = [(mask_contact_details(t), mask_contact_details(x)) for t, x in punkt.extra_sections]
    return dataclasses.replace(base, sections=sections, extra_sections=extra)


def _mask_record(record: PunktRecord, closed: bool) -> PunktRecord:
    public = mask_contact_details(record.public_beslutning)
    if closed:
        return PunktRecord(public_beslutning=public)
    return PunktRecord(
        beslutning=mask_contact_details(record.beslutning),
        votes=record.votes,
        inhabile=list(record.inhabile),
        remarks=[Remark(r.member, mask_contact_details(r.text)) for r in record.remarks],
        public_beslutning=public,
        quorum=record.quorum,
    )


def public_document(document: MeetingDocument, approved: bool) -> MeetingDocument:
    """The meeting as the public may read it, for the pages and the downloads.

    Closed punkter lose everything but their title (and, once the protocol is approved, their
    public decision text); contact details are masked everywhere. Before the approval the
    document is the released agenda: no decisions, no attendance, no end time, no signatures
    (the committee's members are still listed, as a published dagsorden lists them)."""
    punkter = [
        DocumentPunkt(
            punkt=_mask_punkt(item.punkt, approved),
            bilag=[] if item.punkt.closed else [mask_contact_details(b) for b in item.bilag],
            record=_mask_record(item.record, item.punkt.closed) if approved else PunktRecord(),
        )
        for item in document.punkter
    ]
    moede = dataclasses.replace(document.moede, place=mask_contact_details(document.moede.place))
    if approved:
        return dataclasses.replace(document, moede=moede, punkter=punkter)
    members = [
        Attendee(a.name, a.party, a.title)
        for a in document.attendance
        if a.status is not AttendanceStatus.STEDFORTRAEDER
    ]
    return MeetingDocument(
        udvalg=document.udvalg,
        moede=moede,
        punkter=punkter,
        attendance=members,
        end_time=None,
        approval=ApprovalRecord(),
    )


@dataclass(frozen=True, slots=True)
class PublicSection:
    title: str
    text: str


@dataclass(frozen=True, slots=True)
class PublicPunkt:
    """One punkt as the archive page shows it (already masked, closed content left out)."""

    number: int
    title: str
    closed: bool
    sag_number: int
    kind: PunktKind
    beslutningskompetence: str = ""
    sagstype: str = ""
    journal_number: str = ""
    late_reason: str = ""
    sections: tuple[PublicSection, ...] = ()
    bilag: tuple[str, ...] = ()
    #: The decision (approved protocols only): the public text for a closed punkt.
    decision: str = ""
    #: Lines under the decision: not beslutningsdygtig, inhabilitet, afvigende meninger.
    notes: tuple[str, ...] = ()


def public_punkter(document: MeetingDocument, approved: bool) -> list[PublicPunkt]:
    """The punkter of a ``public_document`` for the page, in agenda order."""
    result = []
    for item in document.punkter:
        punkt, record = item.punkt, item.record
        sections: list[PublicSection] = []
        decision = ""
        notes: list[str] = []
        if punkt.closed:
            decision = record.public_beslutning.strip() if approved else ""
        else:
            sections = [
                PublicSection(s.title, punkt.section(s.key).strip())
                for s in SECTIONS
                if s.key != "beslutning" and punkt.section(s.key).strip()
            ]
            sections += [PublicSection(t, x.strip()) for t, x in punkt.extra_sections if x.strip()]
            if approved:
                decision = item.beslutning_text()
                if record.quorum is not None:
                    notes.append(quorum_line(record.quorum))
                notes += [inhabil_line(m) for m in record.inhabile]
                notes += [remark_line(r) for r in record.remarks]
        result.append(
            PublicPunkt(
                number=punkt.number,
                title=punkt.title,
                closed=punkt.closed,
                sag_number=punkt.printed_number,
                kind=punkt.kind,
                beslutningskompetence=punkt.beslutningskompetence,
                sagstype=SAGSTYPE_LABELS[punkt.sagstype] if punkt.sagstype else "",
                journal_number=punkt.journal_number,
                late_reason=punkt.late_reason,
                sections=tuple(sections),
                bilag=tuple(item.bilag),
                decision=decision,
                notes=tuple(notes),
            )
        )
    return result


def newest_first(moeder: Iterable[Moede]) -> list[Moede]:
    return sorted(moeder, key=lambda m: (m.date, m.start_time, m.id or 0), reverse=True)
