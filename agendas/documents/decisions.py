"""The Beslutning section of an imported punkt: vote counts, inhabilitet and
protokolbemærkninger read into a ``PunktRecord`` (used by ``agendas.documents.recognise``).
"""

from __future__ import annotations

import re

from agendas.protocol import MemberRef, PunktRecord, Remark, Votes, format_votes

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


def member_ref(text: str) -> MemberRef:
    match = MEMBER_RE.match(text.strip())
    if match and not match["rest"]:
        return MemberRef(match["name"].strip(), match["party"].strip())
    return MemberRef(text.strip())


def party_list(text: str | None) -> tuple[str, ...]:
    if not text:
        return ()
    return tuple(p.strip() for p in text.split(",") if p.strip())


def read_votes(text: str) -> tuple[str, Votes] | None:
    """``"Anbefales med 3 stemmer for (A, V) og 1 stemme imod (Ø)."`` -> phrase and votes.

    Only accepted when writing the votes back gives the same words, so no text is lost.
    """
    match = _VOTES_TAIL.match(text)
    if not match:
        return None
    counts: dict[str, tuple[int, tuple[str, ...]]] = {}
    for number, side, parties in _VOTE_SIDE.findall(match["votes"]):
        name = "for" if side.endswith("for") else "imod" if side.endswith("imod") else "undlader"
        if name in counts:
            return None
        counts[name] = (int(number), party_list(parties))
    votes = Votes(
        for_count=counts.get("for", (0, ()))[0],
        for_parties=counts.get("for", (0, ()))[1],
        imod_count=counts.get("imod", (0, ()))[0],
        imod_parties=counts.get("imod", (0, ()))[1],
        undlader_count=counts.get("undlader", (0, ()))[0],
        undlader_parties=counts.get("undlader", (0, ()))[1],
    )
    if not votes or format_votes(votes) != match["votes"].rstrip("."):
        return None
    head = match["head"].strip()
    if not head:
        return None
    return head, votes


def read_record(lines: list[str]) -> PunktRecord:
    record = PunktRecord()
    decision: list[str] = []
    for text in lines:
        if m := _INHABIL.match(text):
            record.inhabile.append(member_ref(m["who"]))
        elif m := _REMARK.match(text):
            record.remarks.append(Remark(member_ref(m["who"]), m["text"]))
        else:
            decision.append(text)
    joined = "\n".join(decision)
    parsed = read_votes(joined) if len(decision) == 1 else None
    if parsed is not None:
        record.beslutning, record.votes = parsed
    else:
        record.beslutning = joined
    return record
