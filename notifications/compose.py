"""Build the MIME message for an outbox row: plain text and HTML alternatives, an .ics for
meetings, and a Message-ID derived from the outbox key (the same on every attempt)."""

from __future__ import annotations

import hashlib
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from notifications.calendar import invitation, is_meeting, method_of
from notifications.render import RenderedEmail
from workflow.records import OutboxMessage


def message_id(key: str, domain: str) -> str:
    """Deterministic: a retried or re-sent message carries the same Message-ID."""
    return f"<lofte.{hashlib.sha256(key.encode()).hexdigest()[:32]}@{domain}>"


def compose(
    message: OutboxMessage,
    rendered: RenderedEmail,
    sender: Address,
    now: datetime,
) -> EmailMessage:
    email = EmailMessage()
    email["From"] = sender
    email["To"] = Address(
        display_name=str(message.context.get("recipient_name", "")), addr_spec=message.recipient
    )
    email["Subject"] = rendered.subject
    email["Date"] = format_datetime(now)
    email["Message-ID"] = message_id(message.key, sender.domain or "lofte.local")
    email["Auto-Submitted"] = "auto-generated"
    email["X-Lofte-Kind"] = message.kind.value
    email["Content-Language"] = message.language
    email.set_content(rendered.text, subtype="plain", charset="utf-8")
    email.add_alternative(rendered.html, subtype="html", charset="utf-8")
    if is_meeting(message):
        c = message.context
        title = f"{c['step_title']} ({c['cycle_short_title']} {c['period_label']})"
        ics = invitation(message, title, rendered.text, now)
        email.add_attachment(
            ics,
            maintype="text",
            subtype="calendar",
            filename="invite.ics",
            params={"method": method_of(message), "charset": "utf-8"},
        )
    return email
