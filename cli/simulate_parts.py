"""`lofte simulate --processes N`: the organisation's police areas split between processes.

A police area and its municipalities share nothing with another police area unless a person
holds roles in both: each cycle, request, timer and email belongs to one unit, and the
simulation draws each unit's answers from random streams of its own. So the police areas are
grouped (areas that share a person stay together), the groups dealt out to N processes with
about as many municipalities each, and each process simulates its organisation (its areas,
their people, places and promises, the deployment's own people) in a throw-away database of
its own, with its own delivery worker, writing its email to the same folder (each message's
key names its installation and unit, so no two file names meet). The reports add up to the
report of one process for the same seed, count for count (`tests/cli/test_simulate_parts.py`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from lofte.definitions.loader import Bundle, SourceText, load_texts
from lofte.definitions.yaml_source import parse_yaml

DEPLOYMENT = "deployment"


def groups(bundle: Bundle) -> list[list[str]]:
    """The police areas (ids) in groups that share no person, in the organisation's order."""
    spec = bundle.organisation.spec
    area_of: dict[str, str] = {}
    for spec_area in spec.police_areas:
        area_of[spec_area.id] = spec_area.id
        area_of.update({m.id: spec_area.id for m in spec_area.municipalities})
    parent = {a.id: a.id for a in spec.police_areas}

    def root(area: str) -> str:
        while parent[area] != area:
            area = parent[area]
        return area

    for person in spec.people:
        areas = sorted({area_of[u] for u in person.roles if u in area_of}, key=list(parent).index)
        for other in areas[1:]:
            parent[root(other)] = root(areas[0])
    joined: dict[str, list[str]] = {}
    for area in parent:
        joined.setdefault(root(area), []).append(area)
    return list(joined.values())


def split(bundle: Bundle, processes: int) -> list[list[str]]:
    """At most `processes` parts of police areas with about as many municipalities each:
    largest group first into the part with fewest, ties to the earlier part."""
    size = {a.id: len(a.municipalities) for a in bundle.organisation.spec.police_areas}
    found = groups(bundle)
    parts: list[list[str]] = [[] for _ in range(min(processes, len(found)))]
    load = [0] * len(parts)
    for group in sorted(found, key=lambda g: -sum(size[a] for a in g)):
        lightest = load.index(min(load))
        parts[lightest] += group
        load[lightest] += sum(size[a] for a in group)
    order = list(size)
    return [sorted(part, key=order.index) for part in parts]


def part_sources(bundle: Bundle, areas: Sequence[str]) -> list[SourceText]:
    """The setup's files with the organisation cut down to `areas`: their units, the people
    who hold roles there (with those roles only) or in the deployment, places and promises."""
    organisation = bundle.organisation
    data = parse_yaml(organisation.text, organisation.file).data
    kept_areas = [a for a in data["police_areas"] if a["id"] in areas]
    units = {DEPLOYMENT, *areas}
    units.update(m["id"] for a in kept_areas for m in a["municipalities"])
    people = []
    for person in data["people"]:
        roles = {u: r for u, r in person["roles"].items() if u in units}
        if roles:
            people.append({**person, "roles": roles})
    data = {**data, "police_areas": kept_areas, "people": people}
    if "places" in data:
        data["places"] = {u: p for u, p in data["places"].items() if u in units}
    if "promises" in data:
        data["promises"] = [p for p in data["promises"] if p.get("unit") in units]
    text = json.dumps(data, ensure_ascii=False, default=str)  # JSON is YAML
    sources = [SourceText(s.file, s.text, False) for s in bundle.definitions]
    return [*sources, SourceText(organisation.file, text, True)]


def load_part(sources: Sequence[SourceText]) -> Bundle:
    return load_texts(sources, sources[-1].file)


def merge(reports: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The parts' reports (`SimulationReport.as_dict`) as one: counts added, units side by
    side, every key in the order one report has them."""
    merged: dict[str, Any] = {"from": reports[0]["from"], "to": reports[0]["to"]}
    for key in ("timers_fired", "answers", "answers_refused"):
        merged[key] = sum(r[key] for r in reports)
    definitions: dict[str, dict[str, int]] = {}
    units: dict[str, Any] = {}
    for report in reports:
        for name, counts in report["definitions"].items():
            into = definitions.setdefault(name, dict.fromkeys(counts, 0))
            for key, n in counts.items():
                into[key] += n
        units.update(report["units"])
    merged["definitions"] = dict(sorted(definitions.items()))
    merged["units"] = dict(sorted(units.items()))
    return merged
