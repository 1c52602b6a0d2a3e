"""A status round with the real bot process and the emulator: three tovholdere, one answers (with
a restart of the bot in the middle of the answer), one says "ingen ændring", one never answers;
the bot's own scheduler closes the round once its deadline has passed. The report and the
"Status på <plan>" sag on the next meeting show exactly that."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from docx import Document

from bot_api_emulator import ChatMessage, EmuUser
from tests.e2e.world import FAST_DELIVERY, SETTINGS_VARS, World, running_world

pytestmark = [pytest.mark.e2e]

PLAN = "Handleplan for ensomhed"
TOVHOLDERE = (("Tove", "Holst"), ("Bo", "Berg"), ("Carl", "Clausen"))
INDSATSER = ("Fællesspisning", "Besøgsvenner", "Telefonkæde")


@contextlib.asynccontextmanager
async def status_world(workdir: Path) -> AsyncIterator[World]:
    settings = {**FAST_DELIVERY, "SCHEDULER_WATCH_SECONDS": "1"}
    async with running_world("polling", workdir, settings) as world:
        yield world


def cli(world: World, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARS}
    env["DATABASE_URL"] = f"sqlite+aiosqlite:///{world.db_path}"
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


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


async def wait_for_document(world: World, user: EmuUser, timeout: float = 20.0) -> bytes:  # noqa: ASYNC109
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        for message in await world.client.bot_messages(user):
            document = message.document
            if document is not None and (document.file_name or "").endswith(".docx"):
                assert document.data is not None
                return document.data
        await asyncio.sleep(0.2)
    raise AssertionError("the secretary got no status report")


async def test_a_round_with_three_tovholdere(tmp_path: Path) -> None:
    async with status_world(tmp_path) as world:
        committee = await world.setup_committee()
        secretary = committee.secretary
        await world.setup_meeting()
        people: list[EmuUser] = []
        for first, last in TOVHOLDERE:
            token = await world.invite(secretary, "tovholder")
            user = await world.client.create_user(first, last_name=last)
            await world.ask(user, f"/start {token}", "Velkommen")
            people.append(user)
        tove, bo, carl = people

        plan_file = tmp_path / "plan.csv"
        plan_file.write_text(
            "Indsats;Formål;Tovholder\n"
            + "".join(
                f"{title};Mål for {title.lower()};{first} {last}\n"
                for title, (first, last) in zip(INDSATSER, TOVHOLDERE, strict=True)
            ),
            encoding="utf-8",
        )
        done = cli(
            world, "plan", "import", str(plan_file), "--udvalg", "BEU", "--navn", PLAN, "--json"
        )
        assert done.returncode == 0, done.stderr
        imported = json.loads(done.stdout)
        plan_id = imported["plan_id"]
        ids = {i["title"]: i["id"] for i in imported["indsatser"]}
        assert all(i["tovholder_person_id"] for i in imported["indsatser"])
        # An earlier round, so Bo has an answer to reuse.
        earlier = datetime.now(UTC) - timedelta(days=40)
        sql(
            world,
            "INSERT INTO status_round (plan_id, number, opens_at, deadline, reminders, "
            "reminders_sent, state) VALUES (?, 1, ?, ?, '[]', 0, 'closed')",
            plan_id,
            earlier.strftime("%Y-%m-%d %H:%M:%S.%f"),
            (earlier + timedelta(days=7)).strftime("%Y-%m-%d %H:%M:%S.%f"),
        )
        [(round1,)] = sql(world, "SELECT id FROM status_round WHERE number = 1")
        sql(
            world,
            "INSERT INTO status_answer (round_id, indsats_id, colour, text, answered_at, "
            "unchanged, attachment_size) VALUES (?, ?, 'groen', ?, ?, 0, 0)",
            round1,
            ids["Besøgsvenner"],
            "38 aktive besøgsvenner",
            (earlier + timedelta(days=1)).strftime("%Y-%m-%d %H:%M:%S.%f"),
        )

        opened = await world.ask(secretary, f"/statusrunde {plan_id}", "Runde 2")
        assert "3 spørgsmål" in (opened.text or "")
        prompts: dict[str, ChatMessage] = {}
        for user, title in zip(people, INDSATSER, strict=True):
            prompts[title] = await world.expect(user, title)

        # Tove answers; the bot is killed after her text and restarted before she confirms.
        prompt = prompts["Fællesspisning"]
        await world.press(tove, prompt, label(prompt, "Gul"), "Skriv nu status")
        attach = await world.ask(tove, "Færre deltagere end ventet", "vedhæfte")
        await world.stop_bot("kill")
        await world.start_bot()
        confirm = await world.press(tove, attach, label(attach, "Spring over"), "Det indberettes")
        assert "Færre deltagere end ventet" in (confirm.text or "")
        await world.press(tove, confirm, label(confirm, "Indberet"), "er registreret")

        prompt = prompts["Besøgsvenner"]
        confirm = await world.press(bo, prompt, label(prompt, "Ingen ændring"), "Det indberettes")
        assert "38 aktive besøgsvenner" in (confirm.text or "")
        await world.press(bo, confirm, label(confirm, "Indberet"), "er registreret")
        # Carl never answers.

        past = (datetime.now(UTC) - timedelta(seconds=1)).strftime("%Y-%m-%d %H:%M:%S.%f")
        sql(world, "UPDATE status_round SET deadline = ? WHERE number = 2", past)
        missing = await world.expect(secretary, "mangler status", timeout=20)
        assert "Telefonkæde" in (missing.text or "")
        assert "Fællesspisning" not in (missing.text or "")
        report = await wait_for_document(world, secretary)

        rows = {
            r.cells[0].text: (r.cells[2].text, r.cells[3].text, r.cells[4].text)
            for r in Document(io.BytesIO(report)).tables[0].rows[1:]
        }
        assert rows["Fællesspisning"][:2] == ("Gul", "Færre deltagere end ventet")
        assert rows["Besøgsvenner"][:2] == ("Grøn", "38 aktive besøgsvenner")
        assert "ingen ændring" in rows["Besøgsvenner"][2]
        assert rows["Telefonkæde"] == ("Mangler svar", "", "")

        [(punkt_id, sagsfremstilling)] = sql(
            world,
            "SELECT id, sagsfremstilling FROM punkt WHERE title = ?",
            f"Status på {PLAN}",
        )
        assert "Mangler svar: 1" in str(sagsfremstilling)
        assert "Telefonkæde" in str(sagsfremstilling)
        bilag = sql(world, "SELECT file_name FROM bilag WHERE punkt_id = ?", punkt_id)
        assert len(bilag) == 1 and str(bilag[0][0]).endswith(".docx")
        assert sql(world, "SELECT COUNT(*) FROM status_answer WHERE round_id != ?", round1) == [
            (2,)
        ]
        assert carl is not None
        world.assert_no_secrets_in_log()
