"""What the web tests share: the administrator of the packaged example and the app over a
harness."""

from __future__ import annotations

from typing import Any

from flask import Flask

from lofte.storage.operations_read import SqlOperationsReads
from lofte.storage.read_model import SqlReadModel
from lofte.storage.web_access import SqlWebAccess
from lofte.web.factory import create_app
from lofte.web.operations_settings import Operations
from lofte.workflow.application.app import Application
from tests.harness import Harness

ADMIN = ("alva.admin@sala.example.se", "admin")


def web_app(h: Harness, **options: Any) -> Flask:
    """The web app over the harness's engine and database (`options` go to `create_app`;
    without `operations`, `/readyz` and `/metrics` read the harness's database and nobody may
    read `/metrics`)."""
    options.setdefault("operations", Operations(reads=SqlOperationsReads(h.store.engine)))
    app = Application(h.engine, SqlReadModel(h.store.engine))
    return create_app(app, SqlWebAccess(h.store.engine), **options)
