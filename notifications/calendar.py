"""iCalendar invitations (RFC 5545 / iTIP) for meetings, built with `icalendar`.

Every participant of a meeting gets the same invitation but for two lines: the ATTENDEE (who
they are) and the DESCRIPTION (their email's text, which greets them by name). The rest, the
frame, is built by `icalendar` once per meeting and moment; the two lines are made by
`icalendar`'s own `Contentline.from_parts`, as `Component.to_ical` makes them, and folded by
`fold_line`, which folds exactly as `icalendar` does, without measuring each character.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone, vCalAddress, vText
from icalendar.parser import Contentline

from lofte.workflow.core.message_types import MeetingMessage

LINE_OCTETS = 74  # a content line's octets before a fold (75 with the fold's space)
_ATTENDEE_MARK = "lofte.attendee"
_DESCRIPTION_MARK = "lofte.description"


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
    attendee = vCalAddress(f"mailto:{recipient}")
    attendee.params["cn"] = vText(recipient_name)
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    attendee.params["partstat"] = vText("NEEDS-ACTION")
    attendee.params["rsvp"] = vText("TRUE")
    frame = _frame(meeting, summary, now.astimezone(UTC))
    # A mark is a whole line (after the CRLF that ends the line before it): text in the
    # frame cannot hold one, since a value's line breaks are escaped.
    frame = frame.replace(_ATTENDEE_LINE, b"\r\n" + _line("ATTENDEE", attendee), 1)
    return frame.replace(_DESCRIPTION_LINE, b"\r\n" + _line("DESCRIPTION", vText(description)), 1)


@lru_cache(maxsize=64)
def _frame(meeting: MeetingMessage, summary: str, stamp: datetime) -> bytes:
    """The invitation with marks for its ATTENDEE and DESCRIPTION lines."""
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
    event.add("dtstamp", stamp)
    event.add("dtstart", starts)
    event.add("dtend", ends)
    event.add("summary", summary)
    event.add("description", _DESCRIPTION_MARK)
    if meeting.location:
        event.add("location", meeting.location)
    if meeting.organizer_email:
        organizer = vCalAddress(f"mailto:{meeting.organizer_email}")
        organizer.params["cn"] = vText(meeting.organizer_name)
        event.add("organizer", organizer)
    event.add("attendee", vCalAddress(f"mailto:{_ATTENDEE_MARK}"))
    event.add("status", "CANCELLED" if meeting.change == "cancel" else "CONFIRMED")
    calendar.add_component(event)
    # The VTIMEZONE goes before the event, as calendar.add_component would have put it.
    timezone = _timezone(zone_name, starts.year, ends.year)
    return bytes(calendar.to_ical()).replace(b"BEGIN:VEVENT\r\n", timezone + b"BEGIN:VEVENT\r\n", 1)


def _line(name: str, value: vText | vCalAddress) -> bytes:
    """One property's content line as `Component.to_ical` writes it, CRLF included."""
    line = Contentline.from_parts(name, value.params, value)
    return fold_line(str(line)).encode("utf-8") + b"\r\n"


def fold_line(line: str) -> str:
    """`line` folded as `icalendar` folds it: at most 74 octets before each fold, never inside
    a character, and a backslash or caret that ends a piece moves to the next (so an escape
    is never split)."""
    data = line.encode("utf-8")
    if len(data) <= LINE_OCTETS:
        return line
    pieces = []
    start = 0
    while len(data) - start > LINE_OCTETS:
        cut = start + LINE_OCTETS
        while data[cut] & 0xC0 == 0x80:  # inside a character: cut before it
            cut -= 1
        if data[cut - 1] in b"\\^" and _characters(data[start:cut]) > 1:
            cut -= 1
        pieces.append(data[start:cut])
        start = cut
    pieces.append(data[start:])
    return b"\r\n ".join(pieces).decode("utf-8")


def _characters(data: bytes) -> int:
    return sum(1 for byte in data if byte & 0xC0 != 0x80)


_ATTENDEE_LINE = b"\r\n" + _line("ATTENDEE", vCalAddress(f"mailto:{_ATTENDEE_MARK}"))
_DESCRIPTION_LINE = b"\r\n" + _line("DESCRIPTION", vText(_DESCRIPTION_MARK))
