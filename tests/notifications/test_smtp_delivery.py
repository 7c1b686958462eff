"""Delivery to a real SMTP server (aiosmtpd): plain, STARTTLS with a self-signed certificate,
implicit TLS, authentication; 4xx retried with backoff for the horizon, 5xx an incident at
once, dropped connections; a dispatcher killed between sending and recording; meeting
invitations parsed as iCalendar."""

from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import vobject

from lofte.notifications.compose import OutgoingEmail
from lofte.notifications.transports import DeliveryFailed
from lofte.workflow.core.records import OutboxStatus
from tests.harness import Harness, utc
from tests.notifications.conftest import PASSWORD, USER, SmtpServer
from tests.notifications.support import current, dispatcher, only_one_pending, statuses


def check_received(message: EmailMessage) -> None:
    assert message["From"] == "Löfte <lofte@sala.example.se>"
    assert str(message["Message-ID"]).startswith("<lofte.")
    text, html = message.get_body(("plain",)), message.get_body(("html",))
    assert text is not None and html is not None
    if message["X-Lofte-Kind"] == "input_request":
        link = "https://lofte.sala.example.se/svar/"
        assert link in text.get_content() and f'href="{link}' in html.get_content()


def test_plain_smtp_delivers_every_message_once(week: Harness, smtp_server: Any) -> None:
    server: SmtpServer = smtp_server("plain")
    report = dispatcher(week, server.env()).run_once()
    rows = [m for m in week.outbox() if m.status is OutboxStatus.SENT]
    assert report.sent == len(rows) == len(server.mailbox.received) > 20
    assert len(set(server.mailbox.message_ids())) == len(rows)
    for message in server.mailbox.received:
        check_received(message)
    subjects = [
        str(m["Subject"]) for m in server.mailbox.received if m["X-Lofte-Kind"] == "input_request"
    ]
    assert (
        "EST-inventering v. 1 2027, Surahammars kommun – svar senast tors 7 jan kl. 12.00"
        in subjects
    )
    assert dispatcher(week, server.env()).run_once().sent == 0  # nothing is sent twice


def test_starttls_with_a_self_signed_certificate(
    week: Harness,
    smtp_server: Any,
    certificate: tuple[Path, Path],
) -> None:
    server: SmtpServer = smtp_server("starttls", certificate)
    env = server.env(LOFTE_SMTP_TLS="starttls", LOFTE_SMTP_CA_FILE=str(certificate[0]))
    assert dispatcher(week, env).run_once().sent == len(server.mailbox.received) > 0
    untrusted = dispatcher(week, server.env(LOFTE_SMTP_TLS="starttls"))
    received = server.mailbox.received[0]
    again = OutgoingEmail(
        str(received["Message-ID"]), "input_request", "ida.falk@example.se", received.as_bytes()
    )
    with pytest.raises(DeliveryFailed, match="CERTIFICATE_VERIFY_FAILED"):
        untrusted.transport.deliver(again)


def test_implicit_tls(week: Harness, smtp_server: Any, certificate: tuple[Path, Path]) -> None:
    server: SmtpServer = smtp_server("ssl", certificate)
    env = server.env(LOFTE_SMTP_TLS="ssl", LOFTE_SMTP_CA_FILE=str(certificate[0]))
    assert dispatcher(week, env).run_once().sent == len(server.mailbox.received) > 0


def test_authentication_and_a_wrong_password(
    week: Harness, smtp_server: Any, tmp_path: Path
) -> None:
    server: SmtpServer = smtp_server("auth")
    only_one_pending(week)
    wrong = dispatcher(week, server.env(LOFTE_SMTP_USER=USER, LOFTE_SMTP_PASSWORD="fel")).run_once()
    assert wrong.sent == 0 and wrong.incidents == 1 and "535" in wrong.permanent_failures[0]
    secret = tmp_path / "smtp-password"
    secret.write_text(PASSWORD + "\n", encoding="utf-8")
    env = server.env(LOFTE_SMTP_USER=USER, LOFTE_SMTP_PASSWORD_FILE=str(secret))
    d = dispatcher(week, env)
    assert d.retry_all("admin") == 1
    assert d.run_once().sent == 1 == len(server.mailbox.received)


