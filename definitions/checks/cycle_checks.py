"""Rules of one definition on its own: cadence, steps, bounds and the state graph."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from lofte.definitions.base import LocalText
from lofte.definitions.checks import bounds
from lofte.definitions.checks.field_checks import check_fields, check_id, check_step_field_refs
from lofte.definitions.cycle import TERMINAL_STATES, CycleDefinition
from lofte.definitions.steps import AnyStep, CollectStep, DecisionStep, FollowUpStep, InputsStep
from lofte.definitions.yaml_source import PathKey, YamlDocument
from lofte.kernel.durations import IsoDuration
from lofte.kernel.errors import DefinitionProblem

PERIOD_KEY_NEEDS = {
    "iso_week": "hela veckor (P1W, P2W, ...)",
    "month": "hela månader (P1M, P2M, ...)",
    "quarter": "hela kvartal (P3M, P6M, ...)",
    "next_quarter": "hela kvartal (P3M, P6M, ...)",
    "date": "hela dagar",
}


def check_definition(definition: CycleDefinition, doc: YamlDocument) -> list[DefinitionProblem]:
    problems = check_texts(
        doc,
        {
            ("title",): (definition.title, bounds.MAX_TITLE),
            ("short_title",): (definition.short_title, bounds.MAX_TITLE),
            ("description",): (definition.description, bounds.MAX_LONG_TEXT),
        },
    )
    problems += check_id(doc, ("name",), definition.name)
    problems += check_cadence(definition, doc)
    if definition.retention is not None:
        problems += check_retention(doc, ("retention",), definition.retention)
    if len(definition.steps) > bounds.MAX_STEPS:
        problems.append(doc.problem(("steps",), f"högst {bounds.MAX_STEPS} steg"))
    if len(definition.transitions) > bounds.MAX_TRANSITIONS:
        problems.append(doc.problem(("transitions",), f"högst {bounds.MAX_TRANSITIONS} övergångar"))
    seen: set[str] = set()
    for index, step in enumerate(definition.steps):
        path: PathKey = ("steps", index)
        if step.id in seen:
            problems.append(doc.problem((*path, "id"), f"steget {step.id!r} finns två gånger"))
        seen.add(step.id)
        problems += check_id(doc, (*path, "id"), step.id)
        if step.id in TERMINAL_STATES:
            problems.append(
                doc.problem((*path, "id"), f"{step.id!r} är reserverat för ett slutläge")
            )
        problems += check_step(step, path, doc)
    for index, field_id in enumerate(definition.shared_fields):
        if not any(f.id == field_id for s in definition.steps for f in s.fields):
            problems.append(doc.problem(("shared_fields", index), f"inget fält {field_id!r}"))
    problems += check_transitions(definition, doc)
    return problems


def check_texts(
    doc: YamlDocument, texts: Mapping[PathKey, tuple[LocalText, int]]
) -> list[DefinitionProblem]:
    problems = []
    for path, (value, limit) in texts.items():
        if max(len(value.sv), len(value.en)) > limit:
            problems.append(doc.problem(path, f"högst {limit} tecken"))
    return problems


def check_duration(
    doc: YamlDocument,
    path: PathKey,
    value: IsoDuration,
    limit: IsoDuration,
    *,
    positive: bool = True,
) -> list[DefinitionProblem]:
    if value.is_negative or (positive and value.is_zero):
        need = "positiv" if positive else "noll eller positiv"
        return [doc.problem(path, f"måste vara {need} (till exempel P1D eller PT2H)")]
    if bounds.too_long(value, limit):
        return [doc.problem(path, f"{value} är för lång; högst {limit}")]
    return []


def check_retention(
    doc: YamlDocument, path: PathKey, value: IsoDuration
) -> list[DefinitionProblem]:
    """A retention of ordinary personal data (gallring): at least a day, at most 50 years."""
    problems = check_duration(doc, path, value, IsoDuration.parse("P50Y"))
    if not problems and value.approx_seconds() < 86400:
        problems.append(doc.problem(path, f"{value} är för kort; minst P1D"))
    return problems


def check_cadence(definition: CycleDefinition, doc: YamlDocument) -> list[DefinitionProblem]:
    problems = []
    try:
        ZoneInfo(definition.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(doc.problem(("timezone",), f"okänd tidszon {definition.timezone!r}"))
    problems += _check_anchor(definition.cadence.anchor, doc)
    every = definition.cadence.every
    every_path: PathKey = ("cadence", "every")
    if every.is_negative or every.is_zero or (every.months and (every.days or every.seconds)):
        problems.append(
            doc.problem(
                every_path,
                "måste vara ett positivt antal hela månader (P1M, P3M) eller veckor, dagar och "
                "timmar (P1W, P2W, P10D)",
            )
        )
        return problems
    if bounds.too_long(every, bounds.MAX_CADENCE):
        problems.append(doc.problem(every_path, f"högst {bounds.MAX_CADENCE} mellan två cykler"))
    elif every.approx_seconds() < bounds.MIN_CADENCE_SECONDS:
        problems.append(doc.problem(every_path, "minst en dag mellan två cykler"))
    style = definition.cadence.period_key
    if style is not None and not _fits(style, every):
        problems.append(
            doc.problem(
                every_path,  # in a unit's override, `every` is what the administrator wrote
                f"periodnyckeln {style} kräver en kadens i {PERIOD_KEY_NEEDS[style]}, inte {every}",
            )
        )
    return problems


def _check_anchor(anchor: datetime, doc: YamlDocument) -> list[DefinitionProblem]:
    path: PathKey = ("cadence", "anchor")
    problems = []
    if anchor.tzinfo is not None:
        problems.append(
            doc.problem(
                path,
                "ange lokal tid utan tidszon (till exempel 2027-01-04T09:00); "
                "definitionens tidszon gäller",
            )
        )
    if not bounds.MIN_YEAR <= anchor.year <= bounds.MAX_YEAR:
        message = f"året måste ligga mellan {bounds.MIN_YEAR} och {bounds.MAX_YEAR}"
        problems.append(doc.problem(path, message))
    if anchor.hour == 2:
        problems.append(
            doc.problem(
                path,
                "02.00–02.59 finns inte eller inträffar två gånger när sommartiden ändras; "
                "välj en annan tid",
            )
        )
    return problems


def _fits(style: str, every: IsoDuration) -> bool:
    """Whether a cadence of `every` gives one period per key of `style`."""
    whole_quarters = every.months % 3 == 0 and not every.days and not every.seconds
    return {
        "iso_week": not every.months and every.seconds == 0 and every.days % 7 == 0,
        "month": bool(every.months) and not every.days and not every.seconds,
        "quarter": whole_quarters,
        "next_quarter": whole_quarters,
        "date": every.seconds == 0 and (every.days > 0 or every.months > 0),
    }[style]


def check_step(step: AnyStep, path: PathKey, doc: YamlDocument) -> list[DefinitionProblem]:
    problems = check_texts(
        doc,
        {
            (*path, "title"): (step.title, bounds.MAX_TITLE),
            (*path, "purpose"): (step.purpose, bounds.MAX_LONG_TEXT),
        },
    )
    problems += check_names(step, path, doc)
    match step:
        case InputsStep() | CollectStep():
            if not step.responsible:
                problems.append(doc.problem((*path, "responsible"), "ange minst en ansvarig roll"))
        case DecisionStep() | FollowUpStep():
            pass
    if not step.fields:
        problems.append(doc.problem((*path, "fields"), "steget måste fråga efter minst ett fält"))
    problems += check_duration(doc, (*path, "deadline"), step.deadline, bounds.MAX_OFFSET)
    if len(step.reminders) > bounds.MAX_REMINDERS:
        problems.append(
            doc.problem((*path, "reminders"), f"högst {bounds.MAX_REMINDERS} påminnelser")
        )
    for index, reminder in enumerate(step.reminders):
        problems += check_duration(doc, (*path, "reminders", index), reminder, bounds.MAX_WINDOW)
    problems += check_duration(
        doc, (*path, "accept_late_for"), step.accept_late_for, bounds.MAX_WINDOW, positive=False
    )
    if step.escalation is not None:
        problems += check_duration(
            doc,
            (*path, "escalation", "after"),
            step.escalation.after,
            bounds.MAX_WINDOW,
            positive=False,
        )
    problems += _check_meeting(step, path, doc)
    if len(step.context) > bounds.MAX_CONTEXT:
        problems.append(doc.problem((*path, "context"), f"högst {bounds.MAX_CONTEXT} underlag"))
    problems += check_fields(step.fields, (*path, "fields"), doc, step)
    problems += check_step_field_refs(step, path, doc)
    return problems


def _check_meeting(step: AnyStep, path: PathKey, doc: YamlDocument) -> list[DefinitionProblem]:
    if step.meeting is None:
        return []
    meeting_path: PathKey = (*path, "meeting")
    problems = check_duration(
        doc, (*meeting_path, "starts"), step.meeting.starts, bounds.MAX_OFFSET, positive=False
    )
    problems += check_duration(
        doc, (*meeting_path, "length"), step.meeting.length, bounds.MAX_MEETING
    )
    if len(step.meeting.location) > bounds.MAX_TITLE:
        problems.append(
            doc.problem((*meeting_path, "location"), f"högst {bounds.MAX_TITLE} tecken")
        )
    return problems


def check_names(step: AnyStep, path: PathKey, doc: YamlDocument) -> list[DefinitionProblem]:
    """The names of a step's meeting, decision and published item: short, not empty, and
    not the step's instruction over again (they name a thing; the title says what to do)."""
    names: dict[PathKey, LocalText] = {}
    if step.meeting is not None and step.meeting.title.sv:
        names[(*path, "meeting", "title")] = step.meeting.title
    if step.decision is not None:
        names[(*path, "decision", "title")] = step.decision.title
    if step.publication is not None and step.publication.title.sv:
        names[(*path, "publication", "title")] = step.publication.title
    problems = check_texts(doc, {k: (v, bounds.MAX_TITLE) for k, v in names.items()})
    for name_path, name in names.items():
        if not name.sv.strip():
            problems.append(doc.problem(name_path, "namnet får inte vara tomt"))
        elif name.sv.strip() == step.title.sv.strip():
            problems.append(
                doc.problem(
                    name_path,
                    "namnet är samma som stegets rubrik; ge mötet, beslutet eller "
                    "publiceringen ett eget namn (rubriken säger vad någon ska göra)",
                )
            )
    return problems


