"""A real OpenID Connect provider for the sign-in tests: the `oidc-provider` package on Node
(tests/oidc/provider.mjs, installed there by `.ci/run` with `npm ci`), started once per test
process on a free loopback port. Without Node or the package the tests are skipped locally and
fail in CI.

`RealProvider.client(redirect_base)` registers a client for a Löfte at `redirect_base` and gives
its settings; `sign_in_at_provider` follows the provider's pages as a browser would, for the
account named by `login_hint`, up to the redirect back to Löfte."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
import requests

from lofte.web.sign_in_settings import OidcProvider
from tests.cli.test_web_operations import free_port

FOLDER = Path(__file__).resolve().parents[1] / "oidc"
NODE = shutil.which("node")
STEPS = 10  # redirects at the provider before it sends the browser back


@dataclass(frozen=True)
class RealProvider:
    issuer: str

    def client(self, redirect_base: str, key: str = "test", **options: str) -> OidcProvider:
        """Register a client whose redirect URI is Löfte's at `redirect_base` for provider
        `key`; its settings, as LOFTE_OIDC_<KEY>_* would give them."""
        registered = requests.post(
            f"{self.issuer}/reg",
            json={"redirect_uris": [f"{redirect_base}/logga-in/oidc/{key}/svar"]},
            timeout=10,
        )
        registered.raise_for_status()
        found = registered.json()
        return OidcProvider(
            key=key,
            name=options.get("name", "Testkommunen"),
            issuer=self.issuer,
            client_id=found["client_id"],
            client_secret=found["client_secret"],
            claim=options.get("claim", "email"),
        )

    def tamper(self, email: str) -> None:
        """From now on the provider changes the `email` of every ID token after signing it
        (an empty `email`: no more)."""
        requests.post(f"{self.issuer}/test/tamper", data=email.encode(), timeout=10)

    def email_in_userinfo_only(self, on: bool) -> None:
        """Whether the ID token leaves the address out (UserInfo still gives it)."""
        body = b"on" if on else b"off"
        requests.post(f"{self.issuer}/test/email-in-userinfo-only", data=body, timeout=10)


def need_provider() -> str:
    missing = (
        "node is not installed"
        if NODE is None
        else "tests/oidc/node_modules is missing (npm ci in tests/oidc)"
        if not (FOLDER / "node_modules" / "oidc-provider").is_dir()
        else ""
    )
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"the test OpenID provider cannot start: {missing}; .ci/run installs it")
        pytest.skip(missing)
    assert NODE is not None
    return NODE


def start_provider() -> Iterator[RealProvider]:
    """The provider, running until the generator is closed (the `oidc_provider` fixture)."""
    node = need_provider()
    port = free_port()
    process = subprocess.Popen(
        [node, "provider.mjs", str(port)],
        cwd=FOLDER,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None and process.stderr is not None
        line = process.stdout.readline()  # "ready ISSUER", or nothing if it stopped
        if not line.startswith("ready"):
            process.kill()
            pytest.fail(f"the test OpenID provider did not start: {process.stderr.read()[-2000:]}")
        issuer = line.split()[1]
        discovery = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=10)
        assert discovery.json()["issuer"] == issuer
        yield RealProvider(issuer)
    finally:
        process.terminate()
        process.wait(timeout=10)


def sign_in_at_provider(authorize_url: str, login_hint: str, redirect_base: str) -> str:
    """Follow the provider from `authorize_url` (Löfte's redirect) as `login_hint`; the address
    the provider sends the browser back to at Löfte (with code, state and iss)."""
    browser = requests.Session()
    url = f"{authorize_url}&{urlencode({'login_hint': login_hint})}"
    for _ in range(STEPS):
        response = browser.get(url, allow_redirects=False, timeout=10)
        assert response.status_code in (302, 303), (response.status_code, response.text[:500])
        location = response.headers["Location"]
        url = (
            location
            if urlsplit(location).scheme
            else f"{authorize_url.split('/auth')[0]}{location}"
        )
        if url.startswith(redirect_base):
            return url
    raise AssertionError("the provider never sent the browser back")
