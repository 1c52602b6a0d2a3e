"""The meeting as a calendar file (.ics) for the members' calendars.

One VEVENT with TZID Europe/Copenhagen and the matching VTIMEZONE. The UID is stable per meeting
(``moede-<id>@udvalgsbot``) and SEQUENCE grows each time the meeting moves, so a calendar that
imported the first file updates its entry instead of adding a second one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:  # loaded on first use: the bot's start does not need it
    import icalendar

#: A meeting's length when its udvalg has not set another (``Udvalg.meeting_minutes``).
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
    #: None: the time is not known, and the event is a whole-day one (RFC 5545 3.6.1).
    start: time | None
    place: str
    zone: str
    #: Bumped by the caller each time date, time or place change after the first release.
    sequence: int = 0
    description: str = ""
    stamp: datetime | None = None  # DTSTAMP (UTC): when this version was made
    cancelled: bool = False
    #: The meeting's public page in the web archive, if any.
    url: str = ""
    #: How long the meeting lasts in the calendar: the udvalg's usual meeting length.
    duration: timedelta = DEFAULT_DURATION


def _zones(cal: icalendar.Calendar, first: date, last: date) -> None:
    """Only the zone's rules around the meetings: a small file that still says when DST changes.
    icalendar notes the span of the rules it wrote ("only works from … to …") in English; the
    span covers these meetings, so the note only confuses a reader of the file."""
    cal.add_missing_timezones(
        first_date=first - timedelta(days=366), last_date=last + timedelta(days=366)
    )
    for zone_component in cal.walk("VTIMEZONE"):
        zone_component.pop("COMMENT", None)


def _calendar(method: str) -> icalendar.Calendar:
    import icalendar

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
    _zones(cal, event.day, event.day)
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
        _zones(cal, min(days), max(days))
    return bytes(cal.to_ical())


def _vevent(event: MeetingEvent) -> icalendar.Event:
    import icalendar

    zone = ZoneInfo(event.zone)
    starts = datetime.combine(event.day, event.start or time(0), tzinfo=zone)
    vevent = icalendar.Event()
    vevent.add("uid", meeting_uid(event.moede_id))
    vevent.add("sequence", event.sequence)
    # DTSTAMP is required; without a known stamp the start (in UTC) keeps the file reproducible.
    vevent.add("dtstamp", (event.stamp or starts).astimezone(UTC))
    if event.start is None:
        vevent.add("dtstart", event.day)
        vevent.add("dtend", event.day + timedelta(days=1))
    else:
        vevent.add("dtstart", starts)
        vevent.add("dtend", starts + event.duration)
    vevent.add("summary", f"Møde i {event.udvalg_name} ({event.udvalg_code})")
    if event.place:
        vevent.add("location", event.place)
    if event.description:
        vevent.add("description", event.description)
    if event.url:
        vevent.add("url", event.url)
    vevent.add("status", "CANCELLED" if event.cancelled else "CONFIRMED")
    return vevent