def test_4xx_is_retried_with_backoff_for_the_horizon_then_becomes_an_incident(
    week: Harness,
    smtp_server: Any,
) -> None:
    server: SmtpServer = smtp_server("plain")
    server.mailbox.answer = "451 4.3.0 Försök senare"
    message_id = only_one_pending(week)
    d = dispatcher(
        week, server.env(LOFTE_OUTBOX_RETRY_SECONDS="60", LOFTE_OUTBOX_RETRY_HORIZON="3")
    )
    week.clock.set(utc(2027, 1, 4, 8, 5))
    assert d.run_once().failed_attempts == 1
    message = current(week, message_id)
    assert message.status is OutboxStatus.PENDING and "451" in (message.last_error or "")
    assert message.next_attempt_at == week.clock.now() + timedelta(seconds=60)
    week.clock.advance(timedelta(seconds=59))
    assert d.run_once().failed_attempts == 0  # not due yet
    week.clock.advance(timedelta(seconds=1))
    assert d.run_once().failed_attempts == 1
    assert current(week, message_id).next_attempt_at == week.clock.now() + timedelta(seconds=120)
    attempts = 2
    while current(week, message_id).status is OutboxStatus.PENDING:
        week.clock.set(current(week, message_id).next_attempt_at)
        d.run_once()
        attempts += 1
        gap = current(week, message_id).next_attempt_at
        if gap is not None:
            assert gap - week.clock.now() <= timedelta(hours=1)  # never more than an hour apart
    failed = current(week, message_id)
    assert failed.status is OutboxStatus.FAILED and failed.attempts == attempts
    assert week.clock.now() - failed.first_attempt_at >= timedelta(hours=3)
    assert server.mailbox.received == []
    server.mailbox.answer = "250 OK"
    d.retry(message_id, "admin")
    assert d.run_once().sent == 1
    week.clock.advance(timedelta(hours=1))
    d.run_once()  # the administrator's alert, itself held up by the outage, goes out too
    kinds = sorted(str(m["X-Lofte-Kind"]) for m in server.mailbox.received)
    assert kinds == ["delivery_alert", "input_request"]
    assert [e for e in week.events() if e.startswith("outbox")] == [
        "outbox_incident",
        "outbox_retry",
    ]
    assert week.events().count("delivery_alert") == 1


def test_5xx_becomes_an_incident_at_once(week: Harness, smtp_server: Any) -> None:
    server: SmtpServer = smtp_server("plain")
    server.mailbox.answer = "550 5.1.1 Okänd mottagare"
    only_one_pending(week)
    report = dispatcher(week, server.env()).run_once()
    assert report.incidents == 1 and statuses(week)[OutboxStatus.FAILED.value] == 1


def test_a_dropped_connection_is_a_failed_attempt(week: Harness, smtp_server: Any) -> None:
    server: SmtpServer = smtp_server("plain")
    server.mailbox.drop = True
    only_one_pending(week)
    report = dispatcher(week, server.env()).run_once()
    assert report.failed_attempts == 1 and report.sent == 0 and report.incidents == 0


class Killed(BaseException):
    """Stands in for SIGKILL: nothing after it runs."""


def test_a_dispatcher_killed_between_sending_and_recording(week: Harness, smtp_server: Any) -> None:
    server: SmtpServer = smtp_server("plain")
    only_one_pending(week)
    d = dispatcher(week, server.env())
    real_deliver = d.transport.deliver

    def deliver_then_die(email: OutgoingEmail) -> str:
        real_deliver(email)
        raise Killed

    d.transport.deliver = deliver_then_die  # type: ignore[method-assign]
    with pytest.raises(Killed):
        d.run_once()
    stuck = [m for m in week.outbox() if m.status is OutboxStatus.SENDING]
    assert len(stuck) == 1 and len(server.mailbox.received) == 1
    restarted = dispatcher(week, server.env(), "d2")
    restarted.run_once()  # within the lease the message in flight is left alone
    assert current(week, stuck[0].id).status is OutboxStatus.SENDING
    week.clock.advance(timedelta(minutes=11))
    restarted.run_once()
    assert current(week, stuck[0].id).status is OutboxStatus.SENT
    ids = server.mailbox.message_ids()
    assert len(ids) == 2 and len(set(ids)) == 1  # sent again with the same Message-ID


def test_meeting_invitations_updates_and_cancellations(week: Harness, smtp_server: Any) -> None:
    server: SmtpServer = smtp_server("plain")
    lolg = week.cycle("operativ-inriktning", "lpo-norra-vastmanland", "2027-W01")
    week.engine.move_meeting(lolg.id or 0, "beslut", utc(2027, 1, 7, 12), "peter-nord")
    week.engine.cancel_meeting(lolg.id or 0, "beslut", "peter-nord")
    dispatcher(week, server.env()).run_once()
    invites = [m for m in server.mailbox.received if str(m["X-Lofte-Kind"]).startswith("meeting")]
    to_ida = [m for m in invites if "ida.falk" in str(m["To"])]
    assert [m["X-Lofte-Kind"] for m in to_ida] == [
        "meeting_invite",
        "meeting_update",
        "meeting_cancel",
    ]
    parsed = []
    for message in to_ida:
        part = next(
            p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"
        )
        raw = part.get_content()
        parsed.append(
            (
                part.get_param("method"),
                vobject.readOne(raw if isinstance(raw, str) else raw.decode()),
            )
        )
    assert [method for method, _ in parsed] == ["REQUEST", "REQUEST", "CANCEL"]
    uids = {cal.vevent.uid.value for _, cal in parsed}
    assert len(uids) == 1 and next(iter(uids)).endswith(".lofte")
    assert [int(cal.vevent.sequence.value) for _, cal in parsed] == [0, 1, 2]
    first = parsed[0][1]
    assert first.vtimezone.tzid.value == "Europe/Stockholm"
    assert (
        first.vevent.dtstart.value.hour == 9 and first.vevent.dtstart.value.day == 7
    )  # off the holiday
    assert parsed[2][1].vevent.status.value == "CANCELLED"
    # LOLG: the LPO chief, 2 group chiefs, 4 kommunpoliser (one serves two municipalities)
    # and the coordinator
    assert len({str(m["To"]) for m in invites}) == 8
