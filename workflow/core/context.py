"""Context a step shows, resolved once when the step opens and stored with it: the lägesbild,
answers of other cycles, the decision in force, the unit's open actions. Only non-sensitive
data ever enters it (it is shown in emails)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from lofte.definitions.cycle import CycleDefinition
from lofte.definitions.directory import Unit
from lofte.definitions.steps import (
    ActionsContext,
    AnswersContext,
    AnyStep,
    ContextSpec,
    DecisionInForce,
    IndicatorsContext,
    LagesbildContext,
    Window,
)
from lofte.kernel.timerules import to_utc, wall_clock, zone
from lofte.workflow.core.cadence import quarter_key, quarter_start
from lofte.workflow.core.display import both, shown_fields
from lofte.workflow.core.effect import Effect, effects_of
from lofte.workflow.core.effect_words import baseline_text, latest_text
from lofte.workflow.core.imported import indicators_for
from lofte.workflow.core.keys import instance_key
from lofte.workflow.core.lagesbild import compile_lagesbild
from lofte.workflow.core.observation_reads import read_observations
from lofte.workflow.core.records import CycleInstance, InputRequest
from lofte.workflow.core.work import Work

CONTEXT_VERSION = 1
EPSILON = timedelta(microseconds=1)


def resolve_context(
    work: Work, instance: CycleInstance, definition: CycleDefinition, step: AnyStep
) -> dict[str, Any] | None:
    if not step.context:
        return None
    items = [
        _item(work, instance, definition, spec, (step.id, index))
        for index, spec in enumerate(step.context)
    ]
    return {"v": CONTEXT_VERSION, "items": items}


def _item(
    work: Work,
    instance: CycleInstance,
    definition: CycleDefinition,
    spec: ContextSpec,
    place: tuple[str, int],
) -> dict[str, Any]:
    unit = work.unit_or_placeholder(instance.unit_id)
    units = work.directory.municipalities_of(unit) if spec.per_municipality else (unit,)
    head = {"kind": spec.kind, "label": both(spec.label.sv, spec.label.en)}
    match spec:
        case LagesbildContext():
            start, end = lagesbild_window(work, instance, definition, spec.window, place)
            parts = [
                lagesbild_for(work, u, start, end) | {"unit_name": u.name, "unit_id": u.id}
                for u in units
            ]
            return head | {"parts": parts}
        case AnswersContext():
            return head | {"entries": _answers(work, instance, definition, spec, units)}
        case DecisionInForce():
            return head | {"entries": [_decision(work, instance, spec, u) for u in units]}
        case IndicatorsContext():
            year = wall_clock(instance.opens_at, zone(definition.timezone)).year
            years = range(year - spec.years, year + 1)
            parts = [
                {"unit_name": u.name, "entries": indicators_for(work, u.id, years)} for u in units
            ]
            return head | {"parts": parts}
        case ActionsContext():
            return head | {"entries": _open_actions(work, units, spec.kinds)}


def _open_actions(work: Work, units: Sequence[Unit], kinds: Sequence[str]) -> list[dict[str, Any]]:
    """The units' open actions of `kinds`, each with its numbers where it names a target."""
    entries = []
    for unit in units:
        actions = work.uow.actions.open_in([unit.id], kinds)
        effects = effects_of(work, unit, actions) if actions else {}
        for a in actions:
            effect = effects.get(a.id or 0)
            entries.append(
                {
                    "what": a.what,
                    "kind": a.kind,
                    "owner": work.directory.name_of(a.owner_id),
                    "due": a.due_date.isoformat() if a.due_date else "",
                    "status": a.status.value,
                    "source": a.source_label,
                }
                | (_effect_entry(effect) if effect is not None else {})
            )
    return entries


def _effect_entry(effect: Effect) -> dict[str, Any]:
    return {
        "baseline": both(baseline_text(effect), baseline_text(effect, "en")),
        "latest": both(latest_text(effect), latest_text(effect, "en")),
    }


def window_bounds(
    work: Work, instance: CycleInstance, definition: CycleDefinition, window: Window
) -> tuple[datetime, datetime]:
    """[start, end) of a window, as instants."""
    now = work.now
    match window:
        case "this_cycle" | "this_period":
            return instance.period_start, instance.ends_at
        case "since_previous" | "previous" | "latest":
            previous = work.uow.cycles.previous(
                instance.definition_name, instance.unit_id, instance.period_start
            )
            start = (
                previous.period_start + EPSILON
                if previous is not None
                else instance.period_start - (instance.ends_at - instance.period_start) + EPSILON
            )
            return start, now + EPSILON
        case "quarter_to_date":
            tz = zone(definition.timezone)
            return to_utc(quarter_start(wall_clock(now, tz)), tz), now + EPSILON


