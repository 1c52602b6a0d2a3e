"""A realistic meeting to render, and helpers to read a rendered DOCX back."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, time
from typing import Any

import docx
from docx.oxml.ns import qn
from docx.styles import BabelFish

from agendas.model import Moede, Punkt, PunktKind, Role, Sagstype, Udvalg
from agendas.protocol import (
    AttendanceStatus,
    Attendee,
    DocumentPunkt,
    MeetingDocument,
    MemberRef,
    PunktRecord,
    Remark,
    SagRange,
    Votes,
)

UDVALG = "Sundheds- og Omsorgsudvalget"
FORVALTNING = "Social- og Sundhedsforvaltningen"
CLOSED_SECRET = "Købesummen forhandles til højst 14,2 mio. kr."
CLOSED_BILAG = "Tilbud fra sælger.pdf"
PUBLIC_DECISION = "Anbefales. Sagen offentliggøres, når handlen er endelig."


def meeting() -> MeetingDocument:
    def punkt(number: int, kind: PunktKind, title: str, **kw: Any) -> Punkt:
        return Punkt(moede_id=1, kind=kind, title=title, number=number, position=number, **kw)

    punkter = [
        DocumentPunkt(
            punkt(
                1, PunktKind.GODKENDELSE, "Godkendelse af dagsorden", beslutningskompetence="SOU"
            ),
            record=PunktRecord(beslutning="Godkendt."),
        ),
        DocumentPunkt(
            punkt(
                2,
                PunktKind.MEDDELELSER,
                "Meddelelser",
                beslutningskompetence="SOU",
                sections={
                    "sagens_kerne": "Oversigt fremlægges.\n- Nyt fra sundhedsplejen\n"
                    "• Status på rekruttering\n* Temadag om demens den 8. april",
                    "indstilling": f"{FORVALTNING} indstiller,\nat meddelelserne tages til "
                    "efterretning.",
                },
            ),
            bilag=["Nyhedsbrev februar 2025.pdf"],
            record=PunktRecord(beslutning="Taget til efterretning."),
        ),
        DocumentPunkt(
            punkt(
                3,
                PunktKind.SAG,
                "Ny model for genoptræning efter sygehusophold",
                beslutningskompetence="KB",
                sagstype=Sagstype.BESLUTNING,
                journal_number="29.09.00-A00-1-25",
                sections={
                    "sagens_kerne": "Genoptræningen samles på Egeby Træningscenter.",
                    "indstilling": f"{FORVALTNING} indstiller,\nat udvalget anbefaler modellen.",
                    "sagsfremstilling": "I 2024 var ventetiden 21 dage.\n\nMålet er 10 dage.",
                    "oekonomiske_konsekvenser": "Engangsudgift på 0,8 mio. kr.",
                    "tidsplan": "",
                },
            ),
            bilag=["Notat om ventetider 2024.pdf", "Skitse af ombygning.pdf"],
            record=PunktRecord(
                beslutning="Anbefales",
                votes=Votes(3, ("A", "V", "F"), 1, ("Ø",)),
                inhabile=[MemberRef("Sara Dalgaard", "F")],
                remarks=[Remark(MemberRef("Anne Lund", "Ø"), "Ø kan ikke støtte flytningen.")],
            ),
        ),
        DocumentPunkt(
            punkt(
                4,
                PunktKind.SAG,
                "Køb af ejendom til midlertidige døgnpladser",
                closed=True,
                beslutningskompetence="KB",
                sections={"sagens_kerne": CLOSED_SECRET, "indstilling": "at købet godkendes."},
            ),
            bilag=[CLOSED_BILAG],
            record=PunktRecord(beslutning="Anbefales.", public_beslutning=PUBLIC_DECISION),
        ),
        DocumentPunkt(
            punkt(5, PunktKind.EVENTUELT, "Eventuelt"), record=PunktRecord(beslutning="Intet.")
        ),
    ]
    attendance = [
        Attendee("Lene Holm", "A", Role.FORMAND),
        Attendee("Per Vinther", "V", Role.NAESTFORMAND),
        Attendee("Sara Dalgaard", "F"),
        Attendee("Mikkel Storm", "C", absent_for=(SagRange(3, 4),)),
        Attendee("Anne Lund", "Ø", status=AttendanceStatus.AFBUD),
        Attendee(
            "Jonas Ærø", "Ø", status=AttendanceStatus.STEDFORTRAEDER, substitute_for="Anne Lund"
        ),
    ]
    return MeetingDocument(
        udvalg=Udvalg(code="SOU", name=UDVALG, forvaltning=FORVALTNING, id=1),
        moede=Moede(udvalg_id=1, date=date(2025, 3, 4), start_time=time(15), place="Mødelokale 2"),
        punkter=punkter,
        attendance=attendance,
        end_time=time(16, 5),
    )


@dataclass
class Para:
    text: str
    style: str


def open_docx(data: bytes) -> Any:
    return docx.Document(io.BytesIO(data))


def paragraphs(data: bytes) -> list[Para]:
    """Non-empty body paragraphs with their style's name (as Word shows it: "Heading 1")."""
    document = open_docx(data)
    names = {}
    for style in document.styles.element.findall(qn("w:style")):
        names[style.get(qn("w:styleId"))] = BabelFish.internal2ui(
            style.find(qn("w:name")).get(qn("w:val"))
        )
    result = []
    for p in document.element.body.iter(qn("w:p")):
        if not (p.text or "").strip():
            continue
        style_id = p.pPr.style if p.pPr is not None else None
        result.append(Para(p.text, names.get(style_id, "Normal") if style_id else "Normal"))
    return result


def body_text(data: bytes) -> str:
    return "\n".join(p.text for p in paragraphs(data))


def instr_texts(element: Any) -> list[str]:
    return [node.text or "" for node in element.iter(qn("w:instrText"))]
