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
