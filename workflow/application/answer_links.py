"""Signed, expiring answer links: the personal link in an input request email.

A token names one input request and when it stops being valid, signed with the installation's
secret (HMAC-SHA256). Opening the link never uses it up (mail scanners open links); an answer
through it is accepted while the request's step is open, and a changed answer replaces the
previous one until the step closes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from lofte.kernel import words
from lofte.kernel.errors import InvalidToken, NotFound
from lofte.workflow.application.app import Application
from lofte.workflow.core.ports import Settings, UnitOfWork
from lofte.workflow.core.records import CycleInstance, InputRequest, RequestStatus

SECRET_SETTING = "link_secret"
MAX_TOKEN = 200


def make_token(request_id: int, expires_at: datetime, secret: str) -> str:
    payload = f"{request_id}.{int(expires_at.timestamp())}"
    return f"{payload}.{_signature(payload, secret)}"


def read_token(token: str, secret: str, now: datetime) -> int:
    """The request id a valid token names; InvalidToken (forged, expired) otherwise."""
    cleaned = token.strip().rsplit("/", 1)[-1]
    parts = cleaned.split(".")
    if (
        len(cleaned) > MAX_TOKEN
        or len(parts) != 3
        or not (parts[0].isascii() and parts[0].isdigit() and len(parts[0]) <= 12)
        or not (parts[1].isascii() and parts[1].isdigit() and len(parts[1]) <= 12)
        or not parts[2].isascii()
    ):
        raise InvalidToken("forged", "länken är inte giltig (den är ofullständig eller ändrad)")
    payload = f"{parts[0]}.{parts[1]}"
    if not hmac.compare_digest(parts[2].encode(), _signature(payload, secret).encode()):
        raise InvalidToken("forged", "länken är inte giltig (signaturen stämmer inte)")
    expires = datetime.fromtimestamp(int(parts[1]), UTC)
    if now > expires:
        raise InvalidToken(
            "expired",
            f"länken gick ut {words.moment(expires)}; kontakta samordnaren om svaret behövs",
        )
    return int(parts[0])


def _signature(payload: str, secret: str) -> str:
    digest = hmac.new(secret.encode(), f"lofte-answer:{payload}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()).decode().rstrip("=")


def installation_secret(settings: Settings, configured: str | None = None) -> str:
    """LOFTE_SECRET_KEY if configured, else the secret kept in the database (made once)."""
    if configured:
        return configured
    return settings.get(SECRET_SETTING) or settings.get_or_add(
        SECRET_SETTING, secrets.token_urlsafe(32)
    )


def open_link(app: Application, token: str) -> tuple[InputRequest, CycleInstance]:
    """The request and cycle an answer link names, if it may still be answered (one read).

    Opening a link never uses it up. InvalidToken says why a link cannot be used: forged,
    expired, used (answered and its step has closed) or closed (the step closed without it).
    """
    with app.engine.store.unit_of_work(read_only=True) as uow:
        return linked(app, uow, token)


def linked(app: Application, uow: UnitOfWork, token: str) -> tuple[InputRequest, CycleInstance]:
    """`open_link` in the caller's unit of work: the signature and the expiry are checked
    before the request is read, and the request must be open to an answer."""
    request_id = read_token(
        token, installation_secret(uow.settings, app.configured_secret), app.now
    )
    return open_request(uow, request_id, "länken")


def open_request(
    uow: UnitOfWork, request_id: int, named_by: str
) -> tuple[InputRequest, CycleInstance]:
    """The request and its cycle if it may still be answered; InvalidToken otherwise, its
    message naming what named the request (`länken`, `svarsadressen`)."""
    try:
        request = uow.requests.get(request_id)
        instance = uow.cycles.get(request.instance_id)
    except NotFound:
        raise InvalidToken("forged", f"{named_by} är inte giltig (förfrågan finns inte)") from None
    step_open = not instance.is_closed and instance.state == request.step_id
    if request.status is RequestStatus.ANSWERED and not step_open:
        raise InvalidToken("used", "svaret är redan registrerat och steget är avslutat")
    if request.status in (RequestStatus.MISSING, RequestStatus.CANCELLED) or not step_open:
        raise InvalidToken("closed", "steget är avslutat; svar tas inte längre emot")
    return request, instance


def submit_with_token(app: Application, token: str, answer: Mapping[str, Any]) -> InputRequest:
    """Record (or change) an answer through an answer link; the person is the request's. The
    link is opened (one read) before the engine records the answer (one write)."""
    request, _ = open_link(app, token)
    return app.engine.submit(request.id or 0, request.person_id, answer)
