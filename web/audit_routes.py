"""`/revision`: the auditor's dashboard, its CSV downloads and each cycle's audit log. Only for
people with the auditor role (for the whole deployment, or for the unit shown)."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, render_template, request
from flask.typing import ResponseReturnValue

from lofte.web.guards import requires, viewable
from lofte.web.language import translate
from lofte.web.page_cache import rendered
from lofte.web.services import lofte_app
from lofte.workflow.application import audit_log
from lofte.workflow.application.audit_language import in_language
from lofte.workflow.application.csv_export import csv_moment, to_csv
from lofte.workflow.application.dashboard import (
    COLUMN_LABELS,
    COLUMNS,
    Dashboard,
    DashboardFilter,
    dashboard,
    period_label,
)
from lofte.workflow.application.visibility import (
    Viewer,
    audited_units,
    require_auditor,
    visible_units,
)
from lofte.workflow.core.cadence import label_of_key

blueprint = Blueprint("audit", __name__)
RECENT = 200  # cycles listed on the page; the CSV has them all
TABLES = ("enheter", "cykler", "personer", "luckor", "uppfoljning")


@blueprint.get("/revision")
@requires()
def overview(viewer: Viewer) -> ResponseReturnValue:
    where, problems = viewable(lambda: _filter(viewer))
    units = audited_units(viewer)
    query = request.query_string.decode("ascii", "replace")
    scope = (
        viewer.language,
        tuple(u.id for u in visible_units(viewer)),
        tuple(u.id for u in units),
        where,
        query,
        request.script_root,
    )
    board_html = rendered(lofte_app(), ("revision", scope), lambda: _board(viewer, where, query))
    return render_template(
        "audit.html",
        board_html=board_html,
        where=where,
        units=units,
        problems=problems,
    ), 422 if problems else 200


def _board(viewer: Viewer, where: DashboardFilter, query: str) -> str:
    board = in_language(lofte_app(), dashboard(lofte_app(), viewer, where), viewer.language)
    return render_template(
        "_audit_board.html",
        board=board,
        recent=board.lines[::-1][:RECENT],
        columns=COLUMNS,
        labels={c: translate(label) for c, label in COLUMN_LABELS.items()},
        period_label=lambda line: label_of_key(line.instance.period_key, viewer.language),
        query=query,
    )


@blueprint.get("/revision/<table>.csv")
@requires()
def download(viewer: Viewer, table: str) -> ResponseReturnValue:
    if table not in TABLES:
        abort(404)
    where, problems = viewable(lambda: _filter(viewer))
    if problems:
        abort(400)
    body = _csv(table, dashboard(lofte_app(), viewer, where))
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="revision-{table}.csv"'},
    )


@blueprint.get("/revision/cykel/<int:instance_id>")
@requires()
def cycle_log(viewer: Viewer, instance_id: int) -> ResponseReturnValue:
    shown = viewable(lambda: audit_log.cycle_log(lofte_app(), viewer, instance_id))
    return render_template(
        "audit_cycle.html",
        instance=shown.instance,
        unit=shown.unit,
        title=shown.title,
        period=shown.period,
        events=shown.events,
    )


def _filter(viewer: Viewer) -> tuple[DashboardFilter, list[tuple[str, str]]]:
    """The filter of the address's query; AccessDenied for a person who does not audit what
    it asks (`viewable` makes it a 403 page)."""
    app = lofte_app()
    problems: list[tuple[str, str]] = []
    unit_id = request.args.get("enhet", "")[:64] or None
    unit = app.directory().unit(unit_id) if unit_id else None
    if unit_id and unit is None:
        problems.append(("enhet", "Välj en enhet i listan."))
        unit_id = None
    require_auditor(viewer, unit)
    start = _date(request.args.get("fran", ""), "fran", "Från", problems)
    end = _date(request.args.get("till", ""), "till", "Till", problems)
    if start and end and start > end:
        problems.append(("till", "Till-datumet ligger före från-datumet."))
    return DashboardFilter(unit_id, start, end), problems


def _date(raw: str, name: str, label: str, problems: list[tuple[str, str]]) -> date | None:
    if not raw:
        return None
    try:
        if len(raw) != 10:
            raise ValueError(raw)
        return date.fromisoformat(raw)
    except ValueError:
        problems.append((name, f"{label}: skriv datumet som ÅÅÅÅ-MM-DD."))  # in the catalogue
        return None


def _csv(table: str, board: Dashboard) -> str:
    if table == "enheter":
        return to_csv(
            ["Enhet", "Cykel", *(COLUMN_LABELS[c] for c in COLUMNS), "Andel i tid (%)"],
            (
                [r.unit_name, r.title, *(r.counts[c] for c in COLUMNS), r.share_on_time()]
                for r in board.rows
            ),
        )
    if table == "cykler":
        return to_csv(
            ["Id", "Enhet", "Cykel", "Period", "Öppnad", "Avslutad", "Utfall", "Saknade svar"],
            (
                [
                    line.instance.id,
                    line.unit_name,
                    line.title,
                    period_label(line),
                    csv_moment(line.instance.opened_at),
                    csv_moment(line.instance.closed_at),
                    line.outcome,
                    "; ".join(line.missing),
                ]
                for line in board.lines
            ),
        )
    if table == "personer":
        return to_csv(["Person", "Saknade svar"], board.owed)
    if table == "luckor":
        return to_csv(
            ["Enhet", "Cykel", "Period", "Skulle ha öppnat"],
            (
                [g.unit_name, g.title, g.period_label, csv_moment(g.should_have_opened)]
                for g in board.report.gaps
            ),
        )
    return to_csv(
        ["Enhet", "Beslut", "Period", "Uppföljning som saknas"],
        (
            [u.unit_name, u.decision.key, u.decision.period_label, u.follow_up_title]
            for u in board.report.unfollowed
        ),
    )
