"""iCalendar invitations (RFC 5545 / iTIP) for meeting steps, built with `icalendar`."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone, vCalAddress, vText

from workflow.records import MessageKind, OutboxMessage

METHODS = {
    MessageKind.MEETING_INVITE: "REQUEST",
    MessageKind.MEETING_UPDATE: "REQUEST",
    MessageKind.MEETING_CANCEL: "CANCEL",
}


def is_meeting(message: OutboxMessage) -> bool:
    return message.kind in METHODS


def method_of(message: OutboxMessage) -> str:
    return METHODS[message.kind]


def invitation(message: OutboxMessage, summary: str, description: str, now: datetime) -> bytes:
    """The .ics for a meeting message: stable UID, SEQUENCE, Europe/Stockholm VTIMEZONE."""
    c = message.context
    meeting: dict[str, Any] = c["meeting"]
    zone_name = c.get("timezone", "Europe/Stockholm")
    zone = ZoneInfo(zone_name)
    starts = datetime.fromisoformat(meeting["starts_at"]).astimezone(zone)
    ends = datetime.fromisoformat(meeting["ends_at"]).astimezone(zone)

    calendar = Calendar()
    calendar.add("prodid", "-//Löfte//medborgarlöfte//SV")
    calendar.add("version", "2.0")
    calendar.add("method", METHODS[message.kind])
    # A year either side, so the VTIMEZONE carries real STANDARD/DAYLIGHT rules.
    calendar.add_component(
        Timezone.from_tzid(
            zone_name,
            first_date=date(starts.year - 1, 1, 1),
            last_date=date(ends.year + 2, 1, 1),
        )
    )
    event = Event()
    event.add("uid", meeting["uid"])
    event.add("sequence", int(meeting["sequence"]))
    event.add("dtstamp", now.astimezone(UTC))
    event.add("dtstart", starts)
    event.add("dtend", ends)
    event.add("summary", summary)
    event.add("description", description)
    if meeting.get("location"):
        event.add("location", meeting["location"])
    organizer = vCalAddress(f"mailto:{meeting['organizer_email']}")
    organizer.params["cn"] = vText(meeting["organizer_name"])
    event.add("organizer", organizer)
    attendee = vCalAddress(f"mailto:{message.recipient}")
    attendee.params["cn"] = vText(c.get("recipient_name", ""))
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    attendee.params["partstat"] = vText("NEEDS-ACTION")
    attendee.params["rsvp"] = vText("TRUE")
    event.add("attendee", attendee)
    event.add("status", "CANCELLED" if message.kind is MessageKind.MEETING_CANCEL else "CONFIRMED")
    calendar.add_component(event)
    return bytes(calendar.to_ical())
