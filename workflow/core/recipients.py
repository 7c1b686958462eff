"""Who a step asks, and about what: the holders of its roles in the cycle's unit (for a police
area each kommunpolis once per municipality they serve), the decider, or each open action's
owner."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from lofte.definitions.directory import Person, Unit
from lofte.definitions.steps import AnyStep, CollectStep, DecisionStep, FollowUpStep, InputsStep
from lofte.kernel import words
from lofte.kernel.errors import NotFound
from lofte.workflow.core.cadence import label_of_key
from lofte.workflow.core.display import both
from lofte.workflow.core.records import Action, CycleInstance
from lofte.workflow.core.work import Work

ACTION_TITLES = {
    "insats": ("Insats", "Intervention"),
    "tidig_insats": ("Tidig insats", "Early intervention"),
    "atagande": ("Åtagande", "Commitment"),
}


@dataclass(frozen=True)
class Recipient:
    person: Person
    roles: tuple[str, ...]
    item: str = ""  # distinguishes several requests to one person in one step
    subject: dict[str, Any] = field(default_factory=dict)


def recipients(work: Work, instance: CycleInstance, step: AnyStep) -> list[Recipient]:
    unit = work.unit_or_placeholder(instance.unit_id)
    match step:
        case InputsStep() | CollectStep():
            return _role_holders(work, unit, step.responsible)
        case DecisionStep():
            return _role_holders(work, unit, (step.decided_by,))
        case FollowUpStep():
            actions = work.uow.actions.open_in([unit.id], step.follows_up)
            return [_owner(work, unit, action) for action in actions]


def _role_holders(work: Work, unit: Unit, roles: tuple[str, ...]) -> list[Recipient]:
    grouped: dict[tuple[str, str], tuple[Person, Unit, list[str]]] = {}
    for role in roles:
        for person, held_for in work.directory.holders_for(role, unit):
            key = (person.id, held_for.id)
            if key not in grouped:
                grouped[key] = (person, held_for, [])
            if role not in grouped[key][2]:
                grouped[key][2].append(role)
    found = []
    for person, held_for, held in grouped.values():
        if held_for.id == unit.id:
            found.append(Recipient(person, tuple(held)))
        else:  # a kommunpolis asked, in the police area's cycle, for their municipality
            subject = {
                "unit": held_for.id,
                "title": held_for.name,
                "title_en": held_for.name,
                "values": [],
            }
            found.append(Recipient(person, tuple(held), held_for.id, subject))
    return found


def _owner(work: Work, unit: Unit, action: Action) -> Recipient:
    person = work.person(action.owner_id)
    if person is None:  # the owner has left: the unit's coordinator answers for the action
        holders = work.directory.holders(work.directory.coordinator_role(unit), unit.id)
        person = holders[0] if holders else next(iter(work.directory.people.values()))
    sv, en = ACTION_TITLES.get(action.kind, (action.kind, action.kind))
    values = [
        [both("Ansvarig", "Owner"), both(work.directory.name_of(action.owner_id))],
        [both("Beslutad i", "Decided in"), _decided_in(work, action)],
    ]
    if action.place:
        values.insert(0, [both("Plats", "Place"), both(action.place)])
    if action.due_date:
        values.append(
            [
                both("Klart senast", "Due"),
                both(words.plain_date(action.due_date), words.plain_date(action.due_date, "en")),
            ]
        )
    if action.indicator:
        values.append([both("Indikator", "Indicator"), both(action.indicator)])
    subject = {
        "action_id": action.id,
        "title": f"{sv}: {action.what}",
        "title_en": f"{en}: {action.what}",
        "values": values,
    }
    item = "a" + hashlib.sha256(action.key.encode()).hexdigest()[:12]
    return Recipient(person, ("ansvarig",), item, subject)


def _decided_in(work: Work, action: Action) -> dict[str, str]:
    """Where the action was decided, in both languages (`EST-möte v. 4 2027`, `EST meeting
    week 4 2027`); the stored Swedish label if that cycle cannot be read."""
    try:
        source = work.uow.cycles.get(action.source_instance_id)
    except NotFound:
        return both(action.source_label)
    definition = work.definition_of(source)
    return {
        lang: f"{definition.display_title(lang)} {label_of_key(source.period_key, lang)}"
        for lang in ("sv", "en")
    }
