"""The usual web fixture: the packaged example on SQLite on Monday 4 January 2027 at 09:00
(this week's requests open), and its web app. A module needing another moment or database
defines its own `web`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from tests.harness import Harness, utc
from tests.web.oidc_provider import RealProvider, start_provider
from tests.web.support import web_app


@pytest.fixture
def web(sqlite_harness: Harness) -> Iterator[tuple[Harness, Flask]]:
    h = sqlite_harness
    h.run_until(utc(2027, 1, 4, 9))
    yield h, web_app(h)


@pytest.fixture(scope="session")
def oidc_provider() -> Iterator[RealProvider]:
    """A real OpenID Connect provider on loopback (`tests.web.oidc_provider`)."""
    yield from start_provider()
