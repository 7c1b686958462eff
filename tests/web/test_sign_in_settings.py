"""The sign-in settings: a bad, missing or stray value stops `lofte web` at start with a Swedish
message that names the setting; good ones give the providers, the ways of signing in and the
session limits, and `lofte web` started with them signs a person in through the provider."""

from __future__ import annotations

import signal
from datetime import timedelta
from pathlib import Path

import pytest
import requests

from lofte.cli.main import main
from lofte.kernel.errors import ConfigError
from lofte.web.sign_in_settings import SignInSettings, from_environment
from tests.cli.test_web_operations import CLOCK, TIMEOUT, done, free_port, lofte
from tests.web.oidc_provider import RealProvider, sign_in_at_provider

SALA = {
    "LOFTE_OIDC_PROVIDERS": "sala",
    "LOFTE_OIDC_SALA_ISSUER": "https://login.sala.example.se/",
    "LOFTE_OIDC_SALA_CLIENT_ID": "lofte",
    "LOFTE_OIDC_SALA_CLIENT_SECRET": "hemlig",
}


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"LOFTE_SIGN_IN": "lösenord"}, "LOFTE_SIGN_IN: "),
        ({"LOFTE_SIGN_IN": "link"}, "LOFTE_SIGN_IN=link men LOFTE_OIDC_PROVIDERS"),
        ({"LOFTE_OIDC_PROVIDERS": "Sala"}, "LOFTE_OIDC_PROVIDERS: 'Sala'"),
        ({"LOFTE_OIDC_PROVIDERS": "sala,sala"}, "LOFTE_OIDC_PROVIDERS: samma"),
        ({"LOFTE_OIDC_POLISEN_ISSUER": "https://x.se"}, "LOFTE_OIDC_POLISEN_ISSUER: leverantören"),
        ({"LOFTE_OIDC_SALA_ISUER": "https://x.se"}, "LOFTE_OIDC_SALA_ISUER: okänd inställning"),
        ({"LOFTE_OIDC_SALA_ISSUER": ""}, "LOFTE_OIDC_SALA_ISSUER saknas"),
        ({"LOFTE_OIDC_SALA_ISSUER": "http://login.sala.se"}, "LOFTE_OIDC_SALA_ISSUER: "),
        ({"LOFTE_OIDC_SALA_ISSUER": "https://x.se/?a=1"}, "LOFTE_OIDC_SALA_ISSUER: "),
        ({"LOFTE_OIDC_SALA_CLIENT_ID": ""}, "LOFTE_OIDC_SALA_CLIENT_ID saknas"),
        ({"LOFTE_OIDC_SALA_CLIENT_SECRET": ""}, "LOFTE_OIDC_SALA_CLIENT_SECRET saknas"),
        (
            {
                "LOFTE_OIDC_SALA_CLIENT_SECRET": "",
                "LOFTE_OIDC_SALA_CLIENT_SECRET_FILE": "/finns/inte",
            },
            "LOFTE_OIDC_SALA_CLIENT_SECRET_FILE: kan inte läsa /finns/inte",
        ),
        ({"LOFTE_OIDC_SALA_CLIENT_SECRET_FILE": "/x"}, "LOFTE_OIDC_SALA_CLIENT_SECRET och"),
        ({"LOFTE_OIDC_SALA_CLAIM": "e-post"}, "LOFTE_OIDC_SALA_CLAIM: "),
        ({"LOFTE_SESSION_IDLE_MINUTES": "0"}, "LOFTE_SESSION_IDLE_MINUTES: "),
        ({"LOFTE_SESSION_MAX_HOURS": "tio"}, "LOFTE_SESSION_MAX_HOURS: "),
        ({"LOFTE_SESSION_IDLE_MINUTES": "180", "LOFTE_SESSION_MAX_HOURS": "2"}, "LOFTE_SESSION"),
    ],
)
def test_a_bad_setting_is_refused_with_a_message_that_names_it(
    changes: dict[str, str], named: str
) -> None:
    with pytest.raises(ConfigError) as refused:
        from_environment({**SALA, **changes})
    assert str(refused.value).startswith(named), str(refused.value)


def test_oidc_without_providers_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"^LOFTE_SIGN_IN=oidc kräver minst en leverantör"):
        from_environment({"LOFTE_SIGN_IN": "oidc"})


