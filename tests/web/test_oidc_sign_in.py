"""Sign-in through an identity provider (OpenID Connect) against a real provider on loopback
(`oidc-provider` on Node, tests/oidc/): Flask's test client is Löfte's side, and the provider's
pages are followed over HTTP as a browser follows them. A person of the organisation lands on
"Mina uppgifter" with their roles; an unknown account, an unverified address, a tampered ID
token, a foreign or replayed state and an unreachable provider are each refused with a page that
says what to do; sessions end when idle, at their absolute limit and at sign-out, and a sign-in
always gives a new session id. With LOFTE_SIGN_IN=oidc no sign-in link is sent or honoured,
while answer links in emails still work without a sign-in."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from lofte.kernel.errors import ProviderUnavailable, SignInRefused
from lofte.web.oidc import OidcClient, Pending
from lofte.web.session import COOKIE
from lofte.web.sign_in_settings import OidcProvider, SignInSettings
from lofte.workflow.application.sign_in import digest
from tests.harness import Harness, utc
from tests.web.oidc_provider import RealProvider, sign_in_at_provider
from tests.web.support import web_app
from tests.web.test_answer_page import open_request, token_for

BASE = "http://localhost:8000"
TOVE = "tove.lind@raddning.example.se"  # a reporter in Sala and Surahammar
ALVA = "alva.admin@sala.example.se"  # the administrator
CALLBACK = "/logga-in/oidc/test/svar"


@pytest.fixture
def provider(oidc_provider: RealProvider) -> OidcProvider:
    return oidc_provider.client(BASE)


def make_app(h: Harness, provider: OidcProvider, link: bool = True) -> Flask:
    return web_app(h, base_url=BASE, sign_in=SignInSettings(link=link, providers=(provider,)))


@pytest.fixture
def web(sqlite_harness: Harness, provider: OidcProvider) -> Iterator[tuple[Harness, Flask]]:
    h = sqlite_harness
    h.run_until(utc(2027, 1, 4, 9))
    yield h, make_app(h, provider)


def answer_from_provider(client: FlaskClient, login: str, key: str = "test") -> str:
    """Start a sign-in at Löfte with provider `key` and sign in at the provider as `login`;
    Löfte's callback path with the provider's answer (not yet opened)."""
    started = client.get(f"/logga-in/oidc/{key}")
    assert started.status_code == 303
    back = sign_in_at_provider(started.headers["Location"], login, BASE)
    return back.removeprefix(BASE)


def sign_in_as(client: FlaskClient, login: str) -> TestResponse:
    return client.get(answer_from_provider(client, login))


def session_cookie(client: FlaskClient) -> str | None:
    cookie = client.get_cookie(COOKIE)
    return None if cookie is None else cookie.value


def csrf_of(client: FlaskClient, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    return page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


def test_a_person_signs_in_through_the_provider_and_sees_their_tasks(
    web: tuple[Harness, Flask],
) -> None:
    _h, app = web
    client = app.test_client()
    start = client.get("/logga-in").get_data(as_text=True)
    assert "Logga in med Testkommunen" in start and 'name="epost"' in start  # both ways
    authorize = client.get("/logga-in/oidc/test").headers["Location"]
    query = parse_qs(urlsplit(authorize).query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"][0]
    assert query["state"][0] and query["nonce"][0] and query["response_type"] == ["code"]

    done = client.get(sign_in_at_provider(authorize, TOVE.upper(), BASE).removeprefix(BASE))
    assert done.status_code == 303 and done.headers["Location"] == "/uppgifter"
    cookie = done.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    page = client.get("/uppgifter").get_data(as_text=True)
    assert "Mina uppgifter" in page and "EST-inventering" in page  # Tove's role in Sala
    assert client.get("/admin").status_code == 403  # roles come from the organisation


def test_the_sign_in_is_recorded_for_the_person_without_the_address(
    web: tuple[Harness, Flask],
) -> None:
    h, app = web
    sign_in_as(app.test_client(), TOVE)
    with h.store.engine.connect() as c:
        rows = c.exec_driver_sql(
            "SELECT person_id, address_hash, used_at, method FROM sign_ins"
        ).all()
    assert [(r[0], r[2] is not None, r[3]) for r in rows] == [("tove-lind", True, "oidc:test")]
    assert TOVE not in str(rows) and rows[0][1] != digest(TOVE)
    assert "eyJ" not in str(rows)  # no JSON web token either


def test_an_account_that_is_no_person_is_refused_with_a_page_that_says_whom_to_ask(
    web: tuple[Harness, Flask],
) -> None:
    _h, app = web
    client = app.test_client()
    refused = sign_in_as(client, "okand.person@sala.example.se")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 403
    assert "Kontot finns inte i Löfte" in page and "okand.person@sala.example.se" in page
    assert "samordnaren för din kommun" in page
    assert session_cookie(client) is None
    assert client.get("/uppgifter").headers["Location"] == "/logga-in"


def test_an_address_the_provider_has_not_verified_is_refused(web: tuple[Harness, Flask]) -> None:
    _h, app = web
    client = app.test_client()
    refused = sign_in_as(client, f"unverified.{TOVE}")
    assert refused.status_code == 403
    assert "inte bekräftat din e-postadress" in refused.get_data(as_text=True)
    assert session_cookie(client) is None


def test_a_tampered_id_token_is_refused(
    web: tuple[Harness, Flask], oidc_provider: RealProvider
) -> None:
    _h, app = web
    client = app.test_client()
    oidc_provider.tamper(ALVA)  # the provider's answer claims the administrator's address
    try:
        refused = sign_in_as(client, "okand.person@sala.example.se")
    finally:
        oidc_provider.tamper("")
    assert refused.status_code == 400
    assert "kunde inte godtas" in refused.get_data(as_text=True)
    assert session_cookie(client) is None
    assert client.get("/admin").status_code == 302


def test_an_answer_with_another_state_or_used_twice_or_from_another_browser_is_refused(
    web: tuple[Harness, Flask],
) -> None:
    _h, app = web
    client = app.test_client()
    back = answer_from_provider(client, TOVE)
    forged = back.replace("state=", "state=x")
    assert client.get(forged).status_code == 400
    assert client.get(back).status_code == 400  # the forged try used the started sign-in up
    assert session_cookie(client) is None

    back = answer_from_provider(client, TOVE)
    other = app.test_client()  # never started a sign-in: the answer is not for it
    page = other.get(back)
    assert page.status_code == 400 and "började inte i den här webbläsaren" in page.get_data(
        as_text=True
    )
    assert client.get(back).status_code == 303
    assert client.get(back).status_code == 400  # used once


def test_a_sign_in_gets_a_new_session_id_and_ends_the_one_the_browser_had(
    web: tuple[Harness, Flask],
) -> None:
    _h, app = web
    client = app.test_client()
    sign_in_as(client, TOVE)
    first = session_cookie(client)
    assert first
    sign_in_as(client, TOVE)
    second = session_cookie(client)
    assert second and second != first
    old = app.test_client()
    old.set_cookie(COOKIE, first)
    assert old.get("/uppgifter").status_code == 302  # the old id no longer signs anyone in

    planted = app.test_client()
    planted.set_cookie(COOKIE, "chosen-by-an-attacker")
    sign_in_as(planted, TOVE)
    assert session_cookie(planted) not in (None, "chosen-by-an-attacker")


def test_a_session_ends_after_30_idle_minutes_and_after_10_hours(
    web: tuple[Harness, Flask],
) -> None:
    h, app = web
    client = app.test_client()
    sign_in_as(client, TOVE)
    h.clock.advance(timedelta(minutes=29))
    assert client.get("/uppgifter").status_code == 200
    h.clock.advance(timedelta(minutes=31))
    assert client.get("/uppgifter").headers["Location"] == "/logga-in"

    sign_in_as(client, TOVE)
    for _ in range(29):  # active every 20 minutes: 9 h 40 min
        h.clock.advance(timedelta(minutes=20))
        assert client.get("/uppgifter").status_code == 200
    h.clock.advance(timedelta(minutes=21))  # 10 h 1 min after sign-in
    assert client.get("/uppgifter").headers["Location"] == "/logga-in"


def test_the_session_limits_follow_the_settings(
    sqlite_harness: Harness, provider: OidcProvider
) -> None:
    h = sqlite_harness
    h.run_until(utc(2027, 1, 4, 9))
    settings = SignInSettings(
        providers=(provider,), idle=timedelta(minutes=5), absolute=timedelta(hours=1)
    )
    client = web_app(h, base_url=BASE, sign_in=settings).test_client()
    assert "Max-Age=3600" in sign_in_as(client, TOVE).headers["Set-Cookie"]
    h.clock.advance(timedelta(minutes=6))
    assert client.get("/uppgifter").status_code == 302


def test_sign_out_ends_the_session_on_the_server(web: tuple[Harness, Flask]) -> None:
    _h, app = web
    client = app.test_client()
    sign_in_as(client, TOVE)
    kept = session_cookie(client)
    assert kept
    out = client.post("/logga-ut", data={"csrf_token": csrf_of(client, "/uppgifter")})
    assert "Du är utloggad" in out.get_data(as_text=True)
    replay = app.test_client()
    replay.set_cookie(COOKIE, kept)  # the cookie a browser (or a thief) kept
    assert replay.get("/uppgifter").headers["Location"] == "/logga-in"


def test_with_oidc_only_no_link_is_sent_or_honoured_but_answer_links_work(
    sqlite_harness: Harness, provider: OidcProvider
) -> None:
    h = sqlite_harness
    h.run_until(utc(2027, 1, 4, 9))
    app = make_app(h, provider, link=False)
    client = app.test_client()
    page = client.get("/logga-in").get_data(as_text=True)
    assert "Logga in med Testkommunen" in page and 'name="epost"' not in page
    answer_link = f"/svar/{token_for(h, open_request(h))}"
    token = csrf_of(client, answer_link)  # the sign-in page has no form left to take it from
    sent = client.post("/logga-in", data={"csrf_token": token, "epost": TOVE})
    assert sent.status_code == 404 and h.outbox("sign_in", "tove-lind") == []
    assert client.get("/logga-in/" + "a" * 43).status_code == 404

    answer = app.test_client().get(answer_link)  # no sign-in needed
    assert answer.status_code == 200 and "Rapportera veckans iakttagelser" in answer.get_data(
        as_text=True
    )
    assert sign_in_as(client, TOVE).status_code == 303


def test_an_unreachable_provider_is_a_clear_page_not_an_error(sqlite_harness: Harness) -> None:
    from tests.cli.test_web_operations import free_port

    h = sqlite_harness
    h.run_until(utc(2027, 1, 4, 9))
    closed = OidcProvider("test", "Polisen", f"http://127.0.0.1:{free_port()}", "id", "secret")
    client = make_app(h, closed).test_client()
    page = client.get("/logga-in/oidc/test")
    assert page.status_code == 503
    assert "Polisen gick inte att nå" in page.get_data(as_text=True)
    assert client.get("/logga-in/oidc/okand").status_code == 404


def test_the_id_token_is_checked_against_the_providers_keys_nonce_audience_and_time(
    oidc_provider: RealProvider, provider: OidcProvider
) -> None:
    """A real ID token from the provider, then altered: each change is refused."""
    client = OidcClient(provider)
    url, pending = client.begin(f"{BASE}{CALLBACK}")
    back = sign_in_at_provider(url, TOVE, BASE)
    code = parse_qs(urlsplit(back).query)["code"][0]
    id_token = str(client.exchange(f"{BASE}{CALLBACK}", pending, code)["id_token"])
    assert client.validate(id_token, pending.nonce)["email"] == TOVE

    header, payload, signature = id_token.split(".")
    other_signature = ("A" if signature[0] != "A" else "B") + signature[1:]
    forged = [
        f"{header}.{payload[:-4]}AAAA.{signature}",  # another payload, same signature
        f"{header}.{payload}.{other_signature}",  # another signature
        f"{header}.{payload}.",  # no signature
    ]
    for token in forged:
        with pytest.raises(SignInRefused) as refused:
            client.validate(token, pending.nonce)
        assert refused.value.reason == "token"
    with pytest.raises(SignInRefused):
        client.validate(id_token, "another-nonce")
    stranger = OidcClient(oidc_provider.client(BASE))  # another client: not its audience
    with pytest.raises(SignInRefused):
        stranger.validate(id_token, pending.nonce)

    late = OidcClient(provider, wall=Tomorrow())
    with pytest.raises(SignInRefused):
        late.validate(id_token, pending.nonce)  # expired


class Tomorrow:
    """A real clock a day ahead: the provider's tokens have expired by then."""

    def now(self) -> datetime:
        return datetime.now(UTC) + timedelta(days=1)


