"""File formats and the one-step upgrades between them.

Every definition and organisation carries `format: N`. Data of an older format is upgraded one
step at a time, in a loop, until it is current; a file with no `format` is format 0, the shape of
Löfte 0.1 (one organisation, `advance:` steps, `requests_from`, `context_from`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from lofte.definitions.cycle import FORMAT as DEFINITION_FORMAT
from lofte.definitions.organisation import FORMAT as ORGANISATION_FORMAT

Upgrade = Callable[[dict[str, Any]], dict[str, Any]]


def _list(value: Any) -> list[Any]:
    """The items of a list; nothing for any other value. Upgrades meet untrusted data: a value
    of the wrong type is left for the shapes to report, never allowed to crash an upgrade."""
    return value if isinstance(value, list) else []


class FormatError(ValueError):
    """The data's format is unknown (newer than this release, or not a number)."""


def format_of(data: dict[str, Any]) -> int:
    value = data.get("format", 0)
    if isinstance(value, bool) or not isinstance(value, int):
        raise FormatError(f"format ska vara ett heltal, inte {value!r}")
    return value


def upgrade(data: dict[str, Any], chain: dict[int, Upgrade], current: int) -> dict[str, Any]:
    version = format_of(data)
    if version > current:
        raise FormatError(
            f"format {version} är nyare än denna version av Löfte förstår (högst {current}); "
            "uppgradera Löfte"
        )
    if version < 0:
        raise FormatError(f"format {version} finns inte")
    while version < current:
        data = chain[version](dict(data))
        version += 1
        data["format"] = version
    return data


def upgrade_definition(data: dict[str, Any]) -> dict[str, Any]:
    return upgrade(data, DEFINITION_UPGRADES, DEFINITION_FORMAT)


def upgrade_organisation(data: dict[str, Any]) -> dict[str, Any]:
    return upgrade(data, ORGANISATION_UPGRADES, ORGANISATION_FORMAT)


# format 0 -> 1: definitions -----------------------------------------------------------------
_KIND_OF_ADVANCE = {"all_inputs": "inputs", "deadline": "collect", "decision": "decision"}


def _definition_0_to_1(data: dict[str, Any]) -> dict[str, Any]:
    """0.1 ran every cycle for one municipality; the LPO chief's cycle was the police area's."""
    data["applies_to"] = "police_area" if data.get("chair_role") == "lpo-chef" else "municipality"
    contexts = [_context_0(ref) for ref in _list(data.pop("context_from", None))]
    if not isinstance(data.get("steps"), list):
        return data
    steps = []
    for index, raw in enumerate(data["steps"]):
        step = dict(raw) if isinstance(raw, dict) else raw
        if isinstance(step, dict):
            step = _step_0(step)
            if index == 0 and contexts:
                step["context"] = contexts
        steps.append(step)
    data["steps"] = steps
    return data


def _context_0(ref: Any) -> Any:
    if not isinstance(ref, dict):
        return ref
    if ref.get("definition") == "inriktningsbeslut":
        return {
            "kind": "decision_in_force",
            "label": ref.get("label", ""),
            "definition": ref.get("definition"),
            "step": ref.get("step"),
        }
    return {
        "kind": "answers",
        "label": ref.get("label", ""),
        "definition": ref.get("definition"),
        "step": ref.get("step"),
        "window": "latest",
    }


def _step_0(step: dict[str, Any]) -> dict[str, Any]:
    advance = step.pop("advance", "all_inputs")
    source = step.pop("requests_from", None)
    if isinstance(source, dict):
        step["kind"] = "follow_up"
        step["follows_up"] = [_action_kind(str(f)) for f in _list(source.get("fields"))][:1]
        step.pop("responsible", None)
        if isinstance(step.get("fields"), list):
            step["fields"] = [_status_field_0(f) for f in step["fields"]]
    else:
        step["kind"] = _KIND_OF_ADVANCE.get(str(advance), str(advance))
    if step["kind"] == "decision":
        step.pop("responsible", None)
    actions = [a for a in (_action_source(f) for f in _list(step.get("fields"))) if a is not None]
    if actions:
        step["creates_actions"] = actions
    return step


# 0.1 let a follow-up's `status` options be any text; 1 stores one of the action statuses and
# keeps the old text as the option's label. Texts not recognised are left for the checks to name.
_STATUS_OF_0 = (
    ("ej genomf", "avbruten"),
    ("ej påbörja", "ej_paborjad"),
    ("genomf", "genomford"),
    ("ändra", "andrad"),
    ("pågå", "pagar"),
    ("avbr", "avbruten"),
)


