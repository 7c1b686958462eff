"""The place page: a municipality's register with how often each place was reported, the
"annan plats" texts still to be mapped, and the coordinator's two acts on them (map onto a
place, add to the register), refused to everyone else; the answer form offers the register."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import pytest
from flask import Flask

from tests.harness import Harness, utc
from tests.web.support import web_app
from tests.web.test_answer_page import token_for
from tests.web.test_audit_dashboard import csrf_of, signed_in
from tests.workflow.test_est_inventering import observation

PAGE = "/enhet/sala/platser?fran=2027-01-01&till=2027-01-10"
COORDINATOR = ("lars.berg@sala.example.se", "lars-berg")
REPORTER = ("tove.lind@raddning.example.se", "tove-lind")


@pytest.fixture
def web(sqlite_harness: Harness) -> Iterator[tuple[Harness, Flask]]:
    h = sqlite_harness
    h.run_until(utc(2027, 1, 4, 9))
    week = h.cycle("est-inventering", "sala", "2027-W01")
    rows = [observation(plats="Torget"), observation(plats="bakom  folkets hus", omrade="Norr")]
    h.answer(week, "rapportering", "tove-lind", {"iakttagelser": rows})
    h.answer(week, "rapportering", "maria-holm", {"iakttagelser": [observation()]})
    yield h, web_app(h)


def count_of(page: str, place: str) -> str:
    found = re.search(rf"<th scope=\"row\">{place}</th>(?:<td>[^<]*</td>){{4}}<td>(\d+)</td>", page)
    assert found, place
    return found.group(1)


def test_aliases_count_as_the_place_and_an_other_place_waits_for_the_coordinator(
    web: tuple[Harness, Flask],
) -> None:
    h, app = web
    client = signed_in(h, app, *COORDINATOR)
    page = client.get(PAGE).get_data(as_text=True)
    assert count_of(page, "Stora torget") == "2"  # "Torget" is one of its names
    assert "bakom  folkets hus (Norr): 1 iakttagelse</h3>" in page
    assert 'action="/enhet/sala/platser/koppla"' in page and "Lägg till som ny plats" in page
    csv = client.get(PAGE + "&format=csv").get_data(as_text=True)
    assert csv.startswith("\ufeffPlats;Område;Slag;Latitud;Longitud;Andra namn;Antal")
    assert "Stora torget;Sala centrum;Torg;59.92120;16.60570;Torget, Stortorget;2;0" in csv
    assert client.get("/enhet/lpo-norra-vastmanland/platser").status_code == 404


def test_the_coordinator_maps_an_other_place_and_it_is_counted_as_the_place(
    web: tuple[Harness, Flask],
) -> None:
    h, app = web
    client = signed_in(h, app, *COORDINATOR)
    token = csrf_of(client, PAGE)
    form = {"csrf_token": token, "text": "bakom  folkets hus", "plats": "stadsparken"}
    response = client.post("/enhet/sala/platser/koppla", data=form)
    assert response.status_code == 303
    page = client.get(PAGE).get_data(as_text=True)
    assert count_of(page, "Stadsparken") == "1"
    assert "bakom folkets hus" in page and "Ingen annan plats under perioden" in page
    again = client.post("/enhet/sala/platser/koppla", data=form)
    assert again.status_code == 422
    assert "betyder redan platsen Stadsparken" in again.get_data(as_text=True)
    (event,) = [e for e in h.audit() if e.event == "place_mapped"]
    assert event.actor == "lars-berg" and event.unit_id == "sala"
    assert event.detail == {"text": "bakom  folkets hus", "place": "stadsparken", "version": 1}


def test_the_coordinator_adds_an_other_place_to_the_register_with_its_coordinates(
    web: tuple[Harness, Flask],
) -> None:
    h, app = web
    client = signed_in(h, app, *COORDINATOR)
    token = csrf_of(client, PAGE)
    form = {"csrf_token": token, "text": "bakom folkets hus", "namn": "Folkets hus baksida"}
    form |= {"omrade": "Norr", "slag": "ovrigt", "lat": "59,93", "lon": "sextio"}
    refused = client.post("/enhet/sala/platser/ny", data=form)
    assert refused.status_code == 422
    assert "ett tal mellan -180 och 180 (grader, WGS 84)" in refused.get_data(as_text=True)
    added = client.post("/enhet/sala/platser/ny", data=form | {"lon": "16.61"})
    assert added.status_code == 303
    page = client.get(PAGE).get_data(as_text=True)
    assert count_of(page, "Folkets hus baksida") == "1"
    assert "59.9300, 16.6100" in page


def test_only_the_coordinator_keeps_the_register(web: tuple[Harness, Flask]) -> None:
    h, app = web
    client = signed_in(h, app, *REPORTER)
    page = client.get(PAGE).get_data(as_text=True)
    assert "Kommunens samordnare kopplar platsen" in page and "/platser/koppla" not in page
    token = csrf_of(client, PAGE)
    form = {"csrf_token": token, "text": "bakom folkets hus", "plats": "stadsparken"}
    assert client.post("/enhet/sala/platser/koppla", data=form).status_code == 403
    assert client.get("/enhet/norberg/platser").status_code == 403


def test_the_answer_form_offers_the_units_places_in_a_list_that_needs_no_script(
    web: tuple[Harness, Flask],
) -> None:
    h, app = web
    request = h.request(h.cycle("est-inventering", "sala", "2027-W01"), "rapportering", "lars-berg")
    page = app.test_client().get(f"/svar/{token_for(h, request)}").get_data(as_text=True)
    assert page.count("<option value=") >= 15 and '<datalist id="platslista">' in page
    assert 'id="iakttagelser-0-plats" name="iakttagelser-0-plats"' in page
    assert 'list="platslista"' in page and 'type="time"' in page


def test_a_new_place_whose_id_is_taken_gets_one_of_its_own_and_a_taken_name_is_refused(
    web: tuple[Harness, Flask],
) -> None:
    h, app = web
    client = signed_in(h, app, *COORDINATOR)
    form = {"csrf_token": csrf_of(client, PAGE), "text": "bakom folkets hus", "slag": "park"}
    form |= {"omrade": "Sala centrum", "lat": "59.923", "lon": "16.609"}
    taken = client.post("/enhet/sala/platser/ny", data=form | {"namn": "parken"})
    assert taken.status_code == 422
    refusal = html.unescape(taken.get_data(as_text=True))
    assert "namnet 'parken' betyder redan platsen 'stadsparken'" in refusal
    assert (
        client.post("/enhet/sala/platser/ny", data=form | {"namn": "Stadsparken!"}).status_code
        == 303
    )
    csv = client.get(PAGE + "&format=csv").get_data(as_text=True)
    assert (
        "Stadsparken!;Sala centrum;Park/grönområde;59.92300;16.60900;bakom folkets hus;1;0" in csv
    )
