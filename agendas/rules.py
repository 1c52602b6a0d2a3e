"""Rules of the agenda: the order and numbering of punkter, limits, and who may do what."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from agendas.model import SECTIONS, Actor, Moede, Punkt, PunktKind, Role, Section

#: Longest title we accept; municipal titles are one line.
MAX_TITLE = 200
#: Longest section text; longer texts belong in a bilag.
MAX_SECTION = 20_000
MAX_CODE = 10
MAX_NAME = 120
MAX_PLACE = 200
#: Bilag we keep: Word, PDF and the common office formats; at most 20 MB (Telegram's getFile cap).
MAX_BILAG_BYTES = 20 * 1024 * 1024
BILAG_EXTENSIONS = frozenset({".pdf", ".docx", ".doc", ".xlsx", ".xls", ".pptx", ".odt", ".txt"})


def _group(punkt: Punkt) -> int:
    """Godkendelse, Meddelelser, open sager, closed sager, Eventuelt."""
    if punkt.kind is PunktKind.GODKENDELSE:
        return 0
    if punkt.kind is PunktKind.MEDDELELSER:
        return 1
    if punkt.kind is PunktKind.EVENTUELT:
        return 4
    return 3 if punkt.closed else 2


def sort_key(punkt: Punkt) -> tuple[int, int, int]:
    return (_group(punkt), punkt.position, punkt.id or 0)


def ordered(punkter: Iterable[Punkt]) -> list[Punkt]:
    """Punkter in agenda order, numbered 1..n (numbering follows the order automatically)."""
    result = sorted(punkter, key=sort_key)
    for number, punkt in enumerate(result, start=1):
        punkt.number = number
    return result


def renumber_positions(punkter: Sequence[Punkt]) -> None:
    """Give punkter consecutive positions in their current order, keeping gaps out."""
    for index, punkt in enumerate(punkter):
        punkt.position = index


def can_edit_udvalg(actor: Actor, udvalg_id: int) -> bool:
    return actor.is_admin or Role.SEKRETAER in actor.roles_in(udvalg_id)


def can_invite(actor: Actor, udvalg_id: int) -> bool:
    return can_edit_udvalg(actor, udvalg_id)


def can_read_udvalg(actor: Actor, udvalg_id: int) -> bool:
    """Anyone with a role in the udvalg may read its open punkter."""
    return actor.is_admin or bool(actor.roles_in(udvalg_id))


def can_read_closed(actor: Actor, udvalg_id: int) -> bool:
    """Closed punkter: the committee's members and its secretary only (not tovholdere)."""
    roles = actor.roles_in(udvalg_id)
    return Role.SEKRETAER in roles or any(r.is_member for r in roles)


def may_open(actor: Actor, udvalg_id: int, punkt: Punkt) -> bool:
    """Anyone in the udvalg sees every title; only members open a closed punkt in full."""
    if punkt.closed:
        return can_read_closed(actor, udvalg_id)
    return can_read_udvalg(actor, udvalg_id)


def is_editor_anywhere(actor: Actor) -> bool:
    """An admin, or the secretary of at least one udvalg (may create meetings, import files)."""
    return actor.is_admin or any(can_edit_udvalg(actor, u) for u in actor.roles)


def meeting_day_started(moede: Moede, now: datetime) -> bool:
    """Whether ``now`` is on or after the meeting's day (local midnight before its start).

    The local midnight is the start time minus the time of day, so no zone is needed; on the
    two nights a year the clock changes, a meeting on that Sunday opens an hour early or late.
    """
    if moede.starts_at is None:
        return True
    since_midnight = timedelta(hours=moede.clock.hour, minutes=moede.clock.minute)
    return now >= moede.starts_at - since_midnight


def before_start(moede: Moede, now: datetime) -> bool:
    """Whether the meeting has not begun: before its start time, or before its day when no
    start time is known. What members do for themselves (inhabilitet, kommer/går, questions,
    proposals) closes here."""
    if moede.starts_at is not None:
        return now < moede.starts_at
    return now.date() < moede.date


#: Characters that show nothing although they are not whitespace: the Hangul fillers and the
#: blank Braille pattern (format characters, category Cf, are found by category).
_BLANKS = frozenset("\u115f\u1160\u3164\uffa0\u2800\u180e")
_ZWJ = "\u200d"  # kept: it joins the parts of an emoji


def strip_invisible(text: str) -> str:
    """The text without zero-width spaces, direction marks, byte-order marks and blank fillers."""
    return "".join(
        c for c in text if c == _ZWJ or (unicodedata.category(c) != "Cf" and c not in _BLANKS)
    )


def has_content(text: str) -> bool:
    """At least one letter or digit: "-", "…" or a zero-width space fill no section or title."""
    return any(unicodedata.category(c)[0] in "LN" and c not in _BLANKS for c in text)


def empty_required_sections(punkter: Iterable[Punkt]) -> list[tuple[Punkt, Section]]:
    """The sager whose required sections (Sagens kerne, Indstilling) are empty, in order."""
    return [
        (punkt, section)
        for punkt in punkter
        if punkt.kind is PunktKind.SAG
        for section in SECTIONS
        if section.required and not has_content(punkt.section(section.key))
    ]
