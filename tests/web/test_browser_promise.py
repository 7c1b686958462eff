"""The medborgarlöfte in a real browser (Debian's Chromium through Playwright): a citizen reads
Sala's promise in force, what each party promises and its revisions, and follows the link to the
follow-up published under it; an English reader gets the frame in English and the promise as
written (marked Swedish); the coordinator goes from the decision's page to the promise; the
yearly report cites it. Every page passes axe at 1280 and 320 px and nothing scrolls sideways.

In CI (`CI=true`) a missing browser fails the run; elsewhere the test is skipped."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from lofte.storage.read_model import SqlReadModel
from lofte.storage.web_access import SqlWebAccess
from lofte.web.session import COOKIE
from lofte.workflow.application.app import Application
from lofte.workflow.application.sign_in import digest
from lofte.workflow.application.yearly_report import render_report, report_data
from tests.harness import Harness
from tests.web.browser import launch, need_browser
from tests.web.test_browser import assert_accessible
from tests.web.test_promise_pages import followed_up

__all__ = ["followed_up"]  # the fixture: Sala's decision and its follow-up, published
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def served(followed_up: tuple[Harness, Flask]) -> Iterator[tuple[str, Harness, Any]]:
    need_browser()
    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    h, app = followed_up
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    with sync_playwright() as p:
        browser = launch(p)
        yield f"http://127.0.0.1:{server.server_port}", h, browser
        browser.close()
    server.shutdown()


def tab(
    browser: Any, base: str, h: Harness, person: str | None = None, locale: str = "sv-SE"
) -> Any:
    context = browser.new_context(locale=locale)
    if person is not None:
        session = f"promise-session-{person}"
        access = SqlWebAccess(h.store.engine)
        access.add_session(digest(session), person, h.clock.now())
        context.add_cookies([{"name": COOKIE, "value": session, "url": base}])
    return context.new_page()


def test_a_citizen_reads_the_promise_and_follows_it_to_its_follow_up(
    served: tuple[str, Harness, Any],
) -> None:
    base, h, browser = served
    page = tab(browser, base, h)
    page.goto(base + "/publikt/sala")
    assert page.locator("h2#lofte").inner_text() == "Medborgarlöfte Sala kommun 2027–2028"
    assert page.get_by_role("heading", name="Polisen lovar att").is_visible()
    assert page.locator("ul.revisions li").all_inner_texts() == [
        "22 feb 2027: Efter februariuppföljningen lades buskörning i Ekeby och Åkraö till som "
        "fokusområde."
    ]
    assert_accessible(page, "the promise in force")
    link = page.locator("section.promise a[href^='#publicerat-']")
    assert link.count() == 1
    link.click()
    target = page.evaluate("location.hash")
    assert target.startswith("#publicerat-uppfoljning")
    assert page.locator(f"{target} ~ p").first.inner_text().endswith("· medborgarlöftet 2027–2028")
    assert page.locator(target).is_visible()
    page.goto(base + "/publikt/norberg")
    assert page.get_by_text("Inga uppföljningar är publicerade ännu.").is_visible()
    assert_accessible(page, "a promise without published follow-ups")
    page.context.close()


def test_an_english_reader_gets_the_promise_as_written_and_marked_swedish(
    served: tuple[str, Harness, Any],
) -> None:
    base, h, browser = served
    page = tab(browser, base, h, locale="en-GB")
    page.goto(base + "/publikt/sala")
    assert page.get_by_role("heading", name="The police promises to").is_visible()
    assert page.locator("section.promise li span[lang=sv]").count() >= 9
    assert_accessible(page, "the promise in English")
    page.context.close()


def test_the_coordinator_goes_from_the_decision_to_the_promise(
    served: tuple[str, Harness, Any],
) -> None:
    base, h, browser = served
    page = tab(browser, base, h, "lars-berg")
    decision = h.cycle("inriktningsbeslut", "sala", "2027-Q1")
    page.goto(f"{base}/enhet/sala/cykler/{decision.id}")
    line = page.locator("p.promise-line").inner_text()
    assert line.startswith("Inriktningsbeslutet gäller medborgarlöftet 2027–2028 för Sala kommun.")
    assert_accessible(page, "the decision's page")
    page.click("text=Se löftet")
    page.wait_for_url("**/publikt/sala#lofte")
    assert page.locator("h2#lofte").is_visible()
    page.context.close()


def test_the_yearly_report_cites_the_promise_and_passes_axe(
    served: tuple[str, Harness, Any], tmp_path: Path
) -> None:
    base, h, browser = served
    app = Application(h.engine, SqlReadModel(h.store.engine))
    # A police area's report combines its municipalities (read by the head of the area).
    for unit, reader in (("sala", "lars-berg"), ("lpo-norra-vastmanland", "peter-nord")):
        report = tmp_path / f"lagesbild-atgardsplan-{unit}.html"
        report.write_text(render_report(report_data(app, app.viewer(reader), unit, 2027)))
        page = tab(browser, base, h)
        page.goto(report.as_uri())
        assert page.get_by_role("heading", name="Medborgarlöfte Sala kommun 2027–2028").is_visible()
        for part in ("1. Kartläggning", "2. Analys", "3. Åtgärder", "4. Uppföljning"):
            assert page.get_by_role("heading", name=part, exact=True).is_visible()
        assert_accessible(page, f"the law's report for {unit}")
        # Printed to PDF: A4 pages, each of the four parts starting a page of its own.
        pages = page.pdf(format="A4").count(b"/Type /Page") - 1  # minus the /Type /Pages tree
        assert pages >= 5, pages
        page.context.close()