def test_no_code_state_token_or_address_reaches_a_log_line(
    web: tuple[Harness, Flask], caplog: pytest.LogCaptureFixture
) -> None:
    _h, app = web
    caplog.set_level(logging.DEBUG)
    client = app.test_client()
    back = answer_from_provider(client, TOVE)
    query = parse_qs(urlsplit(back).query)
    assert client.get(back).status_code == 303
    sign_in_as(app.test_client(), "okand.person@sala.example.se")
    # Löfte's and Authlib's log lines (urllib3's are mostly the test's own browser at the provider)
    logged = "\n".join(
        r.getMessage() for r in caplog.records if r.name.startswith(("lofte", "authlib"))
    )
    assert "signed in through provider test" in logged and "refused (unknown)" in logged
    for secret in (query["code"][0], query["state"][0], "eyJ", TOVE, "okand.person"):
        assert secret not in logged


def test_an_address_only_userinfo_gives_signs_in_after_the_id_token_is_checked(
    web: tuple[Harness, Flask], oidc_provider: RealProvider, provider: OidcProvider
) -> None:
    _h, app = web
    client = app.test_client()
    oidc_provider.email_in_userinfo_only(True)
    try:
        done = sign_in_as(client, TOVE)
        direct = OidcClient(provider)
        url, pending = direct.begin(f"{BASE}{CALLBACK}")
        code = parse_qs(urlsplit(sign_in_at_provider(url, TOVE, BASE)).query)["code"][0]
        token = direct.exchange(f"{BASE}{CALLBACK}", pending, code)
    finally:
        oidc_provider.email_in_userinfo_only(False)
    assert "email" not in direct.validate(str(token["id_token"]), pending.nonce)
    assert done.status_code == 303 and client.get("/uppgifter").status_code == 200
    with pytest.raises(SignInRefused):  # UserInfo about someone else is refused
        direct.userinfo(token["access_token"], "someone.else@sala.example.se")


