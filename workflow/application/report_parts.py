"""The parts of the yearly "Lägesbild och åtgärdsplan" that read the year's quarterly cycles
(Lag 2023:196 § 4): the analyses and decisions (analys), and the follow-ups with the effect
each action's owner judged (uppföljning). A quarterly cycle is one that opens once a month or
less often; one with a follow-up step is an uppföljning, any other an analysis."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from lofte.definitions.cycle import CycleDefinition
from lofte.definitions.directory import Unit
from lofte.kernel import words
from lofte.kernel.timerules import STOCKHOLM
from lofte.workflow.application.app import Application
from lofte.workflow.application.promise_view import cycle_promise_words
from lofte.workflow.application.reads import CycleFilter
from lofte.workflow.application.texts import outcome_text
from lofte.workflow.application.visibility import Viewer, visible_fields
from lofte.workflow.core.display import shown_fields
from lofte.workflow.core.records import CycleInstance, RequestStatus

MONTHLY = timedelta(days=28)


def year_filter(units: list[Unit], year: int) -> CycleFilter:
    return CycleFilter(
        units=[u.id for u in units],
        started_from=datetime(year, 1, 1, tzinfo=STOCKHOLM),
        started_before=datetime(year + 1, 1, 1, tzinfo=STOCKHOLM),
    )


def _quarterly(definition: CycleDefinition) -> bool:
    return definition.cadence.every.approx_seconds() >= MONTHLY.total_seconds()


def quarterly_parts(
    app: Application, viewer: Viewer, units: list[Unit], year: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(analyses, follow-ups): every answered step of the year's quarterly cycles, in order,
    with the fields `viewer` may read; a follow-up cycle's per-action answers (the steps that
    update an action) are in the action plan, its summary here."""
    names = {u.id: u.name for u in units}
    analyses: list[dict[str, Any]] = []
    follow_ups: list[dict[str, Any]] = []
    for cycle in app.reads.cycles(year_filter(units, year)):
        definition = app.definition_of(cycle)
        if not _quarterly(definition):
            continue
        following = any(s.action_update() is not None for s in definition.steps)
        entries = _answered(app, viewer, definition, cycle, names.get(cycle.unit_id, ""))
        (follow_ups if following else analyses).extend(entries)
    return analyses, follow_ups


def _answered(
    app: Application, viewer: Viewer, definition: CycleDefinition, cycle: CycleInstance, name: str
) -> list[dict[str, Any]]:
    unit = app.unit(cycle.unit_id, viewer.directory)
    found = []
    for request in app.reads.requests_of_cycle(cycle.id or 0):
        step = definition.step(request.step_id)
        if step.action_update() is not None or request.status is not RequestStatus.ANSWERED:
            continue
        public, _ = visible_fields(viewer, definition, step, unit)
        found.append(
            {
                "unit_name": name,
                "title": f"{definition.display_title()} {cycle.period_label}",
                "step": (
                    definition.decision_name(step)
                    if step.records_decision
                    else step.title.get("sv")
                ),
                "decision": step.records_decision,
                "when": words.moment(request.answered_at) if request.answered_at else "",
                "by": viewer.directory.name_of(request.person_id),
                "fields": shown_fields(
                    step.fields, request.answer or {}, viewer.directory, only=public
                ),
                "promise": cycle_promise_words(viewer.directory, definition, cycle),
            }
        )
    return found


def completion(app: Application, units: list[Unit], year: int) -> list[dict[str, Any]]:
    """Per cycle (and municipality, when several): how many opened and how each ended."""
    several = len(units) > 1
    names = {u.id: u.name for u in units}
    counts: dict[str, Counter[str]] = {}
    for cycle in app.reads.cycles(year_filter(units, year)):
        definition = app.definition_of(cycle)
        label = outcome_text(cycle.outcome, definition.names.gender) if cycle.outcome else "pågår"
        title = definition.display_title()
        if several:
            title = f"{names.get(cycle.unit_id, cycle.unit_id)}: {title}"
        counts.setdefault(title, Counter())[label] += 1
    return [
        {"title": title, "opened": sum(c.values()), "outcomes": sorted(c.items())}
        for title, c in sorted(counts.items())
    ]
