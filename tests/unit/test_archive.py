"""The public archive's rules: masking contact details, the meeting's address, the public
version of a meeting (closed punkter and decisions)."""

from __future__ import annotations

from datetime import date, time

import pytest

from agendas.archive import (
    MASK_CPR,
    MASK_EMAIL,
    MASK_PHONE,
    mask_contact_details,
    meeting_path,
    meeting_slug,
    parse_slug,
    public_document,
    public_meeting_url,
    public_punkter,
    slug_ordinals,
)
from agendas.model import Moede, Punkt, PunktKind, Role, Udvalg
from agendas.protocol import (
    ApprovalRecord,
    AttendanceStatus,
    Attendee,
    DocumentPunkt,
    DocumentStage,
    MeetingDocument,
    MemberRef,
    PunktRecord,
    Remark,
)


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("Kontakt Jens på jens.hansen@kommune.dk for spørgsmål.", "jens.hansen"),
        ("Skriv til jens.hansen (at) kommune.dk", "kommune.dk"),
        ("Skriv til jens[at]kommune.dk", "kommune.dk"),
        ("Ring på tlf. 12345678 i dag", "12345678"),
        ("Ring på 12 34 56 78.", "34 56"),
        ("Ring på 1234 5678, gerne før kl. 12", "5678"),
        ("Ring på +45 12 34 56 78", "56"),
        ("Ring på +4512345678", "45"),
        ("Ring på 0045 1234 5678", "1234"),
        ("Ring på (+45) 12345678", "45"),
        ("Ring på 12-34-56-78", "34"),
        ("tlf.12345678", "1234"),
        ("Borgerens cpr-nr. er 010190-1234.", "010190"),
        ("CPR 0101901234", "0101901234"),
    ],
)
def test_contact_details_are_masked(text: str, secret: str) -> None:
    masked = mask_contact_details(text)
    assert secret not in masked, masked
    assert MASK_EMAIL in masked or MASK_PHONE in masked or MASK_CPR in masked


def test_each_kind_has_its_own_note() -> None:
    assert mask_contact_details("a@b.dk") == MASK_EMAIL
    assert mask_contact_details("tlf. 33 66 33 66") == f"tlf. {MASK_PHONE}"
    assert mask_contact_details("cpr 311299-1234") == f"cpr {MASK_CPR}"


@pytest.mark.parametrize(
    "text",
    [
        "Budgettet er 12.345.678 kr. i 2026.",
        "En udgift på 12345678 kr. over fire år.",
        "Planen gælder 2025-2028 og 2026 2027.",
        "Mødet 04-03-2026 kl. 14.00-16.00.",
        "Journalnr. 00.07.01-A00-1-17 og EMN-2025-003383.",
        "Sag nr. 170, bilag 3.",
        "CVR-nr. 29189846 (Kommunen).",
        "EAN 5798000123456",
        "Ungeteamet har 420 unge, 14 til 10 måneder, 0,5 mio. kr.",
        "Andelen er 12345678 %.",
    ],
)
def test_amounts_years_dates_and_identifiers_stay(text: str) -> None:
    assert mask_contact_details(text) == text


def test_masking_keeps_the_rest_of_the_text() -> None:
    text = "Sagsbehandler Mette (mette@kommune.dk, 12 34 56 78) svarer inden 1. april."
    assert mask_contact_details(text) == (
        f"Sagsbehandler Mette ({MASK_EMAIL}, {MASK_PHONE}) svarer inden 1. april."
    )
    assert mask_contact_details("") == ""


def test_the_address_of_a_meeting_is_the_committee_and_the_day() -> None:
    day = date(2026, 3, 4)
    assert meeting_slug(day) == "2026-03-04"
    assert meeting_slug(day, 2) == "2026-03-04-2"
    assert meeting_path("BEU", day) == "/udvalg/beu/2026-03-04"
    assert meeting_path("ØU", day, 2) == "/udvalg/%C3%B8u/2026-03-04-2"
    assert (
        public_meeting_url("https://arkiv.kommune.dk/arkiv/", "BEU", day)
        == "https://arkiv.kommune.dk/arkiv/udvalg/beu/2026-03-04"
    )
    assert parse_slug("2026-03-04") == (day, 1)
    assert parse_slug("2026-03-04-2") == (day, 2)
    for bad in ("2026-02-30", "2026-03-04-1", "2026-03-04-0", "x", "2026-3-4", "../etc"):
        assert parse_slug(bad) is None


def test_a_second_meeting_the_same_day_gets_the_next_ordinal_by_creation() -> None:
    day = date(2026, 3, 4)
    moeder = [
        Moede(udvalg_id=1, date=day, start_time=time(16), id=7),
        Moede(udvalg_id=1, date=day, start_time=time(9), id=9),
        Moede(udvalg_id=1, date=date(2026, 4, 1), start_time=time(9), id=8),
    ]
    assert slug_ordinals(moeder) == {7: 1, 9: 2, 8: 1}


