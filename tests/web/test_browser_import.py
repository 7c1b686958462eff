"""A real browser on the coordinator's import page: a file with a bad row is uploaded, the
preview names the row, the rest is stored with the bad row skipped, and the place page counts
it. axe-core checks every state at 1280 and 320 px.

In CI (`CI=true`) a missing browser fails the run; elsewhere the test is skipped."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from lofte.cli.main import main as lofte
from tests.web.test_browser import (  # noqa: F401 (fixtures)
    assert_accessible,
    page,
    served,
    sign_in_link,
)

pytestmark = pytest.mark.slow
DATA = Path(__file__).parents[1] / "data" / "imports"


def test_an_export_is_previewed_then_stored_without_its_bad_rows(
    served: tuple[str, Path],  # noqa: F811
    page: Any,  # noqa: F811
) -> None:
    base, mail = served
    page.goto(base + "/logga-in")
    page.fill("#epost", "lars.berg@sala.example.se")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Kontrollera din e-post")
    assert lofte(["outbox", "send"]) == 0
    page.goto(sign_in_link(mail, base))
    page.click("button.primary")
    page.goto(base + "/enhet/sala/platser")
    page.click("text=Läs in iakttagelser från en fil")
    assert_accessible(page, "the import page")
    page.set_input_files("#fil", str(DATA / "bad-rows.csv"))
    page.click("button:has-text('Förhandsgranska')")
    page.wait_for_selector("text=Förhandsgranskning")
    assert "rad 4, kolumn ”Datum”" in page.content()
    assert_accessible(page, "a preview with bad rows")
    page.check("#hoppa_over")
    page.click("button:has-text('Spara 2 nya iakttagelser')")
    page.wait_for_selector("text=2 nya iakttagelser sparades")
    assert_accessible(page, "stored")
    page.goto(base + "/enhet/sala/platser?fran=2026-11-01&till=2026-12-31")
    row = page.locator("tr", has_text="Sala resecentrum")
    assert row.locator("td").nth(4).inner_text() == "1"
