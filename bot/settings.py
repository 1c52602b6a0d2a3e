"""Settings from the environment and ``.env`` (pydantic-settings). Built on demand, never global."""

from __future__ import annotations

import re
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

#: Telegram tokens look like ``123456789:AAH...`` (bot id, colon, 35 characters).
_TOKEN = re.compile(r"^\d{5,15}:[A-Za-z0-9_-]{30,}$")
#: Values from .env.example and documentation that must never reach Telegram.
_PLACEHOLDERS = ("change", "your", "token", "xxx", "example", "placeholder")


class SettingsError(ValueError):
    """Raised with a message a person can act on (shown by the CLI without a traceback)."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        env_ignore_empty=True,
        extra="ignore",
        case_sensitive=False,
    )

    bot_token: SecretStr | None = None
    database_url: str = "sqlite+aiosqlite:///./data/udvalgsbot.sqlite3"
    telegram_api_base: str | None = None
    timezone: str = "Europe/Copenhagen"
    default_language: Literal["da", "en"] = "da"
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    redis_url: str | None = None
    invite_ttl_days: int = Field(default=7, ge=1, le=90)
    webhook_base_url: str | None = None
    webhook_path: str = "/telegram/webhook"
    webhook_secret: SecretStr | None = None
    webhook_host: str = "127.0.0.1"
    webhook_port: int = Field(default=8080, ge=1, le=65535)

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _parse_admin_ids(cls, value: object) -> object:
        """Accept ``1,2,3`` or ``1 2 3`` as well as a list."""
        if isinstance(value, str):
            parts = [p for p in re.split(r"[,\s;]+", value.strip()) if p]
            try:
                return frozenset(int(p) for p in parts)
            except ValueError as exc:
                raise ValueError("ADMIN_IDS must be Telegram user ids separated by commas") from exc
        if isinstance(value, int):
            return frozenset({value})
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    def require_token(self) -> str:
        """The token, or a refusal that says why; ``run`` calls this before anything else."""
        if self.bot_token is None or not self.bot_token.get_secret_value().strip():
            raise SettingsError(
                "BOT_TOKEN is not set. Put the token from @BotFather in .env or the environment "
                "(see .env.example), or try `udvalgsbot demo`, which needs no token."
            )
        token = self.bot_token.get_secret_value().strip()
        lowered = token.lower()
        if any(word in lowered for word in _PLACEHOLDERS):
            raise SettingsError(
                "BOT_TOKEN still holds the placeholder from .env.example; replace it with the "
                "token from @BotFather."
            )
        if not _TOKEN.match(token):
            raise SettingsError(
                "BOT_TOKEN does not look like a Telegram bot token (expected digits, a colon and "
                "about 35 letters, e.g. 123456789:AAH...)."
            )
        return token

    def require_webhook(self) -> tuple[str, str]:
        """The public webhook URL and its secret; webhook mode refuses to start without them."""
        if not self.webhook_base_url:
            raise SettingsError("WEBHOOK_BASE_URL is needed for --webhook (the public https URL).")
        secret = self.webhook_secret.get_secret_value() if self.webhook_secret else ""
        if not re.fullmatch(r"[A-Za-z0-9_-]{16,256}", secret):
            raise SettingsError(
                "WEBHOOK_SECRET must be 16-256 characters of A-Z, a-z, 0-9, _ and - "
                "(Telegram's rule for secret_token)."
            )
        return self.webhook_base_url.rstrip("/") + self.webhook_path, secret
