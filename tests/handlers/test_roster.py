"""/medlemmer in chat: the secretary lists, adds, edits and removes roster members, and invites
one without Telegram; opening that invite links the opener's account to the member.

Through the real dispatcher on a real SQLite file; everyone joined through invite links.
"""

from __future__ import annotations

from collections.abc import Callable

from aiogram.types import InlineKeyboardMarkup

from storage.uow import SqlUnitOfWork
from tests.handlers.conftest import MEMBER, SECRETARY, invite_token
from tests.support.recording import ChatHarness, Sent, TgUser

JAN = TgUser(id=6006, first_name="Jan", last_name="K", username="jank")
EVE = TgUser(id=6007, first_name="Eve", last_name="Andersen")


def messages(calls: list[Sent]) -> list[Sent]:
    return [c for c in calls if c.method == "sendMessage"]


def alerts(calls: list[Sent]) -> list[str]:
    return [c.text or "" for c in calls if c.method == "answerCallbackQuery" and c.show_alert]


def in_row(sent: Sent, name: str, label: str) -> str:
    """The callback data of the button ``label`` in the roster row of member ``name``."""
    assert isinstance(sent.reply_markup, InlineKeyboardMarkup)
    for row in sent.reply_markup.inline_keyboard:
        if name in row[0].text:
            found = [b.callback_data for b in row if label in b.text]
            assert len(found) == 1, row
            return str(found[0])
    raise AssertionError(f"no row for {name}: {sent.buttons()}")


def row_labels(sent: Sent, name: str) -> list[str]:
    assert isinstance(sent.reply_markup, InlineKeyboardMarkup)
    return next(
        [b.text for b in row] for row in sent.reply_markup.inline_keyboard if name in row[0].text
    )


async def roster_size(uow_factory: Callable[[], SqlUnitOfWork]) -> tuple[int, int]:
    """(persons, memberships) stored."""
    async with uow_factory() as uow:
        udvalg = await uow.udvalg.by_code("BEU")
        memberships = await uow.memberships.for_udvalg(udvalg.id or 0)  # type: ignore[union-attr]
        persons = await uow.persons.many(list(range(1, 100)))
    return len(persons), len(memberships)


