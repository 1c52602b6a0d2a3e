"""The outbox rows of a status round: one prompt per indsats, stable keys, reminders only to the
missing, and the secretary's list of missing answers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from agendas.chatviews import Translate
from agendas.outbox import OutboxKind
from agendas.plans import Handleplan, Indsats, PreviousStatus, StatusColour, StatusRound
from agendas.status.prompts import (
    Recipient,
    missing_key,
    missing_notices,
    prompt_key,
    round_prompts,
    round_reminders,
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
INDSATSER = [
    Indsats(
        5,
        "Fællesspisning",
        formaal="12 arrangementer",
        tovholder="Lokalcenter Nord",
        tovholder_person_id=101,
        id=1,
    ),
    Indsats(5, "Besøgsvenner", tovholder="Frivilligcentret", tovholder_person_id=102, id=2),
    Indsats(5, "Telefonkæde", tovholder="Visitationen", tovholder_person_id=101, id=3),
    Indsats(5, "Digital café", tovholder="Borgerservice", id=4),  # nobody invited yet
]
RECIPIENTS = {101: Recipient(101, 9001, "da"), 102: Recipient(102, 9002, "en")}


def test_one_prompt_per_indsats_to_its_tovholder_not_before_the_opening() -> None:
    previous = {
        2: PreviousStatus(
            StatusColour.GUL, "Mangler frivillige", datetime(2025, 2, 4, tzinfo=UTC), 1
        )
    }
    messages, unreachable = round_prompts(PLAN, ROUND, INDSATSER, previous, RECIPIENTS, TRANSLATE)
    assert [(m.key, m.chat_id) for m in messages] == [
        ("status:r9:i1:prompt", 9001),
        ("status:r9:i2:prompt", 9002),
        ("status:r9:i3:prompt", 9001),
    ]
    assert [i.title for i in unreachable] == ["Digital café"]
    assert all(m.not_before == OPENS and m.udvalg_id == 1 for m in messages)
    first, second = messages[0].payload, messages[1].payload
    assert "[da:status-prompt-first]" in first["text"]
    assert "12 arrangementer" in first["text"]
    # Without a previous answer there is no "ingen ændring"; with one there is.
    targets = [[b["target"] for b in row] for row in first["buttons"]]
    assert targets == [["status:groen", "status:gul", "status:roed"]]
    targets = [[b["target"] for b in row] for row in second["buttons"]]
    assert targets == [["status:groen", "status:gul", "status:roed"], ["status:same"]]
    assert "Mangler frivillige" in second["text"] and "[en:status-prompt-last]" in second["text"]
    assert {b["id"] for row in second["buttons"] for b in row} == {2}
    assert {b["version"] for row in second["buttons"] for b in row} == {9}  # the round


def test_keys_are_stable_so_a_second_firing_stores_nothing_new() -> None:
    once, _ = round_prompts(PLAN, ROUND, INDSATSER, {}, RECIPIENTS, TRANSLATE)
    twice, _ = round_prompts(PLAN, ROUND, INDSATSER, {}, RECIPIENTS, TRANSLATE)
    assert [m.key for m in once] == [m.key for m in twice]
    assert len({m.key for m in once}) == len(once)
    assert prompt_key(9, 1) != prompt_key(10, 1)


def test_reminders_go_only_to_the_missing_and_each_number_has_its_own_key() -> None:
    now = datetime(2025, 3, 6, 8, 0, tzinfo=UTC)
    first = round_reminders(PLAN, ROUND, 1, INDSATSER[1:], RECIPIENTS, TRANSLATE, now)
    second = round_reminders(PLAN, ROUND, 2, INDSATSER[1:2], RECIPIENTS, TRANSLATE, now)
    assert [m.key for m in first] == ["status:r9:i2:remind:1", "status:r9:i3:remind:1"]
    assert [m.key for m in second] == ["status:r9:i2:remind:2"]
    assert all(m.kind is OutboxKind.REMINDER for m in first)


def test_the_secretary_gets_the_missing_list_after_the_deadline() -> None:
    secretary = Recipient(1, 7001, "da")
    now = DEADLINE
    messages = missing_notices(PLAN, ROUND, INDSATSER[2:], [secretary], TRANSLATE, now)
    assert [m.key for m in messages] == [missing_key(9, 1)]
    text = messages[0].payload["text"]
    assert "count=2" in text
    assert "• Telefonkæde (Visitationen)" in text and "• Digital café (Borgerservice)" in text
    assert messages[0].kind is OutboxKind.DEADLINE
    none = missing_notices(PLAN, ROUND, [], [secretary], TRANSLATE, now)
    assert "[da:status-missing-none]" in none[0].payload["text"]
