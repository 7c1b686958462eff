"""A real SMTP server in-process (aiosmtpd) that records what it receives, and can be told to
answer 4xx, 5xx or drop the connection; plus a self-signed certificate for TLS."""

from __future__ import annotations

import email
import socket
import ssl
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.conftest import packaged
from tests.harness import Harness, make_harness, utc
from tests.notifications.hanging_smtp import HangingSmtp

USER, PASSWORD = "lofte", "hemligt-losenord-42"


@dataclass
class Mailbox:
    """The server's behaviour and what it received."""

    received: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    answer: str = "250 OK"
    drop: bool = False
    refused: set[str] = field(default_factory=set)  # addresses answered 550 at RCPT TO

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.refused:
            return "550 5.1.1 Mottagaren finns inte"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.drop:
            server.transport.close()
            return "250 OK"
        if not self.answer.startswith("250"):
            return self.answer
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        parsed = email.message_from_bytes(envelope.original_content, policy=policy.default)
        self.received.append(parsed)  # type: ignore[arg-type]
        return "250 OK"

    def message_ids(self) -> list[str]:
        return [str(m["Message-ID"]) for m in self.received]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "2",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost",
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def _authenticate(
    server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
) -> AuthResult:
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login.decode() == USER
        and auth_data.password.decode() == PASSWORD
    )
    return AuthResult(success=ok, handled=False)


@dataclass
class SmtpServer:
    mailbox: Mailbox
    port: int
    controller: Controller

    def env(self, **extra: str) -> dict[str, str]:
        values = {
            "LOFTE_SMTP_HOST": "127.0.0.1",
            "LOFTE_SMTP_PORT": str(self.port),
            "LOFTE_SMTP_TLS": "none",
            "LOFTE_MAIL_FROM": "Löfte <lofte@sala.example.se>",
            "LOFTE_BASE_URL": "https://lofte.sala.example.se",
        }
        values.update(extra)
        return values


@pytest.fixture
def smtp_server() -> Iterator[Any]:
    """Start servers on demand: smtp_server(mode) with mode plain, starttls, ssl or auth."""
    started: list[Controller] = []

    def start(mode: str = "plain", cert: tuple[Path, Path] | None = None) -> SmtpServer:
        mailbox = Mailbox()
        port = free_port()
        options: dict[str, Any] = {}
        if mode in ("starttls", "ssl"):
            assert cert is not None
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(str(cert[0]), str(cert[1]))
            if mode == "starttls":
                options |= {"tls_context": context, "require_starttls": True}
            else:
                options |= {"ssl_context": context}
        if mode == "auth":
            options |= {
                "authenticator": _authenticate,
                "auth_required": True,
                "auth_require_tls": False,
            }
        controller = Controller(mailbox, hostname="127.0.0.1", port=port, **options)
        controller.start()
        started.append(controller)
        return SmtpServer(mailbox, port, controller)

    yield start
    for controller in started:
        controller.stop()


@pytest.fixture
def hanging() -> Iterator[Any]:
    """Start hanging servers on demand: hanging(mode) with mode silent or data."""
    started: list[HangingSmtp] = []

    def start(mode: str) -> HangingSmtp:
        started.append(HangingSmtp(mode))
        return started[-1]

    yield start
    for server in started:
        server.close()


@pytest.fixture
def week(sqlite_url: str) -> Iterator[Harness]:
    """The first days of January 2027: requests, a LOLG meeting with its invitations."""
    h = make_harness(sqlite_url, utc(2027, 1, 1), packaged())
    h.run_until(utc(2027, 1, 4, 8))
    yield h
    h.close()
