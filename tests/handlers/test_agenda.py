"""/dagsorden: the overview per role, opening punkter and bilag, and the secretary's edits."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.i18n import load_catalog
from handlers.callbacks import BilagCb, MoedeCb, PunktCb
from tests.handlers.agenda_world import (
    BILAG_BYTES,
    SECRETARY2,
    World,
    alerts,
    all_text,
    last_message,
    make_world,
    messages,
)
from tests.handlers.conftest import ADMIN, MEMBER, OUTSIDER, SECRETARY, TOVHOLDER
from tests.support.clock import FrozenClock
from tests.support.recording import ChatHarness, Sent


@pytest.fixture
async def world(database_url: str, clock: FrozenClock) -> AsyncIterator[World]:
    w = await make_world(database_url, clock)
    yield w
    await w.close()


async def agenda_of(chat: ChatHarness, user: object) -> Sent:
    calls = await chat.send(user, "/dagsorden")  # type: ignore[arg-type]
    return last_message(calls)


def open_data(punkt_id: int, version: int = 1) -> str:
    return PunktCb(action="open", punkt_id=punkt_id, version=version).pack()


# --- overview per role -------------------------------------------------------------------------


async def test_member_gets_numbered_read_only_agenda(chat: ChatHarness, world: World) -> None:
    overview = await agenda_of(chat, MEMBER)
    text = overview.text or ""
    assert "Beskæftigelsesudvalget" in text
    assert "10-12-2026 kl. 14.00" in text
    assert "<b>1.</b> Godkendelse af dagsorden" in text
    assert "<b>2.</b> Meddelelser" in text
    assert "<b>3.</b> Budgetopfølgning 2026" in text
    assert "<b>4.</b> Ny ungeindsats" in text
    assert "<b>5.</b> 🔒 Lukket punkt: Personalesag" in text
    assert "<b>6.</b> Eventuelt" in text
    labels = [label for label, _ in overview.buttons()]
    assert "3. Budgetopfølgning 2026" in labels
    assert "🔒 5. Personalesag" in labels
    assert not any("✏️" in label or "Ny sag" in label for label in labels)


async def test_secretary_gets_edit_buttons_and_add_sag(chat: ChatHarness, world: World) -> None:
    overview = await agenda_of(chat, SECRETARY)
    labels = [label for label, _ in overview.buttons()]
    assert [f"✏️ {n}" for n in range(1, 7)] == [x for x in labels if x.startswith("✏️")]
    assert overview.button("Ny sag") == MoedeCb(action="nysag", moede_id=world.moede_id).pack()


async def test_tovholder_sees_closed_title_but_cannot_open_it(
    chat: ChatHarness, world: World
) -> None:
    overview = await agenda_of(chat, TOVHOLDER)
    assert "Personalesag" in (overview.text or "")
    labels = [label for label, _ in overview.buttons()]
    assert "3. Budgetopfølgning 2026" in labels
    assert not any("Personalesag" in label for label in labels)
    # an open punkt opens
    opened = await chat.press(TOVHOLDER, overview, open_data(world.open_id))
    assert "Forbruget ligger 2 mio. kr. under budgettet." in all_text(opened)
    # a forged or old button for the closed one is refused, and nothing of it is sent
    refused = await chat.press(TOVHOLDER, overview, open_data(world.closed_id))
    assert alerts(refused) == ["Punktet er lukket. Kun udvalgets medlemmer kan læse det."]
    assert not messages(refused)
    refused = await chat.press(TOVHOLDER, overview, BilagCb(action="get", bilag_id=1).pack())
    assert alerts(refused) == ["Punktet er lukket. Kun udvalgets medlemmer kan læse det."]
    assert not [c for c in refused if c.method == "sendDocument"]


async def test_a_closed_punkts_bilag_are_not_counted_for_those_who_may_not_open_it(
    chat: ChatHarness, world: World
) -> None:
    """Issue 16: "📎1" beside a closed punkt told a tovholder it had a bilag."""
    member_line = next(
        line
        for line in (await agenda_of(chat, MEMBER)).text.splitlines()  # type: ignore[union-attr]
        if "Personalesag" in line
    )
    assert "📎1" in member_line
    tovholder_line = next(
        line
        for line in (await agenda_of(chat, TOVHOLDER)).text.splitlines()  # type: ignore[union-attr]
        if "Personalesag" in line
    )
    assert "📎" not in tovholder_line


async def test_an_outsider_cannot_tell_which_bilag_exist(chat: ChatHarness, world: World) -> None:
    overview = await agenda_of(chat, MEMBER)
    existing = await chat.press(OUTSIDER, overview, BilagCb(action="get", bilag_id=1).pack())
    missing = await chat.press(OUTSIDER, overview, BilagCb(action="get", bilag_id=4711).pack())
    assert alerts(existing) == alerts(missing) != []
    assert not [c for c in existing + missing if c.method == "sendDocument"]


async def test_outsider_is_refused(chat: ChatHarness, world: World) -> None:
    calls = await chat.send(OUTSIDER, "/dagsorden")
    assert "ikke med i noget udvalg" in last_message(calls).text  # type: ignore[operator]
    overview = await agenda_of(chat, MEMBER)
    calls = await chat.press(
        OUTSIDER, overview, MoedeCb(action="agenda", moede_id=world.moede_id).pack()
    )
    assert alerts(calls) == ["Du er ikke med i det udvalg. Bed sekretæren om et invitationslink."]
    calls = await chat.press(OUTSIDER, overview, open_data(world.open_id))
    assert alerts(calls) == ["Du er ikke med i det udvalg. Bed sekretæren om et invitationslink."]
    assert not messages(calls)


async def test_no_meetings_tells_secretary_how_and_member_that_none_is_planned(
    chat: ChatHarness, database_url: str, clock: FrozenClock
) -> None:
    w = await make_world(database_url, clock, with_moede=False)
    try:
        secretary = await agenda_of(chat, SECRETARY)
        assert "/nytmoede BEU" in (secretary.text or "")
        member = await agenda_of(chat, MEMBER)
        assert "ikke planlagt noget møde" in (member.text or "")
    finally:
        await w.close()


async def test_agenda_button_from_other_features_opens_chosen_meeting(
    chat: ChatHarness, world: World
) -> None:
    overview = await agenda_of(chat, MEMBER)
    calls = await chat.press(
        MEMBER, overview, MoedeCb(action="agenda", moede_id=world.later_moede_id).pack()
    )
    assert "14-01-2027 kl. 15.00" in all_text(calls)
    calls = await chat.press(MEMBER, overview, MoedeCb(action="agenda", moede_id=999).pack())
    assert alerts(calls) == ["Mødet findes ikke længere. Se dine møder med /moeder."]


# --- opening punkter and bilag -----------------------------------------------------------------


async def test_member_opens_closed_punkt_and_downloads_bilag_byte_identical(
    chat: ChatHarness, world: World
) -> None:
    overview = await agenda_of(chat, MEMBER)
    opened = await chat.press(MEMBER, overview, overview.button("Personalesag"))
    text = all_text(opened)
    assert "Fortroligt: en medarbejders forhold." in text
    assert "Lukket punkt – kun for udvalgets medlemmer" in text
    view = last_message(opened)
    assert not any("Redigér" in label for label, _ in view.buttons())
    sent = await chat.press(MEMBER, view, view.button("notat.pdf"))
    documents = [c for c in sent if c.method == "sendDocument"]
    assert len(documents) == 1
    assert documents[0].document_name == "notat.pdf"
    assert documents[0].document_bytes == BILAG_BYTES
    assert documents[0].text == "notat.pdf"


async def test_long_section_is_split_into_messages_under_the_limit(
    chat: ChatHarness, world: World
) -> None:
    from agendas.services import punkter

    detail = await world.punkt(world.second_id)
    long_text = "\n\n".join(f"Afsnit {i}: " + "ord & " * 170 for i in range(10))[:10_000]
    await punkter.edit_field(
        world.uow(),
        world.actors[SECRETARY.id],
        world.second_id,
        "sagsfremstilling",
        long_text,
        detail.punkt.version,
        world.clock(),
    )
    overview = await agenda_of(chat, MEMBER)
    opened = messages(await chat.press(MEMBER, overview, overview.button("Ny ungeindsats")))
    assert len(opened) >= 3
    assert all(len(m.text or "") < 4096 for m in opened)
    joined = all_text(opened)
    for i in range(10):
        assert f"Afsnit {i}:" in joined
    assert joined.count("ord") >= long_text.count("ord")
    # the secretary's edit prompt shows the current text, also within the limit
    menu = await edit_menu(chat, SECRETARY, 4)
    prompt = last_message(await chat.press(SECRETARY, menu, menu.button("Sagsfremstilling")))
    assert "Afsnit 0: ord &amp; ord" in (prompt.text or "")
    assert len(prompt.text or "") < 4096


# --- the secretary's edits ---------------------------------------------------------------------


async def edit_menu(chat: ChatHarness, user: object, number: int) -> Sent:
    overview = await agenda_of(chat, user)
    return last_message(await chat.press(user, overview, overview.button(f"✏️ {number}")))  # type: ignore[arg-type]


async def test_member_cannot_use_edit_buttons(chat: ChatHarness, world: World) -> None:
    overview = await agenda_of(chat, MEMBER)
    calls = await chat.press(
        MEMBER, overview, PunktCb(action="del", punkt_id=world.open_id, version=1).pack()
    )
    assert alerts(calls) == ["Kun udvalgets sekretær kan gøre det."]
    assert (await world.agenda()).punkter[2].title == "Budgetopfølgning 2026"


async def test_reorder_and_close_change_the_numbering(chat: ChatHarness, world: World) -> None:
    menu = await edit_menu(chat, SECRETARY, 4)
    assert "Redigér punkt 4. Ny ungeindsats" in (menu.text or "")
    calls = await chat.press(SECRETARY, menu, menu.button("Op"))
    edited = [c for c in calls if c.method == "editMessageText"]
    assert "Redigér punkt 3. Ny ungeindsats" in (edited[-1].text or "")
    text = (await agenda_of(chat, MEMBER)).text or ""
    assert "<b>3.</b> Ny ungeindsats" in text
    assert "<b>4.</b> Budgetopfølgning 2026" in text
    # moving the first sag further up is refused, nothing changes
    calls = await chat.press(SECRETARY, edited[-1], edited[-1].button("Op"))
    assert alerts(calls) == ["Punktet kan ikke flyttes længere i den retning."]
    # closing it moves it after the open sager
    calls = await chat.press(SECRETARY, edited[-1], edited[-1].button("lukket punkt"))
    edited = [c for c in calls if c.method == "editMessageText"]
    assert "Redigér punkt 5. Ny ungeindsats" in (edited[-1].text or "")
    text = (await agenda_of(chat, MEMBER)).text or ""
    assert "<b>3.</b> Budgetopfølgning 2026" in text
    assert "<b>4.</b> 🔒 Lukket punkt: Personalesag" in text
    assert "<b>5.</b> 🔒 Lukket punkt: Ny ungeindsats" in text
    # and open again
    await chat.press(SECRETARY, edited[-1], edited[-1].button("åbent punkt"))
    text = (await agenda_of(chat, MEMBER)).text or ""
    assert "<b>4.</b> Ny ungeindsats" in text


async def test_delete_needs_confirmation(chat: ChatHarness, world: World) -> None:
    menu = await edit_menu(chat, SECRETARY, 3)
    confirm = last_message(await chat.press(SECRETARY, menu, menu.button("Slet")))
    assert "Vil du slette punkt 3. <b>Budgetopfølgning 2026</b>" in (confirm.text or "")
    assert len((await world.agenda()).punkter) == 6  # nothing deleted yet
    calls = await chat.press(SECRETARY, confirm, confirm.button("Fortryd"))
    assert "ikke slettet" in all_text(calls)
    assert len((await world.agenda()).punkter) == 6
    calls = await chat.press(SECRETARY, confirm, confirm.button("Ja, slet"))
    assert "Budgetopfølgning 2026" in all_text([c for c in calls if c.method == "editMessageText"])
    agenda = await world.agenda()
    assert [p.title for p in agenda.punkter][2] == "Ny ungeindsats"
    assert "<b>3.</b> Ny ungeindsats" in (last_message(calls).text or "")
    # the old overview's button now points at nothing
    overview = await agenda_of(chat, MEMBER)
    calls = await chat.press(MEMBER, overview, open_data(world.open_id))
    assert alerts(calls) == ["Punktet findes ikke længere. Hent dagsordenen igen med /dagsorden."]
    # and the confirmation cannot be used twice
    calls = await chat.press(SECRETARY, confirm, confirm.button("Ja, slet"))
    assert alerts(calls) == ["Punktet findes ikke længere. Hent dagsordenen igen med /dagsorden."]


async def test_edit_a_section_by_typing(chat: ChatHarness, world: World) -> None:
    menu = await edit_menu(chat, SECRETARY, 3)
    prompt = last_message(await chat.press(SECRETARY, menu, menu.button("Sagsfremstilling")))
    assert "Skriv den nye tekst til <b>Sagsfremstilling</b>" in (prompt.text or "")
    # over the limit: refused, nothing stored, still asked
    calls = await chat.send(SECRETARY, "x" * 20_001)
    assert "for lang (20001 tegn, højst 20000)" in all_text(calls)
    assert (await world.punkt(world.open_id)).punkt.section("sagsfremstilling") == ""
    calls = await chat.send(SECRETARY, "Sagen handler om <budget> & drift.")
    text = all_text(calls)
    assert "Sagsfremstilling er gemt" in text
    assert "Sagen handler om &lt;budget&gt; &amp; drift." in text
    stored = (await world.punkt(world.open_id)).punkt
    assert stored.section("sagsfremstilling") == "Sagen handler om <budget> & drift."
    assert stored.version == 2
    # the next text is not taken as an edit any more
    calls = await chat.send(SECRETARY, "hej")
    assert "Jeg forstår kun kommandoer" in all_text(calls)


async def test_a_long_text_pasted_into_a_section_is_one_edit(
    chat: ChatHarness, world: World
) -> None:
    """Issue 16, item 1: the app splits a long text into parts; the first part was saved as the
    whole sagsfremstilling and the rest went to the fallback."""
    menu = await edit_menu(chat, SECRETARY, 3)
    last_message(await chat.press(SECRETARY, menu, menu.button("Sagsfremstilling")))
    parts = ["a" * 4000, "b" * 4090, "c" * 700]
    first = await chat.send(SECRETARY, parts[0])
    assert "Teksten er lang (4000 tegn)" in all_text(first)
    assert (await world.punkt(world.open_id)).punkt.section("sagsfremstilling") == ""
    assert "Del 2 er med (8090 tegn i alt)" in all_text(await chat.send(SECRETARY, parts[1]))
    calls = await chat.send(SECRETARY, parts[2])
    assert "Sagsfremstilling er gemt" in all_text(calls)
    stored = (await world.punkt(world.open_id)).punkt
    assert stored.section("sagsfremstilling") == "\n".join(parts)
    assert stored.version == 2
    # A text that long on its own ends with a full stop.
    menu = await edit_menu(chat, SECRETARY, 3)
    last_message(await chat.press(SECRETARY, menu, menu.button("Sagens kerne")))
    assert "skriv et punktum" in all_text(await chat.send(SECRETARY, "k" * 3500))
    assert "Sagens kerne er gemt" in all_text(await chat.send(SECRETARY, "."))
    assert (await world.punkt(world.open_id)).punkt.section("sagens_kerne") == "k" * 3500


async def test_edit_title_sagstype_and_clear(chat: ChatHarness, world: World) -> None:
    menu = await edit_menu(chat, SECRETARY, 3)
    await chat.press(SECRETARY, menu, menu.button("Titel"))
    await chat.send(SECRETARY, "Budgetopfølgning 2026, 3. kvartal")
    assert (await world.punkt(world.open_id)).punkt.title == "Budgetopfølgning 2026, 3. kvartal"
    menu = await edit_menu(chat, SECRETARY, 3)
    choose = last_message(await chat.press(SECRETARY, menu, menu.button("Sagstype")))
    calls = await chat.press(SECRETARY, choose, choose.button("Til orientering"))
    assert "Til orientering" in all_text(calls)
    menu = await edit_menu(chat, SECRETARY, 3)
    assert "Budgetopfølgning 2026, 3. kvartal" in (menu.text or "")
    prompt = last_message(await chat.press(SECRETARY, menu, menu.button("Sagens kerne")))
    assert "Forbruget ligger 2 mio. kr." in (prompt.text or "")
    # A required section cannot be emptied: refused with what to do, nothing stored.
    calls = await chat.press(SECRETARY, prompt, prompt.button("Tøm feltet"))
    assert "»Sagens kerne« skal udfyldes og kan ikke tømmes" in all_text(calls)
    detail = await world.punkt(world.open_id)
    assert detail.punkt.section("sagens_kerne") == "Forbruget ligger 2 mio. kr. under budgettet."
    assert detail.punkt.version == 3  # title and sagstype saved, the emptying not
    assert detail.punkt.sagstype is not None and detail.punkt.sagstype.value == "orientering"
    # An optional one can.
    menu = await edit_menu(chat, SECRETARY, 3)
    await chat.press(SECRETARY, menu, menu.button("Tidsplan"))
    await chat.send(SECRETARY, "Sagen afsluttes i januar.")
    menu = await edit_menu(chat, SECRETARY, 3)
    prompt = last_message(await chat.press(SECRETARY, menu, menu.button("Tidsplan")))
    await chat.press(SECRETARY, prompt, prompt.button("Tøm feltet"))
    assert (await world.punkt(world.open_id)).punkt.section("tidsplan") == ""


async def test_stale_edit_button_after_someone_else_edited(chat: ChatHarness, world: World) -> None:
    overview = await agenda_of(chat, SECRETARY)
    menu = await edit_menu(chat, SECRETARY2, 3)
    await chat.press(SECRETARY2, menu, menu.button("Titel"))
    await chat.send(SECRETARY2, "Ny titel")
    calls = await chat.press(SECRETARY, overview, overview.button("✏️ 3"))
    assert alerts(calls) == ["Knappen er forældet. Hent en ny oversigt, fx med /dagsorden."]
    fresh = last_message(calls)
    assert "Redigér punkt 3. Ny titel" in (fresh.text or "")
    # the fresh menu works
    calls = await chat.press(SECRETARY, fresh, fresh.button("Ned"))
    assert not alerts(calls)
    # an old delete button must not delete the changed punkt
    calls = await chat.press(SECRETARY, menu, menu.button("Slet"))
    assert alerts(calls) == ["Knappen er forældet. Hent en ny oversigt, fx med /dagsorden."]
    # opening with an old button shows the new version
    calls = await chat.press(MEMBER, overview, open_data(world.open_id, 1))
    assert "Ny titel" in all_text(calls)


async def test_concurrent_edit_is_refused_and_keeps_the_first_save(
    chat: ChatHarness, world: World
) -> None:
    menu1 = await edit_menu(chat, SECRETARY, 3)
    menu2 = await edit_menu(chat, SECRETARY2, 3)
    await chat.press(SECRETARY, menu1, menu1.button("Indstilling"))
    await chat.press(SECRETARY2, menu2, menu2.button("Indstilling"))
    saved = await chat.send(SECRETARY2, "Forvaltningen indstiller, at sagen godkendes.")
    assert "Indstilling er gemt" in all_text(saved)
    refused = await chat.send(SECRETARY, "Forvaltningen indstiller, at sagen udsættes.")
    reply = last_message(refused)
    assert "En anden har gemt punktet, mens du skrev" in (reply.text or "")
    stored = (await world.punkt(world.open_id)).punkt
    assert stored.section("indstilling") == "Forvaltningen indstiller, at sagen godkendes."
    # the message offers to open the punkt again, which shows what is stored now
    opened = await chat.press(SECRETARY, reply, reply.button("Åbn punktet igen"))
    assert "at sagen godkendes" in all_text(opened)


async def test_move_to_another_meeting(chat: ChatHarness, world: World) -> None:
    menu = await edit_menu(chat, SECRETARY, 4)
    choose = last_message(await chat.press(SECRETARY, menu, menu.button("andet møde")))
    calls = await chat.press(SECRETARY, choose, choose.button("14-01-2027"))
    assert "flyttet til mødet 14-01-2027" in all_text(calls)
    assert "Ny ungeindsats" not in [p.title for p in (await world.agenda()).punkter]
    later = await world.agenda(world.later_moede_id)
    assert [p.title for p in later.punkter] == [
        "Godkendelse af dagsorden",
        "Meddelelser",
        "Ny ungeindsats",
        "Eventuelt",
    ]


async def test_list_and_remove_bilag(chat: ChatHarness, world: World) -> None:
    menu = await edit_menu(chat, SECRETARY, 5)
    listing = last_message(await chat.press(SECRETARY, menu, menu.button("📎 Bilag")))
    assert "Bilag til punkt 5. Personalesag" in (listing.text or "")
    remove = [data for label, data in listing.buttons() if label == "🗑"]
    calls = await chat.press(SECRETARY, listing, remove[0])
    assert "har ingen bilag endnu" in all_text(calls)
    assert (await world.punkt(world.closed_id)).bilag == []
    calls = await chat.press(SECRETARY, listing, remove[0])
    assert alerts(calls) == ["Bilaget findes ikke længere."]


async def test_documents_outside_an_open_sag(chat: ChatHarness, world: World) -> None:
    # Outside a sag a PDF may be a meeting's published referat: offered for import, with how to
    # attach it as a bilag instead.
    calls = await chat.send_document(SECRETARY, "notat.pdf", b"%PDF-1.4 x")
    assert "importeres som et møde" in all_text(calls) and "åbn sagen først" in all_text(calls)
    calls = await chat.send_document(MEMBER, "notat.pdf", b"%PDF-1.4 x")
    assert "Filer tager jeg ikke imod her" in all_text(calls)
    assert len((await world.punkt(world.open_id)).bilag) == 0


async def test_english_texts(chat: ChatHarness, world: World) -> None:
    from agendas.services import committees

    person, _ = await committees.identify(
        world.uow(), ADMIN.id, "Ada Admin", "ada", None, frozenset({ADMIN.id})
    )
    await committees.set_language(world.uow(), person.id or 0, "en")
    overview = await agenda_of(chat, ADMIN)
    assert "Tap a punkt to read it" in (overview.text or "")
    assert overview.button("New sag")


def test_agenda_and_sag_catalogues_have_the_same_keys_in_both_languages() -> None:
    from pathlib import Path

    from babel.messages.pofile import read_po

    base = Path(__file__).parents[2] / "bot" / "locales"
    for feature in ("agenda", "sag"):
        ids = {}
        for lang in ("da", "en"):
            with (base / lang / "LC_MESSAGES" / f"{feature}.po").open("rb") as handle:
                ids[lang] = {m.id for m in read_po(handle) if m.id and m.string}
        assert ids["da"] == ids["en"], feature
        assert len(ids["da"]) > 20
    assert load_catalog("da").get("agenda-hint-reader") is not None