def lagesbild_window(
    work: Work,
    instance: CycleInstance,
    definition: CycleDefinition,
    window: Window,
    place: tuple[str, int],
) -> tuple[datetime, datetime]:
    """[start, end) of a step's lägesbild, in the observations' own time, ending now. The
    quarter's begins with the quarter; every other window begins where the same lägesbild of
    the cycle before ended (the moment it was last brought up to date), so that consecutive
    compilations and meetings see each moment exactly once, the weekend reported on Monday
    included. A cycle without one before looks back one period."""
    if window == "quarter_to_date":
        return window_bounds(work, instance, definition, window)
    end = work.now + EPSILON
    previous = work.uow.cycles.previous(
        instance.definition_name, instance.unit_id, instance.period_start
    )
    if previous is None or previous.id is None:
        return instance.period_start - (instance.ends_at - instance.period_start), end
    stored = work.uow.contexts.get(previous.id, place[0])
    items = stored.get("items", []) if stored else []
    item = items[place[1]] if place[1] < len(items) else {}
    parts = (item.get("parts") or [{}]) if item.get("kind") == "lagesbild" else [{}]
    ended = parts[0].get("to")
    start = datetime.fromisoformat(ended) if ended else previous.period_start + EPSILON
    return min(start, end), end


@dataclass
class Gathered:
    """The observations of a unit whose own time falls in [start, end) and in the period of
    the same length before it, the reports of inventories whose period begins in [start, end),
    and the category field's labels."""

    observations: list[dict[str, Any]] = field(default_factory=list)
    previous: list[dict[str, Any]] = field(default_factory=list)
    reports: int = 0
    nothing: int = 0
    categories: list[dict[str, str]] = field(default_factory=list)


def lagesbild_for(work: Work, unit: Unit, start: datetime, end: datetime) -> dict[str, Any]:
    """The lägesbild of `unit` over [start, end): the observations whose own time falls in it
    (and, for the change, in the period of the same length before it), from every inventory
    that may report them; the reports counted are those of inventories whose period begins
    in [start, end)."""
    found = gather(work, unit, start, end)
    compiled = compile_lagesbild(
        found.observations,
        found.previous,
        start=start,
        end=end,
        categories=found.categories,
        reports=found.reports,
        nothing_to_report=found.nothing,
    )
    imported = sum(1 for o in found.observations if o.get("imported"))
    return compiled | {"imported": imported}  # of the total, brought in from other tools


def gather(work: Work, unit: Unit, start: datetime, end: datetime) -> Gathered:
    """What `lagesbild_for` compiles: one read of the unit's observations over both windows
    (`observation_reads`), each where its own time falls, places resolved by the register."""
    read = read_observations(work, unit, start - (end - start), end, reports_from=start)
    return Gathered(
        observations=[o for at, o in read.found if at >= start],
        previous=[o for at, o in read.found if at < start],
        reports=read.reports,
        nothing=read.nothing_to_report,
        categories=read.categories,
    )


def _answers(
    work: Work,
    instance: CycleInstance,
    definition: CycleDefinition,
    spec: AnswersContext,
    units: tuple[Unit, ...],
) -> list[dict[str, Any]]:
    name = spec.definition or definition.name
    if spec.window == "this_cycle":
        cycles = [instance]
    elif spec.window in ("previous", "latest"):
        before = instance.period_start if name == definition.name else work.now + EPSILON
        cycles = [
            c for u in units if (c := work.uow.cycles.previous(name, u.id, before)) is not None
        ]
    else:
        start, end = window_bounds(work, instance, definition, spec.window)
        cycles = work.uow.cycles.started_between(name, [u.id for u in units], start, end)
    by_id = {c.id: c for c in cycles}
    entries = []
    for request in work.uow.requests.answered([c.id or 0 for c in cycles], spec.step):
        cycle = by_id[request.instance_id]
        entries.append(_entry(work, cycle, spec.step, request))
    return entries


def _entry(work: Work, cycle: CycleInstance, step_id: str, request: InputRequest) -> dict[str, Any]:
    source = work.definition_of(cycle)
    step = source.step(step_id)
    values = request.answer or {}
    about = request.subject.get("title") if request.subject else None
    return {
        "cycle": both(
            f"{source.display_title('sv')} {cycle.period_label}",
            f"{source.display_title('en')} {cycle.period_label}",
        ),
        "unit_name": work.unit_or_placeholder(cycle.unit_id).name,
        "unit_id": cycle.unit_id,
        "cycle_id": cycle.id,
        "person": work.directory.name_of(request.person_id),
        "about": about,
        "fields": shown_fields(step.fields, values, work.directory),
    }


def _decision(
    work: Work, instance: CycleInstance, spec: DecisionInForce, unit: Unit
) -> dict[str, Any]:
    """The decision for the quarter that contains this cycle's opening date."""
    tz = zone("Europe/Stockholm")
    quarter = quarter_key(wall_clock(instance.opens_at, tz))
    cycle = work.uow.cycles.by_key(instance_key(spec.definition, unit.id, quarter))
    answered = work.uow.requests.answered([cycle.id or 0], spec.step) if cycle else []
    if cycle is None or not answered:
        return {"unit_name": unit.name, "period": quarter, "missing": True}
    entry = _entry(work, cycle, spec.step, answered[0])
    return entry | {"period": quarter, "missing": False}
