"""The services a view uses, reached through the running app (as Flask's tutorial reaches its
database through `get_db`): the application layer and the sign-in rules. The factory installs
them; blueprints import this module and never the factory, so the web package imports in one
direction (`tests/web/test_web_imports.py`)."""

from __future__ import annotations

from flask import Flask, current_app

from lofte.web.oidc import OidcClient
from lofte.web.operations_settings import Operations
from lofte.web.sign_in_settings import SignInSettings
from lofte.workflow.application.app import Application
from lofte.workflow.application.sign_in import SignIn, WebAccess

APPLICATION = "lofte"  # keys of `app.extensions`
SIGN_IN = "lofte_sign_in"
SIGN_IN_SETTINGS = "lofte_sign_in_settings"
OIDC_CLIENTS = "lofte_oidc_clients"
OPERATIONS = "lofte_operations"


def install(
    app: Flask, application: Application, access: WebAccess, settings: SignInSettings
) -> None:
    """Make `application`, sign-ins stored in `access`, and the ways of signing in of
    `settings` (with a client for each identity provider) the services of `app`."""
    app.extensions[APPLICATION] = application
    app.extensions[SIGN_IN] = SignIn(application, access, settings.idle, settings.absolute)
    app.extensions[SIGN_IN_SETTINGS] = settings
    app.extensions[OIDC_CLIENTS] = {p.key: OidcClient(p) for p in settings.providers}


def install_operations(app: Flask, given: Operations) -> None:
    """Make `given` what `/readyz` and `/metrics` read and obey."""
    app.extensions[OPERATIONS] = given


def operations_setup() -> Operations:
    """The operations settings and reads of the app handling this request."""
    found: Operations = current_app.extensions[OPERATIONS]
    return found


def lofte_app() -> Application:
    """The application layer of the app handling this request."""
    found: Application = current_app.extensions[APPLICATION]
    return found


def sign_in_settings() -> SignInSettings:
    """How people sign in to the app handling this request (links, identity providers)."""
    found: SignInSettings = current_app.extensions[SIGN_IN_SETTINGS]
    return found


def oidc_client(key: str) -> OidcClient | None:
    """The client of identity provider `key`; None if no such provider is configured."""
    clients: dict[str, OidcClient] = current_app.extensions[OIDC_CLIENTS]
    return clients.get(key)


def sign_in() -> SignIn:
    """The sign-in rules (links, sessions) of the app handling this request."""
    found: SignIn = current_app.extensions[SIGN_IN]
    return found
