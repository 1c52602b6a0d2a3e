"""Plans and indsatser created and edited in chat, through the real dispatcher: /nyplan,
/nyindsats with its guided dialog (across a restart), "Ret" under /planer, and the refusals."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import text

from storage.uow import SqlUnitOfWork
from tests.handlers.conftest import MEMBER, SECRETARY
from tests.support.recording import ChatHarness, Sent


def only(calls: list[Sent]) -> list[Sent]:
    return [c for c in calls if c.method == "sendMessage"]


async def rows(uow_factory: Callable[[], SqlUnitOfWork], query: str) -> list[tuple[object, ...]]:
    async with uow_factory() as uow:
        return [tuple(r) for r in (await uow.session.execute(text(query))).all()]


async def new_plan(chat: ChatHarness, args: str = "BEU Handleplan for ensomhed") -> int:
    [reply] = only(await chat.send(SECRETARY, f"/nyplan {args}"))
    body = reply.text or ""
    assert "er oprettet i BEU som plan" in body, body
    return int(body.split("som plan ")[1].split(".")[0])


async def test_plan_and_indsats_with_the_dialog_survive_a_restart_and_can_be_edited(
    beu_committee: ChatHarness,
    restart: Callable[[], ChatHarness],
    uow_factory: Callable[[], SqlUnitOfWork],
) -> None:
    chat = beu_committee
    plan_id = await new_plan(chat, "virksomhedsplan BEU Virksomhedsplan 2026")
    assert await rows(uow_factory, "SELECT kind, title FROM plan") == [
        ("virksomhedsplan", "Virksomhedsplan 2026")
    ]
    calls = only(await chat.send(SECRETARY, f"/nyindsats {plan_id} Fællesspisning"))
    assert "er tilføjet" in (calls[0].text or "")
    ask = calls[-1]
    assert "Hvem er tovholder" in (ask.text or "")
    assert "Tove Holder" in str(ask.buttons())  # the udvalg's tovholder as a button

    chat = restart()  # the dialog lives in the database
    [ask] = only(await chat.press(SECRETARY, ask, ask.button("Tove Holder")))
    assert "målgruppen" in (ask.text or "")
    [ask] = only(await chat.press(SECRETARY, ask, ask.button("Spring over")))
    assert "formål" in (ask.text or "")
    [done] = only(await chat.send(SECRETARY, "12 arrangementer om året"))
    assert "er klar" in (done.text or "")
    stored = await rows(
        uow_factory,
        "SELECT title, tovholder, maalgruppe, formaal, o.person_id FROM indsats i"
        " LEFT JOIN indsats_owner o ON o.indsats_id = i.id",
    )
    assert stored[0][:4] == ("Fællesspisning", "Tove Holder", "", "12 arrangementer om året")
    assert stored[0][4] is not None  # linked to the invited tovholder

    [listing] = only(await chat.send(SECRETARY, "/planer"))
    [indsatser] = only(await chat.press(SECRETARY, listing, listing.button("Indsatser i plan")))
    assert "Fællesspisning" in (indsatser.text or "") and "Tove Holder" in (indsatser.text or "")
    [fields] = only(await chat.press(SECRETARY, indsatser, indsatser.button("Ret 1")))
    assert "12 arrangementer om året" in (fields.text or "")
    [ask] = only(await chat.press(SECRETARY, fields, fields.button("Målgruppe")))
    assert "Skriv den nye tekst" in (ask.text or "")
    [edited] = only(await chat.send(SECRETARY, "Ældre over 65 der bor alene"))
    assert "er rettet" in (edited.text or "")
    assert await rows(uow_factory, "SELECT maalgruppe FROM indsats") == [
        ("Ældre over 65 der bor alene",)
    ]


async def test_annuller_leaves_the_dialog_and_stores_none_of_its_answers(
    beu_committee: ChatHarness, uow_factory: Callable[[], SqlUnitOfWork]
) -> None:
    chat = beu_committee
    plan_id = await new_plan(chat)
    only(await chat.send(SECRETARY, f"/nyindsats {plan_id} Besøgsvenner"))
    [ask] = only(await chat.send(SECRETARY, "Center for Sundhed"))  # a unit, typed
    assert "målgruppen" in (ask.text or "")
    [too_long] = only(await chat.send(SECRETARY, "x" * 4001))
    assert "4000" in (too_long.text or "")
    [left] = only(await chat.send(SECRETARY, "/annuller"))
    # It says what was kept: the indsats (made by the command), not the answers.
    assert "Annulleret. Indsatsen »Besøgsvenner« er oprettet med sin titel" in (left.text or "")
    assert "svar på spørgsmålene er ikke gemt" in (left.text or "")
    [idle] = only(await chat.send(SECRETARY, "/annuller"))
    assert "ikke noget at annullere" in (idle.text or "")
    calls = await chat.press(SECRETARY, ask, ask.button("Spring over"))
    assert only(calls) == []
    assert any("forældet" in (c.text or "") and c.show_alert for c in calls)
    # The indsats itself was made by the command; the dialog's answers were not stored.
    assert await rows(uow_factory, "SELECT title, tovholder, maalgruppe FROM indsats") == [
        ("Besøgsvenner", "", "")
    ]


async def test_bad_input_is_refused_and_nothing_is_stored(
    beu_committee: ChatHarness, uow_factory: Callable[[], SqlUnitOfWork]
) -> None:
    chat = beu_committee
    [reply] = only(await chat.send(MEMBER, "/nyplan BEU Min plan"))
    assert "sekretær" in (reply.text or "").lower()
    [reply] = only(await chat.send(SECRETARY, "/nyplan BEU"))
    assert "Planen skal have et navn" in (reply.text or "")
    [reply] = only(await chat.send(SECRETARY, "/nyplan XYZ Plan"))
    assert "XYZ" in (reply.text or "")
    assert await rows(uow_factory, "SELECT id FROM plan") == []

    plan_id = await new_plan(chat)
    [reply] = only(await chat.send(SECRETARY, "/nyplan BEU Handleplan for ensomhed"))
    assert "har allerede en plan" in (reply.text or "")
    [reply] = only(await chat.send(SECRETARY, "/nyindsats 999 Fællesspisning"))
    assert "ingen plan med nummer 999" in (reply.text or "")
    [reply] = only(await chat.send(MEMBER, f"/nyindsats {plan_id} Fællesspisning"))
    assert "sekretær" in (reply.text or "").lower()
    [reply] = only(await chat.send(SECRETARY, f"/nyindsats {plan_id} " + "x" * 301))
    assert "300" in (reply.text or "")
    [reply] = only(await chat.send(SECRETARY, f"/nyindsats {plan_id}"))
    assert "mangler et navn" in (reply.text or "")
    assert await rows(uow_factory, "SELECT id FROM indsats") == []

    only(await chat.send(SECRETARY, f"/nyindsats {plan_id} Fællesspisning"))
    only(await chat.send(SECRETARY, "/annuller"))
    [reply] = only(await chat.send(SECRETARY, f"/nyindsats {plan_id} fællesspisning"))
    assert "har allerede indsatsen" in (reply.text or "")
    assert len(await rows(uow_factory, "SELECT id FROM indsats")) == 1
