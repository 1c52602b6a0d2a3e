"""The Beslutning section of an imported punkt: vote counts, inhabilitet and
protokolbemærkninger read into a ``PunktRecord`` (used by ``agendas.documents.recognise``).
"""

from __future__ import annotations

import re

from agendas.protocol import (
    MemberRef,
    PunktRecord,
    QuorumNote,
    Remark,
    Votes,
    quorum_line,
    votes_sentences,
)

#: "Navn (A)" or "Navn (A), formand": a member with the party letter, and what follows.
MEMBER_RE = re.compile(r"^(?P<name>[^()]+?)\s*\((?P<party>[^()]{1,12})\)\s*(?:,\s*(?P<rest>.*))?$")

_INHABIL = re.compile(
    r"^(?P<who>.+?)\s+deltog\s+ikke\s+i\s+behandlingen\s+af\s+(?:punktet|sagen)"
    r"\s+på\s+grund\s+af\s+inhabilitet\.?$",
    re.IGNORECASE,
)

_REMARK = re.compile(
    r"^(?P<who>.+?)\s+ønsker\s+følgende\s+tilført\s+protokollen\s*:\s*[\"“”](?P<text>.*)[\"“”]\.?$",
    re.IGNORECASE,
)

_VOTES_TAIL = re.compile(r"^(?P<head>.*?)\s*\bmed\s+(?P<votes>\d+\s+(?:stemme|undlod).*?)\.?$")

_VOTE_SIDE = re.compile(
    r"(\d+)\s+(stemmer?\s+for|stemmer?\s+imod|undlod\s+at\s+stemme)(?:\s*\(([^)]*)\))?"
)

_LETTERS = r"[^\s().,]{1,3}"
#: "C undlod at stemme.", "C og Ø undlod …", "1 medlem undlod …", "2 medlemmer (C) undlod …".
_ABSTAINED = re.compile(
    r"(?:^|(?<=\.)\s+)(?:(?P<count>\d+)\s+medlem(?:mer)?(?:\s*\((?P<parties>[^()]*)\))?"
    rf"|(?P<letters>{_LETTERS}(?:(?:,\s*|\s+og\s+){_LETTERS})*))\s+undlod\s+at\s+stemme\.$"
)

_QUORUM = re.compile(
    r"^Udvalget\s+var\s+ikke\s+beslutningsdygtigt\s+ved\s+behandlingen\s+af\s+punktet\s*"
    r"\((?P<present>\d+)\s+af\s+(?P<seats>\d+)\s+medlemmer\s+til\s+stede\)\.?$"
)


def member_ref(text: str) -> MemberRef:
    match = MEMBER_RE.match(text.strip())
    if match and not match["rest"]:
        return MemberRef(match["name"].strip(), match["party"].strip())
    return MemberRef(text.strip())


def party_list(text: str | None) -> tuple[str, ...]:
    if not text:
        return ()
    return tuple(p.strip() for p in text.split(",") if p.strip())


def _sides(text: str) -> dict[str, tuple[int, tuple[str, ...]]] | None:
    counts: dict[str, tuple[int, tuple[str, ...]]] = {}
    for number, side, parties in _VOTE_SIDE.findall(text):
        name = "for" if side.endswith("for") else "imod" if side.endswith("imod") else "undlader"
        if name in counts:
            return None
        counts[name] = (int(number), party_list(parties))
    return counts


def _votes(counts: dict[str, tuple[int, tuple[str, ...]]]) -> Votes:
    return Votes(
        for_count=counts.get("for", (0, ()))[0],
        for_parties=counts.get("for", (0, ()))[1],
        imod_count=counts.get("imod", (0, ()))[0],
        imod_parties=counts.get("imod", (0, ()))[1],
        undlader_count=counts.get("undlader", (0, ()))[0],
        undlader_parties=counts.get("undlader", (0, ()))[1],
    )


def _legacy_votes(text: str) -> tuple[str, Votes] | None:
    """The wording before issue 12: "… og 2 undlod at stemme (Ø, F)." in the one sentence."""
    match = _VOTES_TAIL.match(text)
    counts = _sides(match["votes"]) if match else None
    if not match or not counts:
        return None
    votes, head = _votes(counts), match["head"].strip()
    sides = [
        f"{count} {word if count == 1 else plural}" + (f" ({', '.join(parts)})" if parts else "")
        for count, parts, word, plural in (
            (votes.for_count, votes.for_parties, "stemme for", "stemmer for"),
            (votes.imod_count, votes.imod_parties, "stemme imod", "stemmer imod"),
            (votes.undlader_count, votes.undlader_parties, "undlod at stemme", "undlod at stemme"),
        )
        if count
    ]
    legacy = ", ".join(sides[:-1]) + " og " + sides[-1] if len(sides) > 1 else "".join(sides)
    if not head or not votes or f"{head} med {legacy}" != text.rstrip("."):
        return None
    return head, votes


def read_votes(text: str) -> tuple[str, Votes] | None:
    """``"Anbefales med 3 stemmer for (A, V) og 1 stemme imod (Ø). C undlod at stemme."`` ->
    the phrase and the votes.

    Only accepted when writing the votes back gives the same words, so no text is lost; the
    older one-sentence wording ("… og 1 undlod at stemme (C).") is read too.
    """
    main = text
    undlader: tuple[int, tuple[str, ...]] = (0, ())
    abstained = _ABSTAINED.search(text)
    if abstained:
        main = text[: abstained.start()].strip()
        if abstained["letters"]:
            letters = tuple(re.split(r",\s*|\s+og\s+", abstained["letters"]))
            undlader = (len(letters), letters)
        else:
            undlader = (int(abstained["count"]), party_list(abstained["parties"]))
    match = _VOTES_TAIL.match(main)
    if match:
        head, counts = match["head"].strip(), _sides(match["votes"])
    elif bare := _sides(main):  # no phrase: "3 stemmer for (A, V)."
        head, counts = "", bare
    else:
        head, counts = main.strip().removesuffix("."), {}
    if counts is None or "undlader" in counts:
        return _legacy_votes(text)
    if undlader[0]:
        counts["undlader"] = undlader
    votes = _votes(counts)
    if not votes or votes_sentences(head, votes) != text:
        return _legacy_votes(text)
    return head, votes


def read_record(lines: list[str]) -> PunktRecord:
    record = PunktRecord()
    decision: list[str] = []
    for text in lines:
        if m := _INHABIL.match(text):
            record.inhabile.append(member_ref(m["who"]))
        elif m := _REMARK.match(text):
            record.remarks.append(Remark(member_ref(m["who"]), m["text"]))
        elif (m := _QUORUM.match(text)) and record.quorum is None:
            note = QuorumNote(int(m["present"]), int(m["seats"]))
            if quorum_line(note) == text:
                record.quorum = note
            else:
                decision.append(text)
        else:
            decision.append(text)
    joined = "\n".join(decision)
    parsed = read_votes(joined) if len(decision) == 1 else None
    if parsed is not None:
        record.beslutning, record.votes = parsed
    else:
        record.beslutning = joined
    return record
