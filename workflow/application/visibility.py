"""Who may see what. One module, used by the CLI and the web pages alike.

- A person sees the cycles of units where they hold a role, of the municipalities of a police
  area where they hold a role, and of the police area of a municipality where they hold one.
  Roles held for the whole deployment (administrator, revisor) see every unit.
- A cycle restricted to one party (the operativ inriktning: the police) shows its content
  only to that party; others see its shared fields (the summary for the municipalities).
- A sensitive field is shown only to people holding one of its `visible_to` roles for the
  cycle's unit; never in an email, never published.
- The operator at the database host (the CLI without `--as`) sees every cycle's content except
  sensitive fields.
"""

from __future__ import annotations

from dataclasses import dataclass

from lofte.definitions.cycle import CycleDefinition
from lofte.definitions.directory import Directory, Person, Unit
from lofte.definitions.organisation import DEPLOYMENT
from lofte.definitions.steps import AnyStep
from lofte.kernel.errors import AccessDenied

ADMIN_ROLE = "administrator"
AUDITOR_ROLE = "revisor"


@dataclass(frozen=True)
class Viewer:
    directory: Directory
    person: Person | None = None  # None: the operator at the database host

    @property
    def is_operator(self) -> bool:
        return self.person is None

    @property
    def label(self) -> str:
        return "operatör" if self.person is None else self.person.id

    @property
    def language(self) -> str:
        """The language the viewer reads (Swedish for the operator)."""
        return "en" if self.person is not None and self.person.language == "en" else "sv"

    def deployment_roles(self) -> tuple[str, ...]:
        return () if self.person is None else self.person.roles.get(DEPLOYMENT, ())

    @property
    def is_admin(self) -> bool:
        return self.is_operator or ADMIN_ROLE in self.deployment_roles()

    def is_auditor(self, unit: Unit | None = None) -> bool:
        """Auditors check every cycle's course (not its protected content)."""
        if self.is_operator or AUDITOR_ROLE in self.deployment_roles():
            return True
        return unit is not None and AUDITOR_ROLE in self.roles_for(unit)

    def roles_for(self, unit: Unit) -> tuple[str, ...]:
        """The roles this person holds for cycles of `unit`."""
        return () if self.person is None else self.directory.roles_in(self.person, unit)


def viewer_for(directory: Directory, person_id: str | None) -> Viewer:
    if person_id is None:
        return Viewer(directory)
    person = directory.find(person_id)
    if person is None:
        raise AccessDenied(f"{person_id!r} finns inte i organisationen")
    return Viewer(directory, person)


def visible_units(viewer: Viewer) -> list[Unit]:
    """The units whose cycles `viewer` sees, in name order."""
    units = sorted(viewer.directory.units.values(), key=lambda u: (u.kind != "police_area", u.name))
    return [u for u in units if can_see_unit(viewer, u)]


def can_see_unit(viewer: Viewer, unit: Unit) -> bool:
    if viewer.person is None or viewer.deployment_roles():
        return True
    held = set(viewer.person.roles)
    related = {unit.id, *unit.children}
    if unit.parent is not None:
        related.add(unit.parent)
    return bool(held & related)


def can_read_content(viewer: Viewer, definition: CycleDefinition, unit: Unit) -> bool:
    """May `viewer` read the cycle's (non-sensitive) answers, beyond its shared fields?"""
    if not can_see_unit(viewer, unit):
        return False
    party = definition.restricted_to_party
    if party is None or viewer.person is None:
        return True
    return viewer.person.party == party


def visible_fields(
    viewer: Viewer, definition: CycleDefinition, step: AnyStep, unit: Unit
) -> tuple[set[str], set[str]]:
    """(non-sensitive field ids, sensitive field ids) of `step` that `viewer` may see."""
    if not can_see_unit(viewer, unit):
        return set(), set()
    if can_read_content(viewer, definition, unit):
        public = {f.id for f in step.fields if not f.sensitive}
    else:
        public = {f.id for f in step.fields if f.id in definition.shared_fields}
    roles = set(viewer.roles_for(unit))
    sensitive = {
        f.id
        for f in step.fields
        if f.sensitive and viewer.person is not None and roles & set(f.visible_to)
    }
    return public, sensitive


def require_unit(viewer: Viewer, unit: Unit) -> None:
    if not can_see_unit(viewer, unit):
        raise AccessDenied(f"{viewer.label} har ingen roll i {unit.name}")


def require_auditor(viewer: Viewer, unit: Unit | None = None) -> None:
    """AccessDenied unless `viewer` audits `unit` (None: every unit of the deployment)."""
    if not viewer.is_auditor(unit):
        where = f" för {unit.name}" if unit is not None else ""
        raise AccessDenied(f"{viewer.label} är inte revisor{where}")


def audited_units(viewer: Viewer) -> list[Unit]:
    """The units `viewer` audits, in name order."""
    return [u for u in visible_units(viewer) if viewer.is_auditor(u)]


def can_keep_places(viewer: Viewer, unit: Unit) -> bool:
    """A municipality's place register is kept by its coordinator (the role that chairs the
    EST inventory, `coordinators.municipality`) and by administrators."""
    if viewer.is_admin:
        return True
    if viewer.person is None or unit.kind != "municipality":
        return False
    return viewer.directory.coordinator_role(unit) in viewer.person.roles.get(unit.id, ())


def require_place_keeper(viewer: Viewer, unit: Unit) -> None:
    if not can_keep_places(viewer, unit):
        role = viewer.directory.role_title(viewer.directory.coordinator_role(unit))
        raise AccessDenied(f"bara {role.lower()} i {unit.name} kan koppla platser")