def check_transitions(definition: CycleDefinition, doc: YamlDocument) -> list[DefinitionProblem]:
    problems: list[DefinitionProblem] = []
    steps = {s.id: s for s in definition.steps}
    seen: set[tuple[str, str]] = set()
    edges: dict[str, set[str]] = {s: set() for s in steps}
    for index, transition in enumerate(definition.transitions):
        path: PathKey = ("transitions", index)
        step = steps.get(transition.source)
        if step is None:
            problems.append(doc.problem((*path, "from"), f"{transition.source!r} är inget steg"))
            continue
        if transition.dest not in steps and transition.dest not in TERMINAL_STATES:
            problems.append(
                doc.problem(
                    (*path, "to"),
                    f"{transition.dest!r} är varken ett steg eller ett slutläge "
                    f"({', '.join(TERMINAL_STATES)})",
                )
            )
        allowed = step.leaving_events
        if transition.event not in allowed:
            names = ", ".join(sorted(e.value for e in allowed))
            problems.append(
                doc.problem(
                    (*path, "event"),
                    f"steget {step.id!r} ({step.kind}) lämnas bara vid {names}",
                )
            )
        key = (transition.source, transition.event.value)
        if key in seen:
            problems.append(doc.problem(path, f"en andra övergång från {key[0]!r} vid {key[1]!r}"))
        seen.add(key)
        edges[transition.source].add(transition.dest)
    for index, step in enumerate(definition.steps):
        for event in sorted(step.leaving_events):
            if (step.id, event.value) not in seen:
                problems.append(
                    doc.problem(
                        ("steps", index), f"steget {step.id!r} saknar övergång vid {event.value!r}"
                    )
                )
    if not problems:
        problems += _check_reachability(definition, edges, doc)
    return problems


