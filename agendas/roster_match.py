"""A name as a document prints it, matched to an udvalg's roster. Pure functions, no I/O.

Protocols name members in many ways: "Formand Britt Jensen (A)", "Britt Jensen (A), formand",
"B. Jensen", "Suppleant for Brian Møller (A)", "Hans Hansen (A), suppleant for Brian Møller (A)",
"JENSEN, Britt". ``parse_printed`` takes such a text apart (the name, party letters, title,
whether and for whom a suppleant stands in); ``match_name`` finds the one roster member it names:
the same name first (case, spacing, æ/ae and punctuation do not matter), else the same surname
with the given names written out or as initials ("B. Jensen", "Britt M. Jensen"). A party letter
printed that differs from the member's rules them out. Two members who fit equally well match
neither: a wrong match would put a vote or an approval on the wrong person.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from agendas.model import Role

#: Titles printed with a name, folded (see ``_fold``).
_TITLES: dict[str, Role | None] = {
    "formand": Role.FORMAND,
    "udvalgsformand": Role.FORMAND,
    "forperson": Role.FORMAND,
    "naestformand": Role.NAESTFORMAND,
    "viceformand": Role.NAESTFORMAND,
    "naestforperson": Role.NAESTFORMAND,
    "medlem": None,
    "udvalgsmedlem": None,
}
_SUBSTITUTE_WORDS = r"(?:suppleant|stedfortr(?:æ|ae)der)"
_PARTY = re.compile(r"\(\s*([A-Za-zÆØÅæøå]{1,3})\s*\)")
#: "Suppleant for X (A)", optionally followed by ": Y (A)" naming the suppleant.
_SUBSTITUTE_FIRST = re.compile(
    rf"^{_SUBSTITUTE_WORDS}\s+for\s+(?P<member>.+?)(?:(?:\s*:\s*|\s+[–-]\s+)(?P<name>.+))?$",
    re.IGNORECASE,
)
#: "Y (A), suppleant for X (A)", "Y (A) som suppleant for X", "Y (A) (suppleant for X)".
_SUBSTITUTE_AFTER = re.compile(
    rf"^(?P<name>.+?)[\s,(–-]*(?:deltog\s+)?(?:som\s+)?\b{_SUBSTITUTE_WORDS}"
    r"(?:\s+for\s+(?P<member>.+?))?\)?\.?$",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class PrintedName:
    """What a printed name says: ``name`` alone ("Britt Jensen"; empty when the text names only
    whom a suppleant stands in for), ``party`` letters, ``title`` (formand, næstformand),
    ``substitute`` (printed as suppleant/stedfortræder) and ``substitute_for`` (whom)."""

    name: str
    party: str = ""
    title: Role | None = None
    substitute: bool = False
    substitute_for: str = ""


@dataclass(frozen=True, slots=True)
class RosterName:
    """A member of the roster as the matcher sees them."""

    person_id: int
    name: str
    party: str = ""


@dataclass(frozen=True, slots=True)
class Match:
    """The member a printed name names (None: nobody, or not one for certain) and the parse."""

    person_id: int | None
    printed: PrintedName


def _fold(text: str) -> str:
    """Case, Danish letters and accents folded: "Møller" and "MOELLER" are the same."""
    text = text.casefold()
    for danish, plain in (("æ", "ae"), ("ø", "oe"), ("å", "aa"), ("ä", "ae"), ("ö", "oe")):
        text = text.replace(danish, plain)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _tokens(name: str) -> list[str]:
    """The name's words, folded; "B." and "B" are the initial "b"."""
    return [t for t in re.split(r"[^0-9a-z]+", _fold(name)) if t]


def _clean(text: str) -> str:
    return " ".join(text.split()).strip(" ,;:.–-")


def _strip_party(text: str) -> tuple[str, str]:
    """The text without "(A)" groups, and the first party letters found (upper case)."""
    found = _PARTY.search(text)
    party = found.group(1).upper() if found else ""
    return _clean(_PARTY.sub(" ", text)), party


