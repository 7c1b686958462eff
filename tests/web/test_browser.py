"""A real browser (Debian's Chromium through Playwright) on the real server: the answer link is
taken from a real `.eml` file, the form is answered with the keyboard, the receipt is read,
the answer changed, and axe-core checks WCAG 2.1 A and AA and the landmark rules on every page
in each state, at 1280 and at 320 px (where only a table may scroll sideways, in its region).

In CI (`CI=true`) a missing browser fails the run; elsewhere the test is skipped."""

from __future__ import annotations

import email
import email.policy
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lofte.cli.main import main as lofte
from tests.web.browser import (
    NARROW,
    WIDE,
    at_width,
    axe_violations,
    launch,
    need_browser,
    sideways,
    week_opened,
)

pytestmark = pytest.mark.slow


@pytest.fixture
def served(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, Path]]:
    """An initialised database with a week of requests sent as .eml files, and the web app
    served over HTTP on loopback. Yields (base address, mail folder)."""
    need_browser()
    from werkzeug.serving import make_server

    from lofte.storage.web_access import SqlWebAccess
    from lofte.web.factory import create_app

    wired = week_opened(tmp_path, monkeypatch)

    access = SqlWebAccess(wired.store.engine)
    server = make_server("127.0.0.1", 0, create_app(wired.app, access), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", tmp_path / "mail"
    server.shutdown()
    wired.close()


def answer_link(mail: Path, base: str, subject: str) -> str:
    """The "Lämna ditt svar" link of the first input request whose subject starts so."""
    for path in sorted(mail.glob("input_request-*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if not str(message["Subject"]).startswith(subject):
            continue
        for part in message.walk():
            if part.get_content_type() == "text/plain":
                text = part.get_payload(decode=True).decode()  # type: ignore[union-attr]
                found = re.search(r"https?://\S+/svar/\S+", text)
                assert found, f"no answer link in {path.name}"
                return re.sub(r"^https?://[^/]+", base, found.group(0))
    raise AssertionError(f"no input request {subject!r} in {mail}")


@pytest.fixture
def page() -> Iterator[Any]:
    need_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch(p)
        yield browser.new_page(locale="sv-SE")
        browser.close()


def assert_accessible(page: Any, state: str) -> None:
    assert axe_violations(page) == [], f"axe on {page.url} ({state}) at {WIDE} px"
    at_width(page, NARROW)
    assert axe_violations(page) + sideways(page) == [], f"{page.url} ({state}) at {NARROW} px"
    at_width(page, WIDE)


def test_answer_from_a_real_email_with_the_keyboard_and_change_it(
    served: tuple[str, Path], page: Any
) -> None:
    base, mail = served
    link = answer_link(mail, base, "EST-inventering v. 1 2027, Sala")
    page.goto(link)
    assert page.locator("h1").inner_text() == "Rapportera veckans iakttagelser"
    assert_accessible(page, "empty form")

    page.locator("button.primary").focus()
    page.keyboard.press("Enter")  # nothing filled in: errors
    page.wait_for_selector("#felsammanfattning")
    assert page.evaluate("document.activeElement.id") == "felsammanfattning"
    assert_accessible(page, "form with errors")

    page.locator("#iakttagelser-0-kategori input").first.focus()
    page.keyboard.press("Space")
    page.locator("#iakttagelser-0-plats").focus()
    page.keyboard.type("Stora torget")
    page.locator("#iakttagelser-0-omrade").focus()
    page.keyboard.type("Centrum")
    page.fill("#iakttagelser-0-datum", "2027-01-04")
    page.fill("#iakttagelser-0-klockslag", "22:00")
    page.locator("#iakttagelser-0-beskrivning").focus()
    page.keyboard.type("Klotter på busskuren.")
    page.locator("#iakttagelser-0-bedomning input").nth(1).focus()
    page.keyboard.press("Space")
    assert_accessible(page, "filled form")
    page.locator("button.primary").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Tack – svaret är registrerat")
    assert "Stora torget" in page.content()
    assert_accessible(page, "receipt")

    page.click("text=ändra svaret")
    page.fill("#iakttagelser-0-plats", "Järnvägsstationen")
    page.locator("button.primary").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Tack – svaret är registrerat")
    assert "Järnvägsstationen" in page.content()


def sign_in_link(mail: Path, base: str) -> str:
    for path in sorted(mail.glob("sign_in-*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        body = message.get_body(preferencelist=("plain",))
        assert body is not None
        found = re.search(r"https?://\S+/logga-in/\S+", body.get_content())
        assert found, f"no sign-in link in {path.name}"
        return re.sub(r"^https?://[^/]+", base, found.group(0))
    raise AssertionError(f"no sign-in message in {mail}")


def test_sign_in_by_a_link_from_a_real_email_and_see_my_tasks(
    served: tuple[str, Path], page: Any
) -> None:
    base, mail = served
    page.goto(base + "/logga-in")
    assert_accessible(page, "sign-in form")
    page.locator("#epost").focus()
    page.keyboard.type("tove.lind@raddning.example.se")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Kontrollera din e-post")
    assert_accessible(page, "sign-in sent")
    assert lofte(["outbox", "send"]) == 0  # the delivery job writes the .eml
    page.goto(sign_in_link(mail, base))
    assert_accessible(page, "sign-in confirm")
    page.click("button.primary")
    page.wait_for_selector("h1:has-text('Mina uppgifter')")
    assert "Rapportera veckans iakttagelser" in page.content()
    assert_accessible(page, "my tasks")
    for path in ("/enhet/sala/lagesbild", "/enhet/sala/atgarder"):
        page.goto(base + path)
        assert_accessible(page, path)


def test_the_auditor_signs_in_and_the_dashboard_passes_axe(
    served: tuple[str, Path], page: Any
) -> None:
    base, mail = served
    page.goto(base + "/logga-in")
    page.fill("#epost", "ulla.vik@revision.example.se")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Kontrollera din e-post")
    assert lofte(["outbox", "send"]) == 0
    page.goto(sign_in_link(mail, base))
    page.click("button.primary")
    page.goto(base + "/revision")
    assert page.locator("svg.chart").count() == 1
    assert_accessible(page, "dashboard")
    page.goto(base + "/revision?fran=2027-13-01")
    assert_accessible(page, "dashboard with errors")
    page.click("table a >> nth=0")
    page.wait_for_selector("text=Revisionsloggen")
    assert_accessible(page, "a cycle's audit log")
    with page.expect_download() as download:
        page.goto(base + "/revision")
        page.click("text=Ladda ner tabellen (CSV för Excel)")
    saved = Path(download.value.path())
    assert saved.read_bytes().startswith("\ufeff".encode())


def test_the_administrators_console_passes_axe(
    served: tuple[str, Path], page: Any, tmp_path: Path
) -> None:
    base, mail = served
    fail_one_message()
    page.goto(base + "/logga-in")
    page.fill("#epost", "alva.admin@sala.example.se")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Kontrollera din e-post")
    assert lofte(["outbox", "send"]) == 0
    page.goto(sign_in_link(mail, base))
    page.click("button.primary")
    page.goto(base + "/admin")
    assert "Skicka ny svarslänk" in page.content() and "Skicka alla igen" in page.content()
    assert_accessible(page, "admin console")
    page.click("text=Skicka alla igen")
    page.wait_for_selector("text=E-postincidenterna är köade igen")
    assert_accessible(page, "admin console after a retry")

    page.click("a:has-text('Flytta eller ställ in') >> nth=0")
    page.wait_for_selector("h2:has-text('Flytta mötet')")
    assert_accessible(page, "a meeting")
    page.fill("#datum", "2027-01-02")
    page.click("button:has-text('Flytta mötet')")
    page.wait_for_selector("#felsammanfattning")
    assert "har redan passerat" in page.content()
    assert_accessible(page, "a meeting moved to the past")
    page.click("text=Ställ in mötet …")
    page.wait_for_selector("h1:has-text('Ställa in mötet?')")
    assert_accessible(page, "cancelling a meeting")

    page.goto(base + "/admin/definitioner/est-inventering?enhet=surahammar")
    assert page.locator("svg.diagram").count() == 1
    assert_accessible(page, "a definition and its state diagram")

    broken = tmp_path / "est-mote.yaml"
    broken.write_text("name: est-mote\nsteps: [\n", encoding="utf-8")
    page.goto(base + "/admin/uppsattning")
    assert_accessible(page, "upload form")
    page.set_input_files("#filer", str(broken))
    page.click("text=Kontrollera och läs in")
    page.wait_for_selector("#felsammanfattning")
    assert_accessible(page, "upload with errors")
    from lofte.definitions.loader import PACKAGED_DIR

    changed = tmp_path / "est-inventering.yaml"
    text = (PACKAGED_DIR / "est-inventering.yaml").read_text(encoding="utf-8")
    changed.write_text(
        text.replace("EST-inventering,", "EST-inventering (ny),", 1), encoding="utf-8"
    )
    page.set_input_files("#filer", str(changed))
    page.click("text=Kontrollera och läs in")
    page.wait_for_selector("text=Det här fick en ny version")
    assert_accessible(page, "upload done")


def fail_one_message() -> None:
    """An email incident, so that the console shows its table and buttons."""
    import dataclasses

    from lofte.cli.wiring import connect
    from lofte.workflow.core.records import OutboxStatus

    wired = connect(None)
    message = wired.app.reads.outbox("sent", 1)[0]
    with wired.store.unit_of_work() as uow:
        uow.outbox.save(dataclasses.replace(message, status=OutboxStatus.FAILED, attempts=9))
    wired.close()


def test_every_public_page_and_a_broken_link_pass_axe(served: tuple[str, Path], page: Any) -> None:
    base, _ = served
    for path in (
        "/",
        "/tillganglighet",
        "/svar/1.2.forged",
        "/finns-inte",
        "/publikt/",
        "/publikt/sala",
    ):
        page.goto(base + path)
        assert_accessible(page, path)


def test_axe_can_fail(served: tuple[str, Path], page: Any) -> None:
    """The check is real: a field without its label and a page without a language fail."""
    base, mail = served
    page.goto(answer_link(mail, base, "EST-inventering v. 1 2027, Sala"))
    page.evaluate("document.querySelector('label[for=iakttagelser-0-plats]').remove()")
    page.evaluate("document.documentElement.removeAttribute('lang')")
    assert len(axe_violations(page)) >= 2
