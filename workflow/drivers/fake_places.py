"""The places a simulated unit's reporters see: its register's, or (a unit without one) places
made up from its town's name, each with what is reported there (`fake_scenes`)."""

from __future__ import annotations

import random

from lofte.definitions.directory import Unit
from lofte.workflow.drivers import fake_scenes as scenes


def unit_places(unit: Unit | None) -> list[tuple[str, str, scenes.PlaceKind]]:
    """The unit's places (name, area, kind) in the order of how often they are reported: each
    municipality has its own hotspots. A unit with a place register reports its places."""
    key = unit.id if unit is not None else ""
    if unit is not None and unit.places:
        found = [
            (p.name, p.area, scenes.PlaceKind(p.name, False, scenes.KIND_CATEGORIES[p.kind]))
            for p in unit.places
        ]
        random.Random(key).shuffle(found)
        return found
    town = scenes.TOWNS.get(key) or _town(unit.name if unit is not None else "Centrum")
    others = scenes.AREAS.get(key) or (f"Norra {town}", f"Södra {town}")
    found = []
    for index, kind in enumerate(scenes.PLACE_KINDS):
        area = f"{town} centrum" if kind.in_centre else others[index % len(others)]
        found.append((kind.name, area, kind))
    random.Random(key).shuffle(found)
    return found


def _town(name: str) -> str:
    """`Björkviks kommun` -> `Björkvik`; `Fagersta kommun` -> `Fagersta`."""
    base = name.removesuffix(" kommun")
    return base[:-1] if base.endswith("s") and base[-2:-1] not in "aeiouyåäö" else base
