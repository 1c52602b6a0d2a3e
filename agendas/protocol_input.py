"""What the secretary types during the meeting: votes (as written; ``agendas.votes`` expands
them per member), "sag 3-5", the end time, a decision.

Pure parsing and checking, no I/O; each bad input raises ``InvalidInput`` with the catalogue key
that says what to do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time

from agendas.dates import parse_time
from agendas.errors import InvalidInput
from agendas.protocol import SagRange
from agendas.records import Ballot

#: The decisions the secretary picks with one tap.
STANDARD_PHRASES: tuple[str, ...] = (
    "Godkendt",
    "Taget til efterretning",
    "Anbefales",
    "Indstilles godkendt",
    "Udsat",
    "Oversendes til Økonomiudvalget",
)
MAX_BESLUTNING = 4000
MAX_REMARK = 1000
MAX_VOTES_TEXT = 300
MAX_PARTY = 3

_VOTE_SIDES = {
    "for": "for",
    "imod": "imod",
    "mod": "imod",
    "undlader": "undlader",
    "undlod": "undlader",
    "undlode": "undlader",
    "blank": "undlader",
}
_VOTE_FILLERS = frozenset(
    {"stemme", "stemmer", "stemte", "og", "at", "med", "st", "parti", "partier", "(", ")", ",", ";"}
)
_VOTE_TOKEN = re.compile(r"\d+|[^\W\d_]+|[();,]")
_VOTE_ALLOWED = re.compile(r"^[\w\s();,.:\-]+$")
#: What clears votes, ranges or a remark.
NONE_WORDS = frozenset({"ingen", "-", "nej", "slet"})


@dataclass(frozen=True, slots=True)
class ShorthandSide:
    """One side of typed votes: the number written (None when only letters were given) and the
    party letters, upper-case, in the order typed."""

    count: int | None = None
    parties: tuple[str, ...] = ()


def parse_shorthand(text: str) -> dict[Ballot, ShorthandSide] | None:
    """``for A V F; imod Ø`` or ``3 for (A, V, F), 1 imod``: the sides as written, per side
    (``agendas.votes.expand`` turns them into the members present). ``ingen`` -> None (clear).
    """
    raw = " ".join(text.split())
    if raw.lower() in NONE_WORDS:
        return None
    if not raw or len(raw) > MAX_VOTES_TEXT or not _VOTE_ALLOWED.match(raw):
        raise InvalidInput("err-votes-format")
    sides: dict[str, tuple[int | None, list[str]]] = {}
    pending: int | None = None
    current: str | None = None
    for token in _VOTE_TOKEN.findall(raw):
        word = token.lower()
        if token.isdigit() and current is not None and sides[current] == (None, []):
            sides[current] = (int(token), [])  # "undlader 2"
        elif token.isdigit():
            if pending is not None:
                raise InvalidInput("err-votes-format")
            pending, current = int(token), None
        elif word in _VOTE_SIDES:
            side = _VOTE_SIDES[word]
            if side in sides:
                raise InvalidInput("err-votes-twice", side=side)
            sides[side] = (pending, [])
            pending, current = None, side
        elif word in _VOTE_FILLERS:
            continue
        elif current is None or len(token) > MAX_PARTY:
            raise InvalidInput("err-votes-word", word=token)
        else:
            sides[current][1].append(token.upper())
    if pending is not None or not sides:
        raise InvalidInput("err-votes-format")
    result: dict[Ballot, ShorthandSide] = {}
    for side, (explicit, parties) in sides.items():
        if explicit is None and not parties:
            raise InvalidInput("err-votes-format")
        if explicit is not None and explicit < len(set(parties)):
            raise InvalidInput("err-votes-count", side=side, count=explicit, parties=len(parties))
        result[Ballot(side)] = ShorthandSide(explicit, tuple(dict.fromkeys(parties)))
    return result


_RANGE_WORDS = re.compile(r"\b(?:sag|sager|punkt|punkter|pkt|nr)\b\.?")


def parse_ranges(text: str, last_number: int) -> tuple[SagRange, ...]:
    """``sag 3-5``, ``3-5, 7`` or ``sag 3 og 5`` -> ranges of punkt numbers; ``ingen`` clears."""
    raw = " ".join(text.lower().split())
    if raw in NONE_WORDS:
        return ()
    raw = _RANGE_WORDS.sub(" ", raw)
    raw = re.sub(r"\s*[-–]\s*", "-", raw.replace(" og ", ","))
    parts = [p for p in re.split(r"[,;\s]+", raw) if p]
    if not parts:
        raise InvalidInput("err-ranges-format", value=text)
    ranges: list[SagRange] = []
    for part in parts:
        m = re.fullmatch(r"(\d{1,3})(?:-(\d{1,3}))?", part)
        if not m:
            raise InvalidInput("err-ranges-format", value=text)
        first, last = int(m[1]), int(m[2] or m[1])
        if first > last:
            raise InvalidInput("err-ranges-format", value=text)
        if first < 1 or last > last_number:
            raise InvalidInput("err-ranges-number", value=part, last=last_number)
        ranges.append(SagRange(first, last))
    return tuple(sorted(set(ranges), key=lambda r: (r.first, r.last)))


_COMING = re.compile(
    r"\b(?P<verb>kommer|ankommer|går|gaar|gar|forlader)\s+(?:mødet\s+)?"
    r"(?P<when>fra|til|ved|efter|før|foer|inden)\s+(?:punkt|pkt\.?|sag)?\s*(?P<number>\d{1,3})\b"
)


def parse_member_ranges(text: str, last_number: int) -> tuple[SagRange, ...]:
    """What a member says before the meeting: ``kommer fra punkt 3`` (misses 1-2), ``går efter
    punkt 5`` (misses 6 to the last), ``går før punkt 5`` (misses 5 to the last), both at once,
    or the secretary's forms (``sag 3-5``, ``ingen``: ``parse_ranges``). Present at every
    punkt: no ranges. A number outside the agenda, or leaving before arriving, is refused."""
    raw = " ".join(text.lower().split())
    said = list(_COMING.finditer(raw))
    if not said:
        try:
            return parse_ranges(text, last_number)
        except InvalidInput as exc:
            if exc.key == "err-ranges-format":
                raise InvalidInput("err-members-ranges-format", value=text.strip()) from exc
            raise
    first, last = 1, last_number
    for found in said:
        number = int(found["number"])
        if not 1 <= number <= last_number:
            raise InvalidInput("err-ranges-number", value=found["number"], last=last_number)
        if found["verb"] in ("kommer", "ankommer"):
            first = number
        else:
            last = number if found["when"] in ("efter", "ved") else number - 1
    if first > last:
        raise InvalidInput("err-members-ranges-order", value=text.strip())
    ranges = []
    if first > 1:
        ranges.append(SagRange(1, first - 1))
    if last < last_number:
        ranges.append(SagRange(last + 1, last_number))
    return tuple(ranges)


def parse_end_time(text: str) -> time:
    """``15.10``, ``15:10``, ``kl. 15.10`` or ``kl. 15``."""
    try:
        return parse_time(text)
    except InvalidInput as exc:
        raise InvalidInput("err-end-time-format", value=text) from exc


def clean_text(text: str, limit: int, empty_key: str, long_key: str) -> str:
    value = text.strip()
    if not value:
        raise InvalidInput(empty_key)
    if len(value) > limit:
        raise InvalidInput(long_key, limit=limit, length=len(value))
    return value
