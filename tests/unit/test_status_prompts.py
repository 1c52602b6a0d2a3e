"""The messages of a status round as pure functions: one prompt per person listing their
indsatser under their goals with the progress, one indsats to answer, reminders naming only
what is missing, the secretary's list of missing answers, and when a prompt waits for someone
away."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

from agendas.chatviews import Translate
from agendas.outbox import OutboxKind
from agendas.plans import (
    Absence,
    Handleplan,
    Indsats,
    IndsatsOwner,
    PlanGoal,
    PlanKind,
    PreviousStatus,
    StatusAnswer,
    StatusColour,
    StatusRound,
)
from agendas.status.prompts import (
    ListItem,
    Recipient,
    back_from,
    indsats_prompt,
    missing_key,
    missing_notices,
    person_prompt,
    person_reminder,
    prompt_key,
    prompt_message,
)

OPENS = datetime(2025, 3, 3, 8, 0, tzinfo=UTC)
DEADLINE = datetime(2025, 3, 10, 15, 0, tzinfo=UTC)


def translate(language: str) -> Translate:
    def t(key: str, /, **params: object) -> str:
        return f"[{language}:{key}]" + " ".join(f"{k}={v}" for k, v in sorted(params.items()))

    return t


TRANSLATE: Callable[[str], Translate] = translate
PLAN = Handleplan(udvalg_id=1, title="Handleplan for ensomhed", id=5)
ROUND = StatusRound(plan_id=5, number=2, opens_at=OPENS, deadline=DEADLINE, id=9)
GOAL = PlanGoal(5, "Mestring af eget liv", "1", id=70)


def owner(name: str, person: int | None) -> IndsatsOwner:
    return IndsatsOwner(name, person)


INDSATSER = [
    Indsats(
        5,
        "Fællesspisning",
        formaal="12 arrangementer",
        goal_id=70,
        owners=[owner("Lokalcenter Nord", 101)],
        id=1,
    ),
    Indsats(5, "Besøgsvenner", goal_id=70, owners=[owner("Frivilligcentret", 102)], id=2),
    Indsats(5, "Telefonkæde", owners=[owner("Visitationen", 101)], tovholder="Visitationen", id=3),
    Indsats(5, "Digital café", tovholder="Borgerservice", id=4),  # nobody invited yet
]


def test_one_prompt_lists_a_persons_indsatser_under_their_goals_with_the_progress() -> None:
    answered = StatusAnswer(9, 3, StatusColour.GUL, "Mangler frivillige", OPENS, answered_by=102)
    items = [ListItem(INDSATSER[0]), ListItem(INDSATSER[2], answered, "Bo Berg")]
    message = person_prompt(PLAN, ROUND, {70: GOAL}, items, TRANSLATE("da"))
    assert "[da:status-list-progress]done=1 total=2" in message.text
    assert "<b>Mål 1: Mestring af eget liv</b>" in message.text
    assert "⬜ Fællesspisning" in message.text
    assert "🟡 Telefonkæde [da:status-list-by]name=Bo Berg" in message.text
    labels = [[b.label for b in row] for row in message.buttons]
    assert labels == [["⬜ Fællesspisning"], ["🟡 Telefonkæde"], ["[da:status-btn-away]"]]
    targets = {b.target for row in message.buttons for b in row}
    assert targets == {"status:answer", "status:away"}
    assert {b.version for row in message.buttons for b in row} == {9}  # the round

    queued = prompt_message(PLAN, ROUND, Recipient(101, 9001, "da"), message, OPENS)
    assert queued.key == prompt_key(9, 101) == "status:r9:p101:prompt"
    assert queued.kind is OutboxKind.REMINDER and queued.udvalg_id == 1


def test_the_plans_kind_is_named_unless_its_title_says_it() -> None:
    assert PLAN.named == "Handleplan for ensomhed"
    other = Handleplan(udvalg_id=1, title="Ældre 2026", kind=PlanKind.VIRKSOMHEDSPLAN)
    assert other.named == "Ældre 2026 (virksomhedsplan)"


def test_one_indsats_shows_its_goal_and_offers_ingen_aendring_only_with_a_previous_answer() -> None:
    first = indsats_prompt(PLAN, INDSATSER[0], ROUND, None, TRANSLATE("da"), GOAL)
    assert "[da:status-prompt-under-goal]goal=Mål 1: Mestring af eget liv" in first.text
    assert "12 arrangementer" in first.text
    # Round 2 without an earlier answer is not "the first round".
    assert "[da:status-prompt-no-previous]" in first.text and "prompt-first" not in first.text
    assert [[b.target for b in row] for row in first.buttons] == [
        ["status:groen", "status:gul", "status:roed"]
    ]
    previous = PreviousStatus(StatusColour.GUL, "Mangler frivillige", OPENS, 1)
    second = indsats_prompt(PLAN, INDSATSER[1], ROUND, previous, TRANSLATE("en"))
    assert "Mangler frivillige" in second.text and "[en:status-prompt-last]" in second.text
    assert [[b.target for b in row] for row in second.buttons][1] == ["status:same"]
    one = StatusRound(plan_id=5, number=1, opens_at=OPENS, deadline=DEADLINE, id=8)
    assert (
        "[da:status-prompt-first]"
        in indsats_prompt(PLAN, INDSATSER[1], one, None, TRANSLATE("da")).text
    )
    early = indsats_prompt(PLAN, INDSATSER[1], None, None, TRANSLATE("da"))
    assert "[da:status-early-head]" in early.text
    assert {b.version for row in early.buttons for b in row} == {0}


def test_a_reminder_names_only_what_is_missing_and_each_number_has_its_own_key() -> None:
    now = datetime(2025, 3, 6, 8, 0, tzinfo=UTC)
    recipient = Recipient(101, 9001, "da")
    first = person_reminder(PLAN, ROUND, 1, recipient, INDSATSER[2:3], TRANSLATE("da"), now)
    second = person_reminder(
        PLAN, ROUND, 2, recipient, INDSATSER[:1] + INDSATSER[2:3], TRANSLATE("da"), now
    )
    assert first.key == "status:r9:p101:remind:1" and second.key == "status:r9:p101:remind:2"
    assert "[da:status-reminder-one]" in first.payload["text"]
    assert (
        "• Telefonkæde" in first.payload["text"] and "Fællesspisning" not in first.payload["text"]
    )
    assert (
        "[da:status-reminder-other]" in second.payload["text"]
        and "count=2" in second.payload["text"]
    )


def test_a_prompt_waits_until_the_morning_after_an_absence() -> None:
    away = Absence(101, date(2025, 3, 1), date(2025, 3, 4))
    assert back_from(None, OPENS) == OPENS
    assert back_from(away, OPENS) == datetime(2025, 3, 5, 7, 0, tzinfo=UTC)  # 08.00 in Copenhagen
    later = Absence(101, date(2025, 3, 5), date(2025, 3, 8))
    assert back_from(later, OPENS) == OPENS  # the holiday starts after the opening


def test_the_secretary_gets_the_missing_list_after_the_deadline_with_who_is_away() -> None:
    secretary = Recipient(1, 7001, "da")
    messages = missing_notices(
        PLAN, ROUND, INDSATSER[2:], [secretary], TRANSLATE, DEADLINE, {3: date(2025, 3, 20)}
    )
    assert [m.key for m in messages] == [missing_key(9, 1)]
    text = messages[0].payload["text"]
    assert "count=2" in text
    assert "• Telefonkæde (Visitationen) [da:status-away-until]date=20-03-2025" in text
    assert "• Digital café (Borgerservice)" in text
    assert messages[0].kind is OutboxKind.DEADLINE
    none = missing_notices(PLAN, ROUND, [], [secretary], TRANSLATE, DEADLINE)
    assert "[da:status-missing-none]" in none[0].payload["text"]
