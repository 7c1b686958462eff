"""No traceback on the web either: generated addresses, tokens and answer forms (with a valid
CSRF token, so they reach the engine) end in a Swedish page with a 4xx status or a stored
answer; never a 500, and a refused form leaves the request as it was."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from hypothesis import given
from hypothesis import strategies as st

from lofte.storage.read_model import SqlReadModel
from lofte.storage.web_access import SqlWebAccess
from lofte.web.factory import create_app
from lofte.workflow.application.answer_links import installation_secret, make_token
from lofte.workflow.application.app import Application
from lofte.workflow.core.records import InputRequest, RequestStatus
from tests.harness import Harness, utc
from tests.test_fuzz import fuzz

NAMES = [
    "inget_att_rapportera",
    "iakttagelser-count",
    "add_row",
    "remove_row",
    *(
        f"iakttagelser-{i}-{c}"
        for i in (0, 1, 7, 199, 10**9)
        for c in (
            "kategori",
            "plats",
            "omrade",
            "datum",
            "klockslag",
            "beskrivning",
            "bedomning",
            "x",
        )
    ),
]
VALUES = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["", "ja", "nej", "-1", "1e309", "NaN", "2027-02-30T25:61", "9" * 40]),
    st.sampled_from(["iakttagelser", "iakttagelser-0", "iakttagelser-99999999999", "x-1"]),
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Harness, Flask, str]]:
    from tests.conftest import START, packaged
    from tests.harness import make_harness

    url = f"sqlite:///{tmp_path_factory.mktemp('fuzz')}/web.db"
    h = make_harness(url, START, packaged())
    h.run_until(utc(2027, 1, 4, 9))
    app = create_app(
        Application(h.engine, SqlReadModel(h.store.engine)),
        SqlWebAccess(h.store.engine),
        testing=True,
    )
    request = the_request(h)
    with h.store.unit_of_work() as uow:
        secret = installation_secret(uow.settings)
    token = make_token(request.id or 0, h.clock.now() + timedelta(days=30), secret)
    yield h, app, token
    h.close()


def the_request(h: Harness) -> InputRequest:
    return h.request(h.cycle("est-inventering", "sala", "2027-W01"), "rapportering", "tove-lind")


@fuzz(500)
@given(token=st.text(max_size=300))
def test_any_token_gives_a_page_not_a_traceback(
    site: tuple[Harness, Flask, str], token: str
) -> None:
    """A made-up token is never a link: a Swedish 404 page ("Länken är inte giltig", or "Sidan
    finns inte" for an address no route takes), without a form, and nothing is stored."""
    h, app, _ = site
    before = the_request(h)
    response = app.test_client().get("/svar/" + quote(token, safe=""))
    page = response.get_data(as_text=True)
    assert response.status_code == 404, token
    assert "Länken är inte giltig" in page or "Sidan finns inte" in page, token
    assert 'lang="sv"' in page and "csrf_token" not in page
    assert "Traceback" not in page
    after = the_request(h)
    assert (after.status, after.answer_version) == (before.status, before.answer_version)


def expected_answer(form: dict[str, Any]) -> dict[str, Any]:
    """What an accepted form can only have said: no category is among the generated values, so
    no observation row is ever valid, and the one valid answer is "inget att rapportera"."""
    assert form.get("inget_att_rapportera") == "ja", form
    return {"inget_att_rapportera": True}


@fuzz(1500)
@given(form=st.dictionaries(st.sampled_from(NAMES), VALUES, max_size=12))
def test_any_answer_form_gives_a_page_and_a_refusal_stores_nothing(
    site: tuple[Harness, Flask, str], form: dict[str, Any]
) -> None:
    h, app, token = site
    client = app.test_client()
    url = f"/svar/{token}"
    page = client.get(url).get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert csrf
    before = the_request(h)
    response = client.post(url, data={"csrf_token": csrf.group(1), **form})
    body = response.get_data(as_text=True)
    assert response.status_code in (200, 422), (form, response.status_code)
    assert "Traceback" not in body
    after = the_request(h)
    if response.status_code == 422:
        # refused: the form again with its problems, and nothing stored
        assert "csrf_token" in body
        assert (after.status, after.answer_version) == (before.status, before.answer_version)
    elif "Tack – svaret är registrerat" in body:
        # accepted: it was a valid answer, stored as one more version
        assert after.status is RequestStatus.ANSWERED
        assert after.answer_version == before.answer_version + 1
        assert after.answer == expected_answer(form)
    else:
        # a row added or removed: the form again, nothing stored
        assert "add_row" in form or "remove_row" in form, form
        assert (after.status, after.answer_version) == (before.status, before.answer_version)
