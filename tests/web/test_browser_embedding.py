"""A real browser (Debian's Chromium) frames Löfte's public page from other sites on loopback:
the site named in LOFTE_EMBED_ORIGINS shows it, another site (another port: another origin)
gets nothing, and even the allowed site cannot frame a page that is not public.

In CI (`CI=true`) a missing browser fails the run; elsewhere the test is skipped."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pytest
from werkzeug.serving import BaseWSGIServer, make_server

from lofte.web.operations_settings import Operations, from_environment
from tests.harness import Harness, utc
from tests.web.browser import launch, need_browser
from tests.web.support import web_app

pytestmark = pytest.mark.slow
Wsgi = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def embedding_site(lofte: list[str]) -> Wsgi:
    """A municipality's page: `/ram?sida=PATH` frames Löfte's PATH (Löfte's address is put in
    `lofte[0]` once it is known)."""

    def site(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("QUERY_STRING", "").removeprefix("sida=")
        body = (
            '<!doctype html><html lang="sv"><title>Kommunens webbplats</title>'
            f'<iframe id="lofte" title="Löfte" src="{lofte[0]}{path}"></iframe></html>'
        )
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [body.encode()]

    return site


def serve(app: Wsgi) -> BaseWSGIServer:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def sites(sqlite_harness: Harness) -> Iterator[tuple[str, str]]:
    """(the allowed site's address, another site's address), both framing Löfte's pages."""
    need_browser()
    h = sqlite_harness
    h.run_until(utc(2027, 1, 4, 9))
    lofte_base: list[str] = [""]
    allowed = serve(embedding_site(lofte_base))
    other = serve(embedding_site(lofte_base))
    origin = f"http://127.0.0.1:{allowed.server_port}"
    settings = from_environment({"LOFTE_EMBED_ORIGINS": origin})
    lofte = serve(web_app(h, operations=Operations(settings)))  # type: ignore[arg-type]
    lofte_base[0] = f"http://127.0.0.1:{lofte.server_port}"
    yield origin, f"http://127.0.0.1:{other.server_port}"
    for server in (lofte, allowed, other):
        server.shutdown()


def framed_heading(page: Any, site: str, path: str) -> str | None:
    """The heading Löfte's page shows inside the site's frame; None if the browser refused to
    show it there."""
    page.goto(f"{site}/ram?sida={path}")
    frame = page.frame_locator("#lofte")
    if page.frames[1].url.startswith("chrome-error:"):
        return None
    heading: str = frame.locator("h1").first.inner_text(timeout=5000)
    return heading


def test_only_the_allowed_site_can_frame_the_public_page(sites: tuple[str, str]) -> None:
    from playwright.sync_api import sync_playwright

    allowed, other = sites
    with sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page(locale="sv-SE")
        refusals: list[str] = []
        page.on("console", lambda message: refusals.append(message.text))
        assert framed_heading(page, allowed, "/publikt/sala") == "Medborgarlöftet i Sala kommun"
        assert refusals == []
        assert framed_heading(page, other, "/publikt/sala") is None
        assert any("frame-ancestors" in text for text in refusals), refusals
        assert framed_heading(page, allowed, "/logga-in") is None  # not a public page
        assert framed_heading(page, allowed, "/publikt/") is not None
        browser.close()
