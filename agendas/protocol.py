"""What a protocol needs beyond the agenda: attendance, decisions per punkt, the end time.

Plain dataclasses, no I/O. ``MeetingDocument`` is the aggregate that the DOCX rendering
(``agendas.documents.render``) consumes and the import (``agendas.documents.parse``) produces.
The wording helpers here (``format_votes``, ``inhabil_line`` …) are the municipal phrases; the
renderer writes them and the parser reads them back, so both live in one place.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime, time

from agendas.dates import format_date, format_time
from agendas.model import Moede, Punkt, Role, Udvalg


class AttendanceStatus(enum.StrEnum):
    TIL_STEDE = "til stede"
    AFBUD = "afbud"
    FRAVAERENDE = "fraværende"
    STEDFORTRAEDER = "stedfortræder"


#: Titles a member may carry, as written after the name ("Lene Holm (A), formand").
TITLE_LABELS: dict[Role, str] = {Role.FORMAND: "formand", Role.NAESTFORMAND: "næstformand"}


@dataclass(frozen=True, slots=True)
class SagRange:
    """Punkter ``first``..``last`` (inclusive) a member missed: "sag 3-5" or "sag 3"."""

    first: int
    last: int

    def label(self) -> str:
        return str(self.first) if self.first == self.last else f"{self.first}-{self.last}"

    def __contains__(self, number: object) -> bool:
        return isinstance(number, int) and self.first <= number <= self.last


def format_ranges(ranges: tuple[SagRange, ...]) -> str:
    """``(3-5, 7)`` -> ``"sag 3-5, 7"``; empty for no ranges."""
    if not ranges:
        return ""
    return "sag " + ", ".join(r.label() for r in ranges)


@dataclass(frozen=True, slots=True)
class MemberRef:
    """A member named in a decision (inhabil, afvigende mening): "Anne Lund (Ø)"."""

    name: str
    party: str = ""

    def label(self) -> str:
        return f"{self.name} ({self.party})" if self.party else self.name


@dataclass(slots=True)
class Attendee:
    """One member's attendance at a meeting.

    ``absent_for`` lists the punkter a member present at the meeting missed (arrived late, left
    early). A stedfortræder names the member they replace in ``substitute_for``.
    """

    name: str
    party: str = ""
    title: Role | None = None  # Role.FORMAND / Role.NAESTFORMAND, None for other members
    status: AttendanceStatus = AttendanceStatus.TIL_STEDE
    substitute_for: str = ""
    absent_for: tuple[SagRange, ...] = ()

    def label(self) -> str:
        return MemberRef(self.name, self.party).label()

    def present_at(self, number: int) -> bool:
        """Whether the member took part in punkt ``number``."""
        if self.status not in (AttendanceStatus.TIL_STEDE, AttendanceStatus.STEDFORTRAEDER):
            return False
        return not any(number in r for r in self.absent_for)


@dataclass(frozen=True, slots=True)
class Votes:
    """Vote counts of a decision with the parties on each side ("3 stemmer for (A, V, F)")."""

    for_count: int = 0
    for_parties: tuple[str, ...] = ()
    imod_count: int = 0
    imod_parties: tuple[str, ...] = ()
    undlader_count: int = 0
    undlader_parties: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.for_count or self.imod_count or self.undlader_count)


def _side(count: int, parties: tuple[str, ...], one: str, many: str) -> str:
    text = f"{count} {one if count == 1 else many}"
    return f"{text} ({', '.join(parties)})" if parties else text


def join_danish(items: list[str] | tuple[str, ...]) -> str:
    """``["A", "C", "Ø"]`` -> ``"A, C og Ø"``."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " og " + items[-1]


