"""A definition in words, for administrators (`lofte definitions show`, the web console's
definition page): durations and rules as Swedish (or English) words, steps and end states by
their titles, roles by their titles. Identifiers appear only where they are named as such
(`steg-id rapportering`), for the administrator who edits the files."""

from __future__ import annotations

from collections.abc import Callable

from lofte.definitions.cycle import TERMINAL_CLOSED, TERMINAL_COMPLETED, CycleDefinition, Event
from lofte.definitions.fields import AnyField, ChoiceField, RowsField
from lofte.definitions.steps import AnyStep
from lofte.kernel import words
from lofte.kernel.durations import IsoDuration
from lofte.kernel.timerules import STOCKHOLM
from lofte.workflow.core.kinds import STANDARD_KINDS, StepKinds

RoleTitle = Callable[[str], str]

EVENTS = {
    Event.INPUTS_COMPLETE: ("alla svar har kommit in", "every answer is in"),
    Event.DEADLINE_PASSED: ("tidsfristen har passerat", "the deadline has passed"),
    Event.DECIDED: ("beslutet är registrerat", "the decision is recorded"),
    Event.EXPIRED: ("sista svarstiden har passerat", "the last time for answers has passed"),
}
ENDS = {
    TERMINAL_COMPLETED: ("Avslutad (slutläge)", "Completed (end state)"),
    TERMINAL_CLOSED: ("Avslutad, svar saknas (slutläge)", "Closed, answers missing (end state)"),
}
RULES = {
    "next_working_day": (
        "flyttas till nästa arbetsdag om den infaller på en helgdag",
        "moves to the next working day if it falls on a day off",
    ),
    "exact": ("gäller även på helgdagar", "applies on days off too"),
}
FIELD_TYPES = {
    "text": ("text", "text"),
    "number": ("tal", "number"),
    "choice": ("val", "choice"),
    "scale": ("skala", "scale"),
    "date": ("datum", "date"),
    "datetime": ("datum och tid", "date and time"),
    "time": ("klockslag", "time of day"),
    "place": ("plats ur platsregistret eller annan plats", "place from the register, or another"),
    "boolean": ("kryssruta", "checkbox"),
    "person": ("person", "person"),
    "commitment": ("pågående åtgärd (åtagande)", "open action (commitment)"),
    "rows": ("rader", "rows"),
}
UNIT_KINDS = {
    "municipality": ("varje kommun", "every municipality"),
    "police_area": ("varje polisområde", "every police area"),
}


def _pick(pair: tuple[str, str], language: str) -> str:
    return pair[1] if language == "en" else pair[0]


def event_text(event: Event | str, language: str = "sv") -> str:
    found = EVENTS.get(Event(event)) if event in Event.__members__.values() else None
    return _pick(found, language) if found else str(event)


def state_name(definition: CycleDefinition, state: str, language: str = "sv") -> str:
    """A state as people read it: the step's title, or the end state in words."""
    if definition.has_step(state):
        return definition.step(state).title.get(language)
    found = ENDS.get(state)
    return _pick(found, language) if found else state


def rule_text(rule: str, language: str = "sv") -> str:
    return _pick(RULES.get(rule, (rule, rule)), language)


def kind_text(step: AnyStep, language: str = "sv", kinds: StepKinds = STANDARD_KINDS) -> str:
    """How the step moves on, as its kind says (`alla tillfrågade svarar`)."""
    return kinds.of(step).words_in(language)


def unit_kind_text(kind: str, language: str = "sv") -> str:
    return _pick(UNIT_KINDS.get(kind, (kind, kind)), language)


def field_type_text(spec: AnyField, language: str = "sv") -> str:
    return _pick(FIELD_TYPES.get(spec.type, (spec.type, spec.type)), language)


def cadence_text(definition: CycleDefinition, language: str = "sv") -> str:
    """`varannan vecka från mån 11 jan 2027 kl. 09.00`."""
    cadence = definition.cadence
    start = words.moment(cadence.anchor.replace(tzinfo=STOCKHOLM), language)
    since = "from" if language == "en" else "från"
    return f"{words.every(cadence.every, language)} {since} {start}"


def after_opening(value: IsoDuration, language: str = "sv") -> str:
    """`2 dagar och 3 timmar efter öppningen`."""
    after = "after the opening" if language == "en" else "efter öppningen"
    return f"{words.duration(value, language)} {after}"


def who(
    step: AnyStep, role_title: RoleTitle, language: str = "sv", kinds: StepKinds = STANDARD_KINDS
) -> str:
    """Whom the step asks, by role titles (a follow-up: the owners of its actions)."""
    return kinds.of(step).who(step, role_title, language)


def timing_lines(step: AnyStep, role_title: RoleTitle, language: str = "sv") -> list[str]:
    """Deadline, reminders, escalation and late answers of a step, in words."""
    en = language == "en"
    lines = [
        ("Answers by: " if en else "Svar senast: ")
        + f"{after_opening(step.deadline, language)} ({rule_text(step.deadline_rule, language)})"
    ]
    if step.reminders:
        before = " before" if en else " före"
        said = ", ".join(words.duration(r, language) + before for r in step.reminders)
        lines.append(("Reminders: " if en else "Påminnelser: ") + said)
    if step.escalation is not None:
        after = step.escalation.after
        when = (
            ("as soon as the deadline has passed" if en else "så snart tidsfristen har passerat")
            if after.is_zero
            else words.duration(after, language)
            + (" after the deadline" if en else " efter tidsfristen")
        )
        told = role_title(step.escalation.role)
        lines.append(
            f"Escalation: {told} is told who has not answered, {when}"
            if en
            else f"Eskalering: {told} får veta vem som inte har svarat, {when}"
        )
    if not step.accept_late_for.is_zero:
        late = words.duration(step.accept_late_for, language)
        lines.append(
            f"Late answers are taken for {late} after the deadline"
            if en
            else f"Sena svar tas emot i {late} efter tidsfristen"
        )
    return lines


def choices_text(spec: AnyField, language: str = "sv") -> str:
    """The options of a choice field by their labels (empty for other fields)."""
    if not isinstance(spec, ChoiceField):
        return ""
    return ", ".join(o.label_in(language) for o in spec.options)


def columns_of(spec: AnyField) -> tuple[AnyField, ...]:
    return spec.columns if isinstance(spec, RowsField) else ()
