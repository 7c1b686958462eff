"""Sign-in by an emailed link and "my tasks", through Flask's test client on the real engine:
the same reply for any address, rate limits, a GET that signs nobody in, a link used once,
idle timeouts and sign-out; open requests overdue first, and one click for "nothing to report"."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from lofte.storage.read_model import SqlReadModel
from lofte.storage.web_access import SqlWebAccess
from lofte.web.factory import create_app
from lofte.workflow.application.app import Application
from lofte.workflow.core.records import RequestStatus
from tests.harness import Harness, utc
from tests.web.support import web_app

NEUTRAL = "Om adressen finns hos oss har vi skickat en inloggningslänk"
TOVE = "tove.lind@raddning.example.se"


@pytest.fixture
def web(sqlite_harness: Harness) -> Iterator[tuple[Harness, Flask]]:
    h = sqlite_harness
    h.run_until(utc(2027, 1, 4, 9))
    yield h, web_app(h, base_url="https://lofte.example.se")


def csrf_of(client: FlaskClient, url: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(url).get_data(as_text=True))
    assert found
    return found.group(1)


def ask(client: FlaskClient, address: str) -> Any:
    return client.post(
        "/logga-in", data={"csrf_token": csrf_of(client, "/logga-in"), "epost": address}
    )


def links(h: Harness, person: str) -> list[str]:
    return [str(m.context["link"]) for m in h.outbox("sign_in", person)]


def signed_in(h: Harness, app: Flask) -> FlaskClient:
    client = app.test_client()
    ask(client, TOVE)
    path = links(h, "tove-lind")[-1].removeprefix("https://lofte.example.se")
    response = client.post(path, data={"csrf_token": csrf_of(client, path)})
    assert response.status_code == 303 and response.headers["Location"] == "/uppgifter"
    return client


def test_the_reply_is_the_same_for_any_address_and_only_a_person_gets_a_link(
    web: tuple[Harness, Flask],
) -> None:
    h, app = web
    client = app.test_client()
    known = ask(client, "  Tove.Lind@Raddning.Example.se ").get_data(as_text=True)
    unknown = ask(client, "nobody@example.se").get_data(as_text=True)
    assert NEUTRAL in known and NEUTRAL in unknown
    [link] = links(h, "tove-lind")
    assert link.startswith("https://lofte.example.se/logga-in/")
    [message] = h.outbox("sign_in", "tove-lind")
    assert message.valid_until == h.clock.now() + timedelta(minutes=15)


def test_requests_are_rate_limited_per_address_with_the_same_reply(
    web: tuple[Harness, Flask],
) -> None:
    h, app = web
    client = app.test_client()
    for _ in range(5):
        assert NEUTRAL in ask(client, TOVE).get_data(as_text=True)
    assert len(links(h, "tove-lind")) == 3
    h.clock.set(h.clock.now() + timedelta(minutes=16))
    ask(client, TOVE)
    assert len(links(h, "tove-lind")) == 4


def test_opening_the_link_signs_nobody_in_and_the_button_works_once(
    web: tuple[Harness, Flask],
) -> None:
    h, app = web
    client = app.test_client()
    ask(client, TOVE)
    path = links(h, "tove-lind")[0].removeprefix("https://lofte.example.se")
    for _ in range(3):  # a mail scanner, then the person
        page = client.get(path)
        assert page.status_code == 200 and "Logga in" in page.get_data(as_text=True)
        assert "lofte_session" not in (page.headers.get("Set-Cookie") or "")
    token = csrf_of(client, path)
    done = client.post(path, data={"csrf_token": token})
    cookie = done.headers["Set-Cookie"]
    assert "lofte_session=" in cookie and "HttpOnly" in cookie and "Secure" in cookie
    assert "SameSite=Lax" in cookie
    again = app.test_client().post(path, data={"csrf_token": token})
    assert again.status_code in (400, 410)
    assert app.test_client().get(path).status_code == 410


def test_an_expired_link_does_not_sign_in(web: tuple[Harness, Flask]) -> None:
    h, app = web
    client = app.test_client()
    ask(client, TOVE)
    path = links(h, "tove-lind")[0].removeprefix("https://lofte.example.se")
    token = csrf_of(client, path)
    h.clock.set(h.clock.now() + timedelta(minutes=16))
    response = client.post(path, data={"csrf_token": token})
    assert response.status_code == 410 and "går inte att använda" in response.get_data(as_text=True)


def test_my_tasks_need_a_session_that_ends_when_idle_or_signed_out(
    web: tuple[Harness, Flask],
) -> None:
    h, app = web
    assert app.test_client().get("/uppgifter").headers["Location"] == "/logga-in"
    client = signed_in(h, app)
    page = client.get("/uppgifter")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    h.clock.set(h.clock.now() + timedelta(hours=9))
    assert client.get("/uppgifter").status_code == 302

    client = signed_in(h, app)
    client.post("/logga-ut", data={"csrf_token": csrf_of(client, "/uppgifter")})
    assert client.get("/uppgifter").status_code == 302


def test_my_tasks_list_open_requests_overdue_first_and_answer_nothing_in_one_click(
    web: tuple[Harness, Flask],
) -> None:
    h, app = web
    client = signed_in(h, app)
    page = client.get("/uppgifter").get_data(as_text=True)
    sala = page.index("Sala kommun")
    surahammar = page.index("Surahammars kommun")
    assert "<title>Mina uppgifter – Löfte</title>" in page
    assert "Rapportera veckans iakttagelser" in page and sala and surahammar
    assert "Inget att rapportera denna vecka" in page
    week = h.cycle("est-inventering", "sala", "2027-W01")
    request = h.request(week, "rapportering", "tove-lind")
    assert f"/svar/{request.id}." in page  # answer from here
    response = client.post(
        f"/uppgifter/{request.id}/inget-att-rapportera",
        data={"csrf_token": csrf_of(client, "/uppgifter")},
    )
    assert response.status_code == 303
    answered = h.request(week, "rapportering", "tove-lind")
    assert answered.status is RequestStatus.ANSWERED
    assert answered.answer == {"inget_att_rapportera": True}
    after = client.get("/uppgifter").get_data(as_text=True)
    assert "besvarad" in after


def test_overdue_requests_come_first(web: tuple[Harness, Flask]) -> None:
    h, app = web
    h.clock.set(utc(2027, 1, 7, 12))  # past Thursday 12:00 (Stockholm): the deadline passed
    page = signed_in(h, app).get("/uppgifter").get_data(as_text=True)
    overdue = [m.start() for m in re.finditer("Försenad", page)]
    waiting = [m.start() for m in re.finditer("Svara senast", page)]
    assert overdue, "the inventory requests are overdue"
    assert not waiting or max(overdue) < min(waiting)


def test_the_per_client_limit_counts_the_address_a_trusted_proxy_forwards(
    sqlite_harness: Harness,
) -> None:
    h = sqlite_harness
    h.run_until(utc(2027, 1, 4, 9))
    application = Application(h.engine, SqlReadModel(h.store.engine))
    app = create_app(application, SqlWebAccess(h.store.engine), proxies=1)
    client = app.test_client()
    token = csrf_of(client, "/logga-in")

    def ask_from(address: str, client_address: str) -> None:
        headers = {"X-Forwarded-For": client_address}
        response = client.post(
            "/logga-in", data={"csrf_token": token, "epost": address}, headers=headers
        )
        assert NEUTRAL in response.get_data(as_text=True)

    for n in range(10):
        ask_from(f"nobody{n}@example.se", "198.51.100.7")
    ask_from(TOVE, "198.51.100.7")
    assert links(h, "tove-lind") == []  # that client has used up its ten
    ask_from(TOVE, "203.0.113.9")
    assert len(links(h, "tove-lind")) == 1