def format_votes(votes: Votes) -> str:
    """``3 stemmer for (A, V) og 1 stemme imod (Ø)``: the votes cast (sides with none left
    out); those who abstained are a sentence of their own (``abstention_sentence``)."""
    parts: list[str] = []
    if votes.for_count:
        parts.append(_side(votes.for_count, votes.for_parties, "stemme for", "stemmer for"))
    if votes.imod_count:
        parts.append(_side(votes.imod_count, votes.imod_parties, "stemme imod", "stemmer imod"))
    return " og ".join(parts)


def abstention_sentence(votes: Votes) -> str:
    """``C undlod at stemme.`` (one member per party letter), else the count:
    ``1 medlem undlod at stemme.``, ``2 medlemmer (C) undlod at stemme.``; empty for none."""
    count, parties = votes.undlader_count, votes.undlader_parties
    if not count:
        return ""
    if parties and count == len(parties):
        return f"{join_danish(parties)} undlod at stemme."
    who = _side(count, parties, "medlem", "medlemmer")
    return f"{who} undlod at stemme."


def votes_sentences(head: str, votes: Votes) -> str:
    """The decision phrase with the votes, the Danish way:
    ``Anbefales med 3 stemmer for (A, V) og 1 stemme imod (Ø). C undlod at stemme.``"""
    head = head.strip().rstrip(".")
    cast = format_votes(votes)
    if cast:
        main = f"{head} med {cast}." if head else f"{cast[0].upper()}{cast[1:]}."
    else:
        main = f"{head}." if head else ""
    return " ".join(x for x in (main, abstention_sentence(votes)) if x)


@dataclass(frozen=True, slots=True)
class QuorumNote:
    """The committee was not beslutningsdygtig at a punkt: ``present`` of its ``seats``
    members took part (kommunestyrelsesloven § 20, stk. 2, for udvalg; § 11, stk. 2)."""

    present: int
    seats: int


def quorum_line(note: QuorumNote) -> str:
    return (
        "Udvalget var ikke beslutningsdygtigt ved behandlingen af punktet "
        f"({note.present} af {note.seats} medlemmer til stede)."
    )


@dataclass(frozen=True, slots=True)
class Remark:
    """An afvigende mening / protokolbemærkning a member asked to have recorded."""

    member: MemberRef
    text: str


def inhabil_line(member: MemberRef) -> str:
    return f"{member.label()} deltog ikke i behandlingen af punktet på grund af inhabilitet."


def remark_line(remark: Remark) -> str:
    return f'{remark.member.label()} ønsker følgende tilført protokollen: "{remark.text}"'


@dataclass(frozen=True, slots=True)
class QuestionAnswer:
    """A member's question to the forvaltning about the punkt and its answer ("Spørgsmål og
    svar"), with local (Europe/Copenhagen) wall times; internal documents only."""

    asker: MemberRef
    question: str
    asked_at: datetime
    answer: str = ""
    answered_by: str = ""
    answered_at: datetime | None = None


#: The heading of the questions and answers under a punkt, and the line of one not answered.
LABEL_QUESTIONS = "Spørgsmål og svar"
NOT_ANSWERED = "Endnu ikke besvaret."


def _stamp(at: datetime) -> str:
    return f"{format_date(at.date())} kl. {format_time(at.time())}"


def question_line(item: QuestionAnswer) -> str:
    """``Spørgsmål fra Mads Medlem (A) 01-12-2026 kl. 10.00: Hvad koster …?``"""
    return f"Spørgsmål fra {item.asker.label()} {_stamp(item.asked_at)}: {item.question}"


def answer_line(item: QuestionAnswer) -> str:
    """``Svar fra Sofie Sekretær 02-12-2026 kl. 09.15: …``, or that none was given yet."""
    if item.answered_at is None:
        return NOT_ANSWERED
    return f"Svar fra {item.answered_by} {_stamp(item.answered_at)}: {item.answer}"


