"""Build the MIME message for an outbox row: plain text and HTML alternatives, an .ics for
meetings, and a Message-ID derived from the outbox key (the same on every attempt)."""

from __future__ import annotations

import hashlib
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from notifications.calendar import invitation, method_of
from notifications.render import RenderedEmail
from workflow.core.message_types import MeetingMessage, read_message
from workflow.core.records import MessageKind, OutboxMessage

MEETINGS = (MessageKind.MEETING_INVITE, MessageKind.MEETING_UPDATE, MessageKind.MEETING_CANCEL)


def message_id(key: str, domain: str) -> str:
    """Deterministic: a retried or re-sent message carries the same Message-ID (the key names
    the installation and the unit, so two installations never collide)."""
    return f"<lofte.{hashlib.sha256(key.encode()).hexdigest()[:32]}@{domain}>"


def compose(
    message: OutboxMessage, rendered: RenderedEmail, sender: Address, now: datetime
) -> EmailMessage:
    name = str(message.context.get("recipient_name", ""))
    email = EmailMessage()
    email["From"] = sender
    email["To"] = Address(display_name=name, addr_spec=message.recipient)
    email["Subject"] = rendered.subject
    email["Date"] = format_datetime(now)
    email["Message-ID"] = message_id(message.key, sender.domain or "lofte.local")
    email["Auto-Submitted"] = "auto-generated"
    email["X-Lofte-Kind"] = message.kind.value
    email["Content-Language"] = message.language
    email.set_content(rendered.text, subtype="plain", charset="utf-8")
    email.add_alternative(rendered.html, subtype="html", charset="utf-8")
    if message.kind in MEETINGS:
        meeting = read_message(message.kind, message.context)
        assert isinstance(meeting, MeetingMessage)
        cycle = meeting.cycle
        title = (
            f"{meeting.step_title} ({cycle.short_title} {cycle.period_label}, {cycle.unit_name})"
        )
        ics = invitation(meeting, message.recipient, name, title, rendered.text, now)
        email.add_attachment(
            ics,
            maintype="text",
            subtype="calendar",
            filename="invite.ics",
            params={"method": method_of(meeting), "charset": "utf-8"},
        )
    return email
