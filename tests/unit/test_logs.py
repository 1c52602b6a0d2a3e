"""The bot token never appears in a log line, not even inside a traceback."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from bot import logs

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1"
SECRET = "webhook-secret-0123456789"


@pytest.fixture
def captured() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    """A logger whose lines go through the real handler set-up into a buffer."""
    root = logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level
    logs.configure("DEBUG", [TOKEN, SECRET, ""])
    handler = root.handlers[0]
    buffer = io.StringIO()
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(buffer)
    try:
        yield logging.getLogger("udvalgsbot.test"), buffer
    finally:
        for h in list(root.handlers):
            root.removeHandler(h)
        for h in saved_handlers:
            root.addHandler(h)
        root.setLevel(saved_level)


def test_token_in_message_and_args_is_masked(
    captured: tuple[logging.Logger, io.StringIO],
) -> None:
    log, buffer = captured
    log.info("calling https://api.telegram.org/bot%s/getMe", TOKEN)
    log.warning(f"direct {TOKEN} and secret {SECRET}")  # noqa: G004 (a careless caller)
    text = buffer.getvalue()
    assert TOKEN not in text and SECRET not in text
    assert "bot<redacted>/getMe" in text
    assert text.count("<redacted>") == 3


def test_token_inside_a_traceback_is_masked(
    captured: tuple[logging.Logger, io.StringIO],
) -> None:
    log, buffer = captured
    try:
        raise RuntimeError(f"Request to /bot{TOKEN}/sendMessage failed")
    except RuntimeError:
        log.exception("delivery failed")
    text = buffer.getvalue()
    assert TOKEN not in text
    assert "Traceback" in text and "RuntimeError" in text
    assert "delivery failed" in text


def test_token_in_a_chained_exception_is_masked(
    captured: tuple[logging.Logger, io.StringIO],
) -> None:
    log, buffer = captured
    try:
        try:
            raise ValueError(TOKEN)
        except ValueError as inner:
            raise RuntimeError("outer") from inner
    except RuntimeError:
        log.exception("failed")
    assert TOKEN not in buffer.getvalue()
    assert "ValueError: <redacted>" in buffer.getvalue()


def test_lines_without_secrets_are_unchanged(
    captured: tuple[logging.Logger, io.StringIO],
) -> None:
    log, buffer = captured
    log.info("agenda for %s sent to %d members", "BEU", 7)
    assert buffer.getvalue().rstrip().endswith("udvalgsbot.test: agenda for BEU sent to 7 members")


def test_filter_passes_everything_when_there_is_no_secret() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "value %s", (TOKEN,), None)
    assert logs.RedactFilter([""]).filter(record)
    assert record.getMessage() == f"value {TOKEN}"
