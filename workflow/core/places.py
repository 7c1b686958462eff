"""A unit's place register at work: resolving what reporters wrote into places, and storing
the coordinator's decisions (an "annan plats" mapped onto a place, or added to the register).

The decisions are stored in the catalog, beside the definitions and the organisation: one
document per version, per unit (kind `places`), so every decision is kept, its time and author
are in the audit log, and every process sees it when the catalog's generation changes.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import Any

from lofte.definitions.checks.place_checks import place_problems
from lofte.definitions.directory import Unit
from lofte.definitions.loader import sha256
from lofte.definitions.organisation import PlaceSpec
from lofte.definitions.places import PlaceDecisions, PlaceRegister, normalised
from lofte.kernel.errors import ConfigError
from lofte.workflow.core.catalog import GENERATION, PLACES
from lofte.workflow.core.ports import StoredDocument, StoredVersion
from lofte.workflow.core.work import Work

DECISIONS_NAME = "platser"


def register_of(work: Work, unit: Unit) -> PlaceRegister:
    """The unit's places: the setup's and the coordinator's."""
    return PlaceRegister(unit.places, work.catalog.place_decisions(work.uow, work.view, unit.id))


def resolve(observations: Iterable[dict[str, Any]], register: PlaceRegister) -> None:
    """Give each observation the place the register says it names (`place_id`, the place's own
    name and area); an "annan plats" keeps its text (and its written area) and no id."""
    for observation in observations:
        written = str(observation.get("place") or "")
        place = register.resolve(written) if written else None
        observation["written_place"] = written
        if place is None:
            observation["place_id"] = ""
        else:
            observation.update(place_id=place.id, place=place.name, area=place.area)


def map_place(work: Work, unit: Unit, text: str, place_id: str) -> PlaceDecisions:
    """The coordinator maps the written `text` onto the register's place `place_id`."""
    register = register_of(work, unit)
    place = register.by_id(place_id)
    if place is None:
        raise ConfigError(f"platsen {place_id!r} finns inte i registret för {unit.name}")
    _refuse_known(register, text)
    decisions = register.with_mapping(text, place.id)
    _store(work, unit, decisions, {"text": text, "place": place.id})
    return decisions


def add_place(work: Work, unit: Unit, text: str, place: PlaceSpec) -> PlaceDecisions:
    """The coordinator adds a place to the register; the written `text` is mapped onto it."""
    register = register_of(work, unit)
    place = place.model_copy(update={"id": _free_id(register, place.id)})
    _refuse_known(register, text)
    problems = place_problems((*register.places, place))
    mine = [message for index, message, _ in problems if index == len(register.places)]
    if mine:
        raise ConfigError("; ".join(mine))
    decisions = register.with_place(place, text)
    _store(work, unit, decisions, {"text": text, "place": place.id, "added": place.name})
    return decisions


def _free_id(register: PlaceRegister, wanted: str) -> str:
    """`wanted`, or `wanted-2`, `wanted-3`, ... if a place has it already."""
    found, number = wanted, 1
    while register.by_id(found) is not None:
        number += 1
        found = f"{wanted[:60]}-{number}"
    return found


def _refuse_known(register: PlaceRegister, text: str) -> None:
    if not normalised(text):
        raise ConfigError("ange den skrivna platsen som ska kopplas")
    known = register.resolve(text)
    if known is not None:
        raise ConfigError(f"{text!r} betyder redan platsen {known.name}")


def _store(work: Work, unit: Unit, decisions: PlaceDecisions, detail: dict[str, Any]) -> None:
    uow = work.uow
    text = decisions.model_dump_json()
    content_hash = sha256(text)
    current = uow.catalog.latest_versions(PLACES).get((DECISIONS_NAME, unit.id))
    version = 1 if current is None else current[0] + 1
    uow.catalog.add_documents([StoredDocument(content_hash, PLACES, decisions.format, text)])
    uow.catalog.add_versions(
        [StoredVersion(PLACES, DECISIONS_NAME, unit.id, version, content_hash, work.now)]
    )
    uow.settings.put(GENERATION, secrets.token_hex(8))
    work.audit(None, "place_mapped", detail | {"version": version}, unit_id=unit.id)
