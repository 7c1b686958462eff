"""Log lines: with LOFTE_LOG_FORMAT=json one JSON object per line, each written during a request
carrying that request's id (also sent back in X-Request-ID); and whatever the app is asked,
no answer token, sign-in link, session id, address or sensitive value reaches a log line."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient

from lofte.kernel import logs
from lofte.web.session import COOKIE
from lofte.workflow.application.answer_links import installation_secret, make_token
from tests.harness import Harness, utc
from tests.web.support import web_app

BASE = "https://lofte.example.se"
SARA = "sara.strand@polisen.example.se"
SECRET_NAME = "Kalle Anka, född 1934"
DECISION = {
    "brottsfenomen": "Bostadsinbrott",
    "platser": "Centrum",
    "motivering": "Ökning",
    "namngivna_personer": SECRET_NAME,
}


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """Every record at DEBUG and above, as `lofte` writes it with LOFTE_LOG_FORMAT=json."""
    root = logging.getLogger()
    level = root.level
    buffer = io.StringIO()
    handler = logs.configure(logs.log_format("json"), logging.DEBUG, buffer)
    assert handler is not None
    yield buffer
    root.removeHandler(handler)
    root.setLevel(level)


def parsed(buffer: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in buffer.getvalue().splitlines()]


def csrf_of(client: FlaskClient, url: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(url).get_data(as_text=True))
    assert found
    return found.group(1)


def test_each_line_is_json_and_carries_its_requests_id(
    sqlite_harness: Harness, log_lines: io.StringIO
) -> None:
    h = sqlite_harness
    h.run_until(utc(2027, 1, 4, 9))
    client = web_app(h, base_url=BASE).test_client()
    given = client.get("/publikt/", headers={"X-Request-ID": "lb-0123456789"})
    assert given.headers["X-Request-ID"] == "lb-0123456789"
    made = client.get("/publikt/sala", headers={"X-Request-ID": "<script>"})  # not an id
    assert re.fullmatch(r"[0-9a-f]{32}", made.headers["X-Request-ID"])
    token = csrf_of(client, "/logga-in")
    for _ in range(4):  # the fourth is over the rate limit: a warning, in that request
        asked = client.post("/logga-in", data={"csrf_token": token, "epost": SARA})
    lines = parsed(log_lines)
    requests = [line for line in lines if line["logger"] == "lofte.web.requests"]
    assert [(r["request_id"], r["route"], r["status"]) for r in requests[:2]] == [
        ("lb-0123456789", "/publikt/", 200),
        (made.headers["X-Request-ID"], "/publikt/<unit_id>", 200),
    ]
    assert all(set(r) >= {"time", "level", "message", "method", "duration_ms"} for r in requests)
    [warning] = [line for line in lines if line["level"] == "WARNING"]
    assert warning["message"].startswith("sign-in rate limit reached")  # type: ignore[union-attr]
    assert warning["request_id"] == asked.headers["X-Request-ID"]
    assert len({r["request_id"] for r in requests}) == len(requests)  # one id per request


def test_no_token_link_session_address_or_sensitive_value_reaches_a_log_line(
    sqlite_harness: Harness, log_lines: io.StringIO
) -> None:
    h = sqlite_harness
    h.run_until(utc(2027, 1, 6, 9))  # the LOLG decision is asked for
    app = web_app(h, base_url=BASE)
    secrets = [SECRET_NAME, "Kalle", SARA, "sara.strand"]
    secrets += answer_a_decision(h, app)
    secrets += sign_in_and_view_the_decision(h, app)
    lines = log_lines.getvalue()
    leaked = [secret for secret in secrets if secret in lines]
    assert leaked == []
    assert len(parsed(log_lines)) >= 15  # the requests were logged
    assert "/svar/<token>" in lines and "/logga-in/<nonce>" in lines


def answer_a_decision(h: Harness, app: Flask) -> list[str]:
    """The LPO chief decides, with a sensitive field, through the emailed link; also a POST
    without its CSRF token and a link that was tampered with. Returns what must not leak."""
    lolg = h.cycle("operativ-inriktning", "lpo-norra-vastmanland", "2027-W01")
    request = h.request(lolg, "beslut", "peter-nord")
    with h.store.unit_of_work() as uow:
        secret = installation_secret(uow.settings)
    token = make_token(request.id or 0, h.clock.now() + timedelta(days=3), secret)
    client = app.test_client()
    url = f"/svar/{token}"
    answered = client.post(url, data={"csrf_token": csrf_of(client, url), **DECISION})
    assert answered.status_code == 200
    assert h.cycle("operativ-inriktning", "lpo-norra-vastmanland", "2027-W01").state == "completed"
    assert client.post(url, data=DECISION).status_code == 400  # no CSRF token
    tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    assert client.get(f"/svar/{tampered}").status_code in (400, 404, 410)
    return [token, token[:24], tampered]


def sign_in_and_view_the_decision(h: Harness, app: Flask) -> list[str]:
    """A group leader signs in by link, opens the decided cycle and signs out. Returns what
    must not leak."""
    client = app.test_client()
    client.post("/logga-in", data={"csrf_token": csrf_of(client, "/logga-in"), "epost": SARA})
    [message] = h.outbox("sign_in", "sara-strand")
    link = str(message.context["link"])
    path = link.removeprefix(BASE)
    nonce = path.rsplit("/", 1)[1]
    assert client.get(path).status_code == 200
    done = client.post(path, data={"csrf_token": csrf_of(client, path)})
    session = done.headers["Set-Cookie"].split(f"{COOKIE}=", 1)[1].split(";", 1)[0]
    lolg = h.cycle("operativ-inriktning", "lpo-norra-vastmanland", "2027-W01")
    page = client.get(f"/enhet/lpo-norra-vastmanland/cykler/{lolg.id}")
    assert page.status_code == 200 and "Bostadsinbrott" in page.get_data(as_text=True)
    assert app.test_client().post(path).status_code == 400  # used, and no CSRF token
    client.post("/logga-ut", data={"csrf_token": csrf_of(client, "/uppgifter")})
    return [link, nonce, nonce[:16], session, session[:16]]
