"""The reply address of a request mail: `lofte+<request>.<until>.<signature>@kommun.se`, which
names one input request the way its answer link does, signed with the installation's secret.

The signature is 128 bits of HMAC-SHA256 in lower-case base32, so that the local part stays
under the 64 characters a mail server must accept and survives a server that changes its case.
It is keyed apart from the answer link ("lofte-reply:"), so neither can be made from the other.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable
from datetime import UTC, datetime

from lofte.kernel.errors import InvalidToken

SIGNATURE_BYTES = 16


def reply_address(mailbox: str, request_id: int, answer_until: datetime, secret: str) -> str:
    """The address a reply to the request goes to; `mailbox` is Löfte's own (`lofte@sala.se`)."""
    local, domain = mailbox.rsplit("@", 1)
    payload = f"{request_id}.{int(answer_until.timestamp())}"
    return f"{local}+{payload}.{_signature(payload, secret)}@{domain}"


def request_of(addresses: Iterable[str], mailbox: str, secret: str, now: datetime) -> int | None:
    """The request named by the first of `addresses` that is a reply address of `mailbox`;
    None when none is. InvalidToken when one is, but forged or expired."""
    local, domain = (part.lower() for part in mailbox.rsplit("@", 1))
    for address in addresses:
        name, _, host = address.strip().lower().rpartition("@")
        if host != domain or not name.startswith(f"{local}+"):
            continue
        return _read(name[len(local) + 1 :], secret, now)
    return None


def _read(tag: str, secret: str, now: datetime) -> int:
    parts = tag.split(".")
    if (
        len(tag) > 80
        or len(parts) != 3
        or not all(p.isascii() and p.isdigit() and len(p) <= 12 for p in parts[:2])
    ):
        raise InvalidToken("forged", "svarsadressen är inte giltig (den är ofullständig)")
    payload = f"{parts[0]}.{parts[1]}"
    if not hmac.compare_digest(parts[2].encode(), _signature(payload, secret).encode()):
        raise InvalidToken("forged", "svarsadressen är inte giltig (signaturen stämmer inte)")
    if now > datetime.fromtimestamp(int(parts[1]), UTC):
        raise InvalidToken("expired", "förfrågan tar inte längre emot svar")
    return int(parts[0])


def _signature(payload: str, secret: str) -> str:
    digest = hmac.new(secret.encode(), f"lofte-reply:{payload}".encode(), hashlib.sha256)
    return base64.b32encode(digest.digest()[:SIGNATURE_BYTES]).decode().rstrip("=").lower()
