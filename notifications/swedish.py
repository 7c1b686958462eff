"""How Löfte writes times, outcomes and message subjects in Swedish."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from workflow.records import MessageKind, OutboxMessage

STOCKHOLM = ZoneInfo("Europe/Stockholm")
WEEKDAYS = ("mån", "tis", "ons", "tors", "fre", "lör", "sön")
MONTHS = ("jan", "feb", "mars", "apr", "maj", "juni", "juli", "aug", "sep", "okt", "nov", "dec")
OUTCOMES = {
    "completed_on_time": "avslutad i tid",
    "completed_late": "avslutad sent",
    "closed_incomplete": "stängd ofullständig",
    None: "pågår",
}
STATUS = {"open": "väntar", "answered": "besvarad", "missing": "saknas", "cancelled": "avbruten"}


def moment(value: datetime | str, zone: ZoneInfo = STOCKHOLM) -> str:
    """`tors 4 feb 12:00` in the given zone (Stockholm by default)."""
    when = datetime.fromisoformat(value) if isinstance(value, str) else value
    local = when.astimezone(zone)
    return f"{WEEKDAYS[local.weekday()]} {local.day} {MONTHS[local.month - 1]} {local:%H:%M}"


def moment_with_year(value: datetime | str, zone: ZoneInfo = STOCKHOLM) -> str:
    when = datetime.fromisoformat(value) if isinstance(value, str) else value
    return f"{moment(when, zone)} {when.astimezone(zone).year}"


def subject(message: OutboxMessage) -> str:
    """The subject line: cycle, period and deadline, e.g.
    `EST-inventering v.5 2027 – svar senast tors 4 feb 12:00`."""
    c = message.context
    head = f"{c['cycle_short_title']} {c['period_label']}"
    if message.kind is MessageKind.INPUT_REQUEST:
        return f"{head} – svar senast {moment(c['deadline'])}"
    if message.kind is MessageKind.REMINDER:
        return f"Påminnelse: {head} – svar senast {moment(c['deadline'])}"
    if message.kind is MessageKind.ESCALATION:
        return f"Saknade svar: {head} – {c['step_title']} (senast {moment(c['deadline'])})"
    return f"{head} – {OUTCOMES.get(c.get('outcome'), c.get('outcome'))}"
