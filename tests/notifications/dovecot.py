"""A real IMAP server for the tests: Dovecot (Debian's dovecot-imapd) started on a free port of
127.0.0.1 with implicit TLS (a certificate made for the test), one mailbox user, its mail in a
folder of the test. `.ci/run` installs Dovecot; in CI a missing Dovecot fails, elsewhere the
tests that need it are skipped."""

from __future__ import annotations

import ipaddress
import os
import shutil
import socket
import ssl
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from imapclient import IMAPClient

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
USER = "lofte@sala.example.se"
PASSWORD = "brevlådans-lösen-1"
NOBODY = 65534  # the mail's owner (Dovecot refuses to run a mailbox as root)
READY_WITHIN = 15.0  # seconds for the server to answer on its port

CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = required
ssl_cert = <{root}/cert.pem
ssl_key = <{root}/key.pem
auth_mechanisms = plain login
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={uid} home={root}/home/%u
}}
mail_location = maildir:~/Maildir
service imap-login {{
  inet_listener imap {{
    port = 0
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {port}
  }}
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0666
  }}
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"""


def require_dovecot() -> None:
    if not Path(DOVECOT).exists():
        if os.environ.get("CI"):
            pytest.fail("Dovecot is missing (.ci/run installs dovecot-imapd)")
        pytest.skip("Dovecot is not installed (apt-get install dovecot-imapd)")


@dataclass
class Dovecot:
    root: Path
    port: int
    process: subprocess.Popen[bytes] | None = None

    @property
    def ca_file(self) -> Path:
        return self.root / "cert.pem"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [DOVECOT, "-F", "-c", str(self.root / "dovecot.conf")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(int(READY_WITHIN / 0.05)):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                try:
                    self.process.wait(timeout=0.05)  # returns only if Dovecot stopped
                except subprocess.TimeoutExpired:
                    continue
                break
        log = (self.root / "dovecot.log").read_text(errors="replace")[-2000:]
        raise AssertionError(f"Dovecot did not start on port {self.port}:\n{log}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def client(self) -> IMAPClient:
        context = ssl.create_default_context(cafile=str(self.ca_file))
        client = IMAPClient("127.0.0.1", port=self.port, ssl=True, ssl_context=context)
        client.plain_login(USER, PASSWORD)
        return client

    def deliver(self, *mails: bytes, folder: str = "INBOX") -> None:
        """Put mails into the mailbox, as the mail server would on delivery."""
        with self.client() as client:
            for mail in mails:
                client.append(folder, mail)
            client.logout()

    def count(self, folder: str) -> int:
        with self.client() as client:
            if not client.folder_exists(folder):
                return 0
            found = int(client.folder_status(folder, ["MESSAGES"])[b"MESSAGES"])
            client.logout()
            return found

    def env(self) -> dict[str, str]:
        """The settings with which Löfte reads this mailbox."""
        return {
            "LOFTE_IMAP_HOST": "127.0.0.1",
            "LOFTE_IMAP_PORT": str(self.port),
            "LOFTE_IMAP_USER": USER,
            "LOFTE_IMAP_PASSWORD": PASSWORD,
            "LOFTE_IMAP_CA_FILE": str(self.ca_file),
        }


def make_dovecot() -> Dovecot:
    """A server in a folder of its own under the system's temporary folder (the mailbox's
    owner, not root, must reach it; pytest's folders are root's alone); `remove` it after."""
    require_dovecot()
    root = Path(tempfile.mkdtemp(prefix="lofte-dovecot-"))
    root.chmod(0o755)
    for part in ("run", "state", "home"):
        (root / part).mkdir(parents=True)
    os.chown(root / "home", NOBODY, NOBODY)
    _certificate(root)
    (root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
    port = _free_port()
    config = CONFIG.format(root=root, port=port, uid=NOBODY)
    (root / "dovecot.conf").write_text(config)
    return Dovecot(root, port)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _certificate(root: Path) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)  # a certificate must hold in real time, whatever the test's clock
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    (root / "cert.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    (root / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
