"""The production server (`lofte web`: gunicorn, waitress on Windows) on a loopback port:
after `lofte init` and one pass of `lofte run`, `/readyz` is ready, Prometheus can scrape
`/metrics` with the token (and not without it from an address not listed), the public pages
may be framed by the configured origin, and with LOFTE_LOG_FORMAT=json every log line is JSON
with the request's id. Time is a clock file that stands still, so the heartbeat's age is exact."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from email.message import Message
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

pytestmark = pytest.mark.slow
CLOCK = "2027-01-04T08:00:00+00:00"  # Monday 09:00 in Stockholm: the week's cycles open
TOKEN = "prometheus-" + "7" * 40
TIMEOUT = 120


def lofte(folder: Path, *argv: str, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "lofte.cli.main", *argv],
        env=dict(
            os.environ,
            LOFTE_CLOCK_FILE=str(folder / "klocka"),
            LOFTE_DATABASE_URL=f"sqlite:///{folder}/lofte.db",
            LOFTE_MAIL_DIR=str(folder / "post"),
            PYTHONUNBUFFERED="1",
            **env,
        ),
        text=True,
        cwd=folder,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def done(process: subprocess.Popen[str]) -> None:
    _, err = process.communicate(timeout=TIMEOUT)
    assert process.returncode == 0, err


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get(url: str, **headers: str) -> tuple[int, Message, str]:
    """Status, headers (names in any case) and body."""
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    (tmp_path / "klocka").write_text(CLOCK)
    done(lofte(tmp_path, "init"))
    done(lofte(tmp_path, "run", "--exit-when-idle"))  # fires the openings; writes a heartbeat
    port = free_port()
    web = lofte(
        tmp_path,
        "web",
        "--port",
        str(port),
        LOFTE_METRICS_FROM="10.0.0.1",
        LOFTE_METRICS_TOKEN=TOKEN,
        LOFTE_EMBED_ORIGINS="https://www.sala.se",
        LOFTE_LOG_FORMAT="json",
    )
    assert web.stdout is not None
    started = web.stdout.readline()  # printed once the socket listens
    assert "visar webbsidorna" in started, started + (web.stderr.read() if web.stderr else "")
    yield f"http://127.0.0.1:{port}", web
    if web.poll() is None:
        web.kill()
        web.communicate(timeout=TIMEOUT)


def test_the_production_server_answers_operations(
    server: tuple[str, subprocess.Popen[str]],
) -> None:
    base, web = server
    health_and_readiness(base)
    scrape(base)
    framing(base)
    _, headers, _ = get(f"{base}/publikt/", **{"X-Request-ID": "prometheus-scrape-42"})
    assert headers["X-Request-ID"] == "prometheus-scrape-42"
    web.send_signal(signal.SIGTERM)  # as a service manager stops it
    _, err = web.communicate(timeout=TIMEOUT)
    assert web.returncode == 0, err
    lines = [json.loads(line) for line in err.splitlines()]  # every line is JSON
    requests = [line for line in lines if line["logger"] == "lofte.web.requests"]
    assert (requests[-1]["route"], requests[-1]["request_id"]) == (
        "/publikt/",
        "prometheus-scrape-42",
    )
    assert all(line["request_id"] for line in requests)
    assert {line["route"] for line in requests} >= {"/healthz", "/readyz", "/metrics"}


def health_and_readiness(base: str) -> None:
    assert get(f"{base}/healthz")[0] == 200
    status, headers, body = get(f"{base}/readyz")
    assert status == 200, body
    assert json.loads(body)["kontroller"]["motor"].startswith("lever: senaste hjärtslag för 0 s")
    assert headers["Cache-Control"] == "no-store"


def scrape(base: str) -> None:
    """Prometheus scrapes with the token; without it, 127.0.0.1 (not listed) is refused."""
    assert get(f"{base}/metrics")[0] == 403
    assert get(f"{base}/metrics", Authorization="Bearer fel")[0] == 403
    started = time.perf_counter()
    status, headers, body = get(f"{base}/metrics", Authorization=f"Bearer {TOKEN}")
    took = time.perf_counter() - started
    assert status == 200 and headers["Content-Type"].startswith("text/plain; version=0.0.4")
    figures = {
        sample.name + str(sample.labels or ""): sample.value
        for family in text_string_to_metric_families(body)
        for sample in family.samples
    }
    assert figures["lofte_engine_heartbeat_age_seconds"] == 0
    assert figures["lofte_cycles_open{'definition': 'est-inventering'}"] == 5
    assert figures["lofte_timers_pending"] > 0 and figures["lofte_timers_overdue"] == 0
    assert figures["lofte_audit_head_sequence"] > 0
    assert figures["lofte_messages_waiting"] == 0  # `lofte run` delivered them
    print(f"scrape through lofte web: {took * 1000:.1f} ms")


def framing(base: str) -> None:
    """The public pages may be framed by the configured origin; the others by nobody."""
    _, public, _ = get(f"{base}/publikt/sala")
    assert public["Content-Security-Policy"].endswith("frame-ancestors https://www.sala.se")
    assert "X-Frame-Options" not in public
    _, start, _ = get(f"{base}/")
    assert start["Content-Security-Policy"].endswith("frame-ancestors 'none'")
    assert start["X-Frame-Options"] == "DENY"


def test_an_address_it_cannot_listen_on_is_said_in_swedish(tmp_path: Path) -> None:
    """A port another program holds, or a host that does not exist: one Swedish line naming
    the address and why, exit code 1, before any server starts (no traceback)."""
    (tmp_path / "klocka").write_text(CLOCK)
    done(lofte(tmp_path, "init"))
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        busy = lofte(tmp_path, "web", "--port", str(port))
        _, err = busy.communicate(timeout=TIMEOUT)
    assert busy.returncode == 1, err
    assert err.strip() == (
        f"lofte: fel: kan inte lyssna på 127.0.0.1:{port}: porten används redan av ett annat "
        "program"
    )
    unknown = lofte(tmp_path, "web", "--host", "ingen-sadan-dator.invalid")
    _, err = unknown.communicate(timeout=TIMEOUT)
    assert unknown.returncode == 1, err
    assert err.strip() == "lofte: fel: okänd värd 'ingen-sadan-dator.invalid'"
