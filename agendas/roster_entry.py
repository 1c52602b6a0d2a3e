"""A roster member as the secretary types them, in chat (``/medlemmer``) or on the command line:
name, party, role, whom a stedfortræder stands in for, and from when. Pure parsing;
``agendas.services.roster`` stores the entry."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from agendas import rules
from agendas.dates import parse_date
from agendas.errors import InvalidInput
from agendas.model import ROLE_ALIASES, Role
from agendas.roster_match import parse_printed

_SINCE = re.compile(r"\s+(?:fra|siden|pr\.?|from|since)\s+(?:den\s+)?(?P<date>\S.*)$", re.I)
#: Words a name does not hold: a role, title or "for"/"fra" left means the entry was garbled.
_NOT_IN_NAMES = frozenset(ROLE_ALIASES) | {"for", "fra", "suppleant", "udvalgsformand"}
#: A name: letters first, then letters, spaces, hyphens, full stops and apostrophes.
_NAME = re.compile(r"^[^\W\d_][^\W\d_ .'’-]*(?:[ .'’-]+[^\W\d_]+)*\.?$")


@dataclass(frozen=True, slots=True)
class RosterEntry:
    """A member as the secretary types them: "Lise Holm (V) stedfortræder for Jan Kongebro fra
    01-02-2026". ``substitute_for`` is a name, matched to the roster when stored."""

    name: str
    party: str = ""
    role: Role = Role.MEDLEM
    substitute_for: str = ""
    since: date | None = None


def parse_entry(text: str, today: date) -> RosterEntry:
    """A typed member: ``Navn [(Parti)] [formand|næstformand|medlem|stedfortræder [for Navn]]
    [fra DATO]``. Titles may come first ("Formand Jan Kongebro (A)"); a role in English too.
    Refused with ``InvalidInput`` (what to write) when no clean name is left."""
    raw = " ".join(text.split())
    if not raw:
        raise InvalidInput("err-roster-entry")
    since = None
    found = _SINCE.search(raw)
    if found:
        try:
            since = parse_date(found.group("date"), today)
        except InvalidInput as exc:
            raise InvalidInput("err-roster-since", value=found.group("date")) from exc
        raw = raw[: found.start()]
    printed = parse_printed(raw)
    role = Role.MEDLEM
    if printed.substitute:
        role = Role.STEDFORTRAEDER
    elif printed.title is not None:
        role = printed.title
    words = printed.name.split()
    # A role word parse_printed does not take off: English, or a role that is not a seat.
    while words and words[-1].casefold() in ROLE_ALIASES:
        said = ROLE_ALIASES[words[-1].casefold()]
        if not said.is_member:
            raise InvalidInput("err-roster-role", role=words[-1])
        role, words = said, words[:-1]
    name = " ".join(words)
    if (
        not name
        or not _NAME.match(name)
        or len(name) > rules.MAX_NAME
        or any(w.casefold() in _NOT_IN_NAMES for w in words)  # "Lise formand for Jan"
    ):
        raise InvalidInput("err-roster-entry")
    return RosterEntry(
        name=name,
        party=printed.party,
        role=role,
        substitute_for=printed.substitute_for,
        since=since,
    )
