"""The invitation's .ics: exactly what `icalendar` writes for the whole calendar built per
recipient, though its frame is built once per meeting; and its folding, exactly icalendar's."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar, Event, Timezone, vCalAddress, vText
from icalendar.parser import Contentline

from lofte.notifications.calendar import fold_line, invitation, method_of
from lofte.workflow.core.message_types import CycleRef, MeetingMessage

NOW = datetime(2027, 1, 18, 8, 0, tzinfo=UTC)
CYCLE = CycleRef(
    definition="est-mote",
    unit_id="sala",
    unit_name="Sala kommun",
    title="EST-möte",
    short_title="EST-möte",
    period_label="v. 3 2027",
    instance_key="est-mote.sala.2027-W03",
    instance_id=7,
)
MEETING = MeetingMessage(
    cycle=CYCLE,
    step_title="Samverkansmöte",
    purpose="Gemensam lägesbild",
    uid="est-mote.sala.2027-W03.mote@sala.x.lofte",
    sequence=0,
    starts_at="2027-01-20T09:00:00+01:00",
    ends_at="2027-01-20T11:00:00+01:00",
    location="Stadshuset, sal 2",
    organizer_name="Nils Björklund",
    organizer_email="nils.bjorklund@polisen.example.se",
    change="invite",
)


def _whole_calendar(
    meeting: MeetingMessage, recipient: str, name: str, summary: str, text: str, now: datetime
) -> bytes:
    """The invitation built whole by `icalendar` for one recipient: what Löfte wrote before
    it built the frame once per meeting, and what it must still write."""
    zone = ZoneInfo(meeting.cycle.timezone)
    starts = datetime.fromisoformat(meeting.starts_at).astimezone(zone)
    ends = datetime.fromisoformat(meeting.ends_at).astimezone(zone)
    calendar = Calendar()
    calendar.add("prodid", "-//Löfte//medborgarlöfte//SV")
    calendar.add("version", "2.0")
    calendar.add("method", method_of(meeting))
    event = Event()
    for key, value in (
        ("uid", meeting.uid),
        ("sequence", meeting.sequence),
        ("dtstamp", now.astimezone(UTC)),
        ("dtstart", starts),
        ("dtend", ends),
        ("summary", summary),
        ("description", text),
    ):
        event.add(key, value)
    if meeting.location:
        event.add("location", meeting.location)
    if meeting.organizer_email:
        organizer = vCalAddress(f"mailto:{meeting.organizer_email}")
        organizer.params["cn"] = vText(meeting.organizer_name)
        event.add("organizer", organizer)
    attendee = vCalAddress(f"mailto:{recipient}")
    for key, value in (("cn", name), ("role", "REQ-PARTICIPANT"), ("partstat", "NEEDS-ACTION")):
        attendee.params[key] = vText(value)
    attendee.params["rsvp"] = vText("TRUE")
    event.add("attendee", attendee)
    event.add("status", "CANCELLED" if meeting.change == "cancel" else "CONFIRMED")
    calendar.add_component(event)
    timezone = Timezone.from_tzid(
        meeting.cycle.timezone,
        first_date=date(starts.year - 1, 1, 1),
        last_date=date(ends.year + 2, 1, 1),
    ).to_ical()
    return calendar.to_ical().replace(b"BEGIN:VEVENT\r\n", timezone + b"BEGIN:VEVENT\r\n", 1)


# Text with what iCalendar escapes or folds specially: commas, semicolons, backslashes,
# carets, quotes, line breaks, and characters of two, three and four octets.
TEXT = st.text(
    alphabet=st.sampled_from(list("aåÄé€😀 ,;:\\^\"'\r\n\t-.x@"))
    | st.characters(exclude_categories=("Cs",))
)


@settings(max_examples=200, deadline=None)
@given(line=TEXT)
def test_lines_fold_exactly_as_icalendar_folds_them(line: str) -> None:
    line = line.replace("\n", " ")  # a content line has none (values escape theirs)
    assert fold_line(line).encode("utf-8") == Contentline(line).to_ical()


@pytest.mark.parametrize("escape", ["\\", "^"])
@pytest.mark.parametrize("before", ["x" * 72, "x" * 73, "x" * 74, "å" * 36, "xå" * 24 + "x"])
def test_an_escape_at_the_fold_moves_to_the_next_line_as_in_icalendar(
    escape: str, before: str
) -> None:
    line = f"{before}{escape},{'y' * 80}{escape}n{'z' * 70}"
    assert fold_line(line).encode("utf-8") == Contentline(line).to_ical()


@settings(max_examples=60, deadline=None)
@given(
    name=TEXT,
    text=TEXT,
    summary=TEXT,
    location=TEXT,
    organizer=TEXT,
    sequence=st.integers(0, 20),
    change=st.sampled_from(["invite", "update", "cancel"]),
)
def test_each_recipients_invitation_is_the_whole_calendar_icalendar_writes(
    name: str, text: str, summary: str, location: str, organizer: str, sequence: int, change: str
) -> None:
    meeting = replace(
        MEETING, location=location, organizer_name=organizer, sequence=sequence, change=change
    )
    # Two recipients of the same meeting share its frame; each gets its own lines.
    for recipient, who in (("eva@sala.example.se", name), ("per@polisen.example.se", "Per")):
        made = invitation(meeting, recipient, who, summary, text, NOW)
        assert made == _whole_calendar(meeting, recipient, who, summary, text, NOW)


def test_a_meeting_moved_or_a_later_moment_gets_its_own_frame() -> None:
    first = invitation(MEETING, "eva@sala.example.se", "Eva", "Möte", "Hej Eva!", NOW)
    later = invitation(
        MEETING, "eva@sala.example.se", "Eva", "Möte", "Hej Eva!", NOW + timedelta(hours=1)
    )
    moved = replace(MEETING, starts_at="2027-01-21T09:00:00+01:00", sequence=1)
    again = invitation(moved, "eva@sala.example.se", "Eva", "Möte", "Hej Eva!", NOW)
    assert b"DTSTAMP:20270118T080000Z" in first and b"DTSTAMP:20270118T090000Z" in later
    assert b"DTSTART;TZID=Europe/Stockholm:20270121T090000" in again
    assert b"SEQUENCE:1" in again
    assert b"lofte.attendee" not in first + later + again
    assert b"lofte.description" not in first + later + again
