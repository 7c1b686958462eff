"""Delivery to a real SMTP server: plain, STARTTLS with a self-signed certificate, implicit
TLS, authentication; 4xx, 5xx and dropped connections; a dispatcher killed between sending
and recording. Received messages are parsed and checked."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import vobject

from notifications.config import mail_settings
from notifications.dispatcher import Dispatcher
from notifications.transports import DeliveryFailed, transport_for
from tests.conftest import Harness, make_harness
from tests.helpers import outbox, utc
from tests.notifications.conftest import PASSWORD, USER, SmtpServer
from workflow.records import OutboxStatus


@pytest.fixture
def week(sqlite_url: str) -> Any:
    """The first days of January 2027: requests, reminders and a LOLG meeting invite."""
    h = make_harness(sqlite_url, utc(2027, 1, 1))
    h.run_until(utc(2027, 1, 4, 8))
    yield h
    h.store.engine.dispose()


def dispatcher(h: Harness, env: dict[str, str], name: str = "d1") -> Dispatcher:
    settings = mail_settings(env)
    return Dispatcher(h.store, h.clock, transport_for(settings), settings, dispatcher_id=name)


def statuses(h: Harness) -> dict[str, int]:
    counts: dict[str, int] = {}
    for message in outbox(h):
        counts[message.status.value] = counts.get(message.status.value, 0) + 1
    return counts


def check_received(message: EmailMessage) -> None:
    assert message["From"] == "Löfte <lofte@sala.example.se>"
    assert str(message["Message-ID"]).startswith("<lofte.")
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None
    if message["X-Lofte-Kind"] == "input_request":
        link = "https://lofte.sala.example.se/svar/"
        assert link in text.get_content() and f'href="{link}' in html.get_content()


def test_plain_smtp_delivers_every_message_once(week: Harness, smtp_server: Any) -> None:
    server: SmtpServer = smtp_server("plain")
    report = dispatcher(week, server.env()).run_once()
    rows = outbox(week)
    assert report.sent == len(rows) == len(server.mailbox.received) > 0
    assert len(set(server.mailbox.message_ids())) == len(rows)
    for message in server.mailbox.received:
        check_received(message)
    first = next(m for m in server.mailbox.received if m["X-Lofte-Kind"] == "input_request")
    assert first["Subject"].startswith("Operativ inriktning v.1 2027 – svar senast tis 5 jan")
    assert statuses(week) == {"sent": len(rows)}
    assert dispatcher(week, server.env()).run_once().sent == 0  # nothing is sent twice


def test_starttls_with_a_self_signed_certificate(
    week: Harness, smtp_server: Any, certificate: tuple[Path, Path]
) -> None:
    server: SmtpServer = smtp_server("starttls", certificate)
    env = server.env(LOFTE_SMTP_TLS="starttls", LOFTE_SMTP_CA_FILE=str(certificate[0]))
    assert dispatcher(week, env).run_once().sent == len(server.mailbox.received) > 0
    # Without trusting the certificate, TLS verification fails: an attempt, not a success.
    untrusted = dispatcher(week, server.env(LOFTE_SMTP_TLS="starttls"))
    with pytest.raises(DeliveryFailed, match="CERTIFICATE_VERIFY_FAILED"):
        untrusted.transport.deliver(server.mailbox.received[0])


def test_implicit_tls(week: Harness, smtp_server: Any, certificate: tuple[Path, Path]) -> None:
    server: SmtpServer = smtp_server("ssl", certificate)
    env = server.env(LOFTE_SMTP_TLS="ssl", LOFTE_SMTP_CA_FILE=str(certificate[0]))
    assert dispatcher(week, env).run_once().sent == len(server.mailbox.received) > 0


def test_authentication(week: Harness, smtp_server: Any, tmp_path: Path) -> None:
    server: SmtpServer = smtp_server("auth")
    secret = tmp_path / "smtp-password"
    secret.write_text(PASSWORD + "\n", encoding="utf-8")
    env = server.env(LOFTE_SMTP_USER=USER, LOFTE_SMTP_PASSWORD_FILE=str(secret))
    assert dispatcher(week, env).run_once().sent == len(server.mailbox.received) > 0


def test_wrong_password_is_an_incident_not_a_success(week: Harness, smtp_server: Any) -> None:
    server: SmtpServer = smtp_server("auth")
    env = server.env(LOFTE_SMTP_USER=USER, LOFTE_SMTP_PASSWORD="fel")
    report = dispatcher(week, env).run_once(limit=1)
    assert report.sent == 0 and report.incidents == 1
    failed = [m for m in outbox(week) if m.status is OutboxStatus.FAILED]
    assert "535" in (failed[0].last_error or "")


def only_one_message_pending(h: Harness) -> int:
    """Mark all but the first message as sent, so a test can follow one message."""
    messages = outbox(h)
    with h.store.transaction() as tx:
        for message in messages[1:]:
            tx.save_outbox(dataclasses.replace(message, status=OutboxStatus.SENT))
    return messages[0].id or 0


def test_4xx_is_retried_with_backoff_then_becomes_an_incident(
    week: Harness, smtp_server: Any
) -> None:
    from tests.helpers import audit

    server: SmtpServer = smtp_server("plain")
    server.mailbox.answer = "451 4.3.0 Försök senare"
    message_id = only_one_message_pending(week)
    env = server.env(LOFTE_OUTBOX_MAX_ATTEMPTS="3", LOFTE_OUTBOX_RETRY_SECONDS="60")
    d = dispatcher(week, env)

    def current() -> Any:
        return next(m for m in outbox(week) if m.id == message_id)

    assert d.run_once().failed_attempts == 1
    assert current().status is OutboxStatus.PENDING and "451" in (current().last_error or "")
    assert current().next_attempt_at == week.clock.now() + timedelta(seconds=60)
    week.clock.advance(timedelta(seconds=59))
    assert d.run_once().failed_attempts == 0  # not due yet
    week.clock.advance(timedelta(seconds=1))
    assert d.run_once().failed_attempts == 1
    assert current().attempts == 2
    assert current().next_attempt_at == week.clock.now() + timedelta(seconds=120)  # doubled
    week.clock.advance(timedelta(seconds=120))
    assert d.run_once().incidents == 1
    assert current().status is OutboxStatus.FAILED and current().attempts == 3
    assert server.mailbox.received == []

    server.mailbox.answer = "250 OK"
    d.retry(message_id, "admin")
    assert d.run_once().sent == 1
    assert current().status is OutboxStatus.SENT and len(server.mailbox.received) == 1
    assert [e.event for e in audit(week) if e.event.startswith("outbox")] == [
        "outbox_incident",
        "outbox_retry",
    ]


def test_5xx_becomes_an_incident_at_once(week: Harness, smtp_server: Any) -> None:
    server: SmtpServer = smtp_server("plain")
    server.mailbox.answer = "550 5.1.1 Okänd mottagare"
    report = dispatcher(week, server.env()).run_once(limit=1)
    assert report.incidents == 1
    assert statuses(week)[OutboxStatus.FAILED.value] == 1


def test_a_dropped_connection_is_a_failed_attempt(week: Harness, smtp_server: Any) -> None:
    server: SmtpServer = smtp_server("plain")
    server.mailbox.drop = True
    report = dispatcher(week, server.env()).run_once(limit=1)
    assert report.failed_attempts == 1 and report.sent == 0 and report.incidents == 0
    assert server.mailbox.received == []


class Killed(BaseException):
    """Stands in for SIGKILL: nothing after it runs."""


def test_dispatcher_killed_between_sending_and_recording(week: Harness, smtp_server: Any) -> None:
    server: SmtpServer = smtp_server("plain")
    d = dispatcher(week, server.env())
    real_deliver = d.transport.deliver

    def deliver_then_die(email: EmailMessage) -> str:
        real_deliver(email)
        raise Killed

    d.transport.deliver = deliver_then_die  # type: ignore[method-assign]
    with pytest.raises(Killed):
        d.run_once()
    stuck = [m for m in outbox(week) if m.status is OutboxStatus.SENDING]
    assert len(stuck) == 1 and len(server.mailbox.received) == 1

    restarted = dispatcher(week, server.env(), "d2")
    restarted.run_once()  # within the lease: the stuck message is left alone
    assert next(m for m in outbox(week) if m.id == stuck[0].id).status is OutboxStatus.SENDING
    week.clock.advance(timedelta(minutes=11))
    restarted.run_once()
    assert statuses(week) == {"sent": len(outbox(week))}
    ids = server.mailbox.message_ids()
    # The message in flight was delivered again with the same Message-ID, so mail systems
    # show it once; every other message went exactly once.
    assert len(ids) == len(outbox(week)) + 1 and len(set(ids)) == len(outbox(week))


def test_meeting_invites_update_and_cancel(week: Harness, smtp_server: Any) -> None:
    server: SmtpServer = smtp_server("plain")
    week.run_until(utc(2027, 1, 6, 7, 30))  # the LOLG decision step and its meeting
    from tests.helpers import instance

    lolg = instance(week, "operativ-inriktning", "2027-W01")
    week.engine.move_meeting(lolg.id or 0, "beslut", utc(2027, 1, 6, 12), "peter-nord")
    week.engine.cancel_meeting(lolg.id or 0, "beslut", "peter-nord")
    dispatcher(week, server.env()).run_once()
    invites = [m for m in server.mailbox.received if m["X-Lofte-Kind"].startswith("meeting")]
    to_ida = [m for m in invites if "ida.falk" in m["To"]]
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
    methods = [method for method, _ in parsed]
    assert methods == ["REQUEST", "REQUEST", "CANCEL"]
    uids = {cal.vevent.uid.value for _, cal in parsed}
    assert uids == {"operativ-inriktning-2027-W01-beslut@lofte"}
    assert [int(cal.vevent.sequence.value) for _, cal in parsed] == [0, 1, 2]
    first, moved = parsed[0][1], parsed[1][1]
    assert first.method.value == "REQUEST" and first.vtimezone.tzid.value == "Europe/Stockholm"
    assert first.vevent.dtstart.value.hour == 9 and str(first.vevent.dtstart.value.tzinfo)
    assert moved.vevent.dtstart.value.astimezone().hour == utc(2027, 1, 6, 12).astimezone().hour
    assert parsed[2][1].vevent.status.value == "CANCELLED"
    assert len(invites) == 3 * 9  # LOLG: LPO chief, 2 group chiefs, 5 kommunpoliser, coordinator
