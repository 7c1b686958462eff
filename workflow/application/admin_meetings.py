"""Meetings for the administrator: the coming ones, moved to a new Stockholm time (read from a
form, every mistake explained in Swedish) or cancelled. The engine sends the participants an
updated invitation or a cancellation in the same unit of work."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from lofte.kernel import words
from lofte.kernel.errors import FormError, NotFound
from lofte.kernel.timerules import STOCKHOLM, localize, wall_clock
from lofte.workflow.application.admin_console import require_admin
from lofte.workflow.application.app import Application
from lofte.workflow.application.visibility import Viewer
from lofte.workflow.core.records import CycleInstance, Meeting

COMING_DAYS = 60
DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
CLOCK = re.compile(r"\d{2}[:.]\d{2}(:00)?")  # a browser's time field may add seconds
FURTHEST = timedelta(days=366)  # a new time further ahead is a typing mistake in the year


@dataclass(frozen=True)
class ComingMeeting:
    meeting: Meeting
    instance: CycleInstance
    title: str  # the cycle's short title and period
    step_title: str
    unit_name: str

    @property
    def local_date(self) -> str:
        return wall_clock(self.meeting.starts_at, STOCKHOLM).date().isoformat()

    @property
    def local_time(self) -> str:
        return f"{wall_clock(self.meeting.starts_at, STOCKHOLM):%H:%M}"


def coming_meetings(app: Application, days: int = COMING_DAYS) -> list[ComingMeeting]:
    """Meetings not over yet that begin within `days`, earliest first (cancelled ones too)."""
    now = app.now
    directory = app.directory()
    return [
        _coming(app, meeting, instance, app.unit(instance.unit_id, directory).name)
        for meeting, instance in app.reads.meetings_between(now, now + timedelta(days=days))
    ]


def find_meeting(app: Application, viewer: Viewer, instance_id: int, step_id: str) -> ComingMeeting:
    """One meeting for an administrator; NotFound if the cycle has no such meeting."""
    require_admin(viewer)
    instance = app.cycle(instance_id)
    found = next(
        (m for m in app.reads.meetings_of_cycle(instance_id) if m.step_id == step_id), None
    )
    if found is None:
        raise NotFound("möte", f"{step_id} i cykeln {instance_id}")
    return _coming(app, found, instance, app.unit(instance.unit_id).name)


def move_meeting(
    app: Application, viewer: Viewer, instance_id: int, step_id: str, day: str, clock: str
) -> Meeting:
    """Move the meeting to `day` (ÅÅÅÅ-MM-DD) at `clock` (TT:MM), Stockholm time, keeping its
    length. FormError names each field that cannot be used; nothing is stored then."""
    shown = find_meeting(app, viewer, instance_id, step_id)
    starts_at = new_start(day, clock, app.now)
    if starts_at == shown.meeting.starts_at:
        raise FormError([("datum", "Mötet börjar redan då; välj en annan dag eller tid.")])
    return app.engine.move_meeting(instance_id, step_id, starts_at, viewer.label)


def cancel_meeting(app: Application, viewer: Viewer, instance_id: int, step_id: str) -> Meeting:
    find_meeting(app, viewer, instance_id, step_id)
    return app.engine.cancel_meeting(instance_id, step_id, viewer.label)


def new_start(day: str, clock: str, now: datetime) -> datetime:
    """The instant of `day` at `clock` in Stockholm; FormError with a Swedish message per
    field for an empty, malformed, impossible, skipped (summer time) or past moment."""
    problems: list[tuple[str, str]] = []
    parsed_day = _day(day.strip(), problems)
    parsed_clock = _clock(clock.strip(), problems)
    if parsed_day is None or parsed_clock is None:
        raise FormError(problems)
    wall = datetime.combine(parsed_day, parsed_clock)
    if not 1900 <= parsed_day.year <= 2200:  # year 1 or 9999 would overflow in UTC
        raise FormError([("datum", f"{parsed_day.isoformat()}: kontrollera året.")])
    aware = localize(wall, STOCKHOLM)
    if wall_clock(aware, STOCKHOLM) != wall:
        raise FormError(
            [
                (
                    "tid",
                    f"Klockan {parsed_clock:%H.%M} den {words.plain_date(parsed_day)} finns inte "
                    "i svensk tid (klockan ställs fram till sommartid); välj en annan tid.",
                )
            ]
        )
    if aware <= now:
        raise FormError(
            [
                (
                    "datum",
                    f"{words.moment(aware)} har redan passerat (nu: {words.moment(now)}); "
                    "välj en senare tidpunkt.",
                )
            ]
        )
    if aware - now > FURTHEST:
        raise FormError(
            [
                (
                    "datum",
                    f"{words.plain_date(parsed_day)} ligger mer än ett år fram; kontrollera året.",
                )
            ]
        )
    return aware


def _day(text: str, problems: list[tuple[str, str]]) -> date | None:
    if not text:
        problems.append(("datum", "Ange ett datum (ÅÅÅÅ-MM-DD), till exempel 2027-03-15."))
        return None
    try:
        if not DAY.fullmatch(text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        problems.append(
            (
                "datum",
                f"”{text[:20]}” är inget datum; skriv ÅÅÅÅ-MM-DD, till exempel 2027-03-15.",
            )
        )
        return None


def _clock(text: str, problems: list[tuple[str, str]]) -> time | None:
    if not text:
        problems.append(("tid", "Ange en tid (TT:MM), till exempel 13:30."))
        return None
    try:
        if not CLOCK.fullmatch(text):
            raise ValueError(text)
        return time(int(text[:2]), int(text[3:5]))
    except ValueError:
        problems.append(
            (
                "tid",
                f"”{text[:20]}” är ingen tid; skriv TT:MM (24-timmarsklocka), till exempel 13:30.",
            )
        )
        return None


def _coming(
    app: Application, meeting: Meeting, instance: CycleInstance, unit_name: str
) -> ComingMeeting:
    definition = app.definition_of(instance)
    step_title = (
        definition.meeting_name(definition.step(meeting.step_id))  # the meeting's own name
        if definition.has_step(meeting.step_id)
        else meeting.step_id
    )
    return ComingMeeting(
        meeting,
        instance,
        f"{definition.display_title()} {instance.period_label}",
        step_title,
        unit_name,
    )
