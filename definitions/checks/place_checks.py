"""Rules of the place register (`places:` in the organisation, and places a coordinator adds):
places belong to municipalities, ids are unique within one, coordinates are WGS 84 degrees,
and no name or alias means two places."""

from __future__ import annotations

from collections.abc import Sequence

from lofte.definitions.checks import bounds
from lofte.definitions.organisation import OrganisationSpec, PlaceSpec
from lofte.definitions.places import normalised
from lofte.definitions.yaml_source import PathKey, YamlDocument
from lofte.kernel.errors import DefinitionProblem

MAX_PLACES = 2000  # per municipality
MAX_ALIASES = 20


def check_places(
    org: OrganisationSpec, doc: YamlDocument, kinds: dict[str, str]
) -> list[DefinitionProblem]:
    problems: list[DefinitionProblem] = []
    for unit_id, places in org.places.items():
        here: PathKey = ("places", unit_id)
        if kinds.get(unit_id) != "municipality":
            problems.append(doc.problem(here, f"{unit_id!r} är ingen kommun i organisationen"))
            continue
        if len(places) > MAX_PLACES:
            problems.append(doc.problem(here, f"högst {MAX_PLACES} platser per kommun"))
            continue
        for index, message, key in place_problems(places):
            problems.append(doc.problem((*here, index, key), message))
    return problems


def place_problems(places: Sequence[PlaceSpec]) -> list[tuple[int, str, str]]:
    """(index, message, key) of each problem of one municipality's places."""
    problems: list[tuple[int, str, str]] = []
    ids: set[str] = set()
    names: dict[str, str] = {}
    for index, place in enumerate(places):
        problems += [(index, m, k) for m, k in _one_place(place)]
        if place.id in ids:
            problems.append((index, f"platsen {place.id!r} finns två gånger", "id"))
        ids.add(place.id)
        for text in (place.name, *place.aliases):
            key = normalised(text)
            other = names.get(key)
            if other is not None and other != place.id:
                problems.append(
                    (index, f"namnet {text!r} betyder redan platsen {other!r}", "aliases")
                )
            names.setdefault(key, place.id)
    return problems


def _one_place(place: PlaceSpec) -> list[tuple[str, str]]:
    problems = []
    if not bounds.IDENTIFIER.match(place.id):
        problems.append(
            (f"{place.id[:70]!r} är ingen giltig id (små bokstäver a–z, siffror, - och _)", "id")
        )
    if not place.name.strip() or len(place.name) > bounds.MAX_TITLE:
        problems.append((f"namnet ska ha 1–{bounds.MAX_TITLE} tecken", "name"))
    if len(place.area) > bounds.MAX_TITLE:
        problems.append((f"området får ha högst {bounds.MAX_TITLE} tecken", "area"))
    if not -90 <= place.lat <= 90:
        problems.append((f"latitud {place.lat} ligger inte mellan -90 och 90 (WGS 84)", "lat"))
    if not -180 <= place.lon <= 180:
        problems.append((f"longitud {place.lon} ligger inte mellan -180 och 180 (WGS 84)", "lon"))
    if len(place.aliases) > MAX_ALIASES:
        problems.append((f"högst {MAX_ALIASES} alias", "aliases"))
    if any(not a.strip() or len(a) > bounds.MAX_TITLE for a in place.aliases):
        problems.append((f"ett alias ska ha 1–{bounds.MAX_TITLE} tecken", "aliases"))
    return problems