@dataclass(slots=True)
class PunktRecord:
    """What the meeting decided on one punkt.

    ``beslutning`` is the decision phrase ("Anbefales") or free text, without the vote counts;
    rendering joins them: "Anbefales med 3 stemmer for (A, V) og 1 stemme imod (Ø). C undlod at
    stemme."
    ``public_beslutning`` is the text the public version shows for a closed punkt.
    """

    beslutning: str = ""
    votes: Votes = field(default_factory=Votes)
    inhabile: list[MemberRef] = field(default_factory=list)
    remarks: list[Remark] = field(default_factory=list)
    public_beslutning: str = ""
    #: Set when the committee was not beslutningsdygtig at this punkt; printed as a note.
    quorum: QuorumNote | None = None

    def decision_text(self) -> str:
        """The decision as printed: phrase plus vote counts, and those who abstained."""
        text = self.beslutning.strip()
        if not self.votes:
            return text
        return votes_sentences(text, self.votes)

    def is_empty(self) -> bool:
        return not (
            self.beslutning.strip()
            or self.votes
            or self.inhabile
            or self.remarks
            or self.public_beslutning.strip()
        )


@dataclass(slots=True)
class DocumentPunkt:
    """One punkt of a document: the agenda item, its bilag names and what was decided."""

    punkt: Punkt
    bilag: list[str] = field(default_factory=list)
    record: PunktRecord = field(default_factory=PunktRecord)
    #: Members' questions and the answers (internal versions only).
    questions: list[QuestionAnswer] = field(default_factory=list)

    def beslutning_text(self) -> str:
        """The decision as printed; falls back to the punkt's own "beslutning" section."""
        return self.record.decision_text() or self.punkt.section("beslutning").strip()


class DocumentStage(enum.StrEnum):
    """Where the protocol is in its approval, as the document shows it."""

    KLADDE = "kladde"
    SENDT = "sendt til godkendelse"
    GODKENDT = "godkendt"


@dataclass(frozen=True, slots=True)
class Signature:
    """One line of the underskriftsblad: a member present at the meeting and when they approved
    (local Europe/Copenhagen wall time), or None while they have not."""

    member: MemberRef
    title: Role | None = None
    approved_at: datetime | None = None
    #: The secretary who recorded the approval of a member without Telegram (their name);
    #: empty when the member approved in chat.
    recorded_by: str = ""


@dataclass(slots=True)
class ApprovalRecord:
    """The protocol's approval as the document prints it: "Udkast" until it is approved (locked);
    the "Godkendelse" section with one ``Signature`` per present member once it has been sent."""

    stage: DocumentStage = DocumentStage.KLADDE
    revision: int = 0
    signatures: list[Signature] = field(default_factory=list)

    @property
    def approved(self) -> bool:
        return self.stage is DocumentStage.GODKENDT


@dataclass(slots=True)
class MeetingDocument:
    """Everything a dagsorden or beslutningsprotokol shows, in agenda order.

    ``end_time`` is the local (Europe/Copenhagen) end of the meeting, shown as
    "Mødet afsluttet kl. 15.10". ``punkter`` are in agenda order; each ``punkt.number`` is the
    number printed ("1. Godkendelse af dagsorden", "Sag nr. 1").
    """

    udvalg: Udvalg
    moede: Moede
    punkter: list[DocumentPunkt] = field(default_factory=list)
    attendance: list[Attendee] = field(default_factory=list)
    end_time: time | None = None
    #: The approval round; an imported document is a draft with no signatures.
    approval: ApprovalRecord = field(default_factory=ApprovalRecord)

    def members(self) -> list[Attendee]:
        """The committee's own members (everyone except stedfortrædere)."""
        return [a for a in self.attendance if a.status is not AttendanceStatus.STEDFORTRAEDER]

    def substitutes(self) -> list[Attendee]:
        return [a for a in self.attendance if a.status is AttendanceStatus.STEDFORTRAEDER]

    def with_status(self, status: AttendanceStatus) -> list[Attendee]:
        return [a for a in self.attendance if a.status is status]
