"""Settings: a plausible bot token or a refusal that says why; admin ids; zone; webhook."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import SecretStr, ValidationError

from bot.settings import Settings, SettingsError

GOOD_TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1"


def settings(**values: Any) -> Settings:
    return Settings(_env_file=None, **values)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("BOT_TOKEN", "ADMIN_IDS", "TIMEZONE", "WEBHOOK_BASE_URL", "WEBHOOK_SECRET"):
        monkeypatch.delenv(name, raising=False)


def test_plausible_token_is_accepted_and_stays_secret() -> None:
    config = settings(bot_token=GOOD_TOKEN)
    assert config.require_token() == GOOD_TOKEN
    assert GOOD_TOKEN not in repr(config)
    assert GOOD_TOKEN not in str(config.model_dump())
    assert settings(bot_token=f"  {GOOD_TOKEN}\n").require_token() == GOOD_TOKEN


@pytest.mark.parametrize("token", [None, "", "   "])
def test_missing_token_is_refused_with_a_hint(token: str | None) -> None:
    with pytest.raises(SettingsError, match="BOT_TOKEN is not set"):
        settings(bot_token=token).require_token()


@pytest.mark.parametrize(
    "token",
    ["change-me", "your-token-here", "123456789:YOUR_TOKEN_FROM_BOTFATHER_xxxxxxxxxxxxxxx"],
)
def test_placeholder_token_is_refused(token: str) -> None:
    with pytest.raises(SettingsError, match="placeholder"):
        settings(bot_token=token).require_token()


@pytest.mark.parametrize(
    "token",
    [
        "987654321",
        "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1",
        "abc:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1",
        "123456789:short",
        "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PA Dsaw1",
        "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1/",
    ],
)
def test_malformed_token_is_refused_without_echoing_it(token: str) -> None:
    with pytest.raises(SettingsError, match="does not look like") as info:
        settings(bot_token=token).require_token()
    assert token not in str(info.value)


def test_token_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_TOKEN", GOOD_TOKEN)
    config = settings()
    assert isinstance(config.bot_token, SecretStr)
    assert config.require_token() == GOOD_TOKEN


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1,2 3", {1, 2, 3}),
        (" 42 ", {42}),
        ("", set()),
        ("7;8,\n9", {7, 8, 9}),
        ("9007199254740993", {9007199254740993}),
    ],
)
def test_admin_ids_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, raw: str, expected: set[int]
) -> None:
    monkeypatch.setenv("ADMIN_IDS", raw)
    assert settings().admin_ids == frozenset(expected)


def test_admin_ids_refuse_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADMIN_IDS", "1,ada")
    with pytest.raises(ValidationError, match="ADMIN_IDS"):
        settings()


def test_admin_ids_default_and_single_int() -> None:
    assert settings().admin_ids == frozenset()
    assert settings(admin_ids=5).admin_ids == frozenset({5})


def test_time_zone_default_and_unknown_zone_refused() -> None:
    assert settings().timezone == "Europe/Copenhagen"
    assert settings(timezone="UTC").timezone == "UTC"
    for zone in ("Europe/Aarhus", "Mars/Olympus", "../etc/passwd", ""):
        with pytest.raises(ValidationError, match="time zone"):
            settings(timezone=zone)


def test_log_level_is_case_insensitive_and_checked() -> None:
    assert settings(log_level="debug").log_level == "DEBUG"
    with pytest.raises(ValidationError):
        settings(log_level="LOUD")


def test_webhook_needs_a_url_and_a_strong_secret() -> None:
    with pytest.raises(SettingsError, match="WEBHOOK_BASE_URL"):
        settings(webhook_secret="s" * 32).require_webhook()
    for secret in (None, "short", "has spaces in the secret", "æ" * 20, "x" * 257):
        with pytest.raises(SettingsError, match="WEBHOOK_SECRET"):
            settings(
                webhook_base_url="https://bot.example.dk", webhook_secret=secret
            ).require_webhook()


def test_webhook_url_joins_base_and_path() -> None:
    config = settings(webhook_base_url="https://bot.kommune.dk/", webhook_secret="A-b_9" * 4)
    assert config.require_webhook() == ("https://bot.kommune.dk/telegram/webhook", "A-b_9" * 4)
    custom = settings(
        webhook_base_url="https://x.dk", webhook_path="/hook", webhook_secret="s" * 16
    )
    assert custom.require_webhook() == ("https://x.dk/hook", "s" * 16)


def test_the_archive_settings_are_checked_and_normalised() -> None:
    config = settings(
        archive_base_url="https://dagsordener.egeby.dk/arkiv/",
        archive_path="arkiv/",
        bot_username="@egeby_udvalgsbot",
    )
    assert config.archive_base_url == "https://dagsordener.egeby.dk/arkiv"
    assert config.archive_path == "/arkiv"
    assert config.bot_username == "egeby_udvalgsbot"
    assert not config.archive_serve
    defaults = settings()
    assert (defaults.archive_base_url, defaults.archive_path, defaults.bot_username) == (
        None,
        "/arkiv",
        None,
    )
    for bad in (
        {"archive_base_url": "dagsordener.egeby.dk"},
        {"archive_base_url": "ftp://x.dk"},
        {"archive_path": "/"},
        {"archive_path": "/ar kiv"},
        {"bot_username": "x"},
        {"bot_username": "t.me/egeby"},
    ):
        with pytest.raises(ValidationError):
            settings(**bad)
