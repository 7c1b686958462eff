"""What an action targets and its numbers, in a real browser (Debian's Chromium through
Playwright), each page through axe at 1280 and 320 px: the compile form with its category
checkboxes (ticked with the keyboard), LOLG's form choosing commitments in force grouped per
municipality, the action register with the baseline and latest count, and an action's page
with its weekly counts.

In CI (`CI=true`) a missing browser fails the run; elsewhere the test is skipped."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from lofte.storage.read_model import SqlReadModel
from lofte.storage.web_access import SqlWebAccess
from lofte.web.factory import create_app
from lofte.workflow.application.app import Application
from tests.harness import Harness, utc
from tests.web.browser import launch, need_browser
from tests.web.test_answer_page import token_for
from tests.web.test_browser import assert_accessible
from tests.web.test_browser_promise import tab  # a page, signed in as a person if named
from tests.workflow.test_est_inventering import observation
from tests.workflow.test_lolg_commitments import commitment

pytestmark = pytest.mark.slow


@pytest.fixture
def served(sqlite_harness: Harness) -> Iterator[tuple[str, Harness, Any]]:
    need_browser()
    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    h = sqlite_harness
    h.run_until(utc(2027, 1, 4, 9))
    week = h.cycle("est-inventering", "sala", "2027-W01")
    seen = [observation(kategori="klotter"), observation(kategori="klotter", plats="Torget")]
    h.answer(week, "rapportering", "tove-lind", {"iakttagelser": seen})
    commitment(h, "sala", "Sanera klottret på torget", 0)
    h.run_until(utc(2027, 1, 7, 15))
    app = create_app(
        Application(h.engine, SqlReadModel(h.store.engine)), SqlWebAccess(h.store.engine)
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    with sync_playwright() as p:
        browser = launch(p)
        yield f"http://127.0.0.1:{server.server_port}", h, browser
        browser.close()
    server.shutdown()


def test_an_intervention_targets_categories_and_its_numbers_show(
    served: tuple[str, Harness, Any],
) -> None:
    base, h, browser = served
    week = h.cycle("est-inventering", "sala", "2027-W01")
    page = tab(browser, base, h)
    page.goto(f"{base}/svar/{token_for(h, h.request(week, 'sammanstallning', 'lars-berg'))}")
    assert_accessible(page, "the compile form with category checkboxes")
    page.fill("#veckans_bild", "Klotter på torget.")
    page.fill("#tidiga_insatser-0-insats", "Sanera busskuren")
    page.fill("#tidiga_insatser-0-plats", "Stortorget")
    box = page.locator("input[name='tidiga_insatser-0-malkategorier'][value='klotter']")
    box.focus()
    page.keyboard.press("Space")  # ticked with the keyboard
    assert box.is_checked()
    page.select_option("#tidiga_insatser-0-ansvarig", "maria-holm")
    page.fill("#tidiga_insatser-0-klart_senast", "2027-01-20")
    page.get_by_role("button", name="Skicka svaret").click()
    assert page.get_by_text("Tack – svaret är registrerat").is_visible()
    page.context.close()

    [action] = [a for a in h.actions("sala") if a.kind == "tidig_insats"]
    assert action.categories == ("klotter",)
    h.run_until(utc(2027, 1, 15, 9))
    page = tab(browser, base, h, "lars-berg")
    page.goto(f"{base}/enhet/sala/atgarder")
    assert page.get_by_text("2 iakttagelser de 12 veckorna före beslutet").first.is_visible()
    assert_accessible(page, "the action register with its numbers")
    page.goto(f"{base}/enhet/sala/atgarder/{action.id}")
    assert page.get_by_role("heading", name="Iakttagelser per vecka").is_visible()
    assert_accessible(page, "an action's page with its weekly counts")
    page.context.close()


def test_lolg_chooses_the_commitments_it_works_on_from_a_grouped_list(
    served: tuple[str, Harness, Any],
) -> None:
    base, h, browser = served
    h.run_until(utc(2027, 1, 6, 8))
    cycle = h.cycle("operativ-inriktning", "lpo-norra-vastmanland", "2027-W01")
    page = tab(browser, base, h)
    page.goto(f"{base}/svar/{token_for(h, h.request(cycle, 'beslut', 'peter-nord'))}")
    chooser = page.locator("#kommunernas_ataganden-0-atagande")
    assert chooser.locator("optgroup[label='Sala kommun'] option").count() == 1
    assert_accessible(page, "LOLG's form with the commitments in force")
    page.context.close()
