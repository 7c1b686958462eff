"""Replies read from a real IMAP server (Dovecot, implicit TLS with the test's certificate):
each mail is read, acted on once, and moved to the done folder (never deleted); a 10 MB reply
with attachments is refused without being downloaded; a mailbox that is down, or refuses the
login, is said so in Swedish, and its mail is read when it is back; IDLE wakes the watcher on
a new mail; `lofte inbox fetch` does it from the command line."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

import pytest

from lofte.kernel.errors import MailboxUnreachable
from lofte.kernel.stopping import StopSignal
from lofte.notifications.imap_inbox import ImapInbox
from lofte.notifications.inbox_config import imap_settings
from lofte.workflow.application.answer_links import installation_secret
from lofte.workflow.application.app import Application
from lofte.workflow.application.replies import Outcome, ReadMail, read_mail
from lofte.workflow.application.reply_address import reply_address
from lofte.workflow.core.message_ids import message_id
from lofte.workflow.core.records import InputRequest, RequestStatus
from tests.harness import Harness, utc
from tests.notifications.dovecot import Dovecot, make_dovecot
from tests.workflow.test_replies import delivery_report

MAILBOX = "lofte@sala.example.se"
TOVE = "Tove Lind <tove.lind@raddning.example.se>"
DONE = "Löfte-lästa"


@pytest.fixture
def dovecot() -> Iterator[Dovecot]:
    server = make_dovecot()
    server.start()
    yield server
    server.remove()


@pytest.fixture
def week(sqlite_harness: Harness) -> tuple[Harness, Application, InputRequest]:
    h = sqlite_harness
    h.run_until(utc(2027, 1, 4, 9))
    request = h.request(h.cycle("est-inventering", "sala", "2027-W01"), "rapportering", "tove-lind")
    return h, h.app(), request


def reply(app: Application, request: InputRequest, body: str) -> EmailMessage:
    with app.engine.store.unit_of_work(read_only=True) as uow:
        secret = installation_secret(uow.settings)
    mail = EmailMessage()
    mail["From"] = TOVE
    mail["To"] = reply_address(MAILBOX, request.id or 0, request.late_until, secret)
    mail["Subject"] = "SV: EST-inventering"
    mail["Message-ID"] = make_msgid(domain="raddning.example.se")
    mail.set_content(body)
    return mail


def inbox(server: Dovecot, **extra: str) -> ImapInbox:
    settings = imap_settings(server.env() | extra)
    assert settings is not None
    return ImapInbox(settings)


def reader(app: Application):  # type: ignore[no-untyped-def]
    return lambda raw, size: read_mail(app, raw, MAILBOX, size=size)


def status(h: Harness) -> RequestStatus:
    week = h.cycle("est-inventering", "sala", "2027-W01")
    return h.request(week, "rapportering", "tove-lind").status


def test_replies_in_the_mailbox_are_read_once_and_moved_never_deleted(
    dovecot: Dovecot, week: tuple[Harness, Application, InputRequest]
) -> None:
    h, app, request = week
    unreadable = reply(app, request, "Klotter vid torget")
    answer = reply(app, request, "Inget att rapportera\n\nMvh Tove")
    dovecot.deliver(bytes(unreadable), bytes(answer))
    read = inbox(dovecot).read_once(reader(app))
    assert [r.outcome for r in read] == [Outcome.NOT_UNDERSTOOD, Outcome.ANSWERED]
    assert status(h) is RequestStatus.ANSWERED
    assert (dovecot.count("INBOX"), dovecot.count(DONE)) == (0, 2)
    assert inbox(dovecot).read_once(reader(app)) == []
    dovecot.deliver(bytes(answer))  # the same mail again (a forwarding loop, a resend)
    again = inbox(dovecot).read_once(reader(app))
    assert [r.outcome for r in again] == [None]  # read before: nothing recorded twice
    assert len([e for e in h.audit() if e.event == "mail_received"]) == 2
    assert dovecot.count(DONE) == 3


def test_a_ten_megabyte_reply_is_refused_without_being_downloaded(
    dovecot: Dovecot, week: tuple[Harness, Application, InputRequest]
) -> None:
    h, app, request = week
    mail = reply(app, request, "Inget att rapportera")
    mail.add_attachment(bytes(range(256)) * 41_000, "application", "octet-stream", filename="a.bin")
    dovecot.deliver(bytes(mail))
    [read] = inbox(dovecot).read_once(reader(app))
    assert read.outcome is Outcome.REFUSED and read.reason == "för stort (mer än 10 MB)"
    assert status(h) is RequestStatus.OPEN
    assert dovecot.count(DONE) == 1


def test_a_mailbox_that_is_down_for_an_hour_loses_nothing(
    dovecot: Dovecot, week: tuple[Harness, Application, InputRequest]
) -> None:
    h, app, request = week
    dovecot.deliver(bytes(reply(app, request, "Inget")))
    dovecot.stop()
    for _ in range(60):  # a pass a minute for an hour, each refused at once
        with pytest.raises(MailboxUnreachable) as down:
            inbox(dovecot).read_once(reader(app))
    assert str(down.value).startswith(f"brevlådan 127.0.0.1:{dovecot.port} går inte att läsa")
    assert "tar inte emot anslutningar" in str(down.value)
    assert status(h) is RequestStatus.OPEN
    dovecot.start()
    [read] = inbox(dovecot).read_once(reader(app))
    assert read.outcome is Outcome.ANSWERED and status(h) is RequestStatus.ANSWERED


def test_a_refused_login_or_an_unknown_certificate_is_said_plainly(
    dovecot: Dovecot, week: tuple[Harness, Application, InputRequest], tmp_path: Path
) -> None:
    _, app, _ = week
    with pytest.raises(MailboxUnreachable) as refused:
        inbox(dovecot, LOFTE_IMAP_PASSWORD="fel").read_once(reader(app))
    assert "inloggningen nekades" in str(refused.value)
    other = make_dovecot()  # another server's certificate: not the one this server shows
    try:
        with pytest.raises(MailboxUnreachable) as untrusted:
            inbox(dovecot, LOFTE_IMAP_CA_FILE=str(other.ca_file)).read_once(reader(app))
    finally:
        other.remove()
    assert "certifikat godtas inte" in str(untrusted.value)


def test_idle_wakes_the_watcher_when_a_reply_arrives(
    dovecot: Dovecot, week: tuple[Harness, Application, InputRequest]
) -> None:
    h, app, request = week
    stop = StopSignal()
    seen: queue.SimpleQueue[list[ReadMail]] = queue.SimpleQueue()
    waiting: queue.SimpleQueue[bool] = queue.SimpleQueue()
    watcher = threading.Thread(
        target=inbox(dovecot).watch,
        args=(reader(app), stop, seen.put, lambda: waiting.put(True)),
        daemon=True,
    )
    watcher.start()
    assert waiting.get(timeout=30)  # the empty mailbox was read; the watcher waits in IDLE
    dovecot.deliver(bytes(reply(app, request, "Nothing to report")))
    try:
        [read] = seen.get(timeout=30)
    finally:
        stop.set()
        watcher.join(timeout=10)
    assert read.outcome is Outcome.ANSWERED and status(h) is RequestStatus.ANSWERED
    assert not watcher.is_alive()  # a stop ends the wait within a second


FIXTURES = Path(__file__).parents[1] / "data" / "replies"
PROGRAMS = (
    "outlook-desktop-sv.eml",  # "Inget att rapportera", signature, Outlook's Från:/Skickat: block
    "gmail-en.eml",  # "Nothing to report.", "On ... wrote:" and > quotes
    "apple-mail-sv.eml",  # "inget att rapportera", "/Tove", "Skickat från min iPhone"
    "outlook-ios-sv.eml",  # "INGET ATT RAPPORTERA", base64, "Hämta Outlook för iOS"
    "thunderbird-sv-form.eml",  # the mail's form filled in with two rows, format=flowed
)


def from_program(name: str, reply_to: str, sender: str = TOVE) -> bytes:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    address = sender.split("<")[-1].rstrip(">")
    return (
        text.replace("{REPLY_TO}", reply_to)
        .replace("{FROM}", address)
        .replace("{MESSAGE_ID}", f"{name}.{address}@raddning.example.se")
        .replace("\n", "\r\n")
        .encode("utf-8")
    )


def test_replies_from_five_mail_programs_and_the_ones_never_taken_through_imap(
    dovecot: Dovecot, week: tuple[Harness, Application, InputRequest]
) -> None:
    h, app, request = week
    address = str(reply(app, request, "")["To"])
    [sent] = [m for m in h.outbox("input_request", "tove-lind") if m.request_id == request.id]
    local, domain = address.split("@")
    out_of_office = reply(app, request, "Jag är ledig till 12 januari.")
    out_of_office["Auto-Submitted"] = "auto-replied"
    dovecot.deliver(
        *(from_program(name, address) for name in PROGRAMS),
        from_program("gmail-en.eml", f"{local[:-2]}xx@{domain}", "Tove <x@raddning.example.se>"),
        from_program("apple-mail-sv.eml", address, "Mallory <mallory@example.com>"),
        bytes(out_of_office),
        delivery_report(str(sent.id), message_id(sent.key, "lofte.local"), sent.recipient),
    )
    read = inbox(dovecot).read_once(reader(app))
    assert [r.outcome for r in read] == [Outcome.ANSWERED] * 5 + [
        Outcome.REFUSED,  # a forged reply address
        Outcome.REFUSED,  # the right address from another sender
        Outcome.AUTO_REPLY,
        Outcome.BOUNCE,
    ], [r.reason for r in read]
    answered = h.request(
        h.cycle("est-inventering", "sala", "2027-W01"), "rapportering", "tove-lind"
    )
    rows = answered.answer["iakttagelser"]  # the last reply, the form, changed the answer
    assert [(r["kategori"], r["plats"]) for r in rows] == [
        ("klotter", "Stora torget"),
        ("sprutfynd", "Bakom Folkets hus"),
    ]
    assert [m.context["recorded"] for m in h.outbox("reply_read", "tove-lind")] == [True] * 5
    assert dovecot.count("INBOX") == 0 and dovecot.count(DONE) == 9
    h.run_until(utc(2027, 1, 12, 9))  # the step has closed
    dovecot.deliver(from_program("outlook-ios-sv.eml", address).replace(b"outlook-ios", b"late"))
    [late] = inbox(dovecot).read_once(reader(app))
    assert late.outcome is Outcome.REFUSED and "tar inte längre emot svar" in late.reason
