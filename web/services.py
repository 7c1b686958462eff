"""The services a view uses, reached through the running app (as Flask's tutorial reaches its
database through `get_db`): the application layer and the sign-in rules. The factory installs
them; blueprints import this module and never the factory, so the web package imports in one
direction (`tests/web/test_web_imports.py`)."""

from __future__ import annotations

from flask import Flask, current_app

from lofte.workflow.application.app import Application
from lofte.workflow.application.sign_in import SignIn, WebAccess

APPLICATION = "lofte"  # keys of `app.extensions`
SIGN_IN = "lofte_sign_in"


def install(app: Flask, application: Application, access: WebAccess) -> None:
    """Make `application`, and sign-ins stored in `access`, the services of `app`."""
    app.extensions[APPLICATION] = application
    app.extensions[SIGN_IN] = SignIn(application, access)


def lofte_app() -> Application:
    """The application layer of the app handling this request."""
    found: Application = current_app.extensions[APPLICATION]
    return found


def sign_in() -> SignIn:
    """The sign-in rules (links, sessions) of the app handling this request."""
    found: SignIn = current_app.extensions[SIGN_IN]
    return found
