"""The deployment docs/deploy.md describes, tested: `lofte web --proxies 1` behind Caddy (Debian's
package) terminating TLS with its own local certificate authority, on loopback. A person signs
in through the proxy with the emailed link; every cookie is Secure and HttpOnly, HSTS is sent,
and the link in the mail is the proxy's https address. The service units start real `lofte`
commands, and every setting in the example environment file is one Löfte reads.

Caddy is installed by `.ci/run`; without it the test is skipped locally and fails in CI."""

from __future__ import annotations

import http.cookiejar
import os
import re
import shutil
import ssl
import subprocess
import sys
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

import lofte as package
from lofte.web.session import COOKIE
from tests.cli.test_web_operations import CLOCK, TIMEOUT, done, free_port, lofte

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "docs" / "deploy"
CADDY = shutil.which("caddy")
PERSON = "lars.berg@sala.example.se"  # Sala's coordinator in the packaged organisation


def need_caddy() -> str:
    if CADDY is None:
        if os.environ.get("CI") == "true":
            pytest.fail("caddy is missing: .ci/run installs it from Debian's packages")
        pytest.skip("caddy is not installed (apt-get install caddy)")
    return CADDY


@pytest.fixture
def behind_caddy(tmp_path: Path) -> Iterator[tuple[str, ssl.SSLContext, Path]]:
    caddy = need_caddy()
    (tmp_path / "klocka").write_text(CLOCK)
    app_port, https_port, http_port = free_port(), free_port(), free_port()
    base = f"https://localhost:{https_port}"
    done(lofte(tmp_path, "init"))
    web = lofte(tmp_path, "web", "--port", str(app_port), "--proxies", "1", LOFTE_BASE_URL=base)
    assert web.stdout is not None
    started = web.stdout.readline()
    assert "visar webbsidorna" in started, started
    storage = tmp_path / "caddy"
    config = tmp_path / "Caddyfile"
    config.write_text(
        "{\n\tadmin off\n\tskip_install_trust\n\tauto_https disable_redirects\n"
        f"\tstorage file_system {storage}\n\thttp_port {http_port}\n\thttps_port {https_port}\n}}\n"
        f"localhost:{https_port} {{\n\ttls internal\n"
        '\theader Strict-Transport-Security "max-age=31536000; includeSubDomains"\n'
        f"\treverse_proxy 127.0.0.1:{app_port}\n}}\n"
    )
    proxy = subprocess.Popen(
        [caddy, "run", "--config", str(config), "--adapter", "caddyfile"],
        env=dict(
            os.environ,
            HOME=str(tmp_path),
            XDG_DATA_HOME=str(tmp_path),
            XDG_CONFIG_HOME=str(tmp_path),
        ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        root = storage / "pki" / "authorities" / "local" / "root.crt"
        context = ready(proxy, root, https_port)
        yield base, context, tmp_path
    finally:
        proxy.terminate()
        proxy.communicate(timeout=TIMEOUT)
        web.terminate()
        web.communicate(timeout=TIMEOUT)


def ready(proxy: subprocess.Popen[str], root: Path, port: int) -> ssl.SSLContext:
    """Caddy's TLS context once it serves (its CA is made on the first start); bounded: a proxy
    that exits or never answers fails the test with its log."""
    for _ in range(300):
        if root.exists():
            context = ssl.create_default_context(cafile=str(root))
            try:
                with urllib.request.urlopen(
                    f"https://localhost:{port}/healthz", context=context, timeout=2
                ):
                    return context
            except OSError:
                pass
        try:
            proxy.wait(timeout=0.1)  # returns only if Caddy stopped
        except subprocess.TimeoutExpired:
            continue
        break
    proxy.terminate()
    raise AssertionError(f"Caddy did not serve: {proxy.communicate(timeout=TIMEOUT)[1][-2000:]}")


def test_a_person_signs_in_through_the_tls_proxy_with_secure_cookies(
    behind_caddy: tuple[str, ssl.SSLContext, Path],
) -> None:
    base, context, folder = behind_caddy
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(
        urllib.request.HTTPSHandler(context=context), urllib.request.HTTPCookieProcessor(jar)
    )
    page = opener.open(f"{base}/logga-in", timeout=30)
    assert page.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    form = page.read().decode()
    session = next(c for c in jar if c.name == "lofte")
    assert session.secure and session.has_nonstandard_attr("HttpOnly")  # the form's CSRF session

    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token is not None
    sent = opener.open(
        f"{base}/logga-in",
        urllib.parse.urlencode({"csrf_token": token.group(1), "epost": PERSON}).encode(),
        timeout=30,
    )
    assert sent.status == 200  # the proxy's https origin passes the CSRF check
    done(lofte(folder, "run", "--exit-when-idle"))  # the engine delivers the sign-in mail
    mail = "".join(p.read_text() for p in (folder / "post").rglob("*.eml"))
    link = re.search(re.escape(base) + r"/logga-in/[A-Za-z0-9_\-]+", mail.replace("=\n", ""))
    assert link is not None, "the mailed link is the proxy's https address"

    confirm = opener.open(link.group(0), timeout=30).read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', confirm)
    assert token is not None
    signed_in = opener.open(
        link.group(0), urllib.parse.urlencode({"csrf_token": token.group(1)}).encode(), timeout=30
    )
    assert signed_in.url == f"{base}/uppgifter" and "Mina uppgifter" in signed_in.read().decode()
    cookies = {c.name: c for c in jar}
    assert {"lofte", COOKIE} <= set(cookies)  # the form's session and the signed-in one
    assert all(c.secure and c.has_nonstandard_attr("HttpOnly") for c in cookies.values())


def test_the_service_units_run_real_commands_and_the_settings_are_loftes() -> None:
    for unit in ("lofte-run.service", "lofte-web.service"):
        text = (DEPLOY / unit).read_text()
        [command] = re.findall(r"^ExecStart=/opt/lofte/venv/bin/lofte (.+)$", text, re.M)
        args = command.split()
        result = subprocess.run(
            [sys.executable, "-m", "lofte.cli.main", args[0], "--help"],
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )
        assert result.returncode == 0, result.stderr
        for flag in (a for a in args[1:] if a.startswith("--")):
            assert flag in result.stdout, f"{unit}: {flag} is not an option of lofte {args[0]}"
        assert "EnvironmentFile=/etc/lofte/lofte.env" in text and "TimeoutStopSec=" in text
    read = set()
    for folder, _, files in os.walk(Path(package.__file__).parent, followlinks=True):
        for name in (f for f in files if f.endswith(".py")):
            read |= set(re.findall(r"LOFTE_[A-Z_]+", (Path(folder) / name).read_text()))
    example = (DEPLOY / "lofte.env.example").read_text()
    named = set(re.findall(r"^#? ?(LOFTE_[A-Z_]+)=", example, re.M))
    assert named and named <= read, f"settings Löfte does not read: {named - read}"


def test_the_documented_caddyfile_is_valid() -> None:
    caddy = need_caddy()
    result = subprocess.run(
        [caddy, "adapt", "--config", str(DEPLOY / "Caddyfile"), "--adapter", "caddyfile"],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert result.returncode == 0, result.stderr
    assert '"dial":"127.0.0.1:8000"' in result.stdout.replace(" ", "")
