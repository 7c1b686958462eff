"""The auditor's dashboard through Flask's test client on a real engine after three weeks in
which nobody answered: counts per unit and cycle, who owed the missing inputs, an SVG chart with
its table, CSV for Swedish Excel, drill-down to a cycle's audit log, filters, and 403 for
people without the auditor role."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from lofte.storage.read_model import SqlReadModel
from lofte.workflow.application.app import Application
from lofte.workflow.application.audit_cache import cached_audit
from lofte.workflow.application.audit_report import build_audit
from tests.harness import Harness, utc
from tests.web.support import web_app

ULLA = "ulla.vik@revision.example.se"


@pytest.fixture
def web(sqlite_harness: Harness) -> Iterator[tuple[Harness, Flask]]:
    h = sqlite_harness
    h.run_until(utc(2027, 1, 22, 18))  # three weeks, nobody answers
    yield h, web_app(h)


def csrf_of(client: FlaskClient, url: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(url).get_data(as_text=True))
    assert found
    return found.group(1)


def signed_in(h: Harness, app: Flask, address: str, person: str) -> FlaskClient:
    client = app.test_client()
    client.post("/logga-in", data={"csrf_token": csrf_of(client, "/logga-in"), "epost": address})
    link = str(h.outbox("sign_in", person)[-1].context["link"])
    path = re.sub(r"^https?://[^/]+", "", link)
    assert client.post(path, data={"csrf_token": csrf_of(client, path)}).status_code == 303
    return client


def test_the_dashboard_counts_cycles_and_names_who_owed_the_missing_inputs(
    web: tuple[Harness, Flask],
) -> None:
    h, app = web
    client = signed_in(h, app, ULLA, "ulla-revisor")
    response = client.get("/revision?enhet=sala")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert '<svg class="chart" role="img"' in page and "<desc" in page
    row = re.search(r"<th scope=\"row\">Sala kommun</th><td>EST-inventering</td>(.*?)</tr>", page)
    assert row, page[:2000]
    counts = re.findall(r"<td>(\d+)</td>", row.group(1))
    # opened, on time, late, incomplete, no basis, still open (the third week has not ended)
    assert counts[:6] == ["3", "0", "0", "2", "0", "1"]
    table = page.split("Cykler per enhet och slag</caption>")[1].split("</table>")[0]
    assert "Tove Lind" in page and "Surahammars kommun" not in table  # the unit filter


def test_every_table_downloads_as_csv_for_swedish_excel(web: tuple[Harness, Flask]) -> None:
    h, app = web
    client = signed_in(h, app, ULLA, "ulla-revisor")
    for table in ("enheter", "cykler", "personer", "luckor", "uppfoljning"):
        response = client.get(f"/revision/{table}.csv?enhet=sala&fran=2027-01-01&till=2027-12-31")
        text = response.get_data(as_text=True)
        assert response.status_code == 200 and response.mimetype == "text/csv"
        assert text.startswith("\ufeff") and ";" in text.splitlines()[0]
    people = client.get("/revision/personer.csv?enhet=sala").get_data(as_text=True)
    assert "Tove Lind;2" in people and "Lars Berg;5" in people


def test_the_filters_narrow_the_period_and_a_bad_date_is_explained(
    web: tuple[Harness, Flask],
) -> None:
    h, app = web
    client = signed_in(h, app, ULLA, "ulla-revisor")
    one_week = client.get("/revision/cykler.csv?enhet=sala&fran=2027-01-11&till=2027-01-17")
    lines = one_week.get_data(as_text=True).splitlines()
    assert len([line for line in lines if "EST-inventering" in line]) == 1
    bad = client.get("/revision?fran=2027-13-01")
    assert bad.status_code == 422 and 'href="#fran"' in bad.get_data(as_text=True)
    assert client.get("/revision/cykler.csv?till=igår").status_code == 400
    assert client.get("/revision/okand.csv").status_code == 404


def test_a_cycle_drills_down_to_its_audit_log(web: tuple[Harness, Flask]) -> None:
    h, app = web
    client = signed_in(h, app, ULLA, "ulla-revisor")
    week = h.cycle("est-inventering", "sala", "2027-W01")
    page = client.get(f"/revision/cykel/{week.id}").get_data(as_text=True)
    assert "Revisionsloggen" in page and page.count("<tr><td>") >= 3
    assert "cykeln öppnades" in page and "cycle_opened" not in page
    assert client.get("/revision/cykel/999999").status_code == 404


def test_people_without_the_auditor_role_get_a_swedish_403(web: tuple[Harness, Flask]) -> None:
    h, app = web
    client = signed_in(h, app, "tove.lind@raddning.example.se", "tove-lind")
    for path in ("/revision", "/revision/enheter.csv", f"/revision/cykel/{h.cycles()[0].id}"):
        response = client.get(path)
        assert response.status_code == 403 and "behörighet" in response.get_data(as_text=True)
    assert app.test_client().get("/revision").headers["Location"] == "/logga-in"


def test_the_dashboard_shows_every_change_at_once_though_it_is_kept_between_requests(
    web: tuple[Harness, Flask],
) -> None:
    h, app = web

    def sala_inventories() -> list[str]:
        client = signed_in(h, app, ULLA, "ulla-revisor")  # days pass: sessions end
        page = client.get("/revision?enhet=sala").get_data(as_text=True)
        row = re.search(
            r"<th scope=\"row\">Sala kommun</th><td>EST-inventering</td>(.*?)</tr>", page
        )
        assert row
        return re.findall(r"<td>(\d+)</td>", row.group(1))[:6]

    assert sala_inventories() == ["3", "0", "0", "2", "0", "1"]
    assert sala_inventories() == ["3", "0", "0", "2", "0", "1"]  # the same, from the kept one
    h.run_until(utc(2027, 1, 25, 18))  # the third week closes, the fourth opens
    assert sala_inventories() == ["4", "0", "0", "3", "0", "1"]
    h.clock.set(utc(2027, 2, 1, 18))  # the engine is down: week five should have opened
    client = signed_in(h, app, ULLA, "ulla-revisor")
    gaps = client.get("/revision/luckor.csv?enhet=sala").get_data(as_text=True)
    assert "v. 5 2027" in gaps


def test_the_kept_report_is_built_again_after_any_write_in_the_same_minute(
    web: tuple[Harness, Flask],
) -> None:
    h, _ = web
    app = Application(h.engine, SqlReadModel(h.store.engine))
    auditor = app.viewer("ulla-revisor")
    first = cached_audit(app, auditor, ["sala"])
    assert cached_audit(app, auditor, ["sala"]) is first  # nothing written: kept
    week = h.cycle("est-inventering", "sala", "2027-W03")
    h.answer(week, "sammanstallning", "lars-berg", {"veckans_bild": "Lugnt", "tidiga_insatser": []})
    again = cached_audit(app, auditor, ["sala"])
    assert again is not first and again == build_audit(app, auditor, unit_ids=["sala"])


def test_the_rendered_figures_are_kept_until_a_write_and_rendered_by_one_thread(
    web: tuple[Harness, Flask],
) -> None:
    import threading

    from lofte.web.page_cache import rendered

    h, _ = web
    app = Application(h.engine, SqlReadModel(h.store.engine))
    renders: list[int] = []
    started, release = threading.Event(), threading.Event()

    def render() -> str:
        renders.append(1)
        started.set()
        release.wait(timeout=30)
        return "<p>figures</p>"

    first = threading.Thread(target=rendered, args=(app, "k", render))
    first.start()
    started.wait(timeout=30)  # the first thread renders; the second waits for it
    second = threading.Thread(target=rendered, args=(app, "k", render))
    second.start()
    release.set()
    first.join(30)
    second.join(30)
    assert rendered(app, "k", render) == "<p>figures</p>" and len(renders) == 1
    week = h.cycle("est-inventering", "sala", "2027-W03")
    h.answer(week, "sammanstallning", "lars-berg", {"veckans_bild": "Lugnt", "tidiga_insatser": []})
    rendered(app, "k", render)  # the audit log's head moved: rendered again
    assert len(renders) == 2
