"""The ``udvalgsbot`` command line: refusals without a token, migrations, scripted set-up."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from storage import migrate


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder with no .env and a clean environment, as on a fresh machine."""
    monkeypatch.chdir(tmp_path)
    for name in ("BOT_TOKEN", "DATABASE_URL", "TELEGRAM_API_BASE", "ADMIN_IDS", "REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


@pytest.mark.parametrize(
    ("token", "says"),
    [
        (None, "BOT_TOKEN is not set"),
        ("change-me", "placeholder"),
        ("12345", "does not look like a Telegram bot token"),
    ],
)
def test_run_refuses_to_start_without_a_plausible_token(
    workdir: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    token: str | None,
    says: str,
) -> None:
    if token is not None:
        monkeypatch.setenv("BOT_TOKEN", token)

    assert main(["run"]) == 2

    err = capsys.readouterr().err
    assert says in err
    assert not (workdir / "data").exists(), "nothing is created before the token is accepted"


def test_webhook_mode_refuses_to_start_without_a_secret(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BOT_TOKEN", "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1")
    monkeypatch.setenv("WEBHOOK_BASE_URL", "https://bot.example.dk")

    assert main(["run", "--webhook"]) == 2

    assert "WEBHOOK_SECRET" in capsys.readouterr().err


def test_db_upgrade_creates_the_default_sqlite_database_at_head(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["db", "upgrade"]) == 0

    assert (workdir / "data" / "udvalgsbot.sqlite3").exists()
    url = "sqlite+aiosqlite:///./data/udvalgsbot.sqlite3"
    assert migrate.current(url) == migrate.head()
    assert main(["db", "current"]) == 0
    assert capsys.readouterr().out.strip().endswith(migrate.head())


def test_udvalg_create_sets_up_a_committee_once(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["udvalg", "create", "beu", "Beskæftigelsesudvalget"]
    forvaltning = ["--forvaltning", "Social- og Sundhedsforvaltningen"]

    assert main([*args, *forvaltning]) == 0
    assert "Oprettet: BEU Beskæftigelsesudvalget" in capsys.readouterr().out

    assert main([*args, *forvaltning]) == 1
    assert "Der findes allerede et udvalg med koden BEU." in capsys.readouterr().err


def test_udvalg_create_refuses_a_malformed_code(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["udvalg", "create", "B", "Udvalg", "--forvaltning", "Forvaltningen"]) == 1
    assert "er ikke gyldig" in capsys.readouterr().err


def test_medlemmer_lists_and_adds_roster_members(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    forvaltning = ["--forvaltning", "Social- og Sundhedsforvaltningen"]
    assert main(["udvalg", "create", "BEU", "Beskæftigelsesudvalget", *forvaltning]) == 0
    capsys.readouterr()

    assert main(["medlemmer", "beu", "--tilfoej", "Jan Kongebro (A) formand"]) == 0
    out = capsys.readouterr().out
    assert "Jan Kongebro (A) er tilføjet til medlemslisten for BEU." in out
    assert "Medlemmer af Beskæftigelsesudvalget (BEU)" in out
    add = "Lise Holm (V) stedfortræder for Jan Kongebro fra 01-02-2026"
    assert main(["medlemmer", "BEU", "--tilfoej", add]) == 0
    capsys.readouterr()

    assert main(["medlemmer", "BEU"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "👥 Medlemmer af Beskæftigelsesudvalget (BEU)"
    assert lines[1].startswith("  1. Jan Kongebro (A), formand, fra ")
    assert lines[1].endswith(" – ✉️ ikke på Telegram")
    assert lines[2] == (
        "  2. Lise Holm (V), stedfortræder for Jan Kongebro, fra 01-02-2026 – ✉️ ikke på Telegram"
    )

    # Bad input: what to write, on stderr; nothing stored.
    assert main(["medlemmer", "BEU", "--tilfoej", "Lise Holm sekretær"]) == 1
    assert "ikke en plads i udvalget" in capsys.readouterr().err
    assert main(["medlemmer", "XYZ"]) == 1
    assert "XYZ" in capsys.readouterr().err
    assert main(["medlemmer", "BEU"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 3
