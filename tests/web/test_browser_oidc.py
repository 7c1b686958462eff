"""Sign-in through the identity provider in a real browser (Debian's Chromium): the sign-in page
shows the provider's button, the provider's own page asks for the account, and the browser comes
back signed in to "Mina uppgifter"; signing out ends the session; an account that is no person
gets the page that says whom to ask. axe-core checks the pages Löfte shows on the way. The
provider is the real one of `tests.web.oidc_provider` (Node's `oidc-provider`).

In CI (`CI=true`) a missing browser or provider fails the run; elsewhere the test is skipped."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lofte.web.session import COOKIE
from lofte.web.sign_in_settings import SignInSettings
from tests.cli.test_web_operations import free_port
from tests.web.browser import need_browser, week_opened
from tests.web.oidc_provider import RealProvider
from tests.web.test_browser import assert_accessible, page  # noqa: F401 (a fixture)

pytestmark = pytest.mark.slow
TOVE = "tove.lind@raddning.example.se"


@pytest.fixture
def served_oidc(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, oidc_provider: RealProvider
) -> Iterator[str]:
    """An initialised database with this week's requests, served on loopback by a Löfte whose
    only way in is the test provider. Yields the base address."""
    need_browser()
    from werkzeug.serving import make_server

    from lofte.storage.web_access import SqlWebAccess
    from lofte.web.factory import create_app

    wired = week_opened(tmp_path, monkeypatch)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    settings = SignInSettings(link=False, providers=(oidc_provider.client(base),))
    app = create_app(wired.app, SqlWebAccess(wired.store.engine), base_url=base, sign_in=settings)
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base
    server.shutdown()
    wired.close()


def provider_sign_in(page: Any, base: str, login: str) -> None:  # noqa: F811
    page.goto(f"{base}/logga-in")
    page.click("text=Logga in med Testkommunen")
    page.wait_for_selector("text=Testleverantörens inloggning")
    page.fill("#login", login)
    page.click("text=Fortsätt")


def test_sign_in_through_the_provider_in_a_real_browser_and_sign_out(
    served_oidc: str,
    page: Any,  # noqa: F811
) -> None:
    base = served_oidc
    page.goto(f"{base}/logga-in")
    assert page.locator("#epost").count() == 0  # links are off
    assert_accessible(page, "sign-in page with a provider")

    provider_sign_in(page, base, TOVE)
    page.wait_for_selector("h1:has-text('Mina uppgifter')")
    assert page.url == f"{base}/uppgifter"
    cookie = next(c for c in page.context.cookies() if c["name"] == COOKIE)
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    assert_accessible(page, "my tasks after the provider's sign-in")

    page.click("text=Logga ut")
    page.wait_for_selector("h1:has-text('Du är utloggad')")
    page.context.add_cookies([{**cookie}])  # the old session id, kept: it no longer works
    page.goto(f"{base}/uppgifter")
    assert page.url == f"{base}/logga-in"


def test_an_account_that_is_no_person_is_told_whom_to_ask_in_a_real_browser(
    served_oidc: str,
    page: Any,  # noqa: F811
) -> None:
    provider_sign_in(page, served_oidc, "okand.person@sala.example.se")
    page.wait_for_selector("h1:has-text('Kontot finns inte i Löfte')")
    assert "samordnaren för din kommun" in page.content()
    assert_accessible(page, "an unknown account refused")
