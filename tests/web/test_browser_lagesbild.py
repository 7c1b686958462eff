"""A real browser on the lägesbild with its map (four simulated weeks of the packaged police
area): the Leaflet map is drawn from the app's own files with tiles from a tile server (here
the app itself, so the test needs no internet) under the page's CSP, one marker per place
with its count; unticking a category redraws the markers; without JavaScript the places are
on the SVG plot. axe-core finds nothing at 1280 and 320 px on the municipality's and the
police area's page, with and without JavaScript.

In CI (`CI=true`) a missing browser fails the run; elsewhere the test is skipped."""

from __future__ import annotations

import itertools
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lofte.storage.web_access import SqlWebAccess
from lofte.web.map_settings import MapSettings
from lofte.web.operations_settings import Operations, OperationsSettings
from lofte.web.session import COOKIE
from lofte.workflow.application.sign_in import digest
from lofte.workflow.drivers.simulation import Simulation
from tests.conftest import packaged
from tests.harness import Harness, make_harness, utc
from tests.web.browser import launch, need_browser
from tests.web.support import web_app
from tests.web.test_browser import assert_accessible

pytestmark = pytest.mark.slow
SESSIONS = itertools.count()
PERIOD = "?fran=2027-01-04&till=2027-01-31"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Harness, Any]]:
    """(base address, harness, browser): the app served with its own image as every tile.
    (Without JavaScript is tested by refusing the page's scripts: with JavaScript off in the
    browser, axe could not run.)"""
    need_browser()
    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    folder: Path = tmp_path_factory.mktemp("map-browser")
    h = make_harness(f"sqlite:///{folder}/lofte.db", utc(2027, 1, 1), packaged())
    Simulation(h.app(), h.clock, response_rate=0.85, seed=7).run_until(utc(2027, 2, 2, 12))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    tiles = MapSettings(
        f"{base}/static/leaflet/images/layers.png?{{z}}/{{x}}/{{y}}", "Testplattor", ""
    )
    app = web_app(h, operations=Operations(OperationsSettings(map=tiles)))
    server = make_server("127.0.0.1", port, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield base, h, browser
        browser.close()
    server.shutdown()
    h.close()


def tab(site: tuple[str, Harness, Any], person: str, script: bool = True) -> Any:
    base, h, browser = site
    context = browser.new_context(locale="sv-SE")
    if not script:  # no script of the page's runs (axe, injected by the test, still can)
        context.route("**/*.js", lambda route: route.abort())
    session = f"browser-session-{person}-{next(SESSIONS)}"
    SqlWebAccess(h.store.engine).add_session(digest(session), person, h.clock.now())
    context.add_cookies([{"name": COOKIE, "value": session, "url": base}])
    page = context.new_page()
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    page.refused = refused
    return page


def marker_counts(page: Any) -> list[int]:
    texts = page.eval_on_selector_all(".leaflet-marker-icon", "ms => ms.map(m => m.textContent)")
    return [int(t) for t in texts]


@pytest.mark.parametrize(
    ("person", "unit", "places"),
    [("lars-berg", "sala", 15), ("peter-nord", "lpo-norra-vastmanland", 75)],
)
def test_the_map_shows_the_places_with_their_counts_and_the_filter_redraws_it(
    site: tuple[str, Harness, Any], person: str, unit: str, places: int
) -> None:
    base = site[0]
    page = tab(site, person)
    page.goto(f"{base}/enhet/{unit}/lagesbild{PERIOD}")
    page.wait_for_selector(".leaflet-marker-icon")
    page.wait_for_selector(".leaflet-tile-loaded")
    assert page.locator("#karta").is_visible()
    counts = marker_counts(page)
    plotted = page.eval_on_selector_all(
        "svg.place-plot circle title", "ts => ts.map(t => t.textContent)"
    )
    assert len(plotted) == places
    in_plot = sum(int(t.rsplit(": ", 1)[1].split()[0]) for t in plotted)
    assert counts and sum(counts) == in_plot > 0
    assert "Testplattor" in page.locator(".leaflet-control-attribution").inner_text()
    assert_accessible(page, "the lägesbild with its map")
    boxes = page.locator("#kategorifilter input[name=kategori]")
    first = boxes.first.get_attribute("value")
    boxes.first.uncheck()
    page.wait_for_timeout(50)  # the redraw is synchronous; let the browser lay it out
    fewer = marker_counts(page)
    assert sum(fewer) < sum(counts), first
    page.locator(".leaflet-marker-icon").first.focus()
    page.keyboard.press("Enter")
    page.wait_for_selector(".leaflet-popup-content")
    assert "iakttagelse" in page.locator(".leaflet-popup-content").inner_text()
    assert_accessible(page, "the map filtered, a popup open")
    assert page.refused == []


@pytest.mark.parametrize("unit", ["sala", "lpo-norra-vastmanland"])
def test_without_javascript_the_places_are_on_the_plot(
    site: tuple[str, Harness, Any], unit: str
) -> None:
    base = site[0]
    page = tab(site, "admin", script=False)
    page.goto(f"{base}/enhet/{unit}/lagesbild{PERIOD}")
    assert not page.locator("#karta").is_visible()
    assert page.locator("svg.place-plot").is_visible()
    assert page.locator("svg.place-plot circle").count() in (15, 75)
    assert_accessible(page, "the lägesbild without JavaScript")
