"""The pages mails lead to (a cycle, an action) in a real browser: reached from the links of
real `.eml` files, and passing axe at 1280 and 320 px like every other page."""

from __future__ import annotations

import email
import email.policy
import re
from pathlib import Path
from typing import Any

import pytest

from lofte.cli.main import main as lofte
from tests.web.test_browser import assert_accessible, page, served, sign_in_link

__all__ = ["page", "served"]  # the fixtures, shared with the other browser tests
pytestmark = pytest.mark.slow


def link_in(mail: Path, kind: str, pattern: str) -> str:
    for path in sorted(mail.glob(f"{kind}-*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        body = message.get_body(preferencelist=("plain",))
        assert body is not None
        found = re.search(pattern, body.get_content())
        if found:
            return found.group(0)
    raise AssertionError(f"no {kind} mail with {pattern} in {mail}")


def test_an_action_and_its_cycle_are_reached_from_the_mails_and_pass_axe(
    served: tuple[str, Path], page: Any
) -> None:
    from lofte.cli.wiring import connect

    base, mail = served
    (mail.parent / "clock").write_text("2027-01-08T10:00:00+01:00")  # Friday: compile the week
    assert lofte(["run", "--exit-when-idle"]) == 0
    wired = connect(None)
    request = next(
        r
        for r, c in wired.app.reads.open_requests("lars-berg")
        if r.step_id == "sammanstallning" and c.unit_id == "sala"
    )
    answer = {
        "veckans_bild": "Lugn vecka.",
        "tidiga_insatser": [
            {
                "insats": "Sanera klottret",
                "plats": "Gångtunneln",
                "ansvarig": "maria-holm",
                "klart_senast": "2027-01-20",
            }
        ],
    }
    wired.engine.submit(request.id or 0, "lars-berg", answer)
    wired.close()
    assert lofte(["outbox", "send"]) == 0
    action = link_in(mail, "action_assigned", r"https?://\S+/enhet/sala/atgarder/\d+")
    page.goto(base + "/logga-in")
    page.fill("#epost", "maria.holm@sala.example.se")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Kontrollera din e-post")
    assert lofte(["outbox", "send"]) == 0
    page.goto(sign_in_link(mail, base))
    page.click("button.primary")
    page.goto(re.sub(r"^https?://[^/]+", base, action))
    assert page.locator("h1").inner_text() == "Tidig insats: Sanera klottret"
    assert_accessible(page, "an action")
    page.click("text=EST-inventering v. 1 2027")
    page.wait_for_selector("h1:has-text('EST-inventering v. 1 2027')")
    assert "Veckans sammanställning" in page.content()
    assert_accessible(page, "a cycle")
