"""OpenID Connect, the authorization code flow with PKCE (Authlib), for one identity provider.

`begin` gives the address to send the browser to, with a fresh `state`, `nonce` and PKCE
verifier (S256) that the caller keeps for the answer; `finish` exchanges the code (with the
verifier) and returns the claims of the ID token, validated against the provider's published
keys: signature, issuer, audience, authorised party, expiry, issue time and nonce. `vouched`
then reads the claim that names the person (an `email` only when `email_verified` is true);
a claim the provider keeps out of the ID token is read from its UserInfo endpoint, which must
speak of the ID token's subject.

The provider's discovery document and keys are fetched at first use and kept; its keys are
fetched again once when a token names a key that is not among them (the provider rotated
them). The token's times are the provider's real time, so they are checked against a real
clock (`wall`), not Löfte's workflow clock (a simulation or a test may run that elsewhere).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import requests
from authlib.common.security import generate_token
from authlib.integrations.base_client import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from joserfc.jws import extract_compact

from lofte.kernel.clock import Clock, SystemClock
from lofte.kernel.errors import ProviderUnavailable, SignInRefused
from lofte.web.sign_in_settings import OidcProvider

TIMEOUT = 10  # seconds for each request to the provider
LEEWAY = 60  # seconds of clock difference allowed between the provider and Löfte
ASYMMETRIC = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512")
SCOPE = "openid email profile"


@dataclass(frozen=True)
class Pending:
    """What a started sign-in must be answered with: kept by the browser's signed cookie."""

    state: str
    nonce: str
    verifier: str


