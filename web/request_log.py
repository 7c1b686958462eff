"""Each request gets an id (the `X-Request-ID` a proxy sent, if it looks like one, else a new
one), sent back in `X-Request-ID` and carried by every log line written meanwhile
(`kernel.logs.REQUEST_ID`). One line per request says what was asked and how it went.

The line names the route's pattern (`/svar/<token>`), never the address itself: an address can
hold an answer token or a sign-in link. An address that is no route's is logged as `null`.
The query string, the form, cookies and headers are never logged.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from contextvars import Token

from flask import Flask, Response, g, request

from lofte.kernel.logs import REQUEST_ID

log = logging.getLogger("lofte.web.requests")
GIVEN_ID = re.compile(r"[A-Za-z0-9._:-]{8,64}")
HEADER = "X-Request-ID"


def route() -> str | None:
    """The pattern of the route that answers this request (None: no route's address)."""
    rule = request.url_rule
    return None if rule is None else rule.rule


def install(app: Flask) -> None:
    @app.before_request
    def start() -> None:
        given = request.headers.get(HEADER, "")
        request_id = given if GIVEN_ID.fullmatch(given) else uuid.uuid4().hex
        g.lofte_request = (request_id, REQUEST_ID.set(request_id), time.perf_counter())

    @app.after_request
    def finish(response: Response) -> Response:
        started = g.get("lofte_request")
        if started is not None:
            request_id, _, at = started
            response.headers[HEADER] = request_id
            log.info(
                "%s %s %s",
                request.method,
                route() or "-",
                response.status_code,
                extra={
                    "method": request.method,
                    "route": route(),
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - at) * 1000, 1),
                },
            )
        return response

    @app.teardown_request
    def forget(_error: BaseException | None) -> None:
        started = g.get("lofte_request")
        if started is not None:
            token: Token[str | None] = started[1]
            REQUEST_ID.reset(token)
