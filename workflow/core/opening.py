"""Opening cycles on their cadence: each (definition, unit) keeps exactly one pending opening
timer; when it fires, the period's cycle opens (its meetings booked, its first step entered)
and the next opening is scheduled. Which period comes next is `workflow.core.opening_rule`'s."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from lofte.definitions.cycle import CycleDefinition
from lofte.workflow.core.basis import basis_in_force
from lofte.workflow.core.cadence import Period, first_period_after, period
from lofte.workflow.core.completion import close_with_nothing_to_follow_up
from lofte.workflow.core.keys import instance_key
from lofte.workflow.core.meetings import book_meetings
from lofte.workflow.core.opening_rule import next_opening
from lofte.workflow.core.payloads import OpeningPayload, dump_payload
from lofte.workflow.core.records import CycleInstance, Timer, TimerKind
from lofte.workflow.core.steps import plan_step, start_step
from lofte.workflow.core.work import Work


def schedule_openings(work: Work, takes_effect: Mapping[tuple[str, str], datetime]) -> int:
    """Give every (definition, unit) without a pending opening its next one. Returns how many.

    `takes_effect` holds the pairs whose version a setup change just stored, with the moment
    it takes effect from (`workflow.core.setup`); another pair's next opening is the period
    after its latest cycle, or, without one, the first that opens from now on."""
    pending = work.uow.timers.pending_openings()
    missing = [pair for pair in work.view.pairs() if pair not in pending]
    if not missing:
        return 0
    latest = work.uow.cycles.latest_periods()
    for name, unit_id in missing:
        found = work.catalog.latest(work.uow, work.view, name, unit_id)
        if found is None:
            continue
        last = latest.get((name, unit_id))
        not_before = takes_effect.get((name, unit_id), work.now if last is None else None)
        upcoming = next_opening(found[0], not_before=not_before, after=last)
        schedule_opening(work, found[0], unit_id, upcoming)
    return len(missing)


def schedule_opening(
    work: Work, definition: CycleDefinition, unit_id: str, upcoming: Period
) -> None:
    work.schedule(
        Timer(
            key=work.keys.opening(definition.name, unit_id, upcoming.key),
            kind=TimerKind.CYCLE_OPEN,
            due_at=upcoming.opens_at,
            definition_name=definition.name,
            unit_id=unit_id,
            payload=dump_payload(OpeningPayload(upcoming.index, upcoming.key)),
        )
    )


def open_cycle(work: Work, timer: Timer, payload: OpeningPayload) -> str:
    found = work.catalog.latest(work.uow, work.view, timer.definition_name, timer.unit_id)
    if found is None:
        return "överhoppad: definitionen gäller inte längre för enheten"
    definition, version = found
    target = period(definition, payload.period_index)
    if target.key != payload.period_key:  # the cadence changed since the timer was made
        target = first_period_after(definition, timer.due_at)
    schedule_opening(work, definition, timer.unit_id, period(definition, target.index + 1))
    key = instance_key(definition.name, timer.unit_id, target.key)
    draft = CycleInstance(
        key=key,
        definition_name=definition.name,
        unit_id=timer.unit_id,
        definition_version=version,
        period_key=target.key,
        period_label=target.label,
        period_start=target.starts_at,
        opens_at=target.opens_at,
        ends_at=target.ends_at,
        opened_at=work.now,
        state=definition.first_step.id,
    )
    plan = plan_step(work, draft, definition, definition.first_step.id)
    instance = work.uow.cycles.add(plan.applied_to(draft))  # stored in its first step
    if instance is None:
        return f"{key} var redan öppnad"
    work.audit(
        instance,
        "cycle_opened",
        {"period": target.key, "definition_version": version, "late_by_s": _late_by(work, target)},
        to_state=instance.state,
    )
    if definition.basis is not None and basis_in_force(work, instance, definition) is None:
        work.audit(instance, "basis_missing", {"definition": definition.basis.definition})
        work.uow.cycles.save(close_with_nothing_to_follow_up(work, instance, definition))
        return f"öppnade {key}: inget att följa upp"
    book_meetings(work, instance, definition)
    opened = start_step(work, instance, definition, plan)
    if opened != instance:  # the first step moved on at once (nobody to ask)
        work.uow.cycles.save(opened)
    return f"öppnade {key}"


def _late_by(work: Work, target: Period) -> int:
    return max(0, int((work.now - target.opens_at).total_seconds()))
