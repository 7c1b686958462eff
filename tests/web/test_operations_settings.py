"""The operations settings: a bad value stops `lofte web` at start with a Swedish message that
names the setting; LOFTE_EMBED_ORIGINS lets only the public pages be framed, by those origins
alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from lofte.cli.main import main
from lofte.kernel.errors import ConfigError
from lofte.web.operations_settings import Operations, from_environment
from tests.harness import Harness, utc
from tests.web.support import web_app


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("LOFTE_METRICS_FROM", "prometheus.sala.se"),
        ("LOFTE_METRICS_FROM", "10.0.0.300"),
        ("LOFTE_METRICS_FROM", "10.0.0.0/33"),
        ("LOFTE_METRICS_TOKEN", "kort"),
        ("LOFTE_METRICS_TOKEN", "å" * 40),
        ("LOFTE_EMBED_ORIGINS", "*"),
        ("LOFTE_EMBED_ORIGINS", "www.sala.se"),
        ("LOFTE_EMBED_ORIGINS", "http://www.sala.se"),
        ("LOFTE_EMBED_ORIGINS", "https://www.sala.se/publikt"),
        ("LOFTE_EMBED_ORIGINS", "https://www.sala.se?x=1"),
        ("LOFTE_EMBED_ORIGINS", "https://user@www.sala.se"),
        ("LOFTE_EMBED_ORIGINS", "https://www.sala.se:99999"),
        ("LOFTE_EMBED_ORIGINS", "https://*.sala.se"),
        ("LOFTE_EMBED_ORIGINS", "https://sala.se; script-src *"),
    ],
)
def test_a_bad_setting_is_refused_with_a_message_that_names_it(setting: str, value: str) -> None:
    with pytest.raises(ConfigError, match=f"^{setting}: "):
        from_environment({setting: value})


def test_good_settings_are_read_and_origins_normalised() -> None:
    settings = from_environment(
        {
            "LOFTE_METRICS_FROM": "127.0.0.1 ::1,10.0.0.0/8",
            "LOFTE_METRICS_TOKEN": " " + "x" * 32 + " ",
            "LOFTE_EMBED_ORIGINS": "https://WWW.Sala.se/, https://www.sala.se:443 "
            "https://kommun.example:8443 http://127.0.0.1:8123",
        }
    )
    assert [str(n) for n in settings.metrics_from] == ["127.0.0.1/32", "::1/128", "10.0.0.0/8"]
    assert settings.metrics_token == "x" * 32
    assert settings.embed_origins == (
        "https://www.sala.se",
        "https://kommun.example:8443",
        "http://127.0.0.1:8123",
    )
    assert from_environment({}) == Operations().settings  # nothing set: nobody, nothing


def test_lofte_web_stops_at_start_on_a_bad_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LOFTE_EMBED_ORIGINS", "https://www.sala.se/sida")
    database = f"sqlite:///{tmp_path}/finns-inte.db"
    assert main(["web", "--database", database, "--port", "1"]) == 1
    error = capsys.readouterr().err
    assert "LOFTE_EMBED_ORIGINS: 'https://www.sala.se/sida' är inget ursprung" in error
    monkeypatch.delenv("LOFTE_EMBED_ORIGINS")
    monkeypatch.setenv("LOFTE_LOG_FORMAT", "xml")
    assert main(["web", "--database", database]) == 1
    assert "LOFTE_LOG_FORMAT='xml': välj text (standard) eller json" in capsys.readouterr().err


def test_only_the_public_pages_may_be_framed_and_only_by_the_given_origins(
    sqlite_harness: Harness,
) -> None:
    h = sqlite_harness
    h.run_until(utc(2027, 1, 4, 9))
    origins = "https://www.sala.se https://www.heby.se"
    settings = from_environment({"LOFTE_EMBED_ORIGINS": origins})
    embedding = web_app(h, operations=Operations(settings)).test_client()
    closed = web_app(h).test_client()
    public = ["/publikt/", "/publikt/sala", "/publikt/sala/flode.atom", "/publikt/finns-inte"]
    for path in public:
        response = embedding.get(path)
        policy = response.headers["Content-Security-Policy"]
        assert policy.endswith("frame-ancestors https://www.sala.se https://www.heby.se"), path
        assert "X-Frame-Options" not in response.headers, path
        assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy
    others = ["/", "/logga-in", "/svar/x", "/uppgifter", "/healthz", "/tillganglighet", "/nej"]
    for client, path in [(embedding, p) for p in others] + [(closed, p) for p in public + others]:
        response = client.get(path)
        assert response.headers["Content-Security-Policy"].endswith("frame-ancestors 'none'")
        assert response.headers["X-Frame-Options"] == "DENY", path
