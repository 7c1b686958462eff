"""Rules of the organisation file: unique ids, known parties and roles, roles held in units
of the right kind by people of the right party, and overrides that point at real units."""

from __future__ import annotations

import re

from lofte.definitions.checks import bounds
from lofte.definitions.checks.cycle_checks import check_retention
from lofte.definitions.checks.place_checks import check_places
from lofte.definitions.checks.promise_checks import check_promises
from lofte.definitions.organisation import DEPLOYMENT, OrganisationSpec, PersonSpec
from lofte.definitions.yaml_source import PathKey, YamlDocument
from lofte.kernel.errors import DefinitionProblem

EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
ID = bounds.IDENTIFIER


def check_organisation(org: OrganisationSpec, doc: YamlDocument) -> list[DefinitionProblem]:
    problems: list[DefinitionProblem] = []
    problems += _unique_ids(doc, "parties", [p.id for p in org.parties])
    problems += _unique_ids(doc, "roles", [r.id for r in org.roles])
    problems += _unique_ids(doc, "people", [p.id for p in org.people])
    parties = {p.id for p in org.parties}
    roles = {r.id: r for r in org.roles}
    for index, role in enumerate(org.roles):
        if role.party is not None and role.party not in parties:
            problems.append(doc.problem(("roles", index, "party"), f"okänd part {role.party!r}"))
    for name in ("municipality", "police_area"):
        role_id = getattr(org.coordinators, name)
        if role_id not in roles:
            problems.append(doc.problem(("coordinators", name), f"okänd roll {role_id!r}"))
    kinds = _unit_kinds(org, doc, problems)
    problems += check_places(org, doc, kinds)
    for index in range(len(org.people)):
        here: PathKey = ("people", index)
        problems += _check_person(org, doc, here, kinds, parties, index)
    if len(org.people) > bounds.MAX_PEOPLE:
        problems.append(doc.problem(("people",), f"högst {bounds.MAX_PEOPLE} personer"))
    problems += check_promises(org, doc)
    if org.retention is not None:
        problems += check_retention(doc, ("retention",), org.retention)
    return problems


def _unique_ids(doc: YamlDocument, list_name: str, ids: list[str]) -> list[DefinitionProblem]:
    problems = []
    for index, item in enumerate(ids):
        if not ID.match(item):
            problems.append(
                doc.problem(
                    (list_name, index, "id"),
                    f"{item[:70]!r} är ingen giltig id (små bokstäver a–z, siffror, - och _)",
                )
            )
        if item in ids[:index]:
            problems.append(doc.problem((list_name, index, "id"), f"{item!r} finns två gånger"))
    return problems


def _unit_kinds(
    org: OrganisationSpec, doc: YamlDocument, problems: list[DefinitionProblem]
) -> dict[str, str]:
    kinds: dict[str, str] = {DEPLOYMENT: "deployment"}
    count = 0
    for a_index, area in enumerate(org.police_areas):
        units: list[tuple[PathKey, str, str, str]] = [
            (("police_areas", a_index), area.id, area.name, "police_area")
        ]
        units += [
            (("police_areas", a_index, "municipalities", m_index), m.id, m.name, "municipality")
            for m_index, m in enumerate(area.municipalities)
        ]
        for path, unit_id, name, kind in units:
            count += 1
            if not ID.match(unit_id):
                problems.append(doc.problem((*path, "id"), f"{unit_id[:70]!r} är ingen giltig id"))
            if unit_id in kinds:
                problems.append(doc.problem((*path, "id"), f"enheten {unit_id!r} finns två gånger"))
            kinds[unit_id] = kind
            if not name.strip() or len(name) > bounds.MAX_TITLE:
                problems.append(doc.problem((*path, "name"), f"1–{bounds.MAX_TITLE} tecken"))
    if count > bounds.MAX_UNITS:
        problems.append(doc.problem(("police_areas",), f"högst {bounds.MAX_UNITS} enheter"))
    return kinds


def _address_problems(
    person: PersonSpec, doc: YamlDocument, here: PathKey
) -> list[DefinitionProblem]:
    """The person's address, and those their replies may come from, must be addresses."""
    given: list[tuple[PathKey, str]] = [((*here, "email"), person.email)]
    given += [((*here, "reply_from", n), other) for n, other in enumerate(person.reply_from)]
    return [
        doc.problem(path, f"{address[:80]!r} är ingen e-postadress")
        for path, address in given
        if not EMAIL.match(address) or len(address) > 254
    ]


def _check_person(
    org: OrganisationSpec,
    doc: YamlDocument,
    here: PathKey,
    kinds: dict[str, str],
    parties: set[str],
    index: int,
) -> list[DefinitionProblem]:
    person = org.people[index]
    roles = {r.id: r for r in org.roles}
    problems = []
    problems.extend(_address_problems(person, doc, here))
    if not person.name.strip() or len(person.name) > bounds.MAX_TITLE:
        problems.append(doc.problem((*here, "name"), f"1–{bounds.MAX_TITLE} tecken"))
    if person.party not in parties:
        problems.append(doc.problem((*here, "party"), f"okänd part {person.party!r}"))
    if not person.roles:
        problems.append(doc.problem((*here, "roles"), "personen har inga roller"))
    for unit_id, held in person.roles.items():
        unit_path: PathKey = (*here, "roles", unit_id)
        kind = kinds.get(unit_id)
        if kind is None:
            problems.append(doc.problem(unit_path, f"okänd enhet {unit_id!r}"))
            continue
        for r_index, role_id in enumerate(held):
            role = roles.get(role_id)
            where: PathKey = (*unit_path, r_index)
            if role is None:
                problems.append(doc.problem(where, f"okänd roll {role_id!r}"))
                continue
            if role.party is not None and role.party != person.party:
                problems.append(
                    doc.problem(
                        where,
                        f"rollen {role_id!r} hör till {role.party}, "
                        f"men {person.name} är {person.party}",
                    )
                )
            if role.held_in != "any" and role.held_in != kind:
                problems.append(
                    doc.problem(
                        where, f"rollen {role_id!r} innehas i en {_KIND_TEXT[role.held_in]}"
                    )
                )
    return problems


_KIND_TEXT = {
    "municipality": "kommun",
    "police_area": "polisområde (LPO)",
    "deployment": "hela installationen (deployment)",
    "any": "valfri enhet",
}
