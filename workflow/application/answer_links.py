"""Signed, expiring response tokens: the link in an input request email.

A token names one input request and when it stops being valid, signed with the installation's
secret (HMAC-SHA256). It is single-use because the request it names can be answered only once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import UTC, datetime

from workflow.errors import InvalidToken
from workflow.ports import Transaction

SECRET_SETTING = "link_secret"


def make_token(request_id: int, expires_at: datetime, secret: str) -> str:
    payload = f"{request_id}.{int(expires_at.timestamp())}"
    return f"{payload}.{_signature(payload, secret)}"


def read_token(token: str, secret: str, now: datetime) -> int:
    """The request id a valid token names; InvalidToken (forged, malformed, expired) otherwise."""
    parts = token.strip().split(".")
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit():
        raise InvalidToken("the answer link is not valid (it is incomplete or altered)")
    payload = f"{parts[0]}.{parts[1]}"
    if not hmac.compare_digest(parts[2], _signature(payload, secret)):
        raise InvalidToken("the answer link is not valid (its signature does not match)")
    expires = datetime.fromtimestamp(int(parts[1]), UTC)
    if now > expires:
        raise InvalidToken(
            f"the answer link expired at {expires.isoformat(timespec='minutes')}; "
            "ask the coordinator if an answer is still needed"
        )
    return int(parts[0])


def _signature(payload: str, secret: str) -> str:
    digest = hmac.new(secret.encode(), f"lofte-answer:{payload}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()).decode().rstrip("=")


def installation_secret(tx: Transaction) -> str:
    """The secret stored in the database, created on first use."""
    return tx.setting(SECRET_SETTING) or tx.setting_or_default(
        SECRET_SETTING, secrets.token_urlsafe(32)
    )
