"""The meeting as meeting mode sees it: members with their attendance, punkter, decisions and
the protocol's state (revision, sent, approvals, lock).

A read model, no I/O: the services of ``agendas.meeting`` load it in one transaction, the chat
views (``handlers``, ``agendas.protocol_mailings``) show it, and ``to_document`` turns it into
the ``MeetingDocument`` the Word rendering consumes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum

from agendas import rules
from agendas.dates import to_local
from agendas.errors import DomainError, NotFound
from agendas.members import InhabilDeclaration, Question
from agendas.model import Moede, Person, Punkt, Role, Udvalg
from agendas.protocol import (
    TITLE_LABELS,
    ApprovalRecord,
    AttendanceStatus,
    Attendee,
    DocumentPunkt,
    DocumentStage,
    MeetingDocument,
    MemberRef,
    PunktRecord,
    QuestionAnswer,
    Remark,
    SagRange,
    Signature,
)
from agendas.records import (
    PRESENT,
    Approval,
    AttendanceRecord,
    DecisionRecord,
    ProtokolState,
    StaleView,
)
from agendas.votes import MemberAt, PunktVoting, dissenters, punkt_voting


@dataclass(slots=True)
class MemberLine:
    """A member of the udvalg and their attendance at this meeting."""

    person: Person
    party: str = ""
    title: Role | None = None
    #: Only a stedfortræder (not a regular member): attends only when replacing someone.
    substitute_only: bool = False
    record: AttendanceRecord | None = None
    #: The member the roster names this stedfortræder for (person id), if any.
    stands_in_for: int | None = None

    @property
    def person_id(self) -> int:
        return self.person.id or 0

    @property
    def status(self) -> AttendanceStatus | None:
        """The recorded status; a regular member nobody marked counts as present, a
        stedfortræder nobody marked does not attend (None)."""
        if self.record is not None:
            if self.substitute_only and self.record.status is not AttendanceStatus.STEDFORTRAEDER:
                return None
            return self.record.status
        return None if self.substitute_only else AttendanceStatus.TIL_STEDE

    @property
    def present(self) -> bool:
        return self.status in PRESENT

    @property
    def absent_for(self) -> tuple[SagRange, ...]:
        return self.record.absent_for if self.record else ()

    def ref(self) -> MemberRef:
        return MemberRef(self.person.name, self.party)

    def seat(self) -> MemberAt:
        """The member as the voting rules see them (``agendas.votes``)."""
        return MemberAt(
            person_id=self.person_id,
            name=self.person.name,
            party=self.party,
            status=self.status,
            substitute_only=self.substitute_only,
            substitute_for=self.record.substitute_for if self.record else None,
            absent_for=self.absent_for,
        )


@dataclass(slots=True)
class MeetingView:
    moede: Moede
    udvalg: Udvalg
    punkter: list[Punkt]
    decisions: dict[int, DecisionRecord]
    members: list[MemberLine]
    state: ProtokolState
    approvals: list[Approval] = field(default_factory=list)
    #: The names of the secretaries who recorded approvals on a member's behalf, by person id.
    recorders: dict[int, str] = field(default_factory=dict)
    #: Inhabilitet members declared themselves before the meeting, oldest first.
    declarations: list[InhabilDeclaration] = field(default_factory=list)
    #: Members' questions about the punkter and their answers, oldest first, with the names of
    #: those who asked and answered (person id -> "Mads Medlem (A)" / "Sofie Sekretær").
    questions: list[Question] = field(default_factory=list)
    askers: dict[int, str] = field(default_factory=dict)

    @property
    def rev(self) -> int:
        return self.state.rev

    def member(self, person_id: int) -> MemberLine | None:
        return next((m for m in self.members if m.person_id == person_id), None)

    def member_from_button(self, person_id: int) -> MemberLine:
        """The member a button names; one who left the udvalg since makes the button stale."""
        line = self.member(person_id)
        if line is None:
            raise StaleView("err-meeting-not-member")
        return line

    def present(self) -> list[MemberLine]:
        return [m for m in self.members if m.present]

    def approved_ids(self) -> set[int]:
        return {a.person_id for a in self.approvals}

    def missing(self) -> list[MemberLine]:
        """Present members who have not approved yet."""
        done = self.approved_ids()
        return [m for m in self.present() if m.person_id not in done]

    def punkt_index(self, punkt_id: int) -> int:
        for index, punkt in enumerate(self.punkter):
            if punkt.id == punkt_id:
                return index
        raise NotFound("err-punkt-gone")

    def decision(self, punkt_id: int) -> DecisionRecord:
        return self.decisions.get(punkt_id) or DecisionRecord(punkt_id=punkt_id)

    def voting(self, punkt_id: int) -> PunktVoting:
        """Who may vote on the punkt, and whether the udvalg is beslutningsdygtig at it."""
        punkt = self.punkter[self.punkt_index(punkt_id)]
        inhabile = self.decision(punkt_id).inhabile
        return punkt_voting([m.seat() for m in self.members], punkt.number, inhabile)

    def declared(self, punkt_id: int) -> list[InhabilDeclaration]:
        """The members who declared themselves inhabil in the punkt (on the roster)."""
        return [d for d in self.declarations if d.punkt_id == punkt_id and self.member(d.person_id)]

    def questions_of(self, punkt_id: int, zone: str) -> list[QuestionAnswer]:
        """The punkt's questions and answers as the documents print them (local times)."""
        return question_answers(
            [q for q in self.questions if q.punkt_id == punkt_id], self.askers, zone
        )

    def dissenters(self, punkt_id: int) -> list[MemberLine]:
        """Members who may have an afvigende mening recorded: in the minority of the vote."""
        stored = self.decision(punkt_id)
        ids = set(dissenters(stored.ballots, stored.votes))
        return [m for m in self.members if m.person_id in ids]

    def record(self, punkt_id: int) -> PunktRecord:
        """The decision with members named, as the protocol prints it (with a note when the
        udvalg was not beslutningsdygtig at the punkt)."""
        stored = self.decision(punkt_id)
        names = {m.person_id: m.ref() for m in self.members}
        return PunktRecord(
            beslutning=stored.beslutning,
            votes=stored.votes,
            inhabile=[names[p] for p in stored.inhabile if p in names],
            remarks=[
                Remark(names[r.person_id], r.text) for r in stored.remarks if r.person_id in names
            ],
            public_beslutning=stored.public_beslutning,
            quorum=self.voting(punkt_id).quorum_note(),
        )


