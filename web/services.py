"""The services a view uses, reached through the running app (as Flask's tutorial reaches its
database through `get_db`): the application layer and the sign-in rules. The factory installs
them; blueprints import this module and never the factory, so the web package imports in one
direction (`tests/web/test_web_imports.py`)."""

from __future__ import annotations

from flask import Flask, current_app

from lofte.web.operations_settings import Operations
from lofte.workflow.application.app import Application
from lofte.workflow.application.sign_in import SignIn, WebAccess

APPLICATION = "lofte"  # keys of `app.extensions`
SIGN_IN = "lofte_sign_in"
OPERATIONS = "lofte_operations"


def install(app: Flask, application: Application, access: WebAccess) -> None:
    """Make `application`, and sign-ins stored in `access`, the services of `app`."""
    app.extensions[APPLICATION] = application
    app.extensions[SIGN_IN] = SignIn(application, access)


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


def sign_in() -> SignIn:
    """The sign-in rules (links, sessions) of the app handling this request."""
    found: SignIn = current_app.extensions[SIGN_IN]
    return found
