"""The composed bytes, as a mail client reads them: headers and bodies come back exactly,
encoded words stay within RFC 2047's 75 characters, every line ends in CRLF within 998 bytes,
and no text from a person or a definition can add a header line."""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import replace
from email import message_from_bytes, policy
from email.headerregistry import Address
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.nonmultipart import MIMENonMultipart

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from lofte.notifications.compose import compose
from lofte.notifications.mime import (
    WIRE,
    attachment,
    encoded_words,
    mailbox,
    multipart,
    one_line,
    text_part,
    wire_bytes,
)
from lofte.notifications.render import RenderedEmail
from lofte.workflow.core.records import MessageKind
from tests.notifications.test_rendering import NOW, renderer, stored

SENDER = Address("Löfte Sala kommun", "lofte", "sala.example.se")
SUBJECT = (
    "Påminnelse: EST-inventering v. 5 2027, Skinnskattebergs kommun – svar senast ons 3 feb "
    "kl. 12.00 (ärendet gäller Östra Ängsgärdets fritidsgård, åäö ÅÄÖ é ü)"
)


def parsed(kind: MessageKind, subject: str, name: str = 'Åsa Öberg-Ängström, "Åsa"'):
    message = stored(kind, "sv")
    message = replace(message, context=message.context | {"recipient_name": name})
    rendered = renderer().render(message)
    rendered = RenderedEmail(subject, rendered.text, rendered.html)
    data = compose(message, rendered, SENDER, NOW).data
    return data, rendered, message_from_bytes(data, policy=policy.default)


@pytest.mark.parametrize("kind", [MessageKind.INPUT_REQUEST, MessageKind.MEETING_INVITE])
def test_headers_and_bodies_come_back_exactly(kind: MessageKind) -> None:
    data, rendered, email = parsed(kind, SUBJECT)
    assert email["Subject"] == SUBJECT
    assert email["To"].addresses[0].display_name == 'Åsa Öberg-Ängström, "Åsa"'
    assert email["From"].addresses[0].display_name == "Löfte Sala kommun"
    assert email["From"].addresses[0].addr_spec == "lofte@sala.example.se"
    text = email.get_body(("plain",))
    html = email.get_body(("html",))
    assert text is not None and html is not None
    assert text.get_content().replace("\r\n", "\n") == rendered.text.replace("\r\n", "\n")
    assert html.get_content().replace("\r\n", "\n") == rendered.html.replace("\r\n", "\n")
    lines = data.split(b"\r\n")
    assert all(b"\n" not in line and b"\r" not in line for line in lines)
    assert max(len(line) for line in lines) <= 998
    words = re.findall(rb"=\?utf-8\?b\?[A-Za-z0-9+/=]*\?=", data)
    assert words and max(len(w) for w in words) <= 75


def test_a_meeting_carries_its_calendar_file_byte_for_byte() -> None:
    _, _, email = parsed(MessageKind.MEETING_INVITE, "EST-möte")
    (calendar,) = [p for p in email.walk() if p.get_content_type() == "text/calendar"]
    ics = calendar.get_payload(decode=True)
    assert ics.startswith(b"BEGIN:VCALENDAR\r\n") and b"METHOD:REQUEST\r\n" in ics
    assert calendar.get_param("method") == "REQUEST"
    assert calendar.get_filename() == "invite.ics"
    parsed_ics = Calendar.from_ical(ics)
    names = [c.name for c in parsed_ics.subcomponents]
    assert names == ["VTIMEZONE", "VEVENT"]  # the zone before the event that uses it
    zone = parsed_ics.subcomponents[0]
    assert zone["TZID"] == "Europe/Stockholm"
    assert {c.name for c in zone.subcomponents} == {"STANDARD", "DAYLIGHT"}
    assert b"DTSTART;TZID=Europe/Stockholm:" in ics


def test_text_cannot_add_a_header_line() -> None:
    sneaky = "Hej\r\nBcc: alla@example.se\nX-Injected: ja"
    _, _, email = parsed(MessageKind.INPUT_REQUEST, sneaky, name="Eva\r\nBcc: x@example.se")
    assert email["Bcc"] is None and email["X-Injected"] is None
    assert email["Subject"] == "Hej Bcc: alla@example.se X-Injected: ja"
    assert email["To"].addresses[0].addr_spec == stored(MessageKind.INPUT_REQUEST, "sv").recipient


def test_plain_ascii_stays_readable_and_look_alike_words_are_encoded() -> None:
    data, _, _ = parsed(MessageKind.SIGN_IN, "Logga in", name="Eva Ek")
    assert b"\r\nSubject: Logga in\r\n" in data and b"To: Eva Ek <" in data
    _, _, tricky = parsed(MessageKind.SIGN_IN, "=?utf-8?b?SGVq?= is not encoded")
    assert tricky["Subject"] == "=?utf-8?b?SGVq?= is not encoded"


def _through_the_email_package(
    text: str, html: str, headers: list[tuple[str, str]], ics: bytes | None
) -> bytes:
    """The same message built with the `email` package's MIME classes and its generator: what
    `wire_bytes` must write, byte for byte."""
    body = MIMEMultipart("alternative", boundary="=_lofte_alt_x")
    for content, subtype in ((text, "plain"), (html, "html")):
        part = MIMENonMultipart("text", subtype, charset="utf-8")
        part["Content-Transfer-Encoding"] = "quoted-printable"
        qp = binascii.b2a_qp(content.replace("\r\n", "\n").encode("utf-8"), istext=True)
        part.set_payload(qp.decode("ascii"))
        body.attach(part)
    email: Message = body
    if ics is not None:
        email = MIMEMultipart("mixed", boundary="=_lofte_mix_x")
        email.attach(body)
        calendar = MIMENonMultipart("text", "calendar", charset="utf-8")
        calendar["Content-Transfer-Encoding"] = "base64"
        calendar.set_payload(base64.encodebytes(ics).decode("ascii"))
        calendar.set_param("method", "REQUEST")
        calendar.add_header("Content-Disposition", "attachment", filename="invite.ics")
        email.attach(calendar)
    for name, value in headers:
        email[name] = value
    return email.as_bytes(policy=WIRE)


@settings(max_examples=150, deadline=None)
@given(
    text=st.text(),
    html=st.text(),
    subject=st.text(),
    language=st.sampled_from(["sv", "en", "sv-FI", "språk på svenska", "x" * 120]),
    ics=st.none() | st.binary(max_size=400),
)
def test_wire_bytes_are_what_the_email_package_writes(
    text: str, html: str, subject: str, language: str, ics: bytes | None
) -> None:
    # Our pre-encoded values go through as they are; a raw non-ASCII or long one (the
    # language) through compat32's own folding, in both.
    headers = [
        ("From", mailbox("Löfte", "lofte@sala.example.se")),
        ("Subject", encoded_words(one_line(subject))),
        ("Content-Language", language),
    ]
    email = multipart(
        "alternative", "=_lofte_alt_x", (text_part(text, "plain"), text_part(html, "html"))
    )
    if ics is not None:
        calendar = attachment(ics, 'text/calendar; charset="utf-8"; method="REQUEST"', "invite.ics")
        email = multipart("mixed", "=_lofte_mix_x", (email, calendar))
    assert wire_bytes(email, tuple(headers)) == _through_the_email_package(text, html, headers, ics)
