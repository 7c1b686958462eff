"""A real browser on the inventory form's new fields and the place page: a reporter picks the
time as a part of the day and writes a place the register does not know ("annan plats"); the
coordinator maps it onto a place of the register from the place page, and the place is counted
there. axe-core checks every state at 1280 and 320 px.

In CI (`CI=true`) a missing browser fails the run; elsewhere the test is skipped."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from lofte.cli.main import main as lofte
from tests.web.test_browser import (  # noqa: F401 (fixtures)
    answer_link,
    assert_accessible,
    page,
    served,
    sign_in_link,
)

pytestmark = pytest.mark.slow


def test_an_other_place_is_reported_and_the_coordinator_maps_it_onto_the_register(
    served: tuple[str, Path],  # noqa: F811
    page: Any,  # noqa: F811
) -> None:
    base, mail = served
    page.goto(answer_link(mail, base, "EST-inventering v. 1 2027, Sala"))
    assert page.locator("datalist#platslista option").count() == 15
    assert page.locator("#iakttagelser-0-plats").get_attribute("list") == "platslista"
    page.locator("#iakttagelser-0-kategori input[value='klotter']").check()
    page.locator("#iakttagelser-0-plats").focus()
    page.keyboard.type("Bakom Folkets hus")
    page.fill("#iakttagelser-0-datum", "2027-01-04")
    page.fill("#iakttagelser-0-klockslag", "09:30")
    page.locator("#iakttagelser-0-dygnsdel input[value='kvall']").check()
    page.locator("#iakttagelser-0-beskrivning").focus()
    page.keyboard.type("Taggar på elskåpet.")
    page.locator("button.primary").click()
    page.wait_for_selector("#felsammanfattning")
    assert "klockslaget 09:30 är inte kväll" in page.content()
    assert_accessible(page, "a time that disagrees with the part of the day")
    page.fill("#iakttagelser-0-klockslag", "")
    page.locator("button.primary").click()
    page.wait_for_selector("text=Tack – svaret är registrerat")

    page.goto(base + "/logga-in")
    page.fill("#epost", "lars.berg@sala.example.se")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Kontrollera din e-post")
    assert lofte(["outbox", "send"]) == 0
    page.goto(sign_in_link(mail, base))
    page.click("button.primary")
    page.goto(base + "/enhet/sala/platser?fran=2027-01-01&till=2027-01-10")
    assert page.locator("h3", has_text="Bakom Folkets hus").count() == 1
    assert_accessible(page, "the place page with an other place")
    page.locator("summary").first.click()
    assert_accessible(page, "the form for a new place, opened")
    page.select_option("#plats-1", "stora-torget")
    page.click("button:has-text('Koppla')")
    page.wait_for_selector("text=Platsen är kopplad")
    row = page.locator("tr", has_text="Stora torget")
    assert "Bakom Folkets hus" in row.inner_text() and row.locator("td").nth(4).inner_text() == "1"
    assert "Ingen annan plats under perioden" in page.content()
    assert_accessible(page, "the place page after mapping")
    page.goto(base + "/enhet/sala/lagesbild?fran=2027-01-01&till=2027-01-10")
    assert "Utan känd tid på dygnet (räknas inte ovan): 0" in page.content()
    assert_accessible(page, "the lägesbild with places and parts of the day")
