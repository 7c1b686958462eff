"""Mail settings from `LOFTE_*` environment variables; every bad value is named."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.utils import parseaddr
from pathlib import Path
from typing import Literal

from workflow.errors import ConfigError

TlsMode = Literal["ssl", "starttls", "none"]
DEFAULT_PORTS = {"ssl": 465, "starttls": 587, "none": 25}


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    tls: TlsMode
    user: str | None
    password: str | None
    ca_file: Path | None
    timeout: float


@dataclass(frozen=True)
class MailSettings:
    sender: Address
    smtp: SmtpSettings | None  # None: write .eml files to `mail_dir`
    mail_dir: Path
    base_url: str
    max_attempts: int
    retry_seconds: float
    digest_hour: int


def mail_settings(env: Mapping[str, str] | None = None) -> MailSettings:
    env = os.environ if env is None else env
    return MailSettings(
        sender=_address(env.get("LOFTE_MAIL_FROM", "Löfte <lofte@lofte.local>")),
        smtp=_smtp(env),
        mail_dir=Path(env.get("LOFTE_MAIL_DIR", "lofte-mail")),
        base_url=env.get("LOFTE_BASE_URL", "http://localhost:8000").rstrip("/"),
        max_attempts=_int(env, "LOFTE_OUTBOX_MAX_ATTEMPTS", 8, 1, 100),
        retry_seconds=_int(env, "LOFTE_OUTBOX_RETRY_SECONDS", 60, 1, 86400),
        digest_hour=_int(env, "LOFTE_DIGEST_HOUR", 7, 0, 23),
    )


def _smtp(env: Mapping[str, str]) -> SmtpSettings | None:
    host = env.get("LOFTE_SMTP_HOST", "").strip()
    if not host:
        return None
    tls = env.get("LOFTE_SMTP_TLS", "starttls").strip().lower()
    if tls not in DEFAULT_PORTS:
        raise ConfigError(f"LOFTE_SMTP_TLS={tls!r}: use ssl (implicit TLS), starttls or none")
    user = env.get("LOFTE_SMTP_USER") or None
    password = env.get("LOFTE_SMTP_PASSWORD") or None
    password_file = env.get("LOFTE_SMTP_PASSWORD_FILE")
    if password_file:
        try:
            password = Path(password_file).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(
                f"LOFTE_SMTP_PASSWORD_FILE={password_file}: cannot read it ({exc.strerror})"
            ) from exc
    if user and not password:
        raise ConfigError(
            "LOFTE_SMTP_USER is set but no password: set LOFTE_SMTP_PASSWORD or "
            "LOFTE_SMTP_PASSWORD_FILE (Löfte never prompts or reads a keyring)"
        )
    if password and not password.isascii():
        raise ConfigError(
            "the SMTP password has non-ASCII characters, which SMTP AUTH (smtplib) cannot "
            "send; use an ASCII password or an app password"
        )
    ca = env.get("LOFTE_SMTP_CA_FILE")
    if ca and not Path(ca).is_file():
        raise ConfigError(f"LOFTE_SMTP_CA_FILE={ca}: no such file")
    return SmtpSettings(
        host=host,
        port=_int(env, "LOFTE_SMTP_PORT", DEFAULT_PORTS[tls], 1, 65535),
        tls=tls,  # type: ignore[arg-type]
        user=user,
        password=password,
        ca_file=Path(ca) if ca else None,
        timeout=float(_int(env, "LOFTE_SMTP_TIMEOUT", 30, 1, 600)),
    )


def _int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r}: expected a whole number") from None
    if not low <= value <= high:
        raise ConfigError(f"{name}={value}: expected {low}..{high}")
    return value


def _address(raw: str) -> Address:
    name, addr = parseaddr(raw)
    if "@" not in addr:
        raise ConfigError(f"LOFTE_MAIL_FROM={raw!r}: expected an address like Löfte <x@y.se>")
    try:
        local, domain = addr.rsplit("@", 1)
        return Address(display_name=name, username=local, domain=domain)
    except (HeaderParseError, ValueError) as exc:
        raise ConfigError(f"LOFTE_MAIL_FROM={raw!r}: {exc}") from exc
