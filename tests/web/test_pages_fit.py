"""Every page in a real browser (Debian's Chromium through Playwright) at 1280 and 320 px, on a
database with five simulated weeks of the example police area (a quarterly decision taken and
published, actions, incidents): axe finds nothing (WCAG 2.1 A and AA, one main landmark, unique
landmarks, all content in landmarks); no page scrolls sideways (a wide table scrolls in its own
focusable, named region); data tables use the screen's width and never break a word; chart text
is readable and whole; the yearly report file is a standalone document that fits and prints.

One browser for the module; each person has a tab that is reused from page to page."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from lofte.kernel.timerules import STOCKHOLM
from lofte.storage.read_model import SqlReadModel
from lofte.storage.web_access import SqlWebAccess
from lofte.web.factory import create_app
from lofte.web.session import COOKIE
from lofte.workflow.application.admin_meetings import coming_meetings
from lofte.workflow.application.app import Application
from lofte.workflow.application.lagesbild_view import lagesbild
from lofte.workflow.application.sign_in import SignIn, digest
from lofte.workflow.application.tasks import my_tasks
from lofte.workflow.core.records import OutboxStatus, TimerStatus
from lofte.workflow.drivers.simulation import Simulation
from tests.conftest import packaged
from tests.harness import Harness, make_harness, utc
from tests.web.browser import (
    NARROW,
    READING_COLUMN,
    WIDE,
    at_width,
    axe_violations,
    broken_words,
    chart_text,
    launch,
    need_browser,
    sideways,
)

pytestmark = pytest.mark.slow
LARS, ULLA, ADMIN = "lars-berg", "ulla-revisor", "admin"  # Sala's coordinator, auditor, admin
NOW = utc(2027, 4, 5, 8)  # Monday 10:00: the week's requests are open, Q2's decisions taken
DATA_PAGES = [
    (ULLA, "/revision"),
    (LARS, "/enhet/sala/lagesbild"),
    (LARS, "/enhet/sala/atgarder"),
    (ADMIN, "/admin"),
]


@dataclass
class Site:
    base: str
    h: Harness
    app: Application
    access: SqlWebAccess
    browser: Any
    folder: Path
    tabs: dict[str | None, Any] = field(default_factory=dict)

    def tab(self, person: str | None) -> Any:
        """The browser tab of `person` (signed in), or of nobody."""
        if person not in self.tabs:
            context = self.browser.new_context(locale="sv-SE", accept_downloads=True)
            if person is not None:
                session = f"test-session-{person}"
                self.access.add_session(digest(session), person, self.app.now)
                context.add_cookies([{"name": COOKIE, "value": session, "url": self.base}])
            self.tabs[person] = context.new_page()
        return self.tabs[person]

    def open(self, person: str | None, path: str, width: int = WIDE) -> Any:
        page = self.tab(person)
        at_width(page, width)
        response = page.goto(self.base + path)
        return page, response.status


def simulated_weeks(folder: Path) -> tuple[Harness, Application]:
    """Five weeks of March 2027 with simulated answers, an incident of each kind."""
    h = make_harness(f"sqlite:///{folder}/lofte.db", utc(2027, 2, 28, 12), packaged())
    app = Application(h.engine, SqlReadModel(h.store.engine))
    Simulation(app, h.clock, response_rate=0.85, seed=7).run_until(NOW)
    with h.store.unit_of_work() as uow:
        uow.timers.save(dataclasses.replace(h.timers("pending")[0], status=TimerStatus.FAILED))
        message = h.outbox("input_request")[0]
        uow.outbox.save(dataclasses.replace(message, status=OutboxStatus.FAILED, attempts=9))
    return h, app


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    need_browser()
    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    folder = tmp_path_factory.mktemp("pages")
    h, app = simulated_weeks(folder)
    access = SqlWebAccess(h.store.engine)
    server = make_server("127.0.0.1", 0, create_app(app, access), threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield Site(f"http://127.0.0.1:{server.server_port}", h, app, access, browser, folder)
        browser.close()
    server.shutdown()
    h.close()


def every_page(site: Site) -> list[tuple[str | None, str, int]]:
    """(who, address, status) of every page of the app, error pages included. (Pages in other
    states, such as a form with errors or a receipt, are checked in `test_browser`.)"""
    app = site.app
    SignIn(app, site.access).request_link("tove.lind@raddning.example.se", "test", site.base)
    sign_in_link = str(site.h.outbox("sign_in", "tove-lind")[-1].context["link"])
    meeting = coming_meetings(app)[0]
    meeting_page = f"/admin/moten/{meeting.instance.id}/{meeting.meeting.step_id}"
    answer_page = f"/svar/{my_tasks(app, LARS).open[0].token}"
    cycle = site.h.cycle("inriktningsbeslut", "skinnskatteberg", "2027-Q2")
    return [
        (None, "/", 200),
        (None, "/tillganglighet", 200),
        (None, "/publikt/", 200),
        (None, "/publikt/sala", 200),
        (None, "/logga-in", 200),
        (None, sign_in_link.removeprefix(site.base), 200),
        (None, "/logga-in/redan-anvand", 410),
        (None, "/svar/1.2.forged", 404),
        (None, "/finns-inte", 404),
        (None, "/logga-ut", 405),
        (LARS, "/uppgifter", 200),
        (LARS, answer_page, 200),
        (LARS, "/enhet/sala/lagesbild", 200),
        (LARS, "/enhet/sala/atgarder", 200),
        (LARS, "/enhet/sala/lagesbild?fran=igar", 400),
        (LARS, "/enhet/norberg/lagesbild", 403),
        (ULLA, "/revision", 200),
        (ULLA, f"/revision/cykel/{cycle.id}", 200),
        (ADMIN, "/admin", 200),
        (ADMIN, meeting_page, 200),
        (ADMIN, meeting_page + "/stall-in", 200),
        (ADMIN, "/admin/uppsattning", 200),
        (ADMIN, "/admin/definitioner/est-inventering?enhet=skinnskatteberg", 200),
    ]


def nothing_in(found: list[str]) -> None:
    """Fails with every problem found, one a line (the first 60)."""
    assert not found, f"{len(found)} problems:\n" + "\n".join(found[:60])


def clipped(page: Any) -> list[str]:
    """Elements that hide part of their content behind a scroll bar or an edge."""
    found: list[str] = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
             .filter(el => getComputedStyle(el).overflowX !== 'visible'
                           && el.scrollWidth > el.clientWidth + 1)
             .map(el => el.tagName + ' ' + (el.getAttribute('aria-label') || el.id))"""
    )
    return found


