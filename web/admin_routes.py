"""`/admin`: the administrator's console: units, people and their roles, the definitions in
force per unit, timer and email incidents, and a new answer link for a person. Only for people
with the administrator role for the deployment."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from web.factory import lofte_app
from web.session import current_person
from workflow.application.visibility import Viewer
from workflow.kernel.errors import LofteError

blueprint = Blueprint("admin", __name__)


@blueprint.get("/admin")
def console() -> ResponseReturnValue:
    viewer = _admin()
    if viewer is None:
        return redirect(url_for("sign_in.ask"))
    return _page(viewer)


@blueprint.post("/admin/timers/<int:timer_id>/kor-igen")
def retry_timer(timer_id: int) -> ResponseReturnValue:
    viewer = _admin()
    if viewer is None:
        return redirect(url_for("sign_in.ask"))
    try:
        lofte_app().engine.retry_timer(timer_id, viewer.label)
    except LofteError as problem:
        return _page(viewer, str(problem)), 409
    return redirect(url_for("admin.console", klart="timer"), code=303)


@blueprint.post("/admin/forfragningar/<int:request_id>/ny-lank")
def resend(request_id: int) -> ResponseReturnValue:
    viewer = _admin()
    if viewer is None:
        return redirect(url_for("sign_in.ask"))
    try:
        lofte_app().engine.resend_request(request_id, viewer.label)
    except LofteError as problem:
        return _page(viewer, str(problem)), 409
    return redirect(url_for("admin.console", klart="lank"), code=303)


def _admin() -> Viewer | None:
    person = current_person()
    if person is None:
        return None
    viewer = lofte_app().viewer(person)
    if not viewer.is_admin:
        abort(403)
    return viewer


def _page(viewer: Viewer, error: str = "") -> str:
    app = lofte_app()
    directory = viewer.directory
    units = sorted(directory.units.values(), key=lambda u: (u.kind != "police_area", u.name))
    definitions = []
    registered = app.reads.first_registered()
    for unit in units:
        for name in sorted({d for d, u in registered if u == unit.id}):
            latest = app.latest_definition(name, unit.id)
            if latest is not None:
                definitions.append((unit.name, latest[0].display_title(), latest[1]))
    open_requests = app.reads.open_requests()[:100]
    retrying = [m for m in app.reads.outbox("pending", 1000) if m.attempts > 0]
    failing_since = min((m.first_attempt_at or app.now for m in retrying), default=None)
    return render_template(
        "admin.html",
        units=units,
        people=sorted(directory.people.values(), key=lambda p: p.name),
        directory=directory,
        definitions=definitions,
        timer_incidents=app.reads.timers("failed", 100),
        mail_incidents=app.reads.outbox("failed", 100),
        retrying=retrying,
        failing_since=failing_since,
        open_requests=open_requests,
        error=error,
    )
