"""A person who left is signed out at once: their session no longer opens their pages, and a
sign-in link asked for with their address signs nobody in."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from lofte.workflow.core.people import remove_person
from tests.harness import Harness, utc
from tests.web.support import web_app
from tests.web.test_sign_in_and_tasks import TOVE, ask, links, signed_in


@pytest.fixture
def web(sqlite_harness: Harness) -> Iterator[tuple[Harness, Flask]]:
    h = sqlite_harness
    h.run_until(utc(2027, 1, 4, 9))
    yield h, web_app(h, base_url="https://lofte.example.se")


def test_a_removed_person_is_signed_out_and_gets_no_link(web: tuple[Harness, Flask]) -> None:
    h, app = web
    client = signed_in(h, app)
    assert client.get("/uppgifter").status_code == 200
    h.engine.act("administrator", lambda work: remove_person(work, "tove-lind"))
    assert client.get("/uppgifter").status_code == 302  # the session counts for nobody
    before = len(links(h, "tove-lind"))
    ask(app.test_client(), TOVE)
    assert len(links(h, "tove-lind")) == before
