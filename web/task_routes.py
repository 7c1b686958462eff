"""`/uppgifter`: my tasks, for the signed-in person."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from lofte.kernel.errors import LofteError
from lofte.web.guards import person_id, requires
from lofte.web.services import lofte_app
from lofte.workflow.application.tasks import answer_nothing, my_tasks
from lofte.workflow.application.visibility import Viewer, visible_units

blueprint = Blueprint("tasks", __name__)


@blueprint.get("/uppgifter")
@requires()
def mine(viewer: Viewer) -> ResponseReturnValue:
    return _page(viewer)


def _page(viewer: Viewer, error: str = "") -> str:
    app = lofte_app()
    units = [u for u in visible_units(viewer) if viewer.roles_for(u)]
    return render_template(
        "tasks.html",
        tasks=my_tasks(app, person_id(viewer)),
        units=units,
        auditor=viewer.is_auditor(),
        admin=viewer.is_admin,
        error=error,
    )


@blueprint.post("/uppgifter/<int:request_id>/inget-att-rapportera")
@requires()
def nothing(viewer: Viewer, request_id: int) -> ResponseReturnValue:
    person = person_id(viewer)
    try:
        answer_nothing(lofte_app(), person, request_id)
    except LofteError as problem:
        tasks = my_tasks(lofte_app(), person)
        return render_template(
            "tasks.html", tasks=tasks, now=lofte_app().now, error=str(problem)
        ), 409
    return redirect(url_for("tasks.mine", klart=request_id), code=303)
