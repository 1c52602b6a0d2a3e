"""``udvalgsbot demo``: the offline cycle runs and reads like a real conversation."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.demo import run_demo
from bot.demo.scenario import BILAG

pytestmark = pytest.mark.e2e


async def test_the_demo_plays_a_committee_cycle_and_leaves_its_files(tmp_path: Path) -> None:
    lines: list[str] = []
    output = tmp_path / "demo-output"

    assert await run_demo(output, write=lines.append) == 0

    transcript = "\n".join(lines)
    # The people and what they did, in order, as a secretary would recognise it.
    steps = [
        "Anne Admin (admin) ▸ /nytudvalg BEU Beskæftigelsesudvalget",
        "Velkommen, Sofie Svendsen! Du er nu sekretær i Beskæftigelsesudvalget (BEU)",
        "Velkommen, Lene Holm! Du er nu formand i Beskæftigelsesudvalget (BEU)",
        "Mødet er oprettet: Beskæftigelsesudvalget (BEU)",
        "Sofie Svendsen (sekretær) trykker på [Til beslutning]",
        "Sagen er gemt som punkt 3 på dagsordenen",
        "Notat om ungeindsatsen.pdf er vedhæftet som bilag 1",
        "4. 🔒 Lukket punkt: Køb af ejendom til værkstedspladser",
        "Lene Holm (formand) trykker på [3. Ny model for jobrettet indsats",
        "Bilag 1: Notat om ungeindsatsen.pdf",
        "Forhandling om køb af ejendom. Behandles for lukkede døre.",
        "Per Vinther (medlem) ▸ /nytmoede BEU",
        "Kun udvalgets sekretær kan gøre det.",
    ]
    position = 0
    for step in steps:
        found = transcript.find(step, position)
        assert found >= 0, f"{step!r} missing (or out of order) in:\n{transcript}"
        position = found
    # The tovholder sees the closed punkt's title but gets no button to open it.
    tovholder_part = transcript[transcript.index("Tove Holst (tovholder) ▸ /dagsorden") :]
    tovholder_part = tovholder_part[: tovholder_part.index("━━")]
    assert "Lukket punkt: Køb af ejendom" in tovholder_part
    assert "[🔒 4." not in tovholder_part

    assert (output / "udvalgsbot.sqlite3").stat().st_size > 0
    assert (output / "transcript.txt").read_text(encoding="utf-8").startswith("\n━━ 1.")
    [bilag] = list((output / "dokumenter").glob("*Notat om ungeindsatsen.pdf"))
    assert bilag.read_bytes() == BILAG
