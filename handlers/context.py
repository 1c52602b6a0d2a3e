"""Plain values the handlers need from the composition root (injected as workflow data)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from agendas.dates import utc_now


@dataclass(frozen=True, slots=True)
class ChatConfig:
    """What the chat layer is told about the deployment: zone, invite lifetime, languages."""

    timezone: str = "Europe/Copenhagen"
    invite_ttl: timedelta = timedelta(days=7)
    default_language: str = "da"
    clock: Callable[[], datetime] = utc_now
    #: The municipality's Word template (DOCX_TEMPLATE), already checked; None: built-in layout.
    docx_template: bytes | None = None
    #: The web archive's public address (ARCHIVE_BASE_URL): the released agenda and /soeg
    #: link the public meeting pages; None: no links.
    archive_base_url: str | None = None

    def now(self) -> datetime:
        return self.clock()

    def today(self) -> datetime:
        """Now in the committee's zone (dates typed by users are local dates)."""
        from zoneinfo import ZoneInfo

        return self.clock().astimezone(ZoneInfo(self.timezone))
