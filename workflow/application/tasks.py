"""My tasks: a person's open requests (overdue first, then by deadline), what they answered,
and their coming meetings; each open request with its answer link."""

from __future__ import annotations

from dataclasses import dataclass

from lofte.definitions.fields import BooleanField
from lofte.definitions.steps import AnyStep
from lofte.workflow.application.answer_links import installation_secret, make_token
from lofte.workflow.application.app import Application
from lofte.workflow.core.cadence import label_of_key
from lofte.workflow.core.display import about_line
from lofte.workflow.core.records import CycleInstance, InputRequest, Meeting

HISTORY = 20


@dataclass(frozen=True)
class Task:
    request: InputRequest
    cycle: CycleInstance
    title: str
    unit_name: str
    period: str
    step_title: str
    about: str  # what a follow-up is about: the insats or åtagande, its place and due date
    overdue: bool
    token: str
    nothing_field: str | None  # a "nothing to report" field: one click answers it
    nothing_label: str


@dataclass(frozen=True)
class MeetingItem:
    meeting: Meeting
    title: str
    unit_name: str
    name: str  # the meeting's own name


@dataclass(frozen=True)
class MyTasks:
    person_name: str
    open: list[Task]
    answered: list[Task]
    meetings: list[MeetingItem]


def my_tasks(app: Application, person_id: str) -> MyTasks:
    directory = app.directory()
    person = directory.find(person_id)
    language = person.language if person else "sv"
    with app.engine.store.unit_of_work(read_only=True) as uow:
        secret = installation_secret(uow.settings, app.configured_secret)
    now = app.now

    def task(request: InputRequest, cycle: CycleInstance) -> Task:
        definition = app.definition_of(cycle)
        step = definition.step(request.step_id)
        nothing = nothing_to_report(step)
        return Task(
            request=request,
            cycle=cycle,
            title=definition.display_title(language),
            unit_name=app.unit(cycle.unit_id, directory).name,
            period=label_of_key(cycle.period_key, language),
            step_title=step.title.get(language),
            about=about_line(request.subject, language),
            overdue=request.deadline_at < now,
            token=make_token(request.id or 0, request.late_until, secret),
            nothing_field=nothing.id if nothing else None,
            nothing_label=nothing.label.get(language) if nothing else "",
        )

    waiting = [task(r, c) for r, c in app.reads.open_requests(person_id)]
    waiting.sort(key=lambda t: (not t.overdue, t.request.deadline_at))
    done = [task(r, c) for r, c in app.reads.answered_requests_of(person_id, HISTORY)]
    meetings = [
        MeetingItem(
            m,
            app.definition_of(c).display_title(language),
            app.unit(c.unit_id, directory).name,
            app.definition_of(c).meeting_name(app.definition_of(c).step(m.step_id), language),
        )
        for m, c in app.reads.meetings_of(person_id, now)
    ]
    return MyTasks(person.name if person else person_id, waiting, done, meetings)


def nothing_to_report(step: AnyStep) -> BooleanField | None:
    """A boolean field that, when true, excuses every other required field of the step."""
    for spec in step.fields:
        if isinstance(spec, BooleanField) and any(
            f.required_unless == spec.id for f in step.fields
        ):
            return spec
    return None


def answer_nothing(app: Application, person_id: str, request_id: int) -> InputRequest:
    """One click: answer a request with its "nothing to report" field."""
    from lofte.kernel.errors import RequestClosed

    for request, cycle in app.reads.open_requests(person_id):
        if request.id == request_id:
            field = nothing_to_report(app.definition_of(cycle).step(request.step_id))
            if field is None:
                break
            return app.engine.submit(request_id, person_id, {field.id: True})
    raise RequestClosed(request_id, "den går inte att besvara med ett klick")
