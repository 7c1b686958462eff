"""iCalendar invitations (RFC 5545 / iTIP) for meetings, built with `icalendar`."""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone, vCalAddress, vText

from workflow.core.message_types import MeetingMessage


def method_of(meeting: MeetingMessage) -> str:
    return "CANCEL" if meeting.change == "cancel" else "REQUEST"


@lru_cache(maxsize=16)
def _timezone(zone_name: str, first_year: int, last_year: int) -> bytes:
    """The VTIMEZONE, with a year either side so it carries real STANDARD/DAYLIGHT rules.
    Built and serialised once per zone and years: it is most of an invitation's work."""
    zone = Timezone.from_tzid(
        zone_name, first_date=date(first_year - 1, 1, 1), last_date=date(last_year + 2, 1, 1)
    )
    return bytes(zone.to_ical())


def invitation(
    meeting: MeetingMessage,
    recipient: str,
    recipient_name: str,
    summary: str,
    description: str,
    now: datetime,
) -> bytes:
    """The .ics: stable UID, growing SEQUENCE, a Europe/Stockholm VTIMEZONE."""
    zone_name = meeting.cycle.timezone
    zone = ZoneInfo(zone_name)
    starts = datetime.fromisoformat(meeting.starts_at).astimezone(zone)
    ends = datetime.fromisoformat(meeting.ends_at).astimezone(zone)
    calendar = Calendar()
    calendar.add("prodid", "-//Löfte//medborgarlöfte//SV")
    calendar.add("version", "2.0")
    calendar.add("method", method_of(meeting))
    event = Event()
    event.add("uid", meeting.uid)
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", now.astimezone(UTC))
    event.add("dtstart", starts)
    event.add("dtend", ends)
    event.add("summary", summary)
    event.add("description", description)
    if meeting.location:
        event.add("location", meeting.location)
    if meeting.organizer_email:
        organizer = vCalAddress(f"mailto:{meeting.organizer_email}")
        organizer.params["cn"] = vText(meeting.organizer_name)
        event.add("organizer", organizer)
    attendee = vCalAddress(f"mailto:{recipient}")
    attendee.params["cn"] = vText(recipient_name)
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    attendee.params["partstat"] = vText("NEEDS-ACTION")
    attendee.params["rsvp"] = vText("TRUE")
    event.add("attendee", attendee)
    event.add("status", "CANCELLED" if meeting.change == "cancel" else "CONFIRMED")
    calendar.add_component(event)
    # The VTIMEZONE goes before the event, as calendar.add_component would have put it.
    timezone = _timezone(zone_name, starts.year, ends.year)
    return bytes(calendar.to_ical()).replace(b"BEGIN:VEVENT\r\n", timezone + b"BEGIN:VEVENT\r\n", 1)
