"""The year's actions of an archive package: every action that was in force at some time in
the year (decided before its end, not closed before its start), with its follow-ups and its
numbers as they stand when the package is made."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from lofte.workflow.application.actions_view import (
    ACTION_HEADERS,
    ActionLine,
    action_cells,
    list_actions,
)
from lofte.workflow.application.app import Application
from lofte.workflow.application.archive_format import iso
from lofte.workflow.application.archive_tables import Table
from lofte.workflow.application.csv_export import to_csv
from lofte.workflow.application.visibility import Viewer
from lofte.workflow.core.effect import Effect


def actions_table(
    app: Application, viewer: Viewer, unit_id: str, year: tuple[datetime, datetime]
) -> Table:
    """`unit_id`'s actions (a police area's with its municipalities') in force during `year`."""
    start, end = year
    lines = [
        line
        for line in list_actions(app, viewer, unit_id)
        if line.action.created_at < end
        and (line.action.closed_at is None or line.action.closed_at >= start)
    ]
    lines.sort(key=lambda line: line.action.id or 0)
    csv_rows = [[line.action.id, line.unit_name, *action_cells(line)] for line in lines]
    return Table(
        to_csv(["Id", "Enhet", *ACTION_HEADERS], csv_rows),
        [_row(line, _follow_ups(app, viewer, line)) for line in lines],
    )


def _follow_ups(app: Application, viewer: Viewer, line: ActionLine) -> list[dict[str, Any]]:
    return [
        {
            "at": iso(at),
            "status": status,
            "by_id": by,
            "by": viewer.directory.name_of(by),
            "note": note,
            "effect": effect,
        }
        for at, status, by, note, effect in app.reads.action_history(line.action.id or 0)
    ]


def _row(line: ActionLine, follow_ups: list[dict[str, Any]]) -> dict[str, Any]:
    action = line.action
    return {
        "id": action.id,
        "key": action.key,
        "unit_id": action.unit_id,
        "unit": line.unit_name,
        "kind": action.kind,
        "kind_text": line.kind,
        "what": action.what,
        "place": action.place,
        "problem": action.problem,
        "indicator": action.indicator,
        "target_categories": list(action.categories),
        "baseline_given": action.baseline,
        "owner_id": action.owner_id,
        "owner": line.owner,
        "party": line.party,
        "due_date": iso(action.due_date),
        "status": action.status.value,
        "status_text": line.status,
        "decided_in": action.source_label,
        "decided_in_cycle_id": action.source_instance_id,
        "created_at": iso(action.created_at),
        "closed_at": iso(action.closed_at),
        "effect_judged": action.effect,
        "follow_ups": follow_ups,
        "numbers": _numbers(line.effect),
        "record_version": action.version,
    }


def _numbers(effect: Effect | None) -> dict[str, Any] | None:
    """What the action targets counted: before the decision and since, to the package's day."""
    if effect is None:
        return None
    return {
        "target": effect.target,
        "baseline": effect.baseline,
        "since": effect.since,
        "decided": iso(effect.decided),
        "until": iso(effect.until),
        "weekly": [list(week) for week in effect.weekly],
    }