def test_several_providers_each_sign_in_and_an_answer_cannot_cross_to_another(
    sqlite_harness: Harness, oidc_provider: RealProvider
) -> None:
    h = sqlite_harness
    h.run_until(utc(2027, 1, 4, 9))
    sala = oidc_provider.client(BASE, "sala", name="Sala kommun")
    police = oidc_provider.client(BASE, "polisen", name="Polisen")
    app = web_app(h, base_url=BASE, sign_in=SignInSettings(providers=(sala, police)))
    client = app.test_client()
    page = client.get("/logga-in").get_data(as_text=True)
    assert "Logga in med Sala kommun" in page and "Logga in med Polisen" in page

    back = answer_from_provider(client, "nils.aberg@polisen.example.se", "polisen")
    crossed = client.get(back.replace("/oidc/polisen/", "/oidc/sala/"))
    assert crossed.status_code == 400 and session_cookie(client) is None

    back = answer_from_provider(client, "nils.aberg@polisen.example.se", "polisen")
    assert client.get(back).headers["Location"] == "/uppgifter"
    client.post("/logga-ut", data={"csrf_token": csrf_of(client, "/uppgifter")})
    back = answer_from_provider(client, "karin.ek@sala.example.se", "sala")
    assert client.get(back).headers["Location"] == "/uppgifter"
    with h.store.engine.connect() as c:
        methods = c.exec_driver_sql("SELECT person_id, method FROM sign_ins ORDER BY created_at")
        assert ("karin-ek", "oidc:sala") in list(methods)