SECRET = "Ejendommen på Havnevej 3 købes for 4,2 mio. kr."


def _document(approved: bool) -> MeetingDocument:
    open_punkt = Punkt(
        moede_id=1,
        kind=PunktKind.SAG,
        title="Ny model for unge",
        number=3,
        sections={
            "sagens_kerne": "Kontakt anne@kommune.dk eller 12345678.",
            "beslutning": "Godkendt (afsnittet fra importen)",
        },
        extra_sections=[("Påtegning", "Ingen bemærkninger.")],
        id=3,
    )
    closed = Punkt(
        moede_id=1,
        kind=PunktKind.SAG,
        title="Køb af ejendom",
        number=4,
        closed=True,
        journal_number="82.02.00-G01-1-26",
        sections={"sagens_kerne": SECRET},
        extra_sections=[("Notat", SECRET)],
        id=4,
    )
    udvalg = Udvalg(code="BEU", name="Beskæftigelsesudvalget", forvaltning="SSF", id=1)
    return MeetingDocument(
        udvalg=udvalg,
        moede=Moede(udvalg_id=1, date=date(2026, 3, 4), start_time=time(15), place="Rådhuset"),
        punkter=[
            DocumentPunkt(
                open_punkt,
                bilag=["Notat.pdf"],
                record=PunktRecord(
                    beslutning="Anbefales",
                    remarks=[Remark(MemberRef("Anne Lund", "Ø"), "Imod. Ring 12345678")],
                ),
            ),
            DocumentPunkt(
                closed,
                bilag=["Vurdering.pdf"],
                record=PunktRecord(
                    beslutning=SECRET,
                    inhabile=[MemberRef("Per Vinther", "V")],
                    remarks=[Remark(MemberRef("Anne Lund", "Ø"), SECRET)],
                    public_beslutning="Udvalget anbefaler købet.",
                ),
            ),
        ],
        attendance=[
            Attendee("Lene Holm", "A", Role.FORMAND),
            Attendee("Per Vinther", "V", status=AttendanceStatus.AFBUD),
            Attendee("Kim Berg", "V", status=AttendanceStatus.STEDFORTRAEDER, substitute_for="Per"),
        ],
        approval=ApprovalRecord(
            stage=DocumentStage.GODKENDT if approved else DocumentStage.SENDT, revision=3
        ),
    )


def _everything(document: MeetingDocument) -> str:
    parts = [document.moede.place]
    for item in document.punkter:
        parts += [item.punkt.title, item.punkt.journal_number, *item.bilag]
        parts += list(item.punkt.sections.values())
        parts += [f"{t} {x}" for t, x in item.punkt.extra_sections]
        record = item.record
        parts += [record.beslutning, record.public_beslutning]
        parts += [r.text for r in record.remarks] + [m.name for m in record.inhabile]
    return "\n".join(parts)


@pytest.mark.parametrize("approved", [True, False])
def test_the_public_version_keeps_a_closed_punkt_to_its_title(approved: bool) -> None:
    public = public_document(_document(approved), approved)
    text = _everything(public)
    assert SECRET not in text and "Vurdering.pdf" not in text and "82.02.00" not in text
    assert "Køb af ejendom" in text
    assert "anne@kommune.dk" not in text and "12345678" not in text
    [open_item, closed_item] = public_punkter(public, approved)
    assert closed_item.sections == () and closed_item.bilag == () and closed_item.notes == ()
    assert open_item.bilag == ("Notat.pdf",)
    assert [s.title for s in open_item.sections] == ["Sagens kerne", "Påtegning"]
    assert MASK_EMAIL in open_item.sections[0].text


def test_decisions_and_attendance_appear_once_the_protocol_is_approved() -> None:
    draft = public_document(_document(False), approved=False)
    [open_item, closed_item] = public_punkter(draft, approved=False)
    assert open_item.decision == "" and closed_item.decision == ""
    assert "Godkendt (afsnittet" not in _everything(draft)
    assert [a.status for a in draft.attendance] == [AttendanceStatus.TIL_STEDE] * 2
    assert not draft.approval.signatures and draft.end_time is None

    approved = public_document(_document(True), approved=True)
    [open_item, closed_item] = public_punkter(approved, approved=True)
    assert open_item.decision == "Anbefales"
    assert open_item.notes == (
        f'Anne Lund (Ø) ønsker følgende tilført protokollen: "Imod. Ring {MASK_PHONE}"',
    )
    assert closed_item.decision == "Udvalget anbefaler købet."
    assert [a.status for a in approved.attendance] == [
        AttendanceStatus.TIL_STEDE,
        AttendanceStatus.AFBUD,
        AttendanceStatus.STEDFORTRAEDER,
    ]
