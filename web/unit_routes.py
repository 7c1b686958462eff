"""A unit's data for the people who work with it: the lägesbild (charts with their tables),
the action register, and the yearly report as a printable file. Visibility as everywhere:
a person sees the units where they hold a role."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, Response, abort, render_template, request, url_for
from flask.typing import ResponseReturnValue

from lofte.kernel.timerules import STOCKHOLM
from lofte.kernel.words import WEEKDAY_NAMES
from lofte.web.guards import requires, viewable
from lofte.web.language import page_language
from lofte.web.query_values import query_date
from lofte.web.services import lofte_app, operations_setup
from lofte.workflow.application.action_page import action_page
from lofte.workflow.application.actions_view import STATUS_FILTERS, actions_csv, list_actions
from lofte.workflow.application.cycle_page import cycle_page
from lofte.workflow.application.lagesbild_page import page_parts
from lofte.workflow.application.lagesbild_view import change, lagesbild, observations_csv
from lofte.workflow.application.visibility import Viewer
from lofte.workflow.application.yearly_report import render_report, report_data

blueprint = Blueprint("unit", __name__)


@blueprint.get("/enhet/<unit_id>/lagesbild")
@requires()
def picture(viewer: Viewer, unit_id: str) -> ResponseReturnValue:
    today = lofte_app().now.astimezone(STOCKHOLM).date()
    start = query_date(request.args.get("fran", ""), today - timedelta(days=27))
    end = query_date(request.args.get("till", ""), today)
    if start > end or (end - start).days > 3700:
        abort(400)
    data = viewable(lambda: lagesbild(lofte_app(), viewer, unit_id, start, end))
    if request.args.get("format") == "csv":
        return _csv(observations_csv(data), f"lagesbild-{unit_id}.csv")
    lang = page_language()
    weekdays = WEEKDAY_NAMES[lang]
    known = [c["value"] for c in data["by_category"] if c["count"]]
    chosen = [value for value in request.args.getlist("kategori") if value in known]
    return render_template(
        "lagesbild.html",
        data=data,
        start=start,
        end=end,
        parts=page_parts(data, chosen or None, lang),
        chosen=chosen,
        map_settings=operations_setup().settings.map,
        weekdays=weekdays,
        category_bars=[(c[lang] or c["sv"], c["count"]) for c in data["by_category"]],
        weekday_bars=list(zip(weekdays, data["by_weekday"], strict=True)),
        category_names={c["sv"]: c[lang] or c["sv"] for c in data["by_category"]},
        places_link=_places_link(unit_id, start, end),
        unit_names={unit_id: name for unit_id, name, _ in data["registers"]},
        change=change,
    )


@blueprint.get("/enhet/<unit_id>/atgarder")
@requires()
def actions(viewer: Viewer, unit_id: str) -> ResponseReturnValue:
    status = request.args.get("status") or None
    if status is not None and status not in STATUS_FILTERS:
        abort(400)
    csv = request.args.get("format") == "csv"  # CSV for Swedish Excel: Swedish labels
    language = "sv" if csv else page_language()
    lines = viewable(lambda: list_actions(lofte_app(), viewer, unit_id, status, language))
    if csv:
        return _csv(actions_csv(lines), f"atgarder-{unit_id}.csv")
    unit = lofte_app().require_unit(unit_id)
    return render_template("actions.html", lines=lines, unit=unit, status=status)


@blueprint.get("/enhet/<unit_id>/cykler/<int:instance_id>")
@requires()
def cycle(viewer: Viewer, unit_id: str, instance_id: int) -> ResponseReturnValue:
    """One cycle: where summaries, invitations, decisions and escalations lead."""
    shown = viewable(lambda: cycle_page(lofte_app(), viewer, unit_id, instance_id, page_language()))
    return render_template("cycle.html", shown=shown)


@blueprint.get("/enhet/<unit_id>/atgarder/<int:action_id>")
@requires()
def action(viewer: Viewer, unit_id: str, action_id: int) -> ResponseReturnValue:
    """One action: where its owner's email leads."""
    shown = viewable(lambda: action_page(lofte_app(), viewer, unit_id, action_id, page_language()))
    return render_template("action.html", shown=shown)


@blueprint.get("/enhet/<unit_id>/arsrapport")
@requires()
def yearly(viewer: Viewer, unit_id: str) -> ResponseReturnValue:
    raw = request.args.get("ar", "")
    year = int(raw) if raw.isascii() and raw.isdigit() and len(raw) == 4 else lofte_app().now.year
    html = render_report(viewable(lambda: report_data(lofte_app(), viewer, unit_id, year)))
    name = f"lagesbild-atgardsplan-{unit_id}-{year}.html"
    return Response(
        html,
        mimetype="text/html",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _places_link(unit_id: str, start: date, end: date) -> str:
    unit = lofte_app().directory().unit(unit_id)
    if unit is None or unit.kind != "municipality":
        return ""
    return url_for("places.places", unit_id=unit_id, fran=start.isoformat(), till=end.isoformat())


def _csv(body: str, name: str) -> Response:
    return Response(
        body, mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )
