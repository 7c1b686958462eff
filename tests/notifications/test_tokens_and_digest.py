"""Answer links: signed, expiring, single-use. Digests: one email a day instead of one per task.
Two dispatchers on PostgreSQL never send the same message. Mail settings are checked."""

from __future__ import annotations

import dataclasses
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from definitions.loader import PACKAGED_DIR, load_bundle
from notifications.config import mail_settings
from notifications.dispatcher import Dispatcher
from notifications.transports import FileDropTransport, transport_for
from tests.conftest import make_harness
from tests.helpers import instance, inventory_answer, outbox, request_of, utc
from tests.notifications.conftest import SmtpServer
from workflow.errors import ConfigError, InvalidToken, SubmissionError
from workflow.records import MessageKind, OutboxStatus
from workflow.tokens import make_token, read_token


def read_eml(path: Path) -> Any:
    import email
    from email import policy

    return email.message_from_bytes(path.read_bytes(), policy=policy.default)


def test_tokens_are_signed_and_expire() -> None:
    until = utc(2027, 1, 7, 15)
    token = make_token(42, until, "s3cret")
    assert read_token(token, "s3cret", utc(2027, 1, 7)) == 42
    forged = token.replace("42.", "43.", 1)
    with pytest.raises(InvalidToken, match="signature does not match"):
        read_token(forged, "s3cret", utc(2027, 1, 7))
    with pytest.raises(InvalidToken, match="signature"):
        read_token(token, "another secret", utc(2027, 1, 7))
    with pytest.raises(InvalidToken, match="expired"):
        read_token(token, "s3cret", until + timedelta(seconds=1))
    with pytest.raises(InvalidToken, match="incomplete or altered"):
        read_token("not-a-token", "s3cret", utc(2027, 1, 7))


def test_an_emailed_link_answers_once(sqlite_url: str, tmp_path: Path) -> None:
    h = make_harness(sqlite_url, utc(2027, 1, 1))
    h.run_until(utc(2027, 1, 4, 8))
    settings = mail_settings({"LOFTE_MAIL_DIR": str(tmp_path)})
    Dispatcher(h.store, h.clock, FileDropTransport(tmp_path), settings).run_once()
    week = instance(h, "est-inventering", "2027-W01")
    maria = request_of(h, week, "rapportering", "maria-holm")
    eml = next(
        p
        for p in tmp_path.glob("input_request-*.eml")
        if "maria.holm" in p.read_text(encoding="utf-8")
    )
    import email
    from email import policy

    parsed = email.message_from_bytes(eml.read_bytes(), policy=policy.default)
    body = parsed.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    token = body.split("/svar/", 1)[1].split()[0]

    with pytest.raises(SubmissionError):  # a bad answer through a good link stores nothing
        h.engine.submit_with_token(token, {"iakttagelser": "fel"})
    answered = h.engine.submit_with_token(token, inventory_answer())
    assert answered.id == maria.id and answered.person_id == "maria-holm"
    with pytest.raises(InvalidToken, match="already been used"):
        h.engine.submit_with_token(token, inventory_answer())
    h.store.engine.dispose()


def test_an_expired_link_is_refused_and_nothing_is_stored(sqlite_url: str) -> None:
    h = make_harness(sqlite_url, utc(2027, 1, 1))
    h.run_until(utc(2027, 1, 4, 8))
    week = instance(h, "est-inventering", "2027-W01")
    johan = request_of(h, week, "rapportering", "johan-sjo")
    with h.store.transaction() as tx:
        from workflow.tokens import installation_secret

        token = make_token(johan.id or 0, utc(2027, 1, 7, 15), installation_secret(tx))
    h.clock.set(utc(2027, 1, 7, 15, 1))
    with pytest.raises(InvalidToken, match="expired"):
        h.engine.submit_with_token(token, inventory_answer())
    assert request_of(h, week, "rapportering", "johan-sjo").status.value == "open"
    h.store.engine.dispose()


def test_a_digest_person_gets_one_email_a_day(sqlite_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "defs"
    folder.mkdir()
    org = (PACKAGED_DIR / "organisation.yaml").read_text(encoding="utf-8")
    org = org.replace(
        "    roles: [est-rapportor, styrgrupp]\n",
        "    roles: [est-rapportor, styrgrupp]\n    digest: true\n",
    )
    (folder / "organisation.yaml").write_text(org, encoding="utf-8")
    h = make_harness(sqlite_url, utc(2027, 1, 1), load_bundle([folder]))
    mails = tmp_path / "mail"
    d = Dispatcher(h.store, h.clock, FileDropTransport(mails), mail_settings({}))

    def maria() -> list[tuple[str, str]]:
        return [(m.kind.value, m.status.value) for m in outbox(h) if m.person_id == "maria-holm"]

    h.run_until(utc(2027, 1, 4, 8))  # Monday 09:00: the inventory asks Maria
    d.run_once()
    assert maria() == [("input_request", "digested"), ("digest", "sent")]
    h.run_until(utc(2027, 1, 5, 6, 30))  # Tuesday 07:30: still open, so in today's digest
    d.run_once()
    d.run_once()
    assert maria()[1:] == [("digest", "sent"), ("digest", "sent")]  # one a day, not more
    digest = [m for m in outbox(h) if m.kind is MessageKind.DIGEST][-1]
    assert [t["step_title"] for t in digest.context["tasks"]] == ["Rapportera veckans iakttagelser"]
    received = [read_eml(p) for p in sorted(mails.glob("*.eml"))]
    to_maria = [m for m in received if "maria.holm" in str(m["To"])]
    assert [m["X-Lofte-Kind"] for m in to_maria] == ["digest", "digest"]
    assert str(to_maria[0]["Subject"]).startswith("Dina uppgifter i medborgarlöftet – ")
    body = to_maria[0].get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Dina öppna uppgifter" in body and "/svar/" in body
    h.store.engine.dispose()


def test_two_dispatchers_on_postgres_never_send_the_same_message(
    pg_url: str, smtp_server: Any
) -> None:
    server: SmtpServer = smtp_server("plain")
    h = make_harness(pg_url, utc(2027, 1, 1))
    h.run_until(utc(2027, 1, 20))
    settings = mail_settings(server.env())
    both_sending = threading.Barrier(2, timeout=60)

    class MeetFirst:
        """Holds each dispatcher's first delivery until the other is mid-delivery too, so the
        two certainly work at the same time."""

        def __init__(self) -> None:
            self.inner = transport_for(settings)
            self.first = True

        def deliver(self, email: Any) -> str:
            if self.first:
                self.first = False
                both_sending.wait()
            return self.inner.deliver(email)

    dispatchers = [
        Dispatcher(h.store, h.clock, MeetFirst(), settings, dispatcher_id=f"d{i}") for i in (1, 2)
    ]
    threads = [threading.Thread(target=d.run_once) for d in dispatchers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    rows = outbox(h)
    ids = server.mailbox.message_ids()
    assert len(ids) == len(set(ids)) == len(rows) > 50
    assert {m.status for m in rows} == {OutboxStatus.SENT}
    assert {m.claimed_by for m in rows} == {"d1", "d2"}  # both did work
    h.store.engine.dispose()


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"LOFTE_SMTP_HOST": "x", "LOFTE_SMTP_TLS": "tls"}, "LOFTE_SMTP_TLS='tls'"),
        ({"LOFTE_SMTP_HOST": "x", "LOFTE_SMTP_PORT": "abc"}, "LOFTE_SMTP_PORT='abc'"),
        ({"LOFTE_SMTP_HOST": "x", "LOFTE_SMTP_PORT": "70000"}, "expected 1..65535"),
        ({"LOFTE_SMTP_HOST": "x", "LOFTE_SMTP_USER": "u"}, "no password"),
        (
            {"LOFTE_SMTP_HOST": "x", "LOFTE_SMTP_USER": "u", "LOFTE_SMTP_PASSWORD_FILE": "/nope"},
            "LOFTE_SMTP_PASSWORD_FILE=/nope",
        ),
        ({"LOFTE_MAIL_FROM": "nobody"}, "LOFTE_MAIL_FROM='nobody'"),
        ({"LOFTE_OUTBOX_MAX_ATTEMPTS": "0"}, "expected 1..100"),
    ],
)
def test_bad_mail_settings_are_named(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(".", r"\.")):
        mail_settings(env)


def test_defaults_write_eml_files() -> None:
    settings = mail_settings({})
    assert settings.smtp is None and settings.mail_dir == Path("lofte-mail")
    assert dataclasses.replace(settings).max_attempts == 8
