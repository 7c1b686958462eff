"""`lofte inbox read`, end to end: the request mail Löfte wrote carries a Reply-To of its own
and says that "inget att rapportera" may be replied; a reply to it saved in a Maildir is read,
recorded as the answer, and moved to `cur/` as read; reading the Maildir again records nothing
more. A missing LOFTE_REPLY_TO or place is a clear Swedish error."""

from __future__ import annotations

from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

import pytest

from lofte.cli.cmd_inbox import InboxJob
from lofte.cli.wiring import connect
from lofte.kernel.stopping import StopSignal
from tests.cli.test_cli import run
from tests.notifications.dovecot import make_dovecot

MAILBOX = "lofte@sala.example.se"


def request_mail_to(folder: Path, address: str) -> EmailMessage:
    for path in sorted(folder.glob("input_request-*.eml")):
        mail = message_from_bytes(path.read_bytes(), policy=policy.default)
        assert isinstance(mail, EmailMessage)
        if address in str(mail["To"]) and "EST-inventering v. 2 2027, Sala" in str(mail["Subject"]):
            return mail
    raise AssertionError(f"no inventory request to {address}")


def maildir(root: Path) -> Path:
    for part in ("new", "cur", "tmp"):
        (root / part).mkdir(parents=True)
    return root


def test_a_reply_in_a_maildir_answers_the_request_once(
    env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOFTE_REPLY_TO", MAILBOX)
    run(capsys, "init")
    env.write_text("2027-01-11T08:30:00+00:00")  # Monday 09:30: the week's inventory opens
    code, _, err = run(capsys, "run", "--exit-when-idle")
    assert code == 0, err
    request = request_mail_to(Path("mail"), "tove.lind@raddning.example.se")
    reply_to = str(request["Reply-To"])
    assert reply_to.startswith("lofte+") and reply_to.endswith("@sala.example.se")
    text = request.get_body(("plain",))
    assert text is not None and "Svara på det här mejlet med de orden" in text.get_content()

    answer = EmailMessage()
    answer["From"] = "Tove Lind <tove.lind@raddning.example.se>"
    answer["To"] = reply_to
    answer["Subject"] = f"SV: {request['Subject']}"
    answer["Message-ID"] = make_msgid(domain="raddning.example.se")
    answer["In-Reply-To"] = str(request["Message-ID"])
    answer.set_content("Inget att rapportera\n\nMvh Tove\n\n-----Ursprungligt meddelande-----\n")
    box = maildir(Path("inkorg"))
    (box / "new" / "1767000000.M1P1.mx").write_bytes(bytes(answer))

    code, out, err = run(capsys, "inbox", "read", "inkorg")
    assert code == 0, err
    assert "svar registrerat" in out and "1 mejl lästa, 1 svar registrerade." in out
    assert not list((box / "new").iterdir())
    assert [p.name for p in (box / "cur").iterdir()] == ["1767000000.M1P1.mx:2,S"]
    wired = connect(None)
    answered = [
        (cycle.unit_id, request.answer)
        for request, cycle in wired.app.reads.answered_requests_of("tove-lind", 10)
    ]
    assert answered == [("sala", {"inget_att_rapportera": True})]  # Surahammar's still waits
    code, out, err = run(capsys, "inbox", "read", "inkorg")
    assert code == 0 and "redan läst" in out and "0 svar registrerade" in out, err


def test_without_a_reply_address_or_a_place_it_says_what_is_missing(
    env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    run(capsys, "init")
    monkeypatch.delenv("LOFTE_REPLY_TO", raising=False)
    code, _, err = run(capsys, "inbox", "read", ".")
    assert code == 1 and "LOFTE_REPLY_TO är inte satt" in err
    monkeypatch.setenv("LOFTE_REPLY_TO", "Löfte <lofte+x@sala.se>")
    code, _, err = run(capsys, "inbox", "read", ".")
    assert code == 1 and "LOFTE_REPLY_TO=" in err and "utan +" in err
    monkeypatch.setenv("LOFTE_REPLY_TO", MAILBOX)
    code, _, err = run(capsys, "inbox", "read", "saknas")
    assert code == 1 and "saknas finns inte" in err
    monkeypatch.setenv("LOFTE_INBOX_REFUSE", "dmarc, arc")
    code, _, err = run(capsys, "inbox", "read", ".")
    assert code == 1 and "LOFTE_INBOX_REFUSE" in err and "'arc'" in err
    assert "Traceback" not in err


def test_inbox_fetch_reads_the_imap_mailbox_and_run_reads_it_beside_the_engine(
    env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    server = make_dovecot()
    server.start()
    try:
        for name, value in (server.env() | {"LOFTE_REPLY_TO": MAILBOX}).items():
            monkeypatch.setenv(name, value)
        run(capsys, "init")
        env.write_text("2027-01-11T08:30:00+00:00")
        assert run(capsys, "run", "--exit-when-idle")[0] == 0
        request = request_mail_to(Path("mail"), "tove.lind@raddning.example.se")
        answer = EmailMessage()
        answer["From"] = "tove.lind@raddning.example.se"
        answer["To"] = str(request["Reply-To"])
        answer["Message-ID"] = make_msgid(domain="raddning.example.se")
        answer.set_content("inget att rapportera")
        server.deliver(bytes(answer))
        code, out, err = run(capsys, "inbox", "fetch")
        assert code == 0, err
        assert "svar registrerat" in out and "1 mejl lästa, 1 svar registrerade." in out
        code, out, _ = run(capsys, "inbox", "fetch")
        assert code == 0 and "Inga mejl i INBOX på 127.0.0.1." in out

        job = InboxJob(connect(None).app, StopSignal())
        server.stop()
        assert job() == job() == 0
        server.start()
        server.deliver(bytes(answer))
        assert job() == 1
        lines = capsys.readouterr().out.splitlines()
        assert lines[0].startswith(f"brevlåda: brevlådan 127.0.0.1:{server.port} går inte att")
        assert lines[1:] == [
            "brevlåda: går att läsa igen",
            "brevlåda: 1 mejl lästa, 0 svar registrerade",
        ]
    finally:
        server.remove()


@pytest.mark.parametrize(
    ("setting", "value", "said"),
    [
        ("LOFTE_IMAP_TLS", "tls1.3", "LOFTE_IMAP_TLS='tls1.3': välj ssl"),
        ("LOFTE_IMAP_PORT", "99999", "LOFTE_IMAP_PORT=99999: ange 1–65535"),
        ("LOFTE_IMAP_USER", "", "LOFTE_IMAP_HOST är satt men inte LOFTE_IMAP_USER"),
        ("LOFTE_IMAP_CA_FILE", "/saknas.pem", "LOFTE_IMAP_CA_FILE=/saknas.pem: filen finns inte"),
        ("LOFTE_IMAP_TOKEN_FILE", "/saknas", "ange antingen LOFTE_IMAP_PASSWORD"),
    ],
)
def test_a_bad_mailbox_setting_is_named(
    env: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    setting: str,
    value: str,
    said: str,
) -> None:
    run(capsys, "init")
    settings = {
        "LOFTE_REPLY_TO": MAILBOX,
        "LOFTE_IMAP_HOST": "127.0.0.1",
        "LOFTE_IMAP_USER": MAILBOX,
        "LOFTE_IMAP_PASSWORD": "hemligt",
    }
    for name, chosen in (settings | {setting: value}).items():
        monkeypatch.setenv(name, chosen)
    for command in (("inbox", "fetch"), ("run", "--exit-when-idle")):
        code, _, err = run(capsys, *command)
        assert code == 1 and said in err and "Traceback" not in err, (command, err)


def test_the_form_in_the_request_mail_filled_in_and_replied_is_the_answer(
    env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOFTE_REPLY_TO", MAILBOX)
    run(capsys, "init")
    env.write_text("2027-01-11T08:30:00+00:00")
    assert run(capsys, "run", "--exit-when-idle")[0] == 0
    request = request_mail_to(Path("mail"), "tove.lind@raddning.example.se")
    body = request.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    form = text[text.index("--- Iakttagelser 1 ---") : text.index("--- Iakttagelser 2 ---")]
    values = {"Kategori": "Sprutfynd", "Plats": "Stora torget", "Datum": "2027-01-10"}
    values |= {"Del av dygnet": "Okänd tid", "Beskrivning": "Två sprutor i rabatten."}
    filled = "\n".join(
        f"{line}{' ' + values[line[:-1]] if line[:-1] in values else ''}"
        for line in form.splitlines()
    )
    answer = EmailMessage()
    answer["From"] = "tove.lind@raddning.example.se"
    answer["To"] = str(request["Reply-To"])
    answer["Message-ID"] = make_msgid(domain="raddning.example.se")
    answer.set_content(f"{filled}\n\nOn Mon, 11 Jan 2027, Löfte wrote:\n> {text[:200]}")
    box = maildir(Path("inkorg"))
    (box / "new" / "1768100000.M2P2.mx").write_bytes(bytes(answer))
    code, out, err = run(capsys, "inbox", "read", "inkorg")
    assert code == 0 and "svar registrerat" in out, out + err
    wired = connect(None)
    [(_, answered)] = [
        (cycle.unit_id, request.answer)
        for request, cycle in wired.app.reads.answered_requests_of("tove-lind", 10)
    ]
    assert answered["iakttagelser"][0]["kategori"] == "sprutfynd"
    assert answered["iakttagelser"][0]["beskrivning"] == "Två sprutor i rabatten."
