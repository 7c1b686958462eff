"""`/admin/moten/...`: one coming meeting for the administrator, moved to a new Stockholm time
(a form; mistakes are explained at each field, 422) or cancelled after a confirmation page.
The participants get an updated invitation or a cancellation from the engine."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from lofte.kernel.errors import FormError, LofteError
from lofte.web.guards import admin_page, viewable
from lofte.web.services import lofte_app
from lofte.workflow.application.admin_meetings import (
    ComingMeeting,
    cancel_meeting,
    find_meeting,
    move_meeting,
)
from lofte.workflow.application.visibility import Viewer

blueprint = Blueprint("admin_meetings", __name__)
MEETING = "/admin/moten/<int:instance_id>/<step_id>"


@blueprint.get(MEETING)
@admin_page
def meeting(viewer: Viewer, instance_id: int, step_id: str) -> ResponseReturnValue:
    shown = _find(viewer, instance_id, step_id)
    return _page(viewer, shown, shown.local_date, shown.local_time)


@blueprint.post(MEETING + "/flytta")
@admin_page
def move(viewer: Viewer, instance_id: int, step_id: str) -> ResponseReturnValue:
    shown = _find(viewer, instance_id, step_id)
    day = request.form.get("datum", "")[:40]
    clock = request.form.get("tid", "")[:40]
    try:
        move_meeting(lofte_app(), viewer, instance_id, step_id, day, clock)
    except FormError as problem:
        return _page(viewer, shown, day, clock, problems=dict(problem.problems)), 422
    except LofteError as problem:  # cancelled meanwhile
        return _page(viewer, shown, day, clock, error=str(problem)), 409
    return redirect(url_for("admin.console", klart="flyttat", _anchor="moten"), code=303)


@blueprint.get(MEETING + "/stall-in")
@admin_page
def confirm_cancel(viewer: Viewer, instance_id: int, step_id: str) -> ResponseReturnValue:
    shown = _find(viewer, instance_id, step_id)
    if shown.meeting.cancelled:
        return redirect(url_for("admin_meetings.meeting", instance_id=instance_id, step_id=step_id))
    return render_template("admin_meeting_cancel.html", shown=shown, names=_names(viewer, shown))


@blueprint.post(MEETING + "/stall-in")
@admin_page
def cancel(viewer: Viewer, instance_id: int, step_id: str) -> ResponseReturnValue:
    shown = _find(viewer, instance_id, step_id)
    try:
        cancel_meeting(lofte_app(), viewer, instance_id, step_id)
    except LofteError as problem:  # cancelled already
        return _page(viewer, shown, shown.local_date, shown.local_time, error=str(problem)), 409
    return redirect(url_for("admin.console", klart="installt", _anchor="moten"), code=303)


def _find(viewer: Viewer, instance_id: int, step_id: str) -> ComingMeeting:
    return viewable(lambda: find_meeting(lofte_app(), viewer, instance_id, step_id[:64]))


def _names(viewer: Viewer, shown: ComingMeeting) -> list[str]:
    return sorted(viewer.directory.name_of(p) for p in shown.meeting.participants)


def _page(
    viewer: Viewer,
    shown: ComingMeeting,
    day: str,
    clock: str,
    problems: dict[str, str] | None = None,
    error: str = "",
) -> str:
    return render_template(
        "admin_meeting.html",
        shown=shown,
        names=_names(viewer, shown),
        day=day,
        clock=clock,
        problems=problems or {},
        error=error,
    )
