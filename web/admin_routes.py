"""`/admin`: the administrator's console: units, people and their roles, the definitions in
force per unit, timer and email incidents (each sent again), coming meetings, and a new answer
link for a person. Only for people with the administrator role for the deployment; meetings
are in `admin_meeting_routes`, uploads and state diagrams in `admin_setup_routes`."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from lofte.kernel.errors import LofteError, NotFound
from lofte.kernel.untrusted import size_text
from lofte.web.guards import admin_page
from lofte.web.language import page_language
from lofte.web.services import lofte_app
from lofte.workflow.application.admin_console import (
    definitions_in_force,
    mail_incidents,
    meeting_heading,
    retry_all_mail,
    retry_mail,
)
from lofte.workflow.application.admin_meetings import COMING_DAYS, coming_meetings
from lofte.workflow.application.setup_upload import MAX_FILE_BYTES, MAX_FILES, setup_generation
from lofte.workflow.application.texts import message_kind, timer_kind
from lofte.workflow.application.visibility import Viewer
from lofte.workflow.core.cadence import label_of_key
from lofte.workflow.core.records import CycleInstance

blueprint = Blueprint("admin", __name__)
DONE = {
    "timer": "Timern körs igen.",
    "lank": "En ny svarslänk är skickad.",
    "epost": "Meddelandet är köat igen; leveransjobbet skickar det inom några minuter.",
    "epost-alla": "E-postincidenterna är köade igen; leveransjobbet skickar dem inom några "
    "minuter.",
    "flyttat": "Mötet är flyttat. Deltagarna får en uppdaterad inbjudan.",
    "installt": "Mötet är inställt. Deltagarna får en avbokning.",
}


@blueprint.app_context_processor
def headings() -> dict[str, Any]:
    """`meeting_heading(m)` on the console's pages: a coming meeting by the cycle and the
    meeting's own name, in the reader's language."""
    return {
        "meeting_heading": lambda m: meeting_heading(
            lofte_app(), m.meeting, m.instance, page_language()
        )
    }


@blueprint.get("/admin")
@admin_page
def console(viewer: Viewer) -> ResponseReturnValue:
    return _page(viewer, done=DONE.get(request.args.get("klart", ""), ""))


@blueprint.post("/admin/timers/<int:timer_id>/kor-igen")
@admin_page
def retry_timer(viewer: Viewer, timer_id: int) -> ResponseReturnValue:
    try:
        lofte_app().engine.retry_timer(timer_id, viewer.label)
    except LofteError as problem:
        return _page(viewer, str(problem)), 409
    return redirect(url_for("admin.console", klart="timer"), code=303)


@blueprint.post("/admin/forfragningar/<int:request_id>/ny-lank")
@admin_page
def resend(viewer: Viewer, request_id: int) -> ResponseReturnValue:
    try:
        lofte_app().engine.resend_request(request_id, viewer.label)
    except LofteError as problem:
        return _page(viewer, str(problem)), 409
    return redirect(url_for("admin.console", klart="lank"), code=303)


@blueprint.post("/admin/epost/<int:message_id>/skicka-igen")
@admin_page
def retry_message(viewer: Viewer, message_id: int) -> ResponseReturnValue:
    try:
        retry_mail(lofte_app(), viewer, message_id)
    except NotFound:
        abort(404)
    except LofteError as problem:
        return _page(viewer, str(problem)), 409
    return redirect(url_for("admin.console", klart="epost", _anchor="incidenter"), code=303)


@blueprint.post("/admin/epost/skicka-alla-igen")
@admin_page
def retry_all_messages(viewer: Viewer) -> ResponseReturnValue:
    retry_all_mail(lofte_app(), viewer)
    return redirect(url_for("admin.console", klart="epost-alla", _anchor="incidenter"), code=303)


def _page(viewer: Viewer, error: str = "", done: str = "") -> str:
    app = lofte_app()
    directory = viewer.directory
    lang = viewer.language
    definitions = definitions_in_force(app, viewer)
    titles = {d.name: d.title for d in definitions}

    def step_title(cycle: CycleInstance, step_id: str) -> str:
        definition = app.definition_of(cycle)
        if definition.has_step(step_id):
            return definition.step(step_id).title.get(lang)
        return step_id

    retrying = [m for m in app.reads.outbox("pending", 1000) if m.attempts > 0]
    failing_since = min((m.first_attempt_at or app.now for m in retrying), default=None)
    return render_template(
        "admin.html",
        people=sorted(directory.people.values(), key=lambda p: p.name),
        directory=directory,
        definitions=definitions,
        definition_title=lambda name: titles.get(name, name),
        unit_name=lambda unit_id: app.unit(unit_id, directory).name,
        step_title=step_title,
        timer_kind=lambda kind: timer_kind(kind, lang),
        message_kind=lambda kind: message_kind(kind, lang),
        role_title=lambda role: directory.role_title(role, lang),
        period_label=lambda cycle: label_of_key(cycle.period_key, lang),
        timer_incidents=app.reads.timers("failed", 100),
        mail_incidents=mail_incidents(app),
        retrying=retrying,
        failing_since=failing_since,
        open_requests=app.reads.open_requests()[:100],
        meetings=coming_meetings(app),
        coming_days=COMING_DAYS,
        max_file=size_text(MAX_FILE_BYTES),
        max_files=MAX_FILES,
        generation=setup_generation(app),
        error=error,
        done=done,
    )
