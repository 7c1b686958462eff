"""The IMAP mailbox Löfte reads replies from, from `LOFTE_IMAP_*`; every bad value is named."""

from __future__ import annotations

import os
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from lofte.kernel.errors import ConfigError, system_reason
from lofte.notifications.config import check_certificates, int_setting

TlsMode = Literal["ssl", "starttls", "none"]
DEFAULT_PORTS = {"ssl": 993, "starttls": 143, "none": 143}


@dataclass(frozen=True)
class ImapSettings:
    host: str
    port: int
    tls: TlsMode
    user: str
    password: str | None  # or an OAuth 2 access token (XOAUTH2), read anew at each login
    token_file: Path | None
    ca_file: Path | None
    folder: str  # where replies arrive
    done_folder: str  # where read mail is moved (created if missing); nothing is deleted
    poll_seconds: int
    timeout: float

    def login_token(self) -> str | None:
        """The OAuth 2 access token, read now (a helper renews the file before it expires)."""
        if self.token_file is None:
            return None
        try:
            return self.token_file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(
                f"LOFTE_IMAP_TOKEN_FILE={self.token_file}: går inte att läsa ({system_reason(exc)})"
            ) from None

    def context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.ca_file) if self.ca_file else None)


def imap_settings(env: Mapping[str, str] | None = None) -> ImapSettings | None:
    """None when LOFTE_IMAP_HOST is unset (replies are read from a folder, if at all)."""
    env = os.environ if env is None else env
    host = env.get("LOFTE_IMAP_HOST", "").strip()
    if not host:
        return None
    tls = env.get("LOFTE_IMAP_TLS", "ssl").strip().lower()
    if tls not in DEFAULT_PORTS:
        raise ConfigError(f"LOFTE_IMAP_TLS={tls[:20]!r}: välj ssl (port 993), starttls eller none")
    user = env.get("LOFTE_IMAP_USER", "").strip()
    if not user:
        raise ConfigError("LOFTE_IMAP_HOST är satt men inte LOFTE_IMAP_USER (brevlådans konto)")
    password = _secret(env, "LOFTE_IMAP_PASSWORD")
    token = env.get("LOFTE_IMAP_TOKEN_FILE", "").strip()
    if bool(password) == bool(token):
        raise ConfigError(
            "ange antingen LOFTE_IMAP_PASSWORD (eller LOFTE_IMAP_PASSWORD_FILE) eller "
            "LOFTE_IMAP_TOKEN_FILE (en OAuth 2-token för XOAUTH2), inte båda och inte ingen"
        )
    if token and not Path(token).is_file():
        raise ConfigError(f"LOFTE_IMAP_TOKEN_FILE={token}: filen finns inte")
    ca = env.get("LOFTE_IMAP_CA_FILE", "").strip()
    if ca:
        check_certificates("LOFTE_IMAP_CA_FILE", ca)
    folder = env.get("LOFTE_IMAP_FOLDER", "INBOX").strip() or "INBOX"
    done = env.get("LOFTE_IMAP_DONE_FOLDER", "Löfte-lästa").strip() or "Löfte-lästa"
    if done == folder:
        raise ConfigError("LOFTE_IMAP_DONE_FOLDER måste vara en annan mapp än LOFTE_IMAP_FOLDER")
    return ImapSettings(
        host=host,
        port=int_setting(env, "LOFTE_IMAP_PORT", DEFAULT_PORTS[tls], 1, 65535),
        tls=tls,  # type: ignore[arg-type]
        user=user,
        password=password,
        token_file=Path(token) if token else None,
        ca_file=Path(ca) if ca else None,
        folder=folder,
        done_folder=done,
        poll_seconds=int_setting(env, "LOFTE_IMAP_POLL_SECONDS", 60, 5, 3600),
        timeout=float(int_setting(env, "LOFTE_IMAP_TIMEOUT", 30, 1, 600)),
    )


def _secret(env: Mapping[str, str], name: str) -> str | None:
    path = env.get(f"{name}_FILE", "").strip()
    if path:
        try:
            return Path(path).read_text(encoding="utf-8").strip() or None
        except OSError as exc:
            raise ConfigError(
                f"{name}_FILE={path}: går inte att läsa ({system_reason(exc)})"
            ) from None
    return env.get(name) or None