async def test_the_secretary_keeps_the_roster(
    beu_committee: ChatHarness, uow_factory: Callable[[], SqlUnitOfWork]
) -> None:
    chat = beu_committee
    # Without a code: the one udvalg the secretary keeps.
    [listing] = await chat.send(SECRETARY, "/medlemmer")
    assert "👥 Medlemmer af Beskæftigelsesudvalget (BEU)" in (listing.text or "")
    assert "1. Mads Medlem (A) – 📱 på Telegram" in (listing.text or "")
    assert row_labels(listing, "Mads Medlem") == ["✏️ 1. Mads Medlem", "🗑 Fjern"]

    added, listing = messages(
        await chat.send(SECRETARY, "/medlemmer BEU tilføj Jan Kongebro (A) formand")
    )
    assert "✅ Jan Kongebro (A) er tilføjet til medlemslisten for BEU." in (added.text or "")
    assert "1. Jan Kongebro (A), formand, fra 23-11-2026 – ✉️ ikke på Telegram" in (
        listing.text or ""
    )
    assert row_labels(listing, "Jan Kongebro") == ["✏️ 1. Jan Kongebro", "🗑 Fjern", "📨 Invitér"]

    # Bad input: one short message saying what to write; nothing stored.
    before = await roster_size(uow_factory)
    for typed, says in (
        ("/medlemmer BEU tilføj Lise Holm (V) stedfortræder for Ukendt", "intet medlem »Ukendt«"),
        ("/medlemmer BEU tilføj Lise Holm sekretær", "ikke en plads i udvalget"),
        ("/medlemmer BEU tilføj Lise Holm (V) fra forleden", "er ikke en dato"),
        ("/medlemmer BEU tilføj 1234", "kunne jeg ikke læse som et medlem"),
        ("/medlemmer BEU tilføj Mette Bach formand", "har allerede en formand: Jan Kongebro"),
        ("/medlemmer BEU tilføj jan kongebro", "står allerede på medlemslisten"),
        ("/medlemmer BEU fjern Jan", "Skriv /medlemmer KODE"),
    ):
        [refused] = await chat.send(SECRETARY, typed)
        assert says in (refused.text or ""), (typed, refused.text)
    assert await roster_size(uow_factory) == before
    [refused] = await chat.send(MEMBER, "/medlemmer BEU")
    assert "sekretær" in (refused.text or "").lower()

    *_, listing = messages(
        await chat.send(
            SECRETARY,
            "/medlemmer BEU tilføj Lise Holm (V) stedfortræder for Jan Kongebro fra 01-02-2026",
        )
    )
    assert (
        "3. Lise Holm (V), stedfortræder for Jan Kongebro, fra 01-02-2026 – ✉️ ikke på Telegram"
    ) in (listing.text or "")

    # ✏️: the new line is typed; a bad one is refused and may be typed again.
    [ask] = messages(await chat.press(SECRETARY, listing, in_row(listing, "Lise Holm", "✏️")))
    assert "Skriv de nye oplysninger for Lise Holm (V)" in (ask.text or "")
    assert "Lise Holm (V) stedfortræder for Jan Kongebro fra 01-02-2026" in (ask.text or "")
    [refused] = await chat.send(SECRETARY, "Lise Holm tovholder")
    assert "ikke en plads" in (refused.text or "") and "Prøv igen" in (refused.text or "")
    edited, listing = messages(await chat.send(SECRETARY, "Lise Holm-Berg (V) næstformand"))
    assert "✅ Lise Holm-Berg (V) er rettet." in (edited.text or "")
    assert "2. Lise Holm-Berg (V), næstformand, fra 01-02-2026" in (listing.text or "")

    # 🗑: asked first; "Nej, behold" keeps her.
    [ask] = messages(
        await chat.press(SECRETARY, listing, in_row(listing, "Lise Holm-Berg", "Fjern"))
    )
    assert "Fjern Lise Holm-Berg (V) fra medlemslisten for BEU?" in (ask.text or "")
    [kept] = messages(await chat.press(SECRETARY, ask, ask.button("Nej, behold")))
    assert "Lise Holm-Berg" in (kept.text or "")
    calls = await chat.press(SECRETARY, ask, ask.button("Ja, fjern"))
    assert any("er fjernet fra medlemslisten" in (c.text or "") for c in calls)
    listing = messages(calls)[-1]
    assert "Lise Holm-Berg" not in (listing.text or "")


async def test_an_invite_for_a_roster_member_links_the_account(
    beu_committee: ChatHarness, uow_factory: Callable[[], SqlUnitOfWork]
) -> None:
    chat = beu_committee
    *_, listing = messages(
        await chat.send(SECRETARY, "/medlemmer BEU tilføj Jan Kongebro (A) formand")
    )
    [link] = messages(await chat.press(SECRETARY, listing, in_row(listing, "Jan Kongebro", "📨")))
    assert "Invitation til Jan Kongebro (A) i Beskæftigelsesudvalget (BEU)" in (link.text or "")
    token = invite_token(link.text or "")

    # Mads already has a role: his account is not merged into Jan's record.
    [refused] = await chat.send(MEMBER, f"/start {token}")
    assert "har allerede roller i botten" in (refused.text or "")

    # Jan opens it: his account is Jan Kongebro on the roster now (the roster's name stays).
    [welcome] = await chat.send(JAN, f"/start {token}")
    assert "Velkommen, Jan Kongebro! Din Telegram-konto er nu koblet til dig" in (
        welcome.text or ""
    )
    assert "som formand" in (welcome.text or "")
    [listing] = await chat.send(SECRETARY, "/medlemmer BEU")
    assert "1. Jan Kongebro (A), formand, fra 23-11-2026 – 📱 på Telegram" in (listing.text or "")
    assert row_labels(listing, "Jan Kongebro") == ["✏️ 1. Jan Kongebro", "🗑 Fjern"]
    await chat.send(JAN, "/hjaelp")
    async with uow_factory() as uow:
        person = await uow.persons.by_telegram_id(JAN.id)
        assert person is not None and (person.name, person.username) == ("Jan Kongebro", "jank")
        udvalg = await uow.udvalg.by_code("BEU")
        seats = await uow.memberships.find(person.id or 0, udvalg.id or 0)  # type: ignore[union-attr]
    assert [(m.role.value, m.party) for m in seats] == [("formand", "A")]

    # The link is used; someone else opening it gets the usual refusal.
    [used] = await chat.send(EVE, f"/start {token}")
    assert "allerede brugt" in (used.text or "")
