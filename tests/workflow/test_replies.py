"""A reply to a request mail is an answer when it says "inget att rapportera" (or "inget",
"nothing to report") above the quoted original, comes from the person asked, to the request's
own reply address, while its step is open. Anything else is kept and audited but never taken
as an answer: a forged or expired address, another sender, a failed DMARC check, an
out-of-office reply, a text Löfte does not read. The same mail read twice records once."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

import pytest

from lofte.definitions.loader import PACKAGED_DIR, load_bundle
from lofte.workflow.application.answer_links import installation_secret
from lofte.workflow.application.app import Application
from lofte.workflow.application.mail_notes import mail_notes
from lofte.workflow.application.person_export import export_person
from lofte.workflow.application.person_export_page import render_person_export
from lofte.workflow.application.replies import Outcome, read_mail
from lofte.workflow.application.reply_address import reply_address
from lofte.workflow.application.reply_answer import says_nothing_to_report
from lofte.workflow.core.message_ids import message_id
from lofte.workflow.core.records import InputRequest, OutboxStatus, RequestStatus
from tests.harness import MEMORY, Harness, make_harness, utc

MAILBOX = "lofte@sala.example.se"
TOVE = "Tove Lind <tove.lind@raddning.example.se>"
OUTLOOK_QUOTE = """
Med vänliga hälsningar
Tove Lind
Räddningstjänsten Sala-Heby

Från: Löfte <lofte@sala.example.se>
Skickat: den 4 januari 2027 09:00
Till: Tove Lind <tove.lind@raddning.example.se>
Ämne: EST-inventering vecka 1: rapportera senast torsdag

