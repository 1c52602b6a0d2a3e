"""Who answers, through the real dispatcher: "Ferie til 3/8" (typed, /ferie, the button) holds
prompts and reminders back and shows in the overview; a status before the round opens becomes
the round's answer; a red answer reaches the secretary (and the formand, when chosen) at once;
an indsats shared by two tovholdere; a hand-over; units matched tolerantly and given a contact
person. Every bad input gets a short Danish message and stores nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from storage.uow import SqlUnitOfWork
from tests.handlers.conftest import MEMBER, OUTSIDER, SECRETARY, TOVHOLDER
from tests.handlers.status_world import (
    BO,
    FORMAND,
    day_month,
    deliver,
    edits,
    import_plan,
    join,
    only,
    prompts,
    rows,
    to,
)
from tests.support.clock import FrozenClock
from tests.support.recording import ChatHarness

SHARED = (
    "Indsats;Tovholder\n"
    "Fællesspisning;Tove Holder, Bo Berg\n"
    "Besøgsvenner;Bo Berg\n"
    "Telefonkæde;Tove Holder\n"
).encode()


async def test_ferie_typed_in_the_chat_holds_the_prompt_back_and_shows_in_the_overview(
    beu_committee: ChatHarness,
    uow_factory: Callable[[], SqlUnitOfWork],
    database_url: str,
    clock: FrozenClock,
) -> None:
    chat = beu_committee
    [past] = only(await chat.send(TOVHOLDER, f"Ferie til {day_month(clock, -3)}"))
    assert "allerede passeret" in (past.text or "") and "Intet er gemt" in (past.text or "")
    [nonsense] = only(await chat.send(TOVHOLDER, "Ferie til 31/2"))
    assert "findes ikke" in (nonsense.text or "")
    [member] = only(await chat.send(MEMBER, f"Ferie til {day_month(clock, 5)}"))
    assert "ikke tovholder" in (member.text or "")
    assert await rows(uow_factory, "SELECT COUNT(*) FROM status_absence") == [(0,)]

    [stored] = only(await chat.send(TOVHOLDER, f"Ferie til {day_month(clock, 20)}"))
    assert "God ferie" in (stored.text or "")
    plan_id = await import_plan(chat, SHARED)
    [opened] = only(await chat.send(SECRETARY, f"/statusrunde {plan_id}"))
    assert "på ferie hele runden" in (opened.text or "")  # back after the deadline
    assert prompts(await deliver(chat, database_url, clock), TOVHOLDER) == []

    calls = await chat.send(SECRETARY, "/statusoverblik")
    [overview] = only(calls)
    assert "Telefonkæde (Tove Holder) – på ferie til" in (overview.text or "")

    [back] = only(await chat.send(TOVHOLDER, "Ferie slut"))
    assert "Velkommen tilbage" in (back.text or "")
    [coming] = only(await chat.send(TOVHOLDER, "/status"))
    assert "på vej" in (coming.text or "")  # the prompt it never got is queued now
    [prompt] = prompts(await deliver(chat, database_url, clock), TOVHOLDER)
    assert "0 af 2 besvaret" in (prompt.text or "")


async def test_the_ferie_button_offers_dates_and_a_short_absence_delays_the_prompt(
    beu_committee: ChatHarness, database_url: str, clock: FrozenClock
) -> None:
    chat = beu_committee
    plan_id = await import_plan(chat, SHARED)
    [ask] = only(await chat.send(TOVHOLDER, "/ferie"))
    pick = ask.buttons()[0]
    assert pick[0].startswith("Til og med")
    [stored] = only(await chat.press(TOVHOLDER, ask, pick[1]))
    assert "registreret som væk" in (stored.text or "")
    await chat.send(TOVHOLDER, "ferie slut")
    # Away for two days: the round opens, the prompt waits until the morning after.
    only(await chat.send(TOVHOLDER, f"Jeg er på ferie til {day_month(clock, 1)}"))
    only(await chat.send(SECRETARY, f"/statusrunde {plan_id}"))
    assert prompts(await deliver(chat, database_url, clock), TOVHOLDER) == []
    clock.advance(timedelta(days=2))
    [prompt] = prompts(await deliver(chat, database_url, clock), TOVHOLDER)
    assert "Fællesspisning" in (prompt.text or "")


async def test_a_status_before_the_round_becomes_its_answer_marked_as_early(
    beu_committee: ChatHarness,
    uow_factory: Callable[[], SqlUnitOfWork],
    database_url: str,
    clock: FrozenClock,
) -> None:
    chat = beu_committee
    plan_id = await import_plan(chat, SHARED)
    [offer] = only(await chat.send(TOVHOLDER, "/status"))
    assert "på forhånd" in (offer.text or "")
    [detail] = only(await chat.press(TOVHOLDER, offer, offer.button("Telefonkæde")))
    assert "før runden åbner" in (detail.text or "")
    only(await chat.press(TOVHOLDER, detail, detail.button("Grøn")))
    [attach] = only(await chat.send(TOVHOLDER, "Alle 60 får opkald"))
    [confirm] = only(await chat.press(TOVHOLDER, attach, attach.button("Spring over")))
    assert "næste runde" in (confirm.text or "")
    calls = only(await chat.press(TOVHOLDER, confirm, confirm.button("Indberet")))
    assert "bliver brugt, når næste runde åbner" in (calls[0].text or "")
    assert await rows(uow_factory, "SELECT COUNT(*) FROM status_early") == [(1,)]

    [opened] = only(await chat.send(SECRETARY, f"/statusrunde {plan_id}"))
    assert "1 svar givet før runden tæller med" in (opened.text or "")
    [prompt] = prompts(await deliver(chat, database_url, clock), TOVHOLDER)
    assert "1 af 2 besvaret" in (prompt.text or "")
    assert "🟢 Telefonkæde (givet før runden)" in (prompt.text or "")
    assert await rows(uow_factory, "SELECT early FROM status_answer") == [(1,)]
    assert await rows(uow_factory, "SELECT COUNT(*) FROM status_early") == [(0,)]


async def test_a_red_answer_reaches_the_secretary_at_once_and_the_formand_when_chosen(
    beu_committee: ChatHarness, database_url: str, clock: FrozenClock
) -> None:
    chat = beu_committee
    await join(chat, FORMAND, "formand A")
    [usage] = only(await chat.send(SECRETARY, "/roedstatus BEU maaske"))
    assert "/roedstatus KODE ja" in (usage.text or "")
    [setting] = only(await chat.send(SECRETARY, "/roedstatus BEU ja"))
    assert "sekretæren og formanden" in (setting.text or "")
    [refused] = only(await chat.send(TOVHOLDER, "/roedstatus BEU nej"))
    assert "Kun udvalgets sekretær" in (refused.text or "")

    plan_id = await import_plan(chat, SHARED)
    only(await chat.send(SECRETARY, f"/statusrunde {plan_id}"))
    [prompt] = prompts(await deliver(chat, database_url, clock), TOVHOLDER)
    [detail] = only(await chat.press(TOVHOLDER, prompt, prompt.button("Telefonkæde")))
    only(await chat.press(TOVHOLDER, detail, detail.button("Rød")))
    [attach] = only(await chat.send(TOVHOLDER, "Ingen frivillige siden marts"))
    [confirm] = only(await chat.press(TOVHOLDER, attach, attach.button("Spring over")))
    calls = await chat.press(TOVHOLDER, confirm, confirm.button("Indberet"))
    assert "besked om den røde status" in " ".join(ChatHarness.texts(only(calls)))

    delivered = await deliver(chat, database_url, clock)
    for user in (SECRETARY, FORMAND):
        [alert] = [c for c in to(delivered, user) if "Rød status" in (c.text or "")]
        assert "Ingen frivillige siden marts" in (alert.text or "")
        assert "Tove Holder" in (alert.text or "")
    [alert] = [c for c in to(delivered, FORMAND) if "Rød status" in (c.text or "")]
    [view] = only(await chat.press(FORMAND, alert, alert.button("Se indsatsen")))
    assert "Telefonkæde" in (view.text or "") and "Rød" in (view.text or "")
    calls = await chat.press(OUTSIDER, alert, alert.button("Se indsatsen"))
    [no] = only(calls, "answerCallbackQuery")
    assert no.show_alert and "Kun udvalgets sekretær og medlemmer" in (no.text or "")
    assert only(calls) == []

    [toggle] = only(await chat.send(SECRETARY, "/roedstatus BEU"))
    [off] = only(await chat.press(SECRETARY, toggle, toggle.button("Kun sekretæren")))
    assert "straks til sekretæren." in (off.text or "")


async def test_a_shared_indsats_shows_who_answered_and_a_hand_over_moves_it(
    beu_committee: ChatHarness, database_url: str, clock: FrozenClock
) -> None:
    chat = beu_committee
    await join(chat, BO, "tovholder")
    plan_id = await import_plan(chat, SHARED)
    only(await chat.send(SECRETARY, f"/statusrunde {plan_id}"))
    delivered = await deliver(chat, database_url, clock)
    [tove] = prompts(delivered, TOVHOLDER)
    [bo] = prompts(delivered, BO)
    assert "0 af 2 besvaret" in (tove.text or "") and "0 af 2 besvaret" in (bo.text or "")

    [detail] = only(await chat.press(BO, bo, bo.button("Fællesspisning")))
    only(await chat.press(BO, detail, detail.button("Grøn")))
    [attach] = only(await chat.send(BO, "20 deltagere hver gang"))
    [confirm] = only(await chat.press(BO, attach, attach.button("Spring over")))
    calls = await chat.press(BO, confirm, confirm.button("Indberet"))
    [tove_now] = edits(calls, tove.message_id)  # Tove sees that Bo answered
    assert "🟢 Fællesspisning – Bo Berg svarede" in (tove_now.text or "")
    assert "1 af 2 besvaret" in (tove_now.text or "")
    assert "1 af 2 besvaret" in (edits(calls, bo.message_id)[0].text or "")

    [detail] = only(await chat.press(TOVHOLDER, tove, tove.button("Telefonkæde")))
    [who] = only(await chat.press(TOVHOLDER, detail, detail.button("Giv videre")))
    calls = await chat.press(TOVHOLDER, who, who.button("Bo Berg"))
    assert "Telefonkæde" not in (edits(calls, tove.message_id)[0].text or "")
    assert "Telefonkæde" in (edits(calls, bo.message_id)[0].text or "")
    assert "1 af 3 besvaret" in (edits(calls, bo.message_id)[0].text or "")
    delivered = await deliver(chat, database_url, clock)
    assert prompts(delivered, BO) == []  # Bo's one prompt was edited, not sent again
    assert any("Bo Berg" in (c.text or "") for c in to(delivered, SECRETARY))


async def test_units_are_matched_tolerantly_confirmed_and_given_a_contact_person(
    beu_committee: ChatHarness, uow_factory: Callable[[], SqlUnitOfWork]
) -> None:
    chat = beu_committee
    plan = (
        "Indsats;Center\n"
        "Hjælpemidler til alle;Center for Hjælpemidler\n"
        "Hurtig udlevering;Center for Hjælpe midler\n"
        "Sundhedstjek;Center for Sundhed og Træning, Stabene\n"
    ).encode()
    [offer] = only(await chat.send_document(SECRETARY, "plan.csv", plan, "text/csv"))
    only(await chat.press(SECRETARY, offer, offer.button("BEU")))
    [done] = only(await chat.send(SECRETARY, "Virksomhedsplan 2026"))
    body = done.text or ""
    assert "»Center for Hjælpe midler« = »Center for Hjælpemidler«?" in body
    assert "(Center for Sundhed og Træning, Stabene)" in body
    [same] = only(await chat.press(SECRETARY, done, done.button("Samme")))
    assert "samme enhed" in (same.text or "")
    units = await rows(uow_factory, "SELECT name FROM status_unit ORDER BY id")
    assert units == [("Center for Hjælpemidler",), ("Center for Sundhed og Træning",), ("Stabene",)]
    assert await rows(uow_factory, "SELECT COUNT(*) FROM indsats_owner WHERE NOT confirmed") == [
        (0,)
    ]
    [again] = only(await chat.press(SECRETARY, done, done.button("Samme")), "answerCallbackQuery")
    assert "allerede afklaret" in (again.text or "") and again.show_alert

    [listing] = only(await chat.send(SECRETARY, "/enheder BEU"))
    assert "Center for Hjælpemidler – ingen kontaktperson (2 indsatser)" in (listing.text or "")
    [ask] = only(await chat.press(SECRETARY, listing, listing.button("Hjælpemidler")))
    [set_] = only(await chat.press(SECRETARY, ask, ask.button("Tove Holder")))
    assert "Tove Holder svarer nu for »Center for Hjælpemidler«" in (set_.text or "")
    owners = await rows(
        uow_factory,
        "SELECT COUNT(*) FROM indsats_owner o JOIN person p ON p.id = o.person_id"
        " WHERE p.name = 'Tove Holder'",
    )
    assert owners == [(2,)]
    [refused] = only(await chat.send(TOVHOLDER, "/enheder BEU"))
    assert "Kun udvalgets sekretær" in (refused.text or "")
