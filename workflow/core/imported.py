"""What comes in from other tools: EST observations exported from elsewhere (Embrace, Excel,
form exports) and yearly indicators (Brå's reported crimes, the police's trygghetsmätning).

Imported observations are kept in their own store (`Imports`), each in the versioned shape of
`workflow.core.observations`, and the lägesbild reads them beside the inventories' answers, at
their own time; places resolve through the register at read time as answers' do. An
indicator is kept per (unit, year, name, source) in versions: a re-import with another value
adds the next version, the same value adds nothing. Every import is one audit event.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lofte.definitions.directory import Unit
from lofte.definitions.fields import ChoiceField, RowsField
from lofte.workflow.core.lagesbild import category_labels
from lofte.workflow.core.observations import current, moment_of
from lofte.workflow.core.records import ImportedObservation, Indicator
from lofte.workflow.core.work import Work

INDICATOR_FORMAT = 1


def imported_between(
    work: Work, unit_id: str, start: datetime, end: datetime
) -> list[dict[str, Any]]:
    """The unit's imported observations whose time is in [start, end), in the current shape,
    as the lägesbild reads an answer's (`lagesbild.observations_from`)."""
    found = work.uow.imports.observations_between(unit_id, start, end)
    return [
        current(o.observation) | {"unit": unit_id, "cycle": "", "imported": o.source} for o in found
    ]


def imported_around(
    work: Work, unit_id: str, start: datetime, end: datetime
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The unit's imported observations of [start, end) and of the period of the same length
    before it (the lägesbild's change), each where its own time falls."""
    now: list[dict[str, Any]] = []
    before: list[dict[str, Any]] = []
    for observation in imported_between(work, unit_id, start - (end - start), end):
        moment = moment_of(observation)  # an imported observation always has its date
        (now if moment is not None and moment >= start else before).append(observation)
    return now, before


def observation_categories(work: Work, unit: Unit) -> list[dict[str, str]]:
    """The categories of the unit's EST inventory (`value`, `sv`, `en`), in its order."""
    for name in work.view.names_for(unit.id):
        latest = work.catalog.latest(work.uow, work.view, name, unit.id)
        step = latest[0].observation_step() if latest is not None else None
        if step is None or step.observations is None:
            continue
        spec = next((f for f in step.fields if f.id == step.observations.field), None)
        column = spec.column(step.observations.category) if isinstance(spec, RowsField) else None
        if isinstance(column, ChoiceField):
            return category_labels(column)
    return []


def store_observations(
    work: Work,
    unit_id: str,
    observations: Sequence[ImportedObservation],
    *,
    file: str,
    rows: int,
    skipped: Sequence[int] = (),
) -> int:
    """Store the observations the unit does not have yet; one audit event names the file,
    its rows, how many were added and the rows skipped as bad. Returns how many were added."""
    added = work.uow.imports.add_observations(observations)
    detail = {
        "file": file,
        "rows": rows,
        "added": added,
        "already": len(observations) - added,
        "skipped_rows": list(skipped),
    }
    work.audit(None, "observations_imported", detail, unit_id=unit_id)
    return added


@dataclass(frozen=True)
class Figure:
    """One row of an indicator file, understood."""

    year: int
    name: str
    source: str
    value: float
    measure: str = ""


@dataclass(frozen=True)
class IndicatorOutcome:
    added: int = 0  # indicators the unit did not have
    changed: int = 0  # a new version: the value (or its measure) differs
    unchanged: int = 0


def latest_indicators(work: Work, unit_id: str) -> dict[tuple[int, str, str], Indicator]:
    """(year, name, source) -> its latest version."""
    latest: dict[tuple[int, str, str], Indicator] = {}
    for indicator in work.uow.imports.indicators(unit_id):  # versions in order
        latest[(indicator.year, indicator.name, indicator.source)] = indicator
    return latest


def store_indicators(
    work: Work, unit_id: str, figures: Sequence[Figure], *, file: str, dry_run: bool = False
) -> IndicatorOutcome:
    """Store each figure as a new version where it is new or its value changed."""
    latest = latest_indicators(work, unit_id)
    new: list[Indicator] = []
    added = changed = unchanged = 0
    for figure in figures:
        before = latest.get((figure.year, figure.name, figure.source))
        if before is not None and (before.value, before.measure) == (figure.value, figure.measure):
            unchanged += 1
            continue
        added, changed = (added + 1, changed) if before is None else (added, changed + 1)
        made = Indicator(
            unit_id=unit_id,
            year=figure.year,
            name=figure.name,
            source=figure.source,
            value=figure.value,
            measure=figure.measure,
            version=1 if before is None else before.version + 1,
            imported_at=work.now,
            imported_by=work.actor[:120],
            file=file[:200],
            format=INDICATOR_FORMAT,
        )
        latest[(figure.year, figure.name, figure.source)] = made
        new.append(made)
    outcome = IndicatorOutcome(added, changed, unchanged)
    if not dry_run:
        work.uow.imports.add_indicators(new)
        detail = {"file": file, "rows": len(figures), "added": added, "changed": changed}
        work.audit(None, "indicators_imported", detail | {"unchanged": unchanged}, unit_id=unit_id)
    return outcome


def indicators_for(work: Work, unit_id: str, years: Sequence[int]) -> list[dict[str, Any]]:
    """The latest version of each of the unit's indicators of `years`, by name, source and
    year, each with the value of the year before when there is one (plain data: a step's
    context, a page, the yearly report)."""
    latest = latest_indicators(work, unit_id)
    wanted = set(years)
    found = sorted(
        (i for (year, _, _), i in latest.items() if year in wanted),
        key=lambda i: (i.name.casefold(), i.source, i.year),
    )
    lines = []
    for indicator in found:
        before = latest.get((indicator.year - 1, indicator.name, indicator.source))
        lines.append(
            {
                "year": indicator.year,
                "name": indicator.name,
                "source": indicator.source,
                "value": indicator.value,
                "measure": indicator.measure,
                "previous": None if before is None else before.value,
                "version": indicator.version,
            }
        )
    return lines
