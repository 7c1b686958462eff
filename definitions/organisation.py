"""The organisation of a deployment: police areas, their municipalities, parties, roles and
people. People are defined once; each holds roles per unit (a samordnare *of Sala*, a
kommunpolis *for Surahammar*, an LPO-chef *of the police area*). Units carry per-definition
overrides.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from lofte.definitions.base import Duration, Frozen, Identifier, Text
from lofte.definitions.promises import PromiseSpec

FORMAT = 1
DEPLOYMENT = "deployment"  # the unit id for roles held across the whole deployment
HeldIn = Literal["municipality", "police_area", "deployment", "any"]


class MeetingOverride(Frozen):
    starts: Duration | None = None
    length: Duration | None = None
    location: str | None = None


class StepOverride(Frozen):
    deadline: Duration | None = None
    reminders: tuple[Duration, ...] | None = None
    accept_late_for: Duration | None = None
    escalation_after: Duration | None = None
    meeting: MeetingOverride | None = None


class CadenceOverride(Frozen):
    anchor: str | None = None  # local wall-clock time, e.g. 2027-01-04T09:00
    every: Duration | None = None


class DefinitionOverride(Frozen):
    """What one unit changes in one definition; everything else comes from the template."""

    enabled: bool = True
    cadence: CadenceOverride | None = None
    steps: dict[Identifier, StepOverride] = Field(default_factory=dict)


class PartySpec(Frozen):
    id: Identifier
    title: Text


class RoleSpec(Frozen):
    id: Identifier
    title: Text
    party: Identifier | None = None  # None: people of any party may hold it
    held_in: HeldIn = "municipality"


class MunicipalitySpec(Frozen):
    id: Identifier
    name: str
    location: str = ""  # where the municipality's meetings are held by default
    website: str = ""
    overrides: dict[Identifier, DefinitionOverride] = Field(default_factory=dict)


class PoliceAreaSpec(Frozen):
    id: Identifier
    name: str
    location: str = ""
    overrides: dict[Identifier, DefinitionOverride] = Field(default_factory=dict)
    municipalities: tuple[MunicipalitySpec, ...] = Field(min_length=1)


class PersonSpec(Frozen):
    id: Identifier
    name: str
    email: str
    party: Identifier
    roles: dict[Identifier, tuple[Identifier, ...]]  # unit id (or `deployment`) -> roles
    language: Literal["sv", "en"] = "sv"
    digest: bool = False
    # other addresses the person's replies to request mails may come from (a shared
    # mailbox, an address of their other employer); mail is still sent to `email` only
    reply_from: tuple[str, ...] = ()


class CoordinatorRoles(Frozen):
    """Who gets catch-up notices and owns actions nobody else does, per unit kind."""

    municipality: Identifier = "samordnare"
    police_area: Identifier = "operativ-koordinator"


# places: the register of each municipality's places ------------------------------------------
PlaceKind = Literal[
    "station",
    "torg",
    "centrum",
    "handel",
    "park",
    "tunnel",
    "skola",
    "idrott",
    "badplats",
    "lekplats",
    "bostadsomrade",
    "parkering",
    "atervinning",
    "gata",
    "ovrigt",
]
PLACE_KINDS: dict[str, str] = {
    "station": "Station/hållplats",
    "torg": "Torg",
    "centrum": "Centrum",
    "handel": "Handel/köpcentrum",
    "park": "Park/grönområde",
    "tunnel": "Gångtunnel/passage",
    "skola": "Skola/skolgård",
    "idrott": "Idrottsplats/sporthall",
    "badplats": "Badplats",
    "lekplats": "Lekplats",
    "bostadsomrade": "Bostadsområde",
    "parkering": "Parkering",
    "atervinning": "Återvinningsstation",
    "gata": "Gata/väg",
    "ovrigt": "Övrigt",
}


class PlaceSpec(Frozen):
    """A named place of a municipality (a school yard, the station, a tunnel): where it is
    (its area, WGS 84 coordinates) and the other names people write for it."""

    id: Identifier
    name: str
    area: str
    kind: PlaceKind = "ovrigt"
    lat: float  # WGS 84 latitude, degrees north
    lon: float  # WGS 84 longitude, degrees east
    aliases: tuple[str, ...] = ()


# end of places --------------------------------------------------------------------------------


class OrganisationSpec(Frozen):
    format: int = FORMAT
    name: str
    coordinators: CoordinatorRoles = CoordinatorRoles()
    # Gallring: the default retention of ordinary personal data after a cycle closes (a
    # definition's own `retention:` wins); None: LOFTE_PERSONAL_RETENTION or P2Y.
    retention: Duration | None = None
    parties: tuple[PartySpec, ...] = Field(min_length=1)
    roles: tuple[RoleSpec, ...] = Field(min_length=1)
    police_areas: tuple[PoliceAreaSpec, ...] = Field(min_length=1)
    people: tuple[PersonSpec, ...] = Field(min_length=1)
    # The medborgarlöften, per municipality and period (`definitions.promises`).
    promises: tuple[PromiseSpec, ...] = ()
    places: dict[Identifier, tuple[PlaceSpec, ...]] = Field(default_factory=dict)  # municipality
