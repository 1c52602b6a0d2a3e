"""A plan written as a document, not a table: its title, numbered goals and their tiltag.

A genopretningsplan or handleplan is often prose ("Genopretningsplan 2023-2025 … Planen
indeholder tre overordnede indsatsområder med tilhørende konkrete tiltag"): a title naming the
plan's kind, numbered headings for the goals ("1. Sikker drift og høj faglig kvalitet i
myndighedsafdelingen", "MÅL 2: …"), and under each goal either short headings for its tiltag
("Sikker drift", "Høj faglig kvalitet i sagsbehandlingen"), each followed by its paragraphs, or
paragraphs only (then the goal is followed up as one tiltag of its own). A paragraph that starts
"Formålet" is the tiltag's formål; the others are its aktiviteter. A follow-up the introduction
names ("… vil der månedligt blive fulgt med i implementeringen") becomes the plan's schedule.

Pure: lines in, ``PlanImport`` out, or None when the text does not read as a plan (no title
naming a plan, or no numbered goal), so a referat sent as text is never taken for a plan.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from agendas.plans import MAX_INDSATS_TITLE, GoalKind, PlanKind, fold
from agendas.status.plan_rows import (
    GOAL_ROW,
    MAX_CELL,
    MAX_GOAL_TITLE,
    ImportedGoal,
    ImportedIndsats,
    PlanImport,
)

#: The title must come within the first lines.
TITLE_SEARCH_LINES = 8
KIND_WORDS: dict[str, PlanKind] = {
    "handleplan": PlanKind.HANDLEPLAN,
    "handlingsplan": PlanKind.HANDLEPLAN,
    "virksomhedsplan": PlanKind.VIRKSOMHEDSPLAN,
    "genopretningsplan": PlanKind.GENOPRETNINGSPLAN,
}
_KIND = re.compile(r"\b(" + "|".join(KIND_WORDS) + r")")
#: "1. Sikker drift og høj faglig kvalitet" (no full stop: a sentence is no heading).
_NUMBERED = re.compile(r"^(?P<number>\d{1,2})[.)]\s+(?P<title>\S.{2,200}?)\*?$")
_BULLET = re.compile(r"^[-•*–]\s")
#: A tiltag's heading: a short line without a full stop, followed by a paragraph.
SUBHEADING_WORDS = 10
PARAGRAPH_CHARS = 60
FOLLOW_UPS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bmanedlig(?:t|e)?\b|\bhver maned\b"), "månedlig"),
    (re.compile(r"\bkvartalsvis(?:t|e)?\b|\bhvert kvartal\b"), "kvartalsvis"),
)


@dataclass(slots=True)
class _Part:
    """A goal or a tiltag as read: its heading and the paragraphs under it."""

    title: str
    number: str = ""
    kind: GoalKind | None = None
    paragraphs: list[str] = field(default_factory=list)
    parts: list[_Part] = field(default_factory=list)
    row: int = 0


def parse_plan_text(lines: Sequence[str]) -> PlanImport | None:
    text = [" ".join(line.split()) for line in lines]
    found = _title(text)
    if found is None:
        return None
    title_row, title, kind = found
    goals: list[_Part] = []
    intro: list[str] = []
    for index in range(title_row + 1, len(text)):
        line = text[index]
        if not line or _BULLET.match(line):
            continue
        goal = _goal_heading(line, index + 1)
        if goal is not None:
            goals.append(goal)
        elif not goals:
            intro.append(line)
        elif _is_subheading(line, text[index + 1 :]):
            goals[-1].parts.append(_Part(line[:MAX_INDSATS_TITLE], row=index + 1))
        elif goals[-1].parts:
            goals[-1].parts[-1].paragraphs.append(line)
        else:
            goals[-1].paragraphs.append(line)
    if not goals:
        return None
    default_kind = (
        GoalKind.INDSATSOMRAADE if "indsatsomrade" in fold(" ".join(text)) else GoalKind.MAAL
    )
    return _plan(title, kind, goals, default_kind, _follow_up(" ".join(intro)))


def _title(text: Sequence[str]) -> tuple[int, str, PlanKind] | None:
    seen = 0
    for index, line in enumerate(text):
        if not line:
            continue
        seen += 1
        if seen > TITLE_SEARCH_LINES:
            return None
        found = _KIND.search(fold(line))
        if found and len(line) <= 200:
            return index, line, KIND_WORDS[found[1]]
    return None


def _goal_heading(line: str, row: int) -> _Part | None:
    if line.endswith(".") and not line.endswith("..."):
        return None
    numbered = _NUMBERED.match(line)
    if numbered:
        return _Part(_clean_title(numbered["title"]), numbered["number"], None, row=row)
    named = GOAL_ROW.match(line)
    if named:
        word = fold(named["word"])
        kind = GoalKind.MAAL if word.startswith("ma") else GoalKind.INDSATSOMRAADE
        return _Part(_clean_title(named["title"]), named["number"] or "", kind, row=row)
    return None


def _clean_title(text: str) -> str:
    value = text.strip(" *:.-–")[:MAX_GOAL_TITLE]
    letters = [ch for ch in value if ch.isalpha()]
    if letters and all(ch.isupper() for ch in letters):
        value = value[:1] + value[1:].lower()
    return value


def _is_subheading(line: str, after: Sequence[str]) -> bool:
    if line.endswith((".", ":", ";", ",")) or len(line.split()) > SUBHEADING_WORDS:
        return False
    if not line[:1].isupper():
        return False
    following = next((candidate for candidate in after if candidate), "")
    return len(following) >= PARAGRAPH_CHARS


def _follow_up(intro: str) -> str:
    folded = fold(intro)
    return next((rule for pattern, rule in FOLLOW_UPS if pattern.search(folded)), "")


def _split(paragraphs: Sequence[str]) -> tuple[str, str]:
    """(formål, aktiviteter): the paragraph on the purpose, and the rest."""
    formaal = [p for p in paragraphs if fold(p).startswith("formal")]
    rest = [p for p in paragraphs if p not in formaal]
    return "\n".join(formaal)[:MAX_CELL], "\n".join(rest)[:MAX_CELL]


def _plan(
    title: str, kind: PlanKind, goals: list[_Part], default_kind: GoalKind, follow_up: str
) -> PlanImport:
    imported_goals: list[ImportedGoal] = []
    indsatser: list[ImportedIndsats] = []
    for index, goal in enumerate(goals):
        description = "\n".join(goal.paragraphs)[:MAX_CELL] if goal.parts else ""
        imported_goals.append(
            ImportedGoal(goal.title, goal.number, goal.kind or default_kind, description, goal.row)
        )
        tiltag = goal.parts or [_Part(goal.title[:MAX_INDSATS_TITLE], paragraphs=goal.paragraphs)]
        for part in tiltag:
            formaal, aktiviteter = _split(part.paragraphs)
            indsatser.append(
                ImportedIndsats(
                    row=part.row or goal.row,
                    title=part.title,
                    formaal=formaal,
                    aktiviteter=aktiviteter,
                    goal=index,
                )
            )
    return PlanImport(
        indsatser=tuple(indsatser),
        without_tovholder=tuple(i.row for i in indsatser),
        goals=tuple(imported_goals),
        title=title,
        kind=kind.value,
        follow_up=follow_up,
    )
