"""The ``udvalgsbot`` command line: refusals without a token, migrations, scripted set-up."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from bot.settings import Settings
from storage import migrate

EXAMPLES = Path(__file__).resolve().parents[1].parent / "shared" / "examples"


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
        ("CHANGE-ME", "placeholder"),
        ("your-token", "placeholder"),
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


@pytest.mark.parametrize(
    "token",
    [
        "123456789:AAHxxxTcvCH1vGWJxfSeofSAs0K5PALDsaw1",
        "123456789:AAHdqTokenvGWJxfSeofSAs0K5PALDsaw1",
        "123456789:AAHdqYourCH1vGWJxfSeofSAs0K5PALDsaw1",
        "123456789:AAHdqChangeGWJxfSeofExampleALDsaw1",
    ],
)
def test_a_real_token_that_contains_a_placeholder_word_is_accepted(
    workdir: Path, token: str
) -> None:
    """Issue 16: about one token in a thousand contains "xxx", "token", "your"…: still a token."""
    assert Settings(bot_token=token).require_token() == token  # type: ignore[arg-type]


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


UDVALGSBOT = Path(sys.executable).with_name("udvalgsbot")


def installed(workdir: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """The installed command, as an operator types it, in a clean environment."""
    environment = {k: v for k, v in os.environ.items() if k not in {"BOT_TOKEN", "DATABASE_URL"}}
    environment.update(env)
    return subprocess.run(
        [str(UDVALGSBOT), *args],
        cwd=workdir,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("args", "env", "says"),
    [
        (("db", "upgrade", "9999"), {}, "kender ikke revisionen 9999"),
        (("emulator", "--port", "99999"), {}, "Porten skal være et tal fra 1 til 65535"),
        (("db", "current"), {"DATABASE_URL": "foo"}, "DATABASE_URL kan ikke læses"),
        (
            ("moeder",),
            {"DATABASE_URL": "postgresql+psycopg://ingen_bruger@127.0.0.1:5432/test"},
            "Kan ikke forbinde til databasen",
        ),
    ],
)
def test_an_operator_mistake_is_one_line_and_exit_code_2(
    workdir: Path, args: tuple[str, ...], env: dict[str, str], says: str
) -> None:
    """Issue 16: no Python traceback for what the operator can fix."""
    done = installed(workdir, *args, **env)
    assert done.returncode == 2
    assert says in done.stderr
    assert "Traceback" not in done.stderr
    assert len([line for line in done.stderr.splitlines() if line.strip()]) <= 2  # usage + line


def test_the_tools_are_quiet_unless_asked_and_say_their_version(workdir: Path) -> None:
    quiet = installed(workdir, "db", "upgrade")
    assert quiet.returncode == 0 and quiet.stderr == ""
    assert "Database at" in quiet.stdout
    loud = installed(workdir, "-v", "db", "current")
    assert "alembic" in loud.stderr
    version = installed(workdir, "--version")
    assert version.returncode == 0 and version.stdout.startswith("udvalgsbot ")


def test_meetings_and_plans_are_listed_with_the_ids_the_other_commands_take(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["moeder"]) == 0
    assert "ingen møder endnu" in capsys.readouterr().out
    assert main(["udvalg", "create", "SOU", "Sundhedsudvalget", "--forvaltning", "SSF"]) == 0
    example = EXAMPLES / "referat_sundhed_2025-03-04.txt"
    assert main(["import", str(example), "--udvalg", "SOU"]) == 0
    plan = EXAMPLES / "handleplan_ensomhed_2025.csv"
    assert main(["plan", "import", str(plan), "--udvalg", "SOU", "--navn", "Ensomhed"]) == 0
    capsys.readouterr()

    assert main(["moeder", "--udvalg", "sou"]) == 0
    assert capsys.readouterr().out.split() == [
        "1",
        "SOU",
        "04-03-2025",
        "kl.",
        "15.00",
        "Mødelokale",
        "2,",
        "Egeby",
        "Rådhus",
    ]
    assert main(["plan", "list"]) == 0
    assert capsys.readouterr().out.split()[:4] == ["1", "SOU", "Ensomhed", "(6"]
    assert main(["plan", "report", "99", "-o", "r.docx"]) == 1
    assert "udvalgsbot plan list" in capsys.readouterr().err
    assert main(["moeder", "--udvalg", "XYZ"]) == 1
