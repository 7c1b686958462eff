"""`/healthz`, `/readyz` and `/metrics`: for the service manager, the load balancer and
Prometheus. None of them shows anything of a person or is ever stored.

- `/healthz`: 200 as long as the process answers (nothing is read).
- `/readyz`: 200 when the database answers, its schema is current and an engine's heartbeat is
  younger than two minutes; else 503. The body says each check's verdict (JSON).
- `/metrics`: the figures (`web.metrics`), only from `LOFTE_METRICS_FROM` or with the bearer
  token `LOFTE_METRICS_TOKEN` (`web.operations_settings`); 403 otherwise.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request
from flask.typing import ResponseReturnValue

from lofte.web.guards import operations
from lofte.web.metrics import CONTENT_TYPE, metrics_text
from lofte.web.services import lofte_app, operations_setup
from lofte.workflow.application.operations import readiness

blueprint = Blueprint("operations", __name__)


def _text(body: str, status: int) -> Response:
    response = Response(body + "\n", status=status, mimetype="text/plain")
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.get("/healthz")
@operations
def healthz() -> ResponseReturnValue:
    return _text("ok", 200)


@blueprint.get("/readyz")
@operations
def readyz() -> ResponseReturnValue:
    reads = operations_setup().reads
    if reads is None:
        return _text("driftkontrollerna är inte anslutna till någon databas", 503)
    verdict = readiness(reads, lofte_app().now)
    response = jsonify({"redo": verdict.ready, "kontroller": verdict.checks})
    response.status_code = 200 if verdict.ready else 503
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.get("/metrics")
@operations
def metrics() -> ResponseReturnValue:
    given = operations_setup()
    if not given.settings.metrics_allowed(
        request.remote_addr, request.headers.get("Authorization")
    ):
        return _text(
            "mätvärdena visas bara för adresserna i LOFTE_METRICS_FROM eller med token i "
            "LOFTE_METRICS_TOKEN",
            403,
        )
    if given.reads is None:
        return _text("driftkontrollerna är inte anslutna till någon databas", 503)
    now = lofte_app().engine.clock.now
    response = Response(metrics_text(given.reads, now), status=200, content_type=CONTENT_TYPE)
    response.headers["Cache-Control"] = "no-store"
    return response