def _check_reachability(
    definition: CycleDefinition, edges: Mapping[str, set[str]], doc: YamlDocument
) -> list[DefinitionProblem]:
    start = definition.steps[0].id
    reached, frontier = {start}, [start]
    while frontier:
        for nxt in edges.get(frontier.pop(), set()):
            if nxt not in reached:
                reached.add(nxt)
                frontier.append(nxt)
    problems = []
    for index, step in enumerate(definition.steps):
        if step.id not in reached:
            problems.append(doc.problem(("steps", index), f"steget {step.id!r} går inte att nå"))
        if _loops_back(step.id, edges):
            problems.append(
                doc.problem(
                    ("steps", index),
                    f"steget {step.id!r} kan nås igen från sig självt; stegen får inte gå i slinga",
                )
            )
    if not any(state in reached for state in TERMINAL_STATES):
        problems.append(doc.problem(("transitions",), "cykeln når aldrig ett slutläge"))
    return problems


def _loops_back(start: str, edges: Mapping[str, set[str]]) -> bool:
    seen: set[str] = set()
    frontier = list(edges.get(start, set()))
    while frontier:
        current = frontier.pop()
        if current == start:
            return True
        if current not in seen:
            seen.add(current)
            frontier.extend(edges.get(current, set()))
    return False
