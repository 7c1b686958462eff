"""The web app: Flask, server-rendered Swedish pages, no inline script or style.

`create_app(application)` builds it around the application layer; `lofte web` serves it with a
production WSGI server (gunicorn's threaded workers; waitress on Windows). Every response
carries the security headers; every error, expected or not, is a Swedish page and never a traceback.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import timedelta

from flask import Flask, Response, render_template, request
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter, Map

from lofte.kernel import words
from lofte.kernel.untrusted import size_text
from lofte.web import (
    admin_meeting_routes,
    admin_routes,
    admin_setup_routes,
    answer_routes,
    audit_routes,
    import_routes,
    oidc_routes,
    operations_routes,
    pages,
    places_routes,
    public_routes,
    request_log,
    services,
    sign_in_routes,
    task_routes,
    unit_routes,
)
from lofte.web.guards import cache_rule
from lofte.web.language import page_language, translate, use_language
from lofte.web.operations_settings import Operations
from lofte.web.session import current_person
from lofte.web.sign_in_settings import SignInSettings
from lofte.workflow.application.answer_links import installation_secret
from lofte.workflow.application.app import Application
from lofte.workflow.application.setup_upload import MAX_FILE_BYTES, MAX_UPLOAD_BYTES
from lofte.workflow.application.sign_in import WebAccess
from lofte.workflow.core.observations import when_text

log = logging.getLogger("lofte.web")
MAX_REQUEST_BYTES = 512 * 1024
CSP_BASE = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; base-uri 'none'; object-src 'none'; frame-ancestors "
)
CSP = CSP_BASE + "'none'"
EMBEDDABLE = "public"  # the blueprint whose pages LOFTE_EMBED_ORIGINS may frame
MAP_PAGE = "unit.picture"  # the page whose images may come from the map's tile server
ERROR_TITLES = {
    400: "Felaktig förfrågan",
    403: "Du har inte behörighet",
    404: "Sidan finns inte",
    405: "Metoden stöds inte",
    413: "Det du skickade är för stort",
    500: "Något gick fel",
}
ERROR_TEXTS = {
    400: "Förfrågan kunde inte läsas. Gå tillbaka och försök igen.",
    403: "Du saknar den roll som behövs för att se sidan.",
    404: "Kontrollera adressen. Länkar i e-post från Löfte går till rätt sida.",
    405: "Sidan kan inte användas på det sättet.",
    413: f"Ett svar får vara högst {MAX_REQUEST_BYTES // 1024} kB. Korta texten och försök igen.",
    500: "Ett oväntat fel inträffade. Inget av det du skickade sparades till hälften; "
    "försök igen om en stund. Felet är loggat.",
}

UPLOAD_ENDPOINT = "admin_setup.upload"
UPLOAD_TOO_LARGE = (
    f"En uppladdning får vara högst {size_text(MAX_UPLOAD_BYTES)} sammanlagt och "
    f"{size_text(MAX_FILE_BYTES)} per fil. Ladda upp färre filer åt gången; inget sparades."
)


def create_app(
    application: Application,
    access: WebAccess,
    *,
    base_url: str = "http://localhost:8000",
    testing: bool = False,
    proxies: int = 0,
    operations: Operations | None = None,
    sign_in: SignInSettings | None = None,
) -> Flask:
    """The web app around `application`; `access` stores sign-ins and sessions; `base_url`
    is where links (sign-in) point; `proxies` trusted reverse proxies set X-Forwarded-For;
    `operations`: who may read `/metrics`, who may frame the public pages, and the reads of
    `/readyz` and `/metrics` (`web.operations_routes`); `sign_in`: how people sign in (links,
    identity providers) and how long sessions last (`web.sign_in_settings`)."""
    app = Flask(__name__)
    with application.engine.store.unit_of_work(read_only=True) as uow:
        secret = installation_secret(uow.settings, application.configured_secret)
    app.config.update(
        SECRET_KEY=hashlib.sha256(f"lofte-web:{secret}".encode()).hexdigest(),
        MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES,
        MAX_FORM_MEMORY_SIZE=MAX_REQUEST_BYTES,
        MAX_FORM_PARTS=5000,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_NAME="lofte",
        SESSION_COOKIE_SECURE=base_url.startswith("https://"),  # behind TLS: never in clear
        PERMANENT_SESSION_LIFETIME=timedelta(hours=8),
        WTF_CSRF_TIME_LIMIT=8 * 3600,
        WTF_CSRF_SSL_STRICT=False,
        TESTING=testing,
        LOFTE_BASE_URL=base_url.rstrip("/"),
    )
    if proxies:  # the client's address (for sign-in rate limits) comes from the proxies
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]
    app.url_map.merge_slashes = False  # an odd address is a 404 page, not a redirect
    app.url_map.converters["int"] = RowId  # before the routes are added
    services.install(app, application, access, sign_in or SignInSettings())
    given = operations or Operations()
    services.install_operations(app, given)
    request_log.install(app)
    _upload_limit(app)  # before CSRFProtect: its check reads the form
    CSRFProtect(app)
    _filters(app)
    _headers(app, given.settings.embed_origins, given.settings.map.tile_origin)
    _errors(app)
    _blueprints(app)
    return app


class RowId(IntegerConverter):
    """`<int:...>` in an address: a number a database row id can be; a larger one is a
    404 page, not an overflow in the database driver."""

    def __init__(self, url_map: Map) -> None:
        super().__init__(url_map, max=2**62)


def _blueprints(app: Flask) -> None:
    app.register_blueprint(pages.blueprint)
    app.register_blueprint(answer_routes.blueprint)
    app.register_blueprint(sign_in_routes.blueprint)
    app.register_blueprint(oidc_routes.blueprint)
    app.register_blueprint(task_routes.blueprint)
    app.register_blueprint(public_routes.blueprint)
    app.register_blueprint(audit_routes.blueprint)
    app.register_blueprint(unit_routes.blueprint)
    app.register_blueprint(places_routes.blueprint)
    app.register_blueprint(import_routes.blueprint)
    app.register_blueprint(admin_routes.blueprint)
    app.register_blueprint(admin_meeting_routes.blueprint)
    app.register_blueprint(admin_setup_routes.blueprint)
    app.register_blueprint(operations_routes.blueprint)


def _filters(app: Flask) -> None:
    app.jinja_env.filters["moment"] = lambda value, language=None: words.moment(
        value, language or page_language()
    )
    app.jinja_env.filters["date"] = lambda value: words.plain_date(value, page_language())
    app.jinja_env.filters["when"] = lambda observation, language=None: when_text(
        observation, language or page_language()
    )
    app.jinja_env.globals["_"] = translate
    app.context_processor(lambda: {"lang": page_language()})
    app.jinja_env.globals["signed_in"] = lambda: current_person() is not None
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True


def _upload_limit(app: Flask) -> None:
    """The administrator's upload may be larger than an answer (several files)."""

    @app.before_request
    def larger_for_uploads() -> None:
        if request.endpoint == UPLOAD_ENDPOINT:
            request.max_content_length = MAX_UPLOAD_BYTES


