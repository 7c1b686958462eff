"""The organisation as the engine asks it: units, people and who holds which role where,
indexed once per organisation version."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

from lofte.definitions.base import LocalText
from lofte.definitions.organisation import (
    DEPLOYMENT,
    DefinitionOverride,
    OrganisationSpec,
    PersonSpec,
    PlaceSpec,
    RoleSpec,
)

UnitKindName = Literal["municipality", "police_area"]


@dataclass(frozen=True, slots=True)  # one per unit / person of the organisation
class Unit:
    """A municipality or a police area."""

    id: str
    kind: UnitKindName
    name: str
    location: str
    website: str = ""
    parent: str | None = None  # a municipality's police area
    children: tuple[str, ...] = ()  # a police area's municipalities
    overrides: Mapping[str, DefinitionOverride] = field(default_factory=dict)
    places: tuple[PlaceSpec, ...] = ()  # a municipality's place register (`places:`)


@dataclass(frozen=True, slots=True)  # one per unit / person of the organisation
class Person:
    id: str
    name: str
    email: str
    party: str
    language: str
    digest: bool
    roles: Mapping[str, tuple[str, ...]]  # unit id -> roles held there
    reply_from: tuple[str, ...] = ()  # other addresses their replies may come from

    def sends_from(self, address: str) -> bool:
        """Is `address` (a reply's sender) this person's, or one configured for them?"""
        wanted = address.strip().lower()
        return wanted == self.email.lower() or wanted in {a.lower() for a in self.reply_from}

    @property
    def first_name(self) -> str:
        return self.name.split(" ")[0]


class Directory:
    """Read-only lookups over one organisation version."""

    def __init__(self, spec: OrganisationSpec, departed: Mapping[str, str] | None = None) -> None:
        """`departed`: person id -> name of the people who left (`definitions.departures`);
        they hold no role and are not found, but their records still show their name."""
        self.spec = spec
        self.departed: Mapping[str, str] = MappingProxyType(dict(departed or {}))
        self.name = spec.name
        self.units: dict[str, Unit] = {}
        for area in spec.police_areas:
            self.units[area.id] = Unit(
                area.id,
                "police_area",
                area.name,
                area.location,
                children=tuple(m.id for m in area.municipalities),
                overrides=MappingProxyType(dict(area.overrides)),
            )
            for m in area.municipalities:
                self.units[m.id] = Unit(
                    m.id,
                    "municipality",
                    m.name,
                    m.location or area.location,
                    website=m.website,
                    parent=area.id,
                    overrides=MappingProxyType(dict(m.overrides)),
                    places=tuple(spec.places.get(m.id, ())),
                )
        self.people: dict[str, Person] = {
            p.id: _person(p) for p in spec.people if p.id not in self.departed
        }
        self.roles: dict[str, RoleSpec] = {r.id: r for r in spec.roles}
        self.parties: dict[str, LocalText] = {p.id: p.title for p in spec.parties}
        self._holders: dict[tuple[str, str], tuple[Person, ...]] = {}
        held: dict[tuple[str, str], list[Person]] = {}
        at_unit: dict[str, list[Person]] = {}  # who holds any role for the unit
        for person in self.people.values():
            for unit_id, roles in person.roles.items():
                at_unit.setdefault(unit_id, []).append(person)
                for role in roles:
                    held.setdefault((role, unit_id), []).append(person)
        self._holders = {key: tuple(value) for key, value in held.items()}
        self._at_unit = {unit_id: tuple(people) for unit_id, people in at_unit.items()}
        self._order = {person_id: number for number, person_id in enumerate(self.people)}
        self._members: dict[str, tuple[Person, ...]] = {}
        self.digest_people = tuple(p for p in self.people.values() if p.digest)

    # units ------------------------------------------------------------------------------------
    def unit(self, unit_id: str) -> Unit | None:
        return self.units.get(unit_id)

    def units_of_kind(self, kind: str) -> tuple[Unit, ...]:
        return tuple(u for u in self.units.values() if u.kind == kind)

    def municipalities_of(self, unit: Unit) -> tuple[Unit, ...]:
        return tuple(self.units[c] for c in unit.children)

    def area_of(self, unit: Unit) -> Unit | None:
        return None if unit.parent is None else self.units.get(unit.parent)

    def coordinator_role(self, unit: Unit) -> str:
        return getattr(self.spec.coordinators, unit.kind)  # type: ignore[no-any-return]

    # people and roles ---------------------------------------------------------------------------
    def find(self, person_id: str) -> Person | None:
        """The person, or None if they are not (or no longer) in the organisation."""
        return self.people.get(person_id)

    def name_of(self, person_id: str) -> str:
        found = self.people.get(person_id)
        if found is None:
            return self.departed.get(person_id, person_id)
        return found.name

    def has_left(self, person_id: str) -> bool:
        """Whether `person_id` was removed from the organisation (`lofte person remove`)."""
        return person_id in self.departed

    def with_departed(self, departed: Mapping[str, str]) -> Directory:
        """This organisation with `departed` (id -> name) removed from it."""
        return Directory(self.spec, departed)

    def holders(self, role: str, unit_id: str) -> tuple[Person, ...]:
        """People who hold `role` in exactly this unit."""
        return self._holders.get((role, unit_id), ())

    def holders_for(self, role: str, unit: Unit) -> tuple[tuple[Person, Unit], ...]:
        """Who holds `role` for a cycle of `unit`: in the unit itself; for a police area also
        in its municipalities (each kommunpolis for their own municipality); for a
        municipality also in its police area (the area's police staff)."""
        found = [(p, unit) for p in self.holders(role, unit.id)]
        for child in self.municipalities_of(unit):
            found += [(p, child) for p in self.holders(role, child.id)]
        area = self.area_of(unit)
        if area is not None:
            found += [(p, unit) for p in self.holders(role, area.id)]
        found += [(p, unit) for p in self.holders(role, DEPLOYMENT)]
        return tuple(found)

    def roles_in(self, person: Person, unit: Unit) -> tuple[str, ...]:
        """The roles `person` holds for cycles of `unit` (see `holders_for`)."""
        roles = list(person.roles.get(unit.id, ()))
        for child in unit.children:
            roles += person.roles.get(child, ())
        if unit.parent is not None:
            roles += person.roles.get(unit.parent, ())
        roles += person.roles.get(DEPLOYMENT, ())
        return tuple(dict.fromkeys(roles))

    def members(self, unit: Unit) -> tuple[Person, ...]:
        """Everyone who holds a role for cycles of `unit`, in name order."""
        cached = self._members.get(unit.id)
        if cached is None:  # from the people of the unit, its children and its parent only
            keys = {unit.id, *unit.children}
            if unit.parent is not None:
                keys.add(unit.parent)
            found = {p.id: p for key in keys for p in self._at_unit.get(key, ())}
            order = self._order  # people of one name in the organisation's order, as before
            cached = tuple(sorted(found.values(), key=lambda p: (p.name, order[p.id])))
            self._members[unit.id] = cached
        return cached

    def party_title(self, party: str, language: str = "sv") -> str:
        title = self.parties.get(party)
        return party if title is None else title.get(language)

    def role_title(self, role: str, language: str = "sv") -> str:
        spec = self.roles.get(role)
        return role if spec is None else spec.title.get(language)


def _person(spec: PersonSpec) -> Person:
    return Person(
        id=spec.id,
        name=spec.name,
        email=spec.email,
        party=spec.party,
        language=spec.language,
        digest=spec.digest,
        roles=MappingProxyType(spec.roles),  # the spec's (frozen) own: not a copy per person
        reply_from=spec.reply_from,
    )
