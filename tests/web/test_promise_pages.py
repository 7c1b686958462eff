"""The medborgarlöfte where people meet it: the decision and follow-up emails and the cycle page
name the promise in force for the cycle's period; the public page shows that promise, what each
party promises, the revisions made so far, the earlier promises and the follow-ups published
under it; and on any day the page names no promise that is not in force on it.

Sala's direction decision for the first quarter of 2027 (taken in December 2026, so the
promise in force when it is taken is 2025–2026, but the one it serves is 2027–2028) is decided
and published, and so is the February follow-up of it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from flask import Flask
from hypothesis import given
from hypothesis import strategies as st

from lofte.definitions.promises import promises_of
from lofte.notifications.render import Renderer
from lofte.storage.read_model import SqlReadModel
from lofte.workflow.application.app import Application
from lofte.workflow.application.promise_view import unit_promises
from lofte.workflow.application.yearly_report import render_report, report_data
from lofte.workflow.core.records import OutboxMessage
from tests.conftest import packaged
from tests.harness import Harness, make_harness, utc
from tests.web.support import web_app
from tests.web.test_audit_dashboard import signed_in
from tests.web.test_public_pages import marked_answer

SERVED = "medborgarlöftet 2027–2028 för Sala kommun"


@pytest.fixture(scope="module")
def followed_up(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Harness, Flask]]:
    folder = tmp_path_factory.mktemp("promise")
    h = make_harness(f"sqlite:///{folder}/lofte.db", utc(2026, 11, 30), packaged())
    h.run_until(utc(2026, 12, 1, 9))
    decision = h.cycle("inriktningsbeslut", "sala", "2027-Q1")
    for request in h.requests(decision, "analys"):
        h.engine.submit(
            request.id or 0, request.person_id, {"storst_behov": "a", "storst_paverkan": "b"}
        )
    h.run_until(utc(2026, 12, 22, 10))
    answer, _, _ = marked_answer(h, publish=True)
    h.answer(decision, "beslut", "karin-ek", answer)
    h.run_until(utc(2027, 2, 15, 10))
    follow_up = h.cycle("uppfoljning", "sala", "2027-Q1")
    for request in h.requests(follow_up, "ataganden"):
        h.engine.submit(
            request.id or 0,
            request.person_id,
            {"status": "genomford", "vad_som_gjorts": "Sanerat", "effekt": "Mindre klotter"},
        )
    h.answer(
        follow_up,
        "sammanfattning",
        "lars-berg",
        {"sammanfattning": "Klart", "resultat_publiceras": True, "publik_text": "PUBLIK-TEXT"},
    )
    h.run_until(utc(2027, 2, 26, 10))
    yield h, web_app(h)
    h.close()


def rendered(message: OutboxMessage) -> str:
    email = Renderer(lambda request, until: "https://x/svar/t", lambda i, s: None).render(message)
    return email.text + email.html


def test_decision_and_follow_up_emails_name_the_promise_they_serve(
    followed_up: tuple[Harness, Flask],
) -> None:
    h, _ = followed_up
    decision = h.cycle("inriktningsbeslut", "sala", "2027-Q1")
    told = [m for m in h.outbox("decision") if m.instance_id == decision.id]
    assert told
    for message in told:
        text = rendered(message)
        if message.language == "en":  # Eva Lund
            assert "The decision serves the citizen promise 2027–2028 of Sala kommun." in text
        else:
            assert f"Beslutet gäller {SERVED}." in text
    follow_up = h.cycle("uppfoljning", "sala", "2027-Q1")
    asked = [m for m in h.outbox("input_request") if m.instance_id == follow_up.id]
    texts = [rendered(m) for m in asked]
    assert any(f"Uppföljningen gäller {SERVED}." in t for t in texts)
    assert any(f"Beslutet gäller {SERVED}." in t for t in texts)  # the summary is a decision
    inventory = h.cycles("est-inventering", "sala")[0]
    weekly = [m for m in h.outbox("input_request") if m.instance_id == inventory.id]
    assert weekly and not any("gäller medborgarlöftet" in rendered(m) for m in weekly)


def test_the_cycle_page_names_the_promise_and_leads_to_it(
    followed_up: tuple[Harness, Flask],
) -> None:
    h, app = followed_up
    client = signed_in(h, app, "lars.berg@sala.example.se", "lars-berg")
    decision = h.cycle("inriktningsbeslut", "sala", "2027-Q1")
    page = client.get(f"/enhet/sala/cykler/{decision.id}").get_data(as_text=True)
    assert f"Inriktningsbeslutet gäller {SERVED}." in page
    assert 'href="/publikt/sala#lofte"' in page
    weekly = h.cycles("est-inventering", "sala")[0]
    page = client.get(f"/enhet/sala/cykler/{weekly.id}").get_data(as_text=True)
    assert "medborgarlöftet" not in page.split("<main")[1]  # a weekly inventory does not repeat it


def test_the_public_page_shows_the_promise_its_revisions_and_its_follow_ups(
    followed_up: tuple[Harness, Flask],
) -> None:
    _, app = followed_up
    page = app.test_client().get("/publikt/sala").get_data(as_text=True)
    assert '<h2 id="lofte">Medborgarlöfte Sala kommun 2027–2028</h2>' in page
    assert "Gäller 1 jan 2027 – 31 dec 2028" in page
    for lead in ("Polisen lovar att", "Kommunen lovar att", "Bostadsbolaget lovar att"):
        assert f">{lead}</h3>" in page
    assert "sanera klotter på kommunens fastigheter inom 48 timmar efter anmälan" in page
    assert '<time datetime="2027-02-22">22 feb 2027</time>' in page
    assert "2027-08-23" not in page  # not yet made on 26 February 2027
    assert "Medborgarlöfte Sala kommun 2025–2026 (1 jan 2025 – 31 dec 2026)" in page
    section = page.split('id="lofte-uppfoljningar"')[1].split("</section>")[0]
    links = re.findall(r'href="#([^"]+)"', section)
    assert len(links) == 1 and "uppfoljning" in links[0]
    assert f'id="{links[0]}"' in page and "PUBLIK-TEXT" in page
    assert page.count("· medborgarlöftet 2027–2028") == 2  # the decision and the follow-up
    listed = app.test_client().get("/publikt/").get_data(as_text=True)
    assert "Sala kommun</a>: medborgarlöftet 2027–2028, gäller till 31 dec 2028</li>" in listed
    assert "Norbergs kommun</a>: medborgarlöftet 2025–2027, gäller till 30 juni 2027</li>" in listed


def test_english_readers_get_the_frame_in_english_and_the_promise_as_written(
    followed_up: tuple[Harness, Flask],
) -> None:
    _, app = followed_up
    english = {"Accept-Language": "en"}
    page = app.test_client().get("/publikt/sala", headers=english).get_data(as_text=True)
    assert ">The police promises to</h3>" in page and "In force 1 Jan 2027" in page
    assert '<span lang="sv">sanera klotter på kommunens fastigheter' in page


def test_a_page_without_a_promise_in_force_says_so(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    folder = tmp_path_factory.mktemp("none")
    h = make_harness(f"sqlite:///{folder}/lofte.db", utc(2024, 12, 2), packaged())
    page = web_app(h).test_client().get("/publikt/sala").get_data(as_text=True)
    h.close()
    assert "Inget medborgarlöfte gäller just nu. Nästa gäller från 1 jan 2025." in page
    assert 'id="lofte"' not in page


DIRECTORY = packaged().directory
UNITS = [u.id for u in DIRECTORY.units_of_kind("municipality")]


@given(st.sampled_from(UNITS), st.integers(0, 365 * 7))
def test_on_any_day_only_the_promise_whose_period_holds_it_is_in_force(
    unit: str, offset: int
) -> None:
    day = date(2024, 1, 1) + timedelta(days=offset)
    seen = unit_promises(DIRECTORY, unit, day)
    holding = [p for p in promises_of(DIRECTORY.spec.promises, unit) if p.holds(day)]
    assert len(holding) <= 1
    if seen.in_force is None:
        assert holding == []
    else:
        assert [seen.in_force.starts] == [p.from_ for p in holding]
        assert all(r.day <= day for r in seen.in_force.revisions)
    assert all(p.starts > day for p in seen.coming) and all(p.ends < day for p in seen.earlier)
    shown = len(seen.coming) + len(seen.earlier) + (seen.in_force is not None)
    assert shown == len(promises_of(DIRECTORY.spec.promises, unit))


def test_the_application_reads_the_promise_of_the_stored_setup(
    followed_up: tuple[Harness, Flask],
) -> None:
    h, _ = followed_up
    app = Application(h.engine, SqlReadModel(h.store.engine))
    promises = app.directory().spec.promises
    assert {p.unit for p in promises} == set(UNITS)


def test_the_yearly_report_cites_the_promise_and_what_serves_it(
    followed_up: tuple[Harness, Flask],
) -> None:
    h, _ = followed_up
    app = Application(h.engine, SqlReadModel(h.store.engine))
    viewer = app.viewer("lars-berg")
    html = render_report(report_data(app, viewer, "sala", 2027))
    section = html.split('<h2 id="medborgarloftet">Medborgarlöftet</h2>')[1].split("</section>")[0]
    assert "<h3>Medborgarlöfte Sala kommun 2027–2028</h3>" in section
    assert "Gäller 2027-01-01 – 2028-12-31" in section and "<h4>Polisen lovar att</h4>" in section
    assert "2027-02-22: Efter februariuppföljningen" in section and "2027-08-23" not in section
    assert "2025–2026" not in section  # not in force in 2027
    assert f"Beslutet gäller {SERVED}." in html  # the follow-up's summary
    last_year = render_report(report_data(app, viewer, "sala", 2026))
    assert "<h3>Medborgarlöfte Sala kommun 2025–2026</h3>" in last_year
    assert f"Beslutet gäller {SERVED}." in last_year  # December's decision for 2027
