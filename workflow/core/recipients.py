"""Who a step asks: a `Recipient` per request. Which people a kind asks is the kind's own
(`workflow.core.kinds`); most ask the holders of roles in the cycle's unit, found here (for a
police area each kommunpolis once per municipality they serve)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lofte.definitions.directory import Person, Unit
from lofte.workflow.core.work import Work


@dataclass(frozen=True)
class Recipient:
    person: Person
    roles: tuple[str, ...]
    item: str = ""  # distinguishes several requests to one person in one step
    subject: dict[str, Any] = field(default_factory=dict)


def role_holders(work: Work, unit: Unit, roles: tuple[str, ...]) -> list[Recipient]:
    """One recipient per person holding any of `roles` for `unit` (with every such role they
    hold), or per municipality a person holds one of them for in a police area's cycle."""
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
