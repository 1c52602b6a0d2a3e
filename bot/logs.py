"""Logging set-up. The bot token is a password: it is masked in every line we write."""

from __future__ import annotations

import logging
import sys


class RedactFilter(logging.Filter):
    """Replaces secrets (the bot token, the webhook secret) in the formatted message."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        message = record.getMessage()
        exc_text = record.exc_text or ""
        if record.exc_info and not exc_text:
            exc_text = logging.Formatter().formatException(record.exc_info)
        changed = False
        for secret in self.secrets:
            if secret in message or secret in exc_text:
                message = message.replace(secret, "<redacted>")
                exc_text = exc_text.replace(secret, "<redacted>")
                changed = True
        if changed:
            record.msg, record.args = message, None
            record.exc_info, record.exc_text = None, exc_text or None
        return True


def configure(level: str, secrets: list[str] | None = None) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactFilter(secrets or []))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # aiohttp's access log would print every webhook request line; keep warnings only.
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
