"""The action register: rows of a decision become actions (insatser, tidiga insatser,
åtaganden) with an owner who is told at once; each open action is followed up at every later
EST meeting or uppföljning until it is closed as done, changed or dropped
(`workflow.core.kinds.follow_up`). Decisions are announced to participants and owners."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from lofte.definitions.cycle import CycleDefinition
from lofte.definitions.directory import Person
from lofte.definitions.steps import ActionSource, AnyStep
from lofte.workflow.core.display import shown_fields
from lofte.workflow.core.messages import action_message, decision_message
from lofte.workflow.core.records import Action, CycleInstance, InputRequest
from lofte.workflow.core.work import Work


def create_actions(
    work: Work,
    instance: CycleInstance,
    definition: CycleDefinition,
    step: AnyStep,
    answered: Sequence[InputRequest],
) -> list[Action]:
    """Turn the rows named by the step's `creates_actions` into actions; tell each owner."""
    if not step.creates_actions:
        return []
    label = f"{definition.display_title()} {instance.period_label}"
    several = len(answered) > 1
    actions = []
    for request in answered:
        for source in step.creates_actions:
            rows = (request.answer or {}).get(source.field) or []
            for index, row in enumerate(rows):
                item = f"{request.person_id}:{index}" if several else str(index)
                action = _action(work, instance, step.id, source, row, item, label)
                if action is not None:
                    actions.append(action)
    added = work.uow.actions.add_many(actions)
    for action in added:
        owner = work.person(action.owner_id)
        if owner is not None:
            work.send(action_message(work, instance, definition, action, owner))
        work.audit(
            instance,
            "action_created",
            {
                "action": action.key,
                "kind": action.kind,
                "owner": action.owner_id,
                "what": action.what,
            },
        )
    return added


def _action(
    work: Work,
    instance: CycleInstance,
    step_id: str,
    source: ActionSource,
    row: dict[str, Any],
    item: str,
    label: str,
) -> Action | None:
    """The action one answered row asks for; None when its owner is no known person."""
    owner = work.person(str(row.get(source.owner, "")))
    if owner is None:
        return None

    def text(column: str | None) -> str:
        return str(row.get(column, "")) if column else ""

    return Action(
        key=work.keys.action(instance.key, instance.unit_id, step_id, source.field, item),
        unit_id=instance.unit_id,
        kind=source.kind,
        source_instance_id=instance.id or 0,
        source_label=label,
        what=str(row.get(source.what, "")),
        owner_id=owner.id,
        owner_party=owner.party,
        created_at=work.now,
        due_date=_date(row.get(source.due)) if source.due else None,
        place=text(source.place),
        problem=text(source.problem),
        indicator=text(source.indicator),
        baseline=text(source.baseline),
        target_categories=_categories(row.get(source.categories)) if source.categories else "",
    )


def _categories(value: Any) -> str:
    chosen = value if isinstance(value, list | tuple) else [value] if value else []
    return ",".join(str(c) for c in chosen)[:400]


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def announce(
    work: Work,
    instance: CycleInstance,
    definition: CycleDefinition,
    step: AnyStep,
    decision: InputRequest,
    created: Sequence[Action],
) -> None:
    """Send what was decided to the participants and to every owner of a new action; for a
    cycle restricted to one party, the others' coordinators get only the shared fields."""
    unit = work.unit_or_placeholder(instance.unit_id)
    roles = (step.meeting.participants if step.meeting else ()) or step.asked_roles()
    people: dict[str, tuple[Person, str]] = {}
    for role in roles:
        for person, _ in work.directory.holders_for(role, unit):
            people.setdefault(person.id, (person, "participant"))
    for action in created:
        owner = work.person(action.owner_id)
        if owner is not None:
            people.setdefault(owner.id, (owner, "owner"))
    shown = shown_fields(step.fields, decision.answer or {}, work.directory)
    for person, reason in people.values():
        work.send(decision_message(work, instance, definition, step, shown, person, reason))
    if definition.restricted_to_party and definition.shared_fields:
        shared = [f for f in shown if f["id"] in definition.shared_fields]
        if not shared:
            return
        for municipality in work.directory.municipalities_of(unit):
            role = work.directory.coordinator_role(municipality)
            for person in work.directory.holders(role, municipality.id):
                if person.id not in people:
                    work.send(
                        decision_message(
                            work, instance, definition, step, shared, person, "municipality"
                        )
                    )
    work.audit(instance, "decision_announced", {"step": step.id, "to": sorted(people)})
