"""Every route of the app, with every method, decides who may open it (`web.guards`): public,
personal, or guarded by a sign-in. Guarded routes send nobody signed in to sign in; guarded and
personal routes are never stored (`Cache-Control: no-store`), whoever asks and whatever the
answer; a public route is stored only when it shows nothing of a person. A route added without
a decision is caught."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import Rule

from lofte.storage.web_access import SqlWebAccess
from lofte.web.guards import Access, access_of
from lofte.web.session import COOKIE
from lofte.workflow.application.sign_in import digest
from tests.harness import Harness

ADMIN, LARS = "admin", "lars-berg"  # the administrator; Sala's coordinator (no deployment role)
SAMPLE = {"unit_id": "sala", "name": "est-inventering", "table": "enheter"}


def routes(app: Flask) -> Iterator[tuple[Rule, str, Access | None]]:
    """(rule, method, decision) for every rule of the app and every method it answers."""
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods or ()):
            yield rule, method, access_of(rule.endpoint, app.view_functions[rule.endpoint])


def address(rule: Rule) -> str:
    values = {
        name: "1" if type(rule._converters[name]).__name__ == "RowId" else SAMPLE.get(name, "x")
        for name in rule.arguments
    }
    return rule.build(values)[1]  # type: ignore[index]


def client_of(h: Harness, app: Flask, person: str | None) -> FlaskClient:
    """A client with a fresh session of `person` (none for None)."""
    client = app.test_client()
    if person is not None:
        session = secrets.token_urlsafe(16)
        SqlWebAccess(h.store.engine).add_session(digest(session), person, h.clock.now())
        client.set_cookie(COOKIE, session)
    return client


def test_every_route_is_public_personal_or_guarded(web: tuple[Harness, Flask]) -> None:
    _, app = web
    undecided = [f"{method} {rule.rule}" for rule, method, access in routes(app) if access is None]
    assert undecided == []
    assert {access for _, _, access in routes(app)} == set(Access)


def test_a_route_added_without_a_decision_is_caught(web: tuple[Harness, Flask]) -> None:
    _, app = web
    app.add_url_rule("/ny-sida", "ny_sida", lambda: "Ny sida")
    assert {f"{m} {r.rule}" for r, m, access in routes(app) if access is None} == {
        "GET /ny-sida",
        "HEAD /ny-sida",
        "OPTIONS /ny-sida",
    }
    response = app.test_client().get("/ny-sida")
    assert response.headers["Cache-Control"] == "no-store"  # undecided: never stored


def test_guarded_and_personal_routes_are_never_stored(web: tuple[Harness, Flask]) -> None:
    h, app = web
    app.config["WTF_CSRF_ENABLED"] = False  # so that a POST reaches its guard
    stored = []
    for rule, method, access in routes(app):
        if access is Access.PUBLIC:
            continue
        for person in (None, ADMIN, LARS):
            response = client_of(h, app, person).open(address(rule), method=method)
            if response.headers.get("Cache-Control") != "no-store":
                stored.append(f"{method} {rule.rule} as {person}: {response.status_code}")
            if access is Access.SIGNED_IN and person is None and method != "OPTIONS":
                assert response.status_code == 302, f"{method} {rule.rule}"
                assert response.headers["Location"] == "/logga-in", f"{method} {rule.rule}"
    assert stored == [], "\n".join(stored)


def test_public_routes_are_stored_only_when_they_show_nothing_of_a_person(
    web: tuple[Harness, Flask],
) -> None:
    h, app = web
    person = app.extensions["lofte"].directory().find(LARS)
    leaks = []
    for rule, method, access in routes(app):
        if access is not Access.PUBLIC or method not in ("GET", "HEAD"):
            continue
        path = address(rule) if rule.endpoint != "static" else "/static/site.css"
        anonymous = app.test_client().open(path, method=method)
        assert anonymous.status_code == 200, path
        if (
            anonymous.headers.get("Cache-Control") == "no-store"
            or "Set-Cookie" in anonymous.headers
        ):
            leaks.append(f"{method} {path}: not stored though it shows nobody's")
        signed_in = client_of(h, app, LARS).open(path, method=method)
        body = signed_in.get_data(as_text=True)
        shows = re.search(f"csrf_token|Logga ut|{person.name}|{person.email}", body)
        if shows and signed_in.headers.get("Cache-Control") != "no-store":
            leaks.append(f"{method} {path}: shows {shows.group(0)!r} and may be stored")
    assert leaks == [], "\n".join(leaks)
