"""An answer link reads what it needs once: the page in one read transaction, an answer POST in
at most two reads and one write, whether the answer is recorded, refused and shown again
with its errors, or changed. Counted on the database (`tests.web.transactions`), with the
setup's cached view forgotten first (the worst case: another process may have changed it)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from lofte.workflow.core.records import RequestStatus
from tests.harness import Harness, utc
from tests.web.support import web_app
from tests.web.test_answer_page import OBSERVATION, csrf, open_request, token_for
from tests.web.transactions import Transactions, counted


@pytest.fixture
def web(sqlite_harness: Harness) -> Iterator[tuple[Harness, Flask, Transactions]]:
    h = sqlite_harness
    h.run_until(utc(2027, 1, 4, 9))  # the week's inventory is open
    with counted(h.store.engine, h.store.close) as transactions:
        yield h, web_app(h, testing=True), transactions


def counted_post(
    h: Harness, client: FlaskClient, url: str, data: dict[str, Any], seen: Transactions
) -> Any:
    form = {"csrf_token": csrf(client.get(url).get_data(as_text=True)), **data}
    h.engine.catalog.forget_view()
    seen.reset()
    return client.post(url, data=form)


def test_the_answer_page_is_one_read(web: tuple[Harness, Flask, Transactions]) -> None:
    h, app, seen = web
    url = f"/svar/{token_for(h, open_request(h))}"
    client = app.test_client()
    client.get(url)
    h.engine.catalog.forget_view()
    seen.reset()
    assert client.get(url).status_code == 200
    assert (seen.reads, seen.writes) == (1, 0), seen.statements


def test_an_answer_is_two_reads_and_one_write_at_most(
    web: tuple[Harness, Flask, Transactions],
) -> None:
    h, app, seen = web
    url = f"/svar/{token_for(h, open_request(h))}"
    client = app.test_client()
    response = counted_post(h, client, url, OBSERVATION, seen)
    assert "Tack – svaret är registrerat" in response.get_data(as_text=True)
    assert seen.reads <= 2 and seen.writes == 1, seen.statements
    changed = dict(OBSERVATION, **{"iakttagelser-0-plats": "Järnvägsstationen"})
    response = counted_post(h, client, url, changed, seen)
    assert "Järnvägsstationen" in response.get_data(as_text=True)
    assert seen.reads <= 2 and seen.writes == 1, seen.statements
    assert open_request(h).answer_version == 2


def test_a_refused_answer_is_two_reads_and_one_write_at_most_and_stores_nothing(
    web: tuple[Harness, Flask, Transactions],
) -> None:
    h, app, seen = web
    url = f"/svar/{token_for(h, open_request(h))}"
    client = app.test_client()
    bad = dict(OBSERVATION, **{"iakttagelser-0-bedomning": "9"})
    response = counted_post(h, client, url, bad, seen)
    assert response.status_code == 422
    assert seen.reads <= 2 and seen.writes <= 1, seen.statements
    added = counted_post(h, client, url, dict(OBSERVATION, add_row="iakttagelser"), seen)
    assert "Rad 2" in added.get_data(as_text=True)
    assert (seen.reads, seen.writes) == (1, 0), seen.statements  # a row added: nothing sent
    assert open_request(h).status is RequestStatus.OPEN
