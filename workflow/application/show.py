"""One cycle as a person may see it: its steps, who was asked, every answer in full, its
meetings. Sensitive values are shown only to roles allowed to see them, and each time they are
shown the audit log records who saw which."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lofte.definitions.cycle import CycleDefinition
from lofte.definitions.directory import Unit
from lofte.kernel.errors import AccessDenied
from lofte.workflow.application.app import Application
from lofte.workflow.application.texts import request_status, state_text
from lofte.workflow.application.visibility import Viewer, can_see_unit, visible_fields
from lofte.workflow.core.display import shown_fields
from lofte.workflow.core.records import AuditEvent, CycleInstance, InputRequest, Meeting

HIDDEN = "[skyddad uppgift]"


@dataclass
class ShownRequest:
    request: InputRequest
    person_name: str
    status: str
    about: str
    fields: list[dict[str, Any]] = field(default_factory=list)  # shown_fields, sv and en
    sensitive: list[tuple[str, str]] = field(default_factory=list)  # (label, value or HIDDEN)


@dataclass
class ShownStep:
    id: str
    title: str
    requests: list[ShownRequest]
    context: dict[str, Any] | None


@dataclass
class ShownCycle:
    instance: CycleInstance
    definition: CycleDefinition
    unit: Unit
    state: str
    steps: list[ShownStep]
    meetings: list[Meeting]
    content_hidden: bool


def show_cycle(
    app: Application, viewer: Viewer, instance_id: int, *, sensitive: bool = True
) -> ShownCycle:
    """The cycle as `viewer` may see it; with `sensitive=False` (the web page) no sensitive
    value is read at all, only that the field exists."""
    instance = app.cycle(instance_id)
    definition = app.definition_of(instance)
    unit = app.unit(instance.unit_id, viewer.directory)
    if not (can_see_unit(viewer, unit) or viewer.is_auditor(unit)):
        raise AccessDenied(f"{viewer.label} har ingen roll i {unit.name}")
    requests = app.reads.requests_of_cycle(instance_id)
    steps: list[ShownStep] = []
    viewed: list[dict[str, Any]] = []
    hidden_any = False
    for step in definition.steps:
        public, allowed = visible_fields(viewer, definition, step, unit)
        if not sensitive:
            allowed = set()
        hidden_any = hidden_any or len(public) < sum(1 for f in step.fields if not f.sensitive)
        shown = []
        for request in (r for r in requests if r.step_id == step.id):
            item = ShownRequest(
                request,
                viewer.directory.name_of(request.person_id),
                request_status(request.status.value),
                str(request.subject.get("title", "")),
                shown_fields(step.fields, request.answer or {}, viewer.directory, only=public),
            )
            if request.answer is not None and any(f.sensitive for f in step.fields):
                item.sensitive = _sensitive(app, request, step.fields, allowed, viewed)
            shown.append(item)
        context = app.reads.step_context(instance_id, step.id) if public else None
        steps.append(ShownStep(step.id, step.title.sv, shown, context))
    if viewed:
        _record_views(app, viewer, instance, viewed)
    return ShownCycle(
        instance,
        definition,
        unit,
        state_text(instance, definition),
        steps,
        app.reads.meetings_of_cycle(instance_id),
        hidden_any,
    )


def _sensitive(
    app: Application,
    request: InputRequest,
    specs: Any,
    allowed: set[str],
    viewed: list[dict[str, Any]],
) -> list[tuple[str, str]]:
    values: dict[str, Any] = {}
    if allowed:
        with app.engine.store.unit_of_work(read_only=True) as uow:
            values = uow.sensitive.get(request.id or 0) or {}
    shown = []
    for spec in specs:
        if not spec.sensitive:
            continue
        if spec.id in allowed and spec.id in values:
            shown.append((spec.label.sv, str(values[spec.id])))
            viewed.append({"request": request.key, "field": spec.id})
        elif spec.id in allowed:
            shown.append((spec.label.sv, "(inget angivet eller raderat)"))
        else:
            shown.append((spec.label.sv, HIDDEN))
    return shown


def _record_views(
    app: Application, viewer: Viewer, instance: CycleInstance, viewed: list[dict[str, Any]]
) -> None:
    """Every view of a sensitive value is in the audit log: who, when, which."""
    with app.engine.store.unit_of_work() as uow:
        uow.audit.append(
            [
                AuditEvent(
                    at=app.now,
                    event="sensitive_viewed",
                    actor=viewer.label,
                    unit_id=instance.unit_id,
                    definition_name=instance.definition_name,
                    definition_version=instance.definition_version,
                    instance_id=instance.id,
                    detail={"viewer": viewer.label, "values": viewed},
                )
            ]
        )
