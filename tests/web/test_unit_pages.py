"""A unit's lägesbild, action register and yearly report on the web, for people with a role in
the unit: the counts are those of the reports, charts come with their tables, CSV downloads,
and a person without a role there gets a 403 page."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask

from lofte.storage.read_model import SqlReadModel
from lofte.storage.web_access import SqlWebAccess
from lofte.web.factory import create_app
from lofte.workflow.application.app import Application
from tests.harness import Harness, utc
from tests.web.test_audit_dashboard import signed_in
from tests.workflow.test_est_inventering import observation


@pytest.fixture
def web(sqlite_harness: Harness) -> Iterator[tuple[Harness, Flask]]:
    h = sqlite_harness
    h.run_until(utc(2027, 1, 4, 9))
    week = h.cycle("est-inventering", "sala", "2027-W01")
    h.answer(
        week,
        "rapportering",
        "tove-lind",
        {"iakttagelser": [observation(), observation(plats="Torget")]},
    )
    h.answer(week, "rapportering", "maria-holm", {"iakttagelser": [observation(kategori="brand")]})
    h.answer(week, "rapportering", "johan-sjo", {"inget_att_rapportera": True})
    h.run_until(utc(2027, 1, 8, 9))
    app = Application(h.engine, SqlReadModel(h.store.engine))
    yield h, create_app(app, SqlWebAccess(h.store.engine))


def test_the_lagesbild_shows_the_reports_counts_with_charts_and_tables(
    web: tuple[Harness, Flask],
) -> None:
    h, app = web
    client = signed_in(h, app, "lars.berg@sala.example.se", "lars-berg")
    response = client.get("/enhet/sala/lagesbild?fran=2027-01-01&till=2027-01-10")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "3 iakttagelser" in page and "rapporterade inget" in page
    assert page.count('role="img"') >= 2
    assert re.search(r"<td>Skadegörelse</td><td>2</td>", page)
    assert re.search(r"<td>Brand/anlagd brand</td><td>1</td>", page)
    assert "Klotter på busskuren." in page
    csv = client.get("/enhet/sala/lagesbild?fran=2027-01-01&till=2027-01-10&format=csv")
    assert csv.mimetype == "text/csv" and csv.get_data(as_text=True).count("Klotter") == 3
    assert client.get("/enhet/sala/lagesbild?fran=igår").status_code == 400


def test_the_action_register_and_the_yearly_report(web: tuple[Harness, Flask]) -> None:
    h, app = web
    client = signed_in(h, app, "lars.berg@sala.example.se", "lars-berg")
    page = client.get("/enhet/sala/atgarder").get_data(as_text=True)
    assert "Åtgärder · Sala kommun" in page
    assert client.get("/enhet/sala/atgarder?format=csv").get_data(as_text=True).startswith("\ufeff")
    assert client.get("/enhet/sala/atgarder?status=fel").status_code == 400
    report = client.get("/enhet/sala/arsrapport?ar=2027")
    assert report.status_code == 200 and "attachment" in report.headers["Content-Disposition"]
    assert "Sala" in report.get_data(as_text=True)


def test_a_person_without_a_role_in_the_unit_gets_403_and_an_unknown_unit_404(
    web: tuple[Harness, Flask],
) -> None:
    h, app = web
    client = signed_in(h, app, "tove.lind@raddning.example.se", "tove-lind")
    for path in (
        "/enhet/norberg/lagesbild",
        "/enhet/norberg/atgarder",
        "/enhet/norberg/arsrapport",
    ):
        assert client.get(path).status_code == 403, path
    assert client.get("/enhet/finns-inte/lagesbild").status_code == 404
    assert app.test_client().get("/enhet/sala/lagesbild").headers["Location"] == "/logga-in"
