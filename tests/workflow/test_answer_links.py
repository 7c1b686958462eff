"""Answer links are trusted only as far as their signature goes: a link made for another request,
another expiry or with another secret is refused; a configured LOFTE_SECRET_KEY is the one that
counts, when links are made and when they are opened; a link is good up to and including its
expiry second, and pasted as a whole address too."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from lofte.cli.wiring import connect
from lofte.kernel.errors import InvalidToken
from lofte.workflow.application.answer_links import (
    installation_secret,
    make_token,
    open_link,
    read_token,
    submit_with_token,
)
from lofte.workflow.application.app import Application
from lofte.workflow.core.records import InputRequest, RequestStatus
from tests.harness import Harness, utc

SECRET = "a secret of the installation"
EXPIRES = datetime(2027, 1, 7, 11, 0, tzinfo=UTC)  # 12:00 Stockholm
BEFORE = EXPIRES - timedelta(days=2)


def signed(payload: str, secret: str = SECRET) -> str:
    """A token over any payload, signed as the documented scheme signs (HMAC-SHA256 over
    `lofte-answer:<payload>`, URL-safe base64 without padding): what someone holding the
    secret could make."""
    digest = hmac.new(secret.encode(), f"lofte-answer:{payload}".encode(), hashlib.sha256)
    return f"{payload}.{base64.urlsafe_b64encode(digest.digest()).decode().rstrip('=')}"


def refusal(token: str, secret: str = SECRET, now: datetime = BEFORE) -> InvalidToken:
    with pytest.raises(InvalidToken) as refused:
        read_token(token, secret, now)
    return refused.value


def test_a_link_names_its_request_until_it_expires() -> None:
    token = make_token(42, EXPIRES, SECRET)
    assert token == signed(f"42.{int(EXPIRES.timestamp())}")
    assert read_token(token, SECRET, BEFORE) == 42


def test_a_link_is_good_up_to_and_including_its_expiry_second() -> None:
    token = make_token(42, EXPIRES, SECRET)
    assert read_token(token, SECRET, EXPIRES) == 42
    late = refusal(token, now=EXPIRES + timedelta(seconds=1))
    assert late.reason == "expired"
    assert str(late) == (
        "länken gick ut tors 7 jan 2027 kl. 12.00; kontakta samordnaren om svaret behövs"
    )


def test_an_expiry_is_kept_to_the_second_whatever_zone_it_was_given_in() -> None:
    stockholm_noon = EXPIRES.astimezone(ZoneInfo("Europe/Stockholm"))
    token = make_token(42, stockholm_noon, SECRET)
    assert token == make_token(42, EXPIRES, SECRET)
    assert read_token(token, SECRET, EXPIRES) == 42


def test_a_signature_made_for_another_request_is_refused() -> None:
    token = make_token(42, EXPIRES, SECRET)
    _, expiry, signature = token.split(".")
    refused = refusal(f"43.{expiry}.{signature}")
    assert (refused.reason, str(refused)) == (
        "forged",
        "länken är inte giltig (signaturen stämmer inte)",
    )


def test_a_signature_made_for_another_expiry_is_refused() -> None:
    token = make_token(42, EXPIRES, SECRET)
    request, _, signature = token.split(".")
    later = int((EXPIRES + timedelta(days=30)).timestamp())
    assert refusal(f"{request}.{later}.{signature}").reason == "forged"


def test_a_link_signed_with_another_secret_is_refused() -> None:
    token = make_token(42, EXPIRES, "another installation")
    assert refusal(token).reason == "forged"
    # the signature covers the purpose: a bare HMAC of the payload is not an answer link
    payload = f"42.{int(EXPIRES.timestamp())}"
    bare = hmac.new(SECRET.encode(), payload.encode(), hashlib.sha256).digest()
    assert refusal(f"{payload}.{base64.urlsafe_b64encode(bare).decode().rstrip('=')}").reason == (
        "forged"
    )


@pytest.mark.parametrize(
    "pasted",
    [
        "https://lofte.example.se/svar/{token}",
        "  http://localhost:8000/svar/{token}\n",
        "/svar/{token}",
        "{token} ",
    ],
)
def test_a_whole_address_or_a_token_with_spaces_is_read(pasted: str) -> None:
    token = make_token(42, EXPIRES, SECRET)
    assert read_token(pasted.format(token=token), SECRET, BEFORE) == 42


@pytest.mark.parametrize(
    "token",
    [
        "",
        "42",
        "42.1799999999",
        "42.1799999999.sig.extra",
        "x42.1799999999.sig",
        "-42.1799999999.sig",
        "42.-1799999999.sig",
        "42.17999 99999.sig",
        "4" * 200,
    ],
)
def test_a_token_of_the_wrong_shape_is_refused_before_its_signature_is_checked(
    token: str,
) -> None:
    refused = refusal(token)
    assert (refused.reason, str(refused)) == (
        "forged",
        "länken är inte giltig (den är ofullständig eller ändrad)",
    )


@pytest.mark.parametrize(
    "payload",
    [
        "\u0664\u0662.1799999999",  # Arabic-Indic digits: int() reads them as 42
        "42.\u0661\u0667\u0669\u0669\u0669\u0669\u0669\u0669\u0669\u0669",
        "1234567890123.1799999999",  # a request id of 13 digits
        "42.1234567890123",  # an expiry of 13 digits
    ],
)
def test_a_signed_token_the_engine_would_never_write_is_refused(payload: str) -> None:
    assert refusal(signed(payload)).reason == "forged"


def test_the_longest_ids_the_engine_writes_are_read() -> None:
    assert read_token(signed("999999999999.1799999999"), SECRET, BEFORE) == 999999999999
    assert read_token(signed("42.253402300799"), SECRET, BEFORE) == 42  # 9999-12-31


def test_a_token_over_200_characters_is_refused_as_malformed() -> None:
    token = make_token(42, EXPIRES, SECRET)
    at_limit = refusal(token + "A" * (200 - len(token)))
    assert str(at_limit) == "länken är inte giltig (signaturen stämmer inte)"
    over = refusal(token + "A" * (201 - len(token)))
    assert str(over) == "länken är inte giltig (den är ofullständig eller ändrad)"


def test_a_non_ascii_signature_is_refused_as_malformed() -> None:
    token = make_token(42, EXPIRES, SECRET)
    refused = refusal(token[:-1] + "å")
    assert str(refused) == "länken är inte giltig (den är ofullständig eller ändrad)"


def test_a_configured_secret_wins_over_the_stored_one_which_is_made_once(
    memory_harness: Harness,
) -> None:
    with memory_harness.store.unit_of_work() as uow:
        stored = installation_secret(uow.settings)
        assert installation_secret(uow.settings) == stored
        assert installation_secret(uow.settings, None) == stored
        assert installation_secret(uow.settings, "") == stored
        assert installation_secret(uow.settings, "configured") == "configured"
    with memory_harness.store.unit_of_work() as uow:
        assert installation_secret(uow.settings) == stored
    assert len(stored) >= 40


# Through the engine: what a person's link opens ------------------------------------------------


@pytest.fixture
def opened(memory_harness: Harness) -> Harness:
    memory_harness.run_until(utc(2027, 1, 4, 9))  # this week's inventory is open
    return memory_harness


def inventory_request(h: Harness, person: str = "tove-lind") -> InputRequest:
    return h.request(h.cycle("est-inventering", "sala", "2027-W01"), "rapportering", person)


def app_of(h: Harness, configured: str | None = None) -> Application:
    return h.app(configured)


def stored_secret(h: Harness) -> str:
    with h.store.unit_of_work() as uow:
        return installation_secret(uow.settings)


def test_an_open_link_names_its_request_and_cycle(opened: Harness) -> None:
    request = inventory_request(opened)
    token = make_token(
        request.id or 0, opened.clock.now() + timedelta(days=3), stored_secret(opened)
    )
    found, cycle = open_link(app_of(opened), token)
    assert (found.id, found.person_id, cycle.id) == (request.id, "tove-lind", request.instance_id)


def test_a_configured_secret_key_is_the_one_links_are_opened_with(opened: Harness) -> None:
    request = inventory_request(opened)
    until = opened.clock.now() + timedelta(days=3)
    configured = app_of(opened, "LOFTE_SECRET_KEY of two installations")
    found, _ = open_link(
        configured, make_token(request.id or 0, until, "LOFTE_SECRET_KEY of two installations")
    )
    assert found.id == request.id
    with pytest.raises(InvalidToken) as refused:
        open_link(configured, make_token(request.id or 0, until, stored_secret(opened)))
    assert refused.value.reason == "forged"
    with pytest.raises(InvalidToken):
        open_link(
            app_of(opened),
            make_token(request.id or 0, until, "LOFTE_SECRET_KEY of two installations"),
        )


def test_a_signed_link_to_a_request_that_does_not_exist_is_refused(opened: Harness) -> None:
    token = make_token(10**9, opened.clock.now() + timedelta(days=3), stored_secret(opened))
    with pytest.raises(InvalidToken) as refused:
        open_link(app_of(opened), token)
    assert (refused.value.reason, str(refused.value)) == (
        "forged",
        "länken är inte giltig (förfrågan finns inte)",
    )


def test_an_answer_through_a_link_is_the_requests_person_and_closes_with_its_step(
    opened: Harness,
) -> None:
    h = opened
    request = inventory_request(h)
    token = make_token(request.id or 0, h.clock.now() + timedelta(days=30), stored_secret(h))
    answered = submit_with_token(app_of(h), token, {"inget_att_rapportera": True})
    assert answered.status is RequestStatus.ANSWERED and answered.person_id == "tove-lind"
    open_link(app_of(h), token)  # the answer can be changed while the step is open
    h.run_until(utc(2027, 1, 8, 12))  # the step has closed
    with pytest.raises(InvalidToken) as used:
        open_link(app_of(h), token)
    assert (used.value.reason, str(used.value)) == (
        "used",
        "svaret är redan registrerat och steget är avslutat",
    )


def test_a_link_whose_step_closed_without_an_answer_is_closed(opened: Harness) -> None:
    h = opened
    request = inventory_request(h)
    token = make_token(request.id or 0, h.clock.now() + timedelta(days=30), stored_secret(h))
    h.run_until(utc(2027, 1, 8, 12))
    assert inventory_request(h).status is RequestStatus.MISSING
    with pytest.raises(InvalidToken) as closed:
        open_link(app_of(h), token)
    assert (closed.value.reason, str(closed.value)) == (
        "closed",
        "steget är avslutat; svar tas inte längre emot",
    )


def test_lofte_secret_key_reaches_the_links_of_mails_and_pages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path}/lofte.db"
    monkeypatch.setenv("LOFTE_SECRET_KEY", "shared by two installations")
    wired = connect(url, create=True, need_setup=False)
    try:
        assert wired.app.configured_secret == "shared by two installations"
        assert wired.dispatcher(mail_dir=tmp_path / "mail").configured_secret == (
            "shared by two installations"
        )
    finally:
        wired.close()
    monkeypatch.setenv("LOFTE_SECRET_KEY", "")
    wired = connect(url, need_setup=False)
    try:
        assert wired.app.configured_secret is None  # an empty key is no key
    finally:
        wired.close()
