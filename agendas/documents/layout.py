"""The municipal wording both the renderer writes and the importer reads back."""

from __future__ import annotations

import re

from agendas.documents.layouts import section_headings
from agendas.model import SECTIONS, PunktKind

KIND_DAGSORDEN = "Dagsorden"
KIND_PROTOKOL = "Beslutningsprotokol"
#: Words that name the document kind on its first lines; the importer skips them.
KIND_WORDS = frozenset({"dagsorden", "beslutningsprotokol", "referat", "protokol", "mødereferat"})

LABEL_MEMBERS = "Medlemmer"
LABEL_ABSENT = "Fraværende"
LABEL_AFBUD = "Afbud"
LABEL_SUBSTITUTES = "Stedfortrædere"
LABEL_TOC = "Indholdsfortegnelse"
LABEL_SAG_NR = "Sag nr."
LABEL_KOMPETENCE = "Beslutningskompetence"
LABEL_JOURNAL = "Journalnr."
LABEL_BILAG = "Bilag"
LABEL_BESLUTNING = "Beslutning"
#: A sag put on the agenda after it was sent out: "Tilføjet efter udsendelsen: <reason>".
LABEL_LATE = "Tilføjet efter udsendelsen"
LABEL_PUBLIC = "Offentlig beslutningstekst"
CLOSED_PREFIX = "Lukket punkt: "

#: The edition, in the page header and the document properties (subject), so the internal
#: document is not published by mistake.
EDITION_INTERNAL = "Intern udgave – indeholder lukkede punkter"
EDITION_PUBLIC = "Offentlig udgave"
#: A protocol before its approval: in the header, as a line under the title, as content status.
MARK_DRAFT = "Udkast"
MARK_APPROVED = "Godkendt"
#: Lines of the front the importer skips: the edition and the draft mark.
FRONT_MARKS = frozenset({MARK_DRAFT.lower(), EDITION_INTERNAL.lower(), EDITION_PUBLIC.lower()})

#: The underskriftsblad at the end of a protocol that has been sent for approval. The importer
#: ignores it from its heading on: approvals belong to the meeting they were given in.
LABEL_GODKENDELSE = "Godkendelse"
LABEL_REVISION = "Protokolrevision"
APPROVAL_INTRO_APPROVED = (
    "Protokollen er godkendt digitalt af de medlemmer, der var til stede ved mødet."
)
APPROVAL_INTRO_SENT = "Protokollen er sendt til godkendelse og er endnu ikke godkendt af alle."
APPROVED_AT = "godkendt digitalt {date} kl. {time}"
#: A member without Telegram approved on paper or in person; the secretary recorded it.
APPROVED_RECORDED_AT = "godkendt {date} kl. {time} (registreret af sekretæren {name})"
NOT_APPROVED = "ikke godkendt"

HEADER_LISTS: dict[str, str] = {
    "medlemmer": "members",
    "deltagere": "members",
    "udvalgsmedlemmer": "members",
    "fraværende": "absent",
    "afbud": "afbud",
    "stedfortræder": "substitutes",
    "stedfortrædere": "substitutes",
    "indholdsfortegnelse": "toc",
    "indhold": "toc",
}

#: Section headings the importer accepts, mapped to the section keys of ``agendas.model``: our own
#: titles, then every heading the municipal layouts print (``agendas.documents.layouts``). A
#: variant that meets a section that already has text is appended after a lead-in line
#: "<Variant>:", so nothing is lost.
SECTION_ALIASES: dict[str, str] = {s.title.lower(): s.key for s in SECTIONS}
for _heading, _key in section_headings().items():
    SECTION_ALIASES.setdefault(_heading, _key)

STANDARD_KINDS: dict[str, PunktKind] = {
    "godkendelse af dagsorden": PunktKind.GODKENDELSE,
    "godkendelse af dagsordenen": PunktKind.GODKENDELSE,
    "meddelelser": PunktKind.MEDDELELSER,
    "meddelelser fra formanden": PunktKind.MEDDELELSER,
    "meddelelser fra forvaltningen": PunktKind.MEDDELELSER,
    "eventuelt": PunktKind.EVENTUELT,
    "diverse": PunktKind.EVENTUELT,
    "evt.": PunktKind.EVENTUELT,
}

BULLET_RE = re.compile(r"^[-•*·–]\s+(?=\S)")
#: The closing line in its forms: "Mødet afsluttet kl. 15.10", "Mødet hævet kl. 13.03",
#: "Mødet sluttede kl. 17.45", "Protokollen oplæst. Mødet afsluttet kl. 15.10" (and "oplæst og
#: godkendt"); matched with ``search`` so a lead-in before it is allowed.
END_RE = re.compile(
    r"(?:^|\.\s+)mødet\s+(?:blev\s+)?(?:afsluttet|hævet|sluttede|slut)\s+(?:kl\.?|klokken)\s*"
    r"(\d{1,2})[.:](\d{2})\.?$",
    re.IGNORECASE,
)
SAG_NR_RE = re.compile(r"^sag\s*nr\.?\s*:?\s*(\d{1,4})\.?$", re.IGNORECASE)


def split_bullet(line: str) -> tuple[bool, str]:
    """``"- tekst"``, ``"• tekst"``, ``"* tekst"`` -> ``(True, "tekst")``."""
    match = BULLET_RE.match(line)
    if match:
        return True, line[match.end() :].strip()
    return False, line