def test_the_settings_give_providers_ways_and_limits(tmp_path: Path) -> None:
    assert from_environment({}) == SignInSettings()  # links only, 30 min and 10 h
    assert SignInSettings().idle == timedelta(minutes=30)
    assert SignInSettings().absolute == timedelta(hours=10)
    secret = tmp_path / "hemlighet"
    secret.write_text("från-fil\n")
    settings = from_environment(
        {
            **SALA,
            "LOFTE_OIDC_PROVIDERS": "sala, polisen",
            "LOFTE_OIDC_SALA_NAME": "Sala kommun",
            "LOFTE_OIDC_POLISEN_ISSUER": "https://login.polisen.example.se",
            "LOFTE_OIDC_POLISEN_CLIENT_ID": "lofte-polis",
            "LOFTE_OIDC_POLISEN_CLIENT_SECRET_FILE": str(secret),
            "LOFTE_OIDC_POLISEN_CLAIM": "preferred_username",
            "LOFTE_SIGN_IN": "oidc",
            "LOFTE_SESSION_IDLE_MINUTES": "15",
            "LOFTE_SESSION_MAX_HOURS": "8",
        }
    )
    sala, polisen = settings.providers
    assert (sala.name, sala.issuer, sala.claim) == (
        "Sala kommun",
        "https://login.sala.example.se",
        "email",
    )
    assert (polisen.name, polisen.client_secret, polisen.claim) == (
        "polisen",
        "från-fil",
        "preferred_username",
    )
    assert "hemlig" not in repr(settings)  # secrets stay out of logs and tracebacks
    assert not settings.link and settings.idle == timedelta(minutes=15)
    assert settings.absolute == timedelta(hours=8)
    assert from_environment(SALA).link  # providers and links by default


def test_lofte_web_stops_at_start_on_a_bad_sign_in_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LOFTE_OIDC_PROVIDERS", "sala")
    monkeypatch.setenv("LOFTE_OIDC_SALA_ISSUER", "https://login.sala.example.se")
    database = f"sqlite:///{tmp_path}/finns-inte.db"
    assert main(["web", "--database", database, "--port", "1"]) == 1
    error = capsys.readouterr().err
    assert "LOFTE_OIDC_SALA_CLIENT_ID saknas" in error and "Traceback" not in error
    monkeypatch.setenv("LOFTE_OIDC_HEBY_ISSUER", "https://login.heby.example.se")
    assert main(["web", "--database", database]) == 1
    assert "LOFTE_OIDC_HEBY_ISSUER: leverantören 'heby' finns inte" in capsys.readouterr().err


@pytest.mark.slow
def test_lofte_web_signs_in_through_the_providers_of_its_settings(
    tmp_path: Path, oidc_provider: RealProvider
) -> None:
    """`lofte web` itself, configured only by the environment, against the real provider."""
    (tmp_path / "klocka").write_text(CLOCK)
    done(lofte(tmp_path, "init"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    sala = oidc_provider.client(base, "sala")
    (tmp_path / "hemlighet").write_text(sala.client_secret + "\n")
    web = lofte(
        tmp_path,
        "web",
        "--port",
        str(port),
        LOFTE_BASE_URL=base,
        LOFTE_SIGN_IN="oidc",
        LOFTE_OIDC_PROVIDERS="sala",
        LOFTE_OIDC_SALA_ISSUER=sala.issuer,
        LOFTE_OIDC_SALA_CLIENT_ID=sala.client_id,
        LOFTE_OIDC_SALA_CLIENT_SECRET_FILE=str(tmp_path / "hemlighet"),
        LOFTE_OIDC_SALA_NAME="Sala kommun",
    )
    try:
        assert web.stdout is not None
        assert "visar webbsidorna" in web.stdout.readline()
        browser = requests.Session()
        page = browser.get(f"{base}/logga-in", timeout=10).text
        assert "Logga in med Sala kommun" in page and 'name="epost"' not in page
        started = browser.get(f"{base}/logga-in/oidc/sala", allow_redirects=False, timeout=10)
        back = sign_in_at_provider(started.headers["Location"], "lars.berg@sala.example.se", base)
        browser.get(back, timeout=10)
        tasks = browser.get(f"{base}/uppgifter", allow_redirects=False, timeout=10)
        assert tasks.status_code == 200 and "Mina uppgifter" in tasks.text
    finally:
        web.send_signal(signal.SIGTERM)
        web.communicate(timeout=TIMEOUT)
