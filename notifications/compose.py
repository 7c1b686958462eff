"""Build the email for an outbox message: plain text and HTML alternatives, an iCalendar part
for meetings, and a Message-ID derived from the outbox key (the same on every attempt).

Built from parts that `notifications.mime` encodes and written by its `wire_bytes`, which
writes what the `email` package's generator would for the same message (compat32, CRLF) in a
fraction of the time. The price is that header values are ours to keep on one line
(`one_line`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.utils import format_datetime

from lofte.notifications.calendar import invitation, method_of
from lofte.notifications.mime import (
    Part,
    attachment,
    encoded_words,
    mailbox,
    multipart,
    one_line,
    text_part,
    wire_bytes,
)
from lofte.notifications.render import RenderedEmail
from lofte.workflow.core.message_ids import message_id
from lofte.workflow.core.message_types import RECIPIENT_NAME, MeetingMessage, read_message
from lofte.workflow.core.records import MessageKind, OutboxMessage

MEETINGS = frozenset(
    {MessageKind.MEETING_INVITE, MessageKind.MEETING_UPDATE, MessageKind.MEETING_CANCEL}
)


class UnsendableAddress(ValueError):
    """The recipient's address cannot go into an email header."""


@dataclass(frozen=True)
class OutgoingEmail:
    """A composed email, serialised once (RFC 5322 with CRLF line ends)."""

    message_id: str
    kind: str
    recipient: str
    data: bytes


def compose(
    message: OutboxMessage, rendered: RenderedEmail, sender: Address, now: datetime
) -> OutgoingEmail:
    """The email as bytes; UnsendableAddress or ValueError if it cannot be built."""
    name = one_line(str(message.context.get(RECIPIENT_NAME, "")))
    ident = message_id(message.key, sender.domain or "lofte.local")
    email = multipart(
        "alternative",
        _boundary(message.key, "alt"),
        (text_part(rendered.text, "plain"), text_part(rendered.html, "html")),
    )
    if message.kind in MEETINGS:
        calendar = _calendar_part(message, name, rendered.text, now)
        email = multipart("mixed", _boundary(message.key, "mix"), (email, calendar))
    headers = (
        ("From", mailbox(one_line(sender.display_name), sender.addr_spec)),
        ("To", _recipient(name, message.recipient)),
        ("Subject", encoded_words(one_line(rendered.subject))),
        ("Date", format_datetime(now)),
        ("Message-ID", ident),
        *((("Reply-To", mailbox("", rendered.reply_to)),) if rendered.reply_to else ()),
        ("Auto-Submitted", "auto-generated"),
        ("X-Lofte-Kind", message.kind.value),
        *((("X-Lofte-Message", str(message.id)),) if message.id is not None else ()),
        ("Content-Language", message.language),
    )
    return OutgoingEmail(ident, message.kind.value, message.recipient, wire_bytes(email, headers))


def _calendar_part(message: OutboxMessage, name: str, text: str, now: datetime) -> Part:
    meeting = read_message(message.kind, message.context)
    if not isinstance(meeting, MeetingMessage):
        raise ValueError(f"{message.kind.value} utan mötesuppgifter")
    cycle = meeting.cycle
    called = meeting.meeting_title or cycle.short_title
    title = f"{called} ({cycle.short_title} {cycle.period_label}, {cycle.unit_name})"
    ics = invitation(meeting, message.recipient, name, title, text, now)
    content_type = f'text/calendar; charset="utf-8"; method="{method_of(meeting)}"'
    return attachment(ics, content_type, "invite.ics")


def _recipient(name: str, address: str) -> str:
    if not address.isascii() or "@" not in address or one_line(address) != address:
        raise UnsendableAddress(f"mottagaradressen {address[:80]!r} går inte att skicka till")
    return mailbox(name, address)


def _boundary(key: str, part: str) -> str:
    """Deterministic and never inside a body: quoted-printable and base64 never contain "=_"."""
    return f"=_lofte_{part}_{hashlib.sha256(key.encode()).hexdigest()[:24]}"
