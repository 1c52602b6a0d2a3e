"""Settings from the environment and ``.env`` (pydantic-settings). Built on demand, never global."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

#: Telegram tokens look like ``123456789:AAH...`` (bot id, colon, 35 characters).
_TOKEN = re.compile(r"^\d{5,15}:[A-Za-z0-9_-]{30,}$")
#: The values .env.example and the README show: refused as they are, whole. A real token that
#: merely contains "xxx" or "Token" (one in a thousand) is a token; its shape is checked below.
_PLACEHOLDERS = frozenset({"change-me", "changeme", "your-token", "your_token_here", "<token>"})


def _env_example_token() -> str | None:
    """BOT_TOKEN as .env.example has it, when that file is beside us (a checkout)."""
    example = Path(".env.example")
    if not example.is_file():
        return None
    for line in example.read_text(encoding="utf-8", errors="replace").splitlines():
        name, _, value = line.partition("=")
        if name.strip() == "BOT_TOKEN":
            return value.strip().strip("'\"").lower() or None
    return None


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
    # Delivery (bot/workers/delivery.py, bot/workers/scheduler.py): the outbox worker's rates
    # and the schedules.
    delivery_rate: float = Field(default=25.0, gt=0, le=1000)
    delivery_private_interval: float = Field(default=1.1, ge=0, le=60)
    delivery_group_interval: float = Field(default=3.0, ge=0, le=600)
    delivery_lease_seconds: float = Field(default=60.0, ge=1, le=3600)
    delivery_max_attempts: int = Field(default=5, ge=1, le=50)
    delivery_poll_seconds: float = Field(default=0.5, gt=0, le=60)
    scheduler_enabled: bool = True
    scheduler_watch_seconds: int = Field(default=60, ge=1, le=3600)
    #: Members who have not approved a protocol are reminded after this many hverdage.
    approval_reminder_hverdage: int = Field(default=2, ge=1, le=20)
    #: A municipality's Word document whose styles, letterhead and fonts the DOCX output uses.
    docx_template: Path | None = None

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
        if token.lower() in _PLACEHOLDERS or token.lower() == _env_example_token():
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

    def read_docx_template(self) -> bytes | None:
        """The bytes of ``DOCX_TEMPLATE``, checked like an uploaded DOCX; None when unset.

        ``run`` calls this before anything else and the composition root loads it once, so a
        missing or unsafe template stops the start with a message instead of failing later.
        """
        if self.docx_template is None:
            return None
        from agendas.documents.safety import open_docx_safely
        from agendas.errors import InvalidInput

        path = self.docx_template
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise SettingsError(
                f"DOCX_TEMPLATE {path} cannot be read ({exc.strerror or exc}). Point it at the "
                "municipality's .docx file, or leave it empty for the built-in layout."
            ) from exc
        try:
            open_docx_safely(data)
        except InvalidInput as exc:
            reason = _TEMPLATE_REFUSALS.get(exc.key, "it cannot be opened as a Word document")
            raise SettingsError(
                f"DOCX_TEMPLATE {path} is not usable: {reason}. Save it in Word as .docx "
                "(not .doc, .dotx or with a password) and try again."
            ) from exc
        return data


#: Why a template was refused, for the operator (the keys are those of agendas.documents.safety).
_TEMPLATE_REFUSALS = {
    "err-docx-not-zip": "it is not a .docx file (not a zip package)",
    "err-docx-encrypted": "it is encrypted or in the old .doc format",
    "err-docx-bomb": "it unpacks to far too much data",
    "err-docx-doctype": "it contains a DOCTYPE/ENTITY declaration",
    "err-docx-too-large": "it is larger than 20 MB",
    "err-docx-invalid": "it is not a complete Word document",
}
