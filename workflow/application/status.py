"""`lofte status` and the start pages: open cycles, waiting answers (overdue first), recent
completions, and what needs a person's attention (timer and delivery incidents)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from lofte.definitions.directory import Directory
from lofte.workflow.application.app import Application
from lofte.workflow.application.reads import CycleFilter
from lofte.workflow.application.texts import state_text
from lofte.workflow.application.visibility import Viewer, visible_units
from lofte.workflow.core.records import CycleInstance, InputRequest, OutboxMessage, Timer


@dataclass(frozen=True)
class CycleLine:
    instance: CycleInstance
    title: str
    unit_name: str
    state: str
    deadline: datetime | None


@dataclass(frozen=True)
class WaitingLine:
    request: InputRequest
    cycle_title: str
    unit_name: str
    period: str
    person_name: str
    step_title: str
    about: str
    overdue: bool


@dataclass
class StatusReport:
    now: datetime
    open_cycles: list[CycleLine] = field(default_factory=list)
    waiting: list[WaitingLine] = field(default_factory=list)
    recent: list[CycleLine] = field(default_factory=list)
    timer_counts: dict[str, int] = field(default_factory=dict)
    next_timer: datetime | None = None
    timer_incidents: list[Timer] = field(default_factory=list)
    outbox_counts: dict[str, int] = field(default_factory=dict)
    outbox_incidents: list[OutboxMessage] = field(default_factory=list)

    @property
    def overdue(self) -> int:
        return sum(1 for w in self.waiting if w.overdue)


def build_status(
    app: Application,
    viewer: Viewer,
    *,
    unit_ids: list[str] | None = None,
    person: str | None = None,
) -> StatusReport:
    directory = viewer.directory
    units = [u.id for u in visible_units(viewer)]
    if unit_ids is not None:
        units = [u for u in units if u in unit_ids]
    now = app.now
    report = StatusReport(now)
    for instance in app.reads.cycles(CycleFilter(units=units, open_only=True)):
        report.open_cycles.append(_line(app, instance, directory))
    for request, instance in app.reads.open_requests(person, units):
        definition = app.definition_of(instance)
        report.waiting.append(
            WaitingLine(
                request=request,
                cycle_title=definition.display_title(),
                unit_name=app.unit(instance.unit_id, directory).name,
                period=instance.period_label,
                person_name=directory.name_of(request.person_id),
                step_title=definition.step(request.step_id).title.sv,
                about=str(request.subject.get("title", "")),
                overdue=request.deadline_at < now,
            )
        )
    report.waiting.sort(key=lambda w: (not w.overdue, w.request.deadline_at))
    closed = [c for c in app.reads.cycles(CycleFilter(units=units)) if c.closed_at is not None]
    closed.sort(key=lambda c: c.closed_at or now)
    report.recent = [_line(app, c, directory) for c in closed[-10:]]
    report.timer_counts = app.reads.timer_counts()
    report.next_timer = app.reads.next_timer()
    report.timer_incidents = app.reads.timers("failed")
    report.outbox_counts = app.reads.outbox_counts()
    report.outbox_incidents = app.reads.outbox("failed", limit=20)
    return report


def _line(app: Application, instance: CycleInstance, directory: Directory) -> CycleLine:
    definition = app.definition_of(instance)
    return CycleLine(
        instance=instance,
        title=definition.display_title(),
        unit_name=app.unit(instance.unit_id, directory).name,
        state=state_text(instance, definition),
        deadline=instance.step_deadline_at,
    )
