"""What auditors check: every cycle with its definition version, opening, closing, outcome
and the missing inputs (and who owed them); periods that had no cycle (also after the last
one); decisions that were never followed up; one cycle's full audit log."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from definitions.cycle import CycleDefinition
from workflow.application.app import Application
from workflow.application.reads import CycleFilter
from workflow.application.texts import outcome_text
from workflow.application.visibility import Viewer, visible_units
from workflow.core.cadence import first_period_after, period
from workflow.core.records import CompletionRecord, CycleInstance, RequestStatus
from workflow.kernel.timerules import zone

MAX_PERIODS = 2000


@dataclass(frozen=True)
class AuditLine:
    instance: CycleInstance
    title: str
    unit_name: str
    outcome: str
    missing: tuple[str, ...]  # "Name (step)"
    record: CompletionRecord | None


@dataclass(frozen=True)
class Gap:
    definition: str
    title: str
    unit_id: str
    unit_name: str
    period_key: str
    period_label: str
    should_have_opened: datetime


@dataclass(frozen=True)
class Unfollowed:
    decision: CycleInstance
    unit_name: str
    follow_up_title: str


@dataclass
class AuditReport:
    lines: list[AuditLine]
    gaps: list[Gap]
    unfollowed: list[Unfollowed]


def build_audit(
    app: Application,
    viewer: Viewer,
    *,
    definition: str | None = None,
    unit_ids: list[str] | None = None,
) -> AuditReport:
    directory = viewer.directory
    units = [u.id for u in visible_units(viewer)]
    if unit_ids is not None:
        units = [u for u in units if u in unit_ids]
    cycles = app.reads.cycles(CycleFilter(definition=definition, units=units))
    lines = []
    for instance in cycles:
        source = app.definition_of(instance)
        record = instance.completion
        missing = tuple(
            f"{m['person_name']} ({m.get('step_title', m['step'])})"
            + (f" för {m['about']}" if m.get("about") else "")
            for m in (record.missing if record else ())
        )
        lines.append(
            AuditLine(
                instance=instance,
                title=source.display_title(),
                unit_name=app.unit(instance.unit_id, directory).name,
                outcome=outcome_text(instance.outcome, source.names.gender),
                missing=missing,
                record=record,
            )
        )
    return AuditReport(lines, gaps(app, cycles, units, definition), unfollowed(app, cycles))


def gaps(
    app: Application, cycles: list[CycleInstance], units: list[str], only: str | None
) -> list[Gap]:
    """Periods that should have had a cycle by now and had none, per definition and unit,
    from when the definition first applied to the unit (or its first cycle) until now."""
    by_pair: dict[tuple[str, str], set[str]] = defaultdict(set)
    first_start: dict[tuple[str, str], datetime] = {}
    for c in cycles:
        by_pair[(c.definition_name, c.unit_id)].add(c.period_key)
        pair = (c.definition_name, c.unit_id)
        first_start[pair] = min(first_start.get(pair, c.period_start), c.period_start)
    registered = app.reads.first_registered()
    now = app.now
    found: list[Gap] = []
    directory = app.directory()
    for (name, unit_id), since in sorted(registered.items()):
        if unit_id not in units or (only and name != only):
            continue
        latest = app.latest_definition(name, unit_id)
        if latest is None:
            continue
        definition = latest[0]
        start = min(since, first_start.get((name, unit_id), since))
        unit_name = app.unit(unit_id, directory).name
        found += _missing_periods(
            definition, unit_id, unit_name, start, now, by_pair[(name, unit_id)]
        )
    return found


def _missing_periods(
    definition: CycleDefinition,
    unit_id: str,
    unit_name: str,
    start: datetime,
    now: datetime,
    keys: set[str],
) -> list[Gap]:
    found = []
    current = first_period_after(definition, start)
    for _ in range(MAX_PERIODS):
        if current.opens_at > now:
            break
        if current.key not in keys:
            found.append(
                Gap(
                    definition.name,
                    definition.display_title(),
                    unit_id,
                    unit_name,
                    current.key,
                    current.label,
                    current.opens_at,
                )
            )
        current = period(definition, current.index + 1)
    return found


def unfollowed(app: Application, cycles: list[CycleInstance]) -> list[Unfollowed]:
    """Decided quarters whose follow-up should have opened by now but did not happen."""
    found = []
    keys = {c.key for c in cycles}
    for follow_up in {(c.definition_name, c.unit_id) for c in cycles}:
        latest = app.latest_definition(*follow_up)
        if latest is None or latest[0].basis is None:
            continue
        definition, _ = latest
        basis = definition.basis
        assert basis is not None
        for decision in (
            c for c in cycles if c.definition_name == basis.definition and c.unit_id == follow_up[1]
        ):
            answered = [
                r
                for r in app.reads.requests_of_cycle(decision.id or 0)
                if r.step_id == basis.step and r.status is RequestStatus.ANSWERED
            ]
            due = _follow_up_opening(definition, decision.period_key)
            if not answered or due is None or due > app.now:
                continue
            if f"{definition.name}/{decision.unit_id}/{decision.period_key}" not in keys:
                found.append(
                    Unfollowed(
                        decision, app.unit(decision.unit_id).name, definition.display_title()
                    )
                )
    return found


def _follow_up_opening(definition: CycleDefinition, quarter: str) -> datetime | None:
    """When the follow-up of `quarter` (a period key like 2027-Q2) opens."""
    try:
        year, q = quarter.split("-Q")
        start = datetime(int(year), (int(q) - 1) * 3 + 1, 1, tzinfo=zone(definition.timezone))
    except ValueError:
        return None
    first = first_period_after(definition, start)
    return first.opens_at if first.key == quarter else None