Hej Tove! Du ombeds lämna underlag till EST-inventering ...
"""
GMAIL_QUOTE = """
On Mon, 4 Jan 2027 at 09:00, Löfte <lofte@sala.example.se> wrote:
> Hej Tove! Du ombeds lämna underlag till EST-inventering ...
> Svara senast torsdag 7 januari kl. 12.00
"""


@pytest.fixture
def week(memory_harness: Harness) -> Iterator[tuple[Harness, Application, InputRequest]]:
    h = memory_harness
    h.run_until(utc(2027, 1, 4, 9))
    request = h.request(h.cycle("est-inventering", "sala", "2027-W01"), "rapportering", "tove-lind")
    yield h, h.app(), request


def address_of(app: Application, request: InputRequest) -> str:
    with app.engine.store.unit_of_work(read_only=True) as uow:
        secret = installation_secret(uow.settings)
    return reply_address(MAILBOX, request.id or 0, request.late_until, secret)


def reply(to: str, body: str, sender: str = TOVE, **headers: str) -> bytes:
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = to
    mail["Subject"] = "SV: EST-inventering vecka 1"
    mail["Date"] = format_datetime(utc(2027, 1, 4, 10))
    mail["Message-ID"] = make_msgid(domain="raddning.example.se")
    for name, value in headers.items():
        mail[name.replace("_", "-")] = value
    mail.set_content(body)
    return bytes(mail)


def status_of(h: Harness, request: InputRequest) -> RequestStatus:
    week = h.cycle("est-inventering", "sala", "2027-W01")
    return h.request(week, "rapportering", "tove-lind").status


def test_inget_att_rapportera_from_outlook_is_the_answer_and_is_audited_once(
    week: tuple[Harness, Application, InputRequest],
) -> None:
    h, app, request = week
    raw = reply(address_of(app, request), "Inget att rapportera" + OUTLOOK_QUOTE)
    read = read_mail(app, raw, MAILBOX)
    assert read.outcome is Outcome.ANSWERED
    assert read.request_id == request.id
    answered = h.request(
        h.cycle("est-inventering", "sala", "2027-W01"), "rapportering", "tove-lind"
    )
    assert answered.status is RequestStatus.ANSWERED
    assert answered.answer == {"inget_att_rapportera": True}
    receipts = h.outbox("reply_read", "tove-lind")
    assert [m.context["recorded"] for m in receipts] == [True]
    assert receipts[0].context["understood"] == ["Inget att rapportera denna vecka"]
    assert receipts[0].request_id == request.id  # its link changes the answer
    again = read_mail(app, raw, MAILBOX)
    assert again.outcome is None and again.reason == "redan läst"
    assert len(h.outbox("reply_read", "tove-lind")) == 1
    received = [e for e in h.audit() if e.event == "mail_received"]
    assert len(received) == 1
    assert received[0].detail["outcome"] == "answered"
    assert received[0].detail["message_id"].endswith("@raddning.example.se>")


@pytest.mark.parametrize(
    "body",
    [
        "INGET ATT RAPPORTERA!" + OUTLOOK_QUOTE,
        "inget\n\n/Tove" + GMAIL_QUOTE,
        "Nothing to report." + GMAIL_QUOTE,
        "  Inget att rapportera.\n\nTove Lind\nRäddningstjänsten\n070-123 45 67" + GMAIL_QUOTE,
    ],
)
def test_the_phrases_in_any_case_with_a_signature_are_read(
    week: tuple[Harness, Application, InputRequest], body: str
) -> None:
    h, app, request = week
    assert (
        read_mail(app, reply(address_of(app, request), body), MAILBOX).outcome is Outcome.ANSWERED
    )
    assert status_of(h, request) is RequestStatus.ANSWERED


@pytest.mark.parametrize(
    "text",
    [
        "Klotter vid busstationen i tisdags",
        "Inget att rapportera förutom klotter vid torget",
        "Inget att rapportera\n\nMen i tisdags såg vi klotter på busskuren vid torget, ungefär "
        "två kvadratmeter, och en trasig belysning i gångtunneln under järnvägen.",
        "",
    ],
)
def test_anything_else_is_never_guessed(text: str) -> None:
    assert not says_nothing_to_report(text)


def test_a_text_that_is_not_an_answer_leaves_the_request_waiting(
    week: tuple[Harness, Application, InputRequest],
) -> None:
    h, app, request = week
    read = read_mail(
        app, reply(address_of(app, request), "Klotter vid torget" + OUTLOOK_QUOTE), MAILBOX
    )
    assert read.outcome is Outcome.NOT_UNDERSTOOD
    assert status_of(h, request) is RequestStatus.OPEN
    told = h.outbox("reply_read", "tove-lind")
    assert [m.context["recorded"] for m in told] == [False]
    assert told[0].context["not_understood"] == "Klotter vid torget"  # the signature is off


def test_a_reply_from_another_address_is_refused(
    week: tuple[Harness, Application, InputRequest],
) -> None:
    h, app, request = week
    raw = reply(address_of(app, request), "Inget att rapportera", sender="mallory@example.com")
    read = read_mail(app, raw, MAILBOX)
    assert read.outcome is Outcome.REFUSED
    assert read.reason == "avsändaren är inte den som förfrågan gick till"
    assert status_of(h, request) is RequestStatus.OPEN
    assert h.outbox("reply_read") == []  # a stranger never gets the link


def test_a_forged_reply_address_is_refused(
    week: tuple[Harness, Application, InputRequest],
) -> None:
    h, app, request = week
    genuine = address_of(app, request)
    local, domain = genuine.split("@")
    forged = f"{local[:-3]}aaa@{domain}"
    read = read_mail(app, reply(forged, "Inget att rapportera"), MAILBOX)
    assert read.outcome is Outcome.REFUSED
    assert "signaturen stämmer inte" in read.reason
    other = address_of(app, request).replace(f"+{request.id}.", f"+{(request.id or 0) + 1}.")
    assert read_mail(app, reply(other, "Inget"), MAILBOX).outcome is Outcome.REFUSED
    assert status_of(h, request) is RequestStatus.OPEN


def test_a_server_that_found_the_sender_forged_refuses_the_reply(
    week: tuple[Harness, Application, InputRequest],
) -> None:
    h, app, request = week
    results = "mx.sala.example.se; spf=pass smtp.mailfrom=raddning.example.se; dmarc=fail"
    raw = reply(address_of(app, request), "Inget", Authentication_Results=results)
    read = read_mail(app, raw, MAILBOX)
    assert read.outcome is Outcome.REFUSED and "dmarc=fail" in read.reason
    spf_only = "mx.sala.example.se; spf=fail; dmarc=pass"
    raw = reply(address_of(app, request), "Inget", Authentication_Results=spf_only)
    assert read_mail(app, raw, MAILBOX).outcome is Outcome.ANSWERED  # spf is not refused unless set
    event = [e for e in h.audit() if e.event == "mail_received"][-1]
    assert event.detail["authentication"] == {"spf": "fail", "dmarc": "pass"}


def test_an_out_of_office_reply_is_never_an_answer(
    week: tuple[Harness, Application, InputRequest],
) -> None:
    h, app, request = week
    raw = reply(
        address_of(app, request),
        "Inget att rapportera.\nJag är ledig till 12 januari.",
        Auto_Submitted="auto-replied",
    )
    assert read_mail(app, raw, MAILBOX).outcome is Outcome.AUTO_REPLY
    assert status_of(h, request) is RequestStatus.OPEN


def test_a_reply_after_the_step_closed_is_refused(
    week: tuple[Harness, Application, InputRequest],
) -> None:
    h, app, request = week
    h.run_until(utc(2027, 1, 12, 9))  # the week's inventory has closed
    read = read_mail(app, reply(address_of(app, request), "Inget"), MAILBOX)
    assert read.outcome is Outcome.REFUSED


def test_a_mail_to_the_mailbox_itself_is_not_a_reply(
    week: tuple[Harness, Application, InputRequest],
) -> None:
    _, app, _ = week
    read = read_mail(app, reply(MAILBOX, "Hej! Vem ska jag kontakta om EST?"), MAILBOX)
    assert read.outcome is Outcome.NOT_A_REPLY


def delivery_report(
    message_ref: str, quoted_id: str, recipient: str, action: str = "failed"
) -> bytes:
    """A delivery status notification (RFC 3464) as a receiving server sends it back."""
    boundary = "dsn-boundary"
    return (
        "From: Mail Delivery System <MAILER-DAEMON@mx.raddning.example.se>\r\n"
        f"To: {MAILBOX}\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        f"Message-ID: <dsn.{message_ref}.{action}@mx.raddning.example.se>\r\n"
        "Auto-Submitted: auto-replied\r\n"
        "MIME-Version: 1.0\r\n"
        f'Content-Type: multipart/report; report-type=delivery-status; boundary="{boundary}"\r\n'
        "\r\n"
        f"--{boundary}\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        "Your message could not be delivered.\r\n"
        f"--{boundary}\r\n"
        "Content-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.raddning.example.se\r\n\r\n"
        f"Final-Recipient: rfc822; {recipient}\r\n"
        f"Action: {action}\r\n"
        "Status: 5.1.1\r\n"
        "Diagnostic-Code: smtp; 550 5.1.1 <tove.lind@raddning.example.se>:\r\n"
        "    Recipient address rejected: User unknown\r\n"
        f"--{boundary}\r\n"
        "Content-Type: text/rfc822-headers\r\n\r\n"
        "From: Löfte <lofte@lofte.local>\r\n"
        f"Message-ID: {quoted_id}\r\n"
        f"X-Lofte-Message: {message_ref}\r\n"
        "Subject: EST-inventering\r\n"
        f"--{boundary}--\r\n"
    ).encode()


def test_a_bounce_makes_the_request_mail_an_incident_shown_beside_the_request(
    week: tuple[Harness, Application, InputRequest],
) -> None:
    h, app, request = week
    [sent] = [m for m in h.outbox("input_request", "tove-lind") if m.request_id == request.id]
    quoted = message_id(sent.key, "lofte.local")
    report = delivery_report(str(sent.id), quoted, sent.recipient)
    read = read_mail(app, report, MAILBOX)
    assert read.outcome is Outcome.BOUNCE
    assert read.reason.startswith("studsade: tove.lind@raddning.example.se (5.1.1 smtp; 550")
    [failed] = [m for m in h.outbox("input_request", "tove-lind") if m.id == sent.id]
    assert failed.status is OutboxStatus.FAILED
    assert failed.last_error is not None and "User unknown" in failed.last_error
    assert "outbox_bounced" in h.events()
    note = mail_notes(app, [request], "sv")[request.id or 0]
    assert note.startswith("e-posten kom inte fram (5.1.1 smtp; 550 5.1.1")
    assert mail_notes(app, [request], "en")[request.id or 0].startswith(
        "the email was not delivered (5.1.1"
    )


@pytest.mark.parametrize(
    ("ref", "quoted", "action"),
    [
        ("own", "another message's id", "failed"),  # quotes a Message-ID not of that message
        ("own", "own", "delayed"),  # only a delay: nothing failed yet
        ("999999", "own", "failed"),  # names no message of ours
    ],
)
def test_a_report_that_does_not_prove_a_failure_changes_nothing(
    week: tuple[Harness, Application, InputRequest], ref: str, quoted: str, action: str
) -> None:
    h, app, request = week
    [sent] = [m for m in h.outbox("input_request", "tove-lind") if m.request_id == request.id]
    own = message_id(sent.key, "lofte.local")
    quoted_id = own if quoted == "own" else "<lofte.0123456789abcdef0123456789abcdef@x>"
    report = delivery_report(
        str(sent.id) if ref == "own" else ref, quoted_id, sent.recipient, action
    )
    assert read_mail(app, report, MAILBOX).outcome is Outcome.BOUNCE
    [same] = [m for m in h.outbox("input_request", "tove-lind") if m.id == sent.id]
    assert same.status is sent.status and "outbox_bounced" not in h.events()
    assert mail_notes(app, [request], "sv") == {}


def test_an_out_of_office_reply_is_shown_beside_the_persons_open_requests(
    week: tuple[Harness, Application, InputRequest],
) -> None:
    h, app, request = week
    auto = reply(
        MAILBOX,
        "Hej! Jag är ledig till 12 januari och läser inte mejl. Vid brådskande ärenden, ring "
        "räddningstjänstens växel.",
        Auto_Submitted="auto-replied",
    )
    read = read_mail(app, auto, MAILBOX)
    assert read.outcome is Outcome.AUTO_REPLY
    assert read.reason == "automatiskt svar: frånvarande till 12 jan 2027"
    assert h.outbox("reply_read") == []  # never answered
    assert mail_notes(app, [request], "sv") == {
        request.id: "frånvarande till 12 jan 2027 enligt autosvar"
    }
    h.clock.set(utc(2027, 1, 13, 8))  # back: the note goes
    assert mail_notes(app, [request], "sv") == {}


FILLED = """Hej!

