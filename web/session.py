"""The signed-in person of a request: a random session id in an HttpOnly cookie, looked up
(and kept alive) through the application layer's sign-in rules."""

from __future__ import annotations

from flask import current_app, g, request
from werkzeug.wrappers import Response

from lofte.web.services import sign_in

COOKIE = "lofte_session"


def current_person() -> str | None:
    """The signed-in person; None if nobody is, or if the person has since left the
    organisation (an uploaded organisation can remove someone whose session is open)."""
    if "person_id" not in g:
        person = sign_in().person_of(request.cookies.get(COOKIE, ""))
        if person is not None and sign_in().app.directory().find(person) is None:
            person = None
        g.person_id = person
    found: str | None = g.person_id
    return found


def person_seen() -> bool:
    """Did this request find a signed-in person? (Only what it looked up; nothing is read.)"""
    return g.get("person_id") is not None


def cookie_is_secure() -> bool:
    base: str = current_app.config["LOFTE_BASE_URL"]
    return base.startswith("https://")


def start_session_cookie(response: Response, session_id: str) -> Response:
    """Give the browser its new session (after any sign-in): HttpOnly, SameSite=Lax, Secure
    behind https, kept no longer than a session can last."""
    response.set_cookie(
        COOKIE,
        session_id,
        max_age=int(sign_in().absolute.total_seconds()),
        httponly=True,
        secure=cookie_is_secure(),
        samesite="Lax",
        path="/",
    )
    return response
