"""The answer page `/svar/<token>` through Flask's test client: the form from the step's typed
fields, errors at the top and at each field, CSRF, a receipt, a changed answer, and a Swedish
page for every link that cannot be used. The engine underneath is real (SQLite, virtual time)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from flask import Flask
from flask.testing import FlaskClient

from lofte.definitions.loader import PACKAGED_DIR, load_bundle
from lofte.workflow.application.answer_links import installation_secret, make_token
from lofte.workflow.core.records import InputRequest, RequestStatus
from tests.harness import Harness, utc
from tests.web.support import web_app


@pytest.fixture
def web(sqlite_harness: Harness) -> Iterator[tuple[Harness, Flask]]:
    h = sqlite_harness
    h.run_until(utc(2027, 1, 4, 9))  # the week's inventory is open
    yield h, web_app(h, testing=True)


def token_for(h: Harness, request: InputRequest, valid: timedelta = timedelta(days=3)) -> str:
    with h.store.unit_of_work() as uow:
        secret = installation_secret(uow.settings)
    return make_token(request.id or 0, h.clock.now() + valid, secret)


def csrf(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, "the form carries a CSRF token"
    return found.group(1)


def open_request(h: Harness, person: str = "tove-lind", step: str = "rapportering") -> InputRequest:
    week = h.cycle("est-inventering", "sala", "2027-W01")
    return h.request(week, step, person)


def post(client: FlaskClient, url: str, data: dict[str, Any]) -> Any:
    page = client.get(url).get_data(as_text=True)
    return client.post(url, data={"csrf_token": csrf(page), **data})


OBSERVATION = {
    "iakttagelser-count": "1",
    "iakttagelser-0-kategori": "skadegorelse",
    "iakttagelser-0-plats": "Stora torget",
    "iakttagelser-0-omrade": "Centrum",
    "iakttagelser-0-datum": "2027-01-04",
    "iakttagelser-0-klockslag": "22:00",
    "iakttagelser-0-beskrivning": "Klotter på busskuren.",
    "iakttagelser-0-bedomning": "2",
}


def test_the_form_shows_the_cycle_and_its_typed_fields_and_a_get_uses_nothing_up(
    web: tuple[Harness, Flask],
) -> None:
    h, app = web
    request = open_request(h)
    url = f"/svar/{token_for(h, request)}"
    client = app.test_client()
    for _ in range(3):  # a mail scanner opening the link, then the person
        response = client.get(url)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'lang="sv"' in page and "Sala" in page and "v. 1 2027" in page
    assert "Svara senast" in page and "tors 7 jan 2027 kl. 12.00" in page
    assert 'type="date"' in page and 'type="time"' in page and 'type="radio"' in page
    assert 'list="platslista"' in page  # the unit's places, in the browser's own list
    assert "Lägg till en rad" in page and 'type="checkbox"' in page
    assert open_request(h).status is RequestStatus.OPEN
    headers = response.headers
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in headers["Content-Security-Policy"]
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["Cache-Control"] == "no-store"
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_an_answer_is_recorded_with_a_receipt_and_can_be_changed_until_the_step_closes(
    web: tuple[Harness, Flask],
) -> None:
    h, app = web
    request = open_request(h)
    url = f"/svar/{token_for(h, request)}"
    client = app.test_client()
    response = post(client, url, OBSERVATION)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Tack – svaret är registrerat" in page
    assert "Stora torget" in page
    answered = open_request(h)
    assert answered.status is RequestStatus.ANSWERED
    assert answered.answer and answered.answer["iakttagelser"][0]["plats"] == "Stora torget"

    again = client.get(url).get_data(as_text=True)
    assert "Spara det ändrade svaret" in again and 'value="Stora torget"' in again
    changed = dict(OBSERVATION, **{"iakttagelser-0-plats": "Järnvägsstationen"})
    post(client, url, changed)
    assert open_request(h).answer["iakttagelser"][0]["plats"] == "Järnvägsstationen"  # type: ignore[index]
    versions = [
        (e.event, e.actor, e.detail["answer"]["iakttagelser"][0]["plats"])
        for e in h.audit()
        if e.event in ("input_received", "answer_changed") and e.actor == "tove-lind"
    ]
    assert versions == [
        ("input_received", "tove-lind", "Stora torget"),
        ("answer_changed", "tove-lind", "Järnvägsstationen"),
    ]


def test_errors_are_summarised_at_the_top_and_marked_at_each_field_and_nothing_is_stored(
    web: tuple[Harness, Flask],
) -> None:
    h, app = web
    url = f"/svar/{token_for(h, open_request(h))}"
    client = app.test_client()
    bad = dict(OBSERVATION, **{"iakttagelser-0-bedomning": "9", "iakttagelser-0-plats": ""})
    response = post(client, url, bad)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'role="alert"' in page and 'id="felsammanfattning"' in page
    assert 'href="#iakttagelser-0-plats"' in page
    assert re.search(r'id="iakttagelser-0-plats"[^>]*aria-invalid="true"', page) or re.search(
        r'aria-invalid="true"[^>]*id="iakttagelser-0-plats"', page
    )
    assert 'aria-describedby="iakttagelser-0-plats-hjalp iakttagelser-0-plats-fel"' in page
    assert 'value="Centrum"' in page  # what was typed is kept
    assert open_request(h).status is RequestStatus.OPEN


def test_rows_are_added_and_removed_with_real_buttons(web: tuple[Harness, Flask]) -> None:
    h, app = web
    url = f"/svar/{token_for(h, open_request(h))}"
    client = app.test_client()
    added = post(client, url, dict(OBSERVATION, add_row="iakttagelser")).get_data(as_text=True)
    assert "Rad 2" in added and 'name="iakttagelser-count" value="2"' in added
    assert 'value="Stora torget"' in added
    removed = post(
        client,
        url,
        dict(OBSERVATION, **{"iakttagelser-count": "2", "remove_row": "iakttagelser-0"}),
    ).get_data(as_text=True)
    assert 'name="iakttagelser-count" value="1"' in removed
    assert open_request(h).status is RequestStatus.OPEN


def test_a_post_without_the_csrf_token_is_refused_and_stores_nothing(
    web: tuple[Harness, Flask],
) -> None:
    h, app = web
    app.config["WTF_CSRF_ENABLED"] = True
    url = f"/svar/{token_for(h, open_request(h))}"
    response = app.test_client().post(url, data=OBSERVATION)
    assert response.status_code == 400
    assert "Formuläret kunde inte tas emot" in response.get_data(as_text=True)
    assert open_request(h).status is RequestStatus.OPEN


@pytest.mark.parametrize(
    ("change", "status", "title"),
    [
        ("forged", 404, "Länken är inte giltig"),
        ("expired", 410, "Länken har gått ut"),
        ("closed", 410, "Steget är avslutat"),
        ("used", 410, "Svaret är redan registrerat"),
    ],
)
def test_a_link_that_cannot_be_used_gets_a_clear_swedish_page(
    web: tuple[Harness, Flask], change: str, status: int, title: str
) -> None:
    h, app = web
    request = open_request(h)
    token = token_for(h, request, timedelta(days=30))
    if change == "forged":
        token = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    elif change == "expired":
        token = token_for(h, request, timedelta(minutes=-1))
    elif change == "used":
        post(app.test_client(), f"/svar/{token}", OBSERVATION)
        h.run_until(utc(2027, 1, 8, 12))  # the step has closed
    else:
        h.run_until(utc(2027, 1, 8, 12))
    response = app.test_client().get(f"/svar/{token}")
    page = response.get_data(as_text=True)
    assert response.status_code == status and title in page
    assert "Traceback" not in page


@pytest.mark.parametrize(
    "path",
    ["/svar/", "/svar/x", "/svar/1.2.3", "/svar/%00", "/svar/" + "9" * 300, "/finns-inte"],
)
def test_odd_addresses_give_a_swedish_error_page(web: tuple[Harness, Flask], path: str) -> None:
    _, app = web
    response = app.test_client().get(path)
    page = response.get_data(as_text=True)
    assert response.status_code in (404, 410)
    assert 'lang="sv"' in page and "Traceback" not in page


def test_an_oversized_answer_is_refused_with_a_page_and_nothing_stored(
    web: tuple[Harness, Flask],
) -> None:
    h, app = web
    url = f"/svar/{token_for(h, open_request(h))}"
    client = app.test_client()
    token = csrf(client.get(url).get_data(as_text=True))
    response = client.post(url, data={"csrf_token": token, "x": "å" * 600_000})
    assert response.status_code == 413 and "för stort" in response.get_data(as_text=True)
    assert open_request(h).status is RequestStatus.OPEN


def test_the_start_page_and_the_accessibility_statement_are_public(
    web: tuple[Harness, Flask],
) -> None:
    _, app = web
    client = app.test_client()
    assert "Löfte" in client.get("/").get_data(as_text=True)
    statement = client.get("/tillganglighet").get_data(as_text=True)
    assert "Tillgänglighetsredogörelse" in statement and "WCAG 2.1" in statement


def test_a_person_who_reads_english_gets_the_page_in_english(
    web: tuple[Harness, Flask], tmp_path: Path
) -> None:
    h, app = web
    organisation = yaml.safe_load((PACKAGED_DIR / "organisation.yaml").read_text("utf-8"))
    for person in organisation["people"]:
        if person["id"] == "tove-lind":
            person["language"] = "en"
    shutil.copytree(PACKAGED_DIR, tmp_path / "setup")
    (tmp_path / "setup" / "organisation.yaml").write_text(
        yaml.safe_dump(organisation, allow_unicode=True), encoding="utf-8"
    )
    h.engine.register(load_bundle([tmp_path / "setup"]), actor="test")
    url = f"/svar/{token_for(h, open_request(h))}"
    page = app.test_client().get(url).get_data(as_text=True)
    assert '<html lang="en">' in page and "Rapportera veckans" not in page
    failed = post(app.test_client(), url, {"iakttagelser-count": "0"})
    assert failed.status_code == 422 and '<html lang="en">' in failed.get_data(as_text=True)
