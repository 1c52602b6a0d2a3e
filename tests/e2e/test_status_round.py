"""Two status rounds with the real bot process and the emulator, for a plan with goals and an
indsats shared by two tovholdere: a holiday, an answer given before the round, a red alert, a
hand-over, a restart of the bot in the middle of an answer, and the bot's own scheduler closing
each round once its deadline has passed.

What each person received is read back from the emulator: one prompt per tovholder per round
(edited in place as answers come in, never sent twice), the red alerts, the secretary's missing
lists and reports; the second report has the indsatser under their goals with both rounds'
colours side by side and the chart of the colour counts."""

from __future__ import annotations

import asyncio
import contextlib
import io
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from docx import Document

from bot_api_emulator import ChatMessage, EmuUser
from tests.e2e.world import FAST_DELIVERY, World, running_world

pytestmark = [pytest.mark.e2e]

PLAN = "Handleplan for ensomhed"
PLAN_CSV = (
    "Indsats;Tovholder\n"
    "MÅL 1: MESTRING AF EGET LIV;\n"
    "Fællesspisning;Tove Holst, Bo Berg\n"
    "Besøgsvenner;Bo Berg\n"
    "MÅL 2: SUNDHED;\n"
    "Telefonkæde;Carl Clausen\n"
    "Rygestop;Tove Holst\n"
)


@contextlib.asynccontextmanager
async def status_world(workdir: Path) -> AsyncIterator[World]:
    settings = {**FAST_DELIVERY, "SCHEDULER_WATCH_SECONDS": "1"}
    async with running_world("polling", workdir, settings) as world:
        yield world


def label(message: ChatMessage, contains: str) -> str:
    """The full text of the one button whose text contains ``contains`` (labels carry emoji)."""
    found = [b.text for row in message.buttons for b in row if contains in b.text]
    assert len(found) == 1, (contains, message.button_texts)
    return found[0]


def sql(world: World, statement: str, *params: object) -> list[tuple[object, ...]]:
    with contextlib.closing(sqlite3.connect(world.db_path, timeout=10)) as db:
        rows = db.execute(statement, params).fetchall()
        db.commit()
    return rows


def is_prompt(message: ChatMessage) -> bool:
    return any("Jeg er på ferie" in b for b in message.button_texts)


async def prompts(world: World, user: EmuUser) -> list[ChatMessage]:
    """Every round prompt the bot sent ``user``, as it stands now (edits applied)."""
    return [m for m in await world.client.bot_messages(user) if is_prompt(m)]


async def current(world: World, user: EmuUser, message_id: int) -> ChatMessage:
    [found] = [m for m in await world.client.bot_messages(user) if m.message_id == message_id]
    return found


async def documents(world: World, user: EmuUser, count: int) -> list[bytes]:
    """The first ``count`` Word files the bot sent ``user`` (waiting for them)."""
    for _ in range(200):
        found = [
            m.document.data
            for m in await world.client.bot_messages(user)
            if m.document is not None
            and m.document.data is not None
            and (m.document.file_name or "").endswith(".docx")
        ]
        if len(found) >= count:
            return found[:count]
        await asyncio.sleep(0.1)
    raise AssertionError("the secretary got no status report")


async def answer(
    world: World, user: EmuUser, prompt: ChatMessage, indsats: str, colour: str, text: str
) -> ChatMessage:
    """Tap the indsats on the prompt, the colour, write, skip the attachment, confirm."""
    detail = await world.press(user, prompt, label(prompt, indsats), "Svar senest")
    await world.press(user, detail, label(detail, colour), "Skriv nu status")
    attach = await world.ask(user, text, "vedhæfte")
    confirm = await world.press(user, attach, label(attach, "Spring over"), "Det indberettes")
    return await world.press(user, confirm, label(confirm, "Indberet"), "er registreret")


def close(world: World, number: int) -> None:
    past = (datetime.now(UTC) - timedelta(seconds=1)).strftime("%Y-%m-%d %H:%M:%S.%f")
    sql(world, "UPDATE status_round SET deadline = ? WHERE number = ?", past, number)


