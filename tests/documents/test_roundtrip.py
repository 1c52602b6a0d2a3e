"""Import -> export -> import gives the same structured content."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agendas.documents import parse_docx, parse_text, render_dagsorden, render_protokol
from agendas.model import (
    SECTION_KEYS,
    STANDARD_TITLES,
    Moede,
    Punkt,
    PunktKind,
    Role,
    Sagstype,
    Udvalg,
)
from agendas.protocol import (
    ApprovalRecord,
    AttendanceStatus,
    Attendee,
    DocumentPunkt,
    DocumentStage,
    MeetingDocument,
    MemberRef,
    PunktRecord,
    QuorumNote,
    Remark,
    SagRange,
    Signature,
    Votes,
)

LETTERS = "abcdefghijklmnoprstuvyæøå"
PARTIES = ("A", "B", "C", "F", "I", "O", "V", "Ø", "Å")

word = st.text(LETTERS, min_size=2, max_size=9)
capital = word.map(str.capitalize)


@st.composite
def sentence(draw: Any) -> str:
    words = draw(st.lists(word, min_size=3, max_size=12))
    extra = draw(st.sampled_from(["", " 2025", " 0,8 mio. kr.", " (jf. § 79)", ": 42 %"]))
    return " ".join([words[0].capitalize(), *words[1:]]) + extra + "."


@st.composite
def section_text(draw: Any) -> str:
    lines = draw(
        st.lists(st.one_of(sentence(), sentence().map(lambda s: "- " + s)), min_size=1, max_size=4)
    )
    return "\n".join(lines)


@st.composite
def attendance(draw: Any, punkt_count: int) -> list[Attendee]:
    names = draw(
        st.lists(
            st.tuples(capital, capital).map(" ".join),
            min_size=1,
            max_size=7,
            unique_by=str.casefold,
        )
    )
    ranges = st.integers(1, max(punkt_count, 1)).flatmap(
        lambda a: st.integers(a, max(punkt_count, 1)).map(lambda b: (SagRange(a, b),))
    )
    result: list[Attendee] = []
    for index, name in enumerate(names):
        party = draw(st.sampled_from(("", *PARTIES)))
        status = draw(st.sampled_from(list(AttendanceStatus)))
        if status is AttendanceStatus.STEDFORTRAEDER:
            if not result:
                status = AttendanceStatus.TIL_STEDE
            else:
                result.append(
                    Attendee(
                        name,
                        party,
                        status=status,
                        substitute_for=draw(st.sampled_from([a.name for a in result])),
                        absent_for=draw(st.one_of(st.just(()), ranges)),
                    )
                )
                continue
        title = {0: Role.FORMAND, 1: Role.NAESTFORMAND}.get(index)
        absent = (
            draw(st.one_of(st.just(()), ranges)) if status is AttendanceStatus.TIL_STEDE else ()
        )
        result.append(Attendee(name, party, title, status, absent_for=absent))
    members = [a for a in result if a.status is not AttendanceStatus.STEDFORTRAEDER]
    return members + [a for a in result if a.status is AttendanceStatus.STEDFORTRAEDER]


@st.composite
def record(draw: Any, closed: bool, names: list[str]) -> PunktRecord:
    votes = Votes()
    beslutning = draw(
        st.sampled_from(["", "Godkendt.", "Taget til efterretning.", "Udsat.", "Anbefales"])
        | sentence()
    )
    if beslutning and draw(st.booleans()):
        beslutning = beslutning.rstrip(".")
        parties = st.lists(st.sampled_from(PARTIES), max_size=3, unique=True).map(tuple)

        def side(low: int, high: int) -> tuple[int, tuple[str, ...]]:
            count = draw(st.integers(low, high))
            return count, draw(parties) if count else ()

        votes = Votes(*side(1, 9), *side(0, 9), *side(0, 3))
    refs = st.sampled_from(names or ["Ukendt Person"]).flatmap(
        lambda n: st.sampled_from(("", *PARTIES)).map(lambda p: MemberRef(n, p))
    )
    return PunktRecord(
        beslutning=beslutning,
        votes=votes,
        inhabile=draw(st.lists(refs, max_size=2)),
        remarks=draw(st.lists(st.builds(Remark, refs, sentence()), max_size=2)),
        public_beslutning=draw(st.sampled_from(["", "Anbefales."]) | sentence()) if closed else "",
        quorum=draw(st.none() | st.integers(1, 9).map(lambda seats: QuorumNote(seats // 2, seats))),
    )


@st.composite
def approval(draw: Any, people: list[Attendee]) -> ApprovalRecord:
    """Any stage of the approval round; the importer must ignore its marks and section."""
    stage = draw(st.sampled_from(list(DocumentStage)))
    at = st.datetimes(datetime(2000, 1, 1), datetime(2099, 12, 31)).map(
        lambda d: d.replace(second=0, microsecond=0)
    )
    signatures = [
        Signature(
            MemberRef(a.name, a.party),
            a.title,
            draw(at) if stage is DocumentStage.GODKENDT else draw(st.none() | at),
        )
        for a in people
        if a.status in (AttendanceStatus.TIL_STEDE, AttendanceStatus.STEDFORTRAEDER)
    ]
    return ApprovalRecord(stage, draw(st.integers(0, 500)), signatures)


@st.composite
def meetings(draw: Any) -> MeetingDocument:
    sag_count = draw(st.integers(0, 5))
    kinds = [PunktKind.GODKENDELSE]
    if draw(st.booleans()):
        kinds.append(PunktKind.MEDDELELSER)
    kinds += [PunktKind.SAG] * sag_count
    if draw(st.booleans()):
        kinds.append(PunktKind.EVENTUELT)
    people = draw(attendance(len(kinds)))
    names = [a.name for a in people]
    punkter: list[DocumentPunkt] = []
    for number, kind in enumerate(kinds, 1):
        closed = kind is PunktKind.SAG and draw(st.booleans())
        if kind is PunktKind.SAG:
            title = " ".join(draw(st.lists(word, min_size=2, max_size=8))).capitalize()
            title += draw(st.sampled_from(["", " 2025-2026", " – høring", ": økonomi"]))
        else:
            title = STANDARD_TITLES[kind]
        keys = draw(st.lists(st.sampled_from(SECTION_KEYS), unique=True, max_size=5))
        punkt = Punkt(
            moede_id=0,
            kind=kind,
            title=title,
            number=number,
            position=number - 1,
            closed=closed,
            sagstype=draw(st.none() | st.sampled_from(list(Sagstype))),
            beslutningskompetence=draw(st.sampled_from(["", "SOU", "ØU", "KB", "BEU"])),
            journal_number=draw(st.sampled_from(["", "00.07.01-A00-1-17"])),
            sections={k: draw(section_text()) for k in keys if k != "beslutning"},
            late_reason=draw(
                st.sampled_from(["", "Statusrapporten blev færdig efter udsendelsen."])
            )
            if kind is PunktKind.SAG
            else "",
        )
        bilag = draw(st.lists(sentence().map(lambda s: s[:-1] + ".pdf"), max_size=3))
        punkter.append(DocumentPunkt(punkt, bilag, draw(record(closed, names))))
    return MeetingDocument(
        udvalg=Udvalg(code="", name=draw(capital) + "udvalget", forvaltning=""),
        moede=Moede(
            udvalg_id=0,
            date=draw(st.dates(date(2000, 1, 1), date(2099, 12, 31))),
            start_time=time(draw(st.integers(0, 23)), draw(st.integers(0, 59))),
            place=draw(st.sampled_from(["", "Byrådssalen", "Mødelokale 2, Egeby Rådhus"])),
        ),
        punkter=punkter,
        attendance=people,
        end_time=draw(st.none() | st.builds(time, st.integers(0, 23), st.integers(0, 59))),
        approval=draw(approval(people)),
    )


def content(doc: MeetingDocument, with_records: bool = True) -> dict[str, Any]:
    """The structured content a user cares about (ids, codes and positions left out)."""
    return {
        "udvalg": doc.udvalg.name,
        "date": doc.moede.date,
        "time": doc.moede.start_time,
        "place": doc.moede.place,
        "end": doc.end_time if with_records else None,
        "attendance": list(doc.attendance),
        "punkter": [
            (
                p.punkt.number,
                p.punkt.kind,
                p.punkt.title,
                p.punkt.closed,
                p.punkt.sagstype,
                p.punkt.beslutningskompetence,
                p.punkt.journal_number,
                p.punkt.late_reason,
                {k: v for k, v in p.punkt.sections.items() if k != "beslutning"},
                p.bilag,
                p.record if with_records else None,
            )
            for p in doc.punkter
        ],
    }


SLOW = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SLOW
@given(meetings())
def test_protokol_round_trip(doc: MeetingDocument) -> None:
    first = parse_docx(render_protokol(doc, public=False))
    assert first.unplaced == []
    assert content(first.document) == content(doc)
    assert first.document.approval == ApprovalRecord()  # "Udkast", "Godkendelse" not imported
    second = parse_docx(render_protokol(first.document, public=False))
    assert second.document == first.document


@SLOW
@given(meetings())
def test_dagsorden_round_trip(doc: MeetingDocument) -> None:
    first = parse_docx(render_dagsorden(doc, public=False))
    assert first.unplaced == []
    assert content(first.document, with_records=False) == content(doc, with_records=False)


def test_example_round_trip(example_text: str) -> None:
    imported = parse_text(example_text)
    exported = render_protokol(imported.document, public=False)
    again = parse_docx(exported)
    assert again.unplaced == []
    assert again.document == imported.document
    assert content(again.document) == content(imported.document)