class OidcClient:
    def __init__(
        self, provider: OidcProvider, *, wall: Clock | None = None, timeout: float = TIMEOUT
    ) -> None:
        self.provider = provider
        self.wall = wall or SystemClock()
        self.timeout = timeout
        self._lock = threading.Lock()
        self._metadata: dict[str, Any] | None = None
        self._keys: KeySet | None = None

    def begin(self, redirect_uri: str) -> tuple[str, Pending]:
        """The provider's authorization address for a new sign-in, and what to keep for it."""
        pending = Pending(generate_token(32), generate_token(32), generate_token(64))
        endpoint = str(self.metadata()["authorization_endpoint"])
        with self._session(redirect_uri) as session:
            url, _ = session.create_authorization_url(
                endpoint, state=pending.state, nonce=pending.nonce, code_verifier=pending.verifier
            )
        return str(url), pending

    def finish(self, redirect_uri: str, pending: Pending, code: str) -> dict[str, Any]:
        """Exchange `code` and return the validated ID token's claims."""
        token = self.exchange(redirect_uri, pending, code)
        id_token = token.get("id_token")
        if not isinstance(id_token, str):
            raise SignInRefused("token", "leverantören skickade ingen ID-token")
        claims = self.validate(id_token, pending.nonce, access_token=token.get("access_token"))
        if self.provider.claim in claims:
            return claims
        return {**self.userinfo(token.get("access_token"), claims["sub"]), **claims}

    def userinfo(self, access_token: object, subject: object) -> dict[str, Any]:
        """The provider's UserInfo (for a claim it keeps out of the ID token, as OpenID
        Connect's code flow allows); refused unless it is about the ID token's subject."""
        endpoint = self.metadata().get("userinfo_endpoint")
        if not isinstance(endpoint, str) or not isinstance(access_token, str):
            return {}
        try:
            response = requests.get(
                endpoint, headers={"Authorization": f"Bearer {access_token}"}, timeout=self.timeout
            )
        except requests.RequestException as error:
            raise ProviderUnavailable(
                f"{self.provider.key}: userinfo: {type(error).__name__}"
            ) from None
        try:
            found = response.json() if response.status_code == 200 else None
        except ValueError:
            found = None
        if not isinstance(found, dict) or found.get("sub") != subject:
            raise SignInRefused("token", "UserInfo gäller inte ID-tokens person")
        return found

    def exchange(self, redirect_uri: str, pending: Pending, code: str) -> dict[str, Any]:
        """The token endpoint's answer to `code` and the PKCE verifier (not yet validated)."""
        endpoint = str(self.metadata()["token_endpoint"])
        try:
            with self._session(redirect_uri) as session:
                token = session.fetch_token(
                    endpoint,
                    code=code,
                    code_verifier=pending.verifier,
                    grant_type="authorization_code",
                )
        except requests.RequestException as error:
            raise ProviderUnavailable(
                f"{self.provider.key}: token: {type(error).__name__}"
            ) from None
        except (OAuthError, ValueError) as error:  # invalid_grant, ..., or not a JSON object
            raise SignInRefused("provider", f"leverantören avvisade koden ({error})") from None
        return dict(token)

    def validate(self, id_token: str, nonce: str, *, access_token: object = None) -> dict[str, Any]:
        """The claims of `id_token` if it is signed by one of the provider's keys and was
        issued by it, for this client, now, for this `nonce`; SignInRefused("token")
        otherwise."""
        algorithms = self._algorithms()
        try:
            decoded = self._decode(id_token, algorithms)
            params = {"nonce": nonce, "client_id": self.provider.client_id}
            if isinstance(access_token, str):
                params["access_token"] = access_token
            claims = CodeIDToken(
                decoded.claims,
                decoded.header,
                {
                    "iss": {"essential": True, "value": str(self.metadata()["issuer"])},
                    "aud": {"essential": True, "value": self.provider.client_id},
                    "nonce": {"essential": True, "value": nonce},
                },
                params,
            )
            claims.validate(now=int(self.wall.now().timestamp()), leeway=LEEWAY)
        except (JoseError, ValueError) as error:
            raise SignInRefused("token", f"ID-token godtogs inte ({error})") from None
        return dict(claims)

    def _decode(self, id_token: str, algorithms: list[str]) -> Any:
        kid = extract_compact(id_token.encode("ascii", "replace")).headers().get("kid")
        if kid is not None and kid not in {key.kid for key in self.keys().keys}:
            with self._lock:
                self._keys = None  # the provider may have rotated its keys: fetch them again
        return jwt.decode(id_token, self.keys(), algorithms=algorithms)

    def _algorithms(self) -> list[str]:
        offered = self.metadata().get("id_token_signing_alg_values_supported") or ["RS256"]
        return [a for a in offered if a in ASYMMETRIC] or ["RS256"]

    def _session(self, redirect_uri: str) -> OAuth2Session:
        return OAuth2Session(
            self.provider.client_id,
            self.provider.client_secret,
            scope=SCOPE,
            redirect_uri=redirect_uri,
            code_challenge_method="S256",
            default_timeout=self.timeout,
        )

    def metadata(self) -> dict[str, Any]:
        """The discovery document (fetched once); ProviderUnavailable if it cannot be read."""
        with self._lock:
            if self._metadata is None:
                url = f"{self.provider.issuer}/.well-known/openid-configuration"
                found = self._get_json(url)
                for needed in ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri"):
                    if not isinstance(found.get(needed), str):
                        raise ProviderUnavailable(f"{self.provider.key}: discovery lacks {needed}")
                if found["issuer"].rstrip("/") != self.provider.issuer:
                    raise ProviderUnavailable(
                        f"{self.provider.key}: discovery names issuer {found['issuer']!r}"
                    )
                self._metadata = found
            return self._metadata

    def keys(self) -> KeySet:
        uri = str(self.metadata()["jwks_uri"])
        with self._lock:
            if self._keys is None:
                try:
                    self._keys = KeySet.import_key_set(self._get_json(uri))  # type: ignore[arg-type]
                except (JoseError, ValueError, KeyError, TypeError):
                    raise ProviderUnavailable(f"{self.provider.key}: unreadable keys") from None
            return self._keys

    def _get_json(self, url: str) -> dict[str, Any]:
        try:
            response = requests.get(url, timeout=self.timeout)
            response.raise_for_status()
            found = response.json()
        except (requests.RequestException, ValueError) as error:
            raise ProviderUnavailable(
                f"{self.provider.key}: {url}: {type(error).__name__}"
            ) from None
        if not isinstance(found, dict):
            raise ProviderUnavailable(f"{self.provider.key}: {url}: not an object")
        return found


def vouched(claims: dict[str, Any], claim: str) -> str:
    """The value of `claim` in validated `claims`: the person's address. An `email` counts only
    with `email_verified: true`."""
    value = claims.get(claim)
    if not isinstance(value, str) or not value.strip():
        raise SignInRefused("missing", f"ID-token saknar {claim}")
    if claim == "email" and claims.get("email_verified") is not True:
        raise SignInRefused("unverified", "leverantören har inte bekräftat e-postadressen")
    return value.strip()