def test_a_code_is_exchanged_once_and_only_with_its_pkce_verifier(
    oidc_provider: RealProvider, provider: OidcProvider
) -> None:
    client = OidcClient(provider)
    redirect = f"{BASE}{CALLBACK}"

    def code_for(pending_url: str) -> str:
        return parse_qs(urlsplit(sign_in_at_provider(pending_url, TOVE, BASE)).query)["code"][0]

    url, pending = client.begin(redirect)
    code = code_for(url)
    wrong = Pending(pending.state, pending.nonce, "x" * 64)
    with pytest.raises(SignInRefused) as refused:
        client.exchange(redirect, wrong, code)  # someone who caught the code, without the verifier
    assert refused.value.reason == "provider"

    url, pending = client.begin(redirect)
    code = code_for(url)
    assert client.finish(redirect, pending, code)["email"] == TOVE
    with pytest.raises(SignInRefused):
        client.finish(redirect, pending, code)  # used


def test_a_provider_that_never_answers_is_given_up_on_not_waited_for() -> None:
    with socket.socket() as silent:  # accepts connections, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        issuer = f"http://127.0.0.1:{silent.getsockname()[1]}"
        client = OidcClient(OidcProvider("test", "Polisen", issuer, "id", "hemlig"), timeout=0.5)
        with pytest.raises(ProviderUnavailable):
            client.begin(f"{BASE}{CALLBACK}")
