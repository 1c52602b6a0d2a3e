"""The .ics file: Copenhagen time with its VTIMEZONE, a stable UID, SEQUENCE for moves."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import icalendar

from agendas.calendar import MeetingEvent, ics_file_name, meeting_ics, meeting_uid

ZONE = "Europe/Copenhagen"


def _event(**changes: object) -> MeetingEvent:
    values: dict[str, object] = {
        "moede_id": 42,
        "udvalg_name": "Beskæftigelsesudvalget",
        "udvalg_code": "BEU",
        "day": date(2027, 3, 29),  # the day after the switch to summer time
        "start": time(14, 0),
        "place": "Rådhuset, mødesal 2",
        "zone": ZONE,
        "stamp": datetime(2027, 3, 1, 12, 0, tzinfo=UTC),
    }
    values.update(changes)
    return MeetingEvent(**values)  # type: ignore[arg-type]


def _vevent(data: bytes) -> icalendar.Event:
    cal = icalendar.Calendar.from_ical(data)
    events = [c for c in cal.walk() if c.name == "VEVENT"]
    assert len(events) == 1
    return events[0]


def test_event_in_copenhagen_time_with_its_timezone() -> None:
    data = meeting_ics(_event())
    assert b"DTSTART;TZID=Europe/Copenhagen:20270329T140000" in data
    assert b"BEGIN:VTIMEZONE" in data and b"TZID:Europe/Copenhagen" in data
    event = _vevent(data)
    start = event.decoded("dtstart")
    # 14:00 summer time is 12:00 UTC.
    assert start.astimezone(UTC) == datetime(2027, 3, 29, 12, 0, tzinfo=UTC)
    assert event.decoded("dtend") - start == timedelta(hours=2)
    assert str(event["location"]) == "Rådhuset, mødesal 2"
    assert "Beskæftigelsesudvalget" in str(event["summary"])
    assert data.count(b"\r\n") > 10  # RFC 5545 line ends


def test_winter_time_meeting() -> None:
    event = _vevent(meeting_ics(_event(day=date(2027, 11, 1), start=time(16, 0))))
    assert event.decoded("dtstart").astimezone(UTC) == datetime(2027, 11, 1, 15, 0, tzinfo=UTC)


def test_a_moved_meeting_keeps_its_uid_and_raises_the_sequence() -> None:
    first = _vevent(meeting_ics(_event()))
    moved = _vevent(meeting_ics(_event(day=date(2027, 4, 5), sequence=1)))
    assert str(first["uid"]) == str(moved["uid"]) == meeting_uid(42) == "moede-42@udvalgsbot"
    assert int(first["sequence"]) == 0
    assert int(moved["sequence"]) == 1
    assert moved.decoded("dtstart").date() == date(2027, 4, 5)


def test_other_meetings_have_other_uids() -> None:
    assert str(_vevent(meeting_ics(_event(moede_id=43)))["uid"]) != meeting_uid(42)


def test_same_input_same_bytes() -> None:
    assert meeting_ics(_event()) == meeting_ics(_event())


def test_file_name() -> None:
    assert ics_file_name("BEU", date(2027, 3, 29)) == "BEU-2027-03-29.ics"
    assert ics_file_name("Ø/U", date(2027, 3, 29)) == "ØU-2027-03-29.ics"


def test_a_meeting_without_a_known_time_is_a_whole_day_event() -> None:
    """An imported meeting whose document gave no time: no invented 00:00 in the calendar."""
    data = meeting_ics(_event(start=None))
    assert b"DTSTART;VALUE=DATE:20270329" in data
    event = _vevent(data)
    assert event.decoded("dtstart") == date(2027, 3, 29)
    assert event.decoded("dtend") == date(2027, 3, 30)


def test_a_committee_calendar_holds_each_meeting_once_with_its_page() -> None:
    """The web archive's feed: one VEVENT per meeting, the invitations' UIDs, the page URL."""
    from agendas.calendar import committee_ics

    data = committee_ics(
        "Beskæftigelsesudvalget",
        [
            _event(),
            _event(moede_id=43, day=date(2027, 11, 2), url="https://x.dk/udvalg/beu/2027-11-02"),
        ],
    )
    cal = icalendar.Calendar.from_ical(data)
    assert str(cal["X-WR-CALNAME"]) == "Beskæftigelsesudvalget"
    events = [c for c in cal.walk() if c.name == "VEVENT"]
    assert [str(e["UID"]) for e in events] == [meeting_uid(42), meeting_uid(43)]
    assert str(events[1]["URL"]) == "https://x.dk/udvalg/beu/2027-11-02"
    assert "URL" not in events[0]
    assert data.count(b"BEGIN:VTIMEZONE") == 1
    empty = icalendar.Calendar.from_ical(committee_ics("Tomt udvalg", []))
    assert [c for c in empty.walk() if c.name == "VEVENT"] == []