def _status_field_0(spec: Any) -> Any:
    if not isinstance(spec, dict) or spec.get("id") != "status" or spec.get("type") != "choice":
        return spec
    options = []
    for option in _list(spec.get("options")):
        text = option.strip().lower() if isinstance(option, str) else ""
        status = next((s for start, s in _STATUS_OF_0 if text.startswith(start)), None)
        options.append(option if status is None else {"value": status, "label": option})
    return {**spec, "options": options}


def _action_kind(field_id: str) -> str:
    if "atagande" in field_id:
        return "atagande"
    if "tidig" in field_id:
        return "tidig_insats"
    return "insats"


def _action_source(spec: Any) -> dict[str, Any] | None:
    """0.1 followed up rows that name an owner; 1 makes such rows actions."""
    if not isinstance(spec, dict) or spec.get("type") != "rows":
        return None
    columns = [c for c in _list(spec.get("columns")) if isinstance(c, dict) and "id" in c]
    owner = next((c["id"] for c in columns if c.get("type") == "person"), None)
    what = next((c["id"] for c in columns if c.get("type") == "text"), None)
    if owner is None or what is None:
        return None
    source: dict[str, Any] = {
        "field": spec.get("id"),
        "kind": _action_kind(str(spec.get("id"))),
        "what": what,
        "owner": owner,
    }
    due = next((c["id"] for c in columns if c.get("type") == "date"), None)
    if due is not None:
        source["due"] = due
    return source


# format 0 -> 1: the organisation --------------------------------------------------------------
def _slug(name: str) -> str:
    table = str.maketrans({"å": "a", "ä": "a", "ö": "o", "é": "e", " ": "-"})
    cleaned = re.sub(r"[^a-z0-9_-]", "", name.lower().translate(table))
    return cleaned if cleaned and cleaned[0].isalpha() else f"u-{cleaned}"


def _organisation_0_to_1(data: dict[str, Any]) -> dict[str, Any]:
    """0.1 held one municipality and named its police area; roles were not per unit."""
    home = str(data.pop("municipality", "Kommunen"))
    area_name = str(data.pop("police_area", "Polisområdet"))
    names = [str(m) for m in _list(data.pop("municipalities", None)) or [home]]
    if home not in names:
        names.insert(0, home)
    area_id = _slug(area_name)
    area_roles: set[str] = set()
    roles = []
    for raw in _list(data.get("roles")):
        role = dict(raw) if isinstance(raw, dict) else raw
        if isinstance(role, dict):
            police = role.get("party") == "polis" and role.get("id") != "kommunpolis"
            role["held_in"] = "police_area" if police else "municipality"
            if police and isinstance(role.get("id"), str):
                area_roles.add(role["id"])
        roles.append(role)
    if isinstance(data.get("roles"), list):
        data["roles"] = roles
    data["parties"] = [{"id": "kommun", "title": "Kommunen"}, {"id": "polis", "title": "Polisen"}]
    data["police_areas"] = [
        {
            "id": area_id,
            "name": area_name,
            "municipalities": [_municipality_0(n, home) for n in names],
        }
    ]
    if isinstance(data.get("people"), list):
        home_id = _slug(home)
        data["people"] = [_person_0(p, area_id, area_roles, home_id) for p in data["people"]]
    return data


# 0.1 ran the municipal cycles for its home municipality only; its packaged names.
MUNICIPAL_0 = ("est-inventering", "est-mote", "inriktningsbeslut", "uppfoljning")


def _municipality_0(name: str, home: str) -> dict[str, Any]:
    unit: dict[str, Any] = {"id": _slug(name), "name": name}
    if name != home:  # the police area's other municipalities ran no promise in 0.1
        unit["overrides"] = {definition: {"enabled": False} for definition in MUNICIPAL_0}
    return unit


def _person_0(raw: Any, area_id: str, area_roles: set[str], home: str) -> Any:
    if not isinstance(raw, dict) or not isinstance(raw.get("roles", []), list):
        return raw
    person = dict(raw)
    own = person.pop("municipality", None)
    units: dict[str, list[Any]] = {}
    for role in _list(person.get("roles")):
        if isinstance(role, str) and role in area_roles:
            unit = area_id
        elif role == "kommunpolis" and own:
            unit = _slug(str(own))
        else:
            unit = home
        units.setdefault(unit, []).append(role)
    person["roles"] = units
    return person


DEFINITION_UPGRADES: dict[int, Upgrade] = {0: _definition_0_to_1}
ORGANISATION_UPGRADES: dict[int, Upgrade] = {0: _organisation_0_to_1}
