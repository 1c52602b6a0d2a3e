"""The municipal layouts the importer reads, one table entry each.

The table of layouts is `agendas/documents/layouts.py`; every entry has a fixture here.
The texts follow the structure of published referater from each municipality (their headings,
how a punkt starts, where the decision sits; see issue 13), with made-up content: the published
documents themselves may not be committed here. Each row asserts what a secretary would check
after an import: the punkter, their sections, this meeting's decision and the decisions of other
bodies, and that nothing was left unplaced.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from agendas.documents import parse_text
from agendas.documents.layout import SECTION_ALIASES
from agendas.documents.layouts import LAYOUTS, PunktStart
from agendas.model import SECTIONS


@dataclass(frozen=True)
class Expected:
    titles: list[str]
    #: Per punkt (by position): the section keys found.
    sections: dict[int, list[str]] = field(default_factory=dict)
    #: Per punkt: the decision of this meeting's udvalg.
    decisions: dict[int, str] = field(default_factory=dict)
    #: Per punkt: the text under Tidligere beslutninger.
    earlier: dict[int, str] = field(default_factory=dict)
    journal: dict[int, str] = field(default_factory=dict)
    kompetence: dict[int, str] = field(default_factory=dict)
    sagstype: dict[int, str] = field(default_factory=dict)
    closed: list[int] = field(default_factory=list)
    end: str | None = None


HOLBAEK = """Udvalget for Klima og Miljø
Referat
Mødedato: 04-06-2020 kl. 16.00
Mødested: Rådhuset, mødelokale 1
1. Godkendelse af dagsorden
Beslutning i Udvalget for Klima og Miljø den 04-06-2020
Godkendt.
2. Ny affaldsordning for sommerhuse
Beskrivelse af sagen
Sommerhusområderne får henteordning for madaffald.
Indstilling
Administrationen indstiller, at ordningen godkendes.
Beslutning i Økonomiudvalget den 27-05-2020
Anbefales.
Beslutning i Udvalget for Klima og Miljø den 04-06-2020
Godkendt.
"""

SLAGELSE = """Økonomiudvalget
Referat
Dato: 15-03-2021 kl. 15.00
Budgetopfølgning pr. 28. februar (B)
Sag nr. 1
Kompetence: Økonomiudvalget
Indstilling
Direktionen indstiller, at budgetopfølgningen godkendes.
Beslutning i Økonomiudvalget den 15-03-2021: Fraværende: Anne Lund. Godkendt.
Orientering om ny bygningsstrategi (O)
Sag nr. 2
Kompetence: Økonomiudvalget
Sagsfremstilling
Strategien er sendt i høring.
Beslutning i Økonomiudvalget den 15-03-2021: Taget til efterretning.
"""

ISHOEJ = """Økonomiudvalget
Dagsorden
Dato: 02-02-2022 kl. 17.00
1. Vedtagelse af takster for 2022
Sag nr. 1
Beslutningskompetence
Byrådet.
Beslutningstema
Økonomiudvalget skal tage stilling til taksterne for 2022.
Indstilling
Forvaltningen indstiller, at taksterne anbefales.
Beslutning
Anbefales.
"""

ODENSE = """Økonomiudvalget
Beslutningsprotokol
Dato: 07-04-2021 kl. 12.00
Mødet hævet kl. 13.03
1. Orientering om likviditet
Åbent - 00.01.00-A00-17-15
Sagsresume
Likviditeten er tilfredsstillende.
Beslutning
Taget til efterretning.
2. Salg af byggegrund
Lukket - 02.34.02-G01-3-21
Beslutning
Godkendt.
"""

KOEBENHAVN = """Kultur- og Fritidsudvalget
Referat
Mødedato: 12.05.2022 kl. 15.30
Punkt 1: Nyt bibliotek i Nordhavn
Problemstilling
Udvalget skal beslutte, om biblioteket skal placeres i Nordhavn.
Løsning
Forvaltningen foreslår en placering ved stationen.
Økonomi
Anlægsudgiften er 45 mio. kr.
Videre proces
Sagen forelægges Borgerrepræsentationen i juni.
Beslutning
Indstillingen blev godkendt uden afstemning.
"""

AARHUS = """Teknisk Udvalg
Referat
Mødedato: onsdag den 1. oktober 2025 kl. 15.45
Mødested: Udvalgsværelse 398
Punkt 1: Referat fra sidste udvalgsmøde
EMN-2025-010561
Beslutninger
Ingen bemærkninger.
Punkt 2: Udviklingsplan for havnen
EMN-2025-009242
Beslutninger
Et flertal i udvalget kunne tiltræde indstillingen.
Resume
Planen har været i høring.
Beslutningspunkter
At 1) byrådet godkender planen.
Sagsforløb
Magistraten anbefalede planen den 2. september 2025.
"""

ROEDOVRE = """Beskæftigelsesudvalget
Beslutningsprotokol
04-03-2025
Kl. 15.00, Mødelokale 2, Rødovre Rådhus
Godkendelse af dagsorden
Sag nr. 1
Beslutning
Godkendt.
Ny model for jobcentrets samtaler
Sag nr. 170
Beslutningskompetence: BEU
Resumé
Forvaltningen foreslår færre, længere samtaler.
Indstilling
Beskæftigelsesforvaltningen indstiller, at modellen godkendes.
Beslutning
Godkendt.
Mødet afsluttet kl. 16.05
"""

CASES = {
    "roedovre": (
        ROEDOVRE,
        Expected(
            titles=["Godkendelse af dagsorden", "Ny model for jobcentrets samtaler"],
            sections={1: ["sagens_kerne", "indstilling"]},
            decisions={0: "Godkendt.", 1: "Godkendt."},
            kompetence={1: "BEU"},
            end="16:05",
        ),
    ),
    "holbaek": (
        HOLBAEK,
        Expected(
            titles=["Godkendelse af dagsorden", "Ny affaldsordning for sommerhuse"],
            sections={1: ["sagsfremstilling", "indstilling", "tidligere_beslutninger"]},
            decisions={0: "Godkendt.", 1: "Godkendt."},
            earlier={1: "Beslutning i Økonomiudvalget den 27-05-2020:\nAnbefales."},
        ),
    ),
    "slagelse": (
        SLAGELSE,
        Expected(
            titles=["Budgetopfølgning pr. 28. februar", "Orientering om ny bygningsstrategi"],
            decisions={0: "Fraværende: Anne Lund. Godkendt.", 1: "Taget til efterretning."},
            kompetence={0: "Økonomiudvalget", 1: "Økonomiudvalget"},
            sagstype={0: "beslutning", 1: "orientering"},
        ),
    ),
    "ishoej": (
        ISHOEJ,
        Expected(
            titles=["Vedtagelse af takster for 2022"],
            sections={0: ["sagens_kerne", "indstilling"]},
            decisions={0: "Anbefales."},
            kompetence={0: "Byrådet"},
        ),
    ),
    "odense": (
        ODENSE,
        Expected(
            titles=["Orientering om likviditet", "Salg af byggegrund"],
            decisions={0: "Taget til efterretning.", 1: "Godkendt."},
            journal={0: "00.01.00-A00-17-15", 1: "02.34.02-G01-3-21"},
            closed=[1],
            end="13:03",
        ),
    ),
    "koebenhavn": (
        KOEBENHAVN,
        Expected(
            titles=["Nyt bibliotek i Nordhavn"],
            sections={
                0: ["sagens_kerne", "sagsfremstilling", "oekonomiske_konsekvenser", "tidsplan"]
            },
            decisions={0: "Indstillingen blev godkendt uden afstemning."},
        ),
    ),
    "aarhus": (
        AARHUS,
        Expected(
            titles=["Referat fra sidste udvalgsmøde", "Udviklingsplan for havnen"],
            sections={1: ["sagens_kerne", "indstilling", "tidligere_beslutninger"]},
            decisions={
                0: "Ingen bemærkninger.",
                1: "Et flertal i udvalget kunne tiltræde indstillingen.",
            },
            journal={0: "EMN-2025-010561", 1: "EMN-2025-009242"},
        ),
    ),
}


def test_every_layout_in_the_table_has_a_fixture_and_maps_to_real_sections() -> None:
    """A municipality is a table entry (``agendas/documents/layouts.py``) and a fixture here."""
    assert sorted(CASES) == sorted(entry.key for entry in LAYOUTS)
    known = {section.key for section in SECTIONS} | {"public", "bilag"}
    for entry in LAYOUTS:
        assert set(entry.sections.values()) <= known, entry.key
        assert entry.source and entry.municipality
        if PunktStart.PREFIXED in entry.punkt_starts:
            assert entry.punkt_titles, entry.key
    # The importer reads every heading of every layout, whichever document it meets.
    for entry in LAYOUTS:
        for heading, key in entry.sections.items():
            assert SECTION_ALIASES[heading] == key or heading in {s.title.lower() for s in SECTIONS}


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_municipal_layout_is_read_into_the_right_fields(name: str) -> None:
    text, expected = CASES[name]
    result = parse_text(text)
    doc = result.document
    assert [p.punkt.title for p in doc.punkter] == expected.titles
    for index, keys in expected.sections.items():
        assert sorted(doc.punkter[index].punkt.sections) == sorted(keys), index
    for index, decision in expected.decisions.items():
        assert doc.punkter[index].record.decision_text() == decision, index
    for index, earlier in expected.earlier.items():
        assert doc.punkter[index].punkt.section("tidligere_beslutninger") == earlier
    for index, journal in expected.journal.items():
        assert doc.punkter[index].punkt.journal_number == journal
    for index, kompetence in expected.kompetence.items():
        assert doc.punkter[index].punkt.beslutningskompetence == kompetence
    for index, kind in expected.sagstype.items():
        sagstype = doc.punkter[index].punkt.sagstype
        assert sagstype is not None and sagstype.value == kind
    assert [i for i, p in enumerate(doc.punkter) if p.punkt.closed] == expected.closed
    if expected.end:
        assert doc.end_time is not None and doc.end_time.isoformat("minutes") == expected.end
    assert result.unplaced == []
