"""The administrator's acts on people: who is in the organisation and who has left, and
removing a person who left (`workflow.core.people`)."""

from __future__ import annotations

from dataclasses import dataclass

from lofte.definitions.departures import Departure
from lofte.workflow.application.app import Application
from lofte.workflow.core.people import Removal, remove_person
from lofte.workflow.core.work import Work


@dataclass(frozen=True)
class PeopleList:
    people: list[tuple[str, str, list[str]]]  # id, name, "role (unit)"
    departed: list[Departure]


def remove(app: Application, person_id: str, actor: str) -> Removal:
    """Remove `person_id`, in one unit of work (nothing of it is kept if it fails)."""
    return app.engine.act(actor, lambda work: remove_person(work, person_id))


def people_list(app: Application) -> PeopleList:
    def look(work: Work) -> PeopleList:
        directory = work.directory
        people = [
            (
                p.id,
                p.name,
                [
                    f"{directory.role_title(role)} ({_unit_name(work, unit_id)})"
                    for unit_id, roles in sorted(p.roles.items())
                    for role in roles
                ],
            )
            for p in sorted(directory.people.values(), key=lambda p: p.id)
        ]
        departed = list(work.catalog.departures(work.uow, work.view).people)
        return PeopleList(people, departed)

    return app.engine.inspect(look)


def _unit_name(work: Work, unit_id: str) -> str:
    unit = work.directory.unit(unit_id)
    return unit.name if unit is not None else unit_id