def test_every_page_passes_axe_and_nothing_but_tables_scrolls_sideways_at_320_px(
    site: Site,
) -> None:
    found = []
    for person, path, status in every_page(site):
        for width in (WIDE, NARROW):
            page, got = site.open(person, path, width)
            assert got == status, f"{path} as {person}: {got}"
            found += [f"{path} at {width} px: {v}" for v in axe_violations(page)]
            if width == NARROW:
                found += [f"{path} at {width} px: {s}" for s in sideways(page)]
    nothing_in(found)


def test_data_tables_use_the_screen_and_never_break_a_word(site: Site) -> None:
    found = []
    for person, path in DATA_PAGES:
        page, _ = site.open(person, path, WIDE)
        widths = page.eval_on_selector_all(
            "main table", "ts => ts.map(t => t.getBoundingClientRect().width)"
        )
        assert widths, f"{path} has no table"
        found += [f"{path}: a table {w:.0f} px wide" for w in widths if w <= READING_COLUMN]
        for width in (WIDE, NARROW):
            at_width(page, width)
            found += [f"{path} at {width} px: {word}" for word in broken_words(page)]
    nothing_in(found)


def test_charts_are_readable_at_320_px_and_show_whole_names(site: Site) -> None:
    unit_names = [u.name for u in site.app.directory().units.values()]
    today = site.app.now.astimezone(STOCKHOLM).date()
    picture = lagesbild(site.app, site.app.viewer(LARS), "sala", today - timedelta(27), today)
    categories = [c["sv"] for c in picture["by_category"]]
    assert len(unit_names) == 6 and len(categories) >= 5
    found = []
    for person, path, names in (
        (ULLA, "/revision", unit_names),
        (LARS, "/enhet/sala/lagesbild", categories),
    ):
        for width in (WIDE, NARROW):
            page, _ = site.open(person, path, width)
            problems, shown = chart_text(page)
            found += [f"{path} at {width} px: {p}" for p in problems]
            found += [f"{path} at {width} px: {n} not shown" for n in names if n not in shown]
    nothing_in(found)


def test_the_yearly_report_is_one_document_that_fits_320_px_and_prints(site: Site) -> None:
    page, _ = site.open(LARS, "/uppgifter")
    with page.expect_download() as download:
        page.click("a[href$='/enhet/sala/arsrapport']")
    report = site.folder / "arsrapport.html"
    download.value.save_as(report)
    page.goto(report.as_uri())
    mains = page.evaluate("document.querySelectorAll('main').length")
    found = [] if mains == 1 else [f"{mains} main landmarks"]
    if page.evaluate("document.querySelectorAll('script, link, img').length"):
        found.append("it needs other files (a script, a style sheet or an image)")
    for width in (WIDE, NARROW):
        at_width(page, width)
        found += [f"at {width} px: {v}" for v in axe_violations(page)]
        found += [f"at {width} px: {s}" for s in sideways(page) + chart_text(page)[0]]
    page.emulate_media(media="print")
    at_width(page, 680)  # an A4 page's width inside its margins
    found += [f"printed: {s}" for s in sideways(page) + clipped(page)]
    page.emulate_media(media="screen")
    nothing_in(found)


def test_the_measurements_can_fail(site: Site) -> None:
    """Each check above finds what it is for: words broken in narrow cells, a table scrolling
    in a region without a name, small chart text, a page without its main landmark."""
    page, _ = site.open(ULLA, "/revision", NARROW)
    page.evaluate(
        """() => {
          for (const c of document.querySelectorAll('td, th')) c.style.overflowWrap = 'anywhere';
          for (const t of document.querySelectorAll('table')) t.style.width = '8rem';
        }"""
    )
    assert broken_words(page)
    page.evaluate(
        """() => {
          for (const t of document.querySelectorAll('table')) t.style.width = '40rem';
          document.querySelector('.table-wrap').removeAttribute('aria-labelledby');
          document.querySelector('svg.chart text').setAttribute('font-size', '8');
          document.querySelector('main').setAttribute('role', 'none');
        }"""
    )
    assert sideways(page) == [
        "Cykler per enhet och slag: scrolls in a region without focus, role or name"
    ]
    assert [p for p in chart_text(page)[0] if "8.0 px high" in p]
    assert [v for v in axe_violations(page) if v.startswith("landmark-one-main")]
