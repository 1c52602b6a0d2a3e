"""The bot process stops in the middle of /nysag (gracefully, or killed) and the dialog goes on.

The secretary answers while the bot is down: Telegram (here the emulator) keeps the update until
the bot is back, and the dialog state in the database tells the new process where it was.
"""

from __future__ import annotations

import pytest

from tests.e2e.world import World

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="session")]

INDSTILLING = "Forvaltningen indstiller, at orienteringen tages til efterretning."


async def start_sag(world: World) -> None:
    committee = await world.setup_committee()
    await world.setup_meeting()
    sec = committee.secretary
    await world.client.send_command(sec, "nysag")
    await world.expect(sec, "Skriv sagens titel")


async def finish_sag(world: World) -> None:
    """From the Indstilling question to the saved sag, skipping the optional sections."""
    assert world.committee is not None
    sec = world.committee.secretary
    question = await world.ask(sec, INDSTILLING, "Tidligere beslutninger")
    for following in (
        "Sagsfremstilling",
        "Lov- og plangrundlag",
        "Økonomiske konsekvenser",
        "Tidsplan",
        "Sagen er gemt som punkt",
    ):
        question = await world.press(sec, question, "Spring over", following)
    await world.expect(sec, "Send dokumenter nu")


async def assert_stored_once(world: World, title: str) -> None:
    assert world.committee is not None
    sec = world.committee.secretary
    assert world.count("SELECT count(*) FROM punkt WHERE title = ?", title) == 1
    overview = await world.ask(sec, "/dagsorden", "Godkendelse af dagsorden")
    assert (overview.text or "").count(title) == 1
    await world.quiet(sec, 1.0)  # nothing answered twice after the restart


async def test_graceful_stop_between_two_buttons(world: World) -> None:
    title = "Orientering om jobcentrets resultater"
    await start_sag(world)
    assert world.committee is not None
    sec = world.committee.secretary
    question = await world.ask(sec, title, "Hvilken type sag")
    question = await world.press(sec, question, "Til orientering", "beslutningskompetencen")

    await world.stop_bot("stop")  # SIGINT, as Ctrl-C or systemd: exits 0
    # The button on the question the old process asked, pressed while no bot runs.
    await world.client.press_button(sec, question, text="Andet – skriv selv")
    await world.start_bot()

    question = await world.expect(sec, "Skriv, hvem der har beslutningskompetencen")
    question = await world.ask(sec, "Byrådet", "lukket punkt")
    question = await world.press(sec, question, "Nej, åbent", "Sagens kerne (1/7)")
    await world.ask(sec, "Resultaterne for 3. kvartal.", "Indstilling (2/7)")
    await finish_sag(world)
    await assert_stored_once(world, title)
    full = await world.client.bot_messages(sec)
    assert any("Beslutningskompetence: Byrådet" in (m.text or "") for m in full)


async def test_killed_while_a_section_is_asked(world: World) -> None:
    title = "Status på handleplanen for unge"
    await start_sag(world)
    assert world.committee is not None
    sec = world.committee.secretary
    question = await world.ask(sec, title, "Hvilken type sag")
    question = await world.press(sec, question, "Til drøftelse", "beslutningskompetencen")
    question = await world.press(sec, question, "ØU", "lukket punkt")
    question = await world.press(sec, question, "Ja, lukket", "Sagens kerne (1/7)")

    await world.stop_bot("kill")  # SIGKILL: no chance to clean up
    await world.client.send_text(sec, "Handleplanen er forsinket.")
    await world.start_bot()

    await world.expect(sec, "Indstilling (2/7)")
    await finish_sag(world)
    await assert_stored_once(world, title)
    assert world.count("SELECT count(*) FROM punkt WHERE title = ? AND closed", title) == 1
    world.assert_no_secrets_in_log()