async def test_two_rounds_with_goals_shared_indsatser_holiday_early_answer_red_and_hand_over(
    tmp_path: Path,
) -> None:
    async with status_world(tmp_path) as world:
        committee = await world.setup_committee()
        secretary = committee.secretary
        await world.setup_meeting()
        people: dict[str, EmuUser] = {}
        for first, last, role in (
            ("Tove", "Holst", "tovholder"),
            ("Bo", "Berg", "tovholder"),
            ("Carl", "Clausen", "tovholder"),
            ("Lene", "Hansen", "formand"),
        ):
            token = await world.invite(secretary, role)
            user = await world.client.create_user(first, last_name=last)
            await world.ask(user, f"/start {token}", "Velkommen")
            people[first] = user
        tove, bo, carl, lene = people["Tove"], people["Bo"], people["Carl"], people["Lene"]
        await world.ask(secretary, "/roedstatus BEU ja", "sekretæren og formanden")

        plan_file = tmp_path / "plan.csv"
        plan_file.write_text(PLAN_CSV, encoding="utf-8")
        await world.client.send_document(
            secretary, plan_file.read_bytes(), "ensomhed.csv", mime_type="text/csv"
        )
        offer = await world.expect(secretary, "importeres som handleplan")
        await world.press(secretary, offer, label(offer, "BEU"), "Hvad skal planen hedde")
        done = await world.ask(secretary, PLAN, "er oprettet")
        assert "Mål 1: Mestring af eget liv" in (done.text or "")
        plan_id = int((done.text or "").split("som plan ")[1].split()[0])

        # Before round 1: Bo goes on holiday, Carl answers Telefonkæde in advance.
        until = date.today() + timedelta(days=25)
        past = date.today() - timedelta(days=2)
        refused = await world.ask(bo, f"Ferie til {past.day}/{past.month}", "passeret")
        assert "Intet er gemt" in (refused.text or "")
        await world.ask(bo, f"Ferie til {until.day}/{until.month}", "God ferie")
        offer = await world.ask(carl, "/status", "på forhånd")
        detail = await world.press(carl, offer, label(offer, "Telefonkæde"), "før runden åbner")
        await world.press(carl, detail, label(detail, "Grøn"), "Skriv nu status")
        attach = await world.ask(carl, "60 tilmeldte får et opkald hver dag", "vedhæfte")
        confirm = await world.press(carl, attach, label(attach, "Spring over"), "næste runde")
        await world.press(carl, confirm, label(confirm, "Indberet"), "næste runde åbner")

        # Round 1.
        opened = await world.ask(secretary, f"/statusrunde {plan_id}", "Runde 1")
        body = opened.text or ""
        assert "Statuslister sendt ud, én pr. tovholder: 2." in body
        assert "1 svar givet før runden" in body
        assert "1 tovholder er på ferie" in body
        tove_1 = await world.expect(tove, "runde 1")
        carl_1 = await world.expect(carl, "runde 1")
        assert "0 af 2 besvaret" in (tove_1.text or "")  # Fællesspisning and Rygestop
        assert "1 af 1 besvaret" in (carl_1.text or "")
        assert "(givet før runden)" in (carl_1.text or "")

        # Tove answers Fællesspisning (shared with Bo), across a restart of the bot.
        detail = await world.press(tove, tove_1, label(tove_1, "Fællesspisning"), "Svar senest")
        await world.press(tove, detail, label(detail, "Gul"), "Skriv nu status")
        attach = await world.ask(tove, "Færre deltagere end ventet", "vedhæfte")
        await world.stop_bot("kill")
        await world.start_bot()
        confirm = await world.press(tove, attach, label(attach, "Spring over"), "Det indberettes")
        await world.press(tove, confirm, label(confirm, "Indberet"), "er registreret")

        # Tove hands Rygestop over to Carl, who answers it red.
        detail = await world.press(tove, tove_1, label(tove_1, "Rygestop"), "Svar senest")
        who = await world.press(tove, detail, label(detail, "Giv videre"), "Hvem")
        await world.press(tove, who, label(who, "Carl Clausen"), "Carl Clausen")
        carl_now = await current(world, carl, carl_1.message_id)
        assert "Rygestop" in (carl_now.text or "") and "1 af 2 besvaret" in (carl_now.text or "")
        await answer(world, carl, carl_now, "Rygestop", "Rød", "Ingen tilmeldte i år")
        for user in (secretary, lene):
            alert = await world.expect(user, "Rød status")
            assert "Ingen tilmeldte i år" in (alert.text or "") and "Carl Clausen" in (
                alert.text or ""
            )
        view = await world.press(lene, alert, label(alert, "Se indsatsen"), "Rygestop")
        assert "Carl Clausen" in (view.text or "")

        tove_now = await current(world, tove, tove_1.message_id)
        assert "Rygestop" not in (tove_now.text or "") and "1 af 1 besvaret" in (
            tove_now.text or ""
        )
        overview = await world.ask(secretary, "/statusoverblik", "runde 1")
        assert "Besøgsvenner (Bo Berg) – på ferie til" in (overview.text or "")

        close(world, 1)
        missing = await world.expect(secretary, "mangler status", timeout=20)
        assert "Besøgsvenner" in (missing.text or "") and "på ferie til" in (missing.text or "")
        [report_1] = await documents(world, secretary, 1)

        # Round 2: Bo is back, gets one prompt; nothing calls his unanswered indsats new.
        await world.ask(bo, "Ferie slut", "Velkommen tilbage")
        await world.ask(secretary, f"/statusrunde {plan_id}", "Runde 2")
        bo_2 = await world.expect(bo, "runde 2")
        tove_2 = await world.expect(tove, "runde 2")
        carl_2 = await world.expect(carl, "runde 2")
        assert "0 af 2 besvaret" in (bo_2.text or "") and "0 af 1 besvaret" in (tove_2.text or "")
        detail = await world.press(bo, bo_2, label(bo_2, "Besøgsvenner"), "Svar senest")
        assert "første statusrunde" not in (detail.text or "")
        assert "ikke givet status på denne indsats i de tidligere runder" in (detail.text or "")
        await world.press(bo, detail, label(detail, "Grøn"), "Skriv nu status")
        attach = await world.ask(bo, "42 aktive besøgsvenner", "vedhæfte")
        confirm = await world.press(bo, attach, label(attach, "Spring over"), "Det indberettes")
        await world.press(bo, confirm, label(confirm, "Indberet"), "er registreret")
        bo_now = await current(world, bo, bo_2.message_id)
        await answer(world, bo, bo_now, "Fællesspisning", "Grøn", "25 deltagere hver gang")
        tove_now = await current(world, tove, tove_2.message_id)
        assert "🟢 Fællesspisning – Bo Berg svarede" in (tove_now.text or "")
        detail = await world.press(carl, carl_2, label(carl_2, "Telefonkæde"), "Svar senest")
        confirm = await world.press(carl, detail, label(detail, "Ingen ændring"), "Det indberettes")
        await world.press(carl, confirm, label(confirm, "Indberet"), "er registreret")
        # Carl's Rygestop stays unanswered in round 2.

        status_reply = await world.ask(bo, "/status", "er her")
        assert status_reply.reply_to_message_id == bo_2.message_id
        close(world, 2)
        await world.expect(secretary, "mangler status", timeout=20)
        _, report_2 = await documents(world, secretary, 2)
        charts = len([m for m in await world.client.bot_messages(secretary) if m.photo])
        await world.client.send_command(secretary, "statusoverblik")
        for _ in range(100):
            photos = [m for m in await world.client.bot_messages(secretary) if m.photo]
            if len(photos) > charts:
                break
            await asyncio.sleep(0.1)
        assert photos and (photos[-1].document.data or b"").startswith(b"\x89PNG")  # type: ignore[union-attr]
        assert "Runde 2: 🟢 3 🟡 0 🔴 0 ⬜ 1" in (photos[-1].text or "")

        # One prompt per tovholder per round, never twice.
        assert [len(await prompts(world, u)) for u in (tove, bo, carl)] == [2, 1, 2]
        for user in (tove, bo, carl):
            texts = [m.edits[0].text if m.edits else m.text for m in await prompts(world, user)]
            assert len(set(texts)) == len(texts)
        assert [m for m in await world.client.bot_messages(lene) if is_prompt(m)] == []

        word = Document(io.BytesIO(report_2))
        table = word.tables[-1]
        rows = [[c.text for c in r.cells] for r in table.rows]
        assert rows[0] == [
            "Indsats", "Tovholder", "Runde 1", "Runde 2", "Status og bemærkninger", "Besvaret",
        ]  # fmt: skip
        by_title = {r[0]: r for r in rows[1:]}
        assert by_title["Mål 1: Mestring af eget liv"][1] == "Mål 1: Mestring af eget liv"
        assert by_title["Fællesspisning"][2:4] == ["Gul", "Grøn"]
        assert "Bo Berg" in by_title["Fællesspisning"][4]  # shared: who answered
        assert by_title["Besøgsvenner"][3] == "Grøn" and by_title["Besøgsvenner"][2] == "–"
        assert by_title["Telefonkæde"][2:4] == ["Grøn", "Grøn"]
        assert "ingen ændring" in by_title["Telefonkæde"][5]
        assert by_title["Rygestop"][2:4] == ["Rød", "Mangler svar"]
        titles = [r[0] for r in rows[1:]]
        assert titles.index("Mål 2: Sundhed") > titles.index("Besøgsvenner")
        counts = [[c.text for c in r.cells] for r in word.tables[0].rows]
        assert counts == [
            ["Runde", "Grøn", "Gul", "Rød", "Mangler svar"],
            ["1", "1", "1", "1", "1"],
            ["2", "3", "0", "0", "1"],
        ]
        assert len(word.inline_shapes) == 1
        first = Document(io.BytesIO(report_1))
        assert first.tables[-1].rows[0].cells[2].text == "Runde 1"
        world.assert_no_secrets_in_log()
