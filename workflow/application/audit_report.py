"""What auditors check: every cycle with its definition version, opening, closing, outcome
and the missing inputs (and who owed them); periods that had no cycle (also after the last
one); decisions that were never followed up; one cycle's full audit log."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from lofte.definitions.cycle import CycleDefinition
from lofte.kernel.timerules import zone
from lofte.workflow.application.app import Application
from lofte.workflow.application.reads import CycleFilter
from lofte.workflow.application.texts import outcome_text
from lofte.workflow.application.visibility import Viewer, visible_units
from lofte.workflow.core.cadence import first_period_after
from lofte.workflow.core.catalog import DISABLED
from lofte.workflow.core.opening_rule import OwedPeriod, VersionSpan, owed_periods
from lofte.workflow.core.records import CompletionRecord, CycleInstance, RequestStatus


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
    """Periods that owed a cycle by now and had none, per definition and unit: each period
    under the version in force when it opened (`workflow.core.opening_rule`, the rule the
    engine schedules by), so a period a change removed is not missing."""
    opened: dict[tuple[str, str], dict[str, datetime]] = defaultdict(dict)
    for c in cycles:
        opened[(c.definition_name, c.unit_id)][c.period_key] = c.opened_at
    found: list[Gap] = []
    directory = app.directory()
    for (name, unit_id), versions in sorted(app.reads.version_history().items()):
        if unit_id not in units or (only and name != only):
            continue
        history = [
            VersionSpan(
                v.version,
                v.registered_at,
                None if v.content_hash == DISABLED else app.definition(name, unit_id, v.version),
            )
            for v in versions
        ]
        keys = opened[(name, unit_id)]
        unit_name = app.unit(unit_id, directory).name
        for owed in owed_periods(history, keys, app.now):
            if owed.period.key not in keys:
                found.append(_gap(owed, unit_id, unit_name))
    return found


def _gap(owed: OwedPeriod, unit_id: str, unit_name: str) -> Gap:
    return Gap(
        owed.definition.name,
        owed.definition.display_title(),
        unit_id,
        unit_name,
        owed.period.key,
        owed.period.label,
        owed.period.opens_at,
    )


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