def _strip_title(text: str) -> tuple[str, Role | None, bool]:
    """The text without a leading or trailing title word; the title; whether one was found."""
    words = text.replace(",", " , ").split()
    title: Role | None = None
    found = False
    while words and _fold(words[0]) in _TITLES:
        title = title or _TITLES[_fold(words[0])]
        words, found = words[1:], True
    while words and (_fold(words[-1]) in _TITLES or words[-1] in {",", "-", "–"}):
        if words[-1] not in {",", "-", "–"}:
            title = title or _TITLES[_fold(words[-1])]
            found = True
        words = words[:-1]
    return _clean(" ".join(words).replace(" , ", ", ")), title, found


def _person(text: str) -> tuple[str, str, Role | None]:
    """A name with its party and title taken off; "JENSEN, Britt" turned around."""
    if text.count("(") > text.count(")"):
        text += ")"  # "… for Brian Møller (A" when the closing parenthesis ended a clause
    name, party = _strip_party(text)
    name, title, _ = _strip_title(name)
    if "," in name:
        surname, _, given = name.partition(",")
        name = _clean(f"{given} {surname}")
    return name, party, title


def _whom(text: str) -> str:
    """The member a suppleant stands in for, party letters off; title words are kept (the
    name may end in one: ``match_name`` tries it with and without)."""
    if text.count("(") > text.count(")"):
        text += ")"
    return _strip_party(text)[0]


def parse_printed(text: str) -> PrintedName:
    """Take a printed member apart; see the module's docstring for the forms understood."""
    text = _clean(text)
    first = _SUBSTITUTE_FIRST.match(text)
    if first:
        member = _whom(first.group("member"))
        name, party, title = _person(first.group("name") or "")
        if not party:
            party = _strip_party(first.group("member"))[1]
        return PrintedName(name, party, title, substitute=True, substitute_for=member)
    after = _SUBSTITUTE_AFTER.match(text)
    if after and _clean(after.group("name")):
        name, party, title = _person(after.group("name"))
        member = _whom(after.group("member")) if after.group("member") else ""
        return PrintedName(name, party, title, substitute=True, substitute_for=member)
    name, party, title = _person(text)
    return PrintedName(name, party, title)


def _initial_fit(printed: list[str], member: list[str]) -> bool:
    """Same surname; each given name printed is the member's (in order), written out or as its
    initial; the first given name is printed."""
    if len(printed) < 2 or len(member) < 2 or printed[-1] != member[-1]:
        return False
    given, theirs = printed[:-1], member[:-1]
    if not _word_fits(given[0], theirs[0]):
        return False
    position = 1
    for word in given[1:]:
        while position < len(theirs) and not _word_fits(word, theirs[position]):
            position += 1
        if position == len(theirs):
            return False
        position += 1
    return True


def _word_fits(printed: str, member: str) -> bool:
    return printed == member or (len(printed) == 1 and member.startswith(printed))


def find_member(name: str, party: str, roster: Sequence[RosterName]) -> int | None:
    """The one roster member ``name`` (already parsed) names, or None."""
    printed = _tokens(name)
    if not printed:
        return None
    party = party.upper()
    eligible = [m for m in roster if not (party and m.party and m.party.upper() != party)]
    exact = [m for m in eligible if _tokens(m.name) == printed]
    if exact:
        return exact[0].person_id if len(exact) == 1 else None
    close = [m for m in eligible if _initial_fit(printed, _tokens(m.name))]
    return close[0].person_id if len(close) == 1 else None


def match_name(text: str, roster: Sequence[RosterName], party: str = "") -> Match:
    """Parse ``text`` and find the roster member it names. ``party`` is a party already read
    from the document beside the name (used when the text itself carries none)."""
    printed = parse_printed(text)
    if party and not printed.party:
        printed = PrintedName(
            printed.name,
            party.upper(),
            printed.title,
            printed.substitute,
            printed.substitute_for,
        )
    found = find_member(printed.name, printed.party, roster)
    if found is None and not printed.substitute:
        # A surname that is a title word ("Mads Medlem"): fewer title words taken off.
        words = _strip_party(text)[0].split()
        for variant in (words, words[1:], words[:-1]):
            candidate = " ".join(variant).strip(" ,")
            if found is None and candidate and candidate != printed.name:
                found = find_member(candidate, printed.party, roster)
    return Match(found, printed)


def same_person(a: str, b: str) -> bool:
    """Whether two names are the same name (case, spacing, æ/ae and punctuation aside)."""
    return _tokens(a) == _tokens(b) and bool(_tokens(a))
