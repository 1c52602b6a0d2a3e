"""The demo's clock: the real time, moved forward when the story skips to a later day.

The demo builds its agenda for a meeting two weeks ahead (an agenda is sent before the meeting),
then holds the meeting and approves the protocol. So that the story is true (meeting mode opens
on the meeting day, the protocol is approved after the meeting), the demo moves this clock to
the meeting and then to the next morning; the chat, the outbox worker and the jobs all read it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from agendas.dates import utc_now


@dataclass(slots=True)
class DemoClock:
    offset: timedelta = timedelta(0)

    def __call__(self) -> datetime:
        return utc_now() + self.offset

    def move_to(self, day: date, at: time, zone: str) -> datetime:
        """From now on the clock reads ``day`` ``at`` (local) and runs on from there."""
        target = datetime.combine(day, at, tzinfo=ZoneInfo(zone))
        self.offset = target - utc_now()
        return target
