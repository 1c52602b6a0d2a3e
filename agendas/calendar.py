"""The meeting as a calendar file (.ics) for the members' calendars.

One VEVENT with TZID Europe/Copenhagen and the matching VTIMEZONE. The UID is stable per meeting
(``moede-<id>@udvalgsbot``) and SEQUENCE grows each time the meeting moves, so a calendar that
imported the first file updates its entry instead of adding a second one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar

#: A meeting's assumed length when no end time is known yet.
DEFAULT_DURATION = timedelta(hours=2)
PRODID = "-//Udvalgsbot//Dagsorden//DA"
UID_DOMAIN = "udvalgsbot"


def meeting_uid(moede_id: int) -> str:
    return f"moede-{moede_id}@{UID_DOMAIN}"


def ics_file_name(udvalg_code: str, day: date) -> str:
    safe = "".join(c for c in udvalg_code if c.isalnum()) or "moede"
    return f"{safe}-{day.isoformat()}.ics"


@dataclass(frozen=True, slots=True)
class MeetingEvent:
    moede_id: int
    udvalg_name: str
    udvalg_code: str
    day: date
    start: time
    place: str
    zone: str
    #: Bumped by the caller each time date, time or place change after the first release.
    sequence: int = 0
    description: str = ""
    stamp: datetime | None = None  # DTSTAMP (UTC): when this version was made
    cancelled: bool = False
    #: The meeting's public page in the web archive, if any.
    url: str = ""


def _calendar(method: str) -> icalendar.Calendar:
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    return cal


def meeting_ics(event: MeetingEvent) -> bytes:
    """The .ics bytes of one meeting (RFC 5545, CRLF line ends)."""
    cal = _calendar("CANCEL" if event.cancelled else "PUBLISH")
    cal.add_component(_vevent(event))
    # Only the zone's rules around the meeting: a small file that still says when DST changes.
    cal.add_missing_timezones(
        first_date=event.day - timedelta(days=366), last_date=event.day + timedelta(days=366)
    )
    return bytes(cal.to_ical())


def committee_ics(name: str, events: list[MeetingEvent]) -> bytes:
    """A committee's meetings as one calendar to subscribe to (the web archive's feed): the
    same UIDs and SEQUENCE as the invitations, so an entry moves instead of doubling."""
    cal = _calendar("PUBLISH")
    cal.add("x-wr-calname", name)
    for event in events:
        cal.add_component(_vevent(event))
    if events:
        days = [e.day for e in events]
        cal.add_missing_timezones(
            first_date=min(days) - timedelta(days=366), last_date=max(days) + timedelta(days=366)
        )
    return bytes(cal.to_ical())


def _vevent(event: MeetingEvent) -> icalendar.Event:
    zone = ZoneInfo(event.zone)
    starts = datetime.combine(event.day, event.start, tzinfo=zone)
    vevent = icalendar.Event()
    vevent.add("uid", meeting_uid(event.moede_id))
    vevent.add("sequence", event.sequence)
    # DTSTAMP is required; without a known stamp the start (in UTC) keeps the file reproducible.
    vevent.add("dtstamp", (event.stamp or starts).astimezone(UTC))
    vevent.add("dtstart", starts)
    vevent.add("dtend", starts + DEFAULT_DURATION)
    vevent.add("summary", f"Møde i {event.udvalg_name} ({event.udvalg_code})")
    if event.place:
        vevent.add("location", event.place)
    if event.description:
        vevent.add("description", event.description)
    if event.url:
        vevent.add("url", event.url)
    vevent.add("status", "CANCELLED" if event.cancelled else "CONFIRMED")
    return vevent
