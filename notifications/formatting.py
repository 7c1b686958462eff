"""How Löfte writes times, outcomes and subject lines, in Swedish (default) and English."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from workflow.records import MessageKind, OutboxMessage

STOCKHOLM = ZoneInfo("Europe/Stockholm")
WEEKDAYS = {
    "sv": ("mån", "tis", "ons", "tors", "fre", "lör", "sön"),
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
}
MONTHS = {
    "sv": ("jan", "feb", "mars", "apr", "maj", "juni", "juli", "aug", "sep", "okt", "nov", "dec"),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}
OUTCOMES = {
    "sv": {
        "completed_on_time": "avslutad i tid",
        "completed_late": "avslutad sent",
        "closed_incomplete": "stängd ofullständig",
        None: "pågår",
    },
    "en": {
        "completed_on_time": "completed on time",
        "completed_late": "completed late",
        "closed_incomplete": "closed incomplete",
        None: "running",
    },
}
STATUS = {"open": "väntar", "answered": "besvarad", "missing": "saknas", "cancelled": "avbruten"}


def moment(value: datetime | str, language: str = "sv", zone: ZoneInfo = STOCKHOLM) -> str:
    """`tors 4 feb 12:00` (sv) or `Thu 4 Feb 12:00` (en), in Stockholm time."""
    when = datetime.fromisoformat(value) if isinstance(value, str) else value
    local = when.astimezone(zone)
    lang = language if language in WEEKDAYS else "sv"
    return (
        f"{WEEKDAYS[lang][local.weekday()]} {local.day} {MONTHS[lang][local.month - 1]} "
        f"{local:%H:%M}"
    )


def moment_with_year(value: datetime | str, language: str = "sv") -> str:
    when = datetime.fromisoformat(value) if isinstance(value, str) else value
    return f"{moment(when, language)} {when.astimezone(STOCKHOLM).year}"


def outcome_text(outcome: str | None, language: str = "sv") -> str:
    return OUTCOMES.get(language, OUTCOMES["sv"]).get(outcome, str(outcome))


_MEETING_KINDS = (
    MessageKind.MEETING_INVITE,
    MessageKind.MEETING_UPDATE,
    MessageKind.MEETING_CANCEL,
)
_SUBJECTS = {
    "sv": {
        MessageKind.INPUT_REQUEST: "{head} – svar senast {deadline}",
        MessageKind.REMINDER: "Påminnelse: {head} – svar senast {deadline}",
        MessageKind.ESCALATION: "Saknade svar: {head} – {step_title} (senast {deadline})",
        MessageKind.CYCLE_SUMMARY: "{head} – {outcome}",
        MessageKind.MEETING_INVITE: "Inbjudan: {step_title} – {start}",
        MessageKind.MEETING_UPDATE: "Ändrad tid: {step_title} – {start}",
        MessageKind.MEETING_CANCEL: "Inställt: {step_title} – {start}",
        MessageKind.DIGEST: "Dina uppgifter i medborgarlöftet – {date}",
    },
    "en": {
        MessageKind.INPUT_REQUEST: "{head} – reply by {deadline}",
        MessageKind.REMINDER: "Reminder: {head} – reply by {deadline}",
        MessageKind.ESCALATION: "Missing replies: {head} – {step_title} (due {deadline})",
        MessageKind.CYCLE_SUMMARY: "{head} – {outcome}",
        MessageKind.MEETING_INVITE: "Invitation: {step_title} – {start}",
        MessageKind.MEETING_UPDATE: "New time: {step_title} – {start}",
        MessageKind.MEETING_CANCEL: "Cancelled: {step_title} – {start}",
        MessageKind.DIGEST: "Your tasks in the citizen promise – {date}",
    },
}


def subject(message: OutboxMessage) -> str:
    """Cycle, period and deadline in the recipient's language, e.g.
    `EST-inventering v.5 2027 – svar senast tors 4 feb 12:00`."""
    lang = message.language if message.language in _SUBJECTS else "sv"
    c = message.context
    meeting = c.get("meeting") if message.kind in _MEETING_KINDS else None
    return _SUBJECTS[lang][message.kind].format(
        head=f"{c.get('cycle_short_title', '')} {c.get('period_label', '')}".strip(),
        deadline=moment(c["deadline"], lang) if "deadline" in c else "",
        step_title=c.get("step_title", ""),
        outcome=outcome_text(c.get("outcome"), lang),
        start=moment(meeting["start"], lang) if meeting else "",
        date=c.get("date_label", ""),
    )
