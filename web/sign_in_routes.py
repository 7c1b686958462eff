"""`/logga-in`: sign-in without passwords. The reply to an address is always the same; the
emailed link shows a "Logga in" button and only that POST signs in, once. The page also shows
a button for each identity provider (`web.oidc_routes`); with `LOFTE_SIGN_IN=oidc` it shows
only those, and the link routes answer 404."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from lofte.kernel.errors import InvalidToken
from lofte.web.guards import personal
from lofte.web.language import translate
from lofte.web.services import sign_in, sign_in_settings
from lofte.web.session import COOKIE, current_person, start_session_cookie
from lofte.workflow.application.sign_in import LINK_VALIDITY

blueprint = Blueprint("sign_in", __name__)


@blueprint.get("/logga-in")
@personal
def ask() -> ResponseReturnValue:
    if current_person() is not None:
        return redirect(url_for("tasks.mine"))
    return _form()


@blueprint.post("/logga-in")
@personal
def send() -> ResponseReturnValue:
    _links_only_when_on()
    address = request.form.get("epost", "")
    if "@" not in address or len(address) > 254:
        error = translate("Skriv din e-postadress, till exempel namn@kommun.se.")
        return _form(error=error, value=address), 422
    sign_in().request_link(address, request.remote_addr or "", current_app.config["LOFTE_BASE_URL"])
    return render_template("sign_in_sent.html", minutes=_minutes())


@blueprint.get("/logga-in/<nonce>")
@personal
def confirm(nonce: str) -> ResponseReturnValue:
    _links_only_when_on()
    if not sign_in().link_is_open(nonce):
        return _used()
    return render_template("sign_in_confirm.html", nonce=nonce)


@blueprint.post("/logga-in/<nonce>")
@personal
def complete(nonce: str) -> ResponseReturnValue:
    _links_only_when_on()
    try:
        session_id = sign_in().complete(nonce, request.cookies.get(COOKIE, ""))
    except InvalidToken:
        return _used()
    return start_session_cookie(redirect(url_for("tasks.mine"), code=303), session_id)


@blueprint.post("/logga-ut")
@personal
def sign_out() -> ResponseReturnValue:
    sign_in().sign_out(request.cookies.get(COOKIE, ""))
    response = current_app.make_response(render_template("signed_out.html"))
    response.delete_cookie(COOKIE, path="/")
    return response


def _form(**error: str) -> str:
    settings = sign_in_settings()
    return render_template(
        "sign_in.html",
        minutes=_minutes(),
        links=settings.link,
        providers=settings.providers,
        **error,
    )


def _links_only_when_on() -> None:
    """With LOFTE_SIGN_IN=oidc no sign-in link is sent or honoured."""
    if not sign_in_settings().link:
        abort(404)


def _used() -> tuple[str, int]:
    text = translate(
        "inloggningslänken är redan använd eller har gått ut. Be om en ny länk; den gäller i "
        "{minutes} minuter och kan användas en gång",
        minutes=_minutes(),
    )
    title = translate("Länken går inte att använda")
    return render_template("link_problem.html", title=title, text=text), 410


def _minutes() -> int:
    return int(LINK_VALIDITY.total_seconds() // 60)