--- Iakttagelser 1 ---
Kategori: Klotter
Plats: Stora torget
Datum: 2027-01-03
Klockslag: 21:30
Beskrivning: Nya taggar på busskuren,
ungefär två kvadratmeter.
Antal: 3
--- Iakttagelser 2 ---
Kategori: nedskräpning
Plats: Bakom Folkets hus
Område: Norr
Datum: 2027-01-02
Del av dygnet: Kväll (18–24)
Beskrivning: Glas och burkar.

Mvh Tove
"""


def test_a_filled_in_form_with_two_rows_is_the_answer(
    week: tuple[Harness, Application, InputRequest],
) -> None:
    h, app, request = week
    read = read_mail(app, reply(address_of(app, request), FILLED + GMAIL_QUOTE), MAILBOX)
    assert read.outcome is Outcome.ANSWERED, read.reason
    answered = h.request(
        h.cycle("est-inventering", "sala", "2027-W01"), "rapportering", "tove-lind"
    )
    rows = answered.answer["iakttagelser"]
    assert [(r["kategori"], r["plats"]) for r in rows] == [
        ("klotter", "Stora torget"),
        ("nedskrapning", "Bakom Folkets hus"),
    ]
    assert rows[0]["beskrivning"] == "Nya taggar på busskuren,\nungefär två kvadratmeter."
    assert (rows[0]["antal"], rows[0]["klockslag"]) == (3, "21:30")
    assert rows[1]["dygnsdel"] == "kvall" and rows[1]["omrade"] == "Norr"
    [receipt] = h.outbox("reply_read", "tove-lind")
    assert receipt.context["recorded"] is True
    assert receipt.context["understood"] == ["Iakttagelser: 2 rader"]


@pytest.mark.parametrize(
    ("text", "told"),
    [
        (FILLED.replace("Kategori: Klotter", "Kategori: Ufo"), "Kategori"),  # no such option
        (FILLED.replace("Datum: 2027-01-03", "Datum: i förrgår"), "Datum"),
        (
            FILLED.replace("Hej!", "Hej! Och så var det lite annat också som hände i veckan"),
            "annat",
        ),
    ],
)
def test_a_form_that_is_not_a_valid_answer_is_told_back_and_nothing_is_stored(
    week: tuple[Harness, Application, InputRequest], text: str, told: str
) -> None:
    h, app, request = week
    read = read_mail(app, reply(address_of(app, request), text), MAILBOX)
    assert read.outcome is Outcome.NOT_UNDERSTOOD
    assert status_of(h, request) is RequestStatus.OPEN
    [message] = h.outbox("reply_read", "tove-lind")
    assert message.context["recorded"] is False and told in message.context["not_understood"]
    assert message.context["understood"] == ["Iakttagelser: 2 rader"]


def test_a_reply_from_an_address_configured_for_the_person_is_theirs(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "setup"
    shutil.copytree(PACKAGED_DIR, folder)
    organisation = folder / "organisation.yaml"
    text = organisation.read_text(encoding="utf-8")
    own = "email: tove.lind@raddning.example.se,"
    assert own in text
    organisation.write_text(
        text.replace(own, f"{own} reply_from: [rtj-sala@raddning.example.se],"), encoding="utf-8"
    )
    h = make_harness(MEMORY, utc(2027, 1, 1), load_bundle([folder]))
    try:
        h.run_until(utc(2027, 1, 4, 9))
        week = h.cycle("est-inventering", "sala", "2027-W01")
        request = h.request(week, "rapportering", "tove-lind")
        app = h.app()
        shared = "Räddningstjänsten <RTJ-Sala@raddning.example.se>"
        raw = reply(address_of(app, request), "Inget att rapportera", sender=shared)
        assert read_mail(app, raw, MAILBOX).outcome is Outcome.ANSWERED
    finally:
        h.close()


def test_the_persons_mails_read_are_in_what_is_held_about_them(
    week: tuple[Harness, Application, InputRequest],
) -> None:
    _, app, request = week
    read_mail(app, reply(address_of(app, request), "Inget att rapportera"), MAILBOX)
    auto = reply(MAILBOX, "Ledig till 12 januari.", Auto_Submitted="auto-replied")
    read_mail(app, auto, MAILBOX)
    read_mail(app, reply(address_of(app, request), "Inget", sender="x@example.com"), MAILBOX)
    held = export_person(app, "tove-lind", "admin")["mails_read"]
    assert [(m["outcome"], m["request_id"], m["away_until"]) for m in held] == [
        ("answered", request.id, None),
        ("auto_reply", None, "2027-01-12"),
    ]  # the stranger's mail names nobody
    assert held[0]["reason"] == "svaret registrerat: inget att rapportera"
    page = render_person_export(export_person(app, "tove-lind", "admin"))
    assert "E-post från personen som Löfte läst (2)" in page
    assert "automatiskt svar: frånvarande till 12 jan 2027" in page