def question_answers(
    questions: list[Question], names: dict[int, str], zone: str
) -> list[QuestionAnswer]:
    """Questions as the documents and the punkt view show them: names, local wall times."""

    def local(at: datetime) -> datetime:
        return to_local(at, zone).replace(tzinfo=None)

    return [
        QuestionAnswer(
            asker=MemberRef(names.get(q.asked_by, "?")),
            question=q.text,
            asked_at=local(q.asked_at),
            answer=q.answer,
            answered_by=names.get(q.answered_by or 0, "?") if q.answered else "",
            answered_at=local(q.answered_at) if q.answered_at else None,
        )
        for q in questions
    ]


class MissingKind(Enum):
    """What a protocol lacks before it can be sent for approval."""

    END_TIME = "end"
    DECISION = "decision"
    PUBLIC_TEXT = "public"


@dataclass(frozen=True, slots=True)
class MissingItem:
    kind: MissingKind
    #: The punkt's number and title (not for the end time).
    number: int = 0
    title: str = ""


@dataclass(frozen=True, slots=True)
class EmptySection:
    """A required section left empty: listed before sending, the secretary may send anyway."""

    number: int
    title: str
    section: str


class NeedsConfirmation(DomainError):
    """Required sections are empty; nothing was stored, the action waits for a confirmation."""

    key = "err-sections-empty"

    def __init__(self, empty: list[EmptySection]) -> None:
        super().__init__()
        self.empty = empty


