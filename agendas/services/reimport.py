"""Importing a meeting the udvalg has already: told apart by date and punkter, and what the
document would change (``ImportDiff``), so the secretary can update that meeting instead of
getting a second one. Pure functions and the refusal; ``imports.import_meeting`` uses them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from agendas.errors import DomainError
from agendas.model import Moede, Punkt
from agendas.protocol import PunktRecord
from agendas.records import DecisionRecord


@dataclass(frozen=True, slots=True)
class ImportDiff:
    """How a document differs from the meeting it was imported as before (by punkt title)."""

    moede_id: int
    date: date
    changed: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


class AlreadyImported(DomainError):
    """The udvalg has this meeting already (same date, the same punkter): the document is
    offered as an update of it instead of a second meeting. Nothing was stored."""

    key = "err-import-again"

    def __init__(self, diff: ImportDiff) -> None:
        super().__init__()
        self.diff = diff


def title_key(title: str) -> str:
    return " ".join(title.casefold().split())


def same_meeting(existing: list[Punkt], cleaned: list[Punkt]) -> bool:
    """Most of the document's titles are the meeting's titles."""
    have = {title_key(p.title) for p in existing}
    titles = [title_key(p.title) for p in cleaned]
    return bool(have) and sum(t in have for t in titles) * 2 > len(titles)


def meeting_diff(
    moede: Moede,
    existing: list[Punkt],
    cleaned: list[Punkt],
    records: list[PunktRecord],
    decisions: dict[int, DecisionRecord],
) -> ImportDiff:
    by_title = {title_key(p.title): p for p in existing}
    changed, added = [], []
    for punkt, record in zip(cleaned, records, strict=True):
        old = by_title.get(title_key(punkt.title))
        if old is None:
            added.append(punkt.title)
            continue
        stored = decisions.get(old.id or 0)
        if (
            old.sections != punkt.sections
            or old.closed != punkt.closed
            or (record.beslutning or "") != (stored.beslutning if stored else "")
        ):
            changed.append(punkt.title)
    titles = {title_key(p.title) for p in cleaned}
    missing = [p.title for p in existing if title_key(p.title) not in titles]
    return ImportDiff(moede.id or 0, moede.date, changed, added, missing)
