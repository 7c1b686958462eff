"""A cycle's audit log as people read it (`lofte audit --instance`, the auditors' page): the
event in words, who did it by name, the states by their titles, and the details in words
(times as Swedish dates, people by name, fields by label). The stored log keeps its exact
values; this is only how they are shown."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lofte.definitions.cycle import CycleDefinition
from lofte.definitions.directory import Directory, Unit
from lofte.kernel import words
from lofte.kernel.errors import NotFound
from lofte.workflow.application.app import Application
from lofte.workflow.application.definition_words import state_name
from lofte.workflow.application.texts import (
    action_kind,
    action_status,
    audit_event_text,
    outcome_text,
)
from lofte.workflow.application.visibility import Viewer, require_auditor
from lofte.workflow.core.cadence import label_of_key
from lofte.workflow.core.display import shown_fields
from lofte.workflow.core.records import AuditEvent, CycleInstance, Outcome
from lofte.workflow.core.work import TIMER_ACTOR

# Technical references (keys, uids) stay in the stored log and are not shown here.
HIDDEN_KEYS = frozenset(
    {"request", "action", "timer", "key", "uid", "message_id", "viewer", "definition"}
)
ACTORS = {TIMER_ACTOR: ("Löfte (tidsstyrt)", "Löfte (timed)")}


@dataclass(frozen=True)
class LogLine:
    seq: int
    at: datetime
    event: str
    actor: str
    states: str  # `Följ upp din insats → EST-möte: ...`, or empty
    detail: str


@dataclass(frozen=True)
class CycleLog:
    """One cycle's audit log as an auditor reads it."""

    instance: CycleInstance
    unit: Unit
    title: str
    period: str
    events: list[LogLine]


def cycle_log(app: Application, viewer: Viewer, instance_id: int) -> CycleLog:
    """The log of cycle `instance_id` in the viewer's language. NotFound if there is no such
    cycle; AccessDenied unless the viewer audits its unit."""
    instance = app.reads.cycle(instance_id)
    if instance is None:
        raise NotFound("cykel", instance_id)
    unit = app.unit(instance.unit_id)
    require_auditor(viewer, unit)
    definition = app.definition_of(instance)
    events = app.reads.audit_events(instance_id=instance_id)
    return CycleLog(
        instance=instance,
        unit=unit,
        title=definition.display_title(viewer.language),
        period=label_of_key(instance.period_key, viewer.language),
        events=log_lines(definition, app.directory(), events, viewer.language),
    )


def log_lines(
    definition: CycleDefinition,
    directory: Directory,
    events: list[AuditEvent],
    language: str = "sv",
) -> list[LogLine]:
    said = _Details(definition, directory, language)
    lines = []
    for e in events:
        states = " → ".join(
            state_name(definition, s, language) for s in (e.from_state, e.to_state) if s
        )
        lines.append(
            LogLine(
                e.seq or 0,
                e.at,
                audit_event_text(e.event, language),
                actor_name(e.actor, directory, language),
                states,
                said.text(e.event, e.detail or {}),
            )
        )
    return lines


def actor_name(actor: str, directory: Directory, language: str = "sv") -> str:
    if actor in ACTORS:
        return ACTORS[actor][1 if language == "en" else 0]
    return directory.name_of(actor)


class _Details:
    def __init__(self, definition: CycleDefinition, directory: Directory, language: str) -> None:
        self.definition = definition
        self.directory = directory
        self.lang = language
        self.en = language == "en"

    def text(self, event: str, detail: dict[str, Any]) -> str:
        parts = []
        for key, value in detail.items():
            if key in HIDDEN_KEYS or value in (None, "", [], {}):
                continue
            shown = self.part(key, value, detail)
            if shown:
                parts.append(shown)
        return "; ".join(parts)

    def names(self, value: Any) -> str:
        found = value if isinstance(value, list) else [value]
        return ", ".join(self.directory.name_of(str(p)) for p in found) or "-"

    def step(self, value: Any) -> str:
        step_id = str(value)
        if self.definition.has_step(step_id):
            return self.definition.step(step_id).title.get(self.lang)
        return step_id

    def answer(self, value: Any, detail: dict[str, Any]) -> str:
        step_id = str(detail.get("step", ""))
        if not isinstance(value, dict) or not self.definition.has_step(step_id):
            return ""
        fields = shown_fields(self.definition.step(step_id).fields, value, self.directory)
        out = []
        for f in fields:
            label = f["label"][self.lang if self.en else "sv"]
            if "rows" in f:
                out.append(f"{label}: {len(f['rows'])} {'rows' if self.en else 'rader'}")
            else:
                out.append(f"{label}: {f['value']['en' if self.en else 'sv']}")
        return ("Answer: " if self.en else "Svar: ") + ", ".join(out)

    def part(self, key: str, value: Any, detail: dict[str, Any]) -> str:
        say = _SAYINGS.get(key)
        if say is None:
            return ""
        return str(say(self, value, detail))