def empty_sections(punkter: list[Punkt]) -> list[EmptySection]:
    return [
        EmptySection(punkt.number, punkt.title, section.title)
        for punkt, section in rules.empty_required_sections(punkter)
    ]


class ProtokolIncomplete(DomainError):
    """The protocol cannot be sent for approval yet; ``missing`` says what to fill in."""

    key = "err-protokol-incomplete"

    def __init__(self, missing: list[MissingItem]) -> None:
        super().__init__()
        self.missing = missing


def missing_for_approval(view: MeetingView) -> list[MissingItem]:
    """What must be filled in before the protocol goes to the members: the end time, a decision
    on every punkt, and the public decision text on every closed punkt (empty when complete)."""
    missing = []
    if view.moede.ended_at is None:
        missing.append(MissingItem(MissingKind.END_TIME))
    for punkt in view.punkter:
        record = view.record(punkt.id or 0)
        if not record.decision_text().strip():
            missing.append(MissingItem(MissingKind.DECISION, punkt.number, punkt.title))
        if punkt.closed and not record.public_beslutning.strip():
            missing.append(MissingItem(MissingKind.PUBLIC_TEXT, punkt.number, punkt.title))
    return missing


def to_document(view: MeetingView, bilag: dict[int, list[str]], zone: str) -> MeetingDocument:
    names = {m.person_id: m.person.name for m in view.members}
    attendance = []
    for line in view.members:
        status = line.status
        if status is None:
            continue
        record = line.record
        attendance.append(
            Attendee(
                name=line.person.name,
                party=line.party,
                title=line.title if line.title in TITLE_LABELS else None,
                status=status,
                substitute_for=names.get(record.substitute_for or 0, "") if record else "",
                absent_for=line.absent_for,
            )
        )
    ended = view.moede.ended_at
    return MeetingDocument(
        udvalg=view.udvalg,
        moede=view.moede,
        punkter=[
            DocumentPunkt(
                punkt=p,
                bilag=bilag.get(p.id or 0, []),
                record=view.record(p.id or 0),
                questions=view.questions_of(p.id or 0, zone),
            )
            for p in view.punkter
        ],
        attendance=attendance,
        end_time=to_local(ended, zone).time().replace(tzinfo=None) if ended else None,
        approval=approval_record(view, zone),
    )


def approval_record(view: MeetingView, zone: str) -> ApprovalRecord:
    """The approval round for the document: each present member with their approval time in
    ``zone`` (the underskriftsblad), the revision they approved, and the stage."""
    state = view.state
    if state.locked:
        stage = DocumentStage.GODKENDT
    elif state.sent_at is not None:
        stage = DocumentStage.SENDT
    else:
        stage = DocumentStage.KLADDE
    approved = {a.person_id: a for a in view.approvals}
    signatures = []
    for line in view.present():
        found = approved.get(line.person_id)
        at = found.approved_at if found else None
        recorder = found.recorded_by if found else None
        signatures.append(
            Signature(
                member=line.ref(),
                title=line.title if line.title in TITLE_LABELS else None,
                approved_at=to_local(at, zone).replace(tzinfo=None) if at else None,
                recorded_by=view.recorders.get(recorder, "?") if recorder is not None else "",
            )
        )
    return ApprovalRecord(stage=stage, revision=state.rev, signatures=signatures)


def file_name(
    udvalg: Udvalg, moede: Moede, protokol: bool, public: bool, extension: str = "docx"
) -> str:
    """``Beslutningsprotokol BEU 2026-12-15.docx`` (``… offentlig.docx`` for the public one;
    ``.pdf`` for the PDF/A)."""
    kind = "Beslutningsprotokol" if protokol else "Dagsorden"
    suffix = " offentlig" if public else ""
    return f"{kind} {udvalg.code} {moede.date.isoformat()}{suffix}.{extension}"
