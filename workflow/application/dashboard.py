"""The auditor's dashboard: per unit and cycle kind, how many cycles opened, completed on time,
late, closed incomplete, had no basis or are still open; who owed each missing input; periods
without a cycle; decisions without a follow-up. Filtered by unit and by period start dates."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from lofte.kernel.timerules import STOCKHOLM
from lofte.workflow.application.app import Application
from lofte.workflow.application.audit_cache import cached_audit
from lofte.workflow.application.audit_report import AuditLine, AuditReport
from lofte.workflow.application.visibility import Viewer
from lofte.workflow.core.cadence import label_of_key
from lofte.workflow.core.records import Outcome

COLUMNS = ("opened", "on_time", "late", "incomplete", "no_basis", "open")
COLUMN_LABELS = {
    "opened": "Öppnade",
    "on_time": "I tid",
    "late": "Sent",
    "incomplete": "Ofullständiga",
    "no_basis": "Inget att följa upp",
    "open": "Pågår",
}
OUTCOME_COLUMN = {
    Outcome.COMPLETED_ON_TIME: "on_time",
    Outcome.COMPLETED_LATE: "late",
    Outcome.CLOSED_INCOMPLETE: "incomplete",
    Outcome.NO_BASIS: "no_basis",
}


@dataclass(frozen=True)
class DashboardFilter:
    unit_id: str | None = None
    start: date | None = None
    end: date | None = None

    def keeps(self, line: AuditLine) -> bool:
        started = line.instance.period_start.astimezone(STOCKHOLM).date()
        return (self.start is None or started >= self.start) and (
            self.end is None or started <= self.end
        )


@dataclass
class Row:
    unit_name: str
    title: str
    counts: Counter[str] = field(default_factory=Counter)

    def share_on_time(self) -> int:
        closed = self.counts["opened"] - self.counts["open"]
        return round(100 * self.counts["on_time"] / closed) if closed else 0


@dataclass(frozen=True)
class Dashboard:
    rows: list[Row]
    lines: list[AuditLine]
    owed: list[tuple[str, int]]  # (person, missing inputs), most first
    report: AuditReport

    @property
    def totals(self) -> Counter[str]:
        total: Counter[str] = Counter()
        for row in self.rows:
            total.update(row.counts)
        return total


def dashboard(app: Application, viewer: Viewer, where: DashboardFilter) -> Dashboard:
    units = [where.unit_id] if where.unit_id else None
    report = cached_audit(app, viewer, units)
    lines = [line for line in report.lines if where.keeps(line)]
    rows: dict[tuple[str, str], Row] = {}
    owed: Counter[str] = Counter()
    for line in lines:
        row = rows.setdefault((line.unit_name, line.title), Row(line.unit_name, line.title))
        row.counts["opened"] += 1
        outcome = line.instance.outcome
        row.counts[OUTCOME_COLUMN[outcome] if outcome else "open"] += 1
        for missing in line.record.missing if line.record else ():
            owed[str(missing.get("person_name", missing.get("person_id", "")))] += 1
    gaps = [g for g in report.gaps if _in_range(where, g.should_have_opened)]
    unfollowed = [u for u in report.unfollowed if _in_range(where, u.decision.period_start)]
    kept = AuditReport(lines, gaps, unfollowed)
    return Dashboard(
        sorted(rows.values(), key=lambda r: (r.unit_name, r.title)),
        lines,
        owed.most_common(),
        kept,
    )


def _in_range(where: DashboardFilter, moment: datetime) -> bool:
    day = moment.astimezone(STOCKHOLM).date()
    return (where.start is None or day >= where.start) and (where.end is None or day <= where.end)


def period_label(line: AuditLine) -> str:
    return label_of_key(line.instance.period_key)