def _label(sv: str, en: str, show: Callable[[_Details, Any], str]) -> Any:
    return lambda d, value, detail: f"{en if d.en else sv}: {show(d, value)}"


def _flag(sv: str, en: str) -> Any:
    return lambda d, value, detail: (en if d.en else sv) if value is True else ""


def _late_by(d: _Details, value: Any, detail: dict[str, Any]) -> str:
    seconds = int(value) if isinstance(value, int) else 0
    if seconds < 60:
        return ""
    late = words.duration(f"PT{seconds // 60}M", d.lang)
    return f"opened {late} late" if d.en else f"öppnades {late} sent"


def _fields(d: _Details, value: Any) -> str:
    found = value if isinstance(value, list) else [value]
    labels = []
    for item in found:
        field_id = item.get("field") if isinstance(item, dict) else item
        for step in d.definition.steps:
            spec = next((f for f in step.fields if f.id == field_id), None)
            if spec is not None:
                labels.append(spec.label.get(d.lang))
                break
    return ", ".join(labels) or str(len(found))


def _kind(d: _Details, value: Any, detail: dict[str, Any]) -> str:
    if "what" in detail:  # an action
        return action_kind(str(value), d.lang)
    return ""


_SAYINGS: dict[str, Any] = {
    "step": _label("steg", "step", _Details.step),
    "deadline": _label("svar senast", "reply by", lambda d, v: words.moment(str(v), d.lang)),
    "starts_at": _label("börjar", "starts", lambda d, v: words.moment(str(v), d.lang)),
    "requested_from": _label("tillfrågade", "asked", _Details.names),
    "participants": _label("deltagare", "participants", _Details.names),
    "to": _label("till", "to", _Details.names),
    "missing": _label("saknade svar", "missing answers", _Details.names),
    "waiting_for": _label("väntade på", "waited for", _Details.names),
    "people": _label("berörda", "concerned", _Details.names),
    "owner": _label("ansvarig", "owner", _Details.names),
    "outcome": _label("utfall", "outcome", lambda d, v: outcome_text(Outcome(v), language=d.lang)),
    "late_inputs": _label("sena svar", "late answers", lambda d, v: str(v)),
    "late_by_s": _late_by,
    "period": _label("period", "period", lambda d, v: label_of_key(str(v), d.lang)),
    "definition_version": _label("definitionsversion", "definition version", lambda d, v: str(v)),
    "version": _label("svarsversion", "answer version", lambda d, v: str(v)),
    "status": _label("status", "status", lambda d, v: action_status(str(v), d.lang)),
    "closed": _flag("åtgärden är avslutad", "the action is closed"),
    "late": _flag("sent svar", "late answer"),
    "kind": _kind,
    "what": _label("vad", "what", lambda d, v: str(v)),
    "location": _label("plats", "place", lambda d, v: str(v)),
    "sequence": _label("ändring nr", "change no.", lambda d, v: str(v)),
    "number": _label("nr", "no.", lambda d, v: str(v)),
    "answer": lambda d, value, detail: d.answer(value, detail),
    "sensitive_fields": _label("skyddade fält", "protected fields", _fields),
    "values": _label("fält", "fields", _fields),
    "requests_not_sent": lambda d, value, detail: (
        "requests not sent: the deadline had passed"
        if d.en
        else "förfrågningar skickades inte: tidsfristen hade passerat"
    ),
    "messages": _label("meddelanden", "messages", lambda d, v: str(v)),
    "retention_days": _label("sparades dagar", "kept days", lambda d, v: str(v)),
    "retention": _label("gallringsfrist", "retention", lambda d, v: words.duration(str(v), d.lang)),
    "pseudonymised_people": _label(
        "personer som fick pseudonym", "people given a pseudonym", lambda d, v: str(v)
    ),
    "attempts": _label("försök", "attempts", lambda d, v: str(v)),
    "error": _label("fel", "error", lambda d, v: str(v)[:200]),
}
