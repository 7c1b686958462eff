"""The coordinator's import page: an uploaded export is previewed (rows understood, the
places they were matched to, each bad row with its number) and nothing is stored until the
preview's own form is sent; then the observations count on the place page, and the same file
again adds nothing. Forms need their CSRF token; only the coordinator (and administrators)
may import."""

from __future__ import annotations

import html
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.harness import Harness, utc
from tests.web.test_audit_dashboard import csrf_of, signed_in
from tests.web.test_places_page import COORDINATOR, REPORTER, count_of

DATA = Path(__file__).parents[1] / "data" / "imports"
PAGE = "/enhet/sala/inlasning"
PLACES = "/enhet/sala/platser?fran=2026-11-01&till=2026-12-31"


@pytest.fixture
def web(sqlite_harness: Harness) -> Iterator[tuple[Harness, Flask]]:
    from tests.web.support import web_app

    sqlite_harness.run_until(utc(2027, 1, 1, 9))
    yield sqlite_harness, web_app(sqlite_harness)


def upload(client: FlaskClient, name: str, mapping: str = "") -> tuple[int, str]:
    data: dict[str, object] = {
        "csrf_token": csrf_of(client, PAGE),
        "fil": (io.BytesIO((DATA / name).read_bytes()), name),
    }
    if mapping:
        data["mappning"] = (io.BytesIO((DATA / mapping).read_bytes()), mapping)
    response = client.post(PAGE + "/forhandsgranska", data=data, content_type="multipart/form-data")
    return response.status_code, response.get_data(as_text=True)


def store_form(page: str) -> dict[str, str]:
    """The hidden fields of the preview's form that stores."""
    form = page[page.index('action="/enhet/sala/inlasning/spara"') :]
    return {
        name: html.unescape(value)
        for name, value in re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', form)
    }


def test_a_preview_stores_nothing_and_its_form_stores_the_rows(
    web: tuple[Harness, Flask],
) -> None:
    h, app = web
    client = signed_in(h, app, *COORDINATOR)
    assert 'href="/enhet/sala/inlasning"' in client.get(PLACES).get_data(as_text=True)
    status, page = upload(client, "embrace-sv-semicolon-bom.csv")
    assert status == 200
    assert "6 rader: 6 lästa, 0 med fel; 6 nya, 0 redan inlästa." in page
    assert "Sala resecentrum (annat namn)" in page and "Klotter" in page
    assert re.search(r"Stora torget \(\d+ m från koordinaterna\)", page)
    assert "Spara 6 nya iakttagelser" in page
    assert count_of(client.get(PLACES).get_data(as_text=True), "Stora torget") == "0"

    form = store_form(page)
    response = client.post(PAGE + "/spara", data=form)
    assert response.status_code == 303 and response.headers["Location"].endswith("klart=6")
    done = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "6 nya iakttagelser sparades" in done
    assert count_of(client.get(PLACES).get_data(as_text=True), "Stora torget") == "2"
    (event,) = [e for e in h.audit() if e.event == "observations_imported"]
    assert event.actor == "lars-berg" and event.unit_id == "sala"
    assert event.detail["file"] == "embrace-sv-semicolon-bom.csv" and event.detail["added"] == 6

    again = client.post(PAGE + "/spara", data=form)
    assert again.headers["Location"].endswith("klart=0")
    status, page = upload(client, "embrace-sv-semicolon-bom.csv")
    assert "0 nya, 6 redan inlästa" in page and "Det finns inget nytt att spara." in page


def test_bad_rows_are_shown_and_stored_only_when_skipped(web: tuple[Harness, Flask]) -> None:
    h, app = web
    client = signed_in(h, app, *COORDINATOR)
    status, page = upload(client, "bad-rows.csv")
    assert status == 200 and "8 rader: 2 lästa, 6 med fel" in page
    assert "rad 4, kolumn ”Datum”: ”5 dec” är inget datum (ÅÅÅÅ-MM-DD)" in page
    assert 'name="hoppa_over"' in page
    form = store_form(page)
    refused = client.post(PAGE + "/spara", data=form)
    assert refused.status_code == 200 and "Rader med fel" in refused.get_data(as_text=True)
    assert not [e for e in h.audit() if e.event == "observations_imported"]
    stored = client.post(PAGE + "/spara", data=form | {"hoppa_over": "ja"})
    assert stored.headers["Location"].endswith("klart=2")


def test_an_xlsx_and_a_mapping_file(web: tuple[Harness, Flask]) -> None:
    h, app = web
    client = signed_in(h, app, *COORDINATOR)
    status, page = upload(client, "form-export.xlsx")
    assert status == 200 and "3 rader: 3 lästa, 0 med fel" in page
    status, page = upload(client, "custom-headers.csv")
    assert status == 422 and "kolumnen Kategori saknas" in page
    status, page = upload(client, "custom-headers.csv", "mapping.yaml")
    assert status == 200 and "2 rader: 2 lästa" in page
    response = client.post(PAGE + "/spara", data=store_form(page))
    assert response.headers["Location"].endswith("klart=2")  # the mapping came back with it


def test_only_the_coordinator_imports_and_every_form_needs_its_token(
    web: tuple[Harness, Flask],
) -> None:
    h, app = web
    assert app.test_client().get(PAGE).status_code == 302  # to sign in
    reporter = signed_in(h, app, *REPORTER)
    assert reporter.get(PAGE).status_code == 403
    assert "/enhet/sala/inlasning" not in reporter.get(PLACES).get_data(as_text=True)
    coordinator = signed_in(h, app, *COORDINATOR)
    assert coordinator.get("/enhet/lpo-norra-vastmanland/inlasning").status_code == 404
    assert coordinator.get("/enhet/fagersta/inlasning").status_code == 403
    no_token = coordinator.post(
        PAGE + "/forhandsgranska",
        data={"fil": (io.BytesIO(b"Kategori;Plats;Datum"), "bad-rows.csv")},
        content_type="multipart/form-data",
    )
    assert no_token.status_code == 400
    token = csrf_of(coordinator, PAGE)
    nothing = coordinator.post(PAGE + "/forhandsgranska", data={"csrf_token": token})
    assert nothing.status_code == 422 and "välj en fil" in nothing.get_data(as_text=True)
    broken = coordinator.post(PAGE + "/spara", data={"csrf_token": token, "data": "!!"})
    assert broken.status_code == 400
