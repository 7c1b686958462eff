"""What an early intervention targets, chosen on the compile form (a place and any number of
categories, as checkboxes that work without JavaScript), and its numbers on the action
register, its CSV and the action's page, in Swedish and English."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from werkzeug.datastructures import MultiDict

from lofte.storage.read_model import SqlReadModel
from lofte.storage.web_access import SqlWebAccess
from lofte.web.factory import create_app
from lofte.workflow.application.app import Application
from tests.harness import Harness, utc
from tests.web.test_answer_page import csrf, token_for
from tests.web.test_audit_dashboard import signed_in
from tests.workflow.test_est_inventering import observation
from tests.workflow.test_lolg_commitments import commitment


@pytest.fixture
def web(sqlite_harness: Harness) -> Iterator[tuple[Harness, Flask]]:
    h = sqlite_harness
    h.run_until(utc(2027, 1, 4, 9))
    week = h.cycle("est-inventering", "sala", "2027-W01")
    seen = [observation(kategori="klotter"), observation(kategori="klotter", plats="Torget")]
    h.answer(week, "rapportering", "tove-lind", {"iakttagelser": seen})
    h.run_until(utc(2027, 1, 7, 15))  # reporting has closed: the compile step is open
    yield (
        h,
        create_app(
            Application(h.engine, SqlReadModel(h.store.engine)), SqlWebAccess(h.store.engine)
        ),
    )


ROW = {
    "veckans_bild": "Klotter på torget.",
    "tidiga_insatser-count": "1",
    "tidiga_insatser-0-insats": "Sanera busskuren",
    "tidiga_insatser-0-plats": "Stortorget",
    "tidiga_insatser-0-ansvarig": "maria-holm",
    "tidiga_insatser-0-klart_senast": "2027-01-20",
}


def test_the_categories_are_checkboxes_and_the_action_keeps_every_one_chosen(
    web: tuple[Harness, Flask],
) -> None:
    h, app = web
    week = h.cycle("est-inventering", "sala", "2027-W01")
    url = f"/svar/{token_for(h, h.request(week, 'sammanstallning', 'lars-berg'))}"
    client = app.test_client()
    page = client.get(url).get_data(as_text=True)
    assert 'type="checkbox" name="tidiga_insatser-0-malkategorier" value="klotter"' in page
    assert "Vad den ska minska" in page

    # A mistake elsewhere keeps the boxes that were ticked.
    chosen = [
        ("tidiga_insatser-0-malkategorier", "klotter"),
        ("tidiga_insatser-0-malkategorier", "skadegorelse"),
    ]
    wrong = MultiDict([("csrf_token", csrf(page)), *ROW.items(), *chosen])
    wrong.setlist("tidiga_insatser-0-klart_senast", ["snart"])
    again = client.post(url, data=wrong).get_data(as_text=True)
    assert 'value="klotter" checked' in again and 'value="skadegorelse" checked' in again

    right = MultiDict([("csrf_token", csrf(again)), *ROW.items(), *chosen])
    assert "Tack – svaret är registrerat" in client.post(url, data=right).get_data(as_text=True)
    [action] = h.actions("sala")
    assert action.categories == ("skadegorelse", "klotter") and action.place == "Stortorget"


def test_the_register_its_csv_and_the_action_page_show_the_baseline_and_the_latest_count(
    web: tuple[Harness, Flask],
) -> None:
    h, app = web
    week = h.cycle("est-inventering", "sala", "2027-W01")
    row = {
        "insats": "Sanera busskuren",
        "plats": "Stortorget",
        "malkategorier": ["klotter"],
        "ansvarig": "maria-holm",
        "klart_senast": "2027-01-20",
    }
    h.answer(
        week, "sammanstallning", "lars-berg", {"veckans_bild": "Klotter.", "tidiga_insatser": [row]}
    )
    h.run_until(utc(2027, 1, 15, 9))
    client = signed_in(h, app, "lars.berg@sala.example.se", "lars-berg")
    page = client.get("/enhet/sala/atgarder").get_data(as_text=True)
    assert "Utgångsläge" in page and "Senaste läge" in page
    assert "2 iakttagelser de 12 veckorna före beslutet (0,2 per vecka)" in page
    assert "0 iakttagelser på 1 vecka sedan beslutet (0,0 per vecka)" in page
    csv = client.get("/enhet/sala/atgarder?format=csv").get_data(as_text=True)
    header, first = [line.split(";") for line in csv.lstrip("\ufeff").splitlines()[:2]]
    cells = dict(zip(header, first, strict=True))
    assert (cells["Räknas"], cells["Utgångsläge"], cells["Senaste läge"]) == (
        "klotter vid Stortorget",
        "2",
        "0",
    )
    [action] = h.actions("sala")
    shown = client.get(f"/enhet/sala/atgarder/{action.id}").get_data(as_text=True)
    assert "Iakttagelser per vecka" in shown and "klotter vid Stortorget" in shown


def test_lolg_chooses_commitments_in_force_from_a_list_grouped_by_municipality(
    sqlite_harness: Harness,
) -> None:
    h = sqlite_harness
    h.run_until(utc(2027, 1, 4, 9))
    sala = commitment(h, "sala", "Sanera klottret på torget", 0)
    commitment(h, "norberg", "Belysning i Kyrkparken", 0)
    h.run_until(utc(2027, 1, 6, 8))
    cycle = h.cycle("operativ-inriktning", "lpo-norra-vastmanland", "2027-W01")
    url = f"/svar/{token_for(h, h.request(cycle, 'beslut', 'peter-nord'))}"
    app = create_app(
        Application(h.engine, SqlReadModel(h.store.engine)), SqlWebAccess(h.store.engine)
    )
    client = app.test_client()
    page = client.get(url).get_data(as_text=True)
    assert '<optgroup label="Sala kommun">' in page and '<optgroup label="Norbergs kommun">' in page
    assert f'<option value="{sala.key}">Sanera klottret på torget</option>' in page
    form = {
        "csrf_token": csrf(page),
        "brottsfenomen": "Klotter",
        "platser": "Stora torget",
        "motivering": "Klotter ökar.",
        "kommunernas_ataganden-count": "1",
        "kommunernas_ataganden-0-atagande": sala.key,
        "kommunernas_ataganden-0-hur": "Synlig närvaro fredag kväll.",
    }
    wrong = client.post(url, data=form | {"motivering": ""}).get_data(as_text=True)
    assert f'<option value="{sala.key}" selected>' in wrong  # a mistake keeps the choice
    receipt = client.post(url, data=form | {"csrf_token": csrf(wrong)}).get_data(as_text=True)
    assert "Tack – svaret är registrerat" in receipt
    assert "Sala kommun: Sanera klottret på torget" in receipt
