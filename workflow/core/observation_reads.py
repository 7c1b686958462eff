"""Reading a unit's EST observations over a window, wherever they were reported (an inventory's
answers, or an import from another tool): the one read behind the lägesbild, the police area's
picture and the counts that follow an action up. An observation belongs to the
window its own time falls in, whichever inventory reported it (`lagesbild.observed_at`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from lofte.definitions.cycle import CycleDefinition
from lofte.definitions.directory import Unit
from lofte.definitions.fields import ChoiceField, RowsField
from lofte.definitions.steps import ObservationSource
from lofte.kernel.errors import NotFound
from lofte.workflow.core.imported import imported_between
from lofte.workflow.core.lagesbild import (
    category_labels,
    observations_from,
    observed_at,
    reporting_periods,
)
from lofte.workflow.core.observations import moment_of
from lofte.workflow.core.places import register_of, resolve
from lofte.workflow.core.work import Work


@dataclass
class ReadObservations:
    """The observations whose time falls in [start, end), each with that time; the reports of
    inventories whose period begins in [reports_from, end); the categories offered."""

    found: list[tuple[datetime, dict[str, Any]]] = field(default_factory=list)
    reports: int = 0
    nothing_to_report: int = 0
    categories: list[dict[str, str]] = field(default_factory=list)


def read_observations(
    work: Work, unit: Unit, start: datetime, end: datetime, *, reports_from: datetime
) -> ReadObservations:
    """Every observation of `unit` made in [start, end), read from every inventory that may
    report it, with the place the register says each names."""
    read = ReadObservations()
    for name, definition in observation_sources(work, unit):
        step = definition.observation_step()
        assert step is not None and step.observations is not None
        spec = next((f for f in step.fields if f.id == step.observations.field), None)
        column = spec.column(step.observations.category) if isinstance(spec, RowsField) else None
        if not read.categories:
            read.categories = category_labels(column if isinstance(column, ChoiceField) else None)
        every = timedelta(seconds=definition.cadence.every.approx_seconds())
        first, last = reporting_periods(start, end, every)
        answered = work.uow.requests.answers_by_period(name, unit.id, step.id, first, last)
        for answer in answered:
            source = _source_of(work, name, unit, answer.definition_version, step.id)
            found, count, empty = observations_from([answer], source or step.observations)
            if reports_from <= answer.period_start < end:
                read.reports += count
                read.nothing_to_report += empty
            for observation in found:
                at = observed_at(observation, answer.period_start)
                if start <= at < end:
                    read.found.append((at, observation))
    for observation in imported_between(work, unit.id, start, end):  # from other tools
        seen = moment_of(observation)  # an imported observation always has its date
        if seen is not None and start <= seen < end:
            read.found.append((seen, observation))
    resolve((o for _, o in read.found), register_of(work, unit))
    return read


def _source_of(
    work: Work, name: str, unit: Unit, version: int, step_id: str
) -> ObservationSource | None:
    """The observation source of the definition version an answer was given under (its
    columns may differ from the latest's: an earlier shape is upgraded as it is read)."""
    if version <= 0:
        return None
    try:
        definition = work.catalog.definition(work.uow, name, unit.id, version)
    except NotFound:
        return None
    step = next((s for s in definition.steps if s.id == step_id), None)
    return step.observations if step is not None else None


def observation_sources(work: Work, unit: Unit) -> list[tuple[str, CycleDefinition]]:
    found = []
    for name in work.view.names_for(unit.id):
        latest = work.catalog.latest(work.uow, work.view, name, unit.id)
        if latest is not None and latest[0].observation_step() is not None:
            found.append((name, latest[0]))
    return found
