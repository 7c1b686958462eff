"""Mail settings from `LOFTE_*` environment variables; every bad value is named (in Swedish)."""

from __future__ import annotations

import os
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.utils import parseaddr
from pathlib import Path
from typing import Literal

from lofte.kernel.errors import ConfigError, system_reason

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
    retry_seconds: float
    retry_horizon_hours: int
    digest_hour: int
    reply_to: str | None = None  # Löfte's mailbox: request mails ask for replies there


def mail_settings(env: Mapping[str, str] | None = None) -> MailSettings:
    env = os.environ if env is None else env
    return MailSettings(
        sender=_address(env.get("LOFTE_MAIL_FROM", "Löfte <lofte@lofte.local>")),
        smtp=_smtp(env),
        mail_dir=_mail_dir(env.get("LOFTE_MAIL_DIR", "lofte-mail")),
        base_url=_base_url(env.get("LOFTE_BASE_URL", "http://localhost:8000")),
        retry_seconds=int_setting(env, "LOFTE_OUTBOX_RETRY_SECONDS", 60, 1, 86400),
        retry_horizon_hours=int_setting(env, "LOFTE_OUTBOX_RETRY_HORIZON", 72, 1, 24 * 30),
        digest_hour=int_setting(env, "LOFTE_DIGEST_HOUR", 7, 0, 23),
        reply_to=_reply_to(env.get("LOFTE_REPLY_TO", "")),
    )


def _smtp(env: Mapping[str, str]) -> SmtpSettings | None:
    host = env.get("LOFTE_SMTP_HOST", "").strip()
    if not host:
        return None
    tls = env.get("LOFTE_SMTP_TLS", "starttls").strip().lower()
    if tls not in DEFAULT_PORTS:
        raise ConfigError(
            f"LOFTE_SMTP_TLS={tls[:20]!r}: välj ssl (implicit TLS), starttls eller none"
        )
    user = env.get("LOFTE_SMTP_USER") or None
    password = env.get("LOFTE_SMTP_PASSWORD") or None
    password_file = env.get("LOFTE_SMTP_PASSWORD_FILE")
    if password_file:
        try:
            password = Path(password_file).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(
                f"LOFTE_SMTP_PASSWORD_FILE={password_file}: går inte att läsa "
                f"({system_reason(exc)})"
            ) from exc
    if user and not password:
        raise ConfigError(
            "LOFTE_SMTP_USER är satt men inget lösenord: ange LOFTE_SMTP_PASSWORD eller "
            "LOFTE_SMTP_PASSWORD_FILE (Löfte frågar aldrig och läser ingen nyckelring)"
        )
    if password and not password.isascii():
        raise ConfigError(
            "SMTP-lösenordet har tecken utanför ASCII, som SMTP AUTH inte kan skicka; "
            "använd ett ASCII-lösenord eller ett applösenord"
        )
    ca = env.get("LOFTE_SMTP_CA_FILE")
    if ca:
        check_certificates("LOFTE_SMTP_CA_FILE", ca)
    return SmtpSettings(
        host=host,
        port=int_setting(env, "LOFTE_SMTP_PORT", DEFAULT_PORTS[tls], 1, 65535),
        tls=tls,  # type: ignore[arg-type]
        user=user,
        password=password,
        ca_file=Path(ca) if ca else None,
        timeout=float(int_setting(env, "LOFTE_SMTP_TIMEOUT", 30, 1, 600)),
    )


def check_certificates(name: str, path: str) -> None:
    """The setting `name` names a file of PEM certificates that TLS can use."""
    if not Path(path).is_file():
        raise ConfigError(f"{name}={path}: filen finns inte")
    try:
        ssl.create_default_context(cafile=path)
    except (ssl.SSLError, OSError, ValueError) as exc:
        raise ConfigError(f"{name}={path}: inga läsbara certifikat i PEM-format ({exc})") from None


def int_setting(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    """The whole number of setting `name`, `default` when unset, refused outside [low, high]."""
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw[:20]!r}: ange ett heltal") from None
    if not low <= value <= high:
        raise ConfigError(f"{name}={value}: ange {low}–{high}")
    return value


def _address(raw: str) -> Address:
    name, addr = parseaddr(raw)
    if "@" not in addr or not addr.isascii():
        raise ConfigError(
            f"LOFTE_MAIL_FROM={raw[:80]!r}: ange en adress som Löfte <lofte@kommun.se>"
        )
    try:
        local, domain = addr.rsplit("@", 1)
        return Address(display_name=name, username=local, domain=domain)
    except (HeaderParseError, ValueError) as exc:
        raise ConfigError(f"LOFTE_MAIL_FROM={raw!r}: {exc}") from exc


def _reply_to(raw: str) -> str | None:
    """The mailbox replies go to (`lofte@sala.se`); a request's own address adds `+<tag>`."""
    address = raw.strip()
    if not address:
        return None
    local, _, domain = address.rpartition("@")
    if (
        not local
        or "." not in domain
        or "+" in local
        or not address.isascii()
        or any(c in address for c in ' <>"(),;:[]')
        or len(local) > 20
    ):
        raise ConfigError(
            f"LOFTE_REPLY_TO={raw[:80]!r}: ange brevlådans adress utan namn och utan +, till "
            "exempel lofte@sala.se (högst 20 tecken före @)"
        )
    return address


def _mail_dir(raw: str) -> Path:
    folder = Path(raw.strip() or "lofte-mail")
    if folder.exists() and not folder.is_dir():
        raise ConfigError(
            f"LOFTE_MAIL_DIR={raw[:80]!r}: det finns en fil med det namnet; ange en mapp"
        )
    return folder


def _base_url(raw: str) -> str:
    url = raw.strip().rstrip("/")
    if not (url.startswith("http://") or url.startswith("https://")) or " " in url:
        raise ConfigError(
            f"LOFTE_BASE_URL={raw[:80]!r}: ange en adress som https://lofte.kommun.se"
        )
    return url
