"""`lofte archive UNIT --year Y DIR`: a unit's year as a package an archive can keep without
Löfte: the cycles, answers, decisions and actions as CSV (Swedish Excel) and JSON, the yearly
lägesbild och åtgärdsplan as one HTML file, the year's stretch of the audit chain with the
chain's verification when the package was made, a README for the archivist and a manifest with
every file's SHA-256 (`lofte archive verify DIR`, `archive_verify`).

What a package holds: a municipality's package holds that municipality's records; a police
area's holds the area's own (the operativ inriktning) and every one of its municipalities'.
Cycles belong to the year their period starts in (Stockholm time), as in the yearly report;
actions to every year they were in force. Only non-sensitive fields are archived.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from lofte.definitions.directory import Unit
from lofte.kernel import words
from lofte.kernel.errors import ConfigError
from lofte.kernel.timerules import STOCKHOLM
from lofte.workflow.application.app import Application
from lofte.workflow.application.archive_actions import actions_table
from lofte.workflow.application.archive_audit import Segment, year_segment
from lofte.workflow.application.archive_format import (
    EVENTS,
    README,
    VERIFICATION,
    VERSION,
    iso,
    json_bytes,
    table_document,
    thousands,
)
from lofte.workflow.application.archive_package import check_target, write_package
from lofte.workflow.application.archive_readme import readme
from lofte.workflow.application.archive_tables import (
    Table,
    answered,
    answers_table,
    cycles_table,
    decisions_table,
)
from lofte.workflow.application.audit_verify import Verdict
from lofte.workflow.application.reads import CycleFilter
from lofte.workflow.application.yearly_report import render_report, report_data
from lofte.workflow.core.records import CycleInstance


@dataclass(frozen=True)
class ArchivePlan:
    """What a package will hold, checked before anything is written."""

    unit: Unit
    units: tuple[Unit, ...]  # the unit and, for a police area, its municipalities
    year: int
    start: datetime
    end: datetime
    cycles: list[CycleInstance]
    folder: Path
    complete: bool  # the year has ended


@dataclass(frozen=True)
class Archived:
    folder: Path
    files: int  # the manifest included
    bytes: int
    counts: dict[str, int]
    audit_ok: bool
    manifest_sha256: str


def plan_archive(app: Application, unit_id: str, year: int, folder: Path) -> ArchivePlan:
    """Refuse a target, unit or year a package cannot be made of; what it will hold."""
    check_target(folder)
    unit = app.require_unit(unit_id)
    units = (unit, *app.directory().municipalities_of(unit))
    start = datetime(year, 1, 1, tzinfo=STOCKHOLM)
    end = datetime(year + 1, 1, 1, tzinfo=STOCKHOLM)
    if start > app.now:
        raise ConfigError(
            f"år {year} har inte börjat ({words.moment(app.now)}); arkivera ett år som har "
            "börjat, helst ett som har slutat"
        )
    where = CycleFilter(units=[u.id for u in units], started_from=start, started_before=end)
    cycles = app.reads.cycles(where)
    if not cycles:
        raise ConfigError(
            f"det finns inga cykler för {unit.name} år {year}: inget att arkivera (kontrollera "
            "enheten och året)"
        )
    cycles.sort(key=lambda c: (c.period_start, c.unit_id, c.definition_name, c.id or 0))
    return ArchivePlan(unit, units, year, start, end, cycles, folder, end <= app.now)


def make_archive(
    app: Application, plan: ArchivePlan, verdict: Verdict, lofte_version: str
) -> Archived:
    """Write the package of `plan`; `verdict` is the whole chain's verification just made."""
    viewer = app.viewer(None)
    directory = viewer.directory
    found = answered(app, viewer, plan.cycles)
    tables = {
        "cycles": cycles_table(app, plan.cycles, directory),
        "answers": answers_table(found, directory),
        "decisions": decisions_table(found, directory),
        "actions": actions_table(app, viewer, plan.unit.id, (plan.start, plan.end)),
    }
    units = {u.id for u in plan.units}
    segment = year_segment(app.reads.audit_chain(), units, plan.start, plan.end)
    files: dict[str, bytes] = {}
    for name, table in tables.items():
        files |= _table_files(name, table, plan)
    files["report.html"] = render_report(report_data(app, viewer, plan.unit.id, plan.year)).encode()
    files[EVENTS] = segment.text.encode()
    files[VERIFICATION] = json_bytes(_verification(verdict, segment, plan, app.now))
    counts = {name: len(table.rows) for name, table in tables.items()}
    counts |= {"events": segment.events, "withheld": segment.withheld}
    files[README] = readme(plan, counts, verdict.ok).encode()
    facts = _facts(app, plan, counts, verdict, lofte_version)
    size, manifest_sha = write_package(plan.folder, files, facts)
    return Archived(plan.folder, len(files) + 1, size, counts, verdict.ok, manifest_sha)


def _table_files(name: str, table: Table, plan: ArchivePlan) -> dict[str, bytes]:
    return {
        f"{name}.csv": table.csv.encode(),
        f"{name}.json": table_document(name, plan.unit.id, plan.year, table.rows),
    }


def _facts(
    app: Application,
    plan: ArchivePlan,
    counts: dict[str, int],
    verdict: Verdict,
    lofte_version: str,
) -> dict[str, Any]:
    return {
        "unit": {"id": plan.unit.id, "name": plan.unit.name, "kind": plan.unit.kind},
        "units": [{"id": u.id, "name": u.name, "kind": u.kind} for u in plan.units],
        "year": plan.year,
        "period": {"from": iso(plan.start), "until": iso(plan.end)},
        "complete_year": plan.complete,
        "created_at": iso(app.now),
        "lofte_version": lofte_version,
        "counts": counts,
        "audit_ok": verdict.ok,
    }


def _verification(
    verdict: Verdict, segment: Segment, plan: ArchivePlan, now: datetime
) -> dict[str, Any]:
    """audit/verification.json: the whole chain's verification in the database when the
    package was made, and what the events file holds (what `archive verify` checks it by)."""
    outside = verdict.outside
    return {
        "format": "lofte-archive-audit-verification",
        "version": VERSION,
        "checked_at": iso(now),
        "database": {
            "ok": verdict.ok,
            "events": verdict.events,
            "head_seq": verdict.head_seq,
            "head_hash": verdict.head_hash,
            "head_at": iso(verdict.head_at),
            "keyed_events": verdict.keyed,
            "broken_at": verdict.broken_at,
            "problem": verdict.problem,
            "trigger_problems": list(verdict.guard),
            "head_outside": None
            if outside is None
            else {
                "source": outside.source,
                "seq": outside.seq,
                "hash": outside.hash,
                "missing": outside.missing,
                "problem": outside.problem,
            },
        },
        "segment": segment.summary(plan.start, plan.end),
        "text": verdict_text(verdict),
    }


def verdict_text(verdict: Verdict) -> str:
    counted = f"{thousands(verdict.events)} {'händelse' if verdict.events == 1 else 'händelser'}"
    if verdict.ok:
        return (
            f"Granskningsloggen var intakt när arkivet skapades: {counted}, huvud "
            f"{verdict.head_seq}:{verdict.head_hash}."
        )
    problems = [p for p in (verdict.problem, *verdict.guard) if p]
    return (
        "Granskningsloggen kunde inte bekräftas vara intakt när arkivet skapades: "
        f"{'; '.join(problems)}."
    )
