"""`/logga-in/oidc/KEY`: sign-in through the organisation's identity provider (OpenID Connect,
`web.oidc`). The first route sends the browser to the provider with a fresh state, nonce and
PKCE verifier, kept in the browser's signed session cookie for ten minutes and used once; the
provider sends it back to `/logga-in/oidc/KEY/svar`, where the state is checked, the code
exchanged, the ID token validated and its claim matched to a person of the organisation. Every
refusal is a Swedish page that says what to do; nothing of the token is logged."""

from __future__ import annotations

import hmac
import logging
import re
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue

from lofte.kernel.errors import ProviderUnavailable, SignInRefused
from lofte.web.guards import personal
from lofte.web.language import translate
from lofte.web.oidc import OidcClient, Pending, vouched
from lofte.web.services import oidc_client, sign_in
from lofte.web.session import COOKIE, start_session_cookie

log = logging.getLogger("lofte.web.oidc")
blueprint = Blueprint("oidc", __name__)
PENDING = "oidc"  # its key in Flask's signed session cookie
PENDING_SECONDS = 600  # a sign-in must come back from the provider within ten minutes
REFUSALS = {  # reason: (status, title, text)
    "unknown": (
        403,
        "Kontot finns inte i Löfte",
        "{provider} har bekräftat att du är {value}, men ingen person i Löfte har den adressen. "
        "Be samordnaren för din kommun eller ditt polisområde att lägga till dig i "
        "organisationen med den adressen, eller logga in med ett annat konto.",
    ),
    "unverified": (
        403,
        "E-postadressen är inte bekräftad",
        "{provider} har inte bekräftat din e-postadress, så Löfte kan inte veta vem du är. "
        "Kontakta den som sköter ditt konto hos {provider}.",
    ),
    "missing": (
        403,
        "Inloggningen säger inte vem du är",
        "{provider} uppgav inte den uppgift som Löfte känner igen dig på. Kontakta den som "
        "sköter Löfte i din organisation.",
    ),
    "state": (
        400,
        "Inloggningen kunde inte slutföras",
        "Inloggningen hade hunnit bli för gammal eller började inte i den här webbläsaren. "
        "Börja om från inloggningssidan.",
    ),
}
NOT_ACCEPTED = (
    400,
    "Inloggningen kunde inte slutföras",
    "Svaret från {provider} kunde inte godtas, och du är inte inloggad. Börja om från "
    "inloggningssidan; fortsätter det, kontakta den som sköter Löfte i din organisation.",
)


@blueprint.get("/logga-in/oidc/<key>")
@personal
def begin(key: str) -> ResponseReturnValue:
    client = _client(key)
    try:
        url, pending = client.begin(_redirect_uri(key))
    except ProviderUnavailable as error:
        return _unavailable(client, error)
    session[PENDING] = {
        "key": key,
        "state": pending.state,
        "nonce": pending.nonce,
        "verifier": pending.verifier,
        "at": int(client.wall.now().timestamp()),
    }
    return redirect(url, code=303)


@blueprint.get("/logga-in/oidc/<key>/svar")
@personal
def answer(key: str) -> ResponseReturnValue:
    client = _client(key)
    value = ""
    try:
        pending = _pending(key, client)
        if request.args.get("error"):
            code = re.sub(r"[^a-z_]", "", request.args["error"][:40])
            raise SignInRefused("provider", f"the provider answered {code}")
        claims = client.finish(_redirect_uri(key), pending, request.args.get("code", "")[:2000])
        value = vouched(claims, client.provider.claim)
        session_id = sign_in().by_claim(
            key,
            client.provider.claim,
            value,
            request.remote_addr or "",
            request.cookies.get(COOKIE, ""),
        )
    except ProviderUnavailable as error:
        return _unavailable(client, error)
    except SignInRefused as refused:
        return _refused(client, refused, value)
    return start_session_cookie(redirect(url_for("tasks.mine"), code=303), session_id)


def _client(key: str) -> OidcClient:
    client = oidc_client(key)
    if client is None:
        abort(404)
    return client


def _redirect_uri(key: str) -> str:
    base: str = current_app.config["LOFTE_BASE_URL"]
    return f"{base}/logga-in/oidc/{key}/svar"


def _pending(key: str, client: OidcClient) -> Pending:
    """The sign-in this browser started with `key`, used up now; SignInRefused("state") if
    there is none, it is older than ten minutes, or the answer's state (or issuer) differs."""
    kept: Any = session.pop(PENDING, None)
    if not isinstance(kept, dict) or kept.get("key") != key:
        raise SignInRefused("state", "no sign-in was started in this browser")
    if not 0 <= client.wall.now().timestamp() - int(kept.get("at", 0)) <= PENDING_SECONDS:
        raise SignInRefused("state", "the sign-in was started too long ago")
    given = request.args.get("state", "")
    if not hmac.compare_digest(given.encode(), str(kept.get("state", "")).encode()):
        raise SignInRefused("state", "the state differs")
    issuer = request.args.get("iss")  # RFC 9207: the answer names who sent it
    if issuer is not None and issuer.rstrip("/") != client.provider.issuer:
        raise SignInRefused("state", "the answer names another issuer")
    return Pending(str(kept["state"]), str(kept["nonce"]), str(kept["verifier"]))


def _refused(client: OidcClient, refused: SignInRefused, value: str) -> tuple[str, int]:
    log.warning("sign-in through %s refused (%s): %s", client.provider.key, refused.reason, refused)
    status, title, text = REFUSALS.get(refused.reason, NOT_ACCEPTED)
    page = render_template(
        "sign_in_refused.html",
        title=translate(title),
        text=translate(text, provider=client.provider.name, value=value),
    )
    return page, status


def _unavailable(client: OidcClient, error: ProviderUnavailable) -> tuple[str, int]:
    log.error("identity provider %s unavailable: %s", client.provider.key, error)
    page = render_template(
        "sign_in_refused.html",
        title=translate("Inloggningstjänsten svarar inte"),
        text=translate(
            "{provider} gick inte att nå, och du är inte inloggad. Försök igen om en stund.",
            provider=client.provider.name,
        ),
    )
    return page, 503
