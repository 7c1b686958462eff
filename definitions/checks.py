"""Rules a definition must keep beyond its field types, each reported with file, path and line."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from definitions.schema import (
    TERMINAL_STATES,
    Advance,
    CycleDefinition,
    Event,
    FieldSpec,
    FieldType,
    Organisation,
    StepSpec,
)
from definitions.yaml_source import PathKey, YamlDocument
from workflow.errors import DefinitionProblem

if TYPE_CHECKING:
    from definitions.loader import DefinitionSource

EVENTS_FOR_ADVANCE = {
    Advance.ALL_INPUTS: {Event.INPUTS_COMPLETE, Event.EXPIRED},
    Advance.DEADLINE: {Event.DEADLINE_PASSED},
    Advance.DECISION: {Event.DECIDED, Event.EXPIRED},
}
PERIOD_KEY_NEEDS = {
    "iso_week": "whole weeks (P1W, P2W, ...)",
    "month": "whole months (P1M, P2M, ...)",
    "quarter": "whole quarters (P3M, P6M, ...)",
    "next_quarter": "whole quarters (P3M, P6M, ...)",
}


def check_definition(definition: CycleDefinition, doc: YamlDocument) -> list[DefinitionProblem]:
    problems: list[DefinitionProblem] = []
    problems += _check_cadence(definition, doc)
    step_ids = [s.id for s in definition.steps]
    for index, step in enumerate(definition.steps):
        path: PathKey = ("steps", index)
        if step.id in step_ids[:index]:
            problems.append(doc.problem((*path, "id"), f"step id {step.id!r} is used twice"))
        if step.id in TERMINAL_STATES:
            problems.append(doc.problem((*path, "id"), f"{step.id!r} is reserved for an end state"))
        problems += _check_step(step, path, doc)
    problems += _check_transitions(definition, doc)
    return problems


def _check_cadence(definition: CycleDefinition, doc: YamlDocument) -> list[DefinitionProblem]:
    problems = []
    try:
        ZoneInfo(definition.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(doc.problem(("timezone",), f"unknown time zone {definition.timezone!r}"))
    cadence = definition.cadence
    if cadence.anchor.tzinfo is not None:
        problems.append(
            doc.problem(
                ("cadence", "anchor"),
                "give the anchor as local wall-clock time without an offset "
                "(e.g. 2027-01-04T09:00); the definition's timezone applies",
            )
        )
    if cadence.anchor.hour == 2:
        problems.append(
            doc.problem(
                ("cadence", "anchor"),
                "02:00-02:59 does not exist or happens twice on summer-time change days; "
                "choose another time",
            )
        )
    every = cadence.every
    if every.is_negative or every.is_zero or (every.months and (every.days or every.seconds)):
        problems.append(
            doc.problem(
                ("cadence", "every"),
                "must be a positive length of whole months (P1M, P3M) or of weeks, days and "
                "hours (P1W, P2W, P10D)",
            )
        )
    style = cadence.period_key
    ok = {
        None: True,
        "iso_week": not every.months and every.seconds == 0 and every.days % 7 == 0,
        "month": bool(every.months) and not every.days and not every.seconds,
        "quarter": every.months % 3 == 0 and not every.days and not every.seconds,
        "next_quarter": every.months % 3 == 0 and not every.days and not every.seconds,
        "date": every.seconds == 0 and (every.days > 0 or every.months > 0),
    }[style]
    if style is not None and not ok:
        need = PERIOD_KEY_NEEDS.get(style, "whole days")
        problems.append(
            doc.problem(
                ("cadence", "period_key"),
                f"{style} period keys need a cadence of {need}, not {every}",
            )
        )
    return problems


def _check_step(step: StepSpec, path: PathKey, doc: YamlDocument) -> list[DefinitionProblem]:
    problems: list[DefinitionProblem] = []
    if step.advance is Advance.DECISION:
        if step.decided_by is None:
            problems.append(
                doc.problem((*path, "decided_by"), "a decision step must name the deciding role")
            )
        elif step.responsible and step.responsible != (step.decided_by,):
            problems.append(
                doc.problem(
                    (*path, "responsible"),
                    "a decision step asks only its deciding role; leave out responsible "
                    "or make it the decided_by role",
                )
            )
    elif step.decided_by is not None:
        problems.append(
            doc.problem((*path, "decided_by"), "only steps with advance: decision have decided_by")
        )
    elif not step.responsible and step.requests_from is None:
        problems.append(
            doc.problem(
                (*path, "responsible"),
                "name the responsible role(s), or requests_from for one request per row "
                "of an earlier answer",
            )
        )
    if step.responsible and step.requests_from is not None:
        problems.append(
            doc.problem((*path, "requests_from"), "use either responsible or requests_from")
        )
    if step.deadline.is_negative or step.deadline.is_zero:
        problems.append(
            doc.problem((*path, "deadline"), "must be a positive offset from the cycle's opening")
        )
    for index, reminder in enumerate(step.reminders):
        if reminder.is_negative or reminder.is_zero:
            problems.append(
                doc.problem(
                    (*path, "reminders", index),
                    "a reminder is a positive time before the deadline (e.g. P1D, PT2H)",
                )
            )
    if step.accept_late_for.is_negative:
        problems.append(doc.problem((*path, "accept_late_for"), "must not be negative"))
    problems += _check_fields(step.fields, (*path, "fields"), doc, step)
    return problems


def _check_fields(
    fields: Sequence[FieldSpec],
    path: PathKey,
    doc: YamlDocument,
    step: StepSpec,
    in_rows: bool = False,
) -> list[DefinitionProblem]:
    problems: list[DefinitionProblem] = []
    by_id: dict[str, FieldSpec] = {}
    for index, spec in enumerate(fields):
        here: PathKey = (*path, index)
        if spec.id in by_id:
            problems.append(doc.problem((*here, "id"), f"field id {spec.id!r} is used twice"))
        by_id[spec.id] = spec
        if spec.type is FieldType.CHOICE and not spec.options:
            problems.append(doc.problem((*here, "options"), "a choice field needs options"))
        if spec.type is not FieldType.CHOICE and spec.options:
            problems.append(doc.problem((*here, "options"), "only choice fields have options"))
        if spec.type is FieldType.ROWS:
            if in_rows:
                problems.append(doc.problem((*here, "type"), "rows cannot contain rows"))
            if not spec.columns:
                problems.append(doc.problem((*here, "columns"), "a rows field needs columns"))
            problems += _check_fields(spec.columns, (*here, "columns"), doc, step, True)
        elif spec.columns:
            problems.append(doc.problem((*here, "columns"), "only rows fields have columns"))
        if spec.sensitive and not spec.visible_to:
            problems.append(
                doc.problem(
                    (*here, "visible_to"),
                    "a sensitive field must list the roles that may see it",
                )
            )
        if not spec.sensitive and spec.visible_to:
            problems.append(
                doc.problem((*here, "visible_to"), "visible_to applies only to sensitive fields")
            )
        if spec.minimum is not None and spec.maximum is not None and spec.minimum > spec.maximum:
            problems.append(doc.problem((*here, "minimum"), "minimum is above maximum"))
        unknown = [r for r in spec.for_roles if step.responsible and r not in step.responsible]
        if unknown:
            problems.append(
                doc.problem(
                    (*here, "for_roles"),
                    f"{', '.join(unknown)} is not among the step's responsible roles",
                )
            )
    for index, spec in enumerate(fields):
        if spec.required_unless is None:
            continue
        other = by_id.get(spec.required_unless)
        if other is None or other.type is not FieldType.BOOLEAN:
            problems.append(
                doc.problem(
                    (*path, index, "required_unless"),
                    f"{spec.required_unless!r} must be a boolean field of the same step",
                )
            )
    return problems


def _check_transitions(definition: CycleDefinition, doc: YamlDocument) -> list[DefinitionProblem]:
    problems: list[DefinitionProblem] = []
    steps = {s.id: s for s in definition.steps}
    seen: set[tuple[str, str]] = set()
    edges: dict[str, set[str]] = {s: set() for s in steps}
    for index, transition in enumerate(definition.transitions):
        path: PathKey = ("transitions", index)
        step = steps.get(transition.source)
        if step is None:
            problems.append(
                doc.problem((*path, "from"), f"{transition.source!r} is not a step of this cycle")
            )
            continue
        if transition.dest not in steps and transition.dest not in TERMINAL_STATES:
            problems.append(
                doc.problem(
                    (*path, "to"),
                    f"{transition.dest!r} is neither a step nor an end state "
                    f"({', '.join(TERMINAL_STATES)})",
                )
            )
        if transition.event not in EVENTS_FOR_ADVANCE[step.advance]:
            allowed = ", ".join(sorted(EVENTS_FOR_ADVANCE[step.advance]))
            problems.append(
                doc.problem(
                    (*path, "event"),
                    f"step {step.id!r} advances on {step.advance.value}; its events are {allowed}",
                )
            )
        key = (transition.source, transition.event.value)
        if key in seen:
            problems.append(doc.problem(path, f"a second transition from {key[0]!r} on {key[1]!r}"))
        seen.add(key)
        edges[transition.source].add(transition.dest)
    for index, step in enumerate(definition.steps):
        for event in sorted(EVENTS_FOR_ADVANCE[step.advance]):
            if (step.id, event.value) not in seen:
                problems.append(
                    doc.problem(
                        ("steps", index),
                        f"step {step.id!r} has no transition on {event.value!r}",
                    )
                )
    if not problems:
        problems += _check_reachability(definition, edges, doc)
    return problems


def _check_reachability(
    definition: CycleDefinition, edges: Mapping[str, set[str]], doc: YamlDocument
) -> list[DefinitionProblem]:
    reached = {definition.steps[0].id}
    frontier = [definition.steps[0].id]
    while frontier:
        for nxt in edges.get(frontier.pop(), set()):
            if nxt not in reached:
                reached.add(nxt)
                frontier.append(nxt)
    problems = []
    for index, step in enumerate(definition.steps):
        if step.id not in reached:
            problems.append(
                doc.problem(("steps", index), f"step {step.id!r} cannot be reached from the first")
            )
        if step.id in edges.get(step.id, set()):
            problems.append(
                doc.problem(("steps", index), f"step {step.id!r} has a transition to itself")
            )
    return problems


def check_organisation(org: Organisation, doc: YamlDocument) -> list[DefinitionProblem]:
    problems = []
    role_ids = [r.id for r in org.roles]
    roles = {r.id: r for r in org.roles}
    for index, role in enumerate(org.roles):
        if role.id in role_ids[:index]:
            problems.append(doc.problem(("roles", index, "id"), f"role {role.id!r} twice"))
    person_ids: list[str] = []
    for index, person in enumerate(org.people):
        if person.id in person_ids:
            problems.append(doc.problem(("people", index, "id"), f"person {person.id!r} twice"))
        person_ids.append(person.id)
        for r_index, role_id in enumerate(person.roles):
            held = roles.get(role_id)
            if held is None:
                problems.append(
                    doc.problem(("people", index, "roles", r_index), f"unknown role {role_id!r}")
                )
            elif held.party is not None and held.party != person.party:
                problems.append(
                    doc.problem(
                        ("people", index, "roles", r_index),
                        f"role {role_id!r} belongs to {held.party.value}, "
                        f"but {person.name} is {person.party.value}",
                    )
                )
        if person.municipality and person.municipality not in org.municipalities:
            problems.append(
                doc.problem(
                    ("people", index, "municipality"),
                    f"{person.municipality!r} is not among the organisation's municipalities",
                )
            )
    return problems


def check_bundle(
    sources: Sequence[DefinitionSource],
    org: Organisation,
    documents: Mapping[str, YamlDocument],
) -> list[DefinitionProblem]:
    """Cross-file rules: every role exists and is staffed; references point at real things."""
    problems: list[DefinitionProblem] = []
    roles = {r.id for r in org.roles}
    by_name = {s.definition.name: s.definition for s in sources}

    def need_role(doc: YamlDocument, path: PathKey, role: str, staffed: bool) -> None:
        if role not in roles:
            problems.append(doc.problem(path, f"role {role!r} is not in the organisation"))
        elif staffed and not org.people_with_role(role):
            problems.append(doc.problem(path, f"nobody in the organisation has role {role!r}"))

    for source in sources:
        definition = source.definition
        doc = documents[definition.name]
        need_role(doc, ("chair_role",), definition.chair_role, True)
        for index, step in enumerate(definition.steps):
            path: PathKey = ("steps", index)
            for r_index, role in enumerate(step.responsible):
                need_role(doc, (*path, "responsible", r_index), role, True)
            if step.decided_by:
                need_role(doc, (*path, "decided_by"), step.decided_by, True)
            if step.escalation:
                need_role(doc, (*path, "escalation", "role"), step.escalation.role, True)
            if step.meeting:
                for m_index, role in enumerate(step.meeting.participants):
                    need_role(doc, (*path, "meeting", "participants", m_index), role, True)
            for f_index, spec in enumerate(step.fields):
                for v_index, role in enumerate(spec.visible_to):
                    need_role(doc, (*path, "fields", f_index, "visible_to", v_index), role, False)
            if step.requests_from is not None:
                problems += _check_requests_from(step, path, doc, by_name)
        for index, ref in enumerate(definition.context_from):
            target = by_name.get(ref.definition)
            if target is None or ref.step not in {s.id for s in target.steps}:
                problems.append(
                    doc.problem(
                        ("context_from", index),
                        f"no step {ref.step!r} in a definition named {ref.definition!r}",
                    )
                )
    return problems


def _check_requests_from(
    step: StepSpec,
    path: PathKey,
    doc: YamlDocument,
    by_name: Mapping[str, CycleDefinition],
) -> list[DefinitionProblem]:
    ref = step.requests_from
    assert ref is not None
    here: PathKey = (*path, "requests_from")
    target = by_name.get(ref.definition)
    if target is None:
        return [doc.problem((*here, "definition"), f"no definition named {ref.definition!r}")]
    try:
        source_step = target.step(ref.step)
    except KeyError:
        return [doc.problem((*here, "step"), f"{ref.definition!r} has no step {ref.step!r}")]
    problems = []
    fields = {f.id: f for f in source_step.fields}
    for index, field_id in enumerate(ref.fields):
        spec = fields.get(field_id)
        if spec is None or spec.type is not FieldType.ROWS:
            problems.append(
                doc.problem(
                    (*here, "fields", index),
                    f"{ref.definition}.{ref.step} has no rows field {field_id!r}",
                )
            )
            continue
        owner = next((c for c in spec.columns if c.id == ref.owner_column), None)
        if owner is None or owner.type is not FieldType.PERSON:
            problems.append(
                doc.problem(
                    (*here, "owner_column"),
                    f"{field_id} has no person column {ref.owner_column!r}",
                )
            )
        if spec.sensitive:
            problems.append(
                doc.problem((*here, "fields", index), f"{field_id} is sensitive; it cannot be sent")
            )
    return problems
