"""Where emails go: an SMTP server (through yagmail) or, by default, .eml files in a folder.

yagmail is used for what it does well (connecting, implicit TLS or STARTTLS, login with the
credentials we pass, never a prompt). The MIME message is built by `compose` and handed to
the connection yagmail opened: yagmail's own `send()` would turn text that happens to name a
file into an attachment, put HTML into the plain part, sleep between retries, and report
failure by returning False; here every failure raises DeliveryFailed. It also rewrites login
names without "@" to Gmail addresses, which `deliver` undoes.
"""

from __future__ import annotations

import hashlib
import os
import smtplib
import ssl
from pathlib import Path
from typing import Protocol

import yagmail

from lofte.kernel.errors import system_reason
from lofte.notifications.compose import OutgoingEmail
from lofte.notifications.config import MailSettings, SmtpSettings


class DeliveryFailed(Exception):
    """A failed attempt. `permanent` failures (5xx) are not retried."""

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


class Transport(Protocol):
    def deliver(self, email: OutgoingEmail) -> str:
        """Deliver or raise DeliveryFailed; returns where it went (for `lofte outbox list`)."""
        ...


class FileDropTransport:
    """Writes each message as an .eml file that any mail client opens.

    The file name comes from the Message-ID, so delivering the same message again replaces
    the file instead of adding a duplicate. Each file is written beside its name and renamed
    into place, so a reader never sees half a message; four system calls a message, the
    folder made at the first (and again if it disappears).
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def deliver(self, email: OutgoingEmail) -> str:
        digest = hashlib.sha256(email.message_id.encode()).hexdigest()[:16]
        target = str(self.folder / f"{email.kind}-{digest}.eml")
        try:
            try:
                _write_then_rename(target, email.data)
            except FileNotFoundError:  # the folder is not there (yet)
                self.folder.mkdir(parents=True, exist_ok=True)
                _write_then_rename(target, email.data)
        except OSError as exc:
            raise DeliveryFailed(f"kan inte skriva {target}: {system_reason(exc)}") from exc
        return target


def _write_then_rename(target: str, data: bytes) -> None:
    partial = f"{target}.part"
    # Windows has neither O_CLOEXEC nor text-free writes without O_BINARY (CRLF -> CRCRLF).
    extra = getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    handle = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | extra, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(handle, view) :]
    finally:
        os.close(handle)
    os.replace(partial, target)


class YagmailTransport:
    """One connection and login per message (as yagmail does), credentials always explicit."""

    def __init__(self, settings: SmtpSettings, envelope_from: str) -> None:
        self.settings = settings
        self.envelope_from = envelope_from
        self.tls = ssl.create_default_context(
            cafile=str(settings.ca_file) if settings.ca_file else None
        )

    def deliver(self, email: OutgoingEmail) -> str:
        s = self.settings
        client = self._client()
        try:
            client.login()
            refused = client.smtp.sendmail(self.envelope_from, [email.recipient], email.data)
        except smtplib.SMTPResponseException as exc:
            text = (
                exc.smtp_error.decode(errors="replace")
                if isinstance(exc.smtp_error, bytes)
                else str(exc.smtp_error)
            )
            raise DeliveryFailed(
                f"{s.host} svarade {exc.smtp_code} {text}", permanent=500 <= exc.smtp_code < 600
            ) from exc
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            raise DeliveryFailed(
                f"{s.host} vägrade mottagaren: {exc.recipients}",
                permanent=all(500 <= c < 600 for c in codes),
            ) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryFailed(f"{s.host}:{s.port}: {exc.__class__.__name__}: {exc}") from exc
        finally:
            client.close()
        if refused:  # some recipients refused; we send to one, so this is a failure
            raise DeliveryFailed(f"{s.host} vägrade {refused}")
        return f"smtp://{s.host}:{s.port}"

    def _client(self) -> yagmail.SMTP:
        s = self.settings
        options: dict[str, object] = {"timeout": s.timeout}
        if s.tls == "ssl":
            options["context"] = self.tls
        client = yagmail.SMTP(
            user=s.user or self.envelope_from,
            password=s.password,
            host=s.host,
            port=s.port,
            smtp_ssl=s.tls == "ssl",
            smtp_starttls={"context": self.tls} if s.tls == "starttls" else False,
            smtp_skip_login=s.user is None,
            soft_email_validation=False,
            **options,
        )
        if s.user is not None:
            # yagmail appends "@gmail.com" to a login name without "@" (many relays use plain
            # names such as "lofte"); log in with the name exactly as configured.
            client.user = s.user
        return client


def transport_for(settings: MailSettings) -> Transport:
    """SMTP when a host is configured, else the .eml folder (the embedded default)."""
    if settings.smtp is None:
        return FileDropTransport(settings.mail_dir)
    return YagmailTransport(settings.smtp, settings.sender.addr_spec)