def _headers(app: Flask, embed_origins: tuple[str, ...], tile_origin: str) -> None:
    """The security headers. Only the public pages may be framed, and only by the origins of
    LOFTE_EMBED_ORIGINS; X-Frame-Options (which cannot name origins) is then left off them,
    so that no browser honours it over `frame-ancestors`. The lägesbild page's images may
    also come from the map's tile server (LOFTE_MAP_TILES)."""
    app.after_request(cache_rule)  # `Cache-Control`, as each route's guard decided
    embedded_csp = CSP_BASE + " ".join(embed_origins)
    images = "img-src 'self' data:;"
    map_csp = CSP.replace(images, f"img-src 'self' data: {tile_origin};") if tile_origin else CSP

    @app.after_request
    def secure(response: Response) -> Response:
        if embed_origins and request.blueprint == EMBEDDABLE:
            response.headers["Content-Security-Policy"] = embedded_csp
        else:
            response.headers["Content-Security-Policy"] = (
                map_csp if request.endpoint == MAP_PAGE else CSP
            )
            response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        return response


def _errors(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf(error: CSRFError) -> tuple[str, int]:
        text = (
            "Formuläret hade hunnit bli för gammalt eller kom inte från Löfte. "
            "Ladda om sidan och skicka igen; inget sparades."
        )
        return _error_page("Formuläret kunde inte tas emot", text), 400

    @app.errorhandler(HTTPException)
    def http(error: HTTPException) -> tuple[str, int]:
        code = error.code or 500
        title = ERROR_TITLES.get(code, "Något gick fel")
        text = ERROR_TEXTS.get(code, ERROR_TEXTS[400])
        if code == 413 and request.endpoint == UPLOAD_ENDPOINT:
            text = UPLOAD_TOO_LARGE
        return _error_page(title, text), code

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> tuple[str, int]:
        log.exception("unexpected error on %s %s", request.method, request_log.route() or "-")
        return _error_page(ERROR_TITLES[500], ERROR_TEXTS[500], safe=True), 500


def _error_page(title: str, text: str, *, safe: bool = False) -> str:
    """An error page in the reader's language (Swedish when even that cannot be found out:
    after an unexpected error, the database may be what failed)."""
    if safe:
        try:
            translate("")
        except Exception:
            use_language("sv")
    return render_template("error.html", title=translate(title), text=translate(text))
