"""The page of one cycle, which emails about it lead to (summary, meeting, decision,
escalation): where it stands, its meetings and decisions by their own names, every answer a
person may see and who still owes one, and the actions it created. No sensitive value is read
for it; visibility as everywhere (a role in the unit, or an auditor)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from lofte.definitions.cycle import CycleDefinition
from lofte.definitions.directory import Unit
from lofte.definitions.steps import AnyStep
from lofte.kernel.errors import NotFound
from lofte.workflow.application import page_paths
from lofte.workflow.application.app import Application
from lofte.workflow.application.mail_notes import mail_notes
from lofte.workflow.application.show import ShownStep, show_cycle
from lofte.workflow.application.texts import action_kind, action_status, request_status, state_text
from lofte.workflow.application.ui_text import ui
from lofte.workflow.application.visibility import Viewer
from lofte.workflow.core.cadence import label_of_key
from lofte.workflow.core.display import about_line
from lofte.workflow.core.effect import Effect, effects_of
from lofte.workflow.core.effect_words import baseline_text, latest_text
from lofte.workflow.core.promise_in_force import names_promise, promise_words
from lofte.workflow.core.records import CycleInstance


@dataclass(frozen=True)
class AnswerLine:
    person: str
    status: str
    about: str
    answered_at: datetime | None
    late: bool
    fields: list[dict[str, Any]]  # {label, value} or {label, rows: [[{label, value}]]}
    protected: list[str]  # labels of sensitive fields, never their values
    mail_note: str = ""  # an open request's: the person is away, or the email bounced


@dataclass(frozen=True)
class StepSection:
    title: str
    decision: str  # the decision's own name, for a decision step
    deadline: datetime | None
    answers: list[AnswerLine]


@dataclass(frozen=True)
class MeetingLine:
    name: str
    starts_at: datetime
    ends_at: datetime
    location: str
    cancelled: bool


@dataclass(frozen=True)
class CyclePage:
    unit: Unit
    title: str  # `EST-möte v. 14 2027`
    state: str
    opened_at: datetime
    closed_at: datetime | None
    meetings: list[MeetingLine]
    steps: list[StepSection]
    # kind, what, status, link, baseline and latest count (empty for an action with no target)
    actions: list[tuple[str, str, str, str, str, str]] = field(default_factory=list)
    content_hidden: bool = False
    promise: str = ""  # `Inriktningsbeslutet gäller medborgarlöftet 2027–2028 för Sala kommun.`


def cycle_page(
    app: Application, viewer: Viewer, unit_id: str, instance_id: int, language: str = "sv"
) -> CyclePage:
    """NotFound for a cycle that is not the unit's; AccessDenied without a role there."""
    found = app.reads.cycle(instance_id)
    if found is None or found.unit_id != unit_id:
        raise NotFound("cykel", str(instance_id))
    shown = show_cycle(app, viewer, instance_id, sensitive=False)
    definition, instance = shown.definition, shown.instance
    notes = mail_notes(app, [r.request for s in shown.steps for r in s.requests], language)
    steps = [
        _section(definition, step, section, language, notes)
        for step, section in zip(definition.steps, shown.steps, strict=True)
    ]
    meetings = [
        MeetingLine(
            definition.meeting_name(definition.step(m.step_id), language),
            m.starts_at,
            m.ends_at,
            m.location,
            m.cancelled,
        )
        for m in shown.meetings
    ]
    actions = _decided_here(app, shown.unit, instance, language)
    return CyclePage(
        shown.unit,
        f"{definition.display_title(language)} {label_of_key(instance.period_key, language)}",
        state_text(instance, definition, language),
        instance.opened_at,
        instance.closed_at,
        meetings,
        steps,
        actions,
        shown.content_hidden,
        _promise_line(app, definition, instance, language),
    )


def _promise_line(
    app: Application, definition: CycleDefinition, instance: CycleInstance, language: str
) -> str:
    if not names_promise(definition):
        return ""
    words = promise_words(app.directory(), instance.unit_id, instance.period_key, language)
    if not words:
        return ""
    name = definition.definite_title(language)
    return ui(
        "{cycle} gäller {promise}.", language, cycle=name[:1].upper() + name[1:], promise=words
    )


def _section(
    definition: CycleDefinition,
    step: AnyStep,
    section: ShownStep,
    language: str,
    notes: dict[int, str],
) -> StepSection:
    deadlines = [r.request.deadline_at for r in section.requests]
    return StepSection(
        step.title.get(language),
        definition.decision_name(step, language) if step.records_decision else "",
        min(deadlines) if deadlines else None,
        [
            AnswerLine(
                r.person_name,
                request_status(r.request.status.value, language),
                about_line(r.request.subject, language),
                r.request.answered_at,
                r.request.late,
                [_in(f, language) for f in r.fields],
                [label for label, _ in r.sensitive],
                notes.get(r.request.id or 0, ""),
            )
            for r in section.requests
        ],
    )


def _in(shown: dict[str, Any], language: str) -> dict[str, Any]:
    lang = "en" if language == "en" else "sv"
    out: dict[str, Any] = {"label": shown["label"][lang]}
    if "rows" in shown:
        out["rows"] = [[_in(cell, language) for cell in row] for row in shown["rows"]]
    else:
        out["value"] = shown["value"][lang]
    return out


def _decided_here(
    app: Application, unit: Unit, instance: CycleInstance, language: str
) -> list[tuple[str, str, str, str, str, str]]:
    """The actions the cycle decided, each with its baseline and latest count."""
    found = app.reads.actions([instance.unit_id], None)
    decided = [a for a in found if a.source_instance_id == instance.id]
    effects = app.engine.inspect(lambda work: effects_of(work, unit, decided)) if decided else {}
    return [
        (
            action_kind(a.kind, language),
            a.what,
            action_status(a.status.value, language),
            page_paths.action_page(a.unit_id, a.id or 0),
            *_numbers(effects.get(a.id or 0), language),
        )
        for a in decided
    ]


def _numbers(effect: Effect | None, language: str) -> tuple[str, str]:
    if effect is None:
        return "", ""
    return baseline_text(effect, language), latest_text(effect, language)
