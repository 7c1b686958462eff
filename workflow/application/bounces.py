"""Delivery status notifications (RFC 3464) among the mail Löfte reads: which of its messages
could not be delivered, to whom, and what the receiving server said. Only a report that quotes
the headers of a Löfte message (its `X-Lofte-Message` and Message-ID) names one."""

from __future__ import annotations

from email import policy
from email.message import EmailMessage, Message
from email.parser import HeaderParser

from lofte.workflow.core.inbound import Bounce

FAILED = "failed"


def is_delivery_report(message: EmailMessage) -> bool:
    return (
        message.get_content_type() == "multipart/report"
        and str(message.get_param("report-type", "")).lower() == "delivery-status"
    )


def bounces_in(message: EmailMessage) -> list[Bounce]:
    """A bounce for each recipient the report says delivery failed for (none for a delay)."""
    recipients: list[Message] = []
    quoted: Message | None = None
    for part in message.iter_parts():
        kind = part.get_content_type()
        if kind == "message/delivery-status":
            blocks = part.get_payload()
            if isinstance(blocks, list):
                recipients = [b for b in blocks[1:] if isinstance(b, Message)]
        elif kind == "message/rfc822":
            inner = part.get_payload()
            if isinstance(inner, list) and inner and isinstance(inner[0], Message):
                quoted = inner[0]
        elif kind == "text/rfc822-headers":
            text = part.get_payload(decode=True)
            if isinstance(text, bytes):
                quoted = HeaderParser(policy=policy.default).parsestr(
                    text.decode("utf-8", "replace")
                )
    if quoted is None:
        return []
    ref = str(quoted.get("X-Lofte-Message", "")).strip()
    if not (ref.isascii() and ref.isdigit() and len(ref) <= 12):
        return []
    found = []
    for block in recipients:
        if str(block.get("Action", "")).strip().lower() != FAILED:
            continue
        recipient = str(block.get("Final-Recipient") or block.get("Original-Recipient") or "")
        found.append(
            Bounce(
                outbox_id=int(ref),
                quoted_message_id=str(quoted.get("Message-ID", "")).strip(),
                recipient=recipient.split(";", 1)[-1].strip(),
                status=str(block.get("Status", "")).strip()[:20],
                diagnostic=" ".join(str(block.get("Diagnostic-Code", "")).split())[:500],
            )
        )
    return found
