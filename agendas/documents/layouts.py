"""The municipal layouts the importer reads, as data: one entry per municipality.

Each entry says what its published agendas and referater print: which headings mean which of our
sections, how a punkt starts, where the decision sits, and the marks it puts on a punkt. The
importer reads with the union of all entries (a municipality changes templates over the years, and
a document may mix them), so a seventh municipality is an entry here and a fixture in
``tests/documents/test_layouts.py``, not a new code path: a new heading is a line in ``sections``,
a new title form ("Sag 3 - Titel") a pattern in ``punkt_titles``.

The structure of each entry was read off documents the municipality published (issue 13 names
them); ``source`` says where such documents are found.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class PunktStart(StrEnum):
    """How a punkt's title is recognised (the reader implements each)."""

    NUMBERED = "numbered"  # "3. Titel"
    PREFIXED = "prefixed"  # a pattern of ``punkt_titles``: "Punkt 3: Titel"
    SAG_NR_BELOW = "sag_nr_below"  # a heading with "Sag nr. 170" on the next line
    NUMBER_CELL = "number_cell"  # the number in a table cell of its own, the title next
    HEADING = "heading"  # any heading of the top level


class DecisionAt(StrEnum):
    """Where a punkt's decision is printed."""

    HEADING = "heading"  # under a "Beslutning" heading (or a variant in ``sections``)
    #: "Beslutning i <udvalg> den <dato>": this udvalg's decision, or an earlier body's.
    BODY_DATE = "body_date"


@dataclass(frozen=True, slots=True)
class Layout:
    key: str
    municipality: str
    #: Where the municipality publishes (the system and the address of the archive).
    source: str
    #: Headings as printed (compared case-insensitively, a trailing colon ignored) and the section
    #: key of ``agendas.model.SECTIONS`` each fills; "tidligere_beslutninger" for earlier bodies'
    #: decisions, "public" for a closed punkt's public decision text.
    sections: Mapping[str, str] = field(default_factory=dict)
    punkt_starts: tuple[PunktStart, ...] = (PunktStart.NUMBERED,)
    #: Regular expressions (case-insensitive) for ``PunktStart.PREFIXED``: group 1 the number,
    #: group 2 the title.
    punkt_titles: tuple[str, ...] = ()
    decisions: tuple[DecisionAt, ...] = (DecisionAt.HEADING,)
    #: Letters in brackets after a title and the sagstype each means: "(B)" til beslutning.
    title_kinds: Mapping[str, str] = field(default_factory=dict)


LAYOUTS: tuple[Layout, ...] = (
    Layout(
        key="roedovre",
        municipality="Rødovre Kommune (and the bot's own documents)",
        source="rk.dk, politik/dagsordener-og-referater (Word and PDF)",
        sections={
            "resumé": "sagens_kerne",
            "resume": "sagens_kerne",
            "sagsresume": "sagens_kerne",
            "indstillinger": "indstilling",
            "beslutninger": "beslutning",
            "tidligere beslutning": "tidligere_beslutninger",
            "tidligere behandling": "tidligere_beslutninger",
            "sagsbeskrivelse": "sagsfremstilling",
            "baggrund": "sagsfremstilling",
            "lovgrundlag": "lov_og_plangrundlag",
            "lov- og plangrundlag": "lov_og_plangrundlag",
            "økonomiske konsekvenser": "oekonomiske_konsekvenser",
            "bilag": "bilag",
            "offentlig beslutningstekst": "public",
            "offentlig beslutning": "public",
        },
        punkt_starts=(PunktStart.NUMBERED, PunktStart.SAG_NR_BELOW, PunktStart.HEADING),
    ),
    Layout(
        key="aarhus",
        municipality="Aarhus Kommune",
        source="FirstAgenda publication (PDF and web page), aarhus.dk/demokrati/politik",
        sections={
            "resumé": "sagens_kerne",
            "resume": "sagens_kerne",
            "beslutningspunkter": "indstilling",
            "sagens forløb": "tidligere_beslutninger",
            "sagsforløb": "tidligere_beslutninger",
            "beslutninger": "beslutning",
        },
        punkt_starts=(PunktStart.PREFIXED,),
        punkt_titles=(r"^punkt\s+(\d{1,4})\s*[:.\-–]\s*(.+)$",),
    ),
    Layout(
        key="holbaek",
        municipality="Holbæk Kommune",
        source="holbaek.dk, dagsordener og referater (PDF)",
        sections={
            "beskrivelse af sagen": "sagsfremstilling",
            "forslag til beslutning": "indstilling",
        },
        decisions=(DecisionAt.BODY_DATE,),
    ),
    Layout(
        key="odense",
        municipality="Odense Kommune",
        source="SBSYS publication, odense.dk/politik (PDF; the closing line at the top)",
        punkt_starts=(PunktStart.NUMBERED, PunktStart.NUMBER_CELL),
    ),
    Layout(
        key="ishoej",
        municipality="Ishøj Kommune",
        source="ishoj.dk, dagsordener og referater (PDF)",
        sections={"beslutningstema": "sagens_kerne"},
    ),
    Layout(
        key="slagelse",
        municipality="Slagelse Kommune",
        source="slagelse.dk, politiske udvalg (PDF)",
        sections={"indstillinger": "indstilling"},
        decisions=(DecisionAt.BODY_DATE,),
        title_kinds={"B": "til beslutning", "O": "til orientering", "D": "til drøftelse"},
    ),
    Layout(
        key="koebenhavn",
        municipality="Københavns Kommune",
        source="kk.dk, dagsordener og referater (web page and PDF)",
        sections={
            "problemstilling": "sagens_kerne",
            "løsning": "sagsfremstilling",
            "økonomi": "oekonomiske_konsekvenser",
            "videre proces": "tidsplan",
            "tidsplan og videre proces": "tidsplan",
        },
        punkt_starts=(PunktStart.NUMBERED, PunktStart.PREFIXED),
        punkt_titles=(r"^punkt\s+(\d{1,4})\s*[:.\-–]\s*(.+)$",),
    ),
)


def section_headings(layouts: tuple[Layout, ...] = LAYOUTS) -> dict[str, str]:
    """Every heading any layout prints -> its section key (the first layout to name it wins)."""
    headings: dict[str, str] = {}
    for entry in layouts:
        for heading, key in entry.sections.items():
            headings.setdefault(heading.lower(), key)
    return headings


def punkt_title_patterns(layouts: tuple[Layout, ...] = LAYOUTS) -> tuple[re.Pattern[str], ...]:
    """Every ``PunktStart.PREFIXED`` title form of the layouts, compiled once each."""
    forms = dict.fromkeys(p for entry in layouts for p in entry.punkt_titles)
    return tuple(re.compile(form, re.IGNORECASE) for form in forms)


def title_kinds(layouts: tuple[Layout, ...] = LAYOUTS) -> dict[str, str]:
    kinds: dict[str, str] = {}
    for entry in layouts:
        kinds.update(entry.title_kinds)
    return kinds
