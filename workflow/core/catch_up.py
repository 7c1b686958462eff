"""After downtime or a forward clock jump nothing stale is sent; instead each unit's
coordinator gets one notice listing what was not sent."""

from __future__ import annotations

from collections import defaultdict

from lofte.kernel import words
from lofte.workflow.core.message_types import CatchUpMessage
from lofte.workflow.core.messages import addressed
from lofte.workflow.core.records import MessageKind, OutboxMessage
from lofte.workflow.core.work import Work

WHAT = {
    MessageKind.INPUT_REQUEST: ("förfrågan", "request"),
    MessageKind.REMINDER: ("påminnelse", "reminder"),
    MessageKind.MEETING_INVITE: ("mötesinbjudan", "meeting invitation"),
    MessageKind.MEETING_UPDATE: ("ändrad mötestid", "meeting change"),
    MessageKind.ESCALATION: ("eskalering", "escalation"),
}


def report_catch_up(work: Work) -> int:
    """Write one catch-up notice per unit for messages expired at creation, once the catch-up
    is over (no timer is due any more). Returns how many."""
    due = work.uow.timers.next_due()
    if due is not None and due <= work.now:
        return 0  # still catching up (here or in another engine): report at the end
    expired = work.uow.outbox.unreported_catch_up()
    if not expired:
        return 0
    by_unit: dict[str, list[OutboxMessage]] = defaultdict(list)
    for message in expired:
        by_unit[message.unit_id].append(message)
    notices = 0
    for unit_id, messages in sorted(by_unit.items()):
        unit = work.unit_or_placeholder(unit_id)
        for person in work.directory.holders(work.directory.coordinator_role(unit), unit_id):
            lang = person.language
            items = [
                {
                    "what": f"{_what(m, lang)} till {work.directory.name_of(m.person_id)}"
                    if lang != "en"
                    else f"{_what(m, lang)} to {work.directory.name_of(m.person_id)}",
                    "cycle": _cycle_of(m),
                    "when": words.moment(m.created_at, lang),
                }
                for m in messages
            ]
            work.send(
                addressed(
                    work,
                    work.keys.unit_message(unit_id, "catch_up", work.now.isoformat(), person.id),
                    MessageKind.CATCH_UP,
                    person,
                    CatchUpMessage(unit.name, items),
                    unit_id=unit_id,
                )
            )
            notices += 1
        work.audit(None, "catch_up_reported", {"messages": len(messages)}, unit_id=unit_id)
    work.uow.outbox.mark_reported([m.id or 0 for m in expired], work.now)
    return notices


def _what(message: OutboxMessage, lang: str) -> str:
    sv, en = WHAT.get(message.kind, (message.kind.value, message.kind.value))
    return en if lang == "en" else sv


def _cycle_of(message: OutboxMessage) -> str:
    cycle = message.context.get("cycle") or {}
    return f"{cycle.get('short_title', '')} {cycle.get('period_label', '')}".strip()
